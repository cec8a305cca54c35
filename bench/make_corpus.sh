#!/bin/sh
# make_corpus.sh OUTDIR - the benchmark inputs, built from files every Debian
# machine has, so results are reproducible without downloads:
#   english.txt  ~1 MB of English prose (the licenses in /usr/share/common-licenses)
#   code.txt     ~1 MB of C (the system headers in /usr/include)
#   multilingual.txt  tokd's multilingual test corpus, repeated to ~1 MB and
#                cut back to a whole character (valid UTF-8, as encoders are fed)
#   run_<name>_100k.txt and run_<name>_1m.txt: one repeated character (the
#   inputs that make a naive BPE quadratic), 100 kB and 1 MiB.
set -eu
out=$1
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"

fill() { # fill FILE BYTES: repeat stdin's content until FILE has BYTES bytes
    cat > "$out/.unit"
    : > "$1"
    while [ "$(wc -c < "$1")" -lt "$2" ]; do cat "$out/.unit" >> "$1"; done
    head -c "$2" "$1" > "$out/.cut" && mv "$out/.cut" "$1"
    rm -f "$out/.unit"
}

for f in GPL-3 LGPL-2.1 Apache-2.0 MPL-2.0 GFDL-1.3 Artistic; do
    cat "/usr/share/common-licenses/$f"
done | fill "$out/english.txt" 1000000
find /usr/include -maxdepth 1 -name '*.h' | sort | xargs cat | fill "$out/code.txt" 1000000
cat "$src"/tests/data/corpus/*.txt | fill "$out/multilingual.txt" 1000000
# the cut may split a character; iconv -c drops the partial one (and says so)
{ iconv -c -f UTF-8 -t UTF-8 "$out/multilingual.txt" 2> /dev/null || true; } > "$out/.cut"
mv "$out/.cut" "$out/multilingual.txt"

run() { # run NAME UNIT (UNIT has no newline)
    yes -- "$2" | tr -d '\n' | head -c 100000 > "$out/run_$1_100k.txt"
    yes -- "$2" | tr -d '\n' | head -c 1048576 > "$out/run_$1_1m.txt"
}
run letter a
run underscore _
run caret '^'
run space ' '
run digits 1234567890
run cjk 中文字
