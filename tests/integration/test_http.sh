#!/bin/bash
# test_http.sh - the real tokd serve on loopback, checked over HTTP.
# Usage: test_http.sh PATH/TO/tokd
# Exact answers for every endpoint, every error status, batch order, the
# cookbook's chat totals, truncation, configuration precedence, readiness,
# slow clients and graceful shutdown with a request in flight.
# Prints one line per check and "N passed, N failed" at the end.
set -u
TOKD=$1
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"

start_server main --log-requests false || exit 1

# ---- health, readiness, discovery
call GET /healthz; expect "healthz" 200 . '{"status":"ok"}'
"$TOKD" healthcheck --port "$PORT" && ok "tokd healthcheck: 0 when healthy" || bad "tokd healthcheck" "exit $?"
TOKD_PORT=$PORT "$TOKD" healthcheck --ready && ok "tokd healthcheck --ready with TOKD_PORT" || bad "tokd healthcheck --ready" "exit $?"
"$TOKD" healthcheck --port 1 2> "$tmp/hc.err"
[ $? = 1 ] && grep -q "127.0.0.1:1/healthz: Connection refused" "$tmp/hc.err" && ok "tokd healthcheck: 1 when nothing listens" ||
    bad "tokd healthcheck: 1 when nothing listens" "$(cat "$tmp/hc.err")"
call GET /readyz; expect "readyz" 200 . '{"status":"ready","tokenizers":9}'
call GET /v1/tokenizers
expect "tokenizers listed" 200 '[.tokenizers[] | .name + ":" + .kind]' \
    '["gpt2:tiktoken","r50k_base:tiktoken","p50k_base:tiktoken","p50k_edit:tiktoken","cl100k_base:tiktoken","o200k_base:tiktoken","o200k_harmony:tiktoken","llama3:huggingface","mistral:huggingface"]'
expect "tokenizer details" 200 '.tokenizers[4] | [.kind, .n_vocab, .special_tokens["<|endoftext|>"], .sha256]' \
    '["tiktoken",100277,100257,"223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"]'
call GET /v1/models
expect "models listed" 200 '[.models[] | select(.model == "gpt-4o")][0]' \
    '{"model":"gpt-4o","tokenizer":"o200k_base","context_window":128000,"max_output_tokens":16384,"chat_format":"gpt-4o"}'

# ---- encode
post "encode hello world" /v1/encode '{"text":"hello world","tokenizer":"cl100k_base"}' 200 . \
    '{"ids":[15339,1917],"count":2,"tokenizer":"cl100k_base"}'
post "encode by model" /v1/encode '{"text":"hello world","model":"gpt-4o-2024-11-20"}' 200 '[.ids, .tokenizer]' '[[24912,2375],"o200k_base"]'
post "encode by tiktoken prefix" /v1/encode '{"text":"hi","model":"gpt-oss-120b"}' 200 '.tokenizer' '"o200k_harmony"'
post "batch keeps order" /v1/encode '{"texts":["b","hello world","a",""],"tokenizer":"cl100k_base"}' 200 \
    '[.results[].ids, .count]' '[[65],[15339,1917],[64],[],4]'
# ids from npm tiktoken: "é😀x" -> é, f0 9f 98, 80, x (the emoji split in two tokens)
post "tokens and offsets" /v1/encode '{"text":"é😀x","tokenizer":"cl100k_base","return_tokens":true,"return_offsets":true}' 200 \
    '[.ids, [.tokens[] | .text], [.tokens[] | .bytes], .offsets]' \
    '[[978,76460,222,87],["é","�","�","x"],[null,"8J+Y","gA==",null],[[0,1],[1,2],[1,2],[2,3]]]'
post "utf16 offsets" /v1/encode '{"text":"😀a","tokenizer":"o200k_base","return_offsets":true,"offset_unit":"utf16"}' 200 \
    '.offsets' '[[0,2],[2,3]]'
post "partial token bytes" /v1/encode '{"text":"😀","tokenizer":"cl100k_base","return_tokens":true}' 200 \
    '[.tokens[] | .bytes]' '["8J+Y","gA=="]'
