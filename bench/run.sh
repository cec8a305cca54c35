#!/bin/sh
# bench/run.sh - tokd against its peers, in one run, on the same files.
# shellcheck disable=SC2086 # file lists are split on purpose
#
# Single-thread encode throughput of tokd (tokd bench), npm tiktoken (OpenAI's
# Rust core as WASM) and npm ai-tokenizer (pure JS) on English prose, C code
# and multilingual text for cl100k_base and o200k_base, with the ratios; tokd
# against Hugging Face's tokenizers (Rust, native) for llama3 and mistral;
# then tokd on one-character runs of 100 kB and 1 MiB side by side, and the
# time and memory to load every built-in encoding.
#
# With QUICKTOK_SRC naming a quicktok source tree, also tokd against
# quicktok on the same files (bench/quicktok.sh: built there with its own
# Makefile, alternating rounds, ratios, callgrind instruction counts).
#
# Usage: [QUICKTOK_SRC=DIR] bench/run.sh [BUILD_DIR]   (default: build; needs node and npm)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
tokd=$build/tokd
out=$here/out
sh "$here/make_corpus.sh" "$out"
[ -d "$here/node_modules/tiktoken" ] || (cd "$here" && npm ci --no-audit --no-fund >/dev/null)

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "tokd $("$tokd" --version | cut -d' ' -f2), node $(node --version)"
files="$out/english.txt $out/code.txt $out/multilingual.txt"
for enc in cl100k_base o200k_base; do
    echo
    echo "== $enc: single-thread encode MB/s (best of >= 3 runs and 0.5 s)"
    "$tokd" bench -t "$enc" $files > "$out/tokd_$enc.txt"
    (cd "$here" && node peers.cjs "$enc" $files) > "$out/peers_$enc.txt"
    printf '%-18s %10s %10s %12s %14s %14s %14s\n' file tokd tokd_count tiktoken ai-tokenizer tokd/tiktoken tokd/ai-tok
    for f in $files; do
        t=$(awk -v f="$f" '$1 == f { print $4, $6 }' "$out/tokd_$enc.txt")
        p=$(awk -F'\t' -v f="$f" '$1 == f { print $3, $4 }' "$out/peers_$enc.txt")
        echo "$(basename "$f") $t $p" | awk '{ printf "%-18s %10.1f %10.1f %12.1f %14.1f %13.1fx %13.1fx\n", $1, $2, $3, $4, $5, $2 / $4, $2 / $5 }'
    done
    awk -F'\t' 'NR > 1 && $6 != "yes" { print "note: ai-tokenizer count differs from tiktoken on " $1 ": " $6 }' "$out/peers_$enc.txt"
done

if [ -n "${QUICKTOK_SRC:-}" ]; then
    echo
    sh "$here/quicktok.sh" "$build"
fi

for hf in llama3 mistral; do
    echo
    echo "== $hf (tokenizer.json): single-thread encode MB/s, tokd vs Hugging Face tokenizers (Rust)"
    "$tokd" bench -t "$hf" --allowed-special all $files > "$out/tokd_$hf.txt"
    (cd "$here" && node peers_hf.cjs "$here/../data/encodings/$hf/tokenizer.json" $files) > "$out/peers_$hf.txt"
    printf '%-18s %10s %14s %14s %s\n' file tokd hf_tokenizers tokd/hf same_count
    for f in $files; do
        t=$(awk -v f="$f" '$1 == f { print $4, $3 }' "$out/tokd_$hf.txt")
        p=$(awk -F'\t' -v f="$f" '$1 == f { print $3, $4 }' "$out/peers_$hf.txt")
        echo "$(basename "$f") $t $p" | awk '{ printf "%-18s %10.1f %14.1f %13.1fx %s\n", $1, $2, $4, $2 / $4, ($3 == $5 ? "yes" : "NO") }'
    done
done

echo
echo "== worst cases (cl100k_base): one character repeated, encode time in ms"
"$tokd" bench -t cl100k_base "$out"/run_*_100k.txt "$out"/run_*_1m.txt > "$out/tokd_runs.txt"
printf '%-12s %10s %10s %8s\n' input 100kB_ms 1MiB_ms ratio
for r in letter underscore caret space digits cjk; do
    a=$(awk -v f="$out/run_${r}_100k.txt" '$1 == f { print $8 }' "$out/tokd_runs.txt")
    b=$(awk -v f="$out/run_${r}_1m.txt" '$1 == f { print $8 }' "$out/tokd_runs.txt")
    echo "$r $a $b" | awk '{ printf "%-12s %10.1f %10.1f %7.1fx\n", $1, $2, $3, $3 / $2 }'
done
grep '^load' "$out/tokd_runs.txt" | sed 's/^/tokd bench: /'

echo
echo "== loading every built-in encoding"
"$build/bench/bench_load_all"
