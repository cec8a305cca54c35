/* app.h - what every endpoint shares: configuration, loaded tokenizers, the
 * model registry, metrics; and the reply type handlers fill.
 *
 * A handler gets the parsed JSON body (NULL for GET) and fills a reply with
 * a status and a JSON body; it never touches libmicrohttpd. Handlers return
 * nothing: every outcome, error or not, is in the reply.
 *
 * Thread-safety: `app` is read-only once ready is set, except the atomic
 * metrics; handlers run concurrently on the server's threads. */
#ifndef TOKD_SERVER_APP_H
#define TOKD_SERVER_APP_H

#include <jansson.h>
#include <stdatomic.h>

#include "config.h"
#include "metrics.h"
#include "models.h"
#include "tokd/tokd.h"

#define APP_MAX_TOKENIZERS 16

typedef struct app {
    server_config cfg;
    tokd_tokenizer *tokenizers[APP_MAX_TOKENIZERS];
    size_t n_tokenizers;
    model_registry models;
    metrics metrics;
    atomic_int ready;
} app;

typedef struct reply {
    int status;
    json_t *body;        /* owned; the response */
    const char *allow;   /* for 405: the Allow header */
    const char *content_type; /* NULL: application/json */
    char *text;          /* owned; a non-JSON body (metrics) */
    size_t tokens;       /* tokens processed, for metrics and the log */
} reply;

/* Fill `r` with the error body {"error": {"code", "message", "field"}}. */
void reply_error(reply *r, int status, const char *code, const char *field, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* An error from libtokd, with its status and a snake_case code. */
void reply_tokd_error(reply *r, int rc, const tokd_error *err, const char *field);

void reply_json(reply *r, json_t *body);

/* Handlers. `body` is the request's JSON object (NULL for GET). */
typedef void (*handler_fn)(app *a, json_t *body, reply *r);

void api_healthz(app *a, json_t *body, reply *r);
void api_readyz(app *a, json_t *body, reply *r);
void api_metrics(app *a, json_t *body, reply *r);
void api_tokenizers(app *a, json_t *body, reply *r);
void api_models(app *a, json_t *body, reply *r);
void api_encode(app *a, json_t *body, reply *r);
void api_decode(app *a, json_t *body, reply *r);
void api_count(app *a, json_t *body, reply *r);
void api_context_check(app *a, json_t *body, reply *r);
void api_windows(app *a, json_t *body, reply *r);

/* Shared request helpers (api_common.c). Each returns 0, or -1 after
 * filling `r` with an error that names the field. */

/* The tokenizer a request names with "tokenizer" or "model" (exactly one);
 * *model is set when a model was named and the registry knows it. */
int req_tokenizer(app *a, json_t *body, reply *r, const tokd_tokenizer **tok, const model_info **model);
const tokd_tokenizer *app_tokenizer(app *a, const char *name);

/* "text" or "texts": exactly one. Fills texts[0..*n) with borrowed strings
 * (NULL-safe: lengths in lens) and *batch with whether "texts" was used. */
int req_texts(app *a, json_t *body, reply *r, json_t **list, int *batch);

/* Optional boolean field. */
int req_bool(json_t *body, const char *key, int *out, reply *r);

/* allowed_special / disallowed_special into `sp` (names borrowed from the
 * body; *names is malloc'd, free it). */
int req_specials(json_t *body, tokd_specials *sp, const char ***names, reply *r);

#endif