post "special allowed" /v1/encode '{"text":"a<|endoftext|>","tokenizer":"cl100k_base","allowed_special":"all"}' 200 .ids '[64,100257]'
post "special allowed by name" /v1/encode '{"text":"a<|endoftext|>","tokenizer":"cl100k_base","allowed_special":["<|endoftext|>"]}' 200 .ids '[64,100257]'
post "special as text" /v1/encode '{"text":"<|endoftext|>","tokenizer":"cl100k_base","disallowed_special":[]}' 200 .ids '[27,91,8862,728,428,91,29]'
post "llama3 by name" /v1/encode '{"text":"Hello world","tokenizer":"llama3"}' 200 .ids '[9906,1917]'
post "mistral adds <s>" /v1/encode '{"text":"Hello world","tokenizer":"mistral","add_special_tokens":true}' 200 .ids '[1,22557,1526]'
post "mistral without <s>" /v1/encode '{"text":"Hello world","tokenizer":"mistral"}' 200 .ids '[22557,1526]'
post "llama3 offsets" /v1/encode '{"text":"Hello world","tokenizer":"llama3","return_offsets":true}' 200 .offsets '[[0,5],[5,11]]'
post "mistral offsets through its normalizer" /v1/encode '{"text":"Hello world","tokenizer":"mistral","return_offsets":true}' 200 \
    .offsets '[[0,5],[5,11]]'
post "mistral utf16 offsets" /v1/encode '{"text":"é😀x","tokenizer":"mistral","return_offsets":true,"offset_unit":"utf16"}' 200 \
    '[.ids, .offsets]' '[[1233,30575,28744],[[0,1],[1,3],[3,4]]]'
post "BOS has empty offsets" /v1/encode '{"text":"Hi","tokenizer":"mistral","add_special_tokens":true,"return_offsets":true}' 200 \
    '.offsets[0]' '[0,0]'
post "mistral decode" /v1/decode '{"ids":[1,22557,1526],"tokenizer":"mistral"}' 200 .text '"<s> Hello world"'
# the encode answer is written as text, ids straight into it: byte for byte what jansson wrote
# for the whole answer (data/encode_answers.txt: request TAB answer, recorded before the change)
while IFS=$'\t' read -r req want; do
    call POST /v1/encode "$req"
    [ "$STATUS" = 200 ] && [ "$(cat "$tmp/body")" = "$want" ] && ok "encode answer bytes: $req" ||
        bad "encode answer bytes: $req" "status $STATUS, got $(head -c 300 "$tmp/body")"
done < "$HERE/data/encode_answers.txt"
post "NUL in text" /v1/encode '{"text":"a\u0000b","tokenizer":"cl100k_base"}' 200 .ids '[64,188,65]'

# ---- decode
post "decode" /v1/decode '{"ids":[15339,1917],"tokenizer":"cl100k_base"}' 200 . '{"tokenizer":"cl100k_base","text":"hello world"}'
post "decode batch" /v1/decode '{"ids":[[15339],[1917],[]],"model":"gpt-4"}' 200 .texts '["hello"," world",""]'
post "decode replaces" /v1/decode '{"ids":[9468],"tokenizer":"cl100k_base"}' 200 .text '"�"'
post "decode special" /v1/decode '{"ids":[100257],"tokenizer":"cl100k_base"}' 200 .text '"<|endoftext|>"'

# ---- count
post "count" /v1/count '{"text":"hello world","tokenizer":"cl100k_base"}' 200 . \
    '{"tokenizer":"cl100k_base","tokenizer_sha256":"223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7","count":2,"exact":true}'
post "count batch" /v1/count '{"texts":["hello world","a"],"model":"gpt-4"}' 200 '[.counts, .count]' '[[2,1],3]'
post "count across tokenizers" /v1/count '{"text":"hello world 你好","tokenizers":["gpt2","cl100k_base","o200k_base"]}' 200 .counts \
    '{"gpt2":7,"cl100k_base":5,"o200k_base":4}'
msgs=$(cat "$HERE/data/cookbook_messages.json")
post "cookbook gpt-4-0613" /v1/count "{\"model\":\"gpt-4-0613\",\"messages\":$msgs}" 200 .count 129
post "cookbook gpt-4o" /v1/count "{\"model\":\"gpt-4o\",\"messages\":$msgs}" 200 .count 124
post "cookbook gpt-4o with tools" /v1/count "$(jq -c '. + {model: "gpt-4o"}' "$HERE/data/cookbook_tools.json")" 200 .count 101

