#!/bin/bash
# bench/train.sh - BPE training speed, memory and compression: tokd train
# against Hugging Face tokenizers' trainer and sentencepiece's spm_train, on
# the same ~21 MB of English, all at vocab 30000 on 2 threads; then the
# latency of tokd serve while a training job runs, against idle; then
# bench/train_sharded.sh (sharded counting + merge against one run on the
# same corpus, and counting's memory per GB of corpus).
#
# Corpus: the Debian changelogs and docs in /usr/share/doc (*.gz, sorted),
# made valid UTF-8; the first 21 MB train, the last 2 MB are held out and
# every result is measured on them (bytes per token, higher is better).
# Peak memory is the process's maximum resident set (GNU time).
# Usage: bench/train.sh [BUILD_DIR]   (needs node, npm, wrk, sentencepiece)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
out=$here/out/train
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
for tool in wrk spm_train /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "bench/train.sh needs $tool (apt-get install wrk sentencepiece time)"; exit 2; }
done
[ -d "$here/node_modules/@anush008/tokenizers" ] || (cd "$here" && npm ci --no-audit --no-fund >/dev/null)

mkdir -p "$out"
if [ ! -s "$out/train.txt" ]; then
    find /usr/share/doc -name '*.gz' | LC_ALL=C sort | xargs zcat 2>/dev/null | head -c 23000000 > "$out/all.txt"
    node -e "
        const fs = require('fs'), b = Buffer.from(fs.readFileSync('$out/all.txt').toString('utf8'));
        fs.writeFileSync('$out/train.txt', Buffer.from(b.subarray(0, 21000000).toString('utf8')));
        fs.writeFileSync('$out/heldout.txt', Buffer.from(b.subarray(b.length - 2000000).toString('utf8')));"
    rm "$out/all.txt"
fi
held=$(wc -c < "$out/heldout.txt")
echo "corpus: $(wc -c < "$out/train.txt") bytes to train on, $held held out"
printf '%-22s %10s %10s %12s %14s\n' trainer seconds peak_MB heldout_tok bytes/token

# row NAME SECONDS TIMEFILE TOKENS
row() {
    awk -v n="$1" -v s="$2" -v t="$4" -v b="$held" '{ printf "%-22s %10.2f %10.0f %12d %14.4f\n", n, s, $2 / 1024, t, b / t }' "$3"
}

/usr/bin/time -f "%e %M" -o "$tmp/tokd.time" "$build/tokd" train --corpus "$out/train.txt" --vocab-size 30000 \
    --threads 2 -o "$tmp/tokd30k" > "$tmp/tokd.out" 2>/dev/null
row "tokd train" "$(cut -d' ' -f1 "$tmp/tokd.time")" "$tmp/tokd.time" "$("$build/tokd" count -t "$tmp/tokd30k" "$out/heldout.txt")"

(cd "$here" && RAYON_NUM_THREADS=2 /usr/bin/time -f "%e %M" -o "$tmp/hf.time" node train_hf.cjs "$out/train.txt" "$out/heldout.txt") > "$tmp/hf.out"
row "HF tokenizers 0.6.0" "$(awk '{ print $2 }' "$tmp/hf.out")" "$tmp/hf.time" "$(awk '{ print $4 }' "$tmp/hf.out")"

/usr/bin/time -f "%e %M" -o "$tmp/spm.time" spm_train --input="$out/train.txt" --model_prefix="$tmp/spm" \
    --vocab_size=30000 --model_type=bpe --num_threads=2 --minloglevel=2 > /dev/null 2>&1
row "spm_train --bpe" "$(cut -d' ' -f1 "$tmp/spm.time")" "$tmp/spm.time" \
    "$(spm_encode --model="$tmp/spm.model" --output_format=id < "$out/heldout.txt" | wc -w)"
echo "(HF's trainer time is train() alone; tokd and spm are whole processes. spm normalises text and"
echo " splits on whitespace only, so its bytes/token is not the same measure of a GPT-2-style tokenizer.)"

# ---- serving latency while a job trains
token=bench-admin-token-0123456789
mkdir -p "$tmp/corpus" && ln -s "$out/train.txt" "$tmp/corpus/train.txt"
source "$here/lib.sh"
export TOKD_ADMIN_TOKEN=$token
start_tokd --log-requests false --tokenizer-dir "$tmp/tok" --corpus-dir "$out"
text=$(head -c 1000 /usr/share/common-licenses/GPL-3)
jq -nc --arg t "$text" '{text: $t, tokenizer: "cl100k_base"}' > "$tmp/body.json"
wrk_post "$tmp/post.lua" "$tmp/body.json"
latency() { # NAME: 5 s of wrk, one line
    wrk -t1 -c32 -d5s --latency -s "$tmp/post.lua" "http://127.0.0.1:$port/v1/count" > "$tmp/$1.wrk"
    awk -v name="$1" '/Requests\/sec/ { rps = $2 } /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
        END { printf "%-22s %10.0f req/s   p50 %8s   p99 %8s\n", name, rps, p50, p99 }' "$tmp/$1.wrk"
}
echo
echo "POST /v1/count (1 kB, cl100k_base), wrk 1 thread 32 connections, 5 s each:"
latency idle
curl -s -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"name":"busy","path":"train.txt","vocab_size":1000000,"min_frequency":1}' "http://127.0.0.1:$port/admin/v1/train"
for _ in $(seq 200); do
    phase=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/admin/v1/jobs/1" | jq -r .job.phase)
    [ "$phase" = merging ] && break
    sleep 0.05
done
latency during_training
state=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/admin/v1/jobs/1" | jq -r '.job.state + " " + (.job.progress.merges_done | tostring)')
echo "(the job was still ${state% *} after the run, ${state#* } merges done)"
curl -s -o /dev/null -X DELETE -H "Authorization: Bearer $token" "http://127.0.0.1:$port/admin/v1/jobs/1"

echo
"$here/train_sharded.sh" "$build"
