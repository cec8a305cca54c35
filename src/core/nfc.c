/* nfc.c - Unicode Normalization Form C (UAX #15).
 *
 * Decompose every code point canonically (tables for all but Hangul, whose
 * syllables decompose arithmetically), put each run of combining marks in
 * canonical order (stable by combining class), then compose: each mark or
 * starter joins the last starter when a primary composite exists and no
 * mark of the same or higher class stands between them. ASCII text is
 * returned as it is without this work. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "nfc.h"
#include "utf8.h"

enum { SBASE = 0xAC00, LBASE = 0x1100, VBASE = 0x1161, TBASE = 0x11A7, LCOUNT = 19, VCOUNT = 21, TCOUNT = 28 };
enum { NCOUNT = VCOUNT * TCOUNT, SCOUNT = LCOUNT * NCOUNT };

/* The tables are sorted by their first field (a code point, or a pair). */
static int by_cp(const void *key, const void *entry)
{
    uint32_t k = *(const uint32_t *)key, e = *(const uint32_t *)entry;
    return (k > e) - (k < e);
}

static int by_pair(const void *key, const void *entry)
{
    uint64_t k = *(const uint64_t *)key, e = ((const tokd__nfc_comp *)entry)->pair;
    return (k > e) - (k < e);
}

static uint8_t ccc(uint32_t cp)
{
    const tokd__nfc_class *c = bsearch(&cp, tokd__nfc_classes, tokd__nfc_n_classes, sizeof *c, by_cp);
    return c ? c->ccc : 0;
}

static const tokd__nfc_decomp *decomposition(uint32_t cp)
{
    return bsearch(&cp, tokd__nfc_decomps, tokd__nfc_n_decomps, sizeof *tokd__nfc_decomps, by_cp);
}

/* The primary composite of a + b, or 0. */
static uint32_t compose(uint32_t a, uint32_t b)
{
    if (a >= LBASE && a < LBASE + LCOUNT && b >= VBASE && b < VBASE + VCOUNT)
        return SBASE + ((a - LBASE) * VCOUNT + (b - VBASE)) * TCOUNT;
    if (a >= SBASE && a < SBASE + SCOUNT && (a - SBASE) % TCOUNT == 0 && b > TBASE && b < TBASE + TCOUNT)
        return a + (b - TBASE);
    uint64_t key = (uint64_t)a << 21 | b;
    const tokd__nfc_comp *c = bsearch(&key, tokd__nfc_comps, tokd__nfc_n_comps, sizeof *c, by_pair);
    return c ? c->cp : 0;
}

/* Canonical decomposition of s into cps (which has room for 4 * n). */
static size_t decompose(const uint8_t *s, size_t n, uint32_t *cps)
{
    size_t k = 0, len;
    for (size_t i = 0; i < n; i += len) {
        uint32_t cp = tokd__utf8_next(s, i, &len);
        const tokd__nfc_decomp *d;
        if (cp >= SBASE && cp < SBASE + SCOUNT) {
            uint32_t si = cp - SBASE;
            cps[k++] = LBASE + si / NCOUNT;
            cps[k++] = VBASE + (si % NCOUNT) / TCOUNT;
            if (si % TCOUNT)
                cps[k++] = TBASE + si % TCOUNT;
        } else if ((d = decomposition(cp))) {
            memcpy(cps + k, tokd__nfc_pool + d->offset, d->len * sizeof *cps);
            k += d->len;
        } else {
            cps[k++] = cp;
        }
    }
    return k;
}

/* Stable sort of each run of non-starters by combining class. */
static void reorder(uint32_t *cps, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint8_t c = ccc(cps[i]);
        if (c == 0)
            continue;
        for (size_t j = i; j > 0 && ccc(cps[j - 1]) > c; j--) {
            uint32_t t = cps[j];
            cps[j] = cps[j - 1];
            cps[j - 1] = t;
        }
    }
}

static size_t recompose(uint32_t *cps, size_t n)
{
    if (n == 0)
        return 0;
    size_t starter = 0, kept = 1;
    int last = ccc(cps[0]) ? 256 : 0;
    for (size_t i = 1; i < n; i++) {
        uint32_t ch = cps[i], composite;
        int c = ccc(ch);
        if ((last < c || last == 0) && (composite = compose(cps[starter], ch))) {
            cps[starter] = composite;
            continue;
        }
        if (c == 0)
            starter = kept;
        last = c;
        cps[kept++] = ch;
    }
    return kept;
}

int tokd__nfc(const uint8_t *s, size_t n, tokd_bytes *out)
{
    size_t i = 0;
    while (i < n && s[i] < 0x80)
        i++;
    if (i == n)
        return tokd__bytes_append(out, s, n);
    uint32_t *cps = malloc((4 * n + 1) * sizeof *cps);
    if (!cps)
        return TOKD_ENOMEM;
    size_t k = decompose(s, n, cps);
    reorder(cps, k);
    k = recompose(cps, k);
    int rc = tokd__bytes_reserve(out, 4 * k);
    for (size_t j = 0; j < k && rc == 0; j++) {
        char buf[4];
        rc = tokd__bytes_append(out, buf, tokd__utf8_put(cps[j], buf));
    }
    free(cps);
    return rc;
}