# ---- context check
post "context fits" /v1/context/check '{"text":"hello world","model":"gpt-4o"}' 200 . \
    '{"fits":true,"input_tokens":2,"context_window":128000,"reserved":16384,"remaining":111614,"overflow":0,"tokenizer":"o200k_base","tokenizer_sha256":"446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d","exact":true}'
post "context explicit window" /v1/context/check '{"text":"hello world","tokenizer":"cl100k_base","context_window":3,"max_output_tokens":2}' 200 \
    '[.fits, .remaining, .overflow]' '[false,0,1]'
post "context messages" /v1/context/check "{\"model\":\"gpt-4-0613\",\"messages\":$msgs,\"max_output_tokens\":100}" 200 \
    '[.input_tokens, .remaining]' '[129,7963]'
long=$(printf 'The quick brown fox jumps over the lazy dog. %.0s' $(seq 40))
for cut in end start middle; do
    post "truncate $cut fits" /v1/context/check "{\"text\":\"$long 日本語\",\"tokenizer\":\"cl100k_base\",\"context_window\":50,\"max_output_tokens\":10,\"truncate\":\"$cut\"}" 200 \
        '[.fits, .truncated_tokens <= 40, .truncated_tokens >= 38, (.truncated_text | length > 100)]' '[false,true,true,true]'
done
post "truncate end keeps the start" /v1/context/check "{\"text\":\"$long\",\"tokenizer\":\"cl100k_base\",\"context_window\":12,\"max_output_tokens\":2,\"truncate\":\"end\"}" 200 \
    '[.truncated_text, .truncated_tokens]' '["The quick brown fox jumps over the lazy dog.",10]'
post "truncate start keeps the end" /v1/context/check "{\"text\":\"$long\",\"tokenizer\":\"cl100k_base\",\"context_window\":6,\"max_output_tokens\":0,\"truncate\":\"start\"}" 200 \
    '[.truncated_text, .truncated_tokens]' '[" over the lazy dog. ",6]'
# each 😀 is two cl100k tokens: a budget of 3 would end inside the second one
post "truncate never splits a character" /v1/context/check '{"text":"😀😀😀","tokenizer":"cl100k_base","context_window":3,"max_output_tokens":0,"truncate":"end"}' 200 \
    '[.truncated_text, .truncated_tokens]' '["😀",2]'
post "truncate start never splits" /v1/context/check '{"text":"😀😀😀","tokenizer":"cl100k_base","context_window":3,"max_output_tokens":0,"truncate":"start"}' 200 \
    '[.truncated_text, .truncated_tokens]' '["😀",2]'

# ---- next-token windows, against a plain reference (jq): inputs ids[i:i+L],
# targets ids[i+1:i+L+1], for i = 0, S, 2S, ... while a full target exists
seq='[11,12,13,14,15,16,17,18,19,20]'
for combo in "3 1" "3 3" "2 5" "4 2" "9 1" "10 1" "12 3" "1 1" "2 20"; do
    set -- $combo
    want=$(jq -c --argjson L "$1" --argjson S "$2" \
        '[[range(0; length - $L; $S) as $i | .[$i:$i + $L]], [range(0; length - $L; $S) as $i | .[$i + 1:$i + $L + 1]]]' <<< "$seq")
    post "windows max_length=$1 stride=$2" /v1/windows "{\"ids\":$seq,\"max_length\":$1,\"stride\":$2}" 200 '[.inputs, .targets]' "$want"
done
call POST /v1/encode '{"text":"The quick brown fox jumps over the lazy dog.","tokenizer":"cl100k_base"}'
text_ids=$(jq -c .ids "$tmp/body")
want=$(jq -c '[[range(0; length - 4; 4) as $i | .[$i:$i + 4]], [range(0; length - 4; 4) as $i | .[$i + 1:$i + 5]]]' <<< "$text_ids")
post "windows of text" /v1/windows '{"text":"The quick brown fox jumps over the lazy dog.","tokenizer":"cl100k_base","max_length":4}' 200 \
    '[[.inputs, .targets], .tokenizer, .tokens]' "[$want,\"cl100k_base\",10]"
