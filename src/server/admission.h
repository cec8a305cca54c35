/* admission.h - how many requests may work at once, and how many may wait.
 *
 * Every connection has its own thread (so /healthz never waits behind a
 * long request), but only `max_active` requests do tokenizer work at a
 * time (the CPU cores), and at most `max_waiting` more wait for a turn:
 * past that the server is saturated and the request gets 429 at once. A
 * waiting request gives up at its budget's deadline or at shutdown.
 *
 * Thread-safety: every function may be called from any thread. */
#ifndef TOKD_SERVER_ADMISSION_H
#define TOKD_SERVER_ADMISSION_H

#include <pthread.h>

#include "budget.h"

typedef struct admission {
    pthread_mutex_t mu;
    pthread_cond_t turn;
    long active, waiting;
    long max_active, max_waiting;
} admission;

int admission_init(admission *q, long max_active, long max_waiting);
void admission_release(admission *q);

/* 0: the caller may work (call admission_leave after); -1: saturated
 * (429); else the budget ran out while waiting (b->why says how). */
int admission_enter(admission *q, req_budget *b);
void admission_leave(admission *q);

/* Wake every waiter (at shutdown, after setting the budgets' cancel_all). */
void admission_wake_all(admission *q);

#endif
