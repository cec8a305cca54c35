/* trie.c - building the byte trie of trie.h. The edge table doubles when
 * it would pass half full, so building costs amortised O(total key bytes). */
#include <stdlib.h>

#include "tokd/error.h"
#include "trie.h"

int tokd__trie_init(tokd__trie *t)
{
    *t = (tokd__trie){0};
    t->keys = calloc(64, sizeof *t->keys);
    t->edge = malloc(64 * sizeof *t->edge);
    t->value = malloc(16 * sizeof *t->value);
    if (!t->keys || !t->edge || !t->value) {
        tokd__trie_release(t);
        return TOKD_ENOMEM;
    }
    t->mask = 63;
    t->cap_nodes = 16;
    t->n_nodes = 1;
    t->value[0] = TOKD__NO_RANK;
    return 0;
}

void tokd__trie_release(tokd__trie *t)
{
    free(t->keys);
    free(t->edge);
    free(t->value);
    *t = (tokd__trie){0};
}

static void put_edge(uint64_t *keys, struct tokd__trie_edge *edge, uint64_t mask, uint64_t key,
                     struct tokd__trie_edge to)
{
    uint64_t i = tokd__trie_slot(key, mask);
    while (keys[i] != 0)
        i = (i + 1) & mask;
    keys[i] = key;
    edge[i] = to;
}

/* The slot of edge (node, byte), which exists. */
static uint64_t edge_slot(const tokd__trie *t, uint32_t node, uint8_t byte)
{
    uint64_t key = ((uint64_t)node << 8 | byte) + 1, i = tokd__trie_slot(key, t->mask);
    while (t->keys[i] != key)
        i = (i + 1) & t->mask;
    return i;
}

static int grow_edges(tokd__trie *t)
{
    uint64_t size = (t->mask + 1) * 2;
    uint64_t *keys = calloc(size, sizeof *keys);
    struct tokd__trie_edge *edge = malloc(size * sizeof *edge);
    if (!keys || !edge) {
        free(keys);
        free(edge);
        return TOKD_ENOMEM;
    }
    for (uint64_t i = 0; i <= t->mask; i++)
        if (t->keys[i])
            put_edge(keys, edge, size - 1, t->keys[i], t->edge[i]);
    free(t->keys);
    free(t->edge);
    t->keys = keys;
    t->edge = edge;
    t->mask = size - 1;
    return 0;
}

/* A new node under `node` by `byte`: its number, or TOKD__NO_RANK. */
static uint32_t add_node(tokd__trie *t, uint32_t node, uint8_t byte)
{
    if ((t->n_edges + 1) * 2 > t->mask + 1 && grow_edges(t) != 0)
        return TOKD__NO_RANK;
    if (t->n_nodes == t->cap_nodes) {
        uint32_t *v = t->cap_nodes < UINT32_MAX / 4 ? realloc(t->value, 2 * (size_t)t->cap_nodes * sizeof *v) : NULL;
        if (!v)
            return TOKD__NO_RANK;
        t->value = v;
        t->cap_nodes *= 2;
    }
    uint32_t id = t->n_nodes++;
    t->value[id] = TOKD__NO_RANK;
    put_edge(t->keys, t->edge, t->mask, ((uint64_t)node << 8 | byte) + 1, (struct tokd__trie_edge){id, TOKD__NO_RANK});
    t->n_edges++;
    return id;
}

int tokd__trie_insert(tokd__trie *t, const uint8_t *p, size_t n, uint32_t value)
{
    uint32_t node = 0, parent = 0;
    for (size_t i = 0; i < n; i++) {
        parent = node;
        uint32_t next = tokd__trie_step(t, node, p[i]);
        if (next == TOKD__NO_RANK && (next = add_node(t, node, p[i])) == TOKD__NO_RANK)
            return TOKD_ENOMEM;
        node = next;
    }
    if (t->value[node] != TOKD__NO_RANK)
        return 1;
    t->value[node] = value;
    t->edge[edge_slot(t, parent, p[n - 1])].value = value;
    return 0;
}
