/* bpe.c - lowest-rank-first byte-pair merging, in near-linear time.
 *
 * Two strategies with identical results:
 * - Short pieces (the vast majority) use tiktoken's own scheme on stack
 *   arrays: find the lowest pair rank by a scan, merge, rescan. O(n^2) but
 *   n is tiny and the arrays stay in L1.
 * - Long pieces (a megabyte of one letter, a run of CJK) keep the parts in a
 *   doubly linked list and the candidate merges in a binary min-heap keyed
 *   by (rank, start offset), so the leftmost lowest pair pops first exactly
 *   as the scan would find it. Stale heap entries are skipped when the part
 *   is gone or its pair rank changed. O(n log n).
 * Every part remembers its own rank (the rank of the merge that made it), so
 * emitting the result needs no further lookups. */
#include <stdlib.h>

#include "bpe.h"
#include "buf.h"

#define SMALL_PIECE 128

static int emit(tokd_ids *out, size_t *count, uint32_t rank)
{
    if (!out) {
        (*count)++;
        return 0;
    }
    return tokd__ids_push(out, rank);
}

/* ---- short pieces: tiktoken's scan ---------------------------------- */

static uint32_t pair_rank(const tokd__rankmap *m, const uint8_t *p, const uint32_t *start, size_t i,
                          size_t parts)
{
    if (i + 2 > parts)
        return TOKD__NO_RANK;
    return tokd__rankmap_get(m, p + start[i], start[i + 2] - start[i]);
}

static int bpe_small(const tokd__rankmap *m, const uint8_t *p, size_t n, tokd_ids *out,
                     size_t *count)
{
    uint32_t start[SMALL_PIECE + 1], rank[SMALL_PIECE], tok[SMALL_PIECE];
    size_t parts = n; /* start[parts] == n is the end sentinel */
    for (size_t i = 0; i <= n; i++)
        start[i] = (uint32_t)i;
    for (size_t i = 0; i < n; i++) {
        tok[i] = m->byte_rank[p[i]];
        rank[i] = pair_rank(m, p, start, i, parts);
    }
    for (;;) {
        size_t best = SIZE_MAX;
        uint32_t best_rank = TOKD__NO_RANK;
        for (size_t i = 0; i + 1 < parts; i++) {
            if (rank[i] < best_rank) {
                best_rank = rank[i];
                best = i;
            }
        }
        if (best == SIZE_MAX)
            break;
        tok[best] = best_rank;
        parts--;
        memmove(start + best + 1, start + best + 2, (parts - best) * sizeof *start);
        memmove(rank + best + 1, rank + best + 2, (parts - best - 1) * sizeof *rank);
        memmove(tok + best + 1, tok + best + 2, (parts - best - 1) * sizeof *tok);
        rank[best] = pair_rank(m, p, start, best, parts);
        if (best > 0)
            rank[best - 1] = pair_rank(m, p, start, best - 1, parts);
    }
    for (size_t i = 0; i < parts; i++)
        if (emit(out, count, tok[i]) != 0)
            return TOKD_ENOMEM;
    return 0;
}

/* ---- long pieces: linked list + heap --------------------------------- */

/* Parts are named by their start offset; next[i] == n ends the list. */
typedef struct long_state {
    const tokd__rankmap *m;
    const uint8_t *p;
    uint32_t n;
    uint32_t *prev, *next, *tok, *rank;
    uint64_t *heap;
    size_t heap_len;
} long_state;

static void heap_push(long_state *s, uint32_t rank, uint32_t at)
{
    uint64_t key = (uint64_t)rank << 32 | at;
    size_t i = s->heap_len++;
    while (i > 0 && s->heap[(i - 1) / 2] > key) {
        s->heap[i] = s->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    s->heap[i] = key;
}

static uint64_t heap_pop(long_state *s)
{
    uint64_t top = s->heap[0], last = s->heap[--s->heap_len];
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
    return top;
}

/* Recompute the rank of merging part `at` with its successor; queue it. */
static void refresh(long_state *s, uint32_t at)
{
    uint32_t nx = s->next[at];
    uint32_t end = nx < s->n ? s->next[nx] : s->n;
    s->rank[at] = nx < s->n ? tokd__rankmap_get(s->m, s->p + at, end - at) : TOKD__NO_RANK;
    if (s->rank[at] != TOKD__NO_RANK)
        heap_push(s, s->rank[at], at);
}

static void merge_all(long_state *s)
{
    for (uint32_t i = 0; i < s->n; i++)
        refresh(s, i);
    while (s->heap_len) {
        uint64_t key = heap_pop(s);
        uint32_t at = (uint32_t)key, r = (uint32_t)(key >> 32);
        if (s->rank[at] != r)
            continue; /* stale: the part is gone or its successor changed */
        uint32_t gone = s->next[at];
        s->tok[at] = r;
        s->next[at] = s->next[gone];
        if (s->next[at] < s->n)
            s->prev[s->next[at]] = at;
        s->rank[gone] = TOKD__NO_RANK;
        refresh(s, at);
        if (s->prev[at] != UINT32_MAX)
            refresh(s, s->prev[at]);
    }
}

static int bpe_long(const tokd__rankmap *m, const uint8_t *p, size_t n, tokd_ids *out,
                    size_t *count)
{
    if (n >= UINT32_MAX / 4)
        return TOKD_ENOMEM;
    long_state s = {.m = m, .p = p, .n = (uint32_t)n};
    uint32_t *arr = malloc(4 * n * sizeof *arr);
    /* each merge pushes at most two entries after the initial n */
    s.heap = malloc(3 * n * sizeof *s.heap);
    int rc = TOKD_ENOMEM;
    if (!arr || !s.heap)
        goto done;
    s.prev = arr;
    s.next = arr + n;
    s.tok = arr + 2 * n;
    s.rank = arr + 3 * n;
    for (uint32_t i = 0; i < n; i++) {
        s.prev[i] = i ? i - 1 : UINT32_MAX;
        s.next[i] = i + 1;
        s.tok[i] = m->byte_rank[p[i]];
    }
    merge_all(&s);
    if (out && tokd__ids_reserve(out, n) != 0)
        goto done;
    rc = 0;
    for (uint32_t i = 0; i < n && rc == 0; i = s.next[i])
        rc = emit(out, count, s.tok[i]);
done:
    free(arr);
    free(s.heap);
    return rc;
}

int tokd__bpe_piece(const tokd__rankmap *m, const uint8_t *p, size_t n, tokd_ids *out,
                    size_t *count)
{
    uint32_t whole = tokd__rankmap_get(m, p, n);
    if (whole != TOKD__NO_RANK)
        return emit(out, count, whole);
    return n <= SMALL_PIECE ? bpe_small(m, p, n, out, count) : bpe_long(m, p, n, out, count);
}
