#!/bin/bash
# test_nginx.sh PATH/TO/tokd - a real nginx (Debian's) with deploy/compose/
# nginx.conf, its upstream addresses swapped for three tokd processes on
# loopback ports: requests spread over all three; one replica gets SIGTERM
# in the middle of a bounded wrk run (6 s, 8 connections) and no client
# request fails (tokd drains, nginx retries); one gets SIGKILL and nginx
# routes around it. Prints "N passed, N failed".
set -u
TOKD=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
chmod 755 "$tmp"
pass=0
fail=0
pids=()
nginx_pid=
# nginx's workers outlive a SIGKILLed master, so it is stopped with SIGTERM
cleanup() {
    [ -n "$nginx_pid" ] && kill -TERM "$nginx_pid" 2>/dev/null
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
source "$here/lb_lib.sh"
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
for tool in nginx wrk; do
    command -v $tool > /dev/null || PATH=$PATH:/usr/sbin command -v $tool > /dev/null ||
        { echo "FAIL $tool is missing (apt-get install $tool)"; echo "0 passed, 1 failed"; exit 1; }
done
NGINX=$(PATH=$PATH:/usr/sbin command -v nginx)

start_tokd() { # start_tokd N: sets PORT_N and PID_N
    "$TOKD" serve --port 0 --log-requests false --shutdown-grace-s 5 > "$tmp/tokd$1.out" 2> "$tmp/tokd$1.err" &
    local pid=$! port=
    pids+=("$pid")
    for _ in $(seq 200); do
        port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$tmp/tokd$1.out")
        [ -n "$port" ] && "$TOKD" healthcheck --ready --port "$port" 2> /dev/null && break
        sleep 0.05
    done
    eval "PORT_$1=$port PID_$1=$pid"
}
start_tokd 1
start_tokd 2
start_tokd 3
np=$(free_port) # for nginx
sed -e "s/server tokd-1:8080/server 127.0.0.1:$PORT_1/" -e "s/server tokd-2:8080/server 127.0.0.1:$PORT_2/" \
    -e "s/server tokd-3:8080/server 127.0.0.1:$PORT_3/" -e "s/listen 8080;/listen 127.0.0.1:$np;/" \
    "$root/deploy/compose/nginx.conf" > "$tmp/nginx.conf"
grep -q "127.0.0.1:$PORT_3 " "$tmp/nginx.conf" && ok "the compose nginx.conf, upstreams on loopback" ||
    bad "upstream substitution" "$(grep server "$tmp/nginx.conf")"
"$NGINX" -p "$tmp" -c "$tmp/nginx.conf" -g "daemon off; pid $tmp/nginx.pid; error_log $tmp/nginx.err;" \
    > "$tmp/nginx.out" 2>&1 &
nginx_pid=$!
url=http://127.0.0.1:$np
for _ in $(seq 100); do curl -sf "$url/healthz" > /dev/null && break; sleep 0.05; done

body='{"text": "hello world", "model": "gpt-4o"}'
for _ in $(seq 60); do
    curl -s -D - -o /dev/null -H 'Content-Type: application/json' -d "$body" "$url/v1/count" | tr -d '\r' |
        sed -n 's/^X-Upstream: //ip'
done | sort | uniq -c > "$tmp/spread"
[ "$(wc -l < "$tmp/spread")" = 3 ] && ok "requests spread over all three replicas: $(awk '{ printf "%s ", $1 }' "$tmp/spread")" ||
    bad "requests spread over all three replicas" "$(cat "$tmp/spread")"

term_replica2() { kill -TERM "$PID_2"; wait "$PID_2"; }
load_run "$url/v1/count" "$body" 6 term_replica2
[ "$ACTION_RC" = 0 ] && ok "the SIGTERMed replica drained and exited 0" || bad "the SIGTERMed replica exited 0" "exit $ACTION_RC"
[ -z "$FAILED" ] && [ "${REQUESTS:-0}" -gt 0 ] && ok "no client request failed across the SIGTERM ($REQUESTS requests)" ||
    bad "no client request failed across the SIGTERM" "$REQUESTS requests; $FAILED"

kill -9 "$PID_3"
wait "$PID_3" 2> /dev/null
codes=$(for _ in $(seq 40); do
    curl -s -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/json' -d "$body" "$url/v1/count"
done | sort | uniq -c)
[ "$(echo "$codes" | awk '{ print $2 }')" = 200 ] && ok "after a SIGKILL nginx routes around it: $codes" ||
    bad "after a SIGKILL nginx routes around it" "$codes"
# X-Upstream lists every replica nginx tried, the one that answered last: a
# dead one is tried again once its fail_timeout (5 s) is over
tried=$(curl -s -D - -o /dev/null -w 'status %{http_code}\n' -H 'Content-Type: application/json' -d "$body" "$url/v1/count" |
    tr -d '\r' | sed -n 's/^X-Upstream: //ip; s/^status //p' | tr '\n' ' ')
served=${tried% }
served=${served##*, }
[ "$served" = "127.0.0.1:$PORT_1 200" ] && ok "the surviving replica serves (tried: $tried)" ||
    bad "the surviving replica serves" "tried $tried"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
