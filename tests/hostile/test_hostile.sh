#!/bin/bash
# test_hostile.sh PATH/TO/tokd - the hostile-input suite (hostile.cjs)
# against a real tokd serve on loopback: small body limit (64 kB), a 2 s
# connection timeout for the slow-loris check, the admin API on.
set -u
TOKD=$1
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../integration/lib.sh"
# Under AddressSanitizer freed memory waits in a quarantine (256 MB by
# default), which would read as growth: keep it small for the memory check.
if grep -q __asan_init "$TOKD"; then
    export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1
fi
# meson sets MALLOC_PERTURB_, which writes every allocation and so makes
# freed-but-kept memory (300 connection pools) resident: not for this check.
unset MALLOC_PERTURB_
export TOKD_ADMIN_TOKEN=hostile-admin-token-0123456789
start_server hostile --log-requests false --max-body-bytes 65536 --connection-timeout-s 2 \
    --tokenizer-dir "$tmp/tok" || exit 1
node "$here/hostile.cjs" "$PORT" "$PID"
rc=$?
kill -0 "$PID" 2>/dev/null || { echo "FAIL the server died: $(tail -5 "$tmp/hostile.err")"; exit 1; }
stop "$PID"
exit $rc
