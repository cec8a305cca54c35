#!/bin/sh
# test_train_counts.sh - sharded training through the command line:
# `tokd train count --shard I/N` on 1, 2, 4 and 7 shards of three files
# (the cuts fall inside the files), `tokd train merge`, and
# `tokd train --from-counts` give byte for byte the tokenizer that
# `tokd train --corpus` gives on all the files at once; JSON Lines, globs,
# pruning and the refusals of bad input.
# Usage: test_train_counts.sh PATH/TO/tokd. Prints "N passed, N failed".
TOKD=$1
corpus="$(cd "$(dirname "$0")/../data/corpus" && pwd)"
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
# check NAME CMD...: the command succeeds
check() {
    name=$1
    shift
    if "$@" > "$tmp/out" 2> "$tmp/err"; then ok "$name"; else bad "$name: $(cat "$tmp/out" "$tmp/err")"; fi
}
# refuses NAME STATUS TEXT CMD...: the command fails with STATUS and TEXT on stderr
refuses() {
    name=$1 want=$2 text=$3
    shift 3
    "$@" > "$tmp/out" 2> "$tmp/err"
    rc=$?
    if [ "$rc" = "$want" ] && grep -qF -- "$text" "$tmp/err"; then ok "$name"; else
        bad "$name: status $rc (want $want), stderr: $(cat "$tmp/err")"; fi
}
# the tokenizer JSON without the corpus hash (for counts it is the counts')
meta() { jq -S 'del(.corpus.sha256)' "$1"; }

files="$corpus/english.txt $corpus/code_c.txt $corpus/spanish.txt $corpus/chinese.txt $corpus/crlf.txt"
opts="--vocab-size 700 --min-frequency 1 --special-token <|end|>"
# shellcheck disable=SC2086 # lists split on purpose
"$TOKD" train --corpus $files $opts -o "$tmp/whole/t" > /dev/null 2>&1
"$TOKD" train count -o "$tmp/all.counts" $files > /dev/null
for n in 1 2 4 7; do
    k=0
    while [ $k -lt $n ]; do
        # shellcheck disable=SC2086
        "$TOKD" train count --shard $k/$n -o "$tmp/s$n.$k.counts" $files > /dev/null || bad "count shard $k/$n"
        k=$((k + 1))
    done
    # shellcheck disable=SC2086
    "$TOKD" train $opts --from-counts "$tmp"/s$n.*.counts -o "$tmp/from$n/t" > /dev/null 2>&1
    check "$n shards: the same rank file" cmp "$tmp/whole/t/t.tiktoken" "$tmp/from$n/t/t.tiktoken"
    meta "$tmp/whole/t/t.json" > "$tmp/a.json"
    meta "$tmp/from$n/t/t.json" > "$tmp/b.json"
    check "$n shards: the same metadata but the corpus hash" cmp "$tmp/a.json" "$tmp/b.json"
    "$TOKD" train merge -o "$tmp/m$n.counts" "$tmp"/s$n.*.counts > /dev/null
    check "$n shards merged: the whole corpus's counts file" cmp "$tmp/all.counts" "$tmp/m$n.counts"
done
# any grouping and order: (6 + 0) + (3 + (1 + 5)) + 2 + 4
"$TOKD" train merge -o "$tmp/g1.counts" "$tmp/s7.6.counts" "$tmp/s7.0.counts" > /dev/null
"$TOKD" train merge -o "$tmp/g2.counts" "$tmp/s7.1.counts" "$tmp/s7.5.counts" > /dev/null
"$TOKD" train merge -o "$tmp/g3.counts" "$tmp/s7.3.counts" "$tmp/g2.counts" > /dev/null
"$TOKD" train merge -o "$tmp/g.counts" "$tmp/g3.counts" "$tmp/s7.2.counts" "$tmp/g1.counts" "$tmp/s7.4.counts" > /dev/null
check "grouped and reordered: the same counts file" cmp "$tmp/all.counts" "$tmp/g.counts"
# shellcheck disable=SC2086
refuses "missing shards are detected" 2 "has a negative count" \
    "$TOKD" train $opts --from-counts "$tmp/s7.0.counts" "$tmp/s7.2.counts" -o "$tmp/x"

