# bench/lib.sh - helpers the HTTP benchmarks share (sourced by bash).
# Needs $build (the build directory), $tmp (a scratch directory) and a
# `pids` array the caller kills on exit.

# start_tokd ARGS...: tokd serve on a free loopback port, ready; sets port
start_tokd() {
    "$build/tokd" serve --port 0 "$@" > "$tmp/tokd.out" 2> /dev/null &
    pids+=($!)
    port=
    for _ in $(seq 400); do
        port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$tmp/tokd.out")
        [ -n "$port" ] && "$build/tokd" healthcheck --ready --port "$port" 2> /dev/null && return 0
        sleep 0.05
    done
    echo "tokd did not become ready"
    exit 1
}

# wrk_post LUA BODY_FILE [DELAY_MS]: a wrk script POSTing the file as JSON,
# each connection waiting DELAY_MS between requests when given
wrk_post() {
    cat > "$1" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$2", "rb")
wrk.body = f:read("*a")
f:close()
LUA
    [ -z "${3:-}" ] || echo "function delay() return $3 end" >> "$1"
}
