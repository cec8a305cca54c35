/* merge.c - the BPE merge loop, with incremental pair counts.
 *
 * Every distinct piece becomes a word: a run of symbol positions in one
 * array, linked (prev/next) so a merge rewrites two positions in O(1), and
 * weighted by how often the piece occurs. For each adjacent pair of tokens
 * the table below keeps its weighted count and a list of positions where it
 * occurred. A max-heap orders pairs by (count, then smaller ids): entries
 * are lazy - when a popped entry's count is stale it is pushed back with the
 * current one - so a merge only touches the positions of the pair it
 * merges and the counts of their neighbours, never recounting everything.
 *
 * Position lists are never cleaned: a merge checks each listed position
 * still holds the pair. A pair of two equal tokens (a, a) can overlap
 * ("aaa"); its positions are sorted so the leftmost occurrence merges first,
 * as a left-to-right merge of each piece would. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "rankmap.h"
#include "train_impl.h"

#define NONE UINT32_MAX
#define DEAD UINT32_MAX
#define EMPTY UINT64_MAX

typedef struct pair_slot {
    uint64_t key; /* left << 32 | right; EMPTY */
    int64_t count;
    uint32_t head;  /* first occurrence node, NONE */
    uint32_t stamp; /* merge number + 1 that last raised it */
} pair_slot;

typedef struct occ {
    uint32_t pos, next;
} occ;

typedef struct heap_entry {
    int64_t count;
    uint64_t key;
} heap_entry;

typedef struct trainer {
    /* symbols: one per byte of every distinct piece */
    uint32_t *sym, *next, *prev, *word;
    size_t n_sym;
    int64_t *weight; /* per word */
    /* pairs */
    pair_slot *pairs;
    size_t pair_mask, n_pairs;
    /* occurrence nodes: each pair's positions, newest first */
    occ *occs;
    size_t n_occ, cap_occ;
    /* heap */
    heap_entry *heap;
    size_t n_heap, cap_heap;
    /* pairs raised by the current merge */
    uint64_t *touched;
    size_t n_touched, cap_touched;
    /* vocabulary lookup: token bytes -> id + 1 */
    uint32_t *vslots;
    uint32_t vmask;
    size_t vbytes_cap, merges_cap;
    uint32_t stamp;
} trainer;

static pair_slot *pair_slot_for(pair_slot *slots, size_t mask, uint64_t key)
{
    uint64_t h = key * 0x9E3779B97F4A7C15ull;
    for (size_t i = (h ^ (h >> 29)) & mask;; i = (i + 1) & mask)
        if (slots[i].key == key || slots[i].key == EMPTY)
            return &slots[i];
}

static int pairs_grow(trainer *t)
{
    size_t size = t->pairs ? (t->pair_mask + 1) * 2 : 1u << 16;
    pair_slot *s = malloc(size * sizeof *s);
    if (!s)
        return TOKD_ENOMEM;
    for (size_t i = 0; i < size; i++)
        s[i] = (pair_slot){EMPTY, 0, NONE, 0};
    for (size_t i = 0; t->pairs && i <= t->pair_mask; i++)
        if (t->pairs[i].key != EMPTY)
            *pair_slot_for(s, size - 1, t->pairs[i].key) = t->pairs[i];
    free(t->pairs);
    t->pairs = s;
    t->pair_mask = size - 1;
    return 0;
}

static inline uint64_t key_of(uint32_t left, uint32_t right)
{
    return (uint64_t)left << 32 | right;
}

/* Lower an existing pair's count. */
static void pair_drop(trainer *t, uint32_t left, uint32_t right, int64_t w)
{
    pair_slot_for(t->pairs, t->pair_mask, key_of(left, right))->count -= w;
}

/* Raise a pair's count and note that it occurs at `pos`. */
static int pair_raise(trainer *t, uint32_t left, uint32_t right, int64_t w, uint32_t pos)
{
    uint64_t key = key_of(left, right);
    pair_slot *s = pair_slot_for(t->pairs, t->pair_mask, key);
    if (s->key == EMPTY) {
        if ((t->n_pairs + 1) * 2 > t->pair_mask + 1) {
            if (pairs_grow(t) != 0)
                return TOKD_ENOMEM;
            s = pair_slot_for(t->pairs, t->pair_mask, key);
        }
        s->key = key;
        t->n_pairs++;
    }
    if (t->n_occ >= NONE || tokd__reserve((void **)&t->occs, &t->cap_occ, t->n_occ + 1, sizeof *t->occs) != 0)
        return TOKD_ENOMEM;
    t->occs[t->n_occ] = (occ){pos, s->head};
    s->head = (uint32_t)t->n_occ++;
    s->count += w;
    if (s->stamp != t->stamp) {
        s->stamp = t->stamp;
        if (tokd__reserve((void **)&t->touched, &t->cap_touched, t->n_touched + 1, sizeof *t->touched) != 0)
            return TOKD_ENOMEM;
        t->touched[t->n_touched++] = key;
    }
    return 0;
}

