#!/bin/bash
# test_faults.sh PATH/TO/tokd - disk faults during training: a read-only
# tokenizer directory, and a full one (simulated with a file size limit,
# RLIMIT_FSIZE: writes fail as on a full disk, without needing a mount).
# Each job must fail with an error naming the file and the cause, and the
# tokenizers already there must stay intact and served. When run as root the
# server runs as nobody (setpriv), so that permissions apply.
# Prints "N passed, N failed".
set -u
TOKD=$1
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
chmod 755 "$tmp"
RUN=()
[ "$(id -u)" = 0 ] && RUN=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
export TOKD_ADMIN_TOKEN=faults-admin-token-0123456789
CURL_HEADERS=(-H "Authorization: Bearer $TOKD_ADMIN_TOKEN")
tokdir=$tmp/tok
mkdir -p "$tokdir"
[ "$(id -u)" = 0 ] && chown 65534:65534 "$tokdir"
text=$(jq -Rs . "$HERE"/../data/corpus/*.txt)

# serve LIMIT_KB: tokd on the directory, with a file size limit (or unlimited)
serve() {
    (ulimit -f "$1"; exec "${RUN[@]}" "$TOKD" serve --port 0 --log-requests false --tokenizer-dir "$tokdir") \
        > "$tmp/out" 2> /dev/null &
    PID=$!
    pids+=("$PID")
    for _ in $(seq 200); do
        PORT=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$tmp/out")
        [ -n "$PORT" ] && "$TOKD" healthcheck --ready --port "$PORT" 2> /dev/null && return 0
        sleep 0.05
    done
    echo "tokd did not start"
    exit 1
}
wait_end() { # JOB: poll until it has ended
    for _ in $(seq 300); do
        call GET "/admin/v1/jobs/$1"
        case $(jq -r .job.state "$tmp/body") in succeeded|failed|cancelled) return 0 ;; esac
        sleep 0.1
    done
}
intact() { # NAME: the kept tokenizer's files and answers are as before
    [ "$(cat "$tokdir/keep/keep.tiktoken" "$tokdir/keep/keep.json" | sha256sum)" = "$keep_sha" ] &&
        ! ls -a "$tokdir" | grep -q '^\.tmp' && ok "$1: files intact, nothing partial" || bad "$1: files intact" "$(ls -la "$tokdir")"
    call POST /v1/encode '{"text":"hello world","tokenizer":"keep"}'
    expect "$1: still served with the same ids" 200 .ids "$keep_ids"
}

serve unlimited
post "a tokenizer to keep" /admin/v1/train "{\"name\":\"keep\",\"vocab_size\":400,\"min_frequency\":1,\"text\":$text}" 202 .job.id 1
wait_end 1
expect "kept tokenizer trained" 200 .job.state '"succeeded"'
keep_sha=$(cat "$tokdir/keep/keep.tiktoken" "$tokdir/keep/keep.json" | sha256sum)
call POST /v1/encode '{"text":"hello world","tokenizer":"keep"}'
keep_ids=$(jq -c .ids "$tmp/body")

chmod 555 "$tokdir"
post "train into a read-only directory" /admin/v1/train "{\"name\":\"ro\",\"vocab_size\":400,\"text\":$text}" 202 .job.id 2
wait_end 2
expect "read-only: the job fails naming the cause" 200 \
    '[.job.state, (.job.error | test("^cannot create .*/\\.tmp-.*-ro: Permission denied$"))]' '["failed",true]'
post "overwrite into a read-only directory" /admin/v1/train "{\"name\":\"keep\",\"vocab_size\":500,\"overwrite\":true,\"text\":$text}" 202 .job.id 3
wait_end 3
expect "read-only overwrite fails" 200 '[.job.state, (.job.error | contains("Permission denied"))]' '["failed",true]'
intact "after the read-only faults"
chmod 755 "$tokdir"
stop "$PID"

serve 16
post "train into a full directory" /admin/v1/train "{\"name\":\"big\",\"vocab_size\":3000,\"min_frequency\":1,\"text\":$text}" 202 .job.id 4
wait_end 4
expect "full: the job fails naming the file and the cause" 200 \
    '[.job.state, (.job.error | test("^cannot write .*/big\\.tiktoken: File too large$"))]' '["failed",true]'
post "overwrite into a full directory" /admin/v1/train "{\"name\":\"keep\",\"vocab_size\":3000,\"min_frequency\":1,\"overwrite\":true,\"text\":$text}" 202 .job.id 5
wait_end 5
expect "full overwrite fails" 200 .job.state '"failed"'
intact "after the full-disk faults"
kill -0 "$PID" && ok "the server survived the faults" || bad "the server survived" "it exited"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
