/* http.c - libmicrohttpd setup, routing, bodies, responses, request logs.
 *
 * Each connection has its own thread (libmicrohttpd's thread-per-connection
 * mode), so cheap routes such as /healthz answer at once however busy the
 * server is; routes that tokenize first take a turn from the admission gate
 * (admission.h), which bounds the work in progress and answers 429 when
 * saturated. Each such request runs under a work budget (budget.h).
 *
 * Strictness, decided before a body byte is read: a method longer than
 * MAX_METHOD or a path longer than MAX_PATH, a bad or twice-given
 * differing Content-Length, and a Content-Length over max_body_bytes are
 * answered at once (and the connection closed), so an `Expect:
 * 100-continue` over the limit gets its 413 instead of a 100. Paths are
 * routed as sent: percent-escapes are not decoded, so no NUL or invalid
 * UTF-8 can hide in one. A chunked body that passes the limit is answered
 * 413 at once (refuse_upload), the connection closed and the rest unread. */
#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "http.h"

/* A path's last segment may be a parameter ("{id}"), passed to the
 * handler. Admin routes check the bearer token before anything else. */
typedef struct route {
    const char *method;
    const char *path;
    handler_fn fn;
    int needs_ready; /* 503 until the tokenizers are loaded */
    admin_fn admin;
    void (*named)(app *a, const char *arg, reply *r); /* a public GET of PATH/{name} */
} route;

static const route routes[] = {
    {"GET", "/", api_playground, 0, NULL, NULL},
    {"GET", "/healthz", api_healthz, 0, NULL, NULL},
    {"GET", "/readyz", api_readyz, 0, NULL, NULL},
    {"GET", "/metrics", api_metrics, 0, NULL, NULL},
    {"GET", "/v1/tokenizers", api_tokenizers, 1, NULL, NULL},
    {"GET", "/v1/tokenizers/{name}", NULL, 1, NULL, api_tokenizer},
    {"GET", "/v1/models", api_models, 1, NULL, NULL},
    {"POST", "/v1/encode", api_encode, 1, NULL, NULL},
    {"POST", "/v1/decode", api_decode, 1, NULL, NULL},
    {"POST", "/v1/count", api_count, 1, NULL, NULL},
    {"POST", "/v1/context/check", api_context_check, 1, NULL, NULL},
    {"POST", "/v1/responses/input_tokens", api_responses_input_tokens, 1, NULL, NULL},
    {"POST", "/v1/windows", api_windows, 1, NULL, NULL},
    {"POST", "/v1/embeddings", api_embeddings, 1, NULL, NULL},
    {"POST", "/v1/embeddings/similar", api_similar, 1, NULL, NULL},
    {"POST", "/tokenize", api_compat_tokenize, 1, NULL, NULL},
    {"POST", "/detokenize", api_compat_detokenize, 1, NULL, NULL},
    {"POST", "/decode", api_tei_decode, 1, NULL, NULL},
    {"POST", "/apply-template", api_llamacpp_apply_template, 1, NULL, NULL},
    {"POST", "/tei/tokenize", api_tei_tokenize, 1, NULL, NULL},
    {"POST", "/tei/decode", api_tei_decode, 1, NULL, NULL},
    {"POST", "/vllm/tokenize", api_vllm_tokenize, 1, NULL, NULL},
    {"POST", "/vllm/detokenize", api_vllm_detokenize, 1, NULL, NULL},
    {"POST", "/llamacpp/tokenize", api_llamacpp_tokenize, 1, NULL, NULL},
    {"POST", "/llamacpp/detokenize", api_llamacpp_detokenize, 1, NULL, NULL},
    {"POST", "/llamacpp/apply-template", api_llamacpp_apply_template, 1, NULL, NULL},
    {"POST", "/admin/v1/train", NULL, 1, admin_train, NULL},
    {"GET", "/admin/v1/jobs", NULL, 1, admin_jobs, NULL},
    {"GET", "/admin/v1/jobs/{id}", NULL, 1, admin_job, NULL},
    {"DELETE", "/admin/v1/jobs/{id}", NULL, 1, admin_cancel, NULL},
};
#define N_ROUTES (sizeof routes / sizeof routes[0])

