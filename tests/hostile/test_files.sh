#!/bin/bash
# test_files.sh PATH/TO/tokd - files and signals cannot take a replica down
# (issue 13): a FIFO or a hard link as a training corpus, a symbolic-link
# swap racing the open, a malformed tokenizer in a tokenizer_dir shared by
# two servers (logged once per version of its files), a FIFO as the model
# registry, SIGHUP, and SIGTERM while a long request runs. Every wait is
# bounded (timeout, polls with a fixed number of tries).
set -u
TOKD=$1
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../integration/lib.sh"
unset MALLOC_PERTURB_
export TOKD_ADMIN_TOKEN=files-admin-token-0123456789
corpus="$tmp/corpus"
mkdir -p "$corpus/real" "$tmp/outside" "$tmp/shared"
echo "low lower lowest newer newest" > "$corpus/real/c.txt"
echo "secret outside the corpus directory" > "$tmp/outside/c.txt"
mkfifo "$corpus/fifo.txt"
ln "$tmp/outside/c.txt" "$corpus/hard.txt"

# ---- a malformed tokenizer in the shared directory: both servers skip it
mkdir "$tmp/shared/broken"
printf '{"pattern": "a", "sha256": "%064d"}' 0 > "$tmp/shared/broken/broken.json"
printf 'not base64 at all\n' > "$tmp/shared/broken/broken.tiktoken"
start_server one --tokenizer-dir "$tmp/shared" --corpus-dir "$corpus" || exit 1
P1=$PID PORT1=$PORT
start_server two --tokenizer-dir "$tmp/shared" || exit 1
P2=$PID PORT2=$PORT
for p in "$PORT1" "$PORT2"; do
    PORT=$p
    call GET /v1/tokenizers
    expect "server on $p serves on and lists the broken tokenizer" 200 '[.not_loaded[0].name, (.tokenizers | length)]' '["broken",9]'
done
grep -q '"event":"trained_tokenizer_not_loaded"' "$tmp/one.err" && ok "the failure is logged" || bad "failure logged" "$(cat "$tmp/one.err")"
# rescans every second: the same broken files are logged once, a changed
# version of them is retried (and logged) once more
start_server three --tokenizer-dir "$tmp/shared" --rescan-s 1 || exit 1
sleep 3.5
n_logged() { grep -c '"event":"trained_tokenizer_not_loaded"' "$tmp/three.err"; }
[ "$(n_logged)" = 1 ] && ok "3 rescans of an unchanged broken tokenizer: logged once" ||
    bad "broken tokenizer logged once" "$(n_logged) times"
printf 'still not base64\n' > "$tmp/new.tiktoken" # replaced in one step: one new version
mv "$tmp/new.tiktoken" "$tmp/shared/broken/broken.tiktoken"
for _ in $(seq 60); do [ "$(n_logged)" = 2 ] && break; sleep 0.1; done
sleep 2.5
[ "$(n_logged)" = 2 ] && ok "a changed broken file is retried once" || bad "changed file retried once" "$(n_logged) times"
call GET /v1/tokenizers
expect "and still listed as not loaded" 200 '.not_loaded[0].name' '"broken"'
kill "$PID"
PORT=$PORT1

# ---- a FIFO as the model registry: startup fails at once naming it
timeout 60 "$TOKD" serve --port 0 --models-file "$corpus/fifo.txt" > /dev/null 2> "$tmp/fifo-models.err"
rc=$?
[ "$rc" != 124 ] && [ "$rc" != 0 ] && grep -q 'fifo.txt.*regular file' "$tmp/fifo-models.err" &&
    ok "a FIFO as models_file: refused at startup without blocking (exit $rc)" ||
    bad "FIFO as models_file" "exit $rc: $(cat "$tmp/fifo-models.err")"

# ---- corpora: FIFO, hard link, symbolic-link swap race
CURL_HEADERS=(-H "Authorization: Bearer $TOKD_ADMIN_TOKEN")
STATUS=$(curl -s --max-time 10 -o "$tmp/body" -w '%{http_code}' "${CURL_HEADERS[@]}" -H 'Content-Type: application/json' \
    --data-binary '{"name":"f","vocab_size":300,"path":"fifo.txt"}' "http://127.0.0.1:$PORT/admin/v1/train")
