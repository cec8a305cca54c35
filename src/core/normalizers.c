/* normalizers.c - Prepend, Replace and NFC (see normalizer.h).
 *
 * Alignment: Prepend's text belongs to the first character; each
 * replacement covers the bytes it replaced. NFC leaves most text unchanged:
 * the unchanged prefix and suffix keep their bytes' alignment and the
 * changed middle maps, as a whole, to the original bytes it came from (a
 * token there covers that whole stretch: coarser than Hugging Face's
 * per-character alignment, never wrong about which bytes were involved). */
#include <stdlib.h>
#include <string.h>

#include "nfc.h"
#include "normalizer.h"
#include "utf8.h"

typedef struct strings {
    char *a, *b;
} strings;

static void strings_free(void *self)
{
    strings *s = self;
    if (!s)
        return;
    free(s->a);
    free(s->b);
    free(s);
}

static int make_strings(const char *a, const char *b, const tokd__normalizer_ops *ops, tokd__normalizer *out)
{
    strings *s = calloc(1, sizeof *s);
    if (s && (!(s->a = strdup(a)) || (b && !(s->b = strdup(b))))) {
        strings_free(s);
        s = NULL;
    }
    if (!s)
        return TOKD_ENOMEM;
    *out = (tokd__normalizer){ops, s};
    return 0;
}

/* ---- Prepend ------------------------------------------------------------- */

static int prepend_apply(const void *self, tokd__ntext *t)
{
    const strings *s = self;
    if (t->n == 0)
        return 0;
    size_t first;
    tokd__utf8_next((const uint8_t *)t->s, 0, &first);
    tokd__ntext next = tokd__ntext_empty(t);
    int rc = tokd__ntext_put(&next, s->a, strlen(s->a), t, 0, first);
    if (rc == 0)
        rc = tokd__ntext_copy(&next, t, 0, t->n);
    tokd__ntext_swap(t, &next);
    tokd__ntext_release(&next);
    return rc;
}

static const tokd__normalizer_ops prepend_ops = {"Prepend", prepend_apply, strings_free};

int tokd__normalizer_prepend(const char *text, tokd__normalizer *out)
{
    return make_strings(text, NULL, &prepend_ops, out);
}

/* ---- Replace ------------------------------------------------------------- */

static int replace_apply(const void *self, tokd__ntext *t)
{
    const strings *s = self;
    size_t fl = strlen(s->a), tl = strlen(s->b), run = 0;
    const char *hit = memmem(t->s, t->n, s->a, fl);
    if (!hit)
        return 0; /* unchanged: the text (a view stays a view) */
    tokd__ntext next = tokd__ntext_empty(t);
    int rc = 0;
    while (rc == 0 && hit) {
        size_t i = (size_t)(hit - t->s);
        rc = tokd__ntext_copy(&next, t, run, i);
        if (rc == 0)
            rc = tokd__ntext_put(&next, s->b, tl, t, i, i + fl);
        run = i + fl;
        hit = memmem(t->s + run, t->n - run, s->a, fl);
    }
    if (rc == 0)
        rc = tokd__ntext_copy(&next, t, run, t->n);
    tokd__ntext_swap(t, &next);
    tokd__ntext_release(&next);
    return rc;
}

static const tokd__normalizer_ops replace_ops = {"Replace", replace_apply, strings_free};

int tokd__normalizer_replace(const char *from, const char *to, tokd__normalizer *out)
{
    return make_strings(from, to, &replace_ops, out);
}

/* ---- NFC ----------------------------------------------------------------- */

/* Length of the common prefix of a and b, on character boundaries of a. */
static size_t common_prefix(const char *a, size_t na, const char *b, size_t nb)
{
    size_t i = 0, len;
    while (i < na && i < nb) {
        tokd__utf8_next((const uint8_t *)a, i, &len);
        if (i + len > nb || memcmp(a + i, b + i, len) != 0)
            break;
        i += len;
    }
    return i;
}

/* Length of the common suffix, on character boundaries, at most `limit`. */
static size_t common_suffix(const char *a, size_t na, const char *b, size_t nb, size_t limit)
{
    size_t k = 0;
    while (k < limit && k < na && k < nb && a[na - 1 - k] == b[nb - 1 - k])
        k++;
    while (k > 0 && ((uint8_t)a[na - k] & 0xC0) == 0x80) /* back to a character start */
        k--;
    return k;
}

static int nfc_apply(const void *self, tokd__ntext *t)
{
    (void)self;
    tokd_bytes nf = {0};
    int rc = tokd__nfc((const uint8_t *)t->s, t->n, &nf);
    const char *o = nf.data ? nf.data : "";
    if (rc != 0 || (nf.len == t->n && memcmp(o, t->s, t->n) == 0)) {
        tokd_bytes_release(&nf);
        return rc;
    }
    size_t pre = common_prefix(t->s, t->n, o, nf.len);
    size_t limit = (t->n < nf.len ? t->n : nf.len) - pre;
    size_t suf = common_suffix(t->s, t->n, o, nf.len, limit);
    tokd__ntext next = tokd__ntext_empty(t);
    rc = tokd__ntext_copy(&next, t, 0, pre);
    if (rc == 0 && nf.len - suf > pre && t->n - suf > pre)
        rc = tokd__ntext_put(&next, o + pre, nf.len - suf - pre, t, pre, t->n - suf);
    if (rc == 0)
        rc = tokd__ntext_copy(&next, t, t->n - suf, t->n);
    tokd__ntext_swap(t, &next);
    tokd__ntext_release(&next);
    tokd_bytes_release(&nf);
    return rc;
}

static const tokd__normalizer_ops nfc_ops = {"NFC", nfc_apply, NULL};

int tokd__normalizer_nfc(tokd__normalizer *out)
{
    *out = (tokd__normalizer){&nfc_ops, NULL};
    return 0;
}

int tokd__normalize(const tokd__normalizer *v, size_t n, tokd__ntext *t)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = v[i].ops->apply(v[i].self, t);
    return rc;
}