#define MAX_PATH 1024
#define TRIM_AFTER_BYTES (1u << 20) /* body + answer past this: malloc_trim after the request */
#define CANCEL_DRAIN_S 1.0 /* after the grace period: time for cancelled requests to send their 503 */
#define MAX_METHOD 16
#define DRAIN_MS 1000             /* refuse_upload: how long to drain the client's sending */
#define DRAIN_BYTES (16u << 20)   /* and how much at most */

typedef struct request {
    app *a;
    struct timespec start;
    char id[65];
    char *method;       /* owned copy */
    char *path;         /* owned copy, as sent */
    const char *route;  /* the matched route's path, for metrics */
    char *body;
    size_t len, cap;
    int too_big;
    int status;
    size_t bytes_out;
    size_t tokens;
    req_budget budget;
} request;

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The client's X-Request-Id if it is short and printable, else a new one. */
static void request_id(struct MHD_Connection *c, char id[65])
{
    const char *given = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Request-Id");
    size_t n = given ? strlen(given) : 0;
    int ok = n > 0 && n < 65;
    for (size_t i = 0; ok && i < n; i++)
        ok = given[i] > 0x20 && given[i] < 0x7f && given[i] != '"' && given[i] != '\\';
    if (ok) {
        memcpy(id, given, n + 1);
        return;
    }
    unsigned char r[8] = {0};
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) { /* no entropy yet: time-based */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t v = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
        memcpy(r, &v, sizeof r);
    }
    for (int i = 0; i < 8; i++)
        snprintf(id + 2 * i, 3, "%02x", r[i]);
}

static enum MHD_Result respond(struct MHD_Connection *c, request *rq, reply *r)
{
    char *text = r->text;
    if (!text && r->body)
        text = json_dumps(r->body, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    if (!text) {
        r->status = 503;
        text = strdup("{\"error\":{\"code\":\"out_of_memory\",\"message\":\"out of memory\"}}");
    }
    size_t len = text ? strlen(text) : 0;
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", r->content_type ? r->content_type : "application/json");
    MHD_add_response_header(resp, "X-Request-Id", rq->id);
    if (r->allow[0])
        MHD_add_response_header(resp, "Allow", r->allow);
    if (r->location[0])
        MHD_add_response_header(resp, "Location", r->location);
    if (r->status == 401)
        MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"tokd admin\"");
    if (r->status == 429)
        MHD_add_response_header(resp, "Retry-After", "1");
    if (r->close)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    rq->status = r->status;
    rq->bytes_out = len;
    rq->tokens = r->tokens;
    r->text = NULL;
    reply_release(r);
    return ok;
}

static int is_json(struct MHD_Connection *c)
{
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!ct)
        return 0;
    size_t n = strcspn(ct, ";");
    while (n > 0 && ct[n - 1] == ' ')
        n--;
    return n == 16 && !strncasecmp(ct, "application/json", 16);
}

/* Start the request's budget and wait for a turn to work: 0, or -1 with
 * `r` filled (429 saturated, or the budget's own error). */
static int take_turn(request *rq, struct MHD_Connection *c, reply *r)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    budget_start(&rq->budget, rq->a->cfg.max_request_ms, ci ? ci->connect_fd : -1, &rq->a->cancel_all);
    r->budget = &rq->budget;
    int rc = admission_enter(&rq->a->work, &rq->budget);
    if (rc == 0)
        return 0;
    if (rc == -1 || rq->budget.why == BUDGET_TIME) {
        reply_error(r, 429, "server_busy", NULL,
                    "every worker is busy and %ld requests are waiting already (max_waiting); retry shortly",
                    rq->a->cfg.max_waiting);
        return -1;
    }
    reply_tokd_error(r, rc, NULL, NULL);
    return -1;
}