# globs (quoted: expanded by tokd, sorted) equal the files listed
mkdir -p "$tmp/g"
cp "$corpus/english.txt" "$tmp/g/a.txt"
cp "$corpus/code_c.txt" "$tmp/g/b.txt"
"$TOKD" train count -o "$tmp/glob.counts" "$tmp/g/*.txt" > /dev/null
"$TOKD" train count -o "$tmp/list.counts" "$tmp/g/a.txt" "$tmp/g/b.txt" > /dev/null
check "a glob counts its files in sorted order" cmp "$tmp/glob.counts" "$tmp/list.counts"
refuses "a glob matching nothing" 2 "no file matches $tmp/g/*.none" "$TOKD" train count -o "$tmp/x" "$tmp/g/*.none"

# JSON Lines: invalid records counted and reported, not fatal
printf '{"text":"low lower lowest"}\nnot json\n{"id":1}\n{"text":"newer newest"}\n' > "$tmp/c.jsonl"
"$TOKD" train count --jsonl-field text -o "$tmp/j.counts" "$tmp/c.jsonl" > "$tmp/jsonl.out"
check "JSON Lines: records and invalid lines reported" grep -qF \
    "counted 2 texts, 28 bytes: 5 pieces, 5 distinct" "$tmp/jsonl.out"
check "JSON Lines: 2 invalid records skipped" grep -qF "2 invalid JSON Lines records skipped" "$tmp/jsonl.out"
printf 'low lower lowest' > "$tmp/j1.txt"
printf 'newer newest' > "$tmp/j2.txt"
"$TOKD" train --corpus "$tmp/j1.txt" "$tmp/j2.txt" --vocab-size 280 --min-frequency 1 -o "$tmp/jt/t" > /dev/null 2>&1
"$TOKD" train --jsonl-field text --corpus "$tmp/c.jsonl" --vocab-size 280 --min-frequency 1 -o "$tmp/jj/t" \
    > /dev/null 2>&1
check "JSON Lines train like the records as files" cmp "$tmp/jt/t/t.tiktoken" "$tmp/jj/t/t.tiktoken"

# pruning: the 280 pieces seen once drop out (of 380), so at min-frequency 1
# the merges run out at 155 instead of reaching 700 tokens (443 merges),
# and the corpus compresses worse
# shellcheck disable=SC2086
"$TOKD" train $opts --from-counts "$tmp/all.counts" -o "$tmp/u/t" > "$tmp/unpruned.out" 2>&1
check "unpruned training" grep -qF "trained t: 700 tokens (443 merges, 1 special)" "$tmp/unpruned.out"
check "unpruned compression" grep -qF "compression: 2.2038 bytes/token on the corpus (1217 tokens)" "$tmp/unpruned.out"
# shellcheck disable=SC2086
"$TOKD" train $opts --from-counts "$tmp/all.counts" --min-piece-count 2 -o "$tmp/p/t" > "$tmp/pruned.out" 2>&1
check "pruned training stops sooner" grep -qF "trained t: 412 tokens (155 merges, 1 special)" "$tmp/pruned.out"
check "pruned compression" grep -qF "compression: 1.4335 bytes/token on the corpus (1871 tokens)" "$tmp/pruned.out"

# refusals
printf 'TOKDCNTSjunk' > "$tmp/junk.counts"
refuses "a malformed counts file is named" 2 "$tmp/junk.counts is truncated" \
    "$TOKD" train --from-counts "$tmp/junk.counts" --vocab-size 300 -o "$tmp/x"
head -c 100 "$tmp/all.counts" > "$tmp/cut.counts"
refuses "a truncated counts file" 2 "$tmp/cut.counts is truncated" \
    "$TOKD" train merge -o "$tmp/x.counts" "$tmp/cut.counts"
"$TOKD" train count --pattern cl100k_base -o "$tmp/cl.counts" "$corpus/english.txt" > /dev/null
refuses "counts of different patterns do not mix" 2 "different patterns cannot be added: gpt2 and cl100k_base" \
    "$TOKD" train merge -o "$tmp/x.counts" "$tmp/all.counts" "$tmp/cl.counts"
refuses "a shard out of range" 2 "I must be from 0 to N-1" "$TOKD" train count --shard 4/4 -o "$tmp/x" "$corpus/english.txt"
refuses "count needs a corpus" 2 "at least one corpus file" "$TOKD" train count -o "$tmp/x"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
