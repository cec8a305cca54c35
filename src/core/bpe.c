/* bpe.c - lowest-rank-first byte-pair merging, in near-linear time.
 *
 * A pair's rank and the token it merges into come from pair_rank(): the
 * rank of the concatenated bytes (tiktoken) or the merge list (Hugging
 * Face). Two strategies with identical results:
 * - Short pieces (the vast majority) use tiktoken's own scheme on stack
 *   arrays: find the lowest pair rank by a scan, merge, rescan. O(n^2) but
 *   n is tiny and the arrays stay in L1.
 * - Long pieces (a megabyte of one letter, a run of CJK) keep the parts in a
 *   doubly linked list and the candidate merges in per-rank buckets taken
 *   lowest rank first, leftmost first within a rank: exactly the pair the
 *   scan would find. Stale entries are skipped when the part is gone or its
 *   pair rank changed. Near-linear: O(n) merges plus sorting the occasional
 *   bucket that gains entries out of order.
 * Every part remembers its own rank (the rank of the merge that made it), so
 * emitting the result needs no further lookups. */
#include <stdlib.h>

#include "bpe.h"
#include "buf.h"
#include "piece_cache.h"

#define SMALL_PIECE 128

/* The rank of merging the symbol at `a` (token ta) with the next one (token
 * tb, ending at `end`), and in *id the token the merge makes. */
static inline uint32_t pair_rank(const tokd__bpe_model *m, const uint8_t *p, uint32_t a, uint32_t end, uint32_t ta,
                                 uint32_t tb, uint32_t *id)
{
    if (m->merges)
        return tokd__pairmap_get(m->merges, ta, tb, id);
    *id = tokd__rankmap_get(m->ranks, p + a, end - a);
    return *id;
}

/* ---- short pieces: tiktoken's scan ---------------------------------- */

/* Parts are the initial symbols still alive, linked in order by `next`
 * (n_sym ends the list); part i spans start[i] .. start[next[i]], so a
 * merge relinks one entry and nothing moves. */
typedef struct small_state {
    const uint32_t *start; /* the caller's; start[n_sym] is the end */
    uint32_t rank[SMALL_PIECE], tok[SMALL_PIECE], made[SMALL_PIECE];
    uint8_t next[SMALL_PIECE];
    size_t n_sym;
} small_state;

static inline void small_refresh(const tokd__bpe_model *m, const uint8_t *p, small_state *s, size_t i)
{
    size_t j = s->next[i];
    s->rank[i] = j < s->n_sym ? pair_rank(m, p, s->start[i], s->start[s->next[j]], s->tok[i], s->tok[j], &s->made[i])
                              : TOKD__NO_RANK;
}

/* The lowest pair rank, leftmost on ties, by a scan of the parts: the
 * cheapest way for the few symbols of most pieces. SIZE_MAX: none. */
static size_t lowest_by_scan(const small_state *s, size_t *prev_of_best)
{
    size_t best = SIZE_MAX;
    uint32_t best_rank = TOKD__NO_RANK;
    for (size_t i = 0, prev = SIZE_MAX; i < s->n_sym; prev = i, i = s->next[i]) {
        if (s->rank[i] < best_rank) {
            best_rank = s->rank[i];
            best = i;
            *prev_of_best = prev;
        }
    }
    return best;
}

/* The same from a min-heap of (rank << 32 | part) keys for pieces of more
 * than SCAN_MAX symbols, where rescanning would make the piece quadratic.
 * Entries go stale when their part merges away or its pair changes: a
 * part's pair bytes only grow, so an entry is current iff the part's rank
 * still equals the entry's. A merge pushes at most two entries. */
#define SCAN_MAX 16
#define HEAP_MAX (3 * SMALL_PIECE)

typedef struct rank_heap {
    uint64_t v[HEAP_MAX];
    size_t len;
} rank_heap;

static void heap_push(rank_heap *h, uint32_t rank, size_t part)
{
    uint64_t key = (uint64_t)rank << 32 | part;
    size_t i = h->len++;
    for (; i > 0 && h->v[(i - 1) / 2] > key; i = (i - 1) / 2)
        h->v[i] = h->v[(i - 1) / 2];
    h->v[i] = key;
}