post "windows bounded" /v1/windows "{\"ids\":$seq,\"max_length\":2,\"stride\":1,\"max_windows\":3}" 200 \
    '[.windows, .total_windows, .truncated, .inputs[2]]' '[3,8,true,[13,14]]'
error "windows need max_length" /v1/windows "{\"ids\":$seq}" 400 missing_field '"max_length"'
error "windows stride >= 1" /v1/windows "{\"ids\":$seq,\"max_length\":2,\"stride\":0}" 400 invalid_value '"stride"'
error "windows text or ids" /v1/windows "{\"ids\":$seq,\"text\":\"x\",\"max_length\":2}" 400 invalid_request '"text"'
error "windows bad id" /v1/windows '{"ids":[1,"x"],"max_length":1}' 400 invalid_token_id '"ids[1]"'
error "windows text needs a tokenizer" /v1/windows '{"text":"x","max_length":1}' 400 missing_field '"tokenizer"'

# ---- errors: each names the problem
error "malformed json" /v1/encode '{"text": "x", ' 400 invalid_json null
error "body not an object" /v1/encode '[1,2]' 400 invalid_json null
error "missing text" /v1/encode '{"tokenizer":"cl100k_base"}' 400 missing_field '"text"'
error "missing tokenizer" /v1/encode '{"text":"x"}' 400 missing_field '"tokenizer"'
error "wrong type" /v1/encode '{"text":3,"tokenizer":"cl100k_base"}' 400 invalid_type '"text"'
error "wrong type in batch" /v1/encode '{"texts":["a",4],"tokenizer":"cl100k_base"}' 400 invalid_type '"texts[1]"'
error "both tokenizer and model" /v1/encode '{"text":"x","tokenizer":"gpt2","model":"gpt-4"}' 400 invalid_request '"tokenizer"'
error "bad return_tokens" /v1/encode '{"text":"x","tokenizer":"gpt2","return_tokens":"yes"}' 400 invalid_type '"return_tokens"'
error "disallowed special" /v1/encode '{"text":"x<|endoftext|>","tokenizer":"cl100k_base"}' 400 disallowed_special_token '"text"'
error "disallowed special in batch" /v1/count '{"texts":["a","<|endoftext|>"],"tokenizer":"cl100k_base"}' 400 disallowed_special_token '"texts[1]"'
error "unknown special name" /v1/encode '{"text":"x","tokenizer":"cl100k_base","allowed_special":["<|nope|>"]}' 400 invalid_value '"text"'
error "unknown tokenizer" /v1/encode '{"text":"x","tokenizer":"nope"}' 404 unknown_tokenizer '"tokenizer"'
error "unknown model" /v1/count '{"text":"x","model":"nope-1"}' 404 unknown_model '"model"'
error "id out of range" /v1/decode '{"ids":[1,100261],"tokenizer":"cl100k_base"}' 400 invalid_token_id '"ids"'
error "negative id" /v1/decode '{"ids":[1,-5],"tokenizer":"cl100k_base"}' 400 invalid_token_id '"ids[1]"'
error "huge id" /v1/decode '{"ids":[1e30],"tokenizer":"cl100k_base"}' 400 invalid_token_id '"ids[0]"'
error "strict decode" /v1/decode '{"ids":[9468],"tokenizer":"cl100k_base","errors":"strict"}' 400 invalid_utf8 '"ids"'
error "bad errors value" /v1/decode '{"ids":[1],"tokenizer":"cl100k_base","errors":"ignore"}' 400 invalid_value '"errors"'
error "messages need a chat model" /v1/count "{\"tokenizer\":\"cl100k_base\",\"messages\":$msgs}" 400 not_a_chat_model '"model"'
error "bad message" /v1/count '{"model":"gpt-4o","messages":[{"role":"user","content":[1]}]}' 400 invalid_type '"messages[0].content"'
error "bad truncate" /v1/context/check '{"text":"x","model":"gpt-4o","truncate":"left"}' 400 invalid_value '"truncate"'
error "context needs a window" /v1/context/check '{"text":"x","tokenizer":"gpt2"}' 400 missing_field '"context_window"'
error "tokenizers not strings" /v1/count '{"text":"x","tokenizers":[1]}' 400 invalid_type '"tokenizers"'
# hostile bodies: each a 400 invalid_json, and the server goes on
printf '%*s' 100000 '' | tr ' ' '[' > "$tmp/deep.json"
printf '%*s' 100000 '' | tr ' ' ']' >> "$tmp/deep.json"
error "100k levels of nesting" /v1/encode "@$tmp/deep.json" 400 invalid_json null
error "number overflow" /v1/decode '{"ids":[1e999999],"tokenizer":"gpt2"}' 400 invalid_json null
error "integer overflow" /v1/decode '{"ids":[99999999999999999999999],"tokenizer":"gpt2"}' 400 invalid_json null
error "NaN" /v1/decode '{"ids":[NaN],"tokenizer":"gpt2"}' 400 invalid_json null
error "lone surrogate" /v1/encode '{"text":"\ud800x","tokenizer":"gpt2"}' 400 invalid_json null
error "invalid UTF-8 in JSON" /v1/encode "$(printf '{"text":"\377\376","tokenizer":"gpt2"}')" 400 invalid_json null
error "empty body" /v1/encode '' 400 invalid_json null
error "random bytes" /v1/count "$(head -c 3000 /dev/urandom | tr -d '\000' | tr '{' x)" 400 invalid_json null
call GET /healthz; expect "alive after hostile bodies" 200 .status '"ok"'
call POST /v1/encode '{"text":"x","tokenizer":"gpt2"}' text/plain
expect "415 not json" 415 .error.code '"unsupported_media_type"'
call GET /v1/encode
expect "405 method" 405 .error.code '"method_not_allowed"'
if grep -qi '^Allow: POST' "$tmp/headers"; then ok "405 has Allow"; else bad "405 has Allow" "$(cat "$tmp/headers")"; fi
call POST /v1/nope '{}'
expect "404 route" 404 .error.code '"not_found"'
if grep -q '"error"' "$tmp/body" && grep -qi '^Content-Type: application/json' "$tmp/headers"; then ok "errors are JSON"; else bad "errors are JSON" "$(cat "$tmp/headers")"; fi

