/* api_text.c - POST /v1/encode, /v1/decode and /v1/count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "chat.h"
#include "chat_template.h"
#include "counter.h"

/* Each token: {"id", "text"} and, when its bytes are not valid UTF-8 on
 * their own, "bytes" (base64; "text" then shows them with U+FFFD). */
static json_t *tokens_json(const tokd_tokenizer *tok, const tokd_ids *ids)
{
    json_t *a = json_array();
    for (size_t i = 0; i < ids->len; i++) {
        const char *b;
        size_t len;
        tokd_token_bytes(tok, ids->ids[i], &b, &len);
        json_t *t = json_pack("{s:I}", "id", (json_int_t)ids->ids[i]);
        if (tokd_utf8_valid(b, len)) {
            json_object_set_new(t, "text", json_stringn(b, len));
        } else {
            tokd_bytes shown = {0};
            char *b64 = malloc(4 * ((len + 2) / 3) + 1);
            tokd_utf8_sanitize(b, len, &shown);
            if (b64)
                tokd_base64_encode(b, len, b64);
            json_object_set_new(t, "text", json_stringn(shown.data ? shown.data : "", shown.len));
            json_object_set_new(t, "bytes", json_string(b64 ? b64 : ""));
            tokd_bytes_release(&shown);
            free(b64);
        }
        json_array_append_new(a, t);
    }
    return a;
}

json_t *offsets_json(const tokd_offsets *off, const char *text, size_t len, int utf16)
{
    uint32_t *before = malloc((len + 1) * sizeof *before), *after = malloc((len + 1) * sizeof *after);
    json_t *a = before && after ? json_array() : NULL;
    uint32_t units = 0;
    for (size_t i = 0; a && i < len;) {
        unsigned char c = (unsigned char)text[i];
        size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        uint32_t w = utf16 && n == 4 ? 2 : 1;
        for (size_t k = 0; k < n && i + k < len; k++) {
            before[i + k] = units;
            after[i + k] = units + w;
        }
        units += w;
        i += n;
    }
    if (a)
        before[len] = units;
    for (size_t i = 0; a && i < off->len; i++) {
        const tokd_offset *o = &off->v[i];
        uint32_t start = before[o->start], end = o->end > o->start ? after[o->end - 1] : start;
        json_array_append_new(a, json_pack("[I,I]", (json_int_t)start, (json_int_t)end));
    }
    free(before);
    free(after);
    return a;
}

/* ---- the encode answer, written as text --------------------------------
 *
 * An answer can hold millions of ids, so it is not built as one jansson
 * value per id: the ids are printed straight into the answer, the rest
 * (names, token details, offsets) dumped by jansson into it, which gives
 * the bytes json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER) gave for the
 * whole answer:
 *   {"ids":[...],"count":N[,"tokens":[...]][,"offsets":[...]],"tokenizer":"NAME"}
 *   {"tokenizer":"NAME","results":[{"ids":[...],"count":N,...},...],"count":TOTAL}
 * Every write returns 0 or TOKD_ENOMEM. */

static int put(tokd_bytes *b, const char *s)
{
    return tokd_bytes_append(b, s, strlen(s));
}

static int put_count(tokd_bytes *b, size_t n)
{
    char num[24];
    snprintf(num, sizeof num, "%zu", n);
    return put(b, num);
}

/* [1,2,3], printed a block of ids at a time (at most 11 bytes each). */
static int put_ids(tokd_bytes *b, const tokd_ids *ids)
{
    char block[11 * 512 + 2];
    size_t i = 0;
    int rc = tokd_bytes_append(b, "[", 1);
    while (rc == 0 && i < ids->len) {
        char *w = block;
        for (size_t end = i + 512 < ids->len ? i + 512 : ids->len; i < end; i++) {
            char digits[10];
            int k = 0;
            uint32_t v = ids->ids[i];
            do
                digits[k++] = (char)('0' + v % 10);
            while ((v /= 10) != 0);
            if (i)
                *w++ = ',';
            while (k)
                *w++ = digits[--k];
        }
        rc = tokd_bytes_append(b, block, (size_t)(w - block));
    }
    return rc ? rc : tokd_bytes_append(b, "]", 1);
}

/* A JSON value (taken: released here) as jansson prints it. */
static int put_json(tokd_bytes *b, json_t *v)
{
    char *text = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;
    int rc = text ? put(b, text) : TOKD_ENOMEM;
    free(text);
    json_decref(v);
    return rc;
}

/* One text's answer without its closing brace; offsets (may be NULL) is
 * taken. */
