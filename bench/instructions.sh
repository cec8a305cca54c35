#!/bin/sh
# bench/instructions.sh BUILD [OTHER_BUILD] - instructions executed inside one
# tokd_encode call (callgrind, --toggle-collect) on the first 300 kB of each
# bench corpus file, for cl100k_base, o200k_base, llama3 and mistral.
# Unlike wall-clock MB/s, the count does not move with the load of a shared
# machine, so two builds (say, before and after a change) compare exactly;
# with OTHER_BUILD the last column is OTHER / BUILD. Needs valgrind.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
a=$(cd "$1" && pwd)
b=${2:+$(cd "$2" && pwd)}
out=$here/out
sh "$here/make_corpus.sh" "$out"
ir() { # BUILD TOKENIZER FILE
    valgrind --tool=callgrind --toggle-collect=tokd_encode --callgrind-out-file=/dev/null \
        "$1/tokd" encode -t "$2" "$3" 2>&1 >/dev/null | sed -n 's/.*refs: *//p' | tr -d ','
}
printf '%-12s %-13s %14s %14s %8s\n' tokenizer file instructions other ratio
for t in cl100k_base o200k_base llama3 mistral; do
    for f in english code multilingual; do
        head -c 300000 "$out/$f.txt" > "$out/ir_$f.txt"
        x=$(ir "$a" "$t" "$out/ir_$f.txt")
        y=${b:+$(ir "$b" "$t" "$out/ir_$f.txt")}
        echo "$t $f $x ${y:-0}" | awk '{ printf "%-12s %-13s %14d %14d %8s\n", $1, $2, $3, $4, $4 ? sprintf("%.3f", $4 / $3) : "-" }'
    done
done
