#!/bin/bash
# test_embed.sh - /v1/embeddings and /v1/embeddings/similar on a real tokd
# serve, with the bundled default table and a fixture table whose values
# are exact in binary (tests/gen/gen_embed_fixtures.cjs), so every vector,
# positional sum, mean and norm is checked digit for digit.
# Usage: test_embed.sh PATH/TO/tokd. Prints "N passed, N failed".
set -u
TOKD=$1
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
data=$(cd "$HERE/../data/embed" && pwd)

cat > "$tmp/config.json" <<JSON
{"tokenizers": "tiny=$data/tiny.tiktoken", "max_embed_tokens": 100, "log_requests": false,
 "embeddings": {"tiny": {"file": "$data/tiny.safetensors", "tensor": "tok.weight",
                         "positional_tensor": "pos.weight", "tokenizer": "tiny"},
                "nopos": {"file": "$data/tiny.safetensors", "tensor": "tok.weight", "tokenizer": "tiny"}}}
JSON
start_server main --config "$tmp/config.json" || exit 1
E=/v1/embeddings
S=/v1/embeddings/similar

# ---- vectors
post "default table works out of the box" $E '{"text":"hello world"}' 200 '[.table, .tokenizer, .ids, .dim, (.vectors | length), (.vectors[0] | length)]' \
    '["default","cl100k_base",[15339,1917],16,2,16]'
post "bundled BF16 values" $E '{"ids":[15339],"table":"default"}' 200 '.vectors[0][0:4]' '[0.365234375,-0.0625,-0.95703125,0.8828125]'
post "exact rows by id" $E '{"table":"tiny","ids":[104,105]}' 200 '.vectors' '[[104,104.25,104.5,104.75],[105,105.25,105.5,105.75]]'
post "text uses the table's tokenizer" $E '{"table":"tiny","text":"hi"}' 200 '[.ids, .tokenizer, .vectors[1]]' '[[104,105],"tiny",[105,105.25,105.5,105.75]]'
post "positional adds row i" $E '{"table":"tiny","ids":[104,105,2],"positional":true}' 200 '.vectors' \
    '[[104,104.25,104.5,104.75],[1105,1105.25,1105.5,1105.75],[2002,2002.25,2002.5,2002.75]]'
post "mean pooling" $E '{"table":"tiny","ids":[104,105],"pooling":"mean"}' 200 '[.pooling, .vectors]' '["mean",[[104.5,104.75,105,105.25]]]'
post "mean of positional" $E '{"table":"tiny","ids":[104,105],"pooling":"mean","positional":true}' 200 '.vectors' '[[604.5,604.75,605,605.25]]'
post "normalize" $E '{"table":"tiny","ids":[1],"normalize":true}' 200 '[.normalized, .vectors]' '[true,[[0.600000024,0.800000012,0,0]]]'
post "normalize after mean" $E '{"table":"tiny","ids":[1,1],"pooling":"mean","normalize":true}' 200 '.vectors' '[[0.600000024,0.800000012,0,0]]'
post "infinities and NaN as strings" $E '{"table":"tiny","ids":[0]}' 200 '.vectors' '[["Infinity","-Infinity","NaN",-0]]'
post "empty ids" $E '{"table":"tiny","ids":[]}' 200 '[.ids, .vectors]' '[[],[]]'
post "eight positions fit" $E '{"table":"tiny","ids":[2,2,2,2,2,2,2,2],"positional":true}' 200 '.vectors[7][0]' '7002'
call POST $E '{"table":"tiny","ids":[104]}'
grep -q '"vectors":\[\[104.0,104.25,104.5,104.75\]\]' "$tmp/body" && ok "floats printed as JSON numbers" || bad "floats printed as JSON numbers" "$(cat "$tmp/body")"

# ---- errors
error "unknown table" $E '{"table":"nope","ids":[1]}' 404 unknown_table '"table"'
error "table not a string" $E '{"table":1,"ids":[1]}' 400 invalid_type '"table"'
error "ids and text" $E '{"table":"tiny","ids":[1],"text":"a"}' 400 invalid_request '"text"'
error "neither ids nor text" $E '{"table":"tiny"}' 400 missing_field '"text"'
error "text not a string" $E '{"table":"tiny","text":5}' 400 invalid_type '"text"'
call POST $E '{"table":"tiny","ids":[1,256]}'
expect "id past the table" 400 '[.error.code, .error.field, .error.message]' '["invalid_token_id","ids[1]","ids[1] = 256 is past the table'"'"'s 256 rows"]'
error "negative id" $E '{"table":"tiny","ids":[-1]}' 400 invalid_token_id '"ids[0]"'
error "id not a number" $E '{"table":"tiny","ids":["1"]}' 400 invalid_token_id '"ids[0]"'
call POST $E '{"table":"tiny","ids":[2,2,2,2,2,2,2,2,2],"positional":true}'
expect "longer than the context" 400 '[.error.code, .error.message]' \
    '["too_long","the sequence has 9 tokens but table '"'"'tiny'"'"' has positions for 8 (its context length)"]'
