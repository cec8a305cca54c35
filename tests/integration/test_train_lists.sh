#!/bin/bash
# test_train_lists.sh - training jobs on lists of files: POST /admin/v1/train
# with "paths" (corpus files, plain or JSON Lines) and "counts" (counts
# files from `tokd train count`), confined to corpus_dir like "path".
# A job on shards' counts plus a corpus file serves the tokenizer
# `tokd train` makes from all the files at once; every new field is
# validated; a bad counts file fails its job naming the file.
# Usage: test_train_lists.sh PATH/TO/tokd. Prints "N passed, N failed".
set -u
TOKD=$1
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"

export TOKD_ADMIN_TOKEN=test-admin-token-0123456789
CURL_HEADERS=(-H "Authorization: Bearer $TOKD_ADMIN_TOKEN")
corpus=$tmp/corpus
mkdir -p "$corpus/shards"
data="$HERE/../data/corpus"
cp "$data/english.txt" "$data/code_c.txt" "$data/spanish.txt" "$data/chinese.txt" "$corpus/"
ln -s /etc/passwd "$corpus/escape.txt"
for k in 0 1 2; do
    "$TOKD" train count --shard $k/3 -o "$corpus/shards/$k.counts" "$corpus/english.txt" "$corpus/code_c.txt" \
        "$corpus/spanish.txt" > /dev/null
done
printf 'TOKDCNTS\001\000\000\000' > "$corpus/bad.counts"
printf '{"text":"low lower lowest"}\nnot json\n{"text":"newer newest"}\n' > "$corpus/c.jsonl"
"$TOKD" train --corpus "$corpus/english.txt" "$corpus/code_c.txt" "$corpus/spanish.txt" "$corpus/chinese.txt" \
    --vocab-size 500 --min-frequency 1 --special-token '<|end|>' -o "$tmp/cli/all" > /dev/null 2>&1
want_sha=$(sha256sum < "$tmp/cli/all/all.tiktoken" | cut -d' ' -f1)

start_server lists --log-requests false --tokenizer-dir "$tmp/tok" --corpus-dir "$corpus" || exit 1
wait_job() { poll 1200 "/admin/v1/jobs/$1" .job.state "$2"; }

post "counts and paths accepted" /admin/v1/train '{"name":"all","vocab_size":500,"min_frequency":1,
    "special_tokens":["<|end|>"],"counts":["shards/2.counts","shards/0.counts","shards/1.counts"],
    "paths":["chinese.txt"]}' 202 '[.job.id, .job.options.corpus]' \
    '[1,{"paths":["chinese.txt"],"counts":["shards/2.counts","shards/0.counts","shards/1.counts"]}]'
wait_job 1 succeeded && ok "job 1 succeeded" || bad "job 1 succeeded" "$(cat "$tmp/body")"
expect "job 1 result: what tokd train makes of all the files" 200 '[.job.result.sha256, .job.progress.fraction]' \
    "[\"$want_sha\",1]"
call GET /v1/tokenizers
expect "served" 200 '[.tokenizers[] | select(.name == "all") | .sha256][0]' "\"$want_sha\""
[ -s "$tmp/tok/all/all.tokenizer.json" ] && ok "a tokenizer.json beside it" || bad "a tokenizer.json beside it" ""

post "JSON Lines accepted" /admin/v1/train '{"name":"jl","vocab_size":280,"min_frequency":1,"paths":["c.jsonl"],
    "jsonl_field":"text","min_piece_count":1}' 202 '.job.options.corpus' '{"paths":["c.jsonl"],"counts":[],"jsonl_field":"text"}'
wait_job 2 succeeded && ok "JSON Lines job succeeded" || bad "JSON Lines job succeeded" "$(cat "$tmp/body")"

post "a bad counts file is accepted (read by the job)" /admin/v1/train \
    '{"name":"bad","vocab_size":300,"counts":["bad.counts"]}' 202 .job.id 3
wait_job 3 failed && ok "and fails its job" || bad "and fails its job" "$(cat "$tmp/body")"
expect "naming the file and the problem" 200 .job.error '"bad.counts is truncated (12 bytes) in the header"'

error "paths leaving corpus_dir" /admin/v1/train '{"name":"x","vocab_size":300,"paths":["english.txt","../x"]}' \
    400 invalid_value '"paths[1]"'
error "a symbolic link in paths" /admin/v1/train '{"name":"x","vocab_size":300,"paths":["escape.txt"]}' \
    400 invalid_value '"paths[0]"'
error "a missing counts file" /admin/v1/train '{"name":"x","vocab_size":300,"counts":["none.counts"]}' \
    400 invalid_value '"counts[0]"'
error "paths not a list" /admin/v1/train '{"name":"x","vocab_size":300,"paths":"english.txt"}' 400 invalid_type '"paths"'
error "an empty list" /admin/v1/train '{"name":"x","vocab_size":300,"counts":[]}' 400 invalid_type '"counts"'
error "a name that is not a string" /admin/v1/train '{"name":"x","vocab_size":300,"paths":[1]}' 400 invalid_type '"paths[0]"'
error "paths and text" /admin/v1/train '{"name":"x","vocab_size":300,"paths":["english.txt"],"text":"a"}' \
    400 invalid_request '"text"'
error "jsonl_field without paths" /admin/v1/train '{"name":"x","vocab_size":300,"text":"a","jsonl_field":"t"}' \
    400 invalid_request '"jsonl_field"'
error "jsonl_field empty" /admin/v1/train '{"name":"x","vocab_size":300,"paths":["c.jsonl"],"jsonl_field":""}' \
    400 invalid_type '"jsonl_field"'
error "min_piece_count 0" /admin/v1/train '{"name":"x","vocab_size":300,"paths":["c.jsonl"],"min_piece_count":0}' \
    400 invalid_value '"min_piece_count"'
stop "$PID"
start_server small --log-requests false --tokenizer-dir "$tmp/tok2" --corpus-dir "$corpus" --max-train-bytes 1500 ||
    exit 1
error "the files' bytes count against max_train_bytes" /admin/v1/train \
    '{"name":"x","vocab_size":300,"paths":["english.txt","code_c.txt"]}' 413 too_large '"paths"'
stop "$PID"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
