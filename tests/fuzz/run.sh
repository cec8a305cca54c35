#!/bin/sh
# tests/fuzz/run.sh [SECONDS] - build the libFuzzer targets with clang under
# ASan + UBSan (build-fuzz/) and run each for SECONDS (default 10) from its
# committed seed corpus (tests/fuzz/corpus/TARGET; new inputs go to a
# scratch copy). Any crash, leak, UB report, timeout or out-of-memory fails;
# the input that did it is kept in build-fuzz/crashes/. The loaders' targets
# (tiktoken, safetensors, hf_json, spm, counts) take inputs up to 64 KiB, long enough for
# the long-token paths of a file (merges, unk tokens over 8 KiB); the others
# keep libFuzzer's default length.
# Prints "ok|FAIL fuzz TARGET" lines and "N passed, N failed".
set -eu
cd "$(dirname "$0")/../.."
seconds=${1:-10}
if [ ! -f build-fuzz/build.ninja ]; then
    CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false -Db_sanitize=address,undefined -Db_lundef=false \
        -Dbuildtype=debugoptimized > /dev/null
fi
ninja -C build-fuzz > /dev/null
mkdir -p build-fuzz/crashes
pass=0
fail=0
for target in tiktoken safetensors hf_json decode encode handlers imagesize template spm counts; do
    work=$(mktemp -d)
    cp tests/fuzz/corpus/$target/* "$work/"
    case $target in
        tiktoken | safetensors | hf_json | spm | counts) max_len=-max_len=65536 ;;
        *) max_len= ;;
    esac
    # shellcheck disable=SC2086 # an empty $max_len adds no argument
    if ./build-fuzz/tests/fuzz/fuzz_$target -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 $max_len \
        -artifact_prefix=build-fuzz/crashes/$target- "$work" > build-fuzz/fuzz_$target.log 2>&1; then
        pass=$((pass + 1))
        echo "ok   fuzz $target: $(grep -o 'Done [0-9]* runs' build-fuzz/fuzz_$target.log)"
    else
        fail=$((fail + 1))
        echo "FAIL fuzz $target: $(grep -E 'ERROR|SUMMARY|runtime error' build-fuzz/fuzz_$target.log | head -3)"
    fi
    rm -rf "$work"
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
