/* api_info.c - the playground page, health, readiness, metrics, and what
 * is loaded. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

#define LIST_SPECIALS 64

/* The playground page, embedded at build time (playground/embed.py). */
extern const unsigned char tokd_playground_html[];
extern const size_t tokd_playground_html_len;

void api_playground(app *a, json_t *body, reply *r)
{
    r->text = malloc(tokd_playground_html_len + 1);
    if (!r->text) {
        reply_error(r, 503, "out_of_memory", NULL, "out of memory");
        return;
    }
    memcpy(r->text, tokd_playground_html, tokd_playground_html_len);
    r->text[tokd_playground_html_len] = '\0';
    r->status = 200;
    r->content_type = "text/html; charset=utf-8";
}

void api_healthz(app *a, json_t *body, reply *r)
{
    reply_json(r, json_pack("{s:s}", "status", "ok"));
}

void api_readyz(app *a, json_t *body, reply *r)
{
    if (atomic_load(&a->ready))
        reply_json(r, json_pack("{s:s, s:I}", "status", "ready", "tokenizers",
                                 (json_int_t)catalog_count(&a->tokenizers)));
    else
        reply_error(r, 503, "not_ready", NULL, "tokenizers are still loading; retry shortly");
}

void api_metrics(app *a, json_t *body, reply *r)
{
    tokd_bytes out = {0};
    if (metrics_render(&a->metrics, atomic_load(&a->ready) ? catalog_count(&a->tokenizers) : 0, &out) != 0) {
        tokd_bytes_release(&out);
        reply_error(r, 503, "out_of_memory", NULL, "out of memory rendering metrics");
        return;
    }
    r->status = 200;
    r->content_type = "text/plain; version=0.0.4; charset=utf-8";
    r->text = out.data;
}

/* A tokenizer's description with at most `max_specials` of its special
 * tokens (all with SIZE_MAX), and how many it has. */
static json_t *describe(const tokd_tokenizer *t, size_t max_specials)
{
    json_t *specials = json_object();
    size_t n = tokd_tokenizer_n_specials(t);
    for (size_t i = 0; i < n && i < max_specials; i++) {
        uint32_t id;
        const char *name = tokd_tokenizer_special(t, i, &id);
        json_object_set_new(specials, name, json_integer(id));
    }
    return json_pack("{s:s, s:s, s:I, s:o, s:I, s:b, s:s, s:s}", "name", tokd_tokenizer_name(t), "kind",
                     tokd_tokenizer_kind(t), "n_vocab", (json_int_t)tokd_tokenizer_n_vocab(t), "special_tokens",
                     specials, "n_special_tokens", (json_int_t)n, "special_tokens_truncated", n > max_specials,
                     "pattern", tokd_tokenizer_pattern(t), "sha256", tokd_tokenizer_sha256(t));
}

/* Tokenizers that were configured or found but failed to load. */
static json_t *not_loaded(app *a)
{
    catalog_failure f[CATALOG_MAX_FAILED];
    size_t n = catalog_failures(&a->tokenizers, f, CATALOG_MAX_FAILED);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:o*, s:o*, s:o*}", "name", json_safe_string(f[i].name, strlen(f[i].name)),
                                              "path", json_safe_string(f[i].path, strlen(f[i].path)), "error",
                                              json_safe_string(f[i].error, strlen(f[i].error))));
    return list;
}

/* The listing stays small whatever was trained: LIST_SPECIALS special
 * tokens per tokenizer; GET /v1/tokenizers/{name} has them all. */
void api_tokenizers(app *a, json_t *body, reply *r)
{
    json_t *list = json_array();
    tokd_tokenizer **all;
    size_t n = catalog_list(&a->tokenizers, &all);
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(list, describe(all[i], LIST_SPECIALS));
        tokd_tokenizer_unref(all[i]);
    }
    free(all);
    reply_json(r, json_pack("{s:o, s:o}", "tokenizers", list, "not_loaded", not_loaded(a)));
}

void api_tokenizer(app *a, const char *name, reply *r)
{
    const tokd_tokenizer *t = app_tokenizer(a, r, name);
    if (t)
        reply_json(r, describe(t, SIZE_MAX));
    else
        reply_error(r, 404, "unknown_tokenizer", NULL, "unknown tokenizer '%.100s'; GET /v1/tokenizers lists the loaded ones",
                    name);
}

void api_models(app *a, json_t *body, reply *r)
{
    json_t *list = json_array();
    for (size_t i = 0; i < a->models.n; i++) {
        const model_info *m = &a->models.models[i];
        json_array_append_new(list, json_pack("{s:s, s:s, s:I, s:I, s:o}", "model", m->name, "tokenizer",
                                              m->tokenizer, "context_window", (json_int_t)m->context_window,
                                              "max_output_tokens", (json_int_t)m->max_output_tokens,
                                              "chat_format", m->chat ? json_string(m->chat->name) : json_null()));
    }
    reply_json(r, json_pack("{s:o}", "models", list));
}