static void run_route(request *rq, struct MHD_Connection *c, const route *rt, const char *arg, reply *r)
{
    json_t *body = NULL;
    json_error_t je;
    if (rt->admin &&
        admin_authorize(rq->a, MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION), r))
        return;
    if (rt->needs_ready && !atomic_load(&rq->a->ready)) {
        reply_error(r, 503, "not_ready", NULL, "tokenizers are still loading; retry shortly");
        return;
    }
    if (!strcmp(rt->method, "POST")) {
        if (rq->too_big) {
            reply_error(r, 413, "body_too_large", NULL, "the request body is larger than the limit of %ld bytes",
                        rq->a->cfg.max_body_bytes);
            return;
        }
        if (!is_json(c)) {
            reply_error(r, 415, "unsupported_media_type", NULL,
                        "send the body as JSON with the header Content-Type: application/json");
            return;
        }
        body = json_loadb(rq->body ? rq->body : "", rq->len, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &je);
        if (!body) {
            reply_error(r, 400, "invalid_json", NULL, "the body is not valid JSON: line %d, column %d: %s", je.line,
                        je.column, je.text);
            return;
        }
        if (!json_is_object(body)) {
            json_decref(body);
            reply_error(r, 400, "invalid_json", NULL, "the body must be a JSON object");
            return;
        }
    }
    if (body && take_turn(rq, c, r) != 0) {
        json_decref(body);
        return;
    }
    if (rt->admin)
        rt->admin(rq->a, arg, body, r);
    else if (rt->named)
        rt->named(rq->a, arg, r);
    else
        rt->fn(rq->a, body, r);
    if (body)
        admission_leave(&rq->a->work);
    json_decref(body);
}

/* Does `path` match the route's? *arg points at its {parameter}. */
static int path_matches(const char *pattern, const char *path, const char **arg)
{
    const char *brace = strchr(pattern, '{');
    *arg = NULL;
    if (!brace)
        return !strcmp(pattern, path);
    size_t n = (size_t)(brace - pattern);
    if (strncmp(pattern, path, n) != 0 || !path[n] || strchr(path + n, '/'))
        return 0;
    *arg = path + n;
    return 1;
}

static void dispatch(request *rq, struct MHD_Connection *c, reply *r)
{
    int path_known = 0;
    const char *arg;
    for (size_t i = 0; i < N_ROUTES; i++) {
        if (!path_matches(routes[i].path, rq->path, &arg))
            continue;
        path_known = 1;
        rq->route = routes[i].path;
        if (!strcmp(routes[i].method, rq->method) || (!strcmp(rq->method, "HEAD") && !strcmp(routes[i].method, "GET"))) {
            run_route(rq, c, &routes[i], arg, r);
            return;
        }
        size_t used = strlen(r->allow);
        snprintf(r->allow + used, sizeof r->allow - used, "%s%s", used ? ", " : "", routes[i].method);
    }
    if (path_known)
        reply_error(r, 405, "method_not_allowed", NULL, "%s %s is not supported; use %s", rq->method, rq->path, r->allow);
    else
        reply_error(r, 404, "not_found", NULL, "no route %s %s; see openapi.yaml for the API", rq->method, rq->path);
}

/* Collect up to max_body_bytes: 0, or -1 once past it (or out of memory). */
static int take_body(request *rq, const char *data, size_t n)
{
    size_t max = (size_t)rq->a->cfg.max_body_bytes;
    if (rq->too_big || n > max - rq->len) {
        rq->too_big = 1;
        return -1;
    }
    if (rq->len + n > rq->cap) {
        size_t cap = rq->cap ? rq->cap : 4096;
        while (cap < rq->len + n)
            cap *= 2;
        char *p = realloc(rq->body, cap);
        if (!p) {
            rq->too_big = 1;
            return -1;
        }
        rq->body = p;
        rq->cap = cap;
    }
    memcpy(rq->body + rq->len, data, n);
    rq->len += n;
    return 0;
}

typedef struct lengths {
    int n, differ, bad;
    unsigned long long value;
} lengths;

static enum MHD_Result one_length(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    lengths *l = cls;
    char *end;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) != 0)
        return MHD_YES;
    errno = 0;
    unsigned long long v = strtoull(value ? value : "", &end, 10);
    l->bad |= !value || !*value || *end || errno || value[0] == '-' || value[0] == '+';
    l->differ |= l->n > 0 && v != l->value;
    l->value = v;
    l->n++;
    return MHD_YES;
}

/* What is wrong with the request line and headers, before any body: 0,
 * or -1 with `r` filled. */
