#!/bin/sh
# bench/spm.sh - sentencepiece files: tokd against sentencepiece's Python
# binding (Debian's python3-sentencepiece, C++ inside) on .model files (BPE
# with Llama 2's options, Unigram nmt_nfkc), and against Hugging Face's
# tokenizers 0.23.2 (npm, native) on the Unigram tokenizer.json converted
# from the same Unigram model (Precompiled + Metaspace + Unigram); single
# thread, same files, same run, with the ratios and whether the token
# counts agree. The models are the test fixtures of tests/data/spm/.
#
# Usage: bench/spm.sh [BUILD_DIR]   (default: build; needs python3-sentencepiece, node and npm)
# shellcheck disable=SC2086 # file lists are split on purpose
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
tokd=$build/tokd
data=$here/../tests/data/spm
out=$here/out
sh "$here/make_corpus.sh" "$out"
[ -d "$here/node_modules/tokenizers" ] || (cd "$here" && npm ci --no-audit --no-fund >/dev/null)
files="$out/english.txt $out/code.txt $out/multilingual.txt"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"

# table TOKD_OUT PEER_OUT PEER_NAME: MB/s side by side, the ratio, same count
table() {
    printf '%-18s %10s %14s %10s %s\n' file tokd "$3" ratio same_count
    for f in $files; do
        t=$(awk -v f="$f" '$1 == f { print $4, $3 }' "$1")
        p=$(awk -F'\t' -v f="$f" '$1 == f { print $3, $4 }' "$2")
        echo "$(basename "$f") $t $p" | awk '{ printf "%-18s %10.1f %14.1f %9.1fx %s\n", $1, $2, $4, $2 / $4, ($3 == $5 ? "yes" : "NO") }'
    done
}

for m in llama_bpe unigram_nmt; do
    echo
    echo "== $m.model: single-thread encode MB/s, tokd vs sentencepiece (python3-sentencepiece)"
    "$tokd" bench -t "$data/$m.model" --disallowed-special none $files > "$out/tokd_$m.txt"
    /usr/bin/python3 "$here/peers_spm.py" "$data/$m.model" $files > "$out/peers_$m.txt"
    table "$out/tokd_$m.txt" "$out/peers_$m.txt" sentencepiece
done

echo
echo "== t5_style.json (Unigram): single-thread encode MB/s, tokd vs Hugging Face tokenizers 0.23.2"
"$tokd" bench -t "$data/t5_style.json" --allowed-special all $files > "$out/tokd_t5_style.txt"
(cd "$here" && HF_PACKAGE=tokenizers node peers_hf.cjs "$data/t5_style.json" $files) > "$out/peers_t5_style.txt"
table "$out/tokd_t5_style.txt" "$out/peers_t5_style.txt" hf_tokenizers
