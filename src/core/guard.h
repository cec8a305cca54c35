/* guard.h - enforcing a call's tokd_limits inside the encode loops (internal).
 *
 * Every loop that emits tokens for pieces of text calls tokd__guard_step
 * after each piece; it costs one compare per piece, plus the caller's check
 * after the first piece and then after every 16th. The guard reads the
 * running count through `out` (encode) or `count` (count only), so it never
 * needs its own tally.
 *
 * Thread-safety: a guard belongs to one call on one thread. */
#ifndef TOKD_GUARD_H
#define TOKD_GUARD_H

#include "tokd/tokenizer.h"

typedef struct tokd__guard {
    const tokd_limits *lim; /* never NULL: a zero struct when unbounded */
    const tokd_ids *out;    /* NULL when counting */
    size_t base;            /* out->len when the call started */
    const size_t *count;    /* the running count when counting */
    unsigned tick;
    int tripped; /* 1 once max_tokens stopped the call, 2 once check did */
} tokd__guard;

static inline size_t tokd__guard_produced(const tokd__guard *g)
{
    return g->out ? g->out->len - g->base : *g->count;
}

/* 0 to go on, or the code that stops the call. */
static inline int tokd__guard_step(tokd__guard *g)
{
    const tokd_limits *l = g->lim;
    if (l->max_tokens && tokd__guard_produced(g) > l->max_tokens) {
        g->tripped = 1;
        return TOKD_ELIMIT;
    }
    if (l->check && (g->tick++ & 15u) == 0) {
        int rc = l->check(l->arg);
        if (rc != 0) {
            g->tripped = 2;
            return rc < 0 ? rc : TOKD_ECANCELLED;
        }
    }
    return 0;
}

#endif
