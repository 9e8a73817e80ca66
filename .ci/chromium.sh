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
$SUDO apt-get update -qq >/dev/null 2>&1
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1
/usr/bin/chromium --version
