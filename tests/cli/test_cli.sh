#!/bin/sh
# test_cli.sh - the tokd command-line contract: exact output and exit codes.
# Usage: test_cli.sh PATH/TO/tokd
# Prints one line per check and "N passed, N failed" at the end.
TOKD=$1
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect NAME WANT_STATUS WANT_STDOUT CMD...  (stdin comes from $input)
expect() {
    name=$1 want_rc=$2 want_out=$3
    shift 3
    out=$(printf '%s' "$input" | "$@" 2>"$tmp/err")
    rc=$?
    if [ "$rc" = "$want_rc" ] && [ "$out" = "$want_out" ]; then
        pass=$((pass + 1))
        echo "ok   $name"
    else
        fail=$((fail + 1))
        echo "FAIL $name: status $rc (want $want_rc), stdout '$out' (want '$want_out'), stderr: $(cat "$tmp/err")"
    fi
}

# stderr_has NAME TEXT: the last command's stderr contains TEXT
stderr_has() {
    if grep -qF -- "$2" "$tmp/err"; then
        pass=$((pass + 1))
        echo "ok   $1"
    else
        fail=$((fail + 1))
        echo "FAIL $1: stderr lacks '$2': $(cat "$tmp/err")"
    fi
}

input='hello world'
expect "encode cl100k" 0 "[15339, 1917]" "$TOKD" encode -t cl100k_base
expect "encode default is cl100k" 0 "[15339, 1917]" "$TOKD" encode
expect "encode o200k" 0 "[24912, 2375]" "$TOKD" encode -t o200k_base
expect "encode gpt2" 0 "[31373, 995]" "$TOKD" encode -t gpt2
expect "encode by model" 0 "[24912, 2375]" "$TOKD" encode -m gpt-4o-2024-08-06
input='Hello world'
expect "encode llama3" 0 "[9906, 1917]" "$TOKD" encode -t llama3
expect "encode mistral" 0 "[22557, 1526]" "$TOKD" encode -t mistral
expect "mistral adds <s>" 0 "[1, 22557, 1526]" "$TOKD" encode -t mistral --add-special-tokens
expect "count mistral with <s>" 0 "3" "$TOKD" count -t mistral --add-special-tokens
input='hello world'
expect "encode with GPT-2 files" 0 "[31373, 995]" "$TOKD" encode -t "$(dirname "$0")/../data/gpt2/encoder.json"
expect "encode with a name" 0 "[31373, 995]" "$TOKD" encode -t "mine=$(dirname "$0")/../data/gpt2"
expect "encode with GPT-2 directory" 0 "[31373, 995]" "$TOKD" encode -t "$(dirname "$0")/../data/gpt2"
expect "encode stdin dash" 0 "[15339, 1917]" "$TOKD" encode -t cl100k_base -
expect "count" 0 "2" "$TOKD" count -t cl100k_base
printf 'hello world' > "$tmp/in.txt"
input=''
expect "encode file" 0 "[15339, 1917]" "$TOKD" encode -t cl100k_base "$tmp/in.txt"
expect "count file" 0 "2" "$TOKD" count -t r50k_base "$tmp/in.txt"
expect "empty input" 0 "[]" "$TOKD" encode
expect "empty count" 0 "0" "$TOKD" count

input='a<|endoftext|>b'
expect "special refused" 2 "" "$TOKD" encode -t cl100k_base
stderr_has "special error names token" "'<|endoftext|>'"
stderr_has "special error names flag" "--allowed-special"
expect "special allowed all" 0 "[64, 100257, 65]" "$TOKD" encode -t cl100k_base --allowed-special all
expect "special allowed list" 0 "[64, 100257, 65]" "$TOKD" encode -t cl100k_base --allowed-special '<|endoftext|>,<|fim_prefix|>'
expect "special as text" 0 "[64, 27, 91, 8862, 728, 428, 91, 29, 65]" "$TOKD" encode -t cl100k_base --disallowed-special none
expect "special count" 0 "3" "$TOKD" count -t cl100k_base --allowed-special all
expect "unknown special name" 2 "" "$TOKD" encode -t cl100k_base --allowed-special '<|nope|>'
stderr_has "unknown special named" "<|nope|>"

