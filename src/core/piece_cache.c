/* piece_cache.c - the memo of pieces -> tokens (see piece_cache.h).
 *
 * Sizing: one slot per 128 bytes of text, a power of two between 256 and
 * 16,384 slots; texts under 4 kB get no cache (the misses that fill it
 * would cost more than its hits save). A piece is stored after the model
 * encoded it, only when the model succeeded, so a hit replays exactly what
 * the model appended. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "piece_cache.h"
#include "rankmap.h"

#define MIN_TEXT 4096
#define MIN_SLOTS 256u
#define MAX_SLOTS 16384u

tokd__piece_cache *tokd__piece_cache_new(const tokd__model *m, size_t len)
{
    if (len < MIN_TEXT)
        return NULL;
    uint32_t n = MIN_SLOTS;
    while (n < MAX_SLOTS && (size_t)n * 128 < len)
        n *= 2;
    tokd__piece_cache *c = malloc(sizeof *c);
    tokd__cache_slot *slots = calloc(n, sizeof *slots);
    if (!c || !slots) {
        free(c);
        free(slots);
        return NULL;
    }
    *c = (tokd__piece_cache){m, slots, n - 1};
    return c;
}

void tokd__piece_cache_free(tokd__piece_cache *c)
{
    if (c)
        free(c->slots);
    free(c);
}

static int replay(const tokd__cache_slot *s, tokd__sink *k)
{
    if (!k->ids) {
        k->count += s->n_ids;
        return 0;
    }
    tokd_ids *out = k->ids;
    if (out->cap - out->len < s->n_ids && tokd__ids_reserve(out, s->n_ids) != 0)
        return TOKD_ENOMEM;
    for (unsigned i = 0; i < s->n_ids; i++)
        out->ids[out->len + i] = s->ids[i];
    out->len += s->n_ids;
    return 0;
}

/* Keep what the model just appended for p[0..n) in slot s, if it fits. */
static void remember(tokd__cache_slot *s, uint32_t h, const uint8_t *p, size_t n, const tokd__sink *k,
                     size_t before)
{
    size_t made = (k->ids ? k->ids->len : k->count) - before;
    if (made > TOKD__CACHE_IDS)
        return;
    s->hash = h;
    s->len = (uint8_t)n;
    s->n_ids = (uint8_t)made;
    memset(s->key, 0, sizeof s->key);
    memcpy(s->key, p, n);
    if (k->ids)
        memcpy(s->ids, k->ids->ids + before, made * sizeof *s->ids);
}

/* Whether slot s holds the n bytes at p: keys are zero-padded, so a piece
 * of up to 8 bytes compares as one word. */
static inline int same_key(const tokd__cache_slot *s, const uint8_t *p, size_t n)
{
    if (n > 8)
        return memcmp(s->key, p, n) == 0;
    return tokd__load_tail(s->key, 8) == tokd__load_tail(p, n);
}

int tokd__piece_cache_encode(tokd__piece_cache *c, const uint8_t *p, size_t n, tokd__sink *k)
{
    const tokd__model *m = c->model;
    if (n > TOKD__CACHE_KEY)
        return m->ops->encode(m->self, p, n, k);
    uint32_t h = tokd__rank_hash(p, n);
    tokd__cache_slot *s = &c->slots[h & c->mask];
    if (s->hash == h && s->len == n && same_key(s, p, n))
        return replay(s, k);
    size_t before = k->ids ? k->ids->len : k->count;
    int rc = m->ops->encode(m->self, p, n, k);
    if (rc == 0)
        remember(s, h, p, n, k, before);
    return rc;
}