static int put_item(tokd_bytes *b, const tokd_tokenizer *tok, const tokd_ids *ids, int tokens, json_t *offsets)
{
    int rc = put(b, "{\"ids\":");
    if (rc == 0)
        rc = put_ids(b, ids);
    if (rc == 0)
        rc = put(b, ",\"count\":");
    if (rc == 0)
        rc = put_count(b, ids->len);
    if (rc == 0 && tokens && (rc = put(b, ",\"tokens\":")) == 0)
        rc = put_json(b, tokens_json(tok, ids));
    if (rc == 0 && offsets && (rc = put(b, ",\"offsets\":")) == 0)
        rc = put_json(b, json_incref(offsets));
    json_decref(offsets);
    return rc;
}

/* The whole answer around the items into r (items taken). */
static int put_answer(reply *r, tokd_bytes *items, const char *name, int batch, size_t total)
{
    tokd_bytes b = {0};
    int rc = batch ? put(&b, "{\"tokenizer\":") : tokd_bytes_append(&b, items->data, items->len);
    if (rc == 0 && !batch && (rc = put(&b, ",\"tokenizer\":")) == 0 && (rc = put_json(&b, json_string(name))) == 0)
        rc = put(&b, "}");
    if (rc == 0 && batch && (rc = put_json(&b, json_string(name))) == 0 && (rc = put(&b, ",\"results\":[")) == 0 &&
        (rc = tokd_bytes_append(&b, items->data, items->len)) == 0 && (rc = put(&b, "],\"count\":")) == 0 &&
        (rc = put_count(&b, total)) == 0)
        rc = put(&b, "}");
    tokd_bytes_release(items);
    if (rc != 0) {
        tokd_bytes_release(&b);
        return rc;
    }
    r->status = 200;
    r->text = b.data;
    return 0;
}

typedef struct encode_opts {
    int tokens, offsets, utf16;
    tokd_specials sp;
} encode_opts;

static int encode_options(json_t *body, encode_opts *o, const char ***names, reply *r)
{
    json_t *unit = json_object_get(body, "offset_unit");
    *o = (encode_opts){0};
    if (req_bool(body, "return_tokens", &o->tokens, r) || req_bool(body, "return_offsets", &o->offsets, r) ||
        req_specials(body, &o->sp, names, r))
        return -1;
    if (unit && !(json_is_string(unit) && (!strcmp(json_string_value(unit), "code_point") ||
                                           !strcmp(json_string_value(unit), "utf16")))) {
        reply_error(r, 400, "invalid_value", "offset_unit", "\"offset_unit\" must be \"code_point\" (default) or \"utf16\"");
        return -1;
    }
    o->utf16 = unit && !strcmp(json_string_value(unit), "utf16");
    return 0;
}

static void field_name(char *buf, size_t size, const char *base, int batch, size_t i)
{
    if (batch)
        snprintf(buf, size, "%ss[%zu]", base, i);
    else
        snprintf(buf, size, "%s", base);
}

static int encode_oom(reply *r, size_t n)
{
    tokd_error err = {0};
    tokd_error_set(&err, TOKD_ENOMEM, "out of memory for the answer of %zu tokens", n);
    reply_tokd_error(r, TOKD_ENOMEM, &err, NULL);
    return -1;
}

