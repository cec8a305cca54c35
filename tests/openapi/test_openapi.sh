#!/bin/bash
# test_openapi.sh - openapi.yaml describes exactly the routes the server
# serves, and is a valid OpenAPI 3.1 document.
#
# Routes served: the route table in src/server/http.c ({"METHOD", "/path", ...}).
# The validator is npm @seriousme/openapi-schema-validator (pinned in
# package-lock.json), installed into tests/openapi/node_modules on first use.
# Prints "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1: $2"; }

served=$(sed -n 's/^ *{"\(GET\|POST\|PUT\|DELETE\|PATCH\)", "\([^"]*\)".*/\1 \2/p' "$root/src/server/http.c" | sort)
documented=$(awk '
    /^  \/[^:]*:$/ { path = $1; sub(/:$/, "", path); next }
    /^    (get|post|put|delete|patch):/ && path != "" { m = $1; sub(/:$/, "", m); print toupper(m) " " path }
    /^[a-z]/ { path = "" }' "$root/openapi.yaml" | sort)
[ "$(echo "$served" | wc -l)" -ge 9 ] && ok "route table read ($(echo "$served" | wc -l) routes)" || bad "route table" "found: $served"
missing=$(comm -23 <(echo "$served") <(echo "$documented"))
extra=$(comm -13 <(echo "$served") <(echo "$documented"))
[ -z "$missing" ] && ok "every served route is in openapi.yaml" || bad "routes missing from openapi.yaml" "$missing"
[ -z "$extra" ] && ok "every route in openapi.yaml is served" || bad "routes in openapi.yaml not served" "$extra"

if [ ! -x "$here/node_modules/.bin/validate-api" ]; then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) > "$here/npm.log" 2>&1 ||
        bad "install the validator" "$(tail -5 "$here/npm.log")"
fi
if out=$("$here/node_modules/.bin/validate-api" "$root/openapi.yaml" 2>&1) && echo "$out" | grep -q '"valid": true'; then
    ok "openapi.yaml is valid OpenAPI 3.1"
else
    bad "openapi.yaml is valid OpenAPI 3.1" "$out"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