static int refuse_early(request *rq, struct MHD_Connection *c, reply *r)
{
    lengths l = {0};
    MHD_get_connection_values(c, MHD_HEADER_KIND, one_length, &l);
    r->close = 1;
    if (strlen(rq->method) > MAX_METHOD)
        reply_error(r, 501, "method_not_implemented", NULL, "no method of more than %d characters is supported",
                    MAX_METHOD);
    else if (strlen(rq->path) > MAX_PATH)
        reply_error(r, 414, "uri_too_long", NULL, "the path has %zu bytes; paths have at most %d", strlen(rq->path),
                    MAX_PATH);
    else if (l.bad || l.differ)
        reply_error(r, 400, "invalid_content_length", NULL,
                    l.bad ? "Content-Length must be one decimal number of bytes"
                          : "Content-Length is given twice with different values");
    else if (l.n && l.value > (unsigned long long)rq->a->cfg.max_body_bytes)
        reply_error(r, 413, "body_too_large", NULL,
                    "the request body (Content-Length %llu) is larger than the limit of %ld bytes (max_body_bytes)",
                    l.value, rq->a->cfg.max_body_bytes);
    else
        r->close = 0;
    return r->close ? -1 : 0;
}

static void request_free(request *rq)
{
    free(rq->method);
    free(rq->path);
    free(rq->body);
    free(rq);
}

static request *request_new(app *a, struct MHD_Connection *c, const char *url, const char *method)
{
    request *rq = calloc(1, sizeof *rq);
    if (!rq)
        return NULL;
    rq->a = a;
    clock_gettime(CLOCK_MONOTONIC, &rq->start);
    request_id(c, rq->id);
    rq->method = strdup(method);
    rq->path = strdup(url);
    if (!rq->method || !rq->path) {
        request_free(rq);
        return NULL;
    }
    atomic_fetch_add(&a->metrics.in_flight, 1);
    return rq;
}

/* Read and drop what the client sends for at most DRAIN_MS or DRAIN_BYTES:
 * closing a socket with unread data resets the connection, which can
 * destroy an answer still on its way to the client. */
static void drain_socket(int fd)
{
    char buf[65536];
    size_t got = 0;
    int64_t until = budget_now_ms() + DRAIN_MS;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (got < DRAIN_BYTES && budget_now_ms() < until) {
        if (poll(&p, 1, 50) <= 0)
            continue;
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            return;
        got += n > 0 ? (size_t)n : 0;
    }
}

/* A chunked body passed max_body_bytes while it was arriving, where
 * libmicrohttpd can no longer queue a response: the 413 is written on the
 * socket here (this connection's own thread; nothing else writes on it),
 * sending is shut down, what the client already sent is drained for a
 * moment, and libmicrohttpd closes the connection. The rest of the body is
 * never read. */
static enum MHD_Result refuse_upload(request *rq, struct MHD_Connection *c)
{
    reply r = {0};
    reply_error(&r, 413, "body_too_large", NULL,
                "the request body is larger than the limit of %ld bytes (max_body_bytes)", rq->a->cfg.max_body_bytes);
    char *body = json_dumps(r.body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    char head[256];
    size_t len = body ? strlen(body) : 0;
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 413 Payload Too Large\r\nContent-Type: application/json\r\nX-Request-Id: %s\r\n"
                     "Connection: close\r\nContent-Length: %zu\r\n\r\n",
                     rq->id, len);
    if (ci && body && n > 0 && (size_t)n < sizeof head && send(ci->connect_fd, head, (size_t)n, MSG_NOSIGNAL) == n &&
        send(ci->connect_fd, body, len, MSG_NOSIGNAL) == (ssize_t)len) {
        shutdown(ci->connect_fd, SHUT_WR);
        drain_socket(ci->connect_fd);
        rq->bytes_out = (size_t)n + len;
    }
    rq->status = 413;
    free(body);
    reply_release(&r);
    return MHD_NO;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **req_cls)
{
    request *rq = *req_cls;
    reply r = {0};
    if (!rq) {
        *req_cls = rq = request_new(cls, c, url, method);
        if (!rq)
            return MHD_NO;
        return refuse_early(rq, c, &r) == 0 ? MHD_YES : respond(c, rq, &r);
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (take_body(rq, upload, n) == 0)
            return MHD_YES;
        return refuse_upload(rq, c);
    }
    dispatch(rq, c, &r);
    return respond(c, rq, &r);
}

