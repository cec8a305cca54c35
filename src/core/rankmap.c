/* rankmap.c - building the byte-string <-> rank map.
 *
 * Entries are first laid out densely by rank (which finds duplicate ranks),
 * then inserted into a power-of-two table at most half full (which finds
 * duplicate byte strings). */
#include <stdlib.h>

#include "rankmap.h"
#include "tokd/error.h"

static int lay_out(tokd__rankmap *m, const tokd__rank_entry *e, size_t n, tokd_error *err)
{
    uint32_t max = 0;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (e[i].len == 0)
            return tokd_error_set(err, TOKD_EFORMAT, "token of rank %u is empty", e[i].rank);
        if (e[i].rank >= UINT32_MAX - 1)
            return tokd_error_set(err, TOKD_EFORMAT, "rank %u is too large", e[i].rank);
        max = e[i].rank > max ? e[i].rank : max;
        total += e[i].len;
    }
    if (total >= UINT32_MAX)
        return tokd_error_set(err, TOKD_EFORMAT, "tokens hold more than 4 GiB of bytes");
    if (n && (size_t)max >= 2 * n + 1024) /* tables are indexed by rank: a few gaps, never mostly gaps */
        return tokd_error_set(err, TOKD_EFORMAT,
                              "rank %u is too large for %zu tokens (ranks must be nearly dense: below 2 x tokens + "
                              "1024)",
                              max, n);
    m->n_ranks = n ? max + 1 : 0;
    uint32_t *len = calloc((size_t)m->n_ranks + 1, sizeof *len);
    m->offset = calloc((size_t)m->n_ranks + 1, sizeof *m->offset);
    m->bytes = malloc(total ? total : 1);
    if (!len || !m->offset || !m->bytes) {
        free(len);
        return TOKD_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        if (len[e[i].rank]) {
            free(len);
            return tokd_error_set(err, TOKD_EFORMAT, "rank %u is given to two tokens", e[i].rank);
        }
        len[e[i].rank] = e[i].len;
    }
    for (uint32_t r = 0; r < m->n_ranks; r++)
        m->offset[r + 1] = m->offset[r] + len[r];
    free(len);
    for (size_t i = 0; i < n; i++)
        memcpy(m->bytes + m->offset[e[i].rank], e[i].data, e[i].len);
    return 0;
}

static int insert_all(tokd__rankmap *m, tokd_error *err)
{
    size_t cap = 16;
    while (cap < (size_t)m->n_tokens * 2)
        cap *= 2;
    m->slots = malloc(cap * sizeof *m->slots);
    if (!m->slots)
        return TOKD_ENOMEM;
    for (size_t i = 0; i < cap; i++)
        m->slots[i] = (tokd__rank_slot){0, TOKD__NO_RANK};
    m->mask = (uint32_t)(cap - 1);
    for (uint32_t r = 0; r < m->n_ranks; r++) {
        uint32_t n = tokd__rankmap_len(m, r);
        if (n == 0)
            continue;
        const uint8_t *p = m->bytes + m->offset[r];
        uint32_t h = tokd__rank_hash(p, n);
        uint32_t i = h & m->mask;
        for (; m->slots[i].rank != TOKD__NO_RANK; i = (i + 1) & m->mask) {
            uint32_t o = m->slots[i].rank;
            if (m->slots[i].hash == h && tokd__rankmap_len(m, o) == n &&
                memcmp(m->bytes + m->offset[o], p, n) == 0)
                return tokd_error_set(err, TOKD_EFORMAT, "ranks %u and %u have the same bytes", o, r);
        }
        m->slots[i] = (tokd__rank_slot){h, r};
        if (n == 1)
            m->byte_rank[p[0]] = r;
    }
    return 0;
}

int tokd__rankmap_init(tokd__rankmap *m, const tokd__rank_entry *entries, size_t n, tokd_error *err)
{
    *m = (tokd__rankmap){0};
    for (int b = 0; b < 256; b++)
        m->byte_rank[b] = TOKD__NO_RANK;
    if (n >= UINT32_MAX / 2)
        return tokd_error_set(err, TOKD_EFORMAT, "too many tokens (%zu)", n);
    m->n_tokens = (uint32_t)n;
    int rc = lay_out(m, entries, n, err);
    if (rc == 0)
        rc = insert_all(m, err);
    if (rc != 0)
        tokd__rankmap_release(m);
    return rc;
}

void tokd__rankmap_release(tokd__rankmap *m)
{
    free(m->bytes);
    free(m->offset);
    free(m->slots);
    *m = (tokd__rankmap){0};
}
