#!/usr/bin/env bash
# Runs every check and test of seats: formatting, lints, unit and integration tests (the
# keyring tests against a real Secret Service in a private D-Bus session), end-to-end tests.
# Needs the Debian packages in tests/deps.txt (.ci/run installs them).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for cmd in dbus-run-session gnome-keyring-daemon dbus-send tmux; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "tests/run.sh: missing ${missing[*]}; install the Debian packages: $(tr '\n' ' ' < tests/deps.txt)" >&2
  exit 2
fi

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
cargo build --release --locked
# End-to-end tests drive the release binary in tmux.
export SEATS_E2E_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/seats"
# The whole test run happens inside a private D-Bus session with an unlocked gnome-keyring.
exec dbus-run-session -- tests/with-keyring.sh cargo test --locked --all-targets
