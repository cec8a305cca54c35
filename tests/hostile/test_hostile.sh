#!/bin/bash
# test_hostile.sh PATH/TO/tokd - the hostile-input suite (hostile.cjs)
# against a real tokd serve on loopback: small body limit (64 kB), a 2 s
# connection timeout for the slow-loris check, the admin API on.
set -u
TOKD=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
# Under AddressSanitizer freed memory waits in a quarantine (256 MB by
# default), which would read as growth: keep it small for the memory check.
if grep -q __asan_init "$TOKD"; then
    export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1
fi
# meson sets MALLOC_PERTURB_, which writes every allocation and so makes
# freed-but-kept memory (300 connection pools) resident: not for this check.
unset MALLOC_PERTURB_
TOKD_ADMIN_TOKEN=hostile-admin-token-0123456789 "$TOKD" serve --port 0 --log-requests false \
    --max-body-bytes 65536 --connection-timeout-s 2 --tokenizer-dir "$tmp/tok" > "$tmp/out" 2> "$tmp/err" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 200); do
    port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$tmp/out")
    [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/readyz" > /dev/null && break
    sleep 0.05
done
node "$here/hostile.cjs" "$port" "$pid"
rc=$?
kill -0 "$pid" 2>/dev/null || { echo "FAIL the server died: $(tail -5 "$tmp/err")"; exit 1; }
exit $rc