void api_encode(app *a, json_t *body, reply *r)
{
    const tokd_tokenizer *tok;
    const model_info *model;
    json_t *texts = NULL, *v;
    tokd_bytes items = {0};
    const char **names = NULL;
    encode_opts o;
    int batch;
    size_t i, total = 0;
    if (req_tokenizer(a, body, r, &tok, &model) || req_texts(a, body, r, &texts, &batch) ||
        encode_options(body, &o, &names, r))
        goto done;
    int details = o.tokens || o.offsets;
    long limit = details && a->cfg.max_token_details < a->cfg.max_answer_tokens ? a->cfg.max_token_details
                                                                                  : a->cfg.max_answer_tokens;
    const char *setting = details ? "max_token_details" : "max_answer_tokens";
    json_array_foreach(texts, i, v)
    {
        tokd_ids ids = {0};
        tokd_error err = {0};
        char field[32];
        field_name(field, sizeof field, "text", batch, i);
        size_t left = (size_t)limit - total;
        tokd_limits lim = req_limits(r, left ? left : 1);
        tokd_offsets off = {0};
        lim.max_threads = app_threads_for(a, json_string_length(v));
        int rc = tokd_encode_offsets(tok, json_string_value(v), json_string_length(v), &o.sp, &lim, &ids,
                                     o.offsets ? &off : NULL, &err);
        app_threads_done(a, lim.max_threads);
        if (rc == 0 && ids.len > left)
            rc = tokd_error_set(&err, TOKD_ELIMIT, "more than the limit");
        if (rc != 0) {
            reply_bounded_error(r, rc, &err, field, limit, setting);
            tokd_ids_release(&ids);
            tokd_offsets_release(&off);
            goto done;
        }
        json_t *offsets = o.offsets ? offsets_json(&off, json_string_value(v), json_string_length(v), o.utf16) : NULL;
        tokd_offsets_release(&off);
        if (o.offsets && !offsets) {
            tokd_ids_release(&ids);
            tokd_error_set(&err, TOKD_ENOMEM, "out of memory for the offsets of %zu tokens", ids.len);
            reply_tokd_error(r, TOKD_ENOMEM, &err, "return_offsets");
            goto done;
        }
        rc = i ? put(&items, "}") : 0;
        if (rc == 0 && i)
            rc = put(&items, ",");
        rc = rc ? rc : put_item(&items, tok, &ids, o.tokens, offsets);
        total += ids.len;
        tokd_ids_release(&ids);
        if (rc != 0 && encode_oom(r, total))
            goto done;
    }
    r->tokens = total;
    if ((batch && items.len && put(&items, "}") != 0) ||
        put_answer(r, &items, tokd_tokenizer_name(tok), batch, total) != 0)
        encode_oom(r, total);
done:
    tokd_bytes_release(&items);
    json_decref(texts);
    free(names);
}

/* "ids": [int...] or [[int...]...], into lists (each a tokd_ids). */
static int decode_ids(app *a, json_t *ids, tokd_ids **lists, size_t *n, int *batch, reply *r)
{
    if (!json_is_array(ids)) {
        reply_error(r, 400, ids ? "invalid_type" : "missing_field", "ids",
                    "\"ids\" must be an array of token ids, or an array of such arrays");
        return -1;
    }
    *batch = json_array_size(ids) > 0 && json_is_array(json_array_get(ids, 0));
    *n = *batch ? json_array_size(ids) : 1;
    if (*n > (size_t)a->cfg.max_batch) {
        reply_error(r, 413, "batch_too_large", "ids", "at most %ld id lists per request", a->cfg.max_batch);
        return -1;
    }
    *lists = calloc(*n, sizeof **lists);
    if (!*lists) {
        reply_error(r, 503, "out_of_memory", NULL, "out of memory");
        return -1;
    }
    size_t total = 0;
    for (size_t k = 0; k < *n; k++) {
        char name[32];
        snprintf(name, sizeof name, *batch ? "ids[%zu]" : "ids", k);
        if (req_id_list(*batch ? json_array_get(ids, k) : ids, name, total, a->cfg.max_decode_ids, "max_decode_ids",
                        &(*lists)[k], r) != 0)
            return -1;
        total += (*lists)[k].len;
    }
    return 0;
}

static int decode_one(const tokd_tokenizer *tok, const tokd_ids *ids, int strict, json_t **out, reply *r,
                      const char *field)
{
    tokd_bytes b = {0};
    tokd_error err = {0};
    int rc = strict ? tokd_decode_bytes(tok, ids->ids, ids->len, &b, &err)
                    : tokd_decode_text(tok, ids->ids, ids->len, &b, &err);
    if (rc == 0 && strict && !tokd_utf8_valid(b.data ? b.data : "", b.len)) {
        reply_error(r, 400, "invalid_utf8", field,
                    "the tokens decode to bytes that are not valid UTF-8; use \"errors\": \"replace\" to get "
                    "U+FFFD in their place");
        rc = -1;
    } else if (rc != 0) {
        reply_tokd_error(r, rc, &err, field);
    } else {
        *out = json_stringn(b.data ? b.data : "", b.len);
    }
    tokd_bytes_release(&b);
    return rc;
}

/* 413 before any decoding when the texts would pass max_answer_bytes
 * (U+FFFD replacements can triple a byte: counted as 3). */
static int decoded_size(app *a, const tokd_tokenizer *tok, const tokd_ids *lists, size_t n, reply *r)
{
    unsigned long long total = 0;
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < lists[k].len; i++) {
            const char *b;
            size_t len = 0;
            tokd_token_bytes(tok, lists[k].ids[i], &b, &len);
            total += 3 * (unsigned long long)len;
        }
    if (total <= (unsigned long long)a->cfg.max_answer_bytes)
        return 0;
    reply_over_limit(r, "answer_too_large", "ids", "bytes of decoded text (counting 3 per byte)", total,
                     a->cfg.max_answer_bytes, "max_answer_bytes", "decode fewer ids per request");
    return -1;
}

