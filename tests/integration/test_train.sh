#!/bin/bash
# test_train.sh - training jobs through the admin API of a real tokd serve.
# Usage: test_train.sh PATH/TO/tokd
# Auth, every validation error, a job polled to success and its tokenizer
# served without a restart (and equal to what `tokd train` writes), overwrite,
# queue limits, cancel, a SIGKILL mid-training and the restart after it.
# Prints one line per check and "N passed, N failed" at the end.
set -u
TOKD=$1
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"

TOKEN=test-admin-token-0123456789
corpus=$tmp/corpus
mkdir -p "$corpus/sub"
cat "$HERE/../data/corpus/"*.txt > "$corpus/small.txt"
cp "$corpus/small.txt" "$corpus/sub/nested.txt"
ln -s /etc/passwd "$corpus/escape.txt"
: > "$corpus/empty.txt"
# a corpus that takes seconds to train at a large vocabulary: random words
awk 'BEGIN { srand(7); for (i = 0; i < 600000; i++) { n = 1 + int(rand() * 10); w = "";
       for (j = 0; j < n; j++) w = w sprintf("%c", 97 + int(rand() * 26));
       printf "%s%s", w, (i % 12 == 11 ? "\n" : " ") } }' > "$corpus/random.txt"
head -c 5000000 /dev/zero | tr '\0' 'a' > "$corpus/big.txt"
long='"path":"random.txt","vocab_size":1000000,"min_frequency":1'

wait_job() { poll 1200 "/admin/v1/jobs/$1" .job.state "$2"; }   # JOB STATE (60 s)
wait_phase() { poll 1200 "/admin/v1/jobs/$1" '.job.state + "/" + .job.phase' "running/$2"; } # JOB PHASE
header_is() { # NAME HEADER VALUE: the last call's response header
    if tr -d '\r' < "$tmp/headers" | grep -qix "$2: $3"; then ok "$1"; else bad "$1" "$(cat "$tmp/headers")"; fi
}

# ---- the admin API is off without a token, training is off without a directory
unset TOKD_ADMIN_TOKEN
start_server notoken --log-requests false --tokenizer-dir "$tmp/unused" || exit 1
call POST /admin/v1/train '{"name":"x","vocab_size":300,"text":"abc"}'
expect "no token configured: 403" 403 '[.error.code, (.error.message | contains("TOKD_ADMIN_TOKEN"))]' '["admin_disabled",true]'
stop "$PID"
export TOKD_ADMIN_TOKEN=$TOKEN
CURL_HEADERS=(-H "Authorization: Bearer $TOKEN")
start_server nodir --log-requests false || exit 1
call POST /admin/v1/train '{"name":"x","vocab_size":300,"text":"abc"}'
expect "no tokenizer_dir: 403" 403 '.error.code' '"training_disabled"'
stop "$PID"
unset TOKD_ADMIN_TOKEN
printf '%s\n' "file-admin-token-0123456789" > "$tmp/token"
start_server tokenfile --log-requests false --admin-token-file "$tmp/token" || exit 1
CURL_HEADERS=(-H "Authorization: Bearer file-admin-token-0123456789")
call POST /admin/v1/train '{"name":"x","vocab_size":300,"text":"abc"}'
expect "token from admin_token_file (newline trimmed)" 403 '.error.code' '"training_disabled"'
stop "$PID"
"$TOKD" serve --port 0 --admin-token-file "$tmp/none" > /dev/null 2> "$tmp/nofile.err"
[ $? = 2 ] && grep -q "admin_token_file: cannot read $tmp/none" "$tmp/nofile.err" && ok "unreadable token file stops startup" ||
    bad "unreadable token file stops startup" "$(cat "$tmp/nofile.err")"
export TOKD_ADMIN_TOKEN=$TOKEN
CURL_HEADERS=(-H "Authorization: Bearer $TOKEN")
TOKD_ADMIN_TOKEN=short "$TOKD" serve --port 0 > /dev/null 2> "$tmp/short.err"
[ $? = 2 ] && grep -q "at least 16 characters" "$tmp/short.err" && ok "short admin token refused" ||
    bad "short admin token refused" "$(cat "$tmp/short.err")"

tokdir=$tmp/tokenizers
start_server main --tokenizer-dir "$tokdir" --corpus-dir "$corpus" --train-queue 1 --max-train-bytes 4500000 || exit 1

