/* admission.c - a counting gate with a bounded waiting room (admission.h).
 *
 * Waiters sleep on one condition variable on the monotonic clock and wake
 * every 100 ms to re-check their budget (deadline, gone client, shutdown),
 * so a waiter never outlives its request. */
#include <errno.h>
#include <time.h>

#include "admission.h"

#define RECHECK_MS 100

int admission_init(admission *q, long max_active, long max_waiting)
{
    pthread_condattr_t ca;
    *q = (admission){.max_active = max_active, .max_waiting = max_waiting};
    if (pthread_condattr_init(&ca) != 0)
        return -1;
    int rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) || pthread_cond_init(&q->turn, &ca) ||
             pthread_mutex_init(&q->mu, NULL);
    pthread_condattr_destroy(&ca);
    return rc ? -1 : 0;
}

void admission_release(admission *q)
{
    pthread_cond_destroy(&q->turn);
    pthread_mutex_destroy(&q->mu);
}

static void wait_a_while(admission *q)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_nsec += RECHECK_MS * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&q->turn, &q->mu, &t);
}

int admission_enter(admission *q, req_budget *b)
{
    int rc = 0;
    pthread_mutex_lock(&q->mu);
    if (q->active >= q->max_active && q->waiting >= q->max_waiting)
        rc = -1;
    if (rc == 0 && q->active >= q->max_active) {
        q->waiting++;
        while (q->active >= q->max_active && (rc = budget_check(b)) == 0)
            wait_a_while(q);
        q->waiting--;
    }
    if (rc == 0)
        q->active++;
    pthread_mutex_unlock(&q->mu);
    return rc;
}

void admission_leave(admission *q)
{
    pthread_mutex_lock(&q->mu);
    q->active--;
    pthread_cond_signal(&q->turn);
    pthread_mutex_unlock(&q->mu);
}

void admission_wake_all(admission *q)
{
    pthread_mutex_lock(&q->mu);
    pthread_cond_broadcast(&q->turn);
    pthread_mutex_unlock(&q->mu);
}
