/* api_tei.c - Hugging Face text-embeddings-inference's POST /tokenize and
 * POST /decode (router/src/http/server.rs and types.rs).
 *
 * /tokenize {"inputs": str | [str], "add_special_tokens": true,
 * "prompt_name": null} answers [[{"id", "text", "special", "start",
 * "stop"}]], one list per input even for a single string; start/stop are
 * code-point offsets into the input and text its characters there, while a
 * special token (as in tokenizers' special_tokens_mask: one the
 * post-processor added, such as a BOS) has its own text and null offsets. Special-token text in
 * the input is always its token, as Hugging Face tokenizers split added
 * tokens. /decode {"ids": [int] | [[int]], "skip_special_tokens": true}
 * answers ["text", ...]; as tokenizers' decode, ids that are no token are
 * skipped. Answers are bounded by max_token_details / max_answer_bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"

/* Byte offset of each code point of s[0..len), and len at [n]. */
static size_t *code_point_starts(const char *s, size_t len)
{
    size_t *at = malloc((len + 1) * sizeof *at), n = 0;
    for (size_t i = 0; at && i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            at[n++] = i;
    if (at)
        at[n] = len;
    return at;
}

static json_t *tei_token(const tokd_tokenizer *tok, uint32_t id, json_t *range, const char *text,
                         const size_t *at, int special)
{
    if (special) {
        const char *b;
        size_t len;
        tokd_token_bytes(tok, id, &b, &len);
        return json_pack("{s:I, s:o, s:b, s:n, s:n}", "id", (json_int_t)id, "text", json_safe_string(b, len), "special",
                         1, "start", "stop");
    }
    json_int_t start = json_integer_value(json_array_get(range, 0)), stop = json_integer_value(json_array_get(range, 1));
    return json_pack("{s:I, s:o, s:b, s:I, s:I}", "id", (json_int_t)id, "text",
                     json_safe_string(text + at[start], at[stop] - at[start]), "special", 0, "start", start, "stop",
                     stop);
}

/* One input's token list, or NULL with `r` filled. */
static json_t *tei_encode(const tokd_tokenizer *tok, json_t *input, int add_special, size_t *budget, reply *r)
{
    static const char *field = "inputs";
    const char *text = json_string_value(input);
    size_t len = json_string_length(input), n_special = 0;
    tokd_specials sp = {.allowed_mode = TOKD_ALLOW_ALL, .add_special_tokens = add_special};
    tokd_ids ids = {0};
    tokd_offsets off = {0};
    tokd_error err = {0};
    tokd_limits lim = req_limits(r, *budget ? *budget : 1);
    json_t *list = NULL, *ranges = NULL;
    uint32_t *special = NULL;
    size_t *at = NULL;
    int rc = tokd_encode_offsets(tok, text, len, &sp, &lim, &ids, &off, &err);
    if (rc == 0 && ids.len > *budget)
        rc = tokd_error_set(&err, TOKD_ELIMIT, "more than the limit");
    if (rc != 0) {
        reply_bounded_error(r, rc, &err, field, (long)*budget, "max_token_details");
        goto done;
    }
    *budget -= ids.len;
    ranges = offsets_json(&off, text, len, 0);
    special = compat_special_ids(tok, &n_special);
    at = code_point_starts(text, len);
    list = ranges && special && at ? json_array() : NULL;
    for (size_t i = 0; list && i < ids.len; i++)
        json_array_append_new(list, tei_token(tok, ids.ids[i], json_array_get(ranges, i), text, at,
                                              off.v[i].start == off.v[i].end &&
                                                  compat_is_special(special, n_special, ids.ids[i])));
    if (!list)
        reply_error(r, 503, "out_of_memory", NULL, "out of memory for the tokens of %s", field);
done:
    json_decref(ranges);
    free(special);
    free(at);
    tokd_ids_release(&ids);
    tokd_offsets_release(&off);
    return list;
}

/* "inputs" as a list of strings (new reference), or NULL with `r` filled. */
static json_t *tei_inputs(app *a, json_t *inputs, reply *r)
{
    if (json_is_string(inputs))
        return json_pack("[O]", inputs);
    if (!json_is_array(inputs)) {
        reply_error(r, 422, "invalid_type", "inputs", "\"inputs\" must be a string or an array of strings");
        return NULL;
    }
    if (json_array_size(inputs) == 0) {
        reply_error(r, 413, "invalid_value", "inputs", "`inputs` cannot be empty");
        return NULL;
    }
    if (json_array_size(inputs) > (size_t)a->cfg.max_batch) {
        reply_error(r, 413, "batch_too_large", "inputs", "batch size %zu > maximum allowed batch size %ld",
                    json_array_size(inputs), a->cfg.max_batch);
        return NULL;
    }
    size_t i;
    json_t *v;
    json_array_foreach(inputs, i, v)
    {
        if (json_is_string(v))
            continue;
        reply_error(r, 422, "invalid_type", "inputs", "inputs[%zu] must be a string", i);
        return NULL;
    }
    return json_incref(inputs);
}

static void tei_tokenize(app *a, json_t *body, reply *r)
{
    const tokd_tokenizer *tok;
    const model_info *model;
    int add_special = 1;
    json_t *prompt = json_object_get(body, "prompt_name");
    if (compat_tokenizer(a, body, r, &tok, &model) || compat_bool(body, "add_special_tokens", &add_special, r))
        return;
    if (prompt && !json_is_null(prompt)) {
        reply_error(r, 422, "invalid_value", "prompt_name",
                    "`prompt_name` was given but this server has no prompts configured");
        return;
    }
    json_t *inputs = tei_inputs(a, json_object_get(body, "inputs"), r), *out = json_array(), *v;
    size_t i, budget = (size_t)a->cfg.max_token_details;
    json_array_foreach(inputs, i, v)
    {
        json_t *list = tei_encode(tok, v, add_special, &budget, r);
        if (!list)
            break;
        json_array_append_new(out, list);
    }
    r->tokens = (size_t)a->cfg.max_token_details - budget;
    if (inputs && json_array_size(out) == json_array_size(inputs))
        reply_json(r, json_incref(out));
    json_decref(out);
    json_decref(inputs);
}

void api_tei_tokenize(app *a, json_t *body, reply *r)
{
    tei_tokenize(a, body, r);
    compat_finish(&compat_tei, r);
}

/* Decode one id list the way tokenizers' decode does: ids that are no
 * token are skipped, special tokens too when asked. */
static json_t *tei_text(const tokd_tokenizer *tok, const tokd_ids *ids, int skip_special, size_t *budget, reply *r)
{
    size_t n_special = 0, n = 0;
    uint32_t *special = skip_special ? compat_special_ids(tok, &n_special) : NULL;
    uint32_t *keep = malloc((ids->len ? ids->len : 1) * sizeof *keep);
    tokd_bytes text = {0};
    tokd_error err = {0};
    json_t *out = NULL;
    size_t bytes = 0;
    for (size_t i = 0; keep && i < ids->len; i++) {
        const char *b;
        size_t len;
        if (tokd_token_bytes(tok, ids->ids[i], &b, &len) == 0 && !compat_is_special(special, n_special, ids->ids[i])) {
            keep[n++] = ids->ids[i];
            bytes += 3 * len;
        }
    }
    if (keep && bytes > *budget) {
        reply_over_limit(r, "answer_too_large", "ids", "bytes of decoded text (counting 3 per byte)", bytes,
                         (long)*budget, "max_answer_bytes", "decode fewer ids per request");
    } else if (keep) {
        int rc = tokd_decode_text(tok, keep, n, &text, &err);
        if (rc == 0 && (out = json_stringn(text.data ? text.data : "", text.len)))
            *budget -= bytes;
        else
            reply_tokd_error(r, rc ? rc : TOKD_ENOMEM, &err, "ids");
    } else {
        reply_error(r, 503, "out_of_memory", NULL, "out of memory");
    }
    tokd_bytes_release(&text);
    free(keep);
    free(special);
    return out;
}

static void tei_decode(app *a, json_t *body, reply *r)
{
    const tokd_tokenizer *tok;
    const model_info *model;
    int skip_special = 1;
    json_t *ids = json_object_get(body, "ids");
    if (compat_tokenizer(a, body, r, &tok, &model) || compat_bool(body, "skip_special_tokens", &skip_special, r))
        return;
    if (!json_is_array(ids)) {
        reply_error(r, 422, "invalid_type", "ids", "\"ids\" must be an array of token ids or of such arrays");
        return;
    }
    int batch = json_array_size(ids) > 0 && json_is_array(json_array_get(ids, 0));
    size_t n = batch ? json_array_size(ids) : 1, used = 0, budget = (size_t)a->cfg.max_answer_bytes;
    if (batch && n > (size_t)a->cfg.max_batch) {
        reply_error(r, 413, "batch_too_large", "ids", "batch size %zu > maximum allowed batch size %ld", n,
                    a->cfg.max_batch);
        return;
    }
    json_t *texts = json_array();
    for (size_t k = 0; k < n; k++) {
        tokd_ids list = {0};
        char name[32];
        snprintf(name, sizeof name, batch ? "ids[%zu]" : "ids", k);
        json_t *text = NULL;
        if (req_id_list(batch ? json_array_get(ids, k) : ids, name, used, a->cfg.max_decode_ids, "max_decode_ids",
                        &list, r) == 0)
            text = tei_text(tok, &list, skip_special, &budget, r);
        used += list.len;
        tokd_ids_release(&list);
        if (!text)
            break;
        json_array_append_new(texts, text);
    }
    r->tokens = used;
    if (json_array_size(texts) == n)
        reply_json(r, json_incref(texts));
    json_decref(texts);
}

void api_tei_decode(app *a, json_t *body, reply *r)
{
    tei_decode(a, body, r);
    compat_finish(&compat_tei, r);
}
