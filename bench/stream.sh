#!/bin/sh
# bench/stream.sh [BUILD_DIR] [MB] - `tokd count` of a file much larger
# than its window (tokd_count_stream): peak resident memory and time
# against the file size, for 1 and 2 threads.
#
# The file is bench/make_corpus.sh's english.txt repeated to MB megabytes
# (default 512; written under bench/out and removed after). First the
# streamed count of an 8 MB file is checked against the count of the same
# bytes in memory (`tokd bench`'s tokens column).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
mb=${2:-512}
out=$here/out
sh "$here/make_corpus.sh" "$out" > /dev/null
big=$out/stream_big.txt
: > "$big"
i=0
while [ "$i" -lt "$mb" ]; do cat "$out/english.txt" >> "$big"; i=$((i + 1)); done
trap 'rm -f "$big"' EXIT
head -c 8000000 "$big" > "$out/stream_8mb.txt"
streamed=$("$build/tokd" count -t cl100k_base "$out/stream_8mb.txt")
whole=$("$build/tokd" bench -t cl100k_base --disallowed-special all "$out/stream_8mb.txt" | awk 'NF == 8 && $2 ~ /^[0-9]+$/ { print $3 }')
[ "$streamed" = "$whole" ] || { echo "streamed count $streamed != whole-file count $whole"; exit 1; }
echo "8 MB: streamed count $streamed = whole-file count"
size=$(wc -c < "$big")
echo "file: $size bytes"
for j in 1 2; do
    /usr/bin/time -f "%e %M" "$build/tokd" count -t cl100k_base -j "$j" "$big" > "$out/stream_count.txt" 2> "$out/stream_time.txt"
    read -r secs kb < "$out/stream_time.txt"
    echo "threads $j: count $(cat "$out/stream_count.txt"), $secs s, $(awk -v s="$size" -v t="$secs" 'BEGIN { printf "%.1f", s / 1e6 / t }') MB/s, peak RSS $(awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }') MB"
done
