# lb_lib.sh - what the load-balancer tests share (sourced, bash, by
# test_nginx.sh and test_compose.sh): a free loopback port, and a bounded
# wrk run with something done in its middle. Needs tmp from the caller.

# free_port: prints a loopback port nothing listens on
free_port() {
    local port
    for _ in $(seq 50); do
        port=$((20000 + RANDOM % 30000))
        (echo > "/dev/tcp/127.0.0.1/$port") 2> /dev/null || break
    done
    echo "$port"
}

# load_run URL BODY SECONDS COMMAND...: wrk POSTs the JSON BODY to URL for
# SECONDS (1 thread, 8 connections) and COMMAND runs 2 s in. Sets ACTION_RC
# (COMMAND's exit status), REQUESTS and FAILED (socket errors and non-2xx
# answers; empty when none); wrk's report is in $tmp/wrk.
load_run() {
    local url=$1 body=$2 seconds=$3 wrk_pid
    shift 3
    printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = %s\n' "'$body'" > "$tmp/post.lua"
    wrk -t1 -c8 -d"${seconds}s" -s "$tmp/post.lua" "$url" > "$tmp/wrk" 2>&1 &
    wrk_pid=$!
    sleep 2
    "$@"
    ACTION_RC=$?
    wait "$wrk_pid"
    REQUESTS=$(awk '/requests in/ { print $1 }' "$tmp/wrk")
    FAILED=$(sed -n 's/.*Socket errors: //p; s/.*Non-2xx or 3xx responses: /non-2xx /p' "$tmp/wrk")
}