static uint64_t heap_pop(rank_heap *h)
{
    uint64_t top = h->v[0], last = h->v[--h->len];
    size_t i = 0;
    for (size_t c; (c = 2 * i + 1) < h->len; i = c) {
        c += c + 1 < h->len && h->v[c + 1] < h->v[c];
        if (h->v[c] >= last)
            break;
        h->v[i] = h->v[c];
    }
    h->v[i] = last;
    return top;
}

static size_t lowest_by_heap(const small_state *s, rank_heap *h)
{
    while (h->len) {
        uint64_t key = heap_pop(h);
        size_t part = (size_t)(key & 0xFFFFFFFFu);
        if (s->rank[part] == (uint32_t)(key >> 32))
            return part;
    }
    return SIZE_MAX;
}

static int bpe_small(const tokd__bpe_model *m, const uint8_t *p, const uint32_t *start, const uint32_t *tok,
                     size_t n_sym, tokd__sink *k)
{
    small_state s; /* not zeroed: entries are written before they are read */
    uint8_t prev[SMALL_PIECE];
    s.start = start;
    s.n_sym = n_sym;
    rank_heap h;
    int by_heap = n_sym > SCAN_MAX;
    h.len = 0;
    for (size_t i = 0; i < n_sym; i++) {
        s.tok[i] = tok[i];
        s.next[i] = (uint8_t)(i + 1);
        prev[i] = (uint8_t)(i - 1);
    }
    for (size_t i = 0; i < n_sym; i++) {
        small_refresh(m, p, &s, i);
        if (by_heap && s.rank[i] != TOKD__NO_RANK)
            heap_push(&h, s.rank[i], i);
    }
    for (;;) {
        size_t before = SIZE_MAX;
        size_t best = by_heap ? lowest_by_heap(&s, &h) : lowest_by_scan(&s, &before);
        if (best == SIZE_MAX)
            break;
        if (by_heap)
            before = best ? prev[best] : SIZE_MAX;
        size_t gone = s.next[best];
        s.tok[best] = s.made[best];
        s.rank[gone] = TOKD__NO_RANK;
        s.next[best] = s.next[gone];
        if (s.next[best] < n_sym)
            prev[s.next[best]] = (uint8_t)best;
        small_refresh(m, p, &s, best);
        if (by_heap && s.rank[best] != TOKD__NO_RANK)
            heap_push(&h, s.rank[best], best);
        if (before != SIZE_MAX) {
            small_refresh(m, p, &s, before);
            if (by_heap && s.rank[before] != TOKD__NO_RANK)
                heap_push(&h, s.rank[before], before);
        }
    }
    for (size_t i = 0; i < n_sym; i = s.next[i])
        if (tokd__sink_token(k, s.tok[i], start[i], start[s.next[i]]) != 0)
            return TOKD_ENOMEM;
    return 0;
}

/* ---- long pieces: linked list + rank buckets ------------------------- */

/* Pending merges are kept per rank: a bucket holds the start offsets of the
 * parts whose pair with their successor has that rank, and a small min-heap
 * holds the ranks that have a bucket. The lowest rank is processed first
 * and, within it, positions in increasing order - the same order as one
 * heap keyed by (rank, position), but the positions of a rank are read
 * sequentially, which is what makes megabyte runs fast.
 *
 * Why a bucket can be read in order: a merge of rank r creates pairs whose
 * bytes strictly contain r's bytes, so never another pair of rank r; a
 * bucket only gains entries while a lower rank is processed, and is then
 * re-sorted before it is read again. A part's pair bytes only grow, so an
 * offset never returns to a rank it left: an entry is current iff the
 * part's pair rank still equals the bucket's. */

typedef struct bucket {
    uint32_t rank;
    uint32_t *pos;
    size_t len, cap, next; /* pos[next..len) are pending */
    int sorted, queued;
} bucket;

typedef struct long_state {
    const tokd__bpe_model *m;
    const uint8_t *p;
    uint32_t n;
    uint32_t *prev, *next, *tok, *rank, *made;
    bucket *buckets;
    size_t n_buckets, cap_buckets;
    uint32_t *index; /* open addressing: rank -> bucket number + 1 */
    size_t index_mask;
    uint32_t *heap; /* ranks with pending entries */
    size_t heap_len, heap_cap;
    int oom;
} long_state;

