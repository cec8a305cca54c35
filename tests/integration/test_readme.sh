#!/bin/bash
# test_readme.sh - every `$ curl ...` example in README.md, replayed in order
# against a fresh tokd serve (training on, with an admin token), must print
# exactly the output the README shows (an example is retried for up to 3 s,
# as a training job's status settles).
# Usage: test_readme.sh PATH/TO/tokd. Prints "N passed, N failed".
set -u
TOKD=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/integration/lib.sh"
export TOKD_ADMIN_TOKEN=readme-admin-token-0123456789
start_server readme --log-requests false --tokenizer-dir "$tmp/tokenizers" || exit 1
# Blocks: "    $ curl ..." then the output lines (indented 4) up to a blank line.
awk '/^    \$ curl / { if (cmd) print cmd "\t" out; cmd = substr($0, 7); out = ""; next }
     cmd && /^    / { out = out (out ? "\\n" : "") substr($0, 5); next }
     cmd { print cmd "\t" out; cmd = "" }
     END { if (cmd) print cmd "\t" out }' "$root/README.md" > "$tmp/examples"
while IFS=$'\t' read -r cmd want; do
    cmd=${cmd//http:\/\/127.0.0.1:8080/http://127.0.0.1:$PORT}
    want=$(printf '%b' "$want")
    for _ in $(seq 30); do # a training job's status may take a moment to settle
        got=$(bash -c "$cmd" 2>&1)
        [ "$got" = "$want" ] && break
        sleep 0.1
    done
    if [ "$got" = "$want" ]; then
        ok "${cmd:0:90}"
    else
        bad "${cmd:0:90}" "$(printf '\n     want: %s\n     got:  %s' "$want" "$got")"
    fi
done < "$tmp/examples"
[ "$pass" -ge 15 ] || { fail=$((fail + 1)); echo "FAIL only $pass examples found in README.md"; }
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
