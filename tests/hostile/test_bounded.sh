#!/bin/bash
# test_bounded.sh PATH/TO/tokd - every request's work is bounded (issue 13):
# answer sizes refused up front with 413, CPU budgets (a tokenizers list, a
# costly trained regex, truncation), work stopped when the client goes,
# checked arithmetic at INT64 edges, errors that stay 4xx whatever bytes the
# request holds, NUL in names. Every check is bounded in time (curl
# --max-time, polls with a fixed number of tries): a regression fails, it
# never hangs. Connections and HTTP strictness are in bounded.cjs.
set -u
TOKD=$1
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../integration/lib.sh"
unset MALLOC_PERTURB_
export TOKD_ADMIN_TOKEN=bounded-admin-token-0123456789
start_server main --max-request-ms 1500 --max-work-bytes 4000000 --max-token-details 1000 \
    --max-answer-tokens 200000 --max-answer-bytes 100000 --tokenizer-dir "$tmp/tok" || exit 1
MAIN_PORT=$PORT MAIN_PID=$PID

# post_file NAME PATH FILE STATUS JQ WANT: a body from a file (too big for argv)
post_file() {
    STATUS=$(curl -s --max-time 60 -o "$tmp/body" -w '%{http_code}' -H 'Content-Type: application/json' \
        --data-binary "@$3" "http://127.0.0.1:$PORT$2")
    expect "$1" "$4" "$5" "$6"
}
json() { python3 -c "import json; print(json.dumps($1))"; }
mentions='[.error.code, .error.field, (.error.message | test("'

# ---- answer sizes: refused before the work, naming the limit
json '{"ids": list(range(1, 100002)), "stride": 1, "max_length": 10000}' > "$tmp/win.json"
post_file "windows of 100,001 ids x 10,000: 413 before building" /v1/windows "$tmp/win.json" 413 \
    "${mentions}max_answer_tokens\"))]" '["answer_too_large","max_length",true]'
post "windows within the limit still answer" /v1/windows '{"ids":[1,2,3,4,5],"max_length":2,"stride":2}' 200 \
    '[.inputs, .targets]' '[[[1,2],[3,4]],[[2,3],[4,5]]]'
json '{"text": "hello world " * 1000, "tokenizer": "cl100k_base", "return_tokens": True}' > "$tmp/tokens.json"
post_file "tokens past max_token_details: 413" /v1/encode "$tmp/tokens.json" 413 \
    "${mentions}max_token_details\"))]" '["too_many_tokens","text",true]'
json '{"texts": ["hello world " * 5000] * 20, "tokenizer": "cl100k_base"}' > "$tmp/batch.json"
post_file "a batch past max_answer_tokens: 413 naming the text" /v1/encode "$tmp/batch.json" 413 \
    "${mentions}max_answer_tokens\"))]" '["too_many_tokens","texts[19]",true]'
post "decode within max_answer_bytes" /v1/decode '{"ids":[15339,1917],"tokenizer":"cl100k_base"}' 200 .text '"hello world"'
call POST /v1/decode "{\"ids\":$(json '[15339] * 10000'),\"tokenizer\":\"cl100k_base\"}"
expect "decode past max_answer_bytes: 413 before decoding" 413 "${mentions}max_answer_bytes\"))]" \
    '["answer_too_large","ids",true]'

# ---- CPU: a tokenizers list is deduplicated and its work bounded up front
json '{"text": "hello world", "tokenizers": ["gpt2"] * 1024}' > "$tmp/dup.json"
post_file "a tokenizer named 1,024 times is counted once" /v1/count "$tmp/dup.json" 200 .counts '{"gpt2":2}'
json '{"text": "a" * 1000000, "tokenizers": ["gpt2", "cl100k_base", "o200k_base", "r50k_base", "p50k_base", "gpt2"]}' > "$tmp/many.json"
post_file "distinct tokenizers x text bytes past max_work_bytes: 413" /v1/count "$tmp/many.json" 413 \
    "${mentions}max_work_bytes\"))]" '["too_much_work","tokenizers",true]'

# ---- a trained regex that is quadratic on "a"*n: public count stops at the budget
CURL_HEADERS=(-H "Authorization: Bearer $TOKD_ADMIN_TOKEN")
call POST /admin/v1/train '{"name":"slow","vocab_size":300,"min_frequency":1,"regex":"[^x]*x|.","text":"abxabx cdx"}'
expect "a job with a costly regex is accepted" 202 .job.state '"queued"'
poll 400 /admin/v1/jobs/1 .job.state succeeded && ok "it trains on a small corpus" || bad "it trains" "$(cat "$tmp/body")"
CURL_HEADERS=()
json '{"text": "a" * 300000, "tokenizer": "slow"}' > "$tmp/slow.json"
post_file "count with the costly regex: 413 at max_request_ms" /v1/count "$tmp/slow.json" 413 \
    "${mentions}max_request_ms\"))]" '["work_budget_exceeded",null,true]'
