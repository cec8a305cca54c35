/* model_wordpiece.c - WordPiece as a model (see model_wordpiece.h).
 *
 * A candidate never needs to be longer than the vocabulary's longest token,
 * so the search for each subword starts there instead of at the end of the
 * piece: the same tokens as Hugging Face's end-of-word-first search,
 * without its quadratic cost on long pieces. */
#include <stdlib.h>
#include <string.h>

#include "model_wordpiece.h"

typedef struct wordpiece {
    const tokd__rankmap *map;
    tokd__wordpiece_options o;
    size_t longest; /* bytes of the longest token */
} wordpiece;

/* Bytes of the character that ends at p[end) (one for byte-level). */
static size_t last_char_len(const wordpiece *w, const uint8_t *p, size_t start, size_t end)
{
    size_t k = 1;
    while (!w->o.byte_level && end - k > start && (p[end - k] & 0xC0) == 0x80)
        k++;
    return k;
}

static size_t n_chars(const wordpiece *w, const uint8_t *p, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += w->o.byte_level || (p[i] & 0xC0) != 0x80;
    return c;
}

/* The longest token spelling p[start..end) for some end (with the prefix
 * when start > 0), using key (n_prefix + longest bytes); *end set, or
 * TOKD__NO_RANK. */
static uint32_t longest_match(const wordpiece *w, const uint8_t *p, size_t n, size_t start, uint8_t *key,
                              size_t *end)
{
    size_t pre = start > 0 ? w->o.prefix.n : 0;
    size_t e = n - start > w->longest ? start + w->longest : n;
    while (e > start && e < n && (p[e] & 0xC0) == 0x80 && !w->o.byte_level)
        e--; /* cut only between characters */
    if (pre)
        memcpy(key, w->o.prefix.s, pre);
    memcpy(key + pre, p + start, e - start);
    for (; e > start; e -= last_char_len(w, p, start, e)) {
        uint32_t id = tokd__rankmap_get(w->map, key, pre + e - start);
        if (id != TOKD__NO_RANK) {
            *end = e;
            return id;
        }
    }
    return TOKD__NO_RANK;
}

static int unk_piece(const wordpiece *w, size_t n, tokd__sink *sink)
{
    return w->o.unk_id < 0 ? TOKD_EUNSUPPORTED : tokd__sink_token(sink, (uint32_t)w->o.unk_id, 0, n);
}

/* Subwords of the piece into ids/ends (at most n of each); 0 if one is missing. */
static size_t subwords(const wordpiece *w, const uint8_t *p, size_t n, uint8_t *key, uint32_t *ids, uint32_t *ends)
{
    size_t k = 0, end;
    for (size_t start = 0; start < n; start = end) {
        uint32_t id = longest_match(w, p, n, start, key, &end);
        if (id == TOKD__NO_RANK)
            return 0;
        ids[k] = id;
        ends[k++] = (uint32_t)end;
    }
    return k;
}

static int wordpiece_encode(const void *self, const uint8_t *p, size_t n, tokd__sink *sink)
{
    const wordpiece *w = self;
    if (n_chars(w, p, n) > w->o.max_chars)
        return unk_piece(w, n, sink);
    size_t key_len = w->o.prefix.n + w->longest;
    uint32_t small[2 * 64];
    uint8_t small_key[96];
    uint32_t *ids = small;
    uint8_t *key = small_key;
    if (n > 64 || key_len > sizeof small_key) {
        ids = malloc(2 * n * sizeof *ids + key_len);
        if (!ids)
            return TOKD_ENOMEM;
        key = (uint8_t *)(ids + 2 * n);
    }
    uint32_t *ends = ids + (ids == small ? 64 : n);
    size_t k = subwords(w, p, n, key, ids, ends);
    int rc = k ? 0 : unk_piece(w, n, sink);
    for (size_t i = 0; i < k && rc == 0; i++)
        rc = tokd__sink_token(sink, ids[i], i ? ends[i - 1] : 0, ends[i]);
    if (ids != small)
        free(ids);
    return rc;
}

static void wordpiece_free(void *self)
{
    wordpiece *w = self;
    if (w)
        free(w->o.prefix.s);
    free(w);
}

static const tokd__model_ops wordpiece_ops = {"wordpiece", wordpiece_encode, wordpiece_free};

int tokd__model_wordpiece(const tokd__vocab *vocab, tokd__wordpiece_options *o, tokd__model *out)
{
    wordpiece *w = malloc(sizeof *w);
    if (!w) {
        free(o->prefix.s);
        o->prefix = (tokd__affix){0};
        return TOKD_ENOMEM;
    }
    *w = (wordpiece){&vocab->map, *o, 1};
    o->prefix = (tokd__affix){0};
    for (uint32_t r = 0; r < vocab->map.n_ranks; r++)
        if (tokd__rankmap_len(&vocab->map, r) > w->longest)
            w->longest = tokd__rankmap_len(&vocab->map, r);
    *out = (tokd__model){&wordpiece_ops, w};
    return 0;
}
