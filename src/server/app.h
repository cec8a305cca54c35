/* app.h - what every endpoint shares: configuration, loaded tokenizers, the
 * model registry, metrics; and the reply type handlers fill.
 *
 * A handler gets the parsed JSON body (NULL for GET) and fills a reply with
 * a status and a JSON body; it never touches libmicrohttpd. Handlers return
 * nothing: every outcome, error or not, is in the reply.
 *
 * Thread-safety: `app` is read-only once ready is set, except the atomic
 * metrics, the catalog and the jobs, which lock themselves; handlers run
 * concurrently on the server's threads. */
#ifndef TOKD_SERVER_APP_H
#define TOKD_SERVER_APP_H

#include <jansson.h>
#include <stdatomic.h>

#include "admission.h"
#include "budget.h"
#include "catalog.h"
#include "config.h"
#include "metrics.h"
#include "models.h"
#include "tokd/tokd.h"

struct jobs;
struct chat_templates;

/* A served embedding table and the tokenizer whose ids index it. */
typedef struct embed_table {
    char name[65];
    tokd_embedding *emb; /* owned */
    tokd_tokenizer *tok; /* one reference */
} embed_table;

typedef struct app {
    server_config cfg;
    catalog tokenizers;
    struct jobs *jobs;       /* training jobs; NULL when training is off */
    struct chat_templates *templates; /* chat templates (chat_template.h) */
    char admin_token[256];   /* "" = admin API disabled */
    model_registry models;
    embed_table tables[CONFIG_MAX_EMBEDDINGS];
    size_t n_tables;
    metrics metrics;
    admission work;         /* requests doing tokenizer work at once */
    atomic_int cancel_all;  /* set when the shutdown grace is over */
    atomic_int ready;
    atomic_int helpers;     /* threads lent to large texts now (app_threads_for) */
} app;

typedef struct reply {
    int status;
    json_t *body;        /* owned; the response */
    char allow[32];      /* for 405: the Allow header */
    const char *content_type; /* NULL: application/json */
    char *text;          /* owned; a non-JSON body (metrics) */
    size_t tokens;       /* tokens processed, for metrics and the log */
    char location[96];   /* for 201/202: the Location header */
    int close;           /* close the connection after the answer */
    tokd_tokenizer **held; /* tokenizers the handler looked up, kept alive */
    size_t n_held, cap_held;
    req_budget *budget;  /* borrowed: the request's work budget; NULL = none */
} reply;

/* Let go of what a reply holds (after it was sent). */
void reply_release(reply *r);

