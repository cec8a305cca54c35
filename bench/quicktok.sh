#!/bin/sh
# bench/quicktok.sh [BUILD_DIR] - tokd against quicktok, the fastest exact
# tiktoken-compatible encoder published (C++, github.com/dmatth1/quicktok).
# shellcheck disable=SC2086 # file lists are split on purpose
#
# The project does not contain quicktok: QUICKTOK_SRC names a checkout of it,
# which is built there with its own Makefile (`make lib`) and linked through
# its C ABI into bench/quicktok_bench.c. For cl100k_base and o200k_base on
# the english, code and multilingual files (bench/make_corpus.sh):
# 1. both encoders' ids are compared (a speed comparison of different
#    answers would mean nothing);
# 2. ROUNDS rounds (default 5), alternating tokd and quicktok on the same
#    files, each measurement the best of >= 3 runs and 0.5 s; the best of all
#    rounds is reported with tokd / quicktok (the machine is shared: the
#    best run is the least disturbed one);
# 3. the instructions each executes inside its encode call (callgrind, first
#    300 kB of each file), which the load of the machine does not change.
#    valgrind does not run AVX-512, so for this count quicktok is built a
#    second time (build-v3/ in its tree) for x86-64-v3 (AVX2), the
#    portable build its Makefile documents.
#
# Usage: QUICKTOK_SRC=/path/to/quicktok bench/quicktok.sh [BUILD_DIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
src=$(cd "${QUICKTOK_SRC:?set QUICKTOK_SRC to a quicktok source tree}" && pwd)
tokd=$build/tokd
out=$here/out
rounds=${ROUNDS:-5}
sh "$here/make_corpus.sh" "$out"
make -C "$src" lib > "$out/quicktok_make.log" 2>&1 || { cat "$out/quicktok_make.log"; exit 1; }
qt=$out/quicktok_bench
cc -O2 -I"$src/include" "$here/quicktok_bench.c" "$src/build/libquicktok.a" -lstdc++ -lm -o "$qt"
echo "quicktok $(git -C "$src" rev-parse --short HEAD 2> /dev/null || echo '(not a git tree)') from $src"
echo "tokd $("$tokd" --version | cut -d' ' -f2) from $build; $rounds rounds"
names="english code multilingual"

for enc in cl100k_base o200k_base; do
    files=
    for f in $names; do
        files="$files $out/$f.txt"
        "$tokd" encode -t "$enc" --disallowed-special none "$out/$f.txt" > "$out/ids_tokd.json"
        "$qt" --ids "$src/data" "$enc" "$out/$f.txt" > "$out/ids_qt.json"
        cmp -s "$out/ids_tokd.json" "$out/ids_qt.json" || echo "note: $enc $f: quicktok's ids differ from tokd's"
    done
    : > "$out/rounds_tokd.txt"
    : > "$out/rounds_qt.txt"
    for _ in $(seq "$rounds"); do
        "$tokd" bench -t "$enc" $files | awk 'NF == 8 && $2 ~ /^[0-9]+$/ { print $1, $4, $6 }' >> "$out/rounds_tokd.txt"
        "$qt" "$src/data" "$enc" $files | awk '{ print $1, $4 }' >> "$out/rounds_qt.txt"
    done
    echo
    echo "== $enc: single-thread encode MB/s, best of $rounds alternating rounds"
    printf '%-14s %10s %12s %10s %12s %14s\n' file tokd tokd_count quicktok tokd/quicktok count/quicktok
    for f in $names; do
        t=$(awk -v f="$out/$f.txt" '$1 == f && $2 > e { e = $2 } $1 == f && $3 > c { c = $3 } END { print e, c }' "$out/rounds_tokd.txt")
        q=$(awk -v f="$out/$f.txt" '$1 == f && $2 > e { e = $2 } END { print e }' "$out/rounds_qt.txt")
        echo "$f $t $q" | awk '{ printf "%-14s %10.1f %12.1f %10.1f %13.2fx %13.2fx\n", $1, $2, $3, $4, $2 / $4, $3 / $4 }'
    done
done

command -v valgrind > /dev/null || { echo "(no valgrind: instruction counts skipped)"; exit 0; }
make -C "$src" BUILD=build-v3 CXXFLAGS_ARCH=-march=x86-64-v3 lib > "$out/quicktok_make.log" 2>&1 ||
    { cat "$out/quicktok_make.log"; exit 1; }
cc -O2 -I"$src/include" "$here/quicktok_bench.c" "$src/build-v3/libquicktok.a" -lstdc++ -lm -o "$qt-v3"
ir() { # FUNCTION COMMAND...: instructions executed inside FUNCTION
    fn=$1
    shift
    valgrind --tool=callgrind --toggle-collect="$fn" --callgrind-out-file=/dev/null "$@" 2>&1 > /dev/null |
        sed -n 's/.*refs: *//p' | tr -d ','
}
echo
echo "== instructions inside one encode call (callgrind), first 300 kB of each file; quicktok for x86-64-v3"
printf '%-12s %-13s %14s %14s %14s\n' encoding file tokd quicktok quicktok/tokd
for enc in cl100k_base o200k_base; do
    for f in $names; do
        head -c 300000 "$out/$f.txt" > "$out/ir_$f.txt"
        a=$(ir tokd_encode "$tokd" encode -t "$enc" --disallowed-special none "$out/ir_$f.txt")
        b=$(ir qt_encode "$qt-v3" --ids "$src/data" "$enc" "$out/ir_$f.txt")
        echo "$enc $f $a $b" | awk '{ printf "%-12s %-13s %14d %14d %13.3f\n", $1, $2, $3, $4, $4 / $3 }'
    done
done
