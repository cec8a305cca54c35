/* pairmap.c - building the merge list's hash map. */
#include <stdlib.h>

#include "pairmap.h"
#include "tokd/error.h"

int tokd__pairmap_init(tokd__pairmap *m, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n + 2)
        cap *= 2;
    *m = (tokd__pairmap){malloc(cap * sizeof *m->keys), malloc(cap * sizeof *m->rank),
                         malloc(cap * sizeof *m->id), cap - 1, 0};
    if (!m->keys || !m->rank || !m->id) {
        tokd__pairmap_release(m);
        return TOKD_ENOMEM;
    }
    for (size_t i = 0; i < cap; i++)
        m->keys[i] = UINT64_MAX;
    return 0;
}

void tokd__pairmap_release(tokd__pairmap *m)
{
    free(m->keys);
    free(m->rank);
    free(m->id);
    *m = (tokd__pairmap){0};
}

void tokd__pairmap_put(tokd__pairmap *m, uint32_t left, uint32_t right, uint32_t rank, uint32_t id)
{
    uint64_t key = (uint64_t)left << 32 | right;
    uint64_t i = tokd__pair_slot(key, m->mask);
    while (m->keys[i] != UINT64_MAX) {
        if (m->keys[i] == key)
            return;
        i = (i + 1) & m->mask;
    }
    m->keys[i] = key;
    m->rank[i] = rank;
    m->id[i] = id;
    m->n++;
}