static uint32_t *grow(uint32_t *v, size_t *cap, size_t need, int *oom)
{
    if (need > *cap && tokd__reserve((void **)&v, cap, need, sizeof *v) != 0)
        *oom = 1;
    return v;
}

static size_t slot_of(const long_state *s, uint32_t rank)
{
    size_t i = (rank * 0x9E3779B1u) & s->index_mask;
    while (s->index[i] && s->buckets[s->index[i] - 1].rank != rank)
        i = (i + 1) & s->index_mask;
    return i;
}

static int rehash(long_state *s)
{
    size_t cap = (s->index_mask + 1) * 2;
    uint32_t *old = s->index;
    s->index = calloc(cap, sizeof *s->index);
    if (!s->index) {
        s->index = old;
        return -1;
    }
    s->index_mask = cap - 1;
    for (size_t b = 0; b < s->n_buckets; b++)
        s->index[slot_of(s, s->buckets[b].rank)] = (uint32_t)b + 1;
    free(old);
    return 0;
}

static bucket *bucket_for(long_state *s, uint32_t rank)
{
    size_t i = slot_of(s, rank);
    if (s->index[i])
        return &s->buckets[s->index[i] - 1];
    if (tokd__reserve((void **)&s->buckets, &s->cap_buckets, s->n_buckets + 1, sizeof *s->buckets) != 0)
        return NULL;
    s->buckets[s->n_buckets] = (bucket){.rank = rank, .sorted = 1};
    s->index[i] = (uint32_t)++s->n_buckets;
    if (s->n_buckets * 2 > s->index_mask + 1 && rehash(s) != 0)
        return NULL;
    return &s->buckets[s->n_buckets - 1];
}

static void rank_push(long_state *s, uint32_t rank)
{
    s->heap = grow(s->heap, &s->heap_cap, s->heap_len + 1, &s->oom);
    if (s->oom)
        return;
    size_t i = s->heap_len++;
    while (i > 0 && s->heap[(i - 1) / 2] > rank) {
        s->heap[i] = s->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    s->heap[i] = rank;
}

static void rank_pop(long_state *s)
{
    uint32_t last = s->heap[--s->heap_len];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= s->heap_len)
            break;
        if (c + 1 < s->heap_len && s->heap[c + 1] < s->heap[c])
            c++;
        if (s->heap[c] >= last)
            break;
        s->heap[i] = s->heap[c];
        i = c;
    }
    if (s->heap_len)
        s->heap[i] = last;
}

static void queue(long_state *s, uint32_t rank, uint32_t at)
{
    bucket *b = bucket_for(s, rank);
    if (!b) {
        s->oom = 1;
        return;
    }
    b->pos = grow(b->pos, &b->cap, b->len + 1, &s->oom);
    if (s->oom)
        return;
    if (b->len > b->next && b->pos[b->len - 1] > at)
        b->sorted = 0;
    b->pos[b->len++] = at;
    if (!b->queued) {
        b->queued = 1;
        rank_push(s, rank);
    }
}