static void log_request(const request *rq, double seconds)
{
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    app_log(json_pack("{s:s, s:s, s:o*, s:o*, s:i, s:f, s:I, s:I, s:I}", "time", when, "request_id", rq->id, "method",
                      json_safe_string(rq->method, strlen(rq->method)), "path",
                      json_safe_string(rq->path, strlen(rq->path)), "status", rq->status, "duration_ms", seconds * 1e3,
                      "bytes_in", (json_int_t)rq->len, "bytes_out", (json_int_t)rq->bytes_out, "tokens",
                      (json_int_t)rq->tokens));
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls, enum MHD_RequestTerminationCode toe)
{
    request *rq = *req_cls;
    app *a = cls;
    if (!rq)
        return;
    double seconds = seconds_since(&rq->start);
    if (!rq->status) /* the client went away before an answer */
        rq->status = 499;
    metrics_record(&a->metrics, metrics_route(rq->route ? rq->route : rq->path), rq->status, seconds, rq->tokens);
    if (a->cfg.log_requests)
        log_request(rq, seconds);
    atomic_fetch_sub(&a->metrics.in_flight, 1);
    int big = rq->len + rq->bytes_out > TRIM_AFTER_BYTES;
    request_free(rq);
    *req_cls = NULL;
    if (big) /* give a large request's scratch memory back to the system */
        malloc_trim(0);
}

static int bind_address(const char *listen, unsigned port, struct sockaddr_storage *ss)
{
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    memset(ss, 0, sizeof *ss);
    if (inet_pton(AF_INET, listen, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        return 0;
    }
    if (inet_pton(AF_INET6, listen, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        return 0;
    }
    return -1;
}

/* Paths are matched as sent (see the top of this file). */
static size_t keep_escapes(void *cls, struct MHD_Connection *c, char *s)
{
    return strlen(s);
}

struct MHD_Daemon *http_start(app *a, unsigned *port)
{
    struct sockaddr_storage ss;
    if (bind_address(a->cfg.listen, (unsigned)a->cfg.port, &ss) != 0) {
        fprintf(stderr, "tokd serve: listen address '%s' is not an IPv4 or IPv6 address\n", a->cfg.listen);
        return NULL;
    }
    long threads = a->cfg.threads > 0 ? a->cfg.threads : sysconf(_SC_NPROCESSORS_ONLN);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL | MHD_USE_ITC |
                     (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    if (admission_init(&a->work, threads > 0 ? threads : 1, a->cfg.max_waiting) != 0) {
        fprintf(stderr, "tokd serve: cannot set up the workers\n");
        return NULL;
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)a->cfg.port, NULL, NULL, on_request, a, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)a->cfg.connection_timeout_s, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)a->cfg.max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)a->cfg.max_connections_per_ip,
        MHD_OPTION_UNESCAPE_CALLBACK, keep_escapes, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_completed, a,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "tokd serve: cannot listen on %s port %ld (in use, or not allowed)\n", a->cfg.listen, a->cfg.port);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    *port = info ? info->port : (unsigned)a->cfg.port;
    return d;
}

/* Wait up to `seconds` for the requests in flight to end. */
static void drain(app *a, double seconds)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (atomic_load(&a->metrics.in_flight) > 0 && seconds_since(&start) < seconds) {
        struct timespec tick = {0, 10 * 1000 * 1000};
        nanosleep(&tick, NULL);
    }
}

void http_stop(app *a, struct MHD_Daemon *d)
{
    MHD_socket fd = MHD_quiesce_daemon(d);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    drain(a, (double)a->cfg.shutdown_grace_s);
    atomic_store(&a->cancel_all, 1); /* what still runs stops at its next check and answers 503 */
    admission_wake_all(&a->work);
    drain(a, CANCEL_DRAIN_S);
    MHD_stop_daemon(d);
    admission_release(&a->work);
}
