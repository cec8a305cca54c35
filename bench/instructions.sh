#!/bin/sh
# bench/instructions.sh BUILD [OTHER_BUILD] - instructions executed inside one
# tokd_encode_bounded call (callgrind, --toggle-collect; every encode goes
# through it, the CLI's own since it takes -j, which is set to 1 here so one
# thread does all the work) on the first 300 kB of each bench corpus file,
# for cl100k_base, o200k_base, llama3 and mistral.
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
    one_thread=
    "$1/tokd" encode --help 2>&1 | grep -q -- --threads && one_thread='-j 1'
    # shellcheck disable=SC2086 # an empty $one_thread adds no argument
    valgrind --tool=callgrind --toggle-collect=tokd_encode_bounded --callgrind-out-file=/dev/null \
        "$1/tokd" encode $one_thread -t "$2" "$3" 2>&1 >/dev/null | sed -n 's/.*refs: *//p' | tr -d ','
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