input='[1, 22557, 1526]'
expect "decode mistral" 0 "<s> Hello world" "$TOKD" decode -t mistral
input='[15339, 1917]'
expect "decode" 0 "hello world" "$TOKD" decode -t cl100k_base
input='[9468, 239, 233]'
expect "decode emoji" 0 "$(printf '\360\237\221\213')" "$TOKD" decode -t cl100k_base
input='[9468]'
expect "decode partial replaced" 0 "$(printf '\357\277\275')" "$TOKD" decode -t cl100k_base
input='[15339, 100261]'
expect "decode out of range" 2 "" "$TOKD" decode -t cl100k_base
stderr_has "decode names id" "100261"
input='[1, "x"]'
expect "decode non-integer" 2 "" "$TOKD" decode
stderr_has "decode names element" "element 1"
input='{"ids": [1]}'
expect "decode not array" 2 "" "$TOKD" decode
input='[-1]'
expect "decode negative" 2 "" "$TOKD" decode

input="$(printf 'a\377b')"
expect "invalid utf-8 as U+FFFD" 0 "$(printf 'a\357\277\275b' | "$TOKD" encode)" "$TOKD" encode

input='x'
expect "unknown tokenizer" 2 "" "$TOKD" encode -t nope
stderr_has "unknown tokenizer named" "unknown tokenizer 'nope'"
expect "unknown model" 2 "" "$TOKD" encode -m nope-model
expect "-t and -m" 2 "" "$TOKD" encode -t gpt2 -m gpt-4
expect "unknown option" 2 "" "$TOKD" encode --frobnicate
expect "unknown command" 2 "" "$TOKD" frobnicate
expect "missing file" 2 "" "$TOKD" encode "$tmp/missing.txt"
expect "two files" 2 "" "$TOKD" encode "$tmp/in.txt" "$tmp/in.txt"
expect "bench needs files" 2 "" "$TOKD" bench

for cmd in encode count decode bench; do
    out=$("$TOKD" $cmd --help)
    case "$out" in
    *"usage: tokd $cmd"*--tokenizer*--model*--allowed-special*--disallowed-special*) pass=$((pass + 1)); echo "ok   $cmd --help" ;;
    *) fail=$((fail + 1)); echo "FAIL $cmd --help: $out" ;;
    esac
done
"$TOKD" --help | grep -q "bench" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL --help"; }

out=$("$TOKD" bench -t cl100k_base "$tmp/in.txt")
case "$out" in
*encode_MB/s*count_MB/s*"$tmp/in.txt"*"peak RSS"*) pass=$((pass + 1)); echo "ok   bench output" ;;
*) fail=$((fail + 1)); echo "FAIL bench output: $out" ;;
esac

printf 'hello world<|end|>' > "$tmp/hello_end.txt"
# tokd train: a tokenizer from three small files, used with -t DIR.
corpus="$(dirname "$0")/../data/corpus"
input=''
expect "train" 0 "trained mini: 600 tokens (343 merges, 1 special)" sh -c \
    "'$TOKD' train --corpus '$corpus/english.txt' '$corpus/code_c.txt' '$corpus/spanish.txt' --vocab-size 600 \
     --min-frequency 1 --special-token '<|end|>' -o '$tmp/mini' | head -n 1 | sed 's/ in .*//'"
stderr_has "train progress lines when not a terminal" "merging 100% (343/343)"
expect "trained tokenizer encodes" 0 "[267, 290, 111, 294, 338, 108, 100, 599]" \
    "$TOKD" encode -t "$tmp/mini" --allowed-special all "$tmp/hello_end.txt"
"$TOKD" train --corpus "$corpus/english.txt" "$corpus/code_c.txt" "$corpus/spanish.txt" --vocab-size 600 \
    --min-frequency 1 --special-token '<|end|>' --threads 2 -o "$tmp/again/mini" >/dev/null 2>&1
expect "training is deterministic" 0 "" cmp "$tmp/mini/mini.tiktoken" "$tmp/again/mini/mini.tiktoken"
expect "training metadata is deterministic" 0 "" cmp "$tmp/mini/mini.json" "$tmp/again/mini/mini.json"
expect "trained metadata" 0 "gpt2 600 600 1622" jq -r \
    '"\(.pattern_name) \(.n_vocab) \(.training.vocab_size) \(.corpus.bytes - 556)"' "$tmp/mini/mini.json"