/* Fill `r` with the error body {"error": {"code", "message", "field"}}. */
void reply_error(reply *r, int status, const char *code, const char *field, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* An error from libtokd, with its status and a snake_case code; when the
 * request's budget stopped the call, the budget's error (413 work budget,
 * 499 client gone, 503 shutting down). */
void reply_tokd_error(reply *r, int rc, const tokd_error *err, const char *field);

/* A request number over a limit: 413 `code` naming the field, the limit,
 * the setting that sets it and how to ask for less. */
void reply_over_limit(reply *r, const char *code, const char *field, const char *what, unsigned long long asked,
                      long limit, const char *setting, const char *hint);

/* The error of a bounded encode or count of `field`, allowed `limit`
 * tokens by `setting` (NULL: no token bound): 413 too_many_tokens when that
 * bound stopped it, 413 pattern_too_costly when PCRE2's match limits did,
 * else as reply_tokd_error. */
void reply_bounded_error(reply *r, int rc, const tokd_error *err, const char *field, long limit, const char *setting);

/* Limits for one libtokd call of this request: `max_tokens` (0: none)
 * and the request's budget check. */
tokd_limits req_limits(reply *r, size_t max_tokens);

/* Threads to encode or count a text of `len` bytes on (tokd_limits
 * max_threads): 1, or more when the text is long enough and helpers of
 * the server-wide pool (text_threads - 1) are free; taken until
 * app_threads_done. Small requests never wait for them: a large text gets
 * what is free, or runs on its own worker thread. */
unsigned app_threads_for(app *a, size_t len);
void app_threads_done(app *a, unsigned threads);

/* Write `line` (a JSON object; taken, NULL is ignored) to stderr as one
 * compact line in one write(), so concurrent lines never interleave. */
void app_log(json_t *line);

/* 1 if `v` is a JSON string with no NUL inside (names and paths must not
 * have one: C would silently cut them there). */
int json_is_name(json_t *v);

/* A JSON string of `s` that is always valid: invalid UTF-8 replaced by
 * U+FFFD, NUL shown as U+FFFD; NULL only when out of memory. */
json_t *json_safe_string(const char *s, size_t n);

void reply_json(reply *r, json_t *body);

/* The library's byte offsets of each token, as [start, end) pairs in code
 * points or UTF-16 units of `text`: a range that starts or ends inside a
 * character covers that character; an empty one (a post-processor's BOS)
 * stays empty. New reference; NULL when out of memory (api_text.c). */
json_t *offsets_json(const tokd_offsets *off, const char *text, size_t len, int utf16);

/* Handlers. `body` is the request's JSON object (NULL for GET). */
typedef void (*handler_fn)(app *a, json_t *body, reply *r);

void api_playground(app *a, json_t *body, reply *r);
void api_healthz(app *a, json_t *body, reply *r);
void api_readyz(app *a, json_t *body, reply *r);
void api_metrics(app *a, json_t *body, reply *r);
void api_tokenizers(app *a, json_t *body, reply *r);
/* GET /v1/tokenizers/{name}: one tokenizer with all its special tokens. */
void api_tokenizer(app *a, const char *name, reply *r);
void api_models(app *a, json_t *body, reply *r);
void api_encode(app *a, json_t *body, reply *r);
void api_decode(app *a, json_t *body, reply *r);
void api_count(app *a, json_t *body, reply *r);
void api_context_check(app *a, json_t *body, reply *r);
void api_responses_input_tokens(app *a, json_t *body, reply *r);
void api_windows(app *a, json_t *body, reply *r);
void api_embeddings(app *a, json_t *body, reply *r);
void api_similar(app *a, json_t *body, reply *r);

/* Open every configured embedding table (tables.c); 0, or -1 after
 * printing which table, file and problem. */
int tables_load(app *a);
void tables_release(app *a);

/* Admin handlers (admin.c): `arg` is the path's {id}, or NULL. The HTTP
 * layer has checked the bearer token before calling them. */
typedef void (*admin_fn)(app *a, const char *arg, json_t *body, reply *r);
void admin_train(app *a, const char *arg, json_t *body, reply *r);
void admin_jobs(app *a, const char *arg, json_t *body, reply *r);
void admin_job(app *a, const char *arg, json_t *body, reply *r);
void admin_cancel(app *a, const char *arg, json_t *body, reply *r);

/* 0 when `authorization` (the header, may be NULL) carries the admin
 * token; else -1 with `r` filled: 403 when no token is configured, 401. */
int admin_authorize(app *a, const char *authorization, reply *r);

/* Shared request helpers (api_common.c). Each returns 0, or -1 after
 * filling `r` with an error that names the field. */

/* The tokenizer a request names with "tokenizer" or "model" (exactly one);
 * *model is set when a model was named and the registry knows it. */
int req_tokenizer(app *a, json_t *body, reply *r, const tokd_tokenizer **tok, const model_info **model);
/* The tokenizer called `name`, kept alive until `r` is released; NULL if
 * none (or out of memory). */
const tokd_tokenizer *app_tokenizer(app *a, reply *r, const char *name);

/* "text" or "texts": exactly one. Fills texts[0..*n) with borrowed strings
 * (NULL-safe: lengths in lens) and *batch with whether "texts" was used. */
int req_texts(app *a, json_t *body, reply *r, json_t **list, int *batch);

/* A JSON array of token ids called `name` in errors ("ids", "ids[2]"),
 * appended to `ids`; 413 when with the `used` ids already taken a request
 * would hold more than `limit` (the `setting` that sets it). */
int req_id_list(json_t *list, const char *name, size_t used, long limit, const char *setting, tokd_ids *ids,
                reply *r);

/* Optional "limit" (a positive integer; 0 when absent). */
int req_limit(json_t *body, size_t *limit, reply *r);

/* Optional boolean field. */
int req_bool(json_t *body, const char *key, int *out, reply *r);

/* allowed_special / disallowed_special into `sp` (names borrowed from the
 * body; *names is malloc'd, free it). */
int req_specials(json_t *body, tokd_specials *sp, const char ***names, reply *r);

#endif