expect "a FIFO as a corpus: 400 at once, no blocked worker" 400 '[.error.code, .error.field]' '["invalid_value","path"]'
call GET /healthz; expect "healthy after the FIFO" 200 .status '"ok"'
call POST /admin/v1/train '{"name":"h","vocab_size":300,"path":"hard.txt"}'
expect "a hard link into the corpus directory: refused" 400 '[.error.code, (.error.message | test("hard links"))]' '["invalid_value",true]'
# a swapper flips corpus/sw between a directory and a symbolic link to outside
mkdir "$corpus/sw"; cp "$corpus/real/c.txt" "$corpus/sw/c.txt"
( end=$((SECONDS + 4)); while [ $SECONDS -lt $end ]; do
      mv "$corpus/sw" "$corpus/sw.d" && ln -s "$tmp/outside" "$corpus/sw" && rm "$corpus/sw" && mv "$corpus/sw.d" "$corpus/sw"
  done ) &
swapper=$!
escaped=0 tried=0
for i in $(seq 60); do
    call POST /admin/v1/train "{\"name\":\"s$i\",\"vocab_size\":260,\"min_frequency\":1,\"path\":\"sw/c.txt\"}"
    tried=$((tried + 1))
    [ "$STATUS" = 202 ] && [ "$(jq -r .job.corpus_bytes "$tmp/body")" = "$(wc -c < "$tmp/outside/c.txt")" ] && escaped=$((escaped + 1))
    [ "$STATUS" = 202 ] && curl -s -o /dev/null -X DELETE "${CURL_HEADERS[@]}" "http://127.0.0.1:$PORT/admin/v1/jobs/$(jq -r .job.id "$tmp/body")"
done
wait $swapper
[ $escaped = 0 ] && ok "racing a symlink swap: 0 of $tried opens left the corpus directory" || bad "symlink race" "$escaped of $tried escaped"
CURL_HEADERS=()

# ---- SIGHUP is logged and ignored
kill -HUP "$P1"
for _ in $(seq 100); do grep -q sighup_ignored "$tmp/one.err" && break; sleep 0.05; done
call GET /healthz
[ "$STATUS" = 200 ] && grep -q '"event":"sighup_ignored"' "$tmp/one.err" && ok "SIGHUP: logged, the server serves on" ||
    bad "SIGHUP" "$STATUS $(tail -2 "$tmp/one.err")"
stop "$P1"
stop "$P2"

# ---- SIGTERM with a long request in flight: exit within shutdown_grace_s
CURL_HEADERS=(-H "Authorization: Bearer $TOKD_ADMIN_TOKEN")
start_server term --tokenizer-dir "$tmp/tok" --shutdown-grace-s 1 --max-request-ms 600000 || exit 1
call POST /admin/v1/train '{"name":"slow","vocab_size":300,"min_frequency":1,"regex":"[^x]*x|.","text":"abxabx cdx"}'
poll 400 /admin/v1/jobs/1 .job.state succeeded || bad "train the slow tokenizer" "$(cat "$tmp/body")"
CURL_HEADERS=()
python3 -c 'import json; print(json.dumps({"text": "a" * 400000, "tokenizer": "slow"}))' > "$tmp/slow.json"
curl -s --max-time 30 -o "$tmp/term.body" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary "@$tmp/slow.json" "http://127.0.0.1:$PORT/v1/count" > "$tmp/term.status" &
client=$!
for _ in $(seq 200); do curl -s "http://127.0.0.1:$PORT/metrics" | grep -q '^tokd_in_flight_requests 2$' && break; sleep 0.02; done
kill -TERM "$PID"
timeout 20 tail --pid="$PID" -f /dev/null # bounds a hang only; the cut below shows the grace ended it
wait "$client"
! kill -0 "$PID" 2>/dev/null && ok "SIGTERM with a long request: the server exited on its own (grace 1 s)" ||
    bad "SIGTERM with a long request" "still running 20 s after SIGTERM"
[ "$(cat "$tmp/term.status")" = 503 ] && grep -q shutting_down "$tmp/term.body" && ok "the cut request got 503 shutting_down" ||
    bad "the cut request" "$(cat "$tmp/term.status") $(cat "$tmp/term.body")"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
