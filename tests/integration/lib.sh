# lib.sh - helpers the HTTP test scripts share (sourced, bash).
# Needs TOKD (the binary); defines tmp, pass, fail and the functions below,
# and kills every server it started on exit.
tmp=$(mktemp -d)
pass=0
fail=0
pids=()
stop() { kill "${2:--TERM}" "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
cleanup() { for p in "${pids[@]}"; do stop "$p" -KILL; done; rm -rf "$tmp"; }
trap cleanup EXIT

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1: $2"; }

# start_server NAME ARGS... : starts tokd serve on a free port; sets PORT, PID
start_server() {
    local name=$1
    shift
    "$TOKD" serve --port 0 "$@" > "$tmp/$name.out" 2> "$tmp/$name.err" &
    PID=$!
    pids+=("$PID")
    for _ in $(seq 100); do
        PORT=$(sed -n 's/^tokd listening on http:\/\/127.0.0.1:\([0-9]*\)$/\1/p' "$tmp/$name.out")
        [ -n "$PORT" ] && break
        sleep 0.05
    done
    # up to 20 s (READY_TRIES x 0.05 s): a sanitizer build loads the tokenizers slowly
    for _ in $(seq "${READY_TRIES:-400}"); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/readyz")" = 200 ] && return 0
        sleep 0.05
    done
    echo "server $name did not become ready: $(cat "$tmp/$name.err")"
    return 1
}

# call METHOD PATH [BODY] [CONTENT-TYPE]: sets STATUS, BODY in $tmp/body, headers in $tmp/headers;
# CURL_HEADERS (an array) adds request headers
CURL_HEADERS=()
call() {
    local ct=${4:-application/json}
    if [ $# -ge 3 ]; then
        STATUS=$(curl -s -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' -X "$1" -H "Content-Type: $ct" \
            "${CURL_HEADERS[@]}" --data-binary "$3" "http://127.0.0.1:$PORT$2")
    else
        STATUS=$(curl -s -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' -X "$1" "${CURL_HEADERS[@]}" \
            "http://127.0.0.1:$PORT$2")
    fi
}

# expect NAME STATUS JQ WANT: the last call's status and jq -c JQ of its body
expect() {
    local got
    got=$(jq -c "$3" "$tmp/body" 2>/dev/null)
    if [ "$STATUS" = "$2" ] && [ "$got" = "$4" ]; then ok "$1"; else bad "$1" "status $STATUS (want $2), $3 = $got (want $4); body $(head -c 300 "$tmp/body")"; fi
}

# post NAME PATH BODY STATUS JQ WANT
post() { call POST "$2" "$3"; expect "$1" "$4" "$5" "$6"; }
# error NAME PATH BODY STATUS CODE FIELD
error() { call POST "$2" "$3"; expect "$1" "$4" '[.error.code, .error.field, (.error.message | length > 10)]' "[\"$5\",$6,true]"; }


# poll TRIES PATH JQ WANT: GET PATH every 0.05 s until jq -r JQ of the answer is WANT
poll() {
    for _ in $(seq "$1"); do
        call GET "$2"
        [ "$(jq -r "$3" "$tmp/body")" = "$4" ] && return 0
        sleep 0.05
    done
    return 1
}
