# podman_lib.sh - podman for the container tests (sourced, bash, by
# test_container.sh and test_compose.sh). No registry is used: the Debian 12
# base image is made here with debootstrap from the mirror apt already uses,
# and everything is cached between runs on one machine, in $TOKD_CI_CACHE
# (default /var/cache/tokd-ci): the debootstrap tarball, and podman's own
# storage keeps the imported base and the build layers.
#
# podman reads tokd's deploy/containers.conf (CONTAINERS_CONF), so a
# machine's own /etc/containers/containers.conf is neither needed nor
# touched: runc (crun refuses cgroups in hybrid mode), cgroupfs (there may be
# no systemd), no default ulimits, netavark + aardvark-dns for the compose
# network's names.
#
# Where podman cannot run, podman_setup says why and exits 77, which meson
# reports as SKIP; a podman that runs but fails to build or run is a FAIL.
# Defines root (the checkout), tmp, pass, fail, ok, bad and finish.

TOKD_CI_CACHE=${TOKD_CI_CACHE:-/var/cache/tokd-ci}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d)
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit; }

skip() { echo "SKIP $1"; exit 77; }

# podman_setup: podman usable with the tokd configuration, or exit 77
podman_setup() {
    command -v podman > /dev/null ||
        skip "podman is not installed (apt-get install podman runc podman-compose debootstrap netavark aardvark-dns iptables)"
    [ "$(id -u)" = 0 ] || skip "the container tests need root (rootful podman, debootstrap); run as root to include them"
    export CONTAINERS_CONF=$root/deploy/containers.conf
    podman info > "$tmp/podman-info" 2>&1 || skip "podman cannot run here: $(tail -1 "$tmp/podman-info")"
}

# base_tarball: the cached minbase root file system of Debian 12, made once
base_tarball() {
    local tarball=$TOKD_CI_CACHE/debian-12-minbase.tar dir=$TOKD_CI_CACHE/rootfs.tmp mirror
    [ -s "$tarball" ] && return 0
    mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p; s/^deb \(http[^ ]*debian\) bookworm main.*/\1/p' \
        /etc/apt/sources.list.d/* /etc/apt/sources.list 2> /dev/null | head -1)
    command -v debootstrap > /dev/null || { bad "debootstrap" "not installed (apt-get install debootstrap)"; return 1; }
    rm -rf "$dir"
    debootstrap --variant=minbase bookworm "$dir" "${mirror:-http://deb.debian.org/debian}" > "$tmp/debootstrap.log" 2>&1 ||
        { bad "debootstrap of Debian 12" "$(tail -3 "$tmp/debootstrap.log")"; return 1; }
    # what Debian's own images leave out: downloaded packages and the index
    rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/cache/apt/*.bin "$dir"/var/lib/apt/lists/*
    find "$dir/var/log" -type f -delete
    tar -C "$dir" -c . > "$tarball.new" && mv "$tarball.new" "$tarball"
    rm -rf "$dir"
}

# base_image: debian:12 and debian:12-slim in podman's storage, from the
# tarball; one test run at a time makes them (a lock in the cache)
base_image() {
    local rc=0
    mkdir -p "$TOKD_CI_CACHE" || { bad "cache" "cannot create $TOKD_CI_CACHE"; return 1; }
    exec 9> "$TOKD_CI_CACHE/lock"
    flock -w 900 9 || { bad "base image" "$TOKD_CI_CACHE/lock held for 15 minutes"; return 1; }
    if ! podman image exists debian:12 || ! podman image exists debian:12-slim; then
        base_tarball || rc=1
        [ "$rc" = 1 ] || { podman import -q "$TOKD_CI_CACHE/debian-12-minbase.tar" debian:12 > /dev/null &&
            podman tag debian:12 debian:12-slim; } || { bad "import the base image" "podman import failed"; rc=1; }
    fi
    exec 9>&-
    return $rc
}

# build_image TAG [DIR [DOCKERFILE]]: podman build, no registry, apt over the host's network
build_image() {
    local dir=${2:-$root} file=${3:-Dockerfile} log
    log=$tmp/build-$(basename "$file").log
    if podman build --pull=never --network=host --format docker -t "$1" -f "$dir/$file" "$dir" > "$log" 2>&1; then
        ok "podman build $file: $1 ($(podman image inspect --format '{{.Size}}' "$1" | awk '{ printf "%.1f MB", $1 / 1e6 }'))"
    else
        bad "podman build $file" "$(tail -5 "$log")"
        return 1
    fi
}

# wait_ready URL SECONDS: until URL/readyz answers 200
wait_ready() {
    local i
    for i in $(seq $(($2 * 10))); do
        [ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$1/readyz")" = 200 ] && return 0
        sleep 0.1
    done
    return 1
}
