/* api_compat.c - what the TEI, vLLM and llama.cpp endpoints share: the
 * tokenizer a request means (its "model", else the configured
 * default_model), token pieces, the three families' error bodies, and the
 * shared POST /tokenize and /detokenize that pick a family by the body's
 * fields.
 *
 * Error bodies, from each project's source:
 *   TEI (router/src/lib.rs ErrorResponse): {"error": msg, "error_type": t}
 *     with 413 validation, 422 tokenizer, 429 overloaded, 503 unhealthy;
 *     a body that does not fit the request type is axum's 422.
 *   vLLM (entrypoints/openai protocol ErrorResponse): {"error": {"message",
 *     "type", "param", "code"}}, type BadRequestError / NotFoundError / ...
 *   llama.cpp (tools/server utils format_error_response): {"error":
 *     {"code", "message", "type"}}, type invalid_request_error /
 *     not_found_error / unavailable_error / server_error. */
#include <stdlib.h>
#include <string.h>

#include "compat.h"

/* The tokd error's message (borrowed from r->body), or "". */
static const char *error_message(reply *r)
{
    const char *m = json_string_value(json_object_get(json_object_get(r->body, "error"), "message"));
    return m ? m : "";
}

static const char *error_code(reply *r)
{
    const char *c = json_string_value(json_object_get(json_object_get(r->body, "error"), "code"));
    return c ? c : "";
}

static void replace_body(reply *r, json_t *body)
{
    json_decref(r->body);
    r->body = body;
}

static void tei_error(reply *r)
{
    const char *type = "validation";
    if (r->status == 429)
        type = "overloaded";
    else if (r->status >= 500)
        type = "unhealthy";
    else if (!strcmp(error_code(r), "invalid_token_id") || !strcmp(error_code(r), "disallowed_special_token"))
        type = "tokenizer";
    if (r->status < 500 && r->status != 413 && r->status != 429)
        r->status = 422;
    replace_body(r, json_pack("{s:s, s:s}", "error", error_message(r), "error_type", type));
}

static void vllm_error(reply *r)
{
    json_t *field = json_object_get(json_object_get(r->body, "error"), "field");
    const char *type = r->status == 404 ? "NotFoundError"
                       : r->status == 429 ? "RateLimitError"
                       : r->status >= 500 ? "InternalServerError"
                                          : "BadRequestError";
    replace_body(r, json_pack("{s:{s:s, s:s, s:O?, s:i}}", "error", "message", error_message(r), "type", type,
                              "param", field, "code", r->status));
}

static void llamacpp_error(reply *r)
{
    const char *type = r->status == 404 ? "not_found_error"
                       : r->status == 503 ? "unavailable_error"
                       : r->status >= 500 ? "server_error"
                                          : "invalid_request_error";
    replace_body(r, json_pack("{s:{s:i, s:s, s:s}}", "error", "code", r->status, "message", error_message(r), "type",
                              type));
}

const compat_family compat_tei = {"tei", tei_error};
const compat_family compat_vllm = {"vllm", vllm_error};
const compat_family compat_llamacpp = {"llama.cpp", llamacpp_error};

void compat_finish(const compat_family *f, reply *r)
{
    if (r->status >= 400 && json_object_get(r->body, "error"))
        f->error_body(r);
}

/* A registry model (or one tiktoken knows) first, else a tokenizer name. */
static int by_name(app *a, const char *name, reply *r, const tokd_tokenizer **tok, const model_info **model)
{
    *model = NULL;
    if (!models_find(&a->models, name, NULL) && !tokd_encoding_for_model(name) && (*tok = app_tokenizer(a, r, name)))
        return 0;
    json_t *one = json_pack("{s:s}", "model", name);
    int rc = one ? req_tokenizer(a, one, r, tok, model) : -1;
    if (!one)
        reply_error(r, 503, "out_of_memory", NULL, "out of memory");
    json_decref(one);
    return rc;
}

