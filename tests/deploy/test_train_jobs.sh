#!/bin/bash
# test_train_jobs.sh PATH/TO/tokd - the sharded-training Jobs of
# deploy/kubernetes/ run with local processes standing in for pods: the
# count Job's args (read from its YAML) run once per completion index, at
# once, each with SHARD set as the Job controller sets it; then the merge
# Job's script runs with `tokd` on PATH; a `tokd serve` replica watching
# the tokenizer directory picks the result up and serves exactly what one
# `tokd train` on the whole corpus makes. The YAML's /corpus and
# /var/lib/tokd become directories under a temporary one; every process is
# bounded by `timeout`. Prints "N passed, N failed".
set -u
TOKD=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$root/tests/integration/lib.sh"

if [ ! -d "$here/node_modules/yaml" ]; then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) > "$tmp/npm.log" 2>&1 || bad "npm ci" "$(tail -3 "$tmp/npm.log")"
fi
# the Jobs as the test needs them: count args, completions, the merge script and env
(cd "$here" && node -e "
    const Y = require('yaml'), fs = require('fs'), d = '$root/deploy/kubernetes/';
    const count = Y.parse(fs.readFileSync(d + 'train-count-job.yaml', 'utf8').split(/^---$/m)[1]);
    const merge = Y.parse(fs.readFileSync(d + 'train-merge-job.yaml', 'utf8'));
    const c = count.spec.template.spec.containers[0], m = merge.spec.template.spec.containers[0];
    fs.writeFileSync('$tmp/completions', String(count.spec.completions));
    fs.writeFileSync('$tmp/count.args', c.args.join('\n') + '\n');
    fs.writeFileSync('$tmp/merge.sh', m.args[0]);
    fs.writeFileSync('$tmp/merge.env', m.env.map((e) => 'export ' + e.name + \"='\" + e.value + \"'\").join('\n') + '\n');
") || { bad "read the Jobs' YAML" ""; exit 1; }
ok "read the Jobs' YAML"
local_paths() { sed -e "s#/var/lib/tokd#$tmp/var/lib/tokd#g" -e "s#/corpus/#$tmp/corpus/#g"; }

# a JSON Lines corpus: every line of the conformance corpus a record, in 3 files, one bad line
mkdir -p "$tmp/corpus" "$tmp/var/lib/tokd/tokenizers" "$tmp/bin"
i=0
for f in "$root"/tests/data/corpus/*.txt; do
    jq -R -c '{text: ., source: "'"$(basename "$f")"'"}' "$f" >> "$tmp/corpus/part$((i % 3)).jsonl"
    i=$((i + 1))
done
echo 'not a record' >> "$tmp/corpus/part1.jsonl"
ln -s "$TOKD" "$tmp/bin/tokd"

start_server replica --tokenizer-dir "$tmp/var/lib/tokd/tokenizers" --log-requests false || exit 1

# ---- the count Job: one process per completion index, all at once
n=$(cat "$tmp/completions")
mapfile -t args < <(local_paths < "$tmp/count.args")
podpids=()
for k in $(seq 0 $((n - 1))); do
    timeout 60 "$TOKD" "${args[@]//\$(SHARD)/$k}" > "$tmp/pod$k.out" 2>&1 &
    podpids+=($!)
done
failed=0
for p in "${podpids[@]}"; do wait "$p" || failed=$((failed + 1)); done
[ "$failed" = 0 ] && ok "$n count pods succeeded" || bad "$n count pods succeeded" "$(cat "$tmp"/pod*.out)"
[ "$(ls "$tmp/var/lib/tokd/counts" | wc -l)" = "$n" ] && ok "one counts file per shard" ||
    bad "one counts file per shard" "$(ls "$tmp/var/lib/tokd/counts")"
grep -h -o '[0-9]* invalid JSON Lines records skipped' "$tmp"/pod*.out | grep -qx '1 invalid JSON Lines records skipped' &&
    ok "the bad line is reported by the shard that has it" || bad "the bad line is reported" "$(cat "$tmp"/pod*.out)"

# ---- the merge Job, then the replica serves the result
source "$tmp/merge.env"
local_paths < "$tmp/merge.sh" > "$tmp/merge.local.sh"
PATH="$tmp/bin:$PATH" timeout 60 sh "$tmp/merge.local.sh" > "$tmp/merge.out" 2>&1 && ok "the merge Job succeeded" ||
    bad "the merge Job succeeded" "$(cat "$tmp/merge.out")"
"$TOKD" train --jsonl-field text --corpus "$tmp/corpus/*.jsonl" --vocab-size "$VOCAB_SIZE" \
    --special-token "$SPECIAL_TOKEN" --name "$NAME" -o "$tmp/ref" > /dev/null 2>&1
want=$(sha256sum < "$tmp/ref/$NAME.tiktoken" | cut -d' ' -f1)
poll 600 /v1/tokenizers "[.tokenizers[] | select(.name == \"$NAME\") | .sha256][0]" "$want" &&
    ok "the replica serves it without a restart, as one tokd train on the whole corpus makes it" ||
    bad "the replica serves it" "$(cat "$tmp/body")"
cmp -s "$tmp/ref/$NAME.tiktoken" "$tmp/var/lib/tokd/tokenizers/$NAME/$NAME.tiktoken" && ok "byte-identical rank file" ||
    bad "byte-identical rank file" ""
want_ids=$(printf 'Sharded training, served.' | "$TOKD" encode -t "$tmp/ref" | tr -d ' ')
post "encodes as the reference" /v1/encode "{\"text\":\"Sharded training, served.\",\"tokenizer\":\"$NAME\"}" 200 .ids "$want_ids"
ls -a "$tmp/var/lib/tokd/tokenizers" | grep -q '^\.train' && bad "no temporary directory left" "" ||
    ok "no temporary directory left"

# ---- a second run does not replace it; a missing shard stops the merge
PATH="$tmp/bin:$PATH" timeout 60 sh "$tmp/merge.local.sh" > "$tmp/merge2.out" 2>&1 &&
    bad "a second merge does not replace the tokenizer" "" || ok "a second merge does not replace the tokenizer"
rm "$tmp/var/lib/tokd/counts/shard-0.counts"
PATH="$tmp/bin:$PATH" NAME=other timeout 60 sh "$tmp/merge.local.sh" > "$tmp/merge3.out" 2>&1
[ $? != 0 ] && grep -q "expected $n counts files" "$tmp/merge3.out" && ok "a missing shard stops the merge" ||
    bad "a missing shard stops the merge" "$(cat "$tmp/merge3.out")"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
