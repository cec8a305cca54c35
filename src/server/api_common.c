/* api_common.c - replies and the request fields many endpoints share.
 *
 * Every error names the field at fault and says what would be accepted. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "grow.h"

void reply_json(reply *r, json_t *body)
{
    r->status = 200;
    r->body = body;
}

void app_log(json_t *line)
{
    char *s = line ? json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) : NULL;
    if (s) {
        size_t n = strlen(s);
        s[n] = '\n'; /* replaces the NUL: one write() per line keeps lines whole */
        ssize_t w = write(STDERR_FILENO, s, n + 1);
        (void)w;
    }
    free(s);
    json_decref(line);
}

unsigned app_threads_for(app *a, size_t len)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    long pool = (a->cfg.text_threads > 0 ? a->cfg.text_threads : cores > 0 ? cores : 1) - 1;
    long want = (long)(len / TOKD_PARALLEL_MIN_BYTES) - 1, free_now;
    if (want <= 0 || pool <= 0)
        return 1;
    int in_use = atomic_load(&a->helpers);
    do {
        free_now = pool - in_use;
        if (free_now <= 0)
            return 1;
    } while (!atomic_compare_exchange_weak(&a->helpers, &in_use, in_use + (int)(want < free_now ? want : free_now)));
    return 1 + (unsigned)(want < free_now ? want : free_now);
}

void app_threads_done(app *a, unsigned threads)
{
    if (threads > 1)
        atomic_fetch_sub(&a->helpers, (int)threads - 1);
}

int json_is_name(json_t *v)
{
    return json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v);
}

json_t *json_safe_string(const char *s, size_t n)
{
    tokd_bytes clean = {0};
    if (tokd_utf8_sanitize(s, n, &clean) != 0) {
        tokd_bytes_release(&clean);
        return NULL;
    }
    for (size_t i = 0; i < clean.len; i++)
        if (!clean.data[i])
            clean.data[i] = '?';
    json_t *v = json_stringn(clean.data ? clean.data : "", clean.len);
    tokd_bytes_release(&clean);
    return v;
}

/* Where to cut s[0..n) so that no UTF-8 character is split. */
static size_t char_boundary(const char *s, size_t n)
{
    size_t i = n;
    while (i > 0 && n - i < 4 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return n;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    return n - (i - 1) >= want ? n : i - 1;
}

/* The message is built from request text (names, paths), so it may be cut
 * mid-character or hold invalid UTF-8: it is cut at a character boundary
 * and sanitized, so an error reply can never fail to build. */
void reply_error(reply *r, int status, const char *code, const char *field, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof msg ? (size_t)n : char_boundary(msg, sizeof msg - 1);
    json_t *e = json_pack("{s:s, s:o*}", "code", code, "message", json_safe_string(msg, len));
    if (field)
        json_object_set_new(e, "field", json_safe_string(field, strlen(field)));
    json_decref(r->body);
    r->body = e ? json_pack("{s:o}", "error", e) : NULL;
    r->status = status;
}

void reply_over_limit(reply *r, const char *code, const char *field, const char *what, unsigned long long asked,
                      long limit, const char *setting, const char *hint)
{
    reply_error(r, 413, code, field, "the request asks for %llu %s; this server allows at most %ld (%s): %s", asked,
                what, limit, setting, hint);
}

tokd_limits req_limits(reply *r, size_t max_tokens)
{
    return budget_limits(r->budget, max_tokens);
}

/* The budget stopped the work: say which part of it. */
static int reply_budget(reply *r)
{
    const req_budget *b = r->budget;
    if (!b || b->why == BUDGET_OK)
        return 0;
    if (b->why == BUDGET_TIME)
        reply_error(r, 413, "work_budget_exceeded", NULL,
                    "the request needed more than %ld ms of work (max_request_ms): send a shorter text, fewer "
                    "texts or tokenizers, or split the work over several requests",
                    b->ms);
    else if (b->why == BUDGET_GONE)
        reply_error(r, 499, "client_closed_request", NULL, "the client closed the connection; the work was stopped");
    else
        reply_error(r, 503, "shutting_down", NULL, "the server is shutting down; retry on another replica");
    return 1;
}

void reply_tokd_error(reply *r, int rc, const tokd_error *err, const char *field)
{
    if (reply_budget(r))
        return;
    const char *hint = rc == TOKD_ESPECIAL ? "; list it in \"allowed_special\" (or \"all\") to encode it as its id, "
                                             "or send \"disallowed_special\": [] to encode it as plain text"
                                           : "";
    reply_error(r, tokd_err_http_status(rc), tokd_err_api_name(rc), field, "%s%s",
                err && err->code == rc && err->text[0] ? err->text : tokd_strerror(rc), hint);
}

void reply_bounded_error(reply *r, int rc, const tokd_error *err, const char *field, long limit, const char *setting)
{
    int by_budget = r->budget && r->budget->why != BUDGET_OK;
    if (rc == TOKD_ELIMIT && !by_budget && setting && err && err->code == rc && strstr(err->text, "more than the limit")) {
        reply_error(r, 413, "too_many_tokens", field,
                    "%s has more tokens than one answer may hold: at most %ld (%s); send less text or fewer texts, "
                    "or ask only for the count (POST /v1/count)",
                    field, limit, setting);
        return;
    }
    if (rc == TOKD_ELIMIT && !by_budget && (!err || err->code != rc)) {
        reply_error(r, 413, "pattern_too_costly", field,
                    "the tokenizer's pre-tokenizer pattern needs more backtracking on %s than its match limit allows; "
                    "send a smaller or less repetitive text",
                    field);
        return;
    }
    reply_tokd_error(r, rc, err, field);
}

const tokd_tokenizer *app_tokenizer(app *a, reply *r, const char *name)
{
    if (grow((void **)&r->held, &r->cap_held, r->n_held + 1, sizeof *r->held) != 0)
        return NULL;
    tokd_tokenizer *t = catalog_get(&a->tokenizers, name);
    if (t)
        r->held[r->n_held++] = t;
    return t;
}

void reply_release(reply *r)
{
    for (size_t i = 0; i < r->n_held; i++)
        tokd_tokenizer_unref(r->held[i]);
    free(r->held);
    r->held = NULL;
    r->n_held = r->cap_held = 0;
    json_decref(r->body);
    r->body = NULL;
    free(r->text);
    r->text = NULL;
}

/* 404 for a model neither the registry nor tiktoken knows, with the
 * nearest registry names. */
static void unknown_model(app *a, const char *name, reply *r)
{
    const char *near[3];
    size_t n = models_nearest(&a->models, name, near, 3);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_string(near[i]));
    reply_error(r, 404, "unknown_model", "model",
                "unknown model '%.100s': it is not in the model registry (GET /v1/models) and tiktoken maps no "
                "encoding to it; nearest known: %s%s%s%s%s; or name a tokenizer instead",
                name, n > 0 ? near[0] : "none", n > 1 ? ", " : "", n > 1 ? near[1] : "", n > 2 ? ", " : "",
                n > 2 ? near[2] : "");
    json_object_set_new(json_object_get(r->body, "error"), "nearest", list);
}

