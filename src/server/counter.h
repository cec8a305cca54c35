/* counter.h - one count answer in the making: a running total under an
 * optional limit, and the reasons it is not exact.
 *
 * Text is counted with libtokd's tokd_count_bounded, so a limit stops the
 * encode loop itself once passed ("does it fit in N?" costs about N
 * tokens of work); after that every further add is skipped and the total
 * is the count so far. A count is exact until a rule that is not published
 * for the model is used; each such use adds a sentence to `why` (each
 * distinct sentence once).
 *
 * Thread-safety: a counter belongs to one request. */
#ifndef TOKD_SERVER_COUNTER_H
#define TOKD_SERVER_COUNTER_H

#include <jansson.h>

#include "tokd/tokd.h"

typedef struct counter {
    const tokd_tokenizer *tok; /* borrowed */
    const tokd_specials *sp;   /* borrowed; NULL: special-token text is plain text */
    const tokd_limits *base;   /* borrowed; its check callback is kept; may be NULL */
    size_t limit;              /* 0: none */
    long total;
    int exceeded;
    json_t *why; /* owned: array of strings */
} counter;

/* Start a count under `limit` (0: none). Release with counter_release. */
int counter_init(counter *c, const tokd_tokenizer *tok, size_t limit, const tokd_limits *base);
void counter_release(counter *c);

/* Count `len` bytes of text into the total. Returns 0 (also when the limit
 * is passed: c->exceeded is then set) or a TOKD_E* code with `err` filled. */
int counter_text(counter *c, const char *s, size_t len, tokd_error *err);

/* Add a rule's constant (may be negative). */
void counter_add(counter *c, long n);

/* Mark the count as an estimate, saying why (printf-style). */
void counter_estimate(counter *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* "tokenizer" and "tokenizer_sha256" (so replicas can be checked for
 * drift) into `out`. */
void counter_tokenizer(const counter *c, json_t *out);

/* The count's own fields into `out`: "exact", "why" (when not exact), and
 * with a limit "limit" and "exceeds". */
void counter_answer(const counter *c, json_t *out);

#endif