# ---- auth
CURL_HEADERS=()
call GET /admin/v1/jobs
expect "no Authorization: 401" 401 '.error.code' '"unauthorized"'
header_is "401 says Bearer" WWW-Authenticate 'Bearer realm="tokd admin"'
CURL_HEADERS=(-H "Authorization: Bearer wrong-token-0123456789")
call GET /admin/v1/jobs
expect "wrong token: 401" 401 '.error.message' '"the bearer token is not the admin token"'
CURL_HEADERS=(-H "Authorization: Basic $TOKEN")
call GET /admin/v1/jobs
expect "not Bearer: 401" 401 '.error.code' '"unauthorized"'
CURL_HEADERS=(-H "Authorization: Bearer ${TOKEN}x")
call GET /admin/v1/jobs
expect "token with a suffix: 401" 401 '.error.code' '"unauthorized"'
CURL_HEADERS=(-H "Authorization: bearer $TOKEN")
call GET /admin/v1/jobs
expect "scheme is case-insensitive" 200 '.jobs' '[]'
if grep -q -- "$TOKEN" "$tmp/main.err" "$tmp/main.out"; then bad "token never logged" "found in the log"; else ok "token never logged"; fi

# ---- validation: every mistake is a 4xx naming its field, nothing is queued
error "missing name" /admin/v1/train '{"vocab_size":300,"text":"abc"}' 400 missing_field '"name"'
for n in '".hidden"' '"Upper"' '"a/b"' '""' '"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"' 7; do
    error "bad name $n" /admin/v1/train "{\"name\":$n,\"vocab_size\":300,\"text\":\"abc\"}" 400 invalid_value '"name"'
done
error "missing vocab_size" /admin/v1/train '{"name":"x","text":"abc"}' 400 missing_field '"vocab_size"'
error "vocab_size too small" /admin/v1/train '{"name":"x","vocab_size":256,"text":"abc"}' 400 invalid_value '"vocab_size"'
error "vocab_size too large" /admin/v1/train '{"name":"x","vocab_size":1000001,"text":"abc"}' 400 invalid_value '"vocab_size"'
error "vocab_size a string" /admin/v1/train '{"name":"x","vocab_size":"300","text":"abc"}' 400 invalid_type '"vocab_size"'
error "vocab_size too small for the specials" /admin/v1/train \
    '{"name":"x","vocab_size":257,"text":"abc","special_tokens":["<a>"]}' 400 invalid_value '"vocab_size"'
error "unknown pattern" /admin/v1/train '{"name":"x","vocab_size":300,"text":"abc","pattern":"cl200k"}' 400 invalid_value '"pattern"'
call POST /admin/v1/train '{"name":"x","vocab_size":300,"text":"abc","regex":"a(b"}'
expect "regex that does not compile" 400 '[.error.code, .error.field, .error.message]' \
    '["invalid_pattern","regex","pattern does not compile at offset 3: missing closing parenthesis"]'
error "pattern and regex" /admin/v1/train '{"name":"x","vocab_size":300,"text":"abc","pattern":"gpt2","regex":"."}' 400 invalid_request '"regex"'
error "text and path" /admin/v1/train '{"name":"x","vocab_size":300,"text":"abc","path":"small.txt"}' 400 invalid_request '"text"'
error "no corpus" /admin/v1/train '{"name":"x","vocab_size":300}' 400 missing_field '"text"'
error "text not a string" /admin/v1/train '{"name":"x","vocab_size":300,"text":["abc"]}' 400 invalid_type '"text"'
error "empty text" /admin/v1/train '{"name":"x","vocab_size":300,"text":""}' 400 invalid_value '"text"'
for p in '"/etc/passwd"' '"../corpus/small.txt"' '"sub/../../x"' '".."' '"escape.txt"' '"none.txt"' '"sub"' '"empty.txt"'; do
    error "path $p refused" /admin/v1/train "{\"name\":\"x\",\"vocab_size\":300,\"path\":$p}" 400 invalid_value '"path"'
done
call POST /admin/v1/train '{"name":"x","vocab_size":300,"path":"escape.txt"}'
expect "symlink out of the directory named" 400 .error.message \
    "\"'escape.txt' leads out of the corpus directory (a symbolic link)\""
