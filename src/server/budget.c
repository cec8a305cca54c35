/* budget.c - deadlines and cancellation for one request (see budget.h).
 *
 * A client is gone when a non-blocking MSG_PEEK on its socket reads end of
 * file (or a hard error): it closed the connection, so nobody will read the
 * answer. Bytes waiting (a pipelined request) or EAGAIN mean it is there. */
#include <errno.h>
#include <sys/socket.h>
#include <time.h>

#include "budget.h"

#define PEEK_EVERY_MS 50

int64_t budget_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void budget_start(req_budget *b, long ms, int fd, const atomic_int *cancel_all)
{
    int64_t now = budget_now_ms();
    *b = (req_budget){.deadline_ms = ms > 0 ? now + ms : 0, .next_peek_ms = now + PEEK_EVERY_MS, .ms = ms, .fd = fd,
                  .cancel_all = cancel_all};
}

static int client_gone(int fd)
{
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

int budget_check(void *arg)
{
    req_budget *b = arg;
    int64_t now = budget_now_ms();
    if (b->why == BUDGET_OK && b->cancel_all && atomic_load_explicit(b->cancel_all, memory_order_relaxed))
        b->why = BUDGET_SHUTDOWN;
    if (b->why == BUDGET_OK && b->deadline_ms && now >= b->deadline_ms)
        b->why = BUDGET_TIME;
    if (b->why == BUDGET_OK && b->fd >= 0 && now >= b->next_peek_ms) {
        b->next_peek_ms = now + PEEK_EVERY_MS;
        if (client_gone(b->fd))
            b->why = BUDGET_GONE;
    }
    return b->why == BUDGET_OK ? 0 : b->why == BUDGET_TIME ? TOKD_ELIMIT : TOKD_ECANCELLED;
}

tokd_limits budget_limits(req_budget *b, size_t max_tokens)
{
    return (tokd_limits){max_tokens, b ? budget_check : NULL, b, 1};
}