int compat_tokenizer(app *a, json_t *body, reply *r, const tokd_tokenizer **tok, const model_info **model)
{
    json_t *m = json_object_get(body, "model");
    if (m && !json_is_null(m)) {
        if (!json_is_name(m)) {
            reply_error(r, 400, "invalid_type", "model", "\"model\" must be a string (a model or tokenizer name)");
            return -1;
        }
        return by_name(a, json_string_value(m), r, tok, model);
    }
    if (!a->cfg.default_model[0]) {
        reply_error(r, 400, "missing_field", "model", "name a \"model\": this server has no default_model configured");
        return -1;
    }
    return by_name(a, a->cfg.default_model, r, tok, model);
}

int compat_bool(json_t *body, const char *key, int *out, reply *r)
{
    json_t *v = json_object_get(body, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_boolean(v)) {
        reply_error(r, 400, "invalid_type", key, "\"%s\" must be true or false", key);
        return -1;
    }
    *out = json_is_true(v);
    return 0;
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

uint32_t *compat_special_ids(const tokd_tokenizer *tok, size_t *n)
{
    *n = tokd_tokenizer_n_specials(tok);
    uint32_t *ids = malloc((*n ? *n : 1) * sizeof *ids);
    for (size_t i = 0; ids && i < *n; i++)
        tokd_tokenizer_special(tok, i, &ids[i]);
    if (ids)
        qsort(ids, *n, sizeof *ids, cmp_u32);
    else
        *n = 0;
    return ids;
}

int compat_is_special(const uint32_t *ids, size_t n, uint32_t id)
{
    return ids && bsearch(&id, ids, n, sizeof *ids, cmp_u32) != NULL;
}

/* A sentencepiece vocabulary writes a space as U+2581 and an unknown byte
 * as <0xNN>: its piece for " the" is "▁the". */
static int hex_byte(const char *b, size_t len, uint8_t *out)
{
    if (len != 6 || memcmp(b, "<0x", 3) != 0 || b[5] != '>')
        return 0;
    char hex[3] = {b[3], b[4], 0}, *end;
    long v = strtol(hex, &end, 16);
    *out = (uint8_t)v;
    return *end == 0;
}

int compat_sentencepiece(const tokd_tokenizer *tok)
{
    tokd_ids ids = {0};
    int sp = 0;
    if (tokd_encode_ordinary(tok, " ", 1, &ids, NULL) == 0)
        for (size_t i = 0; i < ids.len && !sp; i++) {
            const char *b;
            size_t len;
            sp = tokd_token_bytes(tok, ids.ids[i], &b, &len) == 0 && memmem(b, len, "\xe2\x96\x81", 3) != NULL;
        }
    tokd_ids_release(&ids);
    return sp;
}

int compat_piece(const tokd_tokenizer *tok, int sp, uint32_t id, tokd_bytes *out)
{
    const char *b;
    size_t len;
    uint8_t byte;
    int rc = tokd_token_bytes(tok, id, &b, &len);
    if (rc != 0)
        return rc;
    if (!sp)
        return tokd_bytes_append(out, b, len);
    if (hex_byte(b, len, &byte))
        return tokd_bytes_append(out, &byte, 1);
    for (size_t i = 0; rc == 0 && i < len;) {
        if (len - i >= 3 && !memcmp(b + i, "\xe2\x96\x81", 3)) {
            rc = tokd_bytes_append(out, " ", 1);
            i += 3;
        } else {
            size_t j = i;
            while (j < len && !(len - j >= 3 && !memcmp(b + j, "\xe2\x96\x81", 3)))
                j++;
            rc = tokd_bytes_append(out, b + i, j - i);
            i = j;
        }
    }
    return rc;
}

void api_compat_tokenize(app *a, json_t *body, reply *r)
{
    if (json_object_get(body, "inputs"))
        api_tei_tokenize(a, body, r);
    else if (json_object_get(body, "prompt") || json_object_get(body, "messages"))
        api_vllm_tokenize(a, body, r);
    else if (json_object_get(body, "content"))
        api_llamacpp_tokenize(a, body, r);
    else
        reply_error(r, 400, "missing_field", "inputs",
                    "POST /tokenize takes TEI's \"inputs\", vLLM's \"prompt\" or \"messages\", or llama.cpp's "
                    "\"content\"; or use the family's own base path (/tei, /vllm, /llamacpp)");
}

void api_compat_detokenize(app *a, json_t *body, reply *r)
{
    if (json_object_get(body, "model"))
        api_vllm_detokenize(a, body, r);
    else
        api_llamacpp_detokenize(a, body, r);
}
