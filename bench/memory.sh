#!/bin/sh
# bench/memory.sh [BUILD_DIR] - load time and resident memory of every
# bundled tokenizer, one process each: `tokd bench` on a one-line file
# reports the load time and the process's peak RSS (getrusage), which is
# the loaded tokenizer plus tokd's own few MB (gpt2 and r50k_base, the
# smallest tables, show that floor). Load times move with the machine's load.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
out=$here/out
mkdir -p "$out"
echo "Hello, world" > "$out/one_line.txt"
printf '%-14s %10s %12s\n' tokenizer load_ms peak_RSS_MB
for t in gpt2 r50k_base p50k_base p50k_edit cl100k_base o200k_base o200k_harmony llama3 mistral; do
    "$build/tokd" bench -t "$t" "$out/one_line.txt" |
        awk -v t="$t" '/^load / { printf "%-14s %10s %12s\n", t, $2, $6 }'
done