/* Max-heap on count, then on the smaller key. */
static inline int above(const heap_entry *x, const heap_entry *y)
{
    return x->count > y->count || (x->count == y->count && x->key < y->key);
}

static int heap_push(trainer *t, int64_t count, uint64_t key)
{
    if (tokd__reserve((void **)&t->heap, &t->cap_heap, t->n_heap + 1, sizeof *t->heap) != 0)
        return TOKD_ENOMEM;
    heap_entry e = {count, key};
    size_t i = t->n_heap++;
    while (i > 0 && above(&e, &t->heap[(i - 1) / 2])) {
        t->heap[i] = t->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    t->heap[i] = e;
    return 0;
}

static int heap_pop(trainer *t, heap_entry *top)
{
    if (!t->n_heap)
        return 0;
    *top = t->heap[0];
    heap_entry last = t->heap[--t->n_heap];
    size_t i = 0, n = t->n_heap;
    for (size_t c; (c = 2 * i + 1) < n; i = c) {
        if (c + 1 < n && above(&t->heap[c + 1], &t->heap[c]))
            c++;
        if (!above(&t->heap[c], &last))
            break;
        t->heap[i] = t->heap[c];
    }
    if (n)
        t->heap[i] = last;
    return 1;
}

static uint32_t token_len(const tokd__vocab *v, uint32_t id)
{
    return v->off[id + 1] - v->off[id];
}

/* May the pair become a token (within max_token_bytes)? */
static int mergeable(const tokd__vocab *v, const tokd__merge_limits *lim, uint64_t key)
{
    return !lim->max_token_bytes ||
           token_len(v, (uint32_t)(key >> 32)) + token_len(v, (uint32_t)key) <= lim->max_token_bytes;
}

static void vocab_index(trainer *t, const tokd__vocab *v, uint32_t id)
{
    uint32_t h = tokd__rank_hash(v->bytes + v->off[id], token_len(v, id));
    uint32_t i = h & t->vmask;
    while (t->vslots[i])
        i = (i + 1) & t->vmask;
    t->vslots[i] = id + 1;
}

static int vocab_reindex(trainer *t, const tokd__vocab *v)
{
    uint32_t size = t->vslots ? (t->vmask + 1) * 2 : 1024;
    free(t->vslots);
    if (!(t->vslots = calloc(size, sizeof *t->vslots)))
        return TOKD_ENOMEM;
    t->vmask = size - 1;
    for (uint32_t id = 0; id < v->n; id++)
        vocab_index(t, v, id);
    return 0;
}

/* The id of left+right's bytes: an existing token's or a new one. */
static int vocab_join(trainer *t, tokd__vocab *v, uint32_t left, uint32_t right, uint32_t *id)
{
    uint32_t ll = token_len(v, left), lr = token_len(v, right), len = ll + lr, end = v->off[v->n];
    if (tokd__reserve((void **)&v->bytes, &t->vbytes_cap, (size_t)end + len, 1) != 0)
        return TOKD_ENOMEM;
    if ((v->n + 2) * 2 > t->vmask + 1 && vocab_reindex(t, v) != 0)
        return TOKD_ENOMEM;
    memmove(v->bytes + end, v->bytes + v->off[left], ll);
    memmove(v->bytes + end + ll, v->bytes + v->off[right], lr);
    uint32_t h = tokd__rank_hash(v->bytes + end, len);
    for (uint32_t i = h & t->vmask; t->vslots[i]; i = (i + 1) & t->vmask) {
        uint32_t other = t->vslots[i] - 1;
        if (token_len(v, other) == len && memcmp(v->bytes + v->off[other], v->bytes + end, len) == 0) {
            *id = other;
            return 0;
        }
    }
    uint32_t *off = realloc(v->off, (v->n + 2) * sizeof *off);
    if (!off)
        return TOKD_ENOMEM;
    v->off = off;
    v->off[v->n + 1] = end + len;
    *id = v->n++;
    vocab_index(t, v, *id);
    return 0;
}

static int record_merge(trainer *t, tokd__vocab *v, uint32_t left, uint32_t right, uint32_t id)
{
    if (tokd__reserve((void **)&v->merges, &t->merges_cap, ((size_t)v->n_merges + 1) * 3, sizeof *v->merges) != 0)
        return TOKD_ENOMEM;
    uint32_t *m = &v->merges[(size_t)v->n_merges++ * 3];
    m[0] = left, m[1] = right, m[2] = id;
    return 0;
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

/* The positions listed for a pair, detached from it; sorted for (a, a). */
static uint32_t *take_positions(trainer *t, uint64_t key, size_t *n)
{
    pair_slot *s = pair_slot_for(t->pairs, t->pair_mask, key);
    size_t k = 0;
    for (uint32_t o = s->head; o != NONE; o = t->occs[o].next)
        k++;
    uint32_t *pos = malloc((k ? k : 1) * sizeof *pos);
    if (!pos)
        return NULL;
    k = 0;
    for (uint32_t o = s->head; o != NONE; o = t->occs[o].next)
        pos[k++] = t->occs[o].pos;
    s->head = NONE;
    if ((uint32_t)(key >> 32) == (uint32_t)key)
        qsort(pos, k, sizeof *pos, cmp_u32);
    *n = k;
    return pos;
}

/* Merge left+right into `id` wherever the pair still stands. */
static int apply(trainer *t, tokd__vocab *v, uint32_t left, uint32_t right, uint32_t id)
{
    size_t n;
    uint32_t *pos = take_positions(t, key_of(left, right), &n);
    int rc = pos ? 0 : TOKD_ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        uint32_t p = pos[i], q = t->next[p];
        if (t->sym[p] != left || q == NONE || t->sym[q] != right)
            continue;
        int64_t w = t->weight[t->word[p]];
        uint32_t l = t->prev[p], r = t->next[q];
        if (l != NONE)
            pair_drop(t, t->sym[l], left, w);
        if (r != NONE)
            pair_drop(t, right, t->sym[r], w);
        t->sym[p] = id;
        t->sym[q] = DEAD;
        t->next[p] = r;
        if (r != NONE)
            t->prev[r] = p;
        if (l != NONE)
            rc = pair_raise(t, t->sym[l], id, w, l);
        if (r != NONE && rc == 0)
            rc = pair_raise(t, id, t->sym[r], w, p);
        v->tokens -= (uint64_t)w;
    }
    free(pos);
    pair_slot_for(t->pairs, t->pair_mask, key_of(left, right))->count = 0;
    return rc;
}

static int push_touched(trainer *t, const tokd__vocab *v, const tokd__merge_limits *lim)
{
    for (size_t i = 0; i < t->n_touched; i++) {
        const pair_slot *s = pair_slot_for(t->pairs, t->pair_mask, t->touched[i]);
        if (s->count > 0 && mergeable(v, lim, s->key) && heap_push(t, s->count, s->key) != 0)
            return TOKD_ENOMEM;
    }
    t->n_touched = 0;
    return 0;
}

static int load_words(trainer *t, const tokd__pieces *pieces, int64_t min_count, tokd__vocab *v)
{
    size_t n_sym = 0, n_words = 0;
    int64_t weighted = 0, w_len; /* bounds every pair count: no overflow in the merge loop */
    for (size_t i = 0; i < pieces->n; i++) {
        const tokd__piece *e = &pieces->e[i];
        if (e->count < min_count)
            continue;
        if (__builtin_mul_overflow(e->count, (int64_t)e->len, &w_len) ||
            __builtin_add_overflow(weighted, w_len, &weighted))
            return TOKD_ELIMIT;
        n_sym += e->len, n_words++;
    }
    if (n_sym >= NONE)
        return TOKD_ELIMIT;
    t->sym = malloc((n_sym + 1) * sizeof *t->sym);
    t->next = malloc((n_sym + 1) * sizeof *t->next);
    t->prev = malloc((n_sym + 1) * sizeof *t->prev);
    t->word = malloc((n_sym + 1) * sizeof *t->word);
    t->weight = malloc((n_words + 1) * sizeof *t->weight);
    if (!t->sym || !t->next || !t->prev || !t->word || !t->weight)
        return TOKD_ENOMEM;
    uint32_t at = 0, w = 0;
    for (size_t i = 0; i < pieces->n; i++) {
        const tokd__piece *e = &pieces->e[i];
        if (e->count < min_count)
            continue;
        t->weight[w] = e->count;
        for (uint32_t j = 0; j < e->len; j++, at++) {
            t->sym[at] = e->p[j];
            t->word[at] = w;
            t->prev[at] = j ? at - 1 : NONE;
            t->next[at] = j + 1 < e->len ? at + 1 : NONE;
            if (j && pair_raise(t, e->p[j - 1], e->p[j], e->count, at - 1) != 0)
                return TOKD_ENOMEM;
        }
        v->tokens += (uint64_t)e->count * e->len;
        w++;
    }
    t->n_sym = n_sym;
    return 0;
}

static int vocab_bytes(trainer *t, tokd__vocab *v)
{
    if (tokd__reserve((void **)&v->bytes, &t->vbytes_cap, 256, 1) != 0 || !(v->off = malloc(257 * sizeof *v->off)))
        return TOKD_ENOMEM;
    for (uint32_t b = 0; b < 256; b++) {
        v->bytes[b] = (uint8_t)b;
        v->off[b] = b;
    }
    v->off[256] = 256;
    v->n = 256;
    return vocab_reindex(t, v);
}

static int merge_loop(trainer *t, tokd__vocab *v, const tokd__merge_limits *lim, tokd_train_progress *pg)
{
    heap_entry top;
    while (v->n < lim->tokens && heap_pop(t, &top)) {
        pair_slot *s = pair_slot_for(t->pairs, t->pair_mask, top.key);
        if (s->count != top.count) {
            if (s->count > 0 && heap_push(t, s->count, top.key) != 0)
                return TOKD_ENOMEM;
            continue;
        }
        if ((uint64_t)top.count < lim->min_frequency)
            break;
        uint32_t left = (uint32_t)(top.key >> 32), right = (uint32_t)top.key, id;
        t->stamp = v->n_merges + 2; /* load_words used stamp 0 and 1 is unused */
        int rc = vocab_join(t, v, left, right, &id);
        if (rc == 0)
            rc = record_merge(t, v, left, right, id);
        if (rc == 0)
            rc = apply(t, v, left, right, id);
        if (rc == 0)
            rc = push_touched(t, v, lim);
        if (rc != 0)
            return rc;
        if (pg)
            atomic_store_explicit(&pg->merges_done, v->n - 256u, memory_order_relaxed);
        if (v->n_merges % 64 == 0 && tokd__train_checkpoint(pg))
            return TOKD_ECANCELLED;
    }
    return 0;
}

static void trainer_release(trainer *t)
{
    free(t->sym);
    free(t->next);
    free(t->prev);
    free(t->word);
    free(t->weight);
    free(t->pairs);
    free(t->occs);
    free(t->heap);
    free(t->touched);
    free(t->vslots);
}

void tokd__vocab_release(tokd__vocab *v)
{
    free(v->bytes);
    free(v->off);
    free(v->merges);
    memset(v, 0, sizeof *v);
}

int tokd__merge(const tokd__pieces *pieces, const tokd__merge_limits *lim, tokd_train_progress *pg,
                tokd__vocab *out, tokd_error *err)
{
    trainer t = {0};
    tokd__vocab v = {0};
    if (pg) {
        atomic_store(&pg->merges_total, lim->tokens > 256 ? lim->tokens - 256u : 0);
        atomic_store(&pg->phase, TOKD_TRAIN_MERGING);
    }
    int rc = pairs_grow(&t);
    if (rc == 0)
        rc = vocab_bytes(&t, &v);
    if (rc == 0)
        rc = load_words(&t, pieces, lim->min_count > 1 ? lim->min_count : 1, &v);
    for (size_t i = 0; rc == 0 && i <= t.pair_mask; i++)
        if (t.pairs[i].key != EMPTY && mergeable(&v, lim, t.pairs[i].key))
            rc = heap_push(&t, t.pairs[i].count, t.pairs[i].key);
    t.n_touched = 0;
    if (rc == 0)
        rc = merge_loop(&t, &v, lim, pg);
    trainer_release(&t);
    if (rc != 0) {
        tokd__vocab_release(&v);
        if (rc == TOKD_ECANCELLED)
            return tokd_error_set(err, rc, "training was cancelled");
        return tokd_error_set(err, rc,
                              rc == TOKD_ELIMIT ? "the corpus has more than 4 billion distinct piece bytes, or its "
                                                  "counts times piece lengths pass 2^63-1"
                                                : "out of memory while merging");
    }
    *out = v;
    return 0;
}
