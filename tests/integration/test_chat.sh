#!/bin/bash
# test_chat.sh - chat requests as the SDKs build them, sent to the real tokd
# serve: every case of data/chat_cases.json (exact totals from the
# independent reference tests/gen/gen_chat_fixtures.cjs: npm tiktoken plus
# the published rules) must answer its count and its exactness; then
# limits, the refusals that say why, unknown models and the tokenizer hash.
# Usage: test_chat.sh PATH/TO/tokd. Prints "N passed, N failed".
set -u
TOKD=$1
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"

start_server chat --log-requests false || exit 1
cases="$HERE/data/chat_cases.json"
n=$(jq length "$cases")
for i in $(seq 0 $((n - 1))); do
    name=$(jq -r ".[$i].name" "$cases")
    route=$(jq -r ".[$i].path" "$cases")
    jq -c ".[$i].body" "$cases" > "$tmp/req"
    want=$(jq -c ".[$i].want" "$cases")
    keys=$(jq -c ".[$i].want | keys_unsorted" "$cases")
    STATUS=$(curl -s -o "$tmp/body" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @"$tmp/req" \
        "http://127.0.0.1:$PORT$route")
    expect "$name" 200 "with_entries(select(.key as \$k | $keys | index(\$k))) + \
        (if $keys | index(\"roles\") then {roles: [.truncated_messages[].role]} else {} end) | \
        [$keys[] as \$k | {(\$k): .[\$k]}] | add" "$want"
    # an estimate always says why; an exact count never does
    call_ok=$(jq '(.exact == true and (.why == null)) or (.exact == false and (.why | length > 0))' "$tmp/body")
    [ "$call_ok" = true ] && ok "$name: why iff estimate" || bad "$name: why iff estimate" "$(head -c 300 "$tmp/body")"
done

# ---- every count names its tokenizer and the tokenizer's SHA-256
o200k=446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d
post "count names tokenizer hash" /v1/count '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}' 200 \
    '[.tokenizer, .tokenizer_sha256]' "[\"o200k_base\",\"$o200k\"]"
post "responses names tokenizer hash" /v1/responses/input_tokens '{"model":"gpt-4o","input":"hi"}' 200 \
    '[.object, .tokenizer, .tokenizer_sha256]' "[\"response.input_tokens\",\"o200k_base\",\"$o200k\"]"
post "plain text is exact" /v1/count '{"model":"gpt-5.1","text":"hello world"}' 200 '[.count, .exact, .why]' '[2,true,null]'
post "count across tokenizers names hashes" /v1/count '{"text":"hi","tokenizers":["o200k_base"]}' 200 \
    '[.exact, .tokenizers_sha256.o200k_base]' "[true,\"$o200k\"]"

# ---- limit: counting stops once passed, and says so
post "limit not reached" /v1/count '{"tokenizer":"cl100k_base","text":"hello world","limit":2}' 200 \
    '[.count, .exceeds, .limit]' '[2,false,2]'
post "limit passed" /v1/count '{"tokenizer":"cl100k_base","text":"hello world how are you","limit":2}' 200 \
    '[.count > 2, .count <= 5, .exceeds]' '[true,true,true]'
post "limit on messages" /v1/count '{"model":"gpt-4o","limit":5,"messages":[{"role":"user","content":"one two three four five six"}]}' 200 \
    '[.count > 5, .exceeds]' '[true,true]'
post "limit on context check: fits unknown below the budget" /v1/context/check \
    '{"model":"gpt-4o","text":"one two three four five six","limit":2}' 200 '[.fits, .exceeds, .input_tokens > 2]' '[null,true,true]'
post "limit on context check: past the budget" /v1/context/check \
    '{"model":"gpt-4o","text":"one two three four five six","limit":3,"context_window":2,"max_output_tokens":0}' 200 \
    '[.fits, .exceeds]' '[false,true]'
error "limit must be positive" /v1/count '{"tokenizer":"cl100k_base","text":"a","limit":0}' 400 invalid_type '"limit"'
error "limit not with truncate" /v1/context/check '{"model":"gpt-4o","text":"a","limit":3,"truncate":"end"}' 400 invalid_request '"limit"'

# ---- refusals that say why
audio='{"type":"input_audio","input_audio":{"data":"AAAA","format":"wav"}}'
error "input_audio refused" /v1/count "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":[$audio]}]}" 400 \
    unsupported_content '"messages[0].content[0]"'
error "file part refused" /v1/count '{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"f"}}]}]}' 400 \
    unsupported_content '"messages[0].content[0]"'
error "remote image needs a size" /v1/count \
    '{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}]}' 400 \
    image_size_needed '"messages[0].content[0]"'
call POST /v1/count '{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"http://127.0.0.1:1/x.png"}}]}]}'
expect "never fetches: says so" 400 '.error.message | test("never fetches")' true
error "data URL not base64" /v1/count \
    '{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png,rawbytes","detail":"high"}}]}]}' 400 \
    invalid_image '"messages[0].content[0]"'
error "data URL not an image" /v1/count \
    '{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,aGVsbG8gd29ybGQh","detail":"high"}}]}]}' 400 \
    invalid_image '"messages[0].content[0]"'
error "bad detail" /v1/count \
    '{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://a/b","detail":"medium"}}]}]}' 400 \
    invalid_type '"messages[0].content[0]"'
error "image on a model without an image rule" /v1/count \
    '{"model":"gpt-4","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://a/b","detail":"low"}}]}]}' 400 \
    unsupported_content '"messages[0].content[0]"'
error "unknown part type" /v1/count '{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"video"}]}]}' 400 \
    invalid_value '"messages[0].content"'
error "tool call without a name" /v1/count \
    '{"model":"gpt-4o","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"arguments":"{}"}}]}]}' 400 \
    invalid_type '"messages[0].tool_calls[0].function"'
error "responses: unknown item type" /v1/responses/input_tokens '{"model":"gpt-4o","input":[{"type":"reasoning","id":"r"}]}' 400 \
    unsupported_input '"input[0]"'
error "responses: built-in tool" /v1/responses/input_tokens '{"model":"gpt-4o","input":"hi","tools":[{"type":"web_search"}]}' 400 \
    unsupported_tool '"tools"'
error "responses: input missing" /v1/responses/input_tokens '{"model":"gpt-4o"}' 400 invalid_type '"input"'
error "trim messages only from the start" /v1/context/check \
    '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"truncate":"end"}' 400 invalid_value '"truncate"'

# ---- models: point releases, unknown names with the nearest known ones
post "gpt-5.1 has its own limits" /v1/context/check '{"model":"gpt-5.1","text":"hi"}' 200 '[.context_window, .reserved, .exact]' \
    '[400000,128000,true]'
post "gpt-5.9 takes gpt-5's limits and says so" /v1/context/check '{"model":"gpt-5.9","text":"hi"}' 200 \
    '[.context_window, .exact, (.why[0] | test("gpt-5.9 is not in the model registry"))]' '[400000,false,true]'
call POST /v1/count '{"model":"gpt-4oo","text":"hi"}'
expect "unknown model: 404 with nearest names" 404 '[.error.code, .error.nearest[0]]' '["unknown_model","gpt-4o"]'
post "open-weight model on a bundled tokenizer" /v1/context/check '{"model":"llama-3.1-8b-instruct","text":"Hello world"}' 200 \
    '[.tokenizer, .input_tokens, .context_window]' '["llama3",2,131072]'
call POST /v1/count '{"model":"qwen3","text":"hi"}'
expect "open-weight model whose tokenizer is not loaded" 404 '[.error.code, (.error.message | test("qwen3"))]' '["unknown_tokenizer",true]'

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
