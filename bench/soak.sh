#!/bin/bash
# bench/soak.sh [BUILD_DIR] [MINUTES] - a bounded soak of tokd serve: find
# the maximum rate of POST /v1/count (1 kB of English, cl100k_base) with wrk
# (1 thread, 32 connections, 10 s), then hold about 80% of it for MINUTES
# (default 10) with paced connections, in 30 s segments, printing each
# segment's throughput, p50/p99 latency and the server's resident memory.
# Pacing: wrk's Lua delay() (whole milliseconds) per connection, calibrated
# on 5 s runs. Loopback only; every run bounded. Needs wrk.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
minutes=${2:-10}
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
command -v wrk > /dev/null || { echo "bench/soak.sh needs wrk (apt-get install wrk)"; exit 2; }
source "$here/lib.sh"
start_tokd --log-requests false
pid=${pids[0]}
url=http://127.0.0.1:$port/v1/count
text=$(head -c 1000 /usr/share/common-licenses/GPL-3)
jq -nc --arg t "$text" '{text: $t, tokenizer: "cl100k_base"}' > "$tmp/body.json"
script() { wrk_post "$tmp/post.lua" "$tmp/body.json" "$@"; }
rss() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status"; }
rate() { awk '/Requests\/sec/ { printf "%d", $2 }' "$1"; }

script
wrk -t1 -c32 -d10s --latency -s "$tmp/post.lua" "$url" > "$tmp/max.wrk"
max=$(rate "$tmp/max.wrk")
target=$((max * 8 / 10))
echo "maximum: $max req/s (wrk 1 thread, 32 connections, 10 s); target: $target req/s (80%)"
conns=128
best=1
for d in 1 2 3 4 6 8; do # the smallest delay that stays at or under the target
    script $d
    wrk -t1 -c$conns -d5s -s "$tmp/post.lua" "$url" > "$tmp/cal.wrk"
    r=$(rate "$tmp/cal.wrk")
    echo "calibration: $conns connections, delay ${d} ms: $r req/s"
    best=$d
    [ "$r" -le "$target" ] && break
done
script $best
echo "soak: $minutes min, $conns connections paced at ${best} ms; resident memory at start $(rss) MB"
printf '%-8s %10s %10s %10s %10s %10s\n' minute req/s p50 p99 errors rss_MB
segments=$((minutes * 2))
for i in $(seq "$segments"); do
    wrk -t1 -c$conns -d30s --latency -s "$tmp/post.lua" "$url" > "$tmp/seg.wrk"
    awk -v i="$i" -v rss="$(rss)" '
        /Requests\/sec/ { r = $2 } /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
        /Socket errors|Non-2xx/ { e = e $0 }
        END { printf "%-8.1f %10d %10s %10s %10s %10s\n", i / 2, r, p50, p99, (e ? "yes" : 0), rss }' "$tmp/seg.wrk"
done
