#!/bin/bash
# test_deploy.sh PATH/TO/tokd - the deployment files as they are: every YAML
# parses (npm yaml, pinned) and holds what the deployment relies on; the
# ConfigMap's configuration and registry load in a real tokd; the
# Dockerfile is multi-stage, non-root, with EXPOSE, STOPSIGNAL and a
# HEALTHCHECK through `tokd healthcheck`; its build stage copies every
# directory the root meson.build reads (but tests/) whole; and its runtime
# stage is proven complete without an engine: every shared library ldd
# lists for the built tokd comes from a Debian package that the runtime
# stage installs (or that one of those depends on, or that debian:12-slim
# has). test_container.sh builds and runs the image for real.
# Prints "N passed, N failed".
set -u
TOKD=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
pass=0
fail=0
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1: $2"; }

if [ ! -d "$here/node_modules/yaml" ]; then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) > "$tmp/npm.log" 2>&1 || bad "npm ci" "$(tail -3 "$tmp/npm.log")"
fi
out=$(node "$here/check_yaml.cjs" "$root"/deploy/kubernetes/*.yaml "$root"/deploy/compose/compose.yaml)
pass=$((pass + $(echo "$out" | grep -c '^ok')))
fail=$((fail + $(echo "$out" | grep -c '^FAIL')))
echo "$out"

# ---- the ConfigMap's files load in tokd, and its registry is config/models.json
(cd "$here" && node -e "
    const Y = require('yaml'), fs = require('fs');
    const d = Y.parse(fs.readFileSync('$root/deploy/kubernetes/configmap.yaml', 'utf8')).data;
    fs.writeFileSync('$tmp/tokd.json', d['tokd.json']);
    fs.writeFileSync('$tmp/models.json', d['models.json']);
    const same = JSON.stringify(JSON.parse(d['models.json'])) === JSON.stringify(JSON.parse(fs.readFileSync('$root/config/models.json', 'utf8')));
    process.exit(same ? 0 : 1);") && ok "ConfigMap registry = config/models.json" || bad "ConfigMap registry = config/models.json" "differs"
"$TOKD" serve --config "$tmp/tokd.json" --models-file "$tmp/models.json" --listen 127.0.0.1 --port 0 \
    --tokenizer-dir "$tmp/tok" --corpus-dir "$tmp" > "$tmp/out" 2> "$tmp/err" &
pid=$!
for _ in $(seq 200); do
    port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$tmp/out")
    [ -n "$port" ] && "$TOKD" healthcheck --ready --port "$port" 2> /dev/null && break
    sleep 0.05
done
"$TOKD" healthcheck --ready --port "${port:-1}" && ok "tokd starts on the ConfigMap's configuration" ||
    bad "tokd starts on the ConfigMap's configuration" "$(cat "$tmp/err")"
kill "$pid"
wait "$pid"
pid=

# ---- Dockerfile
df=$root/Dockerfile
check_line() { grep -qE "$2" "$df" && ok "Dockerfile: $1" || bad "Dockerfile: $1" "no line matching $2"; }
check_line "builds on Debian 12" '^FROM debian:12 AS build$'
check_line "runs on Debian 12 slim" '^FROM debian:12-slim$'
check_line "copies only the installed tree" '^COPY --from=build /opt/tokd /opt/tokd$'
check_line "runs as a non-root user" '^USER 10001:10001$'
check_line "exposes 8080" '^EXPOSE 8080$'
check_line "stops with SIGTERM" '^STOPSIGNAL SIGTERM$'
check_line "health check through tokd healthcheck" '^HEALTHCHECK .*CMD \["/opt/tokd/bin/tokd", "healthcheck"\]$'
# what the root meson.build reads: subdir()s, headers and installed paths, by top-level name
check_line "copies the meson files" '^COPY meson.build meson_options.txt ./$'
for top in $(grep -oE "(subdir|install_subdir|install_data|include_directories)\('[^']+'" "$root/meson.build" |
             sed "s/.*('//; s/'\$//; s|/.*||" |
             grep -vx tests | sort -u); do
    grep -qE "^COPY $top $top/?$" "$df" && ! grep -qxE "/?$top/?" "$root/.dockerignore" &&
        ok "Dockerfile: copies $top/ whole (meson.build reads it)" || bad "Dockerfile: copies $top/" "no 'COPY $top $top/' line"
done
runtime=$(awk '/^FROM debian:12-slim/ { rt = 1 } rt && /apt-get install/ { sub(/.*--no-install-recommends/, ""); sub(/\\$/, ""); print; exit }' "$df")
[ -n "$runtime" ] && ok "runtime packages: $runtime" || bad "runtime packages" "none found"
# shellcheck disable=SC2086
closure=$( { apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
               --no-enhances $runtime 2>/dev/null | grep -v '^ ' ;
             dpkg-query -W -f '${Package} ${Priority}\n' | awk '$2 == "required" { print $1 }'; } | sed 's/:.*//' | sort -u)
libs=0
listed() { ldd "$1" | awk '$3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u; }
# A sanitizer build (tests/run.sh --sanitize) also links the sanitizer
# runtimes, which the image's release build does not: leave those out.
sanitizer=
if grep -q __asan_init "$TOKD"; then
    sanitizer=$(for rt in libasan.so libubsan.so; do p=$(gcc -print-file-name=$rt); realpath "$p"; listed "$p"; done | sort -u)
    echo "     (sanitizer build: its runtimes and their libraries are not checked)"
fi
for lib in $(listed "$TOKD"); do
    if [ -n "$sanitizer" ] && echo "$sanitizer" | grep -qx "$(realpath "$lib")\|$lib"; then
        continue
    fi
    pkg=
    for p in "$lib" "$(realpath "$lib")" "/usr$lib" "${lib#/usr}"; do
        pkg=$(dpkg -S "$p" 2>/dev/null | head -1 | cut -d: -f1) && [ -n "$pkg" ] && break
    done
    libs=$((libs + 1))
    if [ -n "$pkg" ] && echo "$closure" | grep -qx "$pkg"; then
        ok "runtime stage provides $(basename "$lib") ($pkg)"
    else
        bad "runtime stage provides $(basename "$lib")" "package '${pkg:-unknown}' is not installed by the runtime stage"
    fi
done
[ "$libs" -ge 5 ] || bad "ldd listed libraries" "only $libs"

# ---- systemd unit
unit=$root/deploy/systemd/tokd.service
for key in '^ExecStart=/usr/local/bin/tokd serve ' '^KillSignal=SIGTERM$' '^Restart=on-failure$' '^StateDirectory=tokd$' \
           '^WantedBy=multi-user.target$' '^NoNewPrivileges=yes$'; do
    grep -qE "$key" "$unit" && ok "tokd.service: $key" || bad "tokd.service" "no line matching $key"
done
if command -v systemd-analyze > /dev/null; then
    SYSTEMD_LOG_LEVEL=err systemd-analyze verify "$unit" > "$tmp/verify" 2>&1
    grep -v "tokd: .*not found\|Command .* is not executable" "$tmp/verify" | grep -q . &&
        bad "systemd-analyze verify" "$(cat "$tmp/verify")" || ok "systemd-analyze verify"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
