#!/bin/bash
# bench/http_large.sh [BUILD_DIR] - small /v1/count requests while large
# ones run: does a large body on several threads starve the small ones?
#
# tokd serve (threads 2) with text_threads 1 (every text on its worker
# thread) and then 2 (a large text takes the free helper). For each: wrk
# (1 thread, 8 connections, DURATION s, default 10) POSTs ~1 kB counts
# alone, then again while a loop POSTs a 4 MB English count one after
# another (curl, one at a time); printed: the small requests' requests/s
# and p50/p99, and the large requests' mean time. Loopback only, bounded.
# Usage: bench/http_large.sh [BUILD_DIR]    (needs wrk, jq, curl)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
duration=${DURATION:-10}
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
source "$here/lib.sh"
sh "$here/make_corpus.sh" "$here/out" > /dev/null
text=$(head -c 1000 /usr/share/common-licenses/GPL-3 | tr -d '\000')
jq -nc --arg t "$text" '{text: $t, tokenizer: "cl100k_base"}' > "$tmp/small.json"
{ cat "$here/out/english.txt" "$here/out/english.txt" "$here/out/english.txt" "$here/out/english.txt"; } |
    jq -Rsc '{text: ., tokenizer: "cl100k_base"}' > "$tmp/large.json"
wrk_post "$tmp/post.lua" "$tmp/small.json"

large_loop() { # POST the large body until killed; one line of seconds per answer
    while :; do
        curl -s -o /dev/null -w '%{time_total}\n' -H 'Content-Type: application/json' \
            --data-binary @"$tmp/large.json" "http://127.0.0.1:$port/v1/count"
    done
}
small() { # small NAME: wrk line: name rps p50 p99
    wrk -t1 -c8 -d"${duration}s" --latency -s "$tmp/post.lua" "http://127.0.0.1:$port/v1/count" > "$tmp/w"
    awk -v name="$1" '/Requests\/sec/ { rps = $2 } /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
        END { printf "%-34s %10.0f %10s %10s", name, rps, p50, p99 }' "$tmp/w"
}

printf '%-34s %10s %10s %10s %s\n' "case" "small rps" "p50" "p99" "large count, mean s"
for tt in 1 2; do
    start_tokd --threads 2 --text-threads "$tt" --log-requests false --max-body-bytes 16777216
    small "text_threads $tt, small alone"; echo
    large_loop > "$tmp/large.txt" &
    loop=$!
    sleep 1
    small "text_threads $tt, with 4 MB counts"
    kill "$loop"; wait "$loop" 2>/dev/null || true
    awk '{ s += $1; n++ } END { printf " %10.3f (%d)\n", n ? s / n : 0, n }' "$tmp/large.txt"
    kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
done