error "corpus over max_train_bytes" /admin/v1/train '{"name":"x","vocab_size":300,"path":"big.txt"}' 413 too_large '"path"'
error "specials not an array" /admin/v1/train '{"name":"x","vocab_size":300,"text":"abc","special_tokens":"<a>"}' 400 invalid_type '"special_tokens"'
error "empty special" /admin/v1/train '{"name":"x","vocab_size":300,"text":"abc","special_tokens":[""]}' 400 invalid_value '"special_tokens"'
error "special twice" /admin/v1/train '{"name":"x","vocab_size":300,"text":"abc","special_tokens":["<a>","<a>"]}' 400 invalid_value '"special_tokens"'
error "min_frequency 0" /admin/v1/train '{"name":"x","vocab_size":300,"text":"abc","min_frequency":0}' 400 invalid_value '"min_frequency"'
error "max_token_bytes 0" /admin/v1/train '{"name":"x","vocab_size":300,"text":"abc","max_token_bytes":0}' 400 invalid_value '"max_token_bytes"'
error "overwrite not boolean" /admin/v1/train '{"name":"x","vocab_size":300,"text":"abc","overwrite":1}' 400 invalid_type '"overwrite"'
error "unknown field" /admin/v1/train '{"name":"x","vocab_size":300,"text":"abc","vocab":1}' 400 unknown_field '"vocab"'
error "built-in name" /admin/v1/train '{"name":"cl100k_base","vocab_size":300,"text":"abc","overwrite":true}' 409 name_reserved '"name"'
error "not JSON" /admin/v1/train '{"name":' 400 invalid_json null
call GET /admin/v1/jobs
expect "nothing was queued" 200 '.jobs' '[]'

# ---- a job from inline text, polled to success, served at once
text=$(jq -Rs . "$corpus/small.txt")
call POST /admin/v1/train "{\"name\":\"small\",\"vocab_size\":600,\"min_frequency\":1,\"special_tokens\":[\"<|end|>\"],\"text\":$text}"
expect "train accepted" 202 '[.job.id, .job.name, .job.state, .job.options.pattern, .job.corpus_bytes]' \
    "[1,\"small\",\"queued\",\"gpt2\",$(wc -c < "$corpus/small.txt")]"
header_is "Location of the job" Location /admin/v1/jobs/1
wait_job 1 succeeded && ok "job 1 succeeded" || bad "job 1 succeeded" "$(cat "$tmp/body")"
expect "job 1 result" 200 '[.job.result.tokenizer, .job.result.n_vocab, .job.progress.fraction, .job.error, (.job.duration_s > 0)]' \
    '["small",600,1,null,true]'
sha=$(jq -r .job.result.sha256 "$tmp/body")
"$TOKD" train --corpus "$corpus/small.txt" --vocab-size 600 --min-frequency 1 --special-token '<|end|>' \
    -o "$tmp/cli/small" > /dev/null 2>&1
[ "$(sha256sum < "$tmp/cli/small/small.tiktoken" | cut -d' ' -f1)" = "$sha" ] && ok "server and CLI train the same file" ||
    bad "server and CLI train the same file" "$sha"
cmp -s "$tmp/cli/small/small.json" "$tokdir/small/small.json" && ok "and the same metadata" || bad "and the same metadata" "differs"
call GET /v1/tokenizers
expect "served without a restart" 200 '[.tokenizers[] | select(.name == "small") | [.n_vocab, .sha256]][0]' "[600,\"$sha\"]"
want=$(printf 'Hola, ¿qué tal?<|end|>' | "$TOKD" encode -t "$tmp/cli/small" --allowed-special all | tr -d ' ')
post "encode with the trained tokenizer" /v1/encode '{"text":"Hola, ¿qué tal?<|end|>","tokenizer":"small","allowed_special":"all"}' \
    200 .ids "$want"
ids=$(jq -c .ids "$tmp/body")
post "and decode round-trips" /v1/decode "{\"ids\":$ids,\"tokenizer\":\"small\"}" 200 .text '"Hola, ¿qué tal?<|end|>"'
error "name exists" /admin/v1/train '{"name":"small","vocab_size":300,"text":"abc"}' 409 name_exists '"name"'

# ---- overwrite, from a file in the corpus directory
post "overwrite accepted" /admin/v1/train '{"name":"small","vocab_size":700,"min_frequency":1,"path":"sub/nested.txt","overwrite":true}' \
    202 '.job.id' 2