curl -s --max-time 0.3 -o /dev/null -H 'Content-Type: application/json' --data-binary "@$tmp/slow.json" \
    "http://127.0.0.1:$PORT/v1/count"
for _ in $(seq 100); do grep -q '"status":499' "$tmp/main.err" && break; sleep 0.05; done
grep -q '"path":"/v1/count","status":499' "$tmp/main.err" && ok "a gone client's work is stopped (logged 499)" ||
    bad "a gone client's work is stopped" "$(grep /v1/count "$tmp/main.err" | tail -3)"

# ---- the admission gate: one worker busy, nobody may wait: 429 at once.
# Its registry adds a chat model on the costly tokenizer, for the Responses
# counter's budget.
python3 - "$here/../../config/models.json" "$tmp/models.json" <<'PY'
import json, sys
reg = json.load(open(sys.argv[1]))
reg["models"]["slow-chat"] = dict(reg["models"]["gpt-4o"], tokenizer="slow")
json.dump(reg, open(sys.argv[2], "w"))
PY
start_server gate --threads 1 --max-waiting 0 --max-request-ms 4000 --tokenizer-dir "$tmp/tok" \
    --models-file "$tmp/models.json" || exit 1
json '{"model": "slow-chat", "input": "a" * 300000}' > "$tmp/responses.json"
post_file "Responses input_tokens with the costly regex: 413 at max_request_ms" /v1/responses/input_tokens \
    "$tmp/responses.json" 413 "${mentions}max_request_ms\"))]" '["work_budget_exceeded",null,true]'
curl -s --max-time 20 -o "$tmp/gate-busy" -H 'Content-Type: application/json' --data-binary "@$tmp/slow.json" \
    "http://127.0.0.1:$PORT/v1/count" &
busy=$!
# in flight: the busy request and this /metrics request itself
for _ in $(seq 100); do curl -s "http://127.0.0.1:$PORT/metrics" | grep -q '^tokd_in_flight_requests 2$' && break; sleep 0.02; done
call POST /v1/count '{"text":"hello","tokenizer":"gpt2"}'
expect "a saturated server: 429 server_busy naming max_waiting" 429 \
    '[.error.code, (.error.message | test("max_waiting"))]' '["server_busy",true]'
grep -qi '^retry-after: 1' "$tmp/headers" && ok "with Retry-After: 1" || bad "Retry-After" "$(cat "$tmp/headers")"
call GET /healthz
expect "/healthz is not gated" 200 .status '"ok"'
wait "$busy"
grep -q '"work_budget_exceeded"' "$tmp/gate-busy" && ok "the busy request ends at its own budget" ||
    bad "the busy request" "$(head -c 300 "$tmp/gate-busy")"
call POST /v1/count '{"text":"hello","tokenizer":"gpt2"}'
expect "a free worker again: 200" 200 .count 1
kill "$PID"

# ---- truncating 400 kB to the middle: cut exactly, not quadratic (this
# server's budget only bounds a hang; its speed is measured in bench/)
start_server cut --max-request-ms 60000 || exit 1
json '{"text": "ab" * 200000, "tokenizer": "cl100k_base", "context_window": 10, "truncate": "middle"}' > "$tmp/mid.json"
post_file "truncating 400 kB to the middle" /v1/context/check "$tmp/mid.json" 200 \
    '[.fits, .truncated_tokens <= 10]' '[false,true]'
kill "$PID"
PORT=$MAIN_PORT PID=$MAIN_PID

CURL_HEADERS=(-H "Authorization: Bearer $TOKD_ADMIN_TOKEN")
json '{"name": "slower", "vocab_size": 300, "regex": "[^x]*x|.", "text": "a" * 2000000}' > "$tmp/job.json"
STATUS=$(curl -s --max-time 10 -o "$tmp/body" -w '%{http_code}' "${CURL_HEADERS[@]}" -H 'Content-Type: application/json' \
    --data-binary "@$tmp/job.json" "http://127.0.0.1:$PORT/admin/v1/train")
expect "a job with the costly regex on 2 MB" 202 .job.id 2
poll 200 /admin/v1/jobs/2 .job.state running
call DELETE /admin/v1/jobs/2
expect "its cancel takes effect inside the regex scan" 200 .job.state '"cancelled"'
CURL_HEADERS=()

# ---- arithmetic at INT64 edges never overflows, never answers 5xx
call POST /v1/context/check '{"text":"hello world","tokenizer":"cl100k_base","context_window":1,"max_output_tokens":9223372036854775807}'
grep -q '"fits":false.*"overflow":9223372036854775807' "$tmp/body" && [ "$STATUS" = 200 ] &&
    ok "max_output_tokens INT64_MAX: does not fit, overflow saturated" || bad "max_output_tokens INT64_MAX" "$STATUS $(cat "$tmp/body")"