static int by_model(app *a, const char *name, reply *r, const tokd_tokenizer **tok, const model_info **model)
{
    const model_info *m = models_find(&a->models, name, NULL);
    const char *enc = m ? m->tokenizer : tokd_encoding_for_model(name);
    *model = m;
    if (!enc) {
        unknown_model(a, name, r);
        return -1;
    }
    if (!(*tok = app_tokenizer(a, r, enc))) {
        reply_error(r, 404, "unknown_tokenizer", "model", "model '%s' uses tokenizer '%s', which is not loaded",
                    name, enc);
        return -1;
    }
    return 0;
}

int req_tokenizer(app *a, json_t *body, reply *r, const tokd_tokenizer **tok, const model_info **model)
{
    json_t *t = json_object_get(body, "tokenizer"), *m = json_object_get(body, "model");
    *model = NULL;
    if (t && m) {
        reply_error(r, 400, "invalid_request", "tokenizer", "give \"tokenizer\" or \"model\", not both");
        return -1;
    }
    if (!t && !m) {
        reply_error(r, 400, "missing_field", "tokenizer",
                    "name a \"tokenizer\" (e.g. \"cl100k_base\") or a \"model\" (e.g. \"gpt-4o\")");
        return -1;
    }
    if (!json_is_string(t ? t : m)) {
        reply_error(r, 400, "invalid_type", t ? "tokenizer" : "model", "\"%s\" must be a string",
                    t ? "tokenizer" : "model");
        return -1;
    }
    if (!json_is_name(t ? t : m)) {
        reply_error(r, 400, "invalid_value", t ? "tokenizer" : "model", "\"%s\" must not contain NUL",
                    t ? "tokenizer" : "model");
        return -1;
    }
    if (m)
        return by_model(a, json_string_value(m), r, tok, model);
    if (!(*tok = app_tokenizer(a, r, json_string_value(t)))) {
        reply_error(r, 404, "unknown_tokenizer", "tokenizer",
                    "unknown tokenizer '%s'; GET /v1/tokenizers lists the loaded ones", json_string_value(t));
        return -1;
    }
    return 0;
}

