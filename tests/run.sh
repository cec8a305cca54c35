#!/bin/sh
# tests/run.sh [--sanitize] - build tokd and run its test suite.
# shellcheck disable=SC2086 # option lists are split on purpose
#
# Plain (the README's command): release build in build/, every suite but
# the memory-safety ones. --sanitize: ASan + UBSan build with warnings as
# errors in build-sanitize/, leaks checked, any UBSan report fatal, every
# suite but the release-only ones; then every libFuzzer target for 10 s
# (tests/fuzz/run.sh). CI runs both, so each slow suite runs once:
#   release only (meson suite "release"): the exactness sweeps (every code
#     point, every fixture, the real files) and the functional, HTTP,
#     playground and deployment suites;
#   sanitize only (meson suite "sanitize"): alloc_fail, hostile, bounded,
#     files, faults;
#   both: the quick unit suites (tests/meson.build says which is which).
# `meson test -C DIR NAME` runs any one suite in either build. Prints every
# suite's own summary (Check's "Checks: N, Failures: 0") and ends with
# "N passed, N failed" over the suites.
set -eu
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--sanitize" ]; then
    dir=build-sanitize
    opts="-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized -Dwerror=true"
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
    export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
    skip=release
else
    dir=build
    opts="-Dwerror=true"
    skip=sanitize
fi
if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure $opts "$dir" >/dev/null
else
    meson setup $opts "$dir" >/dev/null
fi
ninja -C "$dir"
status=0
meson test -C "$dir" --no-suite "$skip" --print-errorlogs || status=$?
grep -h -E '^[0-9]+%: Checks: [0-9]+|^[0-9]+ passed, [0-9]+ failed' "$dir/meson-logs/testlog.txt" || true
# one closing line over all suites, from meson's own record
summary() {
    ok=$(grep -c '"result": "OK"' "$dir/meson-logs/testlog.json" || true)
    bad=$(grep -c '"result": "\(FAIL\|TIMEOUT\|ERROR\|UNEXPECTEDPASS\)"' "$dir/meson-logs/testlog.json" || true)
    echo "$ok passed, $bad failed"
}
summary
if [ "${1:-}" = "--sanitize" ]; then
    echo "== fuzz targets (clang, libFuzzer, ASan + UBSan)"
    sh tests/fuzz/run.sh || status=1
fi
exit $status