# ---- request ids
curl -s -D "$tmp/h" -o /dev/null -H 'X-Request-Id: abc-123' "http://127.0.0.1:$PORT/healthz"
if grep -qi '^X-Request-Id: abc-123' "$tmp/h"; then ok "request id echoed"; else bad "request id echoed" "$(cat "$tmp/h")"; fi
curl -s -D "$tmp/h" -o /dev/null "http://127.0.0.1:$PORT/healthz"
if grep -qiE '^X-Request-Id: [0-9a-f]{16}' "$tmp/h"; then ok "request id generated"; else bad "request id generated" "$(cat "$tmp/h")"; fi

# ---- metrics
call GET /metrics
if grep -q '^tokd_requests_total{route="/v1/encode",status="200"} [1-9]' "$tmp/body" &&
    grep -q '^tokd_request_duration_seconds_bucket{route="/v1/count",le="+Inf"} [1-9]' "$tmp/body" &&
    grep -q '^tokd_tokenizers_loaded 9$' "$tmp/body" && grep -q '^tokd_tokens_processed_total [1-9]' "$tmp/body" &&
    grep -q '^tokd_in_flight_requests 1$' "$tmp/body"; then ok "metrics series"; else bad "metrics series" "$(head -c 600 "$tmp/body")"; fi
if command -v promtool >/dev/null; then
    if promtool check metrics < "$tmp/body" > "$tmp/promtool" 2>&1; then ok "promtool accepts metrics"; else bad "promtool" "$(cat "$tmp/promtool")"; fi
else
    bad "promtool accepts metrics" "promtool not installed (Debian package prometheus)"
fi

# ---- limits: body size, batch size, slow clients
start_server limits --max-body-bytes 2048 --max-batch 2 --max-decode-ids 3 --connection-timeout-s 1 || exit 1
error "413 too many ids" /v1/decode '{"ids":[1,2,3,4],"tokenizer":"gpt2"}' 413 too_many_ids '"ids"'
curl -s -o /dev/null -H 'X-Request-Id: log-check-1' -H 'Content-Type: application/json' \
    -d '{"text":"hello world","tokenizer":"cl100k_base"}' "http://127.0.0.1:$PORT/v1/count"
