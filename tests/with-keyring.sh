#!/usr/bin/env bash
# Inside a D-Bus session: start gnome-keyring (secrets component, unlocked), wait for the
# Secret Service to own its bus name, then run the given command with SEATS_REQUIRE_KEYRING=1
# so that keyring tests fail instead of skipping. Keyring files go to a temp dir, not $HOME.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/data" "$tmp/cache" "$tmp/runtime"
chmod 700 "$tmp/runtime"
export XDG_DATA_HOME="$tmp/data" XDG_CACHE_HOME="$tmp/cache" XDG_RUNTIME_DIR="$tmp/runtime"
eval "$(printf %s seats-test-password | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK 2>/dev/null || true
ready=no
for _ in $(seq 1 50); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
    ready=yes
    break
  fi
  sleep 0.1
done
# Go on regardless: with SEATS_REQUIRE_KEYRING=1 the keyring tests then fail and say why.
[ "$ready" = yes ] || echo "with-keyring.sh: the Secret Service did not appear on the session bus within 5 s" >&2
export SEATS_REQUIRE_KEYRING=1
"$@"
