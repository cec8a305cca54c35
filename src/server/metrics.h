/* metrics.h - Prometheus metrics of the server, lock-free.
 *
 * Counters are atomics indexed by route and status, so recording a request
 * is a handful of relaxed atomic adds.
 *
 * Thread-safety: metrics_record from any thread; metrics_render reads a
 * consistent-enough snapshot (each counter is read atomically). */
#ifndef TOKD_SERVER_METRICS_H
#define TOKD_SERVER_METRICS_H

#include <stdatomic.h>
#include <stddef.h>

#include "tokd/tokd.h"

/* Routes with their own series; anything else is "other". */
#define METRICS_ROUTES(X)                                                                          \
    X("/") X("/healthz") X("/readyz") X("/metrics") X("/v1/tokenizers") X("/v1/tokenizers/{name}")     \
    X("/v1/models") X("/v1/encode") X("/v1/decode") X("/v1/count") X("/v1/context/check")            \
    X("/v1/responses/input_tokens") X("/v1/windows") X("/v1/embeddings") X("/v1/embeddings/similar") \
    X("/admin/v1/train") X("/admin/v1/jobs") X("/admin/v1/jobs/{id}") X("other")
#define METRICS_STATUSES {200, 202, 400, 401, 403, 404, 405, 409, 413, 414, 415, 429, 499, 500, 501, 503, 0}
#define METRICS_N_ROUTES 19
#define METRICS_N_STATUSES 17
#define METRICS_N_BUCKETS 12

typedef struct metrics {
    atomic_ulong requests[METRICS_N_ROUTES][METRICS_N_STATUSES];
    atomic_ulong buckets[METRICS_N_ROUTES][METRICS_N_BUCKETS + 1]; /* last: +Inf */
    atomic_ulong duration_us[METRICS_N_ROUTES];
    atomic_ulong tokens;
    atomic_long in_flight;
} metrics;

/* Index of a route path (METRICS_N_ROUTES - 1 for "other"). */
int metrics_route(const char *path);

void metrics_record(metrics *m, int route, int status, double seconds, size_t tokens);

/* Prometheus text exposition format 0.0.4; `loaded` tokenizers gauge. */
int metrics_render(metrics *m, size_t loaded, tokd_bytes *out);

#endif
