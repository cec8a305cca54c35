#!/bin/sh
# test_symbols.sh LIBTOKD_SO INCLUDE_DIR CC... - the shared libtokd exports
# exactly the functions include/tokd/ declares: nothing internal (tokd__*,
# static helpers, the bundled tables) and nothing public left hidden.
# The declared names come from the preprocessed headers, so comments do not
# count. Symbols the compiler's instrumentation adds under the sanitizers
# (__asan*, __ubsan*, __sanitizer*, __odr_asan*) are not libtokd's and are
# left out.
set -eu
lib=$1
incdir=$2
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
nm -D --defined-only "$lib" | awk '{print $NF}' |
    grep -v -E '^(_init|_fini|__bss_start|_edata|_end|__(asan|ubsan|sanitizer|odr_asan)[A-Za-z0-9_.]*)$' |
    sort -u > "$work/exported"
echo '#include "tokd/tokd.h"' | "$@" -E -P -I"$incdir" -x c - |
    grep -o -E '\btokd_[a-z0-9_]+[[:space:]]*\(' | sed 's/[[:space:]]*($//' | sort -u > "$work/declared"
if ! diff -u "$work/declared" "$work/exported"; then
    echo "FAIL: the exported symbols (+) differ from the declared functions (-)"
    exit 1
fi
echo "ok: $(wc -l < "$work/exported") symbols exported, each declared in $incdir/tokd"
