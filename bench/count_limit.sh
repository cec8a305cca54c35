#!/bin/bash
# bench/count_limit.sh - "does it fit?" in bounded time: POST /v1/count of an
# 8 MB English text (bench/make_corpus.sh's english.txt repeated) in full,
# and with a small "limit" (libtokd's max_tokens stops the encode loop once
# passed), on tokd serve over loopback. Each request is timed RUNS times
# (default 5) with curl; prints the median seconds, the count and the ratio.
# Usage: bench/count_limit.sh [BUILD_DIR]    (needs curl, jq)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
runs=${RUNS:-5}
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
source "$here/lib.sh"

sh "$here/make_corpus.sh" "$tmp/corpus" > /dev/null
: > "$tmp/8mb.txt"
while [ "$(wc -c < "$tmp/8mb.txt")" -lt $((8 << 20)) ]; do cat "$tmp/corpus/english.txt" >> "$tmp/8mb.txt"; done
head -c $((8 << 20)) "$tmp/8mb.txt" | iconv -f utf-8 -t utf-8 -c > "$tmp/8mb.cut"
start_tokd --log-requests false --max-body-bytes $((16 << 20))

# median_time NAME BODY_FILE: prints "NAME seconds count exceeds"
median_time() {
    local times=() out
    for _ in $(seq "$runs"); do
        out=$(curl -s -o "$tmp/answer" -w '%{time_total}' -H 'Content-Type: application/json' \
            --data-binary @"$2" "http://127.0.0.1:$port/v1/count")
        times+=("$out")
    done
    printf '%-22s %8.4f s  count %s  exceeds %s\n' "$1" \
        "$(printf '%s\n' "${times[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")" \
        "$(jq .count "$tmp/answer")" "$(jq .exceeds "$tmp/answer")"
}
for limit in 0 100000 1000; do
    jq -Rsc --argjson l "$limit" '{text: ., tokenizer: "o200k_base"} + (if $l > 0 then {limit: $l} else {} end)' \
        "$tmp/8mb.cut" > "$tmp/body_$limit.json"
done
echo "8 MB text, o200k_base, median of $runs (curl time_total, includes sending the 8 MB body)"
median_time "full count" "$tmp/body_0.json" | tee "$tmp/full"
median_time "limit 100000" "$tmp/body_100000.json"
median_time "limit 1000" "$tmp/body_1000.json" | tee "$tmp/small"
awk 'NR==1 { f = $3 } NR==2 { printf "full / limit 1000: %.1fx\n", f / $3 }' "$tmp/full" "$tmp/small"
