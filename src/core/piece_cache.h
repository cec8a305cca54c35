/* piece_cache.h - one call's memo of pre-tokenized pieces -> tokens
 * (internal).
 *
 * A model's tokens for a piece depend only on the piece's bytes (model.h),
 * so a piece seen before can be answered from a memo instead of the model:
 * in prose and code most pieces (" the", "\n    ", "return") recur, and the
 * multi-token ones cost the model tens of lookups each. The memo is
 * two-way set-associative with fixed-size slots of two cache lines: a piece
 * of up to TOKD__CACHE_KEY bytes whose tokens number at most
 * TOKD__CACHE_IDS is kept, keyed by its exact bytes (a hit compares them
 * all, so results are exact); a new piece takes the first way of its set
 * and moves the piece there to the second, dropping the older. Memory is
 * bounded by the slot count chosen at creation (at most 16,384 slots, 2 MiB).
 * Counting calls keep only how many tokens a piece makes.
 *
 * Ownership: the creator frees the cache with tokd__piece_cache_free.
 * Thread-safety: a cache belongs to one call on one thread. */
#ifndef TOKD_PIECE_CACHE_H
#define TOKD_PIECE_CACHE_H

#include "model.h"

#define TOKD__CACHE_KEY 58 /* with the rest, a slot is 128 bytes */
#define TOKD__CACHE_IDS 16

typedef struct tokd__cache_slot {
    uint32_t hash;
    uint8_t len;   /* 0: empty */
    uint8_t n_ids; /* tokens the piece makes */
    uint8_t key[TOKD__CACHE_KEY];
    uint32_t ids[TOKD__CACHE_IDS]; /* unused when counting */
} tokd__cache_slot;

typedef struct tokd__piece_cache {
    const tokd__model *model; /* borrowed */
    tokd__cache_slot *slots;
    uint32_t mask;
} tokd__piece_cache;

/* A cache in front of model m (borrowed; must outlive the cache) sized for
 * a text of `len` bytes, or NULL when the text is too short to gain from
 * one (or on allocation failure: the caller then runs without). Free with
 * tokd__piece_cache_free (NULL is fine). */
tokd__piece_cache *tokd__piece_cache_new(const tokd__model *m, size_t len);
void tokd__piece_cache_free(tokd__piece_cache *c);

/* The model's tokens for the piece p[0..n) (n >= 1) into sink k, from the
 * cache when the piece is there. The sink must not be collecting offsets.
 * Returns the model's answer (0, TOKD_ENOMEM, TOKD_EUNSUPPORTED). */
int tokd__piece_cache_encode(tokd__piece_cache *c, const uint8_t *p, size_t n, tokd__sink *k);

/* The same in two steps, for a model that memoizes parts of a piece (bpe.c's
 * words): find replays p[0..n)'s tokens into k and returns 1 if they are
 * cached (TOKD_ENOMEM if they do not fit), else returns 0 and fills *probe;
 * after the tokens were made into k, keep stores them. */
typedef struct tokd__cache_probe {
    tokd__cache_slot *set; /* the two ways the piece goes in; NULL: not kept */
    uint32_t hash;
    size_t before; /* the sink's tokens before the piece's */
} tokd__cache_probe;

int tokd__piece_cache_find(tokd__piece_cache *c, const uint8_t *p, size_t n, tokd__sink *k, tokd__cache_probe *probe);
void tokd__piece_cache_keep(const tokd__cache_probe *probe, const uint8_t *p, size_t n, const tokd__sink *k);

#endif