wait_job 2 succeeded && ok "overwrite succeeded" || bad "overwrite succeeded" "$(cat "$tmp/body")"
call GET /v1/tokenizers
expect "the new tokenizer replaced the old" 200 '[.tokenizers[] | select(.name == "small") | .n_vocab]' '[700]'
ls -a "$tokdir" | grep -q '^\.tmp' && bad "no temporary directory left" "$(ls -a "$tokdir")" || ok "no temporary directory left"

# ---- queue limits, cancel, serving while training
post "long job accepted" /admin/v1/train "{\"name\":\"long\",$long}" 202 '.job.state' '"queued"'
wait_phase 3 merging && ok "long job is merging" || bad "long job is merging" "$(cat "$tmp/body")"
poll 100 /admin/v1/jobs/3 '.job.progress.merges_done > 0' true
expect "progress while merging" 200 '[(.job.progress.merges_done > 0), (.job.progress.fraction > 0.2), .job.progress.bytes_done]' \
    "[true,true,$(wc -c < "$corpus/random.txt")]"
post "serving goes on during training" /v1/encode '{"text":"hello world","tokenizer":"cl100k_base"}' 200 .ids '[15339,1917]'
error "same name while training" /admin/v1/train "{\"name\":\"long\",$long,\"overwrite\":true}" 409 name_busy '"name"'
post "second job waits" /admin/v1/train "{\"name\":\"long2\",$long}" 202 '.job.state' '"queued"'
call POST /admin/v1/train "{\"name\":\"long3\",$long}"
expect "full queue: 429" 429 '.error.code' '"queue_full"'
call DELETE /admin/v1/jobs/4
expect "cancel a queued job" 200 '[.job.state, .job.phase]' '["cancelled","done"]'
call DELETE /admin/v1/jobs/3
expect "cancel a running job" 200 '[.job.state, .job.error]' '["cancelled","training was cancelled"]'
call DELETE /admin/v1/jobs/3
expect "cancel an ended job: 409" 409 '.error.code' '"job_finished"'
call DELETE /admin/v1/jobs/99
expect "cancel an unknown job: 404" 404 '.error.code' '"job_not_found"'
call GET /admin/v1/jobs/abc
expect "job id not a number: 404" 404 '.error.code' '"job_not_found"'
call PUT /admin/v1/jobs/1
expect "PUT a job: 405" 405 '.error.code' '"method_not_allowed"'
header_is "405 lists the methods" Allow "GET, DELETE"
call GET /admin/v1/jobs
expect "jobs listed" 200 '[.jobs[] | [.id, .name, .state]]' \
    '[[1,"small","succeeded"],[2,"small","succeeded"],[3,"long","cancelled"],[4,"long2","cancelled"]]'
