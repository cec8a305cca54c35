/* train_corpora.h - random corpora for the trainer's suites (test_train,
 * test_counts): text drawn from a small alphabet of units, so that pieces
 * repeat, tie and overlap. A fixed LCG makes every run the same.
 * Thread-safety: one generator per test program, used from one thread. */
#ifndef TOKD_TRAIN_CORPORA_H
#define TOKD_TRAIN_CORPORA_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t train_rng;

static inline uint32_t train_rnd(uint32_t n)
{
    train_rng = train_rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(train_rng >> 33) % n;
}

/* `units` units of alphabet[0..n) (each at most 4 bytes), NUL-terminated;
 * the caller frees it. */
static inline char *train_random_text(const char *const *alphabet, size_t n, size_t units, size_t *len)
{
    char *s = malloc(units * 4 + 1);
    size_t k = 0;
    for (size_t i = 0; s && i < units; i++) {
        const char *u = alphabet[train_rnd((uint32_t)n)];
        memcpy(s + k, u, strlen(u));
        k += strlen(u);
    }
    if (s)
        s[k] = '\0';
    *len = k;
    return s;
}

#endif
