#!/bin/sh
# Install Debian's chromium for the HTML browser tests when it is missing; quiet and idempotent.
set -eu
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium; } >"$log" 2>&1; then
    echo "installing chromium failed:" >&2
    tail -n 30 "$log" >&2
    exit 1
fi
rm -f "$log"
/usr/bin/chromium --version
