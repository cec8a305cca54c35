#!/bin/sh
# setup.sh [--packages-only] - make a Debian 12 machine ready for tokd and
# build it in build/: installs the packages in .ci/packages (and npm, for
# the pinned test tools, if there is none), then meson + ninja. Works as
# root (a fresh machine or container has no sudo) and as a user with sudo.
# The README's first command is `sh setup.sh && ./build/tokd serve`;
# .ci/run installs with --packages-only (tests/run.sh builds).
set -eu
cd "$(dirname "$0")"
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() { as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" > /dev/null; }
as_root apt-get update -qq
# nginx is for the load-balancer test only: keep its package from starting a
# system nginx where there is no init system (a container)
if [ ! -e /usr/sbin/policy-rc.d ] && [ ! -d /run/systemd/system ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d > /dev/null
    as_root chmod +x /usr/sbin/policy-rc.d
fi
# shellcheck disable=SC2046 # one package a line
apt_install $(cat .ci/packages)
# a machine may already have Node.js from elsewhere, whose package conflicts
# with Debian's npm, so install only if absent
command -v npm > /dev/null || apt_install nodejs npm
[ "${1:-}" = --packages-only ] && exit 0
[ -f build/build.ninja ] || meson setup build > /dev/null
ninja -C build