sleep 0.2
line=$(grep '"request_id":"log-check-1"' "$tmp/limits.err")
if [ "$(echo "$line" | jq -c '[.method, .path, .status, .tokens, .bytes_in, (.duration_ms >= 0), (.time | test("^[0-9-]+T[0-9:]+Z$"))]')" = \
    '["POST","/v1/count",200,2,48,true,true]' ]; then ok "one JSON log line per request"; else bad "request log" "$line"; fi
big=$(head -c 3000 /dev/zero | tr '\0' a)
error "413 body too large" /v1/encode "{\"text\":\"$big\",\"tokenizer\":\"gpt2\"}" 413 body_too_large null
error "413 batch too large" /v1/encode '{"texts":["a","b","c"],"tokenizer":"gpt2"}' 413 batch_too_large '"texts"'
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
printf 'POST /v1/encode HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n' >&3
# the server closes it (cat sees EOF); `timeout` only bounds a hang, and
# is shorter than the default connection timeout (15 s)
timeout 10 cat <&3 > /dev/null
dropped=$?
exec 3>&-
if [ "$dropped" = 0 ]; then ok "slow client dropped by the server"; else bad "slow client" "still held after 10 s"; fi
call GET /healthz; expect "serves after slow client" 200 .status '"ok"'
stop "$PID"

# ---- more tokenizers registered by name
start_server registered --log-requests false --tokenizers "mygpt2=$HERE/../data/gpt2,tiny-llama=$HERE/../../data/encodings/llama3/tokenizer.json" || exit 1
post "registered GPT-2 files" /v1/encode '{"text":"hello world","tokenizer":"mygpt2"}' 200 '[.ids, .tokenizer]' '[[31373,995],"mygpt2"]'
post "registered tokenizer.json" /v1/count '{"text":"Hello world","tokenizer":"tiny-llama"}' 200 .count 2
call GET /v1/tokenizers
expect "registered listed" 200 '[.tokenizers[-2:][] | .name + ":" + .kind]' '["mygpt2:tiktoken","tiny-llama:huggingface"]'
stop "$PID"
# a configured tokenizer that fails to load is skipped, logged and listed; the rest are served
mkfifo "$tmp/fifo.tiktoken"
start_server badtok --tokenizers "x=/nonexistent/tokenizer.json,f=$tmp/fifo.tiktoken,mygpt2=$HERE/../data/gpt2" || exit 1
call GET /v1/tokenizers
expect "unloadable configured tokenizers listed as not loaded" 200 '[.not_loaded[] | .name + ": " + .error]' \
    "[\"x: unknown tokenizer '/nonexistent/tokenizer.json': not a built-in encoding (gpt2, r50k_base, p50k_base, p50k_edit, cl100k_base, o200k_base, o200k_harmony), not a bundled tokenizer (llama3, mistral), and no such file\",\"f: $tmp/fifo.tiktoken is not a regular file\"]"
expect "the others are served" 200 '[.tokenizers[-1].name]' '["mygpt2"]'
grep -q '"event":"tokenizer_not_loaded","name":"x"' "$tmp/badtok.err" && ok "the failure is logged" || bad "failure logged" "$(cat "$tmp/badtok.err")"
stop "$PID"
if "$TOKD" serve --port 0 --tokenizers "llama3=$HERE/../data/gpt2" > /dev/null 2> "$tmp/err"; then bad "taken name" "started"; else
    grep -q "the name 'llama3' is taken" "$tmp/err" && ok "taken tokenizer name refused" || bad "taken name" "$(cat "$tmp/err")"; fi

# ---- configuration: file < environment < flags; unknown keys refused
printf '{"port": 1, "unknown_key": 5}' > "$tmp/bad.json"
if "$TOKD" serve --config "$tmp/bad.json" 2> "$tmp/err"; then bad "unknown config key" "started"; else
    grep -q 'unknown key "unknown_key"' "$tmp/err" && ok "unknown config key named" || bad "unknown config key" "$(cat "$tmp/err")"; fi
