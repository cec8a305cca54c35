#!/bin/bash
# bench/embed.sh - /v1/embeddings for 512 ids at dim 768, and
# /v1/embeddings/similar over a 100,277 x 768 table (cl100k_base), through
# the real tokd serve on loopback: requests/s and latency percentiles with
# wrk (1 thread, 4 connections, 5 s each), and the server's resident memory.
# The table is made once by `tokd embed init` (F32, 308 MB; BF16, 154 MB).
# Then one similarity search alone, with bench_similar (no HTTP).
# Usage: bench/embed.sh [BUILD_DIR]   (needs wrk)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
out=$here/out/embed
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
command -v wrk >/dev/null || { echo "bench/embed.sh needs wrk (apt-get install wrk)"; exit 2; }
mkdir -p "$out"
for dtype in f32 bf16; do
    [ -s "$out/cl100k-768-$dtype.safetensors" ] ||
        "$build/tokd" embed init --tokenizer cl100k_base --dim 768 --context 1024 --seed 1 --dtype $dtype \
            -o "$out/cl100k-768-$dtype.safetensors" > /dev/null
done
cat > "$tmp/config.json" <<JSON
{"log_requests": false, "embeddings": {
  "f32": {"file": "$out/cl100k-768-f32.safetensors", "tensor": "wte.weight", "positional_tensor": "wpe.weight", "tokenizer": "cl100k_base"},
  "bf16": {"file": "$out/cl100k-768-bf16.safetensors", "tensor": "wte.weight", "positional_tensor": "wpe.weight", "tokenizer": "cl100k_base"}}}
JSON
source "$here/lib.sh"
start_tokd --config "$tmp/config.json"
pid=${pids[0]}
ids=$(seq -s, 1000 1511)
run() { # NAME PATH BODY
    printf '%s' "$3" > "$tmp/body.json"
    wrk_post "$tmp/post.lua" "$tmp/body.json"
    bytes=$(curl -s -o "$tmp/answer" -w '%{size_download}' -H 'Content-Type: application/json' --data-binary @"$tmp/body.json" \
        "http://127.0.0.1:$port$2")
    wrk -t1 -c4 -d5s --latency -s "$tmp/post.lua" "http://127.0.0.1:$port$2" > "$tmp/wrk"
    awk -v n="$1" -v b="$bytes" '/Requests\/sec/ { r = $2 } /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
        END { printf "%-34s %9.1f req/s  p50 %9s  p99 %9s  answer %8d bytes\n", n, r, p50, p99, b }' "$tmp/wrk"
}
echo "tokd serve, 2 worker threads; wrk 1 thread, 4 connections, 5 s"
run "embeddings 512 ids x 768 F32" /v1/embeddings "{\"table\":\"f32\",\"ids\":[$ids]}"
run "embeddings 512 ids x 768 BF16" /v1/embeddings "{\"table\":\"bf16\",\"ids\":[$ids]}"
run "embeddings 512, positional, mean" /v1/embeddings "{\"table\":\"f32\",\"ids\":[$ids],\"positional\":true,\"pooling\":\"mean\"}"
run "similar k=10, 100277 x 768 F32" /v1/embeddings/similar '{"table":"f32","id":1917,"k":10}'
run "similar k=10, 100277 x 768 BF16" /v1/embeddings/similar '{"table":"bf16","id":1917,"k":10}'
echo "server resident memory: $(awk '/VmRSS/ { print $2 / 1024 " MB" }' /proc/$pid/status) (tables are mapped: pages touched count)"
echo "one search alone (build/bench/bench_similar, best of 5):"
for dtype in f32 bf16; do "$build/bench/bench_similar" "$out/cl100k-768-$dtype.safetensors" | tail -1; done