call GET /v1/tokenizers
expect "cancelled jobs serve nothing" 200 '[.tokenizers[] | select(.name | startswith("long"))]' '[]'
# scheduling policy of every thread (field 41 of /proc/PID/task/TID/stat; 5 = SCHED_IDLE)
idle_threads() { for st in /proc/"$PID"/task/*/stat; do sed 's/.*) //' "$st" | awk '{ print $39 }'; done | grep -c '^5$'; }
[ "$(idle_threads)" = 0 ] && ok "no thread left at SCHED_IDLE after the cancel" || bad "threads left idle" "$(idle_threads)"
call GET /metrics
grep -q 'tokd_requests_total{route="/admin/v1/jobs/{id}",status="200"}' "$tmp/body" &&
    ok "admin routes in metrics" || bad "admin routes in metrics" "$(grep admin "$tmp/body" | head -3)"

# ---- SIGKILL mid-training, then a restart
post "job to kill" /admin/v1/train "{\"name\":\"killed\",$long}" 202 '.job.id' 5
# the one worker was freed by the cancels: a new job starts
wait_phase 5 merging && ok "job 5 is merging (the cancelled job freed the worker)" || bad "job 5 is merging" "$(cat "$tmp/body")"
stop "$PID" -KILL
start_server again --tokenizer-dir "$tokdir" --corpus-dir "$corpus" || exit 1
call GET /admin/v1/jobs/5
expect "killed job is interrupted" 200 '[.job.state, .job.error]' '["interrupted","the server stopped before the job finished"]'
call GET /v1/tokenizers
expect "trained tokenizers load at startup" 200 '[.tokenizers[] | select(.name == "small" or .name == "killed") | [.name, .n_vocab]]' \
    '[["small",700]]'
[ ! -e "$tokdir/killed" ] && ! ls -a "$tokdir" | grep -q '^\.tmp' && ok "no partial tokenizer anywhere" ||
    bad "no partial tokenizer anywhere" "$(ls -a "$tokdir")"
post "ids after the restart" /v1/encode '{"text":"hello world","tokenizer":"small"}' 200 '.ids | length > 0' 'true'
post "next job id goes on" /admin/v1/train '{"name":"after","vocab_size":300,"text":"abc abc abc"}' 202 '.job.id' 6
wait_job 6 succeeded && ok "job after the restart succeeded" || bad "job after the restart succeeded" "$(cat "$tmp/body")"

# ---- a replica sharing the directory serves what the first one trains
MAIN_PORT=$PORT MAIN_PID=$PID
post "long job before the replica starts" /admin/v1/train "{\"name\":\"racing\",$long}" 202 '.job.id' 7
wait_phase 7 merging
start_server replica --tokenizer-dir "$tokdir" --rescan-s 1 || exit 1
REPLICA_PORT=$PORT
jq -r .state "$tokdir/.jobs/$(hostname | tr 'A-Z' 'a-z' | tr -c 'a-z0-9.\n-' '-')/7.json" | grep -qx running &&
    ok "a starting replica leaves a live job's record alone" || bad "a starting replica leaves a live job's record alone" \
    "$(ls "$tokdir/.jobs"/*)"
PORT=$MAIN_PORT
call DELETE /admin/v1/jobs/7
post "train on the first replica" /admin/v1/train "{\"name\":\"shared\",\"vocab_size\":500,\"min_frequency\":1,\"text\":$text}" 202 '.job.id' 8
wait_job 8 succeeded || bad "job 8 succeeded" "$(cat "$tmp/body")"
post "served by the first" /v1/encode '{"text":"hello world","tokenizer":"shared"}' 200 '.count > 0' 'true'
want=$(jq -c .ids "$tmp/body")
PORT=$REPLICA_PORT
seen=
for i in $(seq 100); do
    call POST /v1/encode '{"text":"hello world","tokenizer":"shared"}'
    [ "$STATUS" = 200 ] && { seen=$i; break; }
    sleep 0.1
done
[ -n "$seen" ] && ok "the replica serves it without a restart (after ~$((seen * 100)) ms)" || bad "the replica serves it" "$(cat "$tmp/body")"
expect "with the same ids" 200 .ids "$want"
PORT=$MAIN_PORT
post "retrain it on the first replica" /admin/v1/train "{\"name\":\"shared\",\"vocab_size\":600,\"min_frequency\":1,\"overwrite\":true,\"text\":$text}" 202 '.job.id' 9
wait_job 9 succeeded || bad "job 9 succeeded" "$(cat "$tmp/body")"
PORT=$REPLICA_PORT
poll 200 /v1/tokenizers '[.tokenizers[] | select(.name == "shared") | .n_vocab][0]' 600
expect "the replica picks up the new version" 200 '[.tokenizers[] | select(.name == "shared") | .n_vocab]' '[600]'
# Files rewritten inside shared/ raise no event on the watched directory
# itself: only the periodic rescan (every second here) can notice them.
cp "$tokdir/small/small.tiktoken" "$tokdir/shared/shared.tiktoken"
cp "$tokdir/small/small.json" "$tokdir/shared/shared.json"
poll 100 /v1/tokenizers '[.tokenizers[] | select(.name == "shared") | .n_vocab][0]' 700
expect "the periodic rescan finds what no event announced" 200 '[.tokenizers[] | select(.name == "shared") | .n_vocab]' '[700]'
PORT=$MAIN_PORT PID=$MAIN_PID

# ---- SIGTERM while training: the job is interrupted, the server exits cleanly
post "job to stop" /admin/v1/train "{\"name\":\"stopped\",$long}" 202 '.job.id' 10
wait_phase 10 merging && ok "job 10 is merging" || bad "job 10 is merging" "$(cat "$tmp/body")"
kill -TERM "$PID"
wait "$PID"
rc=$?
[ "$rc" = 0 ] && ok "SIGTERM during training exits 0" || bad "SIGTERM during training exits 0" "exit $rc"
jq -r .state "$tokdir"/.jobs/*/10.json | grep -qx interrupted && ok "stopped job recorded as interrupted" ||
    bad "stopped job recorded as interrupted" "$(cat "$tokdir"/.jobs/*/10.json)"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
