#!/bin/bash
# test_container.sh PATH/TO/tokd - the Dockerfile built and run for real with
# podman, from a Debian 12 base made locally (podman_lib.sh; no registry).
# From outside the container: /readyz, and /v1/count equal to what the local
# build counts; inside: `tokd healthcheck` and the image's HEALTHCHECK exit
# 0, the server process runs as uid 10001. With a read-only root file
# system and a volume on /var/lib/tokd, a training job through the admin
# API succeeds, and its tokenizer is served again after `podman restart` and
# by a new container on the same volume. `podman stop` (SIGTERM) with a
# request still uploading: the request is answered in full, and the server
# exits 0 within its grace period. Where podman cannot run: SKIP (77).
# Prints "N passed, N failed".
set -u
TOKD=$1
source "$(dirname "$0")/podman_lib.sh"
run=tokd-test-$$
image=localhost/tokd:$run
volume=$run-data
cleanup() {
    podman rm -f -t 0 "$run-a" "$run-b" > /dev/null 2>&1
    podman volume rm -f "$volume" > /dev/null 2>&1
    podman untag "$image" > /dev/null 2>&1
    # images of earlier builds (a few tens of MB each): keep a week of them,
    # and with them the cached apt layers
    podman image prune -f --filter until=168h > /dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT

podman_setup
base_image || finish
build_image "$image" || finish
base=$(podman image inspect --format '{{.Size}}' debian:12-slim)
size=$(podman image inspect --format '{{.Size}}' "$image")
ok "image size $(awk -v s="$size" -v b="$base" 'BEGIN { printf "%.1f MB = debian:12-slim %.1f MB + %.1f MB", s / 1e6, b / 1e6, (s - b) / 1e6 }')"

token=container-test-admin-token-0123456789
grace=5
# start NAME: a read-only container on the volume; sets URL
start() {
    podman run -d --name "$1" --read-only -v "$volume:/var/lib/tokd" -p 127.0.0.1::8080 \
        -e TOKD_ADMIN_TOKEN=$token -e TOKD_SHUTDOWN_GRACE_S=$grace -e TOKD_LOG_REQUESTS=false \
        "$image" > /dev/null 2> "$tmp/$1.run" || { bad "podman run $1" "$(cat "$tmp/$1.run")"; return 1; }
    set_url "$1"
}
set_url() { URL=http://$(podman port "$1" 8080/tcp | head -1); }
ready() { # ready NAME: bounded wait for /readyz
    wait_ready "$URL" 60 && ok "$1: /readyz answers 200 from outside ($URL)" ||
        { bad "$1: /readyz" "not ready in 60 s; $(podman logs --tail 5 "$1" 2>&1)"; return 1; }
}
json() { curl -s -m 10 -H 'Content-Type: application/json' "$@"; }
admin() { curl -s -m 10 -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }

podman volume create "$volume" > /dev/null
start "$run-a" && ready "$run-a" || finish

# ---- exact answers, the same as the local build's
text='Grüße, 世界! 😀 tokd in a container'
want=$(printf '%s' "$text" | "$TOKD" count -m gpt-4o)
got=$(json -d "$(jq -nc --arg t "$text" '{text: $t, model: "gpt-4o"}')" "$URL/v1/count" | jq -c .count)
[ -n "$want" ] && [ "$got" = "$want" ] && ok "/v1/count from outside = the local build's count ($got)" ||
    bad "/v1/count from outside" "got $got, the local build counts $want"
got=$(json -d '{"text": "hello world", "tokenizer": "cl100k_base"}' "$URL/v1/encode" | jq -c .ids)
[ "$got" = "[15339,1917]" ] && ok "/v1/encode from outside: $got" || bad "/v1/encode from outside" "$got"

# ---- inside the container
podman exec "$run-a" tokd healthcheck > "$tmp/hc" 2>&1 && ok "tokd healthcheck exits 0 inside (podman exec)" ||
    bad "tokd healthcheck inside" "exit $?: $(cat "$tmp/hc")"
podman healthcheck run "$run-a" > "$tmp/hc" 2>&1 && ok "the image's HEALTHCHECK passes (podman healthcheck run)" ||
    bad "the image's HEALTHCHECK" "$(cat "$tmp/hc")"
pid=$(podman inspect --format '{{.State.Pid}}' "$run-a")
uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")
gids=$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")
[ "$uids" = "10001 10001 10001 10001" ] && [ "$gids" = "10001 10001 10001 10001" ] &&
    ok "the server process runs as uid 10001, gid 10001" || bad "the server runs as 10001" "Uid $uids, Gid $gids"
[ "$(podman exec "$run-a" id -un)" = tokd ] && [ "$(podman exec "$run-a" id -gn)" = tokd ] &&
    ok "uid and gid 10001 are the image's tokd user and group" || bad "the tokd user" "$(podman exec "$run-a" id)"
podman exec "$run-a" sh -c 'touch /opt/tokd/x' 2> /dev/null && bad "read-only root file system" "/opt/tokd is writable" ||
    ok "the root file system is read-only"

# ---- training on the volume, then restarts
spec='{"name": "demo", "vocab_size": 280, "min_frequency": 1, "special_tokens": ["<|end|>"], "text": "low lower lowest newer newest wider widest low lower newest"}'
state=$(admin -d "$spec" "$URL/admin/v1/train" | jq -r .job.state)
[ "$state" = queued ] || [ "$state" = running ] && ok "POST /admin/v1/train inside the container: $state" ||
    bad "POST /admin/v1/train" "state $state"
for _ in $(seq 300); do
    job=$(admin "$URL/admin/v1/jobs/1" | jq -c '.job | {state, result}')
    case $job in *'"state":"succeeded"'* | *'"state":"failed"'*) break ;; esac
    sleep 0.1
done
# the values README.md shows for this job (replayed by test_readme.sh)
sha=57a9beb5d09aaa3d41bbb8c684d0348e0830ecd8275505e714a2a0273fee8689
[ "$(echo "$job" | jq -c '[.state, .result.n_vocab, .result.sha256]')" = "[\"succeeded\",277,\"$sha\"]" ] &&
    ok "the training job succeeded on the volume (n_vocab 277, the README's sha256)" || bad "training job" "$job"
demo() { # demo WHEN: the trained tokenizer serves the README's ids
    local got
    got=$(json -d '{"text": "the lowest newer<|end|>", "tokenizer": "demo", "allowed_special": "all"}' "$URL/v1/encode" | jq -c .ids)
    [ "$got" = "[116,104,101,272,273,276]" ] && ok "$1: the trained tokenizer serves $got" || bad "$1: the trained tokenizer" "$got"
}
demo "trained"
mnt=$(podman volume inspect --format '{{.Mountpoint}}' "$volume")
files=$(cd "$mnt/tokenizers/demo" 2> /dev/null && ls | tr '\n' ' ')
[ -n "$files" ] && [ "$(stat -c %u "$mnt/tokenizers/demo")" = 10001 ] &&
    ok "the tokenizer is on the volume, owned by 10001: $files" || bad "the tokenizer on the volume" "$(ls -lR "$mnt" 2>&1 | head)"

podman restart -t 30 "$run-a" > /dev/null 2>&1 || bad "podman restart" "failed"
set_url "$run-a"
ready "$run-a after podman restart" && demo "after podman restart"

# ---- SIGTERM drains and exits 0 (not 137: podman's SIGKILL after the grace
# period would give that): a request still
# uploading (600 KB at 200 KB/s) when the signal comes is answered in full
seq 100000 | tr '\n' ' ' > "$tmp/long.txt"
jq -Rsc '{text: ., tokenizer: "cl100k_base"}' "$tmp/long.txt" > "$tmp/long.json"
curl -s -m 20 -o "$tmp/long.out" -w '%{http_code}' --limit-rate 200k -H 'Content-Type: application/json' \
    --data-binary "@$tmp/long.json" "$URL/v1/count" > "$tmp/long.code" &
curl_pid=$!
sleep 1
podman stop -t 30 "$run-a" > /dev/null 2>&1
wait "$curl_pid"
code=$(podman inspect --format '{{.State.ExitCode}}' "$run-a")
[ "$code" = 0 ] && ok "podman stop (SIGTERM): exit 0 (server grace ${grace} s, podman's 30 s)" ||
    bad "podman stop (SIGTERM)" "exit $code"
podman logs "$run-a" 2>&1 | grep -q '^{"event":"stopping","signal":15,"in_flight":1}$' &&
    podman logs "$run-a" 2>&1 | grep -q '^{"event":"stopped"}$' &&
    ok "SIGTERM came with a request in flight; the server drained and stopped" ||
    bad "drain log" "$(podman logs "$run-a" 2>&1 | grep event | tail -2)"
want=$("$TOKD" count -t cl100k_base "$tmp/long.txt")
[ "$(cat "$tmp/long.code")" = 200 ] && [ "$(jq -c .count "$tmp/long.out")" = "$want" ] &&
    ok "the in-flight request was answered in full: 200, count $want" ||
    bad "the in-flight request" "status $(cat "$tmp/long.code"), $(head -c 200 "$tmp/long.out"), want count $want"

start "$run-b" && ready "$run-b (a new container, same volume)" && demo "a new container on the same volume"
podman stop -t 30 "$run-b" > /dev/null 2>&1
finish
