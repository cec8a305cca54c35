/* pairmap.h - a merge list: (left id, right id) -> (merge rank, new id).
 *
 * Hugging Face BPE ranks a merge by its place in the file's merge list, not
 * by the rank of the token it makes (as tiktoken does). Open addressing on
 * the 64-bit pair key, at most half full.
 *
 * Ownership: the map owns its arrays. Thread-safety: immutable after
 * building; lookups from any thread. */
#ifndef TOKD_PAIRMAP_H
#define TOKD_PAIRMAP_H

#include <stddef.h>
#include <stdint.h>

#include "rankmap.h"

typedef struct tokd__pairmap {
    uint64_t *keys; /* UINT64_MAX: empty */
    uint32_t *rank, *id;
    uint64_t mask;
    size_t n;
} tokd__pairmap;

/* Room for `n` merges; TOKD_ENOMEM on failure. */
int tokd__pairmap_init(tokd__pairmap *m, size_t n);
void tokd__pairmap_release(tokd__pairmap *m);

/* Add (left, right) -> (rank, id); the first entry of a pair wins, as in
 * Hugging Face's loader. */
void tokd__pairmap_put(tokd__pairmap *m, uint32_t left, uint32_t right, uint32_t rank, uint32_t id);

static inline uint64_t tokd__pair_slot(uint64_t key, uint64_t mask)
{
    key *= 0x9E3779B97F4A7C15ull;
    return (key ^ (key >> 29)) & mask;
}

/* The merge rank of (left, right) and, in *id, the token it makes; or
 * TOKD__NO_RANK. */
static inline uint32_t tokd__pairmap_get(const tokd__pairmap *m, uint32_t left, uint32_t right, uint32_t *id)
{
    uint64_t key = (uint64_t)left << 32 | right;
    for (uint64_t i = tokd__pair_slot(key, m->mask);; i = (i + 1) & m->mask) {
        if (m->keys[i] == key) {
            *id = m->id[i];
            return m->rank[i];
        }
        if (m->keys[i] == UINT64_MAX)
            return TOKD__NO_RANK;
    }
}

#endif