printf '{"max_batch": "many"}' > "$tmp/bad.json"
"$TOKD" serve --config "$tmp/bad.json" 2> "$tmp/err"
grep -q '"max_batch" must be a whole number' "$tmp/err" && ok "wrong config type named" || bad "wrong config type" "$(cat "$tmp/err")"
printf '{"max_batch": 5, "log_requests": false}' > "$tmp/good.json"
TOKD_MAX_BATCH=3 start_server precedence --config "$tmp/good.json" --max-batch 2 || exit 1
error "flag beats env and file" /v1/count '{"texts":["a","b","c"],"tokenizer":"gpt2"}' 413 batch_too_large '"texts"'
stop "$PID"
TOKD_MAX_BATCH=3 start_server precedence2 --config "$tmp/good.json" || exit 1
post "env beats file" /v1/count '{"texts":["a","b","c"],"tokenizer":"gpt2"}' 200 .count 3
error "env limit holds" /v1/count '{"texts":["a","b","c","d"],"tokenizer":"gpt2"}' 413 batch_too_large '"texts"'
stop "$PID"

# ---- readiness: 503 until the tokenizers are loaded (a 250 MB rank file
# takes a while to read and hash; it then fails its SHA-256 check)
mkdir "$tmp/slow"
truncate -s 250M "$tmp/slow/r50k_base.tiktoken"
"$TOKD" serve --port 0 --data-dir "$tmp/slow" > "$tmp/slow.out" 2>&1 &
PID=$!
pids+=("$PID")
for _ in $(seq 100); do PORT=$(sed -n 's/^tokd listening on http:\/\/127.0.0.1:\([0-9]*\)$/\1/p' "$tmp/slow.out"); [ -n "$PORT" ] && break; sleep 0.05; done
call GET /readyz; expect "not ready while loading" 503 .error.code '"not_ready"'
error "endpoints wait for readiness" /v1/encode '{"text":"x","tokenizer":"gpt2"}' 503 not_ready null
call GET /healthz; expect "alive while loading" 200 .status '"ok"'
stop "$PID" -KILL
# a FIFO where an encoding should be is refused at once, never waited on
rm "$tmp/slow/r50k_base.tiktoken"
mkfifo "$tmp/slow/r50k_base.tiktoken"
timeout 20 "$TOKD" serve --port 0 --data-dir "$tmp/slow" > /dev/null 2> "$tmp/fifo.err"
[ $? = 1 ] && grep -q "r50k_base.tiktoken is not a regular file" "$tmp/fifo.err" && ok "a FIFO as an encoding file: refused at once" ||
    bad "a FIFO as an encoding file" "$(cat "$tmp/fifo.err")"

# ---- graceful shutdown: a request in flight completes, exit status 0
# The client uploads 600 kB at 300 kB/s, so the request is surely in flight
# when SIGTERM comes; the server must read it, answer it, then exit 0.
start_server drain --log-requests false || exit 1
head -c 450000 /dev/urandom | base64 -w 0 | jq -Rc '{text: ., tokenizer: "cl100k_base"}' > "$tmp/big.json"
curl -s -o "$tmp/drain.body" -w '%{http_code}' -H 'Content-Type: application/json' -H 'Expect:' \
    --limit-rate 300k --data-binary @"$tmp/big.json" "http://127.0.0.1:$PORT/v1/count" > "$tmp/drain.status" &
client=$!
for _ in $(seq 200); do
    curl -s "http://127.0.0.1:$PORT/metrics" | grep -q '^tokd_in_flight_requests 2$' && break
    sleep 0.01
done
kill -TERM "$PID"
start=$(date +%s%N)
wait "$PID"
rc=$?
waited=$((($(date +%s%N) - start) / 1000000))
wait "$client"
want=$("$TOKD" count -t cl100k_base < <(jq -j .text "$tmp/big.json"))
if [ "$rc" = 0 ] && [ "$(cat "$tmp/drain.status")" = 200 ] && [ "$(jq .count "$tmp/drain.body")" = "$want" ]; then
    ok "SIGTERM drains the in-flight request ($want tokens), exits 0 after ${waited} ms"
else
    bad "graceful shutdown" "exit $rc, client status $(cat "$tmp/drain.status") body $(head -c 200 "$tmp/drain.body"), $(tail -2 "$tmp/drain.err")"
fi
grep -q '"event":"stopped"' "$tmp/drain.err" && ok "shutdown logged" || bad "shutdown logged" "$(tail -3 "$tmp/drain.err")"
call GET /healthz 2>/dev/null
[ "$STATUS" = 000 ] && ok "no longer accepting after shutdown" || bad "stopped accepting" "status $STATUS"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