error "no position table" $E '{"table":"nopos","ids":[2],"positional":true}' 400 invalid_value '"positional"'
error "unknown pooling" $E '{"table":"tiny","ids":[2],"pooling":"max"}' 400 invalid_value '"pooling"'
error "mean of nothing" $E '{"table":"tiny","ids":[],"pooling":"mean"}' 400 invalid_value '"pooling"'
error "normalize not boolean" $E '{"table":"tiny","ids":[2],"normalize":"yes"}' 400 invalid_type '"normalize"'
ids=$(seq -s, 101 | sed 's/[0-9]*/2/g')
error "over max_embed_tokens" $E "{\"table\":\"tiny\",\"ids\":[$ids]}" 413 too_many_ids '"ids"'
error "text over max_embed_tokens" $E "{\"table\":\"tiny\",\"text\":\"$(printf 'x%.0s' $(seq 101))\"}" 413 too_many_ids '"text"'

# ---- similar
post "similar by id" $S '{"table":"tiny","id":2,"k":3}' 200 '[.query, [.results[].id]]' '[{"id":2,"token":"\u0002"},[3,4,5]]'
post "similar scores descend" $S '{"table":"tiny","id":2,"k":5}' 200 '[.results[].score] | (. == (sort | reverse))' 'true'
# cosines (in double): row 3 . row 4 = 0.99982276, . row 5 = 0.99952959, . row 2 = 0.99940424
post "similar by token" $S '{"table":"tiny","token":"\u0003","k":3}' 200 '[.query.id, [.results[] | .id, .token, .score]]' \
    '[3,[4,"\u0004",0.9998227358,5,"\u0005",0.9995296001,2,"\u0002",0.9994042516]]'
post "similar on the bundled table" $S '{"token":" world","k":3}' 200 '[.table, [.results[] | .id, .token]]' \
    '["default",[40646," positively",83903,".telegram",4139,"False"]]'
post "default k is 10" $S '{"table":"tiny","id":50}' 200 '.results | length' '10'
error "token of two tokens" $S '{"table":"tiny","token":"hi"}' 400 invalid_value '"token"'
error "id past the table" $S '{"table":"tiny","id":256}' 400 invalid_token_id '"id"'
error "id and token" $S '{"table":"tiny","id":1,"token":"a"}' 400 invalid_request '"id"'
error "k zero" $S '{"table":"tiny","id":1,"k":0}' 400 invalid_value '"k"'
error "k too large" $S '{"table":"tiny","id":1,"k":1001}' 400 invalid_value '"k"'

# ---- configuration
# conf N JSON: the JSON in a file (configuration files must be regular files)
conf() { echo "$2" > "$tmp/conf$1.json"; echo "$tmp/conf$1.json"; }
"$TOKD" serve --port 0 --config "$(conf 1 '{"embeddings": {"bad": {"file": "/nonexistent.safetensors", "tensor": "t", "tokenizer": "gpt2"}}}')" \
    > /dev/null 2> "$tmp/bad.err"
[ $? != 0 ] && grep -q "embeddings.bad: cannot open /nonexistent.safetensors" "$tmp/bad.err" && ok "a table that fails stops startup" ||
    bad "a table that fails stops startup" "$(cat "$tmp/bad.err")"
"$TOKD" serve --port 0 --config "$(conf 2 "{\"embeddings\": {\"short\": {\"file\": \"$data/tiny.safetensors\", \"tensor\": \"tok.weight\", \"tokenizer\": \"gpt2\"}}}")" \
    > /dev/null 2> "$tmp/short.err"
grep -q "\"tok.weight\" has 256 rows but tokenizer gpt2 has 50257 ids" "$tmp/short.err" && ok "rows must cover the tokenizer" ||
    bad "rows must cover the tokenizer" "$(cat "$tmp/short.err")"
"$TOKD" serve --port 0 --config "$(conf 3 '{"embeddings": {"x": {"file": "a", "tensor": "t", "tokenizer": "gpt2", "dtype": "F32"}}}')" \
    > /dev/null 2> "$tmp/key.err"
grep -q 'embeddings.x: unknown key "dtype"' "$tmp/key.err" && ok "unknown table key refused" || bad "unknown table key refused" "$(cat "$tmp/key.err")"
start_server removed --config "$(conf 4 '{"log_requests": false, "embeddings": {"default": null}}')" || exit 1
error "null removes the default table" $E '{"ids":[1]}' 404 unknown_table '"table"'

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
