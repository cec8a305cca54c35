/* normalizer_precompiled.c - Hugging Face's Precompiled normalizer: a
 * sentencepiece character map (charsmap.h) applied as tokenizers 0.23 does.
 *
 * The text is cut into extended grapheme clusters (grapheme.h). A cluster
 * shorter than 6 bytes whose bytes start with a key of the map is replaced,
 * as a whole, by the first (shortest) such key's replacement, even when the
 * key is shorter than the cluster (so "Ａ" + U+0301 becomes "A": the mark
 * goes with it, as in the reference). Otherwise each character of the
 * cluster is looked up alone and replaced, or kept. Offsets follow the
 * reference's alignment of a replacement character by character
 * (put_aligned), so they equal Hugging Face's. */
#include <stdlib.h>
#include <string.h>

#include "charsmap.h"
#include "grapheme.h"
#include "normalizer.h"
#include "normalizer_precompiled.h"
#include "utf8.h"

/* Where the output stands: whether the last character written was one a
 * replacement added beyond the characters it replaced (out[from..to)). */
typedef struct emit_state {
    int last_added;
    size_t from, to;
} emit_state;

static size_t char_count(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((uint8_t)s[i] & 0xC0) != 0x80;
    return k;
}

/* Write rep in place of in[a..b) with Hugging Face's alignment: its j-th
 * character stands for the j-th replaced one, characters beyond them for
 * the last replaced one; an empty replacement removes the text, and a
 * character the previous replacement added then stands for the first
 * removed one. */
static int put_aligned(tokd__ntext *out, const char *rep, const tokd__ntext *in, size_t a, size_t b,
                       emit_state *st)
{
    size_t m = strlen(rep), k = char_count(in->s + a, b - a), old = a, len, olen, j = 0;
    if (m == 0 && st->last_added && out->track) {
        tokd__origin o;
        tokd__ntext_origin(in, a, a + 1, &o.start, &o.end);
        for (size_t i = st->from; i < st->to; i++)
            out->align[i] = o;
    }
    st->last_added = 0;
    for (size_t i = 0; i < m; i += len, j++) {
        tokd__utf8_next((const uint8_t *)rep, i, &len);
        size_t at = j < k ? old : b - 1;
        st->from = out->n;
        if (tokd__ntext_put(out, rep + i, len, in, at, at + 1) != 0)
            return TOKD_ENOMEM;
        st->to = out->n;
        st->last_added = j >= k;
        if (j < k) {
            tokd__utf8_next((const uint8_t *)in->s, old, &olen);
            old += olen;
        }
    }
    return 0;
}

/* Replace s[a..b) if a key starts it: 1 when replaced, 0, or TOKD_ENOMEM. */
static int replace_prefix(const tokd__charsmap *m, tokd__ntext *out, const tokd__ntext *in, size_t a, size_t b,
                          emit_state *st)
{
    size_t key;
    const char *rep;
    if (!tokd__charsmap_match(m, (const uint8_t *)in->s + a, b - a, 0, &key, &rep))
        return 0;
    return put_aligned(out, rep, in, a, b, st) ? TOKD_ENOMEM : 1;
}

static int cluster(const tokd__charsmap *m, tokd__ntext *out, const tokd__ntext *in, size_t a, size_t b,
                   emit_state *st)
{
    int rc = b - a < 6 ? replace_prefix(m, out, in, a, b, st) : 0;
    size_t len;
    for (size_t i = a; rc == 0 && i < b; i += len) {
        tokd__utf8_next((const uint8_t *)in->s, i, &len);
        rc = replace_prefix(m, out, in, i, i + len, st);
        if (rc == 0) {
            st->last_added = 0;
            rc = tokd__ntext_copy(out, in, i, i + len);
        } else if (rc == 1) {
            rc = 0;
        }
    }
    return rc < 0 ? rc : 0;
}

static int precompiled_apply(const void *self, tokd__ntext *t)
{
    const tokd__charsmap *m = self;
    tokd__ntext next = tokd__ntext_empty(t);
    emit_state st = {0, 0, 0};
    int rc = 0;
    for (size_t i = 0, len; i < t->n && rc == 0; i += len) {
        len = tokd__grapheme_len((const uint8_t *)t->s, t->n, i);
        rc = cluster(m, &next, t, i, i + len, &st);
    }
    tokd__ntext_swap(t, &next);
    tokd__ntext_release(&next);
    return rc;
}

static void precompiled_free(void *self)
{
    if (!self)
        return;
    tokd__charsmap_release(self);
    free(self);
}

static const tokd__normalizer_ops precompiled_ops = {"Precompiled", precompiled_apply, precompiled_free};

int tokd__normalizer_precompiled(const uint8_t *blob, size_t n, const char *what, tokd__normalizer *out,
                                 tokd_error *err)
{
    tokd__charsmap *m = malloc(sizeof *m);
    if (!m)
        return TOKD_ENOMEM;
    int rc = tokd__charsmap_init(m, blob, n, what, err);
    if (rc != 0) {
        free(m);
        return rc;
    }
    *out = (tokd__normalizer){&precompiled_ops, m};
    return 0;
}
