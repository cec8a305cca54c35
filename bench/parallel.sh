#!/bin/sh
# bench/parallel.sh [BUILD_DIR] - one 8 MB text encoded and counted on 2
# threads against 1 (tokd_limits.max_threads, `tokd bench -j 2`).
# shellcheck disable=SC2086 # lists are split on purpose
#
# The text is bench/make_corpus.sh's english.txt repeated to 8 MB (and
# code.txt likewise). ROUNDS rounds (default 5) of `tokd bench -j 2`, which
# times one thread and then two in the same process (each the best of >= 3
# runs and 0.5 s); the best of all rounds of each is reported with their
# ratio, and the median of the per-round ratios. On a shared machine two
# threads only run at once when two cores are free, so the wall clock
# understates the speed-up; with valgrind, the instructions per thread of
# `tokd count` (callgrind --separate-threads, minus a one-line run's
# start-up) give the load-free bound: one thread's work over the larger
# thread's share of the two-thread call.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
tokd=$build/tokd
out=$here/out
rounds=${ROUNDS:-5}
sh "$here/make_corpus.sh" "$out" > /dev/null
for f in english code; do
    : > "$out/${f}8.txt"
    for _ in 1 2 3 4 5 6 7 8; do cat "$out/$f.txt" >> "$out/${f}8.txt"; done
done
files="$out/english8.txt $out/code8.txt"
encs="cl100k_base o200k_base llama3"

: > "$out/parallel_rounds.txt"
for r in $(seq "$rounds"); do
    for enc in $encs; do
        "$tokd" bench -t "$enc" -j 2 $files | awk -v enc="$enc" '
            NF == 8 && $2 ~ /^[0-9]+$/ { file = $1; one = $4; cone = $6 }
            /threads=2/ { print enc, file, one, $3, cone, $7 }' >> "$out/parallel_rounds.txt"
    done
    echo "round $r of $rounds done" >&2
done

echo "tokenizer file | 1 thread encode MB/s | 2 threads | ratio | median round ratio | 1 thread count MB/s | 2 threads | ratio"
awk '{ k = $1 " " $2; n = split($2, p, "/"); name[k] = $1 " " p[n]
       if ($3 > e1[k]) e1[k] = $3; if ($4 > e2[k]) e2[k] = $4
       if ($5 > c1[k]) c1[k] = $5; if ($6 > c2[k]) c2[k] = $6
       r[k] = r[k] " " $4 / $3 }
     END { for (k in e1) { m = split(r[k], v, " "); for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
               if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
           printf "%s | %.1f | %.1f | %.2fx | %.2fx | %.1f | %.1f | %.2fx\n", name[k], e1[k], e2[k], e2[k] / e1[k],
                  v[int((m + 1) / 2)], c1[k], c2[k], c2[k] / c1[k] } }' "$out/parallel_rounds.txt" | sort

command -v valgrind > /dev/null || { echo "(no valgrind: instruction counts skipped)"; exit 0; }
echo "one line" > "$out/one_line.txt"
instr() { # instr THREADS FILE: the instructions of each thread, one per line
    rm -f "$out"/cg.par*
    valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$out/cg.par" \
        "$tokd" count -t cl100k_base -j "$1" "$2" > /dev/null 2>&1
    for f in "$out"/cg.par*; do sed -n 's/^summary: //p; s/^totals: //p' "$f" | head -1; done
}
base=$(instr 1 "$out/one_line.txt" | head -1)
one=$(instr 1 "$out/english8.txt" | head -1)
instr 2 "$out/english8.txt" > "$out/cg_threads.txt"
awk -v base="$base" -v one="$one" '
    NR == 1 { main = $1 - base } NR > 1 && $1 > helper { helper = $1 }
    END { work = one - base; most = main > helper ? main : helper
          printf "cl100k_base english8 count, instructions: 1 thread %d; 2 threads: calling thread %d, helper %d; bound %.2fx\n",
                 work, main, helper, work / most }' "$out/cg_threads.txt"
