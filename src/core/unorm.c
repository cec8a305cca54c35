/* unorm.c - the Unicode normalization forms (UAX #15) as Hugging Face's
 * unicode-normalization-alignments crate computes them (see unorm.h).
 *
 * Decompose every code point (canonically or by compatibility; Hangul
 * syllables arithmetically), put each run of non-starters in canonical
 * order (a stable sort by combining class; a character keeps its change),
 * then for the composed forms join each character to the last starter when
 * a primary composite exists and nothing between them blocks it (a
 * character of class 0, or of a class not below its own). */
#include <stdlib.h>

#include "unorm.h"
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
    uint64_t k = *(const uint64_t *)key, e = ((const tokd__un_comp *)entry)->pair;
    return (k > e) - (k < e);
}

static int by_range(const void *key, const void *entry)
{
    uint32_t k = *(const uint32_t *)key;
    const tokd__un_range *r = entry;
    return k < r->first ? -1 : k > r->last;
}

int tokd__un_in(const tokd__un_range *r, size_t n, uint32_t cp)
{
    return bsearch(&cp, r, n, sizeof *r, by_range) != NULL;
}

static uint8_t ccc(uint32_t cp)
{
    if (cp < 0x300)
        return 0;
    const tokd__un_class *c = bsearch(&cp, tokd__un_classes, tokd__un_n_classes, sizeof *c, by_cp);
    return c ? c->ccc : 0;
}

static const uint32_t *mapped(const tokd__un_map *m, size_t n, uint32_t cp, size_t *len)
{
    const tokd__un_map *e = bsearch(&cp, m, n, sizeof *m, by_cp);
    if (!e)
        return NULL;
    *len = e->len;
    return tokd__un_pool + e->offset;
}

const uint32_t *tokd__un_lowercase(uint32_t cp, size_t *len)
{
    return mapped(tokd__un_lower, tokd__un_n_lower, cp, len);
}

static int compat(enum tokd__unorm_form f)
{
    return f == TOKD__NFKC || f == TOKD__NFKD;
}

static int composed(enum tokd__unorm_form f)
{
    return f == TOKD__NFC || f == TOKD__NFKC;
}

/* cp's decomposition in `form`, as Hugging Face's (char, change) pairs. */
static int decompose(enum tokd__unorm_form form, uint32_t cp, tokd__nchars *out)
{
    if (cp >= SBASE && cp < SBASE + SCOUNT) {
        uint32_t si = cp - SBASE;
        int rc = tokd__nchars_push(out, LBASE + si / NCOUNT, 0);
        if (rc == 0)
            rc = tokd__nchars_push(out, VBASE + (si % NCOUNT) / TCOUNT, 1);
        if (rc == 0 && si % TCOUNT)
            rc = tokd__nchars_push(out, TBASE + si % TCOUNT, 1);
        return rc;
    }
    size_t len = 0;
    const uint32_t *d = cp < 0xA0 ? NULL
                        : compat(form) ? mapped(tokd__un_compat, tokd__un_n_compat, cp, &len)
                                       : mapped(tokd__un_canonical, tokd__un_n_canonical, cp, &len);
    if (!d)
        return tokd__nchars_push(out, cp, 0);
    int rc = 0;
    for (size_t i = 0; i < len && rc == 0; i++)
        rc = tokd__nchars_push(out, d[i], i > 0);
    return rc;
}

/* Stable sort of each run of non-starters of v[from..n) by class. */
static void reorder(tokd__nchar *v, size_t from, size_t n)
{
    for (size_t i = from + 1; i < n; i++) {
        uint8_t c = ccc(v[i].cp);
        if (c == 0)
            continue;
        for (size_t j = i; j > from && ccc(v[j - 1].cp) > c; j--) {
            tokd__nchar t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    }
}

/* The primary composite of a + b, or 0. */
static uint32_t compose(uint32_t a, uint32_t b)
{
    if (a >= LBASE && a < LBASE + LCOUNT && b >= VBASE && b < VBASE + VCOUNT)
        return SBASE + ((a - LBASE) * VCOUNT + (b - VBASE)) * TCOUNT;
    if (a >= SBASE && a < SBASE + SCOUNT && (a - SBASE) % TCOUNT == 0 && b > TBASE && b < TBASE + TCOUNT)
        return a + (b - TBASE);
    uint64_t key = (uint64_t)a << 21 | b;
    const tokd__un_comp *c = bsearch(&key, tokd__un_comps, tokd__un_n_comps, sizeof *c, by_pair);
    return c ? c->cp : 0;
}

/* Compose v[from..n) in place; returns the new n. */
static size_t recompose(tokd__nchar *v, size_t from, size_t n)
{
    if (n <= from)
        return n;
    size_t starter = from, kept = from + 1;
    int have_starter = ccc(v[from].cp) == 0, last = 0; /* last: class of the last character kept */
    for (size_t i = from + 1; i < n; i++) {
        tokd__nchar x = v[i];
        int c = ccc(x.cp);
        uint32_t composite;
        int blocked = kept > starter + 1 && last >= c;
        if (have_starter && !blocked && (composite = compose(v[starter].cp, x.cp))) {
            v[starter].cp = composite;
            v[starter].change += x.change - 1;
            continue;
        }
        if (c == 0) {
            starter = kept;
            have_starter = 1;
        }
        last = c;
        v[kept++] = x;
    }
    return kept;
}

int tokd__unorm_quick(enum tokd__unorm_form form, const uint8_t *s, size_t n)
{
    (void)form;
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 0x80)
            return 0;
    return 1;
}

int tokd__unorm(enum tokd__unorm_form form, const uint8_t *s, size_t n, tokd__nchars *out)
{
    size_t from = out->n, len;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i += len)
        rc = decompose(form, tokd__utf8_next(s, i, &len), out);
    if (rc != 0)
        return rc;
    reorder(out->v, from, out->n);
    if (composed(form))
        out->n = recompose(out->v, from, out->n);
    return 0;
}
