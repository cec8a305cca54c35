/* budget.h - the work budget of one request: a deadline, a client that may
 * go away, and a server that may be shutting down.
 *
 * A handler passes budget_limits() to libtokd's *_bounded calls; the
 * library polls budget_check between pieces of work, so a request stops
 * within a few pieces of its deadline, of its client closing the
 * connection, or of the server's grace period running out. Afterwards
 * `why` says which stopped it, and the reply says so (budget_reply).
 *
 * The clock is CLOCK_MONOTONIC_COARSE (a few ms resolution, no syscall);
 * the client's socket is peeked (non-blocking) at most every 50 ms.
 *
 * Thread-safety: a budget belongs to the one thread serving its request;
 * `cancel_all` is an atomic any thread may set. */
#ifndef TOKD_SERVER_BUDGET_H
#define TOKD_SERVER_BUDGET_H

#include <stdatomic.h>
#include <stdint.h>

#include "tokd/tokd.h"

enum budget_why { BUDGET_OK = 0, BUDGET_TIME, BUDGET_GONE, BUDGET_SHUTDOWN };

typedef struct req_budget {
    int64_t deadline_ms;  /* on the coarse monotonic clock */
    int64_t next_peek_ms; /* when to look at the socket again */
    long ms;              /* the budget, for messages */
    int fd;               /* the client's socket, or -1 */
    const atomic_int *cancel_all; /* non-zero: stop every request; may be NULL */
    enum budget_why why;  /* what stopped the request, once something did */
} req_budget;

/* Start a budget of `ms` milliseconds (0: no deadline) for a request on
 * socket `fd` (-1: none to watch). `cancel_all` is borrowed. */
void budget_start(req_budget *b, long ms, int fd, const atomic_int *cancel_all);

/* tokd_limits.check: 0 to go on, else TOKD_ELIMIT (deadline) or
 * TOKD_ECANCELLED (client gone, shutdown); sets b->why. */
int budget_check(void *b);

/* Limits for one libtokd call: `max_tokens` (0: none) and this budget's
 * check (none when b is NULL). */
tokd_limits budget_limits(req_budget *b, size_t max_tokens);

/* Milliseconds on the coarse monotonic clock. */
int64_t budget_now_ms(void);

#endif
