#!/bin/bash
# test_compose.sh PATH/TO/tokd - deploy/compose/compose.yaml brought up for
# real with podman-compose: three tokd replicas from the Dockerfile's image
# and Debian's nginx (nginx.Dockerfile), no registry (podman_lib.sh).
# Through nginx on a loopback port: requests spread over all three replicas
# (the address that answered, from nginx's X-Upstream, matched to each
# replica's); a tokenizer trained through nginx on one replica is served by
# every replica from the shared volume; one replica is stopped (podman
# stop, SIGTERM) in the middle of a bounded wrk run (8 s, 8 connections)
# and no request fails; it exited 0 and the other two serve everything
# after it. Containers, network and
# volume are removed on exit. Where podman cannot run: SKIP (77).
# Prints "N passed, N failed".
set -u
TOKD=$1
source "$(dirname "$0")/podman_lib.sh"
source "$(dirname "$0")/lb_lib.sh"
project=tokdcompose$$
export TOKD_IMAGE=localhost/tokd:$project TOKD_NGINX_IMAGE=localhost/tokd-nginx:$project
export TOKD_ADMIN_TOKEN=compose-test-admin-token-0123456789
compose() { timeout 300 podman-compose -p "$project" -f "$root/deploy/compose/compose.yaml" "$@" >> "$tmp/compose.log" 2>&1; }
cleanup() {
    compose down -v
    podman ps -aq --filter "label=io.podman.compose.project=$project" | xargs -r podman rm -f -t 0 > /dev/null 2>&1
    podman volume rm -f "${project}_trained" > /dev/null 2>&1
    podman network rm -f "${project}_default" > /dev/null 2>&1
    podman untag "$TOKD_IMAGE" > /dev/null 2>&1
    podman untag "$TOKD_NGINX_IMAGE" > /dev/null 2>&1
    rm -rf "$tmp"
}

podman_setup
for tool in podman-compose wrk; do
    command -v $tool > /dev/null || { bad "$tool" "missing (apt-get install $tool)"; finish; }
done
trap cleanup EXIT
base_image || finish
build_image "$TOKD_IMAGE" || finish
build_image "$TOKD_NGINX_IMAGE" "$root/deploy/compose" nginx.Dockerfile || finish
TOKD_HTTP_PORT=$(free_port) # for nginx
export TOKD_HTTP_PORT
url=http://127.0.0.1:$TOKD_HTTP_PORT
compose up -d && ok "podman-compose up: $(podman ps --filter "label=io.podman.compose.project=$project" --format '{{.Names}}' | tr '\n' ' ')" ||
    { bad "podman-compose up" "$(grep -iv '^\[' "$tmp/compose.log" | tail -5)"; finish; }
ct() { echo "${project}_$1_1"; }
wait_ready "$url" 60 && ok "nginx answers /readyz on $url" ||
    { bad "nginx /readyz" "not in 60 s; $(podman logs --tail 5 "$(ct nginx)" 2>&1)"; finish; }
wait_ready_all() { # until 30 requests in a row, spread by nginx, find every replica ready
    local i
    for i in $(seq 300); do
        [ "$(for _ in $(seq 30); do curl -s -o /dev/null -m 2 -w '%{http_code}\n' "$url/readyz"; done | sort -u)" = 200 ] && return 0
        sleep 0.1
    done
    return 1
}
wait_ready_all || bad "every replica ready" "some /readyz answered otherwise for 30 s"