input='Hola, ¿qué tal? int main(void) { return 0; }'
expect "trained round trip" 0 "$input" sh -c "'$TOKD' encode -t '$tmp/mini' | '$TOKD' decode -t '$tmp/mini'"
input=''
expect "train stops early at min-frequency" 0 \
    "stopped before vocab size 5000: no pair left that occurs at least 2 times" sh -c \
    "'$TOKD' train --corpus '$corpus/english.txt' --vocab-size 5000 -o '$tmp/early' 2>/dev/null | sed -n 4p"
expect "train bad regex" 2 "" "$TOKD" train --corpus "$corpus/english.txt" --vocab-size 300 --regex 'a(b' -o "$tmp/x"
stderr_has "train bad regex names the offset" "pattern does not compile at offset 3: missing closing parenthesis"
expect "train unknown pattern" 2 "" "$TOKD" train --corpus "$corpus/english.txt" --vocab-size 300 --pattern cl200k -o "$tmp/x"
stderr_has "train unknown pattern message" "unknown --pattern 'cl200k'"
expect "train vocab too small" 2 "" "$TOKD" train --corpus "$corpus/english.txt" --vocab-size 256 -o "$tmp/x"
stderr_has "train vocab message" "vocab_size must be from 257"
expect "train missing corpus" 2 "" "$TOKD" train --corpus "$tmp/none.txt" --vocab-size 300 -o "$tmp/x"
stderr_has "train missing corpus message" "cannot read $tmp/none.txt: No such file or directory"
expect "train needs arguments" 2 "" "$TOKD" train --vocab-size 300
stderr_has "train needs arguments message" "--corpus, --vocab-size and -o are required"
expect "train bad name" 2 "" "$TOKD" train --corpus "$corpus/english.txt" --vocab-size 300 --name 'Bad/Name' -o "$tmp/x"
"$TOKD" train --help | grep -q -- "--max-token-bytes" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL train --help"; }

# tokd embed init
expect "embed init" 0 "wrote $tmp/e.safetensors: wte.weight 50257 x 8, wpe.weight, F32, seed 3" sh -c \
    "'$TOKD' embed init --tokenizer gpt2 --dim 8 --context 16 --seed 3 -o '$tmp/e.safetensors' | head -n 1"
"$TOKD" embed init --tokenizer gpt2 --dim 8 --context 16 --seed 3 -o "$tmp/e2.safetensors" > /dev/null
expect "embed init is reproducible" 0 "" cmp "$tmp/e.safetensors" "$tmp/e2.safetensors"
"$TOKD" embed init --tokenizer gpt2 --dim 8 --context 16 --seed 4 -o "$tmp/e3.safetensors" > /dev/null
expect "another seed, other values" 1 "" sh -c "cmp -s '$tmp/e.safetensors' '$tmp/e3.safetensors'"
expect "embed init header" 0 '{"__metadata__":{"tokenizer":"gpt2","seed":"3","init":"normal(0, 1)"},"wte.weight":{"dtype":"F32","shape":[50257,8],"data_offsets":[0,1608224]},"wpe.weight":{"dtype":"F32","shape":[16,8],"data_offsets":[1608224,1608736]}}' \
    sh -c "head -c 232 '$tmp/e.safetensors' | tail -c 224 | sed 's/ *\$//'"
expect "header length is 224, padded to 8" 0 "224" sh -c "od -A n -t u8 -N 8 '$tmp/e.safetensors' | tr -d ' '"
expect "embed init size" 0 "1608968" sh -c "wc -c < '$tmp/e.safetensors'"
expect "embed init bf16" 0 "wrote $tmp/b.safetensors: wte.weight 256 x 4, BF16, seed 0" sh -c \
    "'$TOKD' embed init --tokenizer '$(dirname "$0")/../data/embed/tiny.tiktoken' --dim 4 --dtype bf16 -o '$tmp/b.safetensors'"
expect "embed init needs --dim" 2 "" "$TOKD" embed init --tokenizer gpt2 -o "$tmp/x.safetensors"
stderr_has "embed init needs --dim message" "--tokenizer, --dim and -o are required"
expect "embed init bad dtype" 2 "" "$TOKD" embed init --tokenizer gpt2 --dim 4 --dtype f64 -o "$tmp/x.safetensors"
stderr_has "embed init bad dtype message" "dtype must be F32, F16 or BF16, not F64"
expect "embed needs init" 2 "" "$TOKD" embed
"$TOKD" embed init --help | grep -q -- "--context" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL embed init --help"; }

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