void api_decode(app *a, json_t *body, reply *r)
{
    const tokd_tokenizer *tok;
    const model_info *model;
    tokd_ids *lists = NULL;
    size_t n = 0;
    int batch;
    json_t *errors = json_object_get(body, "errors"), *texts = json_array();
    if (req_tokenizer(a, body, r, &tok, &model) || decode_ids(a, json_object_get(body, "ids"), &lists, &n, &batch, r))
        goto done;
    if (errors && !(json_is_string(errors) && (!strcmp(json_string_value(errors), "replace") ||
                                               !strcmp(json_string_value(errors), "strict")))) {
        reply_error(r, 400, "invalid_value", "errors", "\"errors\" must be \"replace\" (default) or \"strict\"");
        goto done;
    }
    int strict = errors && !strcmp(json_string_value(errors), "strict");
    if (decoded_size(a, tok, lists, n, r) != 0)
        goto done;
    for (size_t k = 0; k < n; k++) {
        json_t *text;
        char field[32];
        field_name(field, sizeof field, "id", batch, k);
        if (decode_one(tok, &lists[k], strict, &text, r, batch ? field : "ids") != 0)
            goto done;
        json_array_append_new(texts, text);
        r->tokens += lists[k].len;
    }
    if (batch)
        reply_json(r, json_pack("{s:s, s:O}", "tokenizer", tokd_tokenizer_name(tok), "texts", texts));
    else
        reply_json(r, json_pack("{s:s, s:O}", "tokenizer", tokd_tokenizer_name(tok), "text", json_array_get(texts, 0)));
done:
    for (size_t k = 0; lists && k < n; k++)
        tokd_ids_release(&lists[k]);
    free(lists);
    json_decref(texts);
}

/* The tokenizers a "tokenizers" list names, each once, into r->held: 0,
 * or -1 with `r` filled. */
static int distinct_tokenizers(app *a, json_t *names, size_t *n, reply *r)
{
    json_t *v;
    size_t i;
    *n = 0;
    if (!json_is_array(names) || json_array_size(names) == 0 || json_array_size(names) > (size_t)a->cfg.max_batch) {
        reply_error(r, 400, "invalid_request", "tokenizers",
                    "\"tokenizers\" must be a non-empty array of at most %ld names, with one \"text\" string",
                    a->cfg.max_batch);
        return -1;
    }
    json_array_foreach(names, i, v)
    {
        if (!json_is_name(v)) {
            reply_error(r, 400, "invalid_type", "tokenizers", "tokenizers[%zu] must be a tokenizer name (a string)", i);
            return -1;
        }
        size_t k = 0;
        while (k < i && strcmp(json_string_value(json_array_get(names, k)), json_string_value(v)))
            k++;
        if (k < i)
            continue; /* named before: counted once */
        if (!app_tokenizer(a, r, json_string_value(v))) {
            reply_error(r, 404, "unknown_tokenizer", "tokenizers", "tokenizers[%zu] is not a loaded tokenizer", i);
            return -1;
        }
        (*n)++;
    }
    return 0;
}

/* One text under several tokenizers: {"counts": {"name": n, ...}}. The
 * work (distinct tokenizers x text bytes) is bounded by max_work_bytes. */
static void count_across(app *a, json_t *body, json_t *names, reply *r)
{
    static const tokd_specials ordinary = {.disallowed_mode = TOKD_DISALLOW_NONE};
    json_t *text = json_object_get(body, "text"), *counts = json_object(), *sums = json_object();
    size_t n_tok;
    if (!json_is_string(text)) {
        reply_error(r, 400, "invalid_request", "text", "\"tokenizers\" goes with one \"text\" string");
        goto done;
    }
    if (distinct_tokenizers(a, names, &n_tok, r) != 0)
        goto done;
    unsigned long long work = (unsigned long long)n_tok * json_string_length(text);
    if (work > (unsigned long long)a->cfg.max_work_bytes) {
        reply_over_limit(r, "too_much_work", "tokenizers", "bytes of text to tokenize (distinct tokenizers x text bytes)",
                         work, a->cfg.max_work_bytes, "max_work_bytes", "name fewer tokenizers or send a shorter text");
        goto done;
    }
    for (size_t i = 0; i < r->n_held; i++) {
        size_t n;
        tokd_error err = {0};
        tokd_limits lim = req_limits(r, 0);
        int rc = tokd_count_bounded(r->held[i], json_string_value(text), json_string_length(text), &ordinary, &lim, &n,
                                    &err);
        if (rc != 0) {
            reply_bounded_error(r, rc, &err, "text", 0, NULL);
            goto done;
        }
        json_object_set_new(counts, tokd_tokenizer_name(r->held[i]), json_integer((json_int_t)n));
        json_object_set_new(sums, tokd_tokenizer_name(r->held[i]), json_string(tokd_tokenizer_sha256(r->held[i])));
        r->tokens += n;
    }
    reply_json(r, json_pack("{s:O, s:b, s:O}", "counts", counts, "exact", 1, "tokenizers_sha256", sums));
done:
    json_decref(sums);
    json_decref(counts);
}