# ---- spread: X-Upstream names each replica's address on the compose network
declare -A name_of
for n in 1 2 3; do
    ip=$(podman inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$(ct tokd-$n)")
    name_of[$ip:8080]=tokd-$n
done
# upstreams URL BODY N: the replica that answered each of N requests, counted
upstreams() {
    for _ in $(seq "$3"); do
        curl -s -m 5 -D - -o /dev/null -H 'Content-Type: application/json' -d "$2" "$1" | tr -d '\r' |
            sed -n 's/^X-Upstream: //ip'
    done | while read -r addr; do addr=${addr##*, }; echo "${name_of[$addr]:-unknown:$addr}"; done | sort | uniq -c
}
body='{"text": "hello world", "model": "gpt-4o"}'
upstreams "$url/v1/count" "$body" 60 > "$tmp/spread"
spread=$(awk '{ printf "%s %s, ", $2, $1 }' "$tmp/spread")
[ "$(awk '$2 ~ /^tokd-[123]$/ && $1 >= 10' "$tmp/spread" | wc -l)" = 3 ] &&
    ok "60 requests spread over the three replicas: ${spread%, }" || bad "spread over the three replicas" "${spread%, }"

# ---- a tokenizer trained through nginx is served by every replica
spec='{"name": "demo", "vocab_size": 280, "min_frequency": 1, "special_tokens": ["<|end|>"], "text": "low lower lowest newer newest wider widest low lower newest"}'
code=$(curl -s -m 10 -o "$tmp/train" -w '%{http_code}' -H "Authorization: Bearer $TOKD_ADMIN_TOKEN" \
    -H 'Content-Type: application/json' -d "$spec" "$url/admin/v1/train")
[ "$code" = 202 ] && ok "POST /admin/v1/train through nginx: 202" || bad "POST /admin/v1/train" "$code $(cat "$tmp/train")"
demo='{"text": "the lowest newer<|end|>", "tokenizer": "demo", "allowed_special": "all"}'
encode_demo() { curl -s -m 5 -H 'Content-Type: application/json' -d "$demo" "$url/v1/encode" | jq -c .ids; }
# every replica picks another's tokenizer up within a moment (rescan_s 5 at
# most): wait, up to 30 s, for 30 answers in a row with its ids
deadline=$((SECONDS + 30))
row=0
while [ "$row" -lt 30 ] && [ "$SECONDS" -lt "$deadline" ]; do
    if [ "$(encode_demo)" = "[116,104,101,272,273,276]" ]; then row=$((row + 1)); else row=0; sleep 0.1; fi
done
served=$(upstreams "$url/v1/encode" "$demo" 30 | awk '{ printf "%s ", $2 }')
[ "$row" = 30 ] && [ "$served" = "tokd-1 tokd-2 tokd-3 " ] &&
    ok "the trained tokenizer is served by every replica from the shared volume: $served" ||
    bad "the trained tokenizer on every replica" "$row answers in a row had its ids; served by $served; now $(encode_demo)"

# ---- one replica stopped during a bounded load run loses no request
stop_replica2() { podman stop -t 30 "$(ct tokd-2)" > /dev/null 2>&1; }
load_run "$url/v1/count" "$body" 8 stop_replica2
code=$(podman inspect --format '{{.State.ExitCode}}' "$(ct tokd-2)")
[ "$code" = 0 ] && podman logs "$(ct tokd-2)" 2>&1 | grep -q '^{"event":"stopped"}$' &&
    ok "the stopped replica drained and exited 0" || bad "the stopped replica exited 0" "exit $code"
[ -z "$FAILED" ] && [ "${REQUESTS:-0}" -gt 0 ] && ok "no request failed while tokd-2 stopped ($REQUESTS requests in 8 s)" ||
    bad "no request failed while tokd-2 stopped" "${REQUESTS:-0} requests; $FAILED; $(tail -3 "$tmp/wrk")"
upstreams "$url/v1/count" "$body" 40 > "$tmp/after"
after=$(awk '{ printf "%s %s, ", $2, $1 }' "$tmp/after")
[ "$(awk '{ print $2 }' "$tmp/after" | tr '\n' ' ')" = "tokd-1 tokd-3 " ] && [ "$(awk '{ s += $1 } END { print s }' "$tmp/after")" = 40 ] &&
    ok "after it, the other two serve every request: ${after%, }" || bad "the other two serve" "${after%, }"
finish
