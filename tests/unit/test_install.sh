#!/bin/sh
# test_install.sh BUILD_DIR SOURCE_DIR CC [CFLAGS] - `meson install` into a scratch
# DESTDIR puts every public header under include/tokd, the libraries and a
# tokd.pc; a program built only with `pkg-config --cflags --libs tokd`
# against that tree compiles, links the installed shared libtokd and runs.
# CFLAGS: the build's -fsanitize flags, which a program linking a sanitized
# libtokd needs too.
set -eu
build=$1
src=$2
cc=$3
cflags=${4:-}
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --no-rebuild --quiet --destdir "$dest" > "$dest.log" 2>&1 || {
    cat "$dest.log"; rm -f "$dest.log"; exit 1; }
rm -f "$dest.log"
status=0
for h in "$src"/include/tokd/*.h; do
    if ! find "$dest" -path "*/include/tokd/$(basename "$h")" | grep -q .; then
        echo "FAIL: $(basename "$h") is not installed"; status=1
    fi
done
pc=$(find "$dest" -name tokd.pc)
[ -n "$pc" ] || { echo "FAIL: no tokd.pc installed"; exit 1; }
export PKG_CONFIG_PATH="$(dirname "$pc")" PKG_CONFIG_SYSROOT_DIR="$dest"
cat > "$dest/use.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <tokd/tokd.h>
int main(void)
{
    char b64[8];
    tokd_base64_encode("tok", 3, b64);
    return strcmp(tokd_err_api_name(TOKD_EUTF8), "invalid_utf8") || strcmp(b64, "dG9r") ||
           printf("%s %s\n", TOKD_VERSION, b64) < 0;
}
C
# shellcheck disable=SC2046,SC2086 # pkg-config's flags and cflags are split on purpose
"$cc" $cflags -o "$dest/use" "$dest/use.c" $(pkg-config --cflags --libs tokd) || { echo "FAIL: cannot build against tokd.pc"; exit 1; }
libdir=$(dirname "$(find "$dest" -name 'libtokd.so.*' | head -1)")
LD_LIBRARY_PATH="$libdir" "$dest/use" || { echo "FAIL: the program linked against the installed libtokd failed"; exit 1; }
[ "$status" = 0 ] && echo "ok: headers, libtokd.so and tokd.pc installed; a pkg-config build links and runs"
exit $status
