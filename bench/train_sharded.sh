#!/bin/bash
# bench/train_sharded.sh - sharded training against one run on the same
# corpus, and the memory counting takes per GB of corpus (bench/train.sh
# runs it last; it runs alone too).
#
# Corpus: C headers and Python sources of this machine (/usr/include,
# /usr/lib/python3*), sorted, made valid UTF-8, cut to 32, 64 and 128 MB:
# real text with a growing set of distinct pieces, unlike a repeated file.
# Sharded: `tokd train count --shard K/4` for K = 0..3 one after the other
# (pods would run them at once: the wall time there is the slowest shard
# plus the merge), then `tokd train --from-counts`; its rank file must be
# byte-identical to the single run's. Peak memory is the process's
# maximum resident set (GNU time). All on 2 threads, vocab 30000.
# Usage: bench/train_sharded.sh [BUILD_DIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
out=$here/out/train_sharded
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v /usr/bin/time > /dev/null || { echo "bench/train_sharded.sh needs GNU time (apt-get install time)"; exit 2; }
mkdir -p "$out"
if [ ! -s "$out/c128.txt" ]; then
    find /usr/include /usr/lib/python3* -type f \( -name '*.h' -o -name '*.py' \) | LC_ALL=C sort | xargs cat |
        iconv -f UTF-8 -t UTF-8 -c | head -c 134217728 > "$out/c128.txt"
    head -c 33554432 "$out/c128.txt" | iconv -f UTF-8 -t UTF-8 -c > "$out/c32.txt"
    head -c 67108864 "$out/c128.txt" | iconv -f UTF-8 -t UTF-8 -c > "$out/c64.txt"
fi
tokd=$build/tokd
# run NAME CMD...: one line of seconds and peak MB
run() {
    local name=$1
    shift
    /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" > "$tmp/last.out" 2> /dev/null
    awk -v n="$name" '{ printf "%-34s %8.2f s %8.0f MB\n", n, $1, $2 / 1024 }' "$tmp/time"
}
secs() { cut -d' ' -f1 "$tmp/time"; }

echo "== sharded vs single: $(wc -c < "$out/c128.txt") bytes, vocab 30000, 2 threads"
run "tokd train (one run)" "$tokd" train --corpus "$out/c128.txt" --vocab-size 30000 --threads 2 -o "$tmp/single/t"
single=$(secs)
slowest=0
total=0
for k in 0 1 2 3; do
    run "tokd train count --shard $k/4" "$tokd" train count --shard $k/4 --threads 2 -o "$tmp/s$k.counts" "$out/c128.txt"
    total=$(echo "$total + $(secs)" | bc)
    slowest=$(echo "if ($(secs) > $slowest) $(secs) else $slowest" | bc)
done
run "tokd train --from-counts (merge)" "$tokd" train --from-counts "$tmp"/s?.counts --vocab-size 30000 --threads 2 \
    -o "$tmp/sharded/t"
merge=$(secs)
cmp -s "$tmp/single/t/t.tiktoken" "$tmp/sharded/t/t.tiktoken" && same=byte-identical || same=DIFFERENT
echo "counts files: $(du -cb "$tmp"/s?.counts | tail -1 | cut -f1) bytes in all; rank files $same"
echo "4 shards in sequence: $(echo "$total + $merge" | bc) s; in parallel (slowest shard + merge): $(echo "$slowest + $merge" | bc) s; one run: $single s"

echo
echo "== memory of counting per GB of corpus (tokd train count, 2 threads)"
for n in 32 64 128; do
    run "count ${n} MB" "$tokd" train count --threads 2 -o "$tmp/c$n.counts" "$out/c$n.txt"
    echo "    $(grep -o '[0-9]* distinct ([0-9.]* MB in memory)' "$tmp/last.out")"
done