call POST /v1/context/check '{"text":"hello world","tokenizer":"cl100k_base","context_window":9223372036854775807}'
grep -q '"fits":true.*"remaining":9223372036854775805' "$tmp/body" && ok "context_window INT64_MAX fits" ||
    bad "context_window INT64_MAX" "$STATUS $(cat "$tmp/body")"
edges=(9223372036854775807 -9223372036854775808 9223372036854775806 -1 0 4294967296)
fields=('/v1/context/check {"text":"a","tokenizer":"gpt2","context_window":X}'
        '/v1/context/check {"text":"a","tokenizer":"gpt2","context_window":5,"max_output_tokens":X}'
        '/v1/windows {"ids":[1,2,3],"max_length":X}' '/v1/windows {"ids":[1,2,3],"max_length":1,"stride":X}'
        '/v1/windows {"ids":[1,2,3],"max_length":1,"max_windows":X}' '/v1/decode {"ids":[X],"tokenizer":"gpt2"}'
        '/v1/embeddings {"ids":[X]}' '/v1/embeddings/similar {"id":X}' '/v1/embeddings/similar {"id":1,"k":X}'
        '/admin/v1/train {"name":"e","text":"ab","vocab_size":X}'
        '/admin/v1/train {"name":"e","text":"ab","vocab_size":300,"min_frequency":X}'
        '/admin/v1/train {"name":"e","text":"ab","vocab_size":300,"max_token_bytes":X}')
server_errors=0
CURL_HEADERS=(-H "Authorization: Bearer $TOKD_ADMIN_TOKEN")
for f in "${fields[@]}"; do
    for x in "${edges[@]}"; do
        call POST "${f%% *}" "$(echo "${f#* }" | sed "s/X/$x/")"
        case $STATUS in 2??|4??) ;; *) server_errors=$((server_errors + 1)); echo "     $STATUS for ${f%% *} with $x";; esac
    done
done
CURL_HEADERS=()
[ $server_errors = 0 ] && ok "every numeric field at INT64 edges: 2xx or 4xx" || bad "numeric fields at INT64 edges" "$server_errors 5xx"

# ---- errors stay 4xx whatever the request holds; every request is logged
call GET '/v1/%FF'
expect "GET /v1/%FF: 404 JSON" 404 .error.code '"not_found"'
call POST /v1/count "{\"text\":\"a\",\"tokenizer\":\"$(printf 'é%.0s' $(seq 400))\"}"
expect "a long tokenizer name of é: 404, message cut at a character" 404 '[.error.code, (.error.message | length > 200)]' \
    '["unknown_tokenizer",true]'
grep -q '"path":"/v1/%FF","status":404' "$tmp/main.err" && ok "the failing request is logged" || bad "failing request logged" "$(tail -2 "$tmp/main.err")"
error "NUL inside a tokenizer name" /v1/count '{"text":"a","tokenizer":"gpt2\u0000x"}' 400 invalid_value '"tokenizer"'
CURL_HEADERS=(-H "Authorization: Bearer $TOKD_ADMIN_TOKEN")
error "NUL inside a training name" /admin/v1/train '{"name":"ok\u0000x","vocab_size":300,"text":"ab"}' 400 invalid_value '"name"'
CURL_HEADERS=()

# ---- connections and HTTP strictness (bounded.cjs)
node "$here/bounded.cjs" "$PORT" "$tmp/main.err" > "$tmp/cjs.out" 2>&1
cat "$tmp/cjs.out"
pass=$((pass + $(grep -c '^ok' "$tmp/cjs.out")))
fail=$((fail + $(grep -c '^FAIL' "$tmp/cjs.out")))
grep -q -e '^ok' -e '^FAIL' "$tmp/cjs.out" || bad "bounded.cjs ran" "no result"
# 1,500 slow clients from 127.0.0.1; /healthz probed from 127.0.0.2 (all of
# 127/8 is loopback) must answer every time, as an orchestrator's liveness
# probe needs (the per-address limit leaves it a connection; --max-time
# only bounds a hang).
node "$here/bounded.cjs" "$PORT" "$tmp/main.err" slow 4000 &
storm=$!
sleep 1.5
probes=()
for _ in $(seq 8); do
    probes+=("$(curl -s --max-time 30 --interface 127.0.0.2 -o /dev/null -w '%{http_code}:%{time_total}' "http://127.0.0.1:$PORT/healthz")")
    sleep 0.2
done
wait $storm
failed_probes=$(printf '%s\n' "${probes[@]}" | awk -F: '$1 != 200' | wc -l)
[ "$failed_probes" = 0 ] && ok "1,500 slow clients: /healthz from another address answered, 8 of 8 probes" ||
    bad "/healthz under 1,500 slow clients" "${probes[*]}"
echo "     probes (status:seconds): ${probes[*]}"

kill -0 "$PID" && ok "the server is still up" || bad "the server is still up" "$(tail -5 "$tmp/main.err")"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
