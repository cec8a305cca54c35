#!/bin/sh
# tests/run.sh [--sanitize | --release] - build tokd and run its whole test
# suite (the README's test command; CI runs it as it is).
# shellcheck disable=SC2086 # option lists are split on purpose
#
# The suite has two passes, and with no option both run, one after the
# other; each suite runs in one of them or, when it is quick, in both:
#   --sanitize: ASan + UBSan build with warnings as errors in
#     build-sanitize/, leaks checked, any UBSan report fatal; the
#     memory-safety suites (meson suite "sanitize": alloc_fail, hostile,
#     bounded, files, faults) and the quick unit suites; then every
#     libFuzzer target for 10 s (tests/fuzz/run.sh).
#   --release: release build in build/; the exactness sweeps (every code
#     point, every fixture, the real files), the functional, HTTP,
#     playground and deployment suites (meson suite "release") and the
#     quick unit suites.
# tests/meson.build says which suite is in which pass. `meson test -C DIR
# NAME` runs any one suite in either build. Each pass prints every suite's
# own summary (Check's "Checks: N, Failures: 0") and a closing
# "N passed, N failed" over its suites.
set -eu
cd "$(dirname "$0")/.."

# pass NAME: configure, build and test one pass; its status is returned
pass() {
    if [ "$1" = sanitize ]; then
        dir=build-sanitize
        opts="-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized -Dwerror=true"
        skip=release
    else
        dir=build
        opts="-Dwerror=true"
        skip=sanitize
    fi
    if [ -f "$dir/build.ninja" ]; then
        meson setup --reconfigure $opts "$dir" >/dev/null || return 1
    else
        meson setup $opts "$dir" >/dev/null || return 1
    fi
    ninja -C "$dir" || return 1
    rc=0
    meson test -C "$dir" --no-suite "$skip" --print-errorlogs || rc=$?
    grep -h -E '^[0-9]+%: Checks: [0-9]+|^[0-9]+ passed, [0-9]+ failed' "$dir/meson-logs/testlog.txt" || true
    ok=$(grep -c '"result": "OK"' "$dir/meson-logs/testlog.json" || true)
    bad=$(grep -c '"result": "\(FAIL\|TIMEOUT\|ERROR\|UNEXPECTEDPASS\)"' "$dir/meson-logs/testlog.json" || true)
    echo "$1 pass: $ok passed, $bad failed"
    if [ "$1" = sanitize ]; then
        echo "== fuzz targets (clang, libFuzzer, ASan + UBSan)"
        sh tests/fuzz/run.sh || rc=1
    fi
    return $rc
}

sanitizer_env() {
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
    export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
}

status=0
case "${1:-}" in
    --sanitize) sanitizer_env; pass sanitize || status=$? ;;
    --release) pass release || status=$? ;;
    "")
        echo "== pass 1 of 2: AddressSanitizer + UndefinedBehaviorSanitizer"
        (sanitizer_env; pass sanitize) || status=$?
        echo "== pass 2 of 2: release build"
        pass release || status=$?
        ;;
    *) echo "usage: sh tests/run.sh [--sanitize | --release]" >&2; exit 2 ;;
esac
[ "$status" -eq 0 ] && echo "the whole suite passed" || echo "FAILED (status $status)"
exit $status
