/* piece_cache.c - the memo of pieces -> tokens (see piece_cache.h).
 *
 * Sizing: one slot per 64 bytes of text, a power of two between 256 and
 * 16,384 slots; texts under 4 kB get no cache (the misses that fill it
 * would cost more than its hits save). A piece is stored after the model
 * encoded it, only when the model succeeded, so a hit replays exactly what
 * the model appended. Keys are zero-padded, so a piece of up to 8 bytes
 * (most of them) hashes and compares as one word. */
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
    while (n < MAX_SLOTS && (size_t)n * 64 < len)
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

int tokd__piece_cache_find(tokd__piece_cache *c, const uint8_t *p, size_t n, tokd__sink *k, tokd__cache_probe *probe)
{
    probe->set = NULL;
    probe->before = k->ids ? k->ids->len : k->count;
    if (n > TOKD__CACHE_KEY)
        return 0;
    uint64_t w = n <= 8 ? tokd__load_tail(p, n) : 0;
    uint32_t h = n <= 8 ? (uint32_t)(((w + n) * 0x9E3779B97F4A7C15ull) >> 32) : tokd__rank_hash(p, n);
    tokd__cache_slot *s = &c->slots[h & c->mask & ~1u];
    for (int way = 0; way < 2; way++) {
        if (s[way].hash == h && s[way].len == n &&
            (n <= 8 ? tokd__load_tail(s[way].key, 8) == w : memcmp(s[way].key, p, n) == 0))
            return replay(&s[way], k) == 0 ? 1 : TOKD_ENOMEM;
    }
    probe->set = s;
    probe->hash = h;
    return 0;
}

void tokd__piece_cache_keep(const tokd__cache_probe *probe, const uint8_t *p, size_t n, const tokd__sink *k)
{
    size_t made = (k->ids ? k->ids->len : k->count) - probe->before;
    tokd__cache_slot *s = probe->set;
    if (!s || made > TOKD__CACHE_IDS)
        return;
    s[1] = s[0];
    s->hash = probe->hash;
    s->len = (uint8_t)n;
    s->n_ids = (uint8_t)made;
    memset(s->key, 0, sizeof s->key);
    memcpy(s->key, p, n);
    if (k->ids)
        memcpy(s->ids, k->ids->ids + probe->before, made * sizeof *s->ids);
}

int tokd__piece_cache_encode(tokd__piece_cache *c, const uint8_t *p, size_t n, tokd__sink *k)
{
    const tokd__model *m = c->model;
    tokd__cache_probe probe;
    int rc = tokd__piece_cache_find(c, p, n, k, &probe);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    rc = m->ops->encode(m->self, p, n, k);
    if (rc == 0)
        tokd__piece_cache_keep(&probe, p, n, k);
    return rc;
}
