/* metrics.c - recording and rendering Prometheus metrics. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "metrics.h"

#define ROUTE_NAME(p) p,
static const char *const route_names[METRICS_N_ROUTES] = {METRICS_ROUTES(ROUTE_NAME)};
static const int statuses[METRICS_N_STATUSES] = METRICS_STATUSES;
/* latency bucket bounds in seconds */
static const double bounds[METRICS_N_BUCKETS] = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                 0.005,   0.01,   0.025,   0.05,   0.1,   1.0};

int metrics_route(const char *path)
{
    for (int i = 0; i < METRICS_N_ROUTES - 1; i++)
        if (!strcmp(route_names[i], path))
            return i;
    return METRICS_N_ROUTES - 1;
}

static int status_index(int status)
{
    for (int i = 0; i < METRICS_N_STATUSES - 1; i++)
        if (statuses[i] == status)
            return i;
    return METRICS_N_STATUSES - 1;
}

void metrics_record(metrics *m, int route, int status, double seconds, size_t tokens)
{
    int b = 0;
    while (b < METRICS_N_BUCKETS && seconds > bounds[b])
        b++;
    atomic_fetch_add_explicit(&m->requests[route][status_index(status)], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->buckets[route][b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->duration_us[route], (unsigned long)(seconds * 1e6), memory_order_relaxed);
    atomic_fetch_add_explicit(&m->tokens, tokens, memory_order_relaxed);
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int put(tokd_bytes *out, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0 || n >= (int)sizeof line)
        return TOKD_EINVAL;
    return tokd_bytes_append(out, line, (size_t)n);
}

static int render_requests(metrics *m, tokd_bytes *out)
{
    int rc = put(out, "# HELP tokd_requests_total Requests answered, by route and HTTP status.\n"
                      "# TYPE tokd_requests_total counter\n");
    for (int r = 0; r < METRICS_N_ROUTES && rc == 0; r++)
        for (int s = 0; s < METRICS_N_STATUSES && rc == 0; s++) {
            unsigned long v = atomic_load_explicit(&m->requests[r][s], memory_order_relaxed);
            if (v)
                rc = statuses[s] ? put(out, "tokd_requests_total{route=\"%s\",status=\"%d\"} %lu\n",
                                       route_names[r], statuses[s], v)
                                 : put(out, "tokd_requests_total{route=\"%s\",status=\"other\"} %lu\n",
                                       route_names[r], v);
        }
    return rc;
}

static int render_latency(metrics *m, tokd_bytes *out)
{
    int rc = put(out, "# HELP tokd_request_duration_seconds Time from request start to the response, "
                      "by route.\n# TYPE tokd_request_duration_seconds histogram\n");
    for (int r = 0; r < METRICS_N_ROUTES && rc == 0; r++) {
        unsigned long cum = 0;
        for (int b = 0; b <= METRICS_N_BUCKETS && rc == 0; b++) {
            cum += atomic_load_explicit(&m->buckets[r][b], memory_order_relaxed);
            rc = b < METRICS_N_BUCKETS
                     ? put(out, "tokd_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %lu\n",
                           route_names[r], bounds[b], cum)
                     : put(out, "tokd_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %lu\n",
                           route_names[r], cum);
        }
        if (rc == 0)
            rc = put(out, "tokd_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                          "tokd_request_duration_seconds_count{route=\"%s\"} %lu\n",
                     route_names[r], (double)atomic_load(&m->duration_us[r]) / 1e6, route_names[r], cum);
    }
    return rc;
}

int metrics_render(metrics *m, size_t loaded, tokd_bytes *out)
{
    int rc = render_requests(m, out);
    if (rc == 0)
        rc = render_latency(m, out);
    if (rc == 0)
        rc = put(out,
                 "# HELP tokd_tokens_processed_total Tokens produced or consumed by requests.\n"
                 "# TYPE tokd_tokens_processed_total counter\ntokd_tokens_processed_total %lu\n"
                 "# HELP tokd_in_flight_requests Requests being processed.\n"
                 "# TYPE tokd_in_flight_requests gauge\ntokd_in_flight_requests %ld\n"
                 "# HELP tokd_tokenizers_loaded Tokenizers loaded and served.\n"
                 "# TYPE tokd_tokenizers_loaded gauge\ntokd_tokenizers_loaded %zu\n",
                 atomic_load(&m->tokens), atomic_load(&m->in_flight), loaded);
    return rc;
}
