/* utf8.c - UTF-8 validation and Python-compatible replacement.
 *
 * Replacement follows Unicode's "maximal subpart" practice (Unicode 15,
 * section 3.9, U+FFFD substitution), which is what Python 3's
 * bytes.decode("utf-8", errors="replace") and WHATWG's decoder do: a lead
 * byte followed by a valid but truncated continuation becomes one U+FFFD;
 * a byte that can start no sequence (80..BF, C0, C1, F5..FF) becomes one
 * U+FFFD on its own. The table of valid second bytes excludes overlongs
 * (E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and values past U+10FFFF
 * (F4 90..BF). */
#include <string.h>

#include "buf.h"
#include "utf8.h"

/* Length of the sequence started by lead byte c, and the range its second
 * byte must fall in; 0 for bytes that cannot lead. */
static size_t lead(uint8_t c, uint8_t *lo, uint8_t *hi)
{
    *lo = 0x80;
    *hi = 0xBF;
    if (c < 0x80)
        return 1;
    if (c < 0xC2)
        return 0;
    if (c < 0xE0)
        return 2;
    if (c < 0xF0) {
        if (c == 0xE0)
            *lo = 0xA0;
        else if (c == 0xED)
            *hi = 0x9F;
        return 3;
    }
    if (c < 0xF5) {
        if (c == 0xF0)
            *lo = 0x90;
        else if (c == 0xF4)
            *hi = 0x8F;
        return 4;
    }
    return 0;
}

size_t tokd__utf8_valid_prefix(const uint8_t *s, size_t len, size_t *maximal)
{
    uint8_t lo, hi;
    size_t n = lead(s[0], &lo, &hi);
    *maximal = 1;
    if (n == 0)
        return 0;
    for (size_t k = 1; k < n; k++) {
        uint8_t b = k < len ? s[k] : 0;
        int ok = k == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xBF);
        if (k >= len || !ok) {
            *maximal = k;
            return 0;
        }
    }
    return n;
}

int tokd_utf8_valid(const char *s, size_t len)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t i = 0, bad;
    while (i < len) {
        uint64_t w;
        if (len - i >= 8 && (memcpy(&w, p + i, 8), (w & 0x8080808080808080ull) == 0)) {
            i += 8; /* eight ASCII bytes */
            continue;
        }
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = tokd__utf8_valid_prefix(p + i, len - i, &bad);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}

int tokd_utf8_sanitize(const char *s, size_t len, tokd_bytes *out)
{
    static const char fffd[3] = {(char)0xEF, (char)0xBF, (char)0xBD};
    const uint8_t *p = (const uint8_t *)s;
    size_t i = 0, run = 0, bad;
    if (tokd__bytes_reserve(out, len) != 0)
        return TOKD_ENOMEM;
    while (i < len) {
        size_t n = p[i] < 0x80 ? 1 : tokd__utf8_valid_prefix(p + i, len - i, &bad);
        if (n) {
            i += n;
            continue;
        }
        if (tokd__bytes_append(out, p + run, i - run) != 0 || tokd__bytes_append(out, fffd, 3) != 0)
            return TOKD_ENOMEM;
        i += bad;
        run = i;
    }
    return tokd__bytes_append(out, p + run, i - run);
}