/* The answer of a count: {"model"?, "count", exact, why, tokenizer, ...}. */
static json_t *count_answer(const counter *c, const model_info *model, json_t *counts)
{
    json_t *out = model ? json_pack("{s:s}", "model", model->name) : json_object();
    counter_tokenizer(c, out);
    if (counts)
        json_object_set(out, "counts", counts);
    json_object_set_new(out, "count", json_integer((json_int_t)(c->total > 0 ? c->total : 0)));
    counter_answer(c, out);
    return out;
}

static void count_messages(app *a, json_t *body, reply *r)
{
    const tokd_tokenizer *tok;
    const model_info *model;
    size_t limit;
    counter c;
    if (req_tokenizer(a, body, r, &tok, &model) || req_limit(body, &limit, r))
        return;
    tokd_limits lim = req_limits(r, 0);
    if (counter_init(&c, tok, limit, &lim) != 0) {
        reply_error(r, 503, "out_of_memory", NULL, "out of memory");
        return;
    }
    if (chat_messages_count(a, &c, model, body, r) == 0) {
        r->tokens = (size_t)(c.total > 0 ? c.total : 0);
        reply_json(r, count_answer(&c, model, NULL));
    }
    counter_release(&c);
}

/* Each text into counts[] and the counter; stops at the limit. */
static int count_texts(counter *c, json_t *texts, int batch, json_t *counts, reply *r)
{
    size_t i;
    json_t *v;
    json_array_foreach(texts, i, v)
    {
        long before = c->total;
        tokd_error err = {0};
        int rc = counter_text(c, json_string_value(v), json_string_length(v), &err);
        if (rc != 0) {
            char field[32];
            field_name(field, sizeof field, "text", batch, i);
            reply_tokd_error(r, rc, &err, field);
            return -1;
        }
        json_array_append_new(counts, json_integer((json_int_t)(c->total - before)));
        if (c->exceeded)
            break;
    }
    return 0;
}

static size_t longest_text(json_t *texts)
{
    size_t i, most = 0;
    json_t *v;
    json_array_foreach(texts, i, v)
    {
        if (json_string_length(v) > most)
            most = json_string_length(v);
    }
    return most;
}

void api_count(app *a, json_t *body, reply *r)
{
    json_t *names = json_object_get(body, "tokenizers");
    if (names) {
        count_across(a, body, names, r);
        return;
    }
    if (json_object_get(body, "messages")) {
        count_messages(a, body, r);
        return;
    }
    const tokd_tokenizer *tok;
    const model_info *model;
    json_t *texts = NULL, *counts = json_array();
    const char **sp_names = NULL;
    tokd_specials sp;
    int batch;
    size_t limit;
    counter c = {0};
    if (req_tokenizer(a, body, r, &tok, &model) || req_texts(a, body, r, &texts, &batch) ||
        req_specials(body, &sp, &sp_names, r) || req_limit(body, &limit, r))
        goto done;
    tokd_limits lim = req_limits(r, 0);
    if (counter_init(&c, tok, limit, &lim) != 0) {
        reply_error(r, 503, "out_of_memory", NULL, "out of memory");
        goto done;
    }
    c.sp = &sp;
    lim.max_threads = app_threads_for(a, longest_text(texts));
    int failed = count_texts(&c, texts, batch, counts, r);
    app_threads_done(a, lim.max_threads);
    if (failed)
        goto done;
    r->tokens = (size_t)c.total;
    reply_json(r, count_answer(&c, NULL, batch ? counts : NULL));
done:
    counter_release(&c);
    json_decref(counts);
    json_decref(texts);
    free(sp_names);
}
