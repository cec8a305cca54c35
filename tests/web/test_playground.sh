#!/bin/bash
# test_playground.sh PATH/TO/tokd - the playground page in headless Chromium
# (Debian's chromium + the pinned npm playwright-core) against a real tokd
# serve on loopback, with a CJK and an emoji font installed (so they show as
# glyphs, not boxes). Screenshots: build/playground-artifacts/.
set -u
TOKD=$1
here=$(cd "$(dirname "$0")" && pwd)
artifacts=$(cd "$(dirname "$TOKD")" && pwd)/playground-artifacts
mkdir -p "$artifacts"
if [ ! -x /usr/bin/chromium ]; then
    echo "FAIL /usr/bin/chromium is missing (apt-get install chromium)"
    echo "0 passed, 1 failed"
    exit 1
fi
# without a CJK and an emoji font the screenshots show empty boxes for them
if [ -z "$(fc-list :lang=zh family)" ] || ! fc-list | grep -qi 'color emoji'; then
    echo "FAIL no CJK or no emoji font (apt-get install fonts-noto-cjk fonts-noto-color-emoji)"
    echo "0 passed, 1 failed"
    exit 1
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) > "$here/npm.log" 2>&1 ||
        { echo "FAIL npm ci: $(tail -5 "$here/npm.log")"; echo "0 passed, 1 failed"; exit 1; }
fi
source "$here/../integration/lib.sh"
start_server playground --log-requests false || exit 1
node "$here/test_playground.cjs" "http://127.0.0.1:$PORT" "$artifacts"
rc=$?
stop "$PID"
exit $rc
