/* rankmap.h - immutable map between token bytes and ranks (internal).
 *
 * Forward: open addressing (linear probing, load <= 1/2) from a byte string
 * to its rank; each slot keeps the 32-bit hash so most misses never touch
 * the bytes. Backward: a dense rank -> bytes array (ranks with no token, such
 * as p50k's 50256, have length 0 and are "absent").
 *
 * Ownership: the map owns all its arrays; tokd__rankmap_release frees them.
 * Thread-safety: immutable after init; lookups from any thread. */
#ifndef TOKD_RANKMAP_H
#define TOKD_RANKMAP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define TOKD__NO_RANK UINT32_MAX

typedef struct tokd__rank_slot {
    uint32_t hash;
    uint32_t rank; /* TOKD__NO_RANK: empty */
} tokd__rank_slot;

typedef struct tokd__rankmap {
    uint8_t *bytes;   /* token bytes, concatenated in rank order */
    uint32_t *offset; /* rank r is bytes[offset[r] .. offset[r + 1]) */
    uint32_t n_ranks; /* highest rank + 1 */
    uint32_t n_tokens;
    tokd__rank_slot *slots;
    uint32_t mask;
    uint32_t byte_rank[256]; /* rank of each single byte, or TOKD__NO_RANK */
} tokd__rankmap;

/* One token to put in a map: `len` bytes at `data` with rank `rank`. */
typedef struct tokd__rank_entry {
    const uint8_t *data;
    uint32_t len;
    uint32_t rank;
} tokd__rank_entry;

/* Build a map from `n` entries (any order). Returns TOKD_EFORMAT with
 * err->text naming the problem if two entries share a rank or the same
 * bytes, or if a token is empty; TOKD_ENOMEM on allocation failure. */
struct tokd_error;
int tokd__rankmap_init(tokd__rankmap *m, const tokd__rank_entry *entries, size_t n,
                       struct tokd_error *err);
void tokd__rankmap_release(tokd__rankmap *m);

/* The n <= 8 bytes at p as a little-endian word (the bytes in memory order,
 * zero above): two overlapping fixed-size loads instead of a call to memcpy
 * with a variable length. */
static inline uint64_t tokd__load_tail(const uint8_t *p, size_t n)
{
    if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, p, 4);
        memcpy(&hi, p + n - 4, 4);
        return (uint64_t)lo | (uint64_t)hi << (8 * (n - 4));
    }
    if (n == 0)
        return 0;
    return (uint64_t)p[0] | (uint64_t)p[n / 2] << (8 * (n / 2)) | (uint64_t)p[n - 1] << (8 * (n - 1));
}

/* Hash of a short byte string; fast for the 1-16 byte keys BPE asks for. */
static inline uint32_t tokd__rank_hash(const uint8_t *p, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xC2B2AE3D27D4EB4Full);
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        h = (h ^ v) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    if (n)
        h = (h ^ tokd__load_tail(p, n)) * 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 29;
    h *= 0xFF51AFD7ED558CCDull;
    return (uint32_t)(h >> 32);
}

/* Whether the n bytes at a and b are equal; keys of up to 8 bytes (most
 * tokens) compare as one word, without a call. */
static inline int tokd__same_bytes(const uint8_t *a, const uint8_t *b, size_t n)
{
    return n <= 8 ? tokd__load_tail(a, n) == tokd__load_tail(b, n) : memcmp(a, b, n) == 0;
}

/* Rank of the `n` bytes at `p`, or TOKD__NO_RANK. */
static inline uint32_t tokd__rankmap_get(const tokd__rankmap *m, const uint8_t *p, size_t n)
{
    if (n == 1)
        return m->byte_rank[p[0]];
    uint32_t h = tokd__rank_hash(p, n);
    for (uint32_t i = h & m->mask;; i = (i + 1) & m->mask) {
        const tokd__rank_slot *s = &m->slots[i];
        if (s->rank == TOKD__NO_RANK)
            return TOKD__NO_RANK;
        if (s->hash == h) {
            uint32_t off = m->offset[s->rank];
            if (m->offset[s->rank + 1] - off == n && tokd__same_bytes(m->bytes + off, p, n))
                return s->rank;
        }
    }
}

/* Length of rank r's bytes (0 if r is not a token). */
static inline uint32_t tokd__rankmap_len(const tokd__rankmap *m, uint32_t r)
{
    return r < m->n_ranks ? m->offset[r + 1] - m->offset[r] : 0;
}

#endif