/* Recompute the rank of merging part `at` with its successor; queue it. */
static void refresh(long_state *s, uint32_t at)
{
    uint32_t nx = s->next[at];
    uint32_t end = nx < s->n ? s->next[nx] : s->n;
    s->rank[at] = nx < s->n ? pair_rank(s->m, s->p, at, end, s->tok[at], s->tok[nx], &s->made[at]) : TOKD__NO_RANK;
    if (s->rank[at] != TOKD__NO_RANK)
        queue(s, s->rank[at], at);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The next pending position of the lowest rank, or UINT32_MAX. */
static uint32_t take(long_state *s, uint32_t *rank)
{
    while (s->heap_len) {
        bucket *b = &s->buckets[s->index[slot_of(s, s->heap[0])] - 1];
        if (b->next == b->len) {
            b->len = b->next = 0;
            b->queued = 0;
            rank_pop(s);
            continue;
        }
        if (!b->sorted) {
            qsort(b->pos + b->next, b->len - b->next, sizeof *b->pos, cmp_u32);
            b->sorted = 1;
        }
        *rank = b->rank;
        return b->pos[b->next++];
    }
    return UINT32_MAX;
}

static void merge_all(long_state *s, uint32_t first)
{
    for (uint32_t i = first; i < s->n && !s->oom; i = s->next[i])
        refresh(s, i);
    uint32_t r, at;
    while (!s->oom && (at = take(s, &r)) != UINT32_MAX) {
        if (s->rank[at] != r)
            continue; /* stale: the part is gone or its successor changed */
        uint32_t gone = s->next[at];
        s->tok[at] = s->made[at];
        s->next[at] = s->next[gone];
        if (s->next[at] < s->n)
            s->prev[s->next[at]] = at;
        s->rank[gone] = TOKD__NO_RANK;
        refresh(s, at);
        if (s->prev[at] != UINT32_MAX)
            refresh(s, s->prev[at]);
    }
}

static void long_release(long_state *s)
{
    for (size_t b = 0; b < s->n_buckets; b++)
        free(s->buckets[b].pos);
    free(s->buckets);
    free(s->index);
    free(s->heap);
    free(s->prev);
}

/* Parts are named by their start offset, so the arrays have n entries even
 * when symbols are wider than a byte. start == NULL: one symbol per byte,
 * each byte's own token. */
static int bpe_long(const tokd__bpe_model *m, const uint8_t *p, size_t n, const uint32_t *start,
                    const uint32_t *tok, size_t n_sym, tokd__sink *k)
{
    if (n >= UINT32_MAX / 5)
        return TOKD_ENOMEM;
    long_state s = {.m = m, .p = p, .n = (uint32_t)n, .index_mask = 63};
    s.prev = malloc(5 * n * sizeof *s.prev);
    s.index = calloc(s.index_mask + 1, sizeof *s.index);
    int rc = TOKD_ENOMEM;
    if (!s.prev || !s.index)
        goto done;
    s.next = s.prev + n;
    s.tok = s.prev + 2 * n;
    s.rank = s.prev + 3 * n;
    s.made = s.prev + 4 * n;
    for (size_t i = 0; i < n_sym; i++) {
        uint32_t at = start ? start[i] : (uint32_t)i;
        s.prev[at] = i ? (start ? start[i - 1] : at - 1) : UINT32_MAX;
        s.next[at] = start ? start[i + 1] : at + 1;
        s.tok[at] = start ? tok[i] : m->ranks->byte_rank[p[at]];
    }
    uint32_t first = start ? start[0] : 0;
    merge_all(&s, first);
    if (s.oom)
        goto done;
    rc = 0;
    for (uint32_t i = first; i < n && rc == 0; i = s.next[i])
        rc = tokd__sink_token(k, s.tok[i], i, s.next[i]);
done:
    long_release(&s);
    return rc;
}

static int merge_symbols(const tokd__bpe_model *m, const uint8_t *p, size_t n, const uint32_t *start,
                         const uint32_t *tok, size_t n_sym, tokd__sink *k)
{
    return n_sym <= SMALL_PIECE ? bpe_small(m, p, start, tok, n_sym, k) : bpe_long(m, p, n, start, tok, n_sym, k);
}

/* 1 if the whole piece is one token and was emitted (in *rc). */
static int whole_token(const tokd__bpe_model *m, const uint8_t *p, size_t n, tokd__sink *k, int *rc)
{
    uint32_t whole = m->whole_first ? tokd__rankmap_get(m->ranks, p, n) : TOKD__NO_RANK;
    if (whole == TOKD__NO_RANK)
        return 0;
    *rc = tokd__sink_token(k, whole, 0, n);
    return 1;
}

/* ---- words apart: sentencepiece-style pieces ------------------------- */

static const uint8_t MARK[3] = {0xE2, 0x96, 0x81}; /* U+2581 LOWER ONE EIGHTH BLOCK */

/* Whether token id's bytes start (at_end 0) or end (1) with the mark. */
static int has_mark(const tokd__rankmap *r, uint32_t id, int at_end)
{
    uint32_t len = tokd__rankmap_len(r, id);
    return len >= 3 && memcmp(r->bytes + r->offset[id] + (at_end ? len - 3 : 0), MARK, 3) == 0;
}

/* Whether token id is token a's bytes then token b's. */
static int concatenates(const tokd__rankmap *r, uint32_t a, uint32_t b, uint32_t id)
{
    uint32_t la = tokd__rankmap_len(r, a), lb = tokd__rankmap_len(r, b);
    if (!la || !lb || tokd__rankmap_len(r, id) != la + lb)
        return 0;
    const uint8_t *t = r->bytes + r->offset[id];
    return memcmp(t, r->bytes + r->offset[a], la) == 0 && memcmp(t + la, r->bytes + r->offset[b], lb) == 0;
}

int tokd__bpe_words_apart(const tokd__bpe_model *m)
{
    const tokd__pairmap *pm = m->merges;
    if (!pm || !pm->keys || m->whole_first || tokd__rankmap_get(m->ranks, MARK, 3) == TOKD__NO_RANK)
        return 0;
    for (uint64_t i = 0; i <= pm->mask; i++) {
        uint32_t a = (uint32_t)(pm->keys[i] >> 32), b = (uint32_t)pm->keys[i];
        if (pm->keys[i] != UINT64_MAX &&
            (!concatenates(m->ranks, a, b, pm->id[i]) || (has_mark(m->ranks, b, 0) && !has_mark(m->ranks, a, 1))))
            return 0;
    }
    return 1;
}

/* A word of more than SMALL_PIECE symbols, as a piece of its own (the
 * long-piece arrays are sized by the piece, not by the whole text). */
static int long_word(const tokd__bpe_model *m, const uint8_t *p, const uint32_t *start, const uint32_t *tok,
                     size_t n_sym, tokd__sink *k)
{
    uint32_t *own = malloc((n_sym + 1) * sizeof *own);
    if (!own)
        return TOKD_ENOMEM;
    for (size_t i = 0; i <= n_sym; i++)
        own[i] = start[i] - start[0];
    size_t base = k->base;
    k->base += start[0];
    int rc = bpe_long(m, p + start[0], own[n_sym], own, tok, n_sym, k);
    k->base = base;
    free(own);
    return rc;
}

/* Symbols [0, n_sym) of start/tok, one word, through the call's cache. */
static int merge_word(const tokd__bpe_model *m, const uint8_t *p, const uint32_t *start, const uint32_t *tok,
                      size_t n_sym, tokd__sink *k)
{
    const uint8_t *w = p + start[0];
    size_t len = start[n_sym] - start[0];
    tokd__cache_probe probe;
    int rc = k->cache ? tokd__piece_cache_find(k->cache, w, len, k, &probe) : 0;
    if (rc != 0)
        return rc < 0 ? rc : 0;
    rc = n_sym <= SMALL_PIECE ? bpe_small(m, p, start, tok, n_sym, k) : long_word(m, p, start, tok, n_sym, k);
    if (rc == 0 && k->cache)
        tokd__piece_cache_keep(&probe, w, len, k);
    return rc;
}

/* Each word on its own: a word starts at a symbol whose token starts with
 * the mark after one whose token does not end with it. */
static int merge_words(const tokd__bpe_model *m, const uint8_t *p, const uint32_t *start, const uint32_t *tok,
                       size_t n_sym, tokd__sink *k)
{
    int rc = 0;
    for (size_t w = 0, i = 1; i <= n_sym && rc == 0; i++) {
        if (i < n_sym && !(has_mark(m->ranks, tok[i], 0) && !has_mark(m->ranks, tok[i - 1], 1)))
            continue;
        rc = merge_word(m, p, start + w, tok + w, i - w, k);
        w = i;
    }
    return rc;
}

int tokd__bpe_symbols(const tokd__bpe_model *m, const uint8_t *p, size_t n, const uint32_t *start,
                      const uint32_t *tok, size_t n_sym, tokd__sink *k)
{
    int rc;
    if (whole_token(m, p, n, k, &rc))
        return rc;
    return m->split_words ? merge_words(m, p, start, tok, n_sym, k) : merge_symbols(m, p, n, start, tok, n_sym, k);
}

int tokd__bpe_piece(const tokd__bpe_model *m, const uint8_t *p, size_t n, tokd__sink *k)
{
    int rc;
    if (whole_token(m, p, n, k, &rc))
        return rc;
    if (n <= SMALL_PIECE) {
        uint32_t start[SMALL_PIECE + 1], tok[SMALL_PIECE];
        for (size_t i = 0; i < n; i++) {
            start[i] = (uint32_t)i;
            tok[i] = m->ranks->byte_rank[p[i]];
        }
        start[n] = (uint32_t)n;
        return merge_symbols(m, p, n, start, tok, n, k);
    }
    return bpe_long(m, p, n, NULL, NULL, n, k);
}
