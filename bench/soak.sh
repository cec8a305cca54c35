#!/bin/bash
# bench/soak.sh [BUILD_DIR] [MINUTES] - a bounded soak of tokd serve: find
# the maximum rate of POST /v1/count (1 kB of English, cl100k_base) with wrk
# (1 thread, 32 connections, 10 s), then hold about 80% of it for MINUTES
# (default 10) with paced connections, in 30 s segments, printing each
# segment's throughput, p50/p99 latency and the server's resident memory.
# MAX_RATE=N takes the maximum from bench/http.sh instead of measuring it.
# Pacing: each connection pauses 4 ms between requests (wrk's Lua delay());
# the number of connections is calibrated on 5 s runs to hit the target.
# Loopback only; every run bounded. Needs wrk.
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

if [ -n "${MAX_RATE:-}" ]; then
    max=$MAX_RATE
    echo "maximum: $max req/s (given: MAX_RATE, e.g. from bench/http.sh)"
else
    script
    wrk -t1 -c32 -d10s --latency -s "$tmp/post.lua" "$url" > "$tmp/max.wrk"
    max=$(rate "$tmp/max.wrk")
    echo "maximum: $max req/s (wrk 1 thread, 32 connections, 10 s)"
fi
target=$((max * 8 / 10))
echo "target: $target req/s (80%)"
best=4
conns=$((target * 5 / 1000)) # each connection: one request per ~(4 ms pause + ~1 ms answer)
script $best
for _ in 1 2 3; do # adjust the number of paced connections to the target
    wrk -t1 -c$conns -d5s -s "$tmp/post.lua" "$url" > "$tmp/cal.wrk"
    r=$(rate "$tmp/cal.wrk")
    echo "calibration: $conns connections paced at $best ms: $r req/s"
    conns=$(( (conns * target + r / 2) / (r > 0 ? r : 1) ))
    conns=$(( conns < 8 ? 8 : conns > 1000 ? 1000 : conns ))
done
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
