#!/bin/bash
# bench/http.sh - requests/s and latency of tokd serve against a minimal
# Node.js http + npm tiktoken server doing the same count, in one run.
#
# wrk (Debian package) with 1 thread and 32 connections for 10 s per target,
# POSTing ~1 kB of English; tokd gets the other core. Prints requests/s,
# p50/p90/p99 latency and the ratio. Loopback only; every run is bounded.
# Usage: bench/http.sh [BUILD_DIR]    (needs wrk, node, npm)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
duration=${DURATION:-10}
conns=${CONNECTIONS:-32}
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
command -v wrk >/dev/null || { echo "bench/http.sh needs wrk (apt-get install wrk)"; exit 2; }
[ -d "$here/node_modules/tiktoken" ] || (cd "$here" && npm ci --no-audit --no-fund >/dev/null)

text=$(head -c 1000 /usr/share/common-licenses/GPL-3 | tr -d '\000')
jq -nc --arg t "$text" '{text: $t, tokenizer: "cl100k_base"}' > "$tmp/body.json"
source "$here/lib.sh"
wrk_post "$tmp/post.lua" "$tmp/body.json"
start_tokd --log-requests false
node_port=$((port + 1))
(cd "$here" && exec node node_count_server.cjs "$node_port" > "$tmp/node.out" 2>&1) &
pids+=($!)
for _ in $(seq 100); do grep -q listening "$tmp/node.out" 2>/dev/null && break; sleep 0.05; done

# run NAME URL: wrk, then one line: name rps p50 p90 p99
run() {
    wrk -t1 -c"$conns" -d"${duration}s" --latency -s "$tmp/post.lua" "$2" > "$tmp/$1.wrk"
    awk -v name="$1" '
        /Requests\/sec/ { rps = $2 }
        /^ +50%/ { p50 = $2 } /^ +90%/ { p90 = $2 } /^ +99%/ { p99 = $2 }
        /Non-2xx/ { errors = $NF }
        END { printf "%-22s %12.0f %10s %10s %10s %s\n", name, rps, p50, p90, p99, (errors ? "non-2xx: " errors : "") }' "$tmp/$1.wrk"
}

echo "machine: $(nproc) cores; wrk -t1 -c$conns -d${duration}s; body $(wc -c < "$tmp/body.json") bytes of English JSON"
printf '%-22s %12s %10s %10s %10s\n' target requests/s p50 p90 p99
run tokd_count "http://127.0.0.1:$port/v1/count" | tee "$tmp/a"
run tokd_encode "http://127.0.0.1:$port/v1/encode" | tee "$tmp/b"
run node_tiktoken_count "http://127.0.0.1:$node_port/v1/count" | tee "$tmp/c"
echo "$(awk '{ print $2 }' "$tmp/a") $(awk '{ print $2 }' "$tmp/c")" |
    awk '{ printf "tokd count / node+tiktoken count: %.1fx\n", $1 / $2 }'
