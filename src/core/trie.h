/* trie.h - a byte trie for longest / every-prefix matching (internal).
 *
 * Unigram's Viterbi asks, at each character, for every vocabulary piece
 * that starts there (Hugging Face's and sentencepiece's common-prefix
 * search); sentencepiece's user-defined symbols are matched the same way.
 * Nodes are numbered from the root (0); an edge (node, byte) -> child lives
 * in one open-addressing table (at most half full) that also holds the
 * child's value, so a step and its value are one hash probe; the trie
 * costs about 16 bytes per edge and 4 per node.
 *
 * Ownership: the trie owns its arrays (tokd__trie_release). Thread-safety:
 * immutable after building; walks from any thread. */
#ifndef TOKD_TRIE_H
#define TOKD_TRIE_H

#include <stddef.h>
#include <stdint.h>

#include "rankmap.h"

typedef struct tokd__trie {
    uint64_t *keys;   /* (node << 8 | byte) + 1; 0: empty slot */
    struct tokd__trie_edge {
        uint32_t child, value; /* the child node and its value */
    } *edge;          /* per slot */
    uint64_t mask;    /* slots - 1 */
    size_t n_edges;
    uint32_t *value;  /* per node: the value of the key ending there, or TOKD__NO_RANK */
    uint32_t n_nodes, cap_nodes;
} tokd__trie;

/* An empty trie; TOKD_ENOMEM on failure. */
int tokd__trie_init(tokd__trie *t);
void tokd__trie_release(tokd__trie *t);

/* Add key p[0..n) (n >= 1) with `value`: 0, 1 if the key was there already
 * (its first value kept), or TOKD_ENOMEM. */
int tokd__trie_insert(tokd__trie *t, const uint8_t *p, size_t n, uint32_t value);

static inline uint64_t tokd__trie_slot(uint64_t key, uint64_t mask)
{
    key *= 0x9E3779B97F4A7C15ull;
    return (key ^ (key >> 31)) & mask;
}

/* The child of `node` by `byte`, or TOKD__NO_RANK; *value is the child's
 * value (TOKD__NO_RANK when none). */
static inline uint32_t tokd__trie_walk(const tokd__trie *t, uint32_t node, uint8_t byte, uint32_t *value)
{
    uint64_t key = ((uint64_t)node << 8 | byte) + 1;
    for (uint64_t i = tokd__trie_slot(key, t->mask);; i = (i + 1) & t->mask) {
        if (t->keys[i] == key) {
            *value = t->edge[i].value;
            return t->edge[i].child;
        }
        if (t->keys[i] == 0)
            return TOKD__NO_RANK;
    }
}

/* The child of `node` by `byte`, or TOKD__NO_RANK. */
static inline uint32_t tokd__trie_step(const tokd__trie *t, uint32_t node, uint8_t byte)
{
    uint32_t value;
    return tokd__trie_walk(t, node, byte, &value);
}

/* The length of the longest key that is a prefix of s[0..n), or 0. */
static inline size_t tokd__trie_longest(const tokd__trie *t, const uint8_t *s, size_t n)
{
    size_t best = 0;
    uint32_t node = 0;
    for (size_t i = 0; i < n && (node = tokd__trie_step(t, node, s[i])) != TOKD__NO_RANK; i++)
        if (t->value[node] != TOKD__NO_RANK)
            best = i + 1;
    return best;
}

#endif
