/* api_windows.c - POST /v1/windows: next-token training windows.
 *
 * From a token sequence (given as ids, or text encoded with the named
 * tokenizer), window i starts at i * stride: inputs = ids[s : s + max_length]
 * and targets = ids[s + 1 : s + max_length + 1], for every start whose full
 * target window exists - the sliding-window sampling of GPT data loaders.
 * At most max_windows windows are returned; "truncated" says whether more
 * exist. */
#include <stdio.h>
#include <string.h>

#include "app.h"

#define DEFAULT_MAX_WINDOWS 1024

static json_t *slice(const tokd_ids *ids, size_t from, size_t n)
{
    json_t *a = json_array();
    for (size_t i = from; i < from + n; i++)
        json_array_append_new(a, json_integer(ids->ids[i]));
    return a;
}

/* A positive integer field (or `dflt` when absent). */
static int positive(json_t *body, const char *key, long dflt, long max, long *out, reply *r)
{
    json_t *v = json_object_get(body, key);
    *out = dflt;
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > max) {
        reply_error(r, 400, "invalid_value", key, "\"%s\" must be an integer from 1 to %ld", key, max);
        return -1;
    }
    *out = (long)json_integer_value(v);
    return 0;
}

/* The sequence: "ids" as given, or "text" encoded (special-token text as
 * plain text) with the request's tokenizer. */
static int sequence(app *a, json_t *body, tokd_ids *ids, const char **name, reply *r)
{
    json_t *text = json_object_get(body, "text"), *list = json_object_get(body, "ids");
    *name = NULL;
    if (!!text == !!list) {
        reply_error(r, 400, text ? "invalid_request" : "missing_field", "text", "give \"text\" or \"ids\", not both");
        return -1;
    }
    if (text) {
        const tokd_tokenizer *tok;
        const model_info *model;
        tokd_specials ordinary = {.disallowed_mode = TOKD_DISALLOW_NONE};
        if (req_tokenizer(a, body, r, &tok, &model) != 0)
            return -1;
        if (!json_is_string(text)) {
            reply_error(r, 400, "invalid_type", "text", "\"text\" must be a string");
            return -1;
        }
        *name = tokd_tokenizer_name(tok);
        tokd_error err = {0};
        tokd_limits lim = req_limits(r, (size_t)a->cfg.max_decode_ids);
        int rc = tokd_encode_bounded(tok, json_string_value(text), json_string_length(text), &ordinary, &lim, ids, &err);
        if (rc != 0)
            reply_bounded_error(r, rc, &err, "text", a->cfg.max_decode_ids, "max_decode_ids");
        return rc ? -1 : 0;
    }
    return req_id_list(list, "ids", 0, a->cfg.max_decode_ids, "max_decode_ids", ids, r);
}

/* The answer holds 2 x windows x max_length ids: 413 before building it
 * when that passes max_answer_tokens. */
static int answer_fits(app *a, size_t n_ids, long max_length, long stride, long max_windows, reply *r)
{
    size_t L = (size_t)max_length;
    unsigned long long windows = n_ids >= L + 1 ? (n_ids - L - 1) / (size_t)stride + 1 : 0;
    if (windows > (unsigned long long)max_windows)
        windows = (unsigned long long)max_windows;
    unsigned long long answer = 2 * windows * L;
    if (answer <= (unsigned long long)a->cfg.max_answer_tokens)
        return 0;
    reply_over_limit(r, "answer_too_large", "max_length", "token ids in windows (2 x windows x max_length)", answer,
                     a->cfg.max_answer_tokens, "max_answer_tokens",
                     "lower max_length or max_windows, raise stride, or send fewer ids");
    return -1;
}

void api_windows(app *a, json_t *body, reply *r)
{
    tokd_ids ids = {0};
    const char *name;
    long max_length, stride, max_windows;
    if (positive(body, "max_length", -1, 1L << 20, &max_length, r) ||
        positive(body, "stride", max_length, 1L << 20, &stride, r) ||
        positive(body, "max_windows", DEFAULT_MAX_WINDOWS, a->cfg.max_batch * 64L, &max_windows, r))
        goto done;
    if (max_length < 0) {
        reply_error(r, 400, "missing_field", "max_length", "\"max_length\" (tokens per window) is required");
        goto done;
    }
    if (sequence(a, body, &ids, &name, r) != 0 || answer_fits(a, ids.len, max_length, stride, max_windows, r) != 0)
        goto done;
    json_t *inputs = json_array(), *targets = json_array();
    size_t n = 0, L = (size_t)max_length, total = 0;
    for (size_t s = 0; s + L + 1 <= ids.len; s += (size_t)stride) {
        total++;
        if (n == (size_t)max_windows)
            continue;
        json_array_append_new(inputs, slice(&ids, s, L));
        json_array_append_new(targets, slice(&ids, s + 1, L));
        n++;
    }
    json_t *out = json_pack("{s:I, s:I, s:I, s:b, s:o, s:o}", "tokens", (json_int_t)ids.len, "windows", (json_int_t)n,
                            "total_windows", (json_int_t)total, "truncated", total > n, "inputs", inputs, "targets",
                            targets);
    if (name)
        json_object_set_new(out, "tokenizer", json_string(name));
    r->tokens = ids.len;
    reply_json(r, out);
done:
    tokd_ids_release(&ids);
}
