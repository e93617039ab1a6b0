#!/usr/bin/env bash
# Runs every check and test of seats: formatting, lints, unit and integration tests (the
# keyring tests against a real Secret Service in a private D-Bus session), end-to-end tests.
#
# It needs the Debian packages in tests/deps.txt. Missing ones are installed here when that
# can be done without asking (as root, or with sudo that needs no password); otherwise it
# prints the one command to run and stops. `tests/run.sh --deps-only` does only that step.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
while read -r line; do
  line=${line%%#*}
  for p in $line; do packages+=("$p"); done
done < tests/deps.txt

missing=()
if command -v dpkg >/dev/null 2>&1; then
  for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
else
  # Not Debian: judge by the commands the packages provide.
  for cmd in dbus-run-session gnome-keyring-daemon dbus-send tmux; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "tests/run.sh: missing ${missing[*]}; install the packages that provide them (on Debian: ${packages[*]})" >&2
    exit 2
  fi
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "tests/run.sh: the Debian packages ${missing[*]} are missing. Install them, then run tests/run.sh again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 2
  fi
  echo "tests/run.sh: installing ${missing[*]}" >&2
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "${1:-}" = "--deps-only" ]; then
  exit 0
fi

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
cargo build --release --locked
# End-to-end tests drive the release binary in tmux.
export SEATS_E2E_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/seats"
# The whole test run happens inside a private D-Bus session with an unlocked gnome-keyring.
exec dbus-run-session -- tests/with-keyring.sh cargo test --locked --all-targets