int req_texts(app *a, json_t *body, reply *r, json_t **list, int *batch)
{
    json_t *text = json_object_get(body, "text"), *texts = json_object_get(body, "texts");
    if (text && texts) {
        reply_error(r, 400, "invalid_request", "texts", "give \"text\" or \"texts\", not both");
        return -1;
    }
    if (!text && !texts) {
        reply_error(r, 400, "missing_field", "text", "\"text\" (a string) or \"texts\" (an array of strings) is required");
        return -1;
    }
    *batch = texts != NULL;
    if (text) {
        if (!json_is_string(text)) {
            reply_error(r, 400, "invalid_type", "text", "\"text\" must be a string");
            return -1;
        }
        *list = json_pack("[O]", text);
        return 0;
    }
    if (!json_is_array(texts) || json_array_size(texts) > (size_t)a->cfg.max_batch) {
        reply_error(r, json_is_array(texts) ? 413 : 400, json_is_array(texts) ? "batch_too_large" : "invalid_type",
                    "texts", "\"texts\" must be an array of at most %ld strings", a->cfg.max_batch);
        return -1;
    }
    size_t i;
    json_t *v;
    json_array_foreach(texts, i, v)
    {
        if (!json_is_string(v)) {
            char field[32];
            snprintf(field, sizeof field, "texts[%zu]", i);
            reply_error(r, 400, "invalid_type", field, "%s must be a string", field);
            return -1;
        }
    }
    *list = json_incref(texts);
    return 0;
}

int req_bool(json_t *body, const char *key, int *out, reply *r)
{
    json_t *v = json_object_get(body, key);
    *out = 0;
    if (!v)
        return 0;
    if (!json_is_boolean(v)) {
        reply_error(r, 400, "invalid_type", key, "\"%s\" must be true or false", key);
        return -1;
    }
    *out = json_is_true(v);
    return 0;
}

/* "all", or an array of strings (into names[*used..]). */
static int special_list(json_t *v, const char *key, const char **names, size_t *used, int *all, size_t *n, reply *r)
{
    *all = json_is_string(v) && !strcmp(json_string_value(v), "all");
    *n = 0;
    if (*all)
        return 0;
    if (!json_is_array(v)) {
        reply_error(r, 400, "invalid_type", key, "\"%s\" must be \"all\" or an array of special token strings", key);
        return -1;
    }
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        if (!json_is_string(x)) {
            reply_error(r, 400, "invalid_type", key, "\"%s\" must hold strings only", key);
            return -1;
        }
        names[(*used)++] = json_string_value(x);
        (*n)++;
    }
    return 0;
}

int req_specials(json_t *body, tokd_specials *sp, const char ***names, reply *r)
{
    json_t *al = json_object_get(body, "allowed_special"), *dis = json_object_get(body, "disallowed_special");
    size_t cap = json_array_size(al) + json_array_size(dis) + 1, used = 0, n;
    int all, add;
    *sp = (tokd_specials){0};
    *names = NULL;
    if (req_bool(body, "add_special_tokens", &add, r) != 0)
        return -1;
    sp->add_special_tokens = add;
    *names = malloc(cap * sizeof **names);
    if (!*names) {
        reply_error(r, 503, "out_of_memory", NULL, "out of memory");
        return -1;
    }
    if (al) {
        if (special_list(al, "allowed_special", *names, &used, &all, &n, r) != 0)
            return -1;
        sp->allowed_mode = all ? TOKD_ALLOW_ALL : TOKD_ALLOW_LIST;
        sp->allowed = *names;
        sp->n_allowed = n;
    }
    if (dis) {
        size_t start = used;
        if (special_list(dis, "disallowed_special", *names, &used, &all, &n, r) != 0)
            return -1;
        sp->disallowed_mode = all ? TOKD_DISALLOW_ALL : n ? TOKD_DISALLOW_LIST : TOKD_DISALLOW_NONE;
        sp->disallowed = *names + start;
        sp->n_disallowed = n;
    }
    return 0;
}

int req_id_list(json_t *list, const char *name, size_t used, long limit, const char *setting, tokd_ids *ids,
                reply *r)
{
    json_t *v;
    size_t i;
    if (!json_is_array(list)) {
        reply_error(r, 400, "invalid_type", name, "%s must be an array of token ids", name);
        return -1;
    }
    if (used + json_array_size(list) > (size_t)limit) {
        reply_error(r, 413, "too_many_ids", "ids", "at most %ld token ids per request (%s)", limit, setting);
        return -1;
    }
    json_array_foreach(list, i, v)
    {
        json_int_t id = json_is_integer(v) ? json_integer_value(v) : -1;
        if (id < 0 || id > UINT32_MAX) {
            char field[48];
            snprintf(field, sizeof field, "%s[%zu]", name, i);
            reply_error(r, 400, "invalid_token_id", field, "%s must be a non-negative integer token id", field);
            return -1;
        }
        if (tokd_ids_push(ids, (uint32_t)id) != 0) {
            reply_error(r, 503, "out_of_memory", NULL, "out of memory");
            return -1;
        }
    }
    return 0;
}

int req_limit(json_t *body, size_t *limit, reply *r)
{
    json_t *v = json_object_get(body, "limit");
    *limit = 0;
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) <= 0) {
        reply_error(r, 400, "invalid_type", "limit",
                    "\"limit\" must be a positive integer: counting stops once the count passes it");
        return -1;
    }
    *limit = (size_t)json_integer_value(v);
    return 0;
}
