/* api_embed.c - POST /v1/embeddings and POST /v1/embeddings/similar.
 *
 * Vectors are looked up in a configured table (tables.c): one per token,
 * optionally plus the position row, optionally mean-pooled and L2
 * normalised. Vector values are printed by floatfmt (9 significant
 * digits, read back as the same float32; much faster than snprintf, and a
 * 512 x 768 answer is 393,216 numbers). The rest of the answer is built
 * with jansson. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "floatfmt.h"

#define MAX_K 1000

static const embed_table *req_table(app *a, json_t *body, reply *r)
{
    json_t *v = json_object_get(body, "table");
    if (!a->n_tables) {
        reply_error(r, 404, "unknown_table", "table", "no embedding tables are configured (\"embeddings\" in the config)");
        return NULL;
    }
    if (!v)
        return &a->tables[0];
    if (!json_is_name(v)) {
        reply_error(r, 400, "invalid_type", "table", "\"table\" must be a string without NUL");
        return NULL;
    }
    for (size_t i = 0; i < a->n_tables; i++)
        if (!strcmp(a->tables[i].name, json_string_value(v)))
            return &a->tables[i];
    reply_error(r, 404, "unknown_table", "table", "unknown table '%.64s'; the first configured one is '%s'",
                json_string_value(v), a->tables[0].name);
    return NULL;
}

static json_t *number(float f)
{
    if (isfinite(f))
        return json_real(f);
    return json_string(isnan(f) ? "NaN" : f > 0 ? "Infinity" : "-Infinity");
}

/* Append "[v0,v1,...]" to `out`. */
static int put_vector(tokd_bytes *out, const float *v, size_t dim)
{
    char num[FLOATFMT_MAX + 1];
    if (tokd_bytes_append(out, "[", 1))
        return -1;
    for (size_t i = 0; i < dim; i++) {
        size_t n = floatfmt(num, v[i]);
        num[n++] = i + 1 < dim ? ',' : ']';
        if (tokd_bytes_append(out, num, n))
            return -1;
    }
    return dim ? 0 : tokd_bytes_append(out, "]", 1);
}

static void normalize(float *v, size_t dim)
{
    double s = 0;
    for (size_t i = 0; i < dim; i++)
        s += (double)v[i] * v[i];
    if (s > 0)
        for (size_t i = 0; i < dim; i++)
            v[i] = (float)(v[i] / sqrt(s));
}

/* The ids: "ids" as given, or "text" encoded by the table's tokenizer. */
static int table_ids(app *a, const embed_table *t, json_t *body, tokd_ids *ids, reply *r)
{
    json_t *text = json_object_get(body, "text"), *list = json_object_get(body, "ids");
    tokd_specials ordinary = {.disallowed_mode = TOKD_DISALLOW_NONE};
    if (!!text == !!list) {
        reply_error(r, 400, text ? "invalid_request" : "missing_field", "text", "give \"text\" or \"ids\", not both");
        return -1;
    }
    if (list && req_id_list(list, "ids", 0, a->cfg.max_embed_tokens, "max_embed_tokens", ids, r) != 0)
        return -1;
    if (text && !json_is_string(text)) {
        reply_error(r, 400, "invalid_type", "text", "\"text\" must be a string");
        return -1;
    }
    tokd_error err = {0};
    tokd_limits lim = req_limits(r, (size_t)a->cfg.max_embed_tokens);
    int rc = text ? tokd_encode_bounded(t->tok, json_string_value(text), json_string_length(text), &ordinary, &lim,
                                        ids, &err)
                  : 0;
    if (rc == TOKD_ELIMIT && strstr(err.text, "more than the limit") && !(r->budget && r->budget->why)) {
        reply_error(r, 413, "too_many_ids", "text", "the text is more than %ld tokens; at most %ld per request (max_embed_tokens)",
                    a->cfg.max_embed_tokens, a->cfg.max_embed_tokens);
        return -1;
    }
    if (rc != 0) {
        reply_bounded_error(r, rc, &err, "text", 0, NULL);
        return -1;
    }
    unsigned long long values = (unsigned long long)ids->len * tokd_embedding_dim(t->emb);
    if (values > (unsigned long long)a->cfg.max_embed_values) {
        reply_over_limit(r, "answer_too_large", text ? "text" : "ids", "numbers in vectors (ids x dimensions)", values,
                         a->cfg.max_embed_values, "max_embed_values", "send fewer ids or a shorter text");
        return -1;
    }
    for (size_t i = 0; i < ids->len; i++)
        if (ids->ids[i] >= tokd_embedding_rows(t->emb)) {
            char field[32];
            snprintf(field, sizeof field, "ids[%zu]", i);
            reply_error(r, 400, "invalid_token_id", field, "%s = %u is past the table's %zu rows", field, ids->ids[i],
                        tokd_embedding_rows(t->emb));
            return -1;
        }
    return 0;
}

typedef struct embed_opts {
    int positional, mean, normalize;
} embed_opts;

static int options(const embed_table *t, json_t *body, size_t n, embed_opts *o, reply *r)
{
    json_t *pool = json_object_get(body, "pooling");
    if (req_bool(body, "positional", &o->positional, r) || req_bool(body, "normalize", &o->normalize, r))
        return -1;
    if (pool && (!json_is_string(pool) || (strcmp(json_string_value(pool), "none") && strcmp(json_string_value(pool), "mean")))) {
        reply_error(r, 400, "invalid_value", "pooling", "\"pooling\" must be \"none\" or \"mean\"");
        return -1;
    }
    o->mean = pool && !strcmp(json_string_value(pool), "mean");
    size_t context = tokd_embedding_context(t->emb);
    if (o->positional && !context) {
        reply_error(r, 400, "invalid_value", "positional", "table '%s' has no position table (positional_tensor)",
                    t->name);
        return -1;
    }
    if (o->positional && n > context) {
        reply_error(r, 400, "too_long", "positional",
                    "the sequence has %zu tokens but table '%s' has positions for %zu (its context length)", n,
                    t->name, context);
        return -1;
    }
    if (o->mean && !n) {
        reply_error(r, 400, "invalid_value", "pooling", "mean pooling needs at least one token");
        return -1;
    }
    return 0;
}

/* One vector per token, or their mean, normalised if asked: the JSON
 * array text appended to `out`. */
static int vectors(const embed_table *t, const tokd_ids *ids, const embed_opts *o, tokd_bytes *out)
{
    size_t dim = tokd_embedding_dim(t->emb);
    float *v = malloc(dim * sizeof *v);
    double *sum = calloc(dim, sizeof *sum);
    int rc = !v || !sum || tokd_bytes_append(out, "[", 1);
    for (size_t i = 0; !rc && i < ids->len; i++) {
        tokd_embedding_lookup(t->emb, ids->ids[i], o->positional ? (long)i : -1, v);
        for (size_t j = 0; o->mean && j < dim; j++)
            sum[j] += v[j];
        if (!o->mean && o->normalize)
            normalize(v, dim);
        if (!o->mean)
            rc = (i && tokd_bytes_append(out, ",", 1)) || put_vector(out, v, dim);
    }
    for (size_t j = 0; !rc && o->mean && j < dim; j++)
        v[j] = (float)(sum[j] / (double)ids->len);
    if (!rc && o->mean && o->normalize)
        normalize(v, dim);
    if (!rc && o->mean)
        rc = put_vector(out, v, dim);
    rc = rc || tokd_bytes_append(out, "]", 1);
    free(v);
    free(sum);
    return rc ? -1 : 0;
}

/* The answer: jansson's text of `head` with "vectors": appended. */
static int answer(reply *r, json_t *head, const embed_table *t, const tokd_ids *ids, const embed_opts *o)
{
    char *text = json_dumps(head, JSON_COMPACT | JSON_PRESERVE_ORDER);
    tokd_bytes out = {0};
    size_t n = text ? strlen(text) : 0;
    int rc = !text || tokd_bytes_append(&out, text, n - 1) || tokd_bytes_append(&out, ",\"vectors\":", 11) ||
             vectors(t, ids, o, &out) || tokd_bytes_append(&out, "}", 1);
    free(text);
    json_decref(head);
    if (rc) {
        tokd_bytes_release(&out);
        return -1;
    }
    r->status = 200;
    r->text = out.data;
    return 0;
}

static json_t *id_array(const tokd_ids *ids)
{
    json_t *a = json_array();
    for (size_t i = 0; i < ids->len; i++)
        json_array_append_new(a, json_integer(ids->ids[i]));
    return a;
}

void api_embeddings(app *a, json_t *body, reply *r)
{
    tokd_ids ids = {0};
    embed_opts o = {0};
    const embed_table *t = req_table(a, body, r);
    if (t && table_ids(a, t, body, &ids, r) == 0 && options(t, body, ids.len, &o, r) == 0) {
        json_t *head = json_pack("{s:s, s:s, s:o, s:I, s:s, s:b, s:b}", "table", t->name, "tokenizer",
                                 tokd_tokenizer_name(t->tok), "ids", id_array(&ids), "dim",
                                 (json_int_t)tokd_embedding_dim(t->emb), "pooling", o.mean ? "mean" : "none",
                                 "positional", o.positional, "normalized", o.normalize);
        if (!head || answer(r, head, t, &ids, &o) != 0)
            reply_error(r, 503, "out_of_memory", NULL, "out of memory");
        r->tokens = ids.len;
    }
    tokd_ids_release(&ids);
}

static json_t *token_text(const embed_table *t, uint32_t id)
{
    tokd_bytes b = {0};
    json_t *s = tokd_decode_text(t->tok, &id, 1, &b, NULL) == 0 ? json_stringn(b.data, b.len) : json_null();
    tokd_bytes_release(&b);
    return s;
}

/* The query id: "id", or "token" text that encodes to exactly one token. */
static int query_id(const embed_table *t, json_t *body, uint32_t *id, reply *r)
{
    json_t *jid = json_object_get(body, "id"), *tok = json_object_get(body, "token");
    tokd_specials all = {.allowed_mode = TOKD_ALLOW_ALL};
    tokd_ids ids = {0};
    if (!!jid == !!tok) {
        reply_error(r, 400, jid ? "invalid_request" : "missing_field", "id", "give \"id\" or \"token\", not both");
        return -1;
    }
    if (tok && (!json_is_string(tok) || tokd_encode(t->tok, json_string_value(tok), json_string_length(tok), &all,
                                                    &ids, NULL) != 0 || ids.len != 1)) {
        reply_error(r, 400, "invalid_value", "token", "\"token\" must be text that is exactly one token of %s (it is %zu)",
                    tokd_tokenizer_name(t->tok), ids.len);
        tokd_ids_release(&ids);
        return -1;
    }
    json_int_t v = tok ? ids.ids[0] : json_is_integer(jid) ? json_integer_value(jid) : -1;
    tokd_ids_release(&ids);
    if (v < 0 || (size_t)v >= tokd_embedding_rows(t->emb)) {
        reply_error(r, 400, "invalid_token_id", "id", "\"id\" must be a token id below %zu", tokd_embedding_rows(t->emb));
        return -1;
    }
    *id = (uint32_t)v;
    return 0;
}

static int not_a_token(void *arg, uint32_t id)
{
    const char *bytes;
    size_t len;
    return tokd_token_bytes(arg, id, &bytes, &len) != 0;
}

void api_similar(app *a, json_t *body, reply *r)
{
    const embed_table *t = req_table(a, body, r);
    uint32_t id;
    json_t *k = json_object_get(body, "k");
    if (!t || query_id(t, body, &id, r) != 0)
        return;
    if (k && (!json_is_integer(k) || json_integer_value(k) < 1 || json_integer_value(k) > MAX_K)) {
        reply_error(r, 400, "invalid_value", "k", "\"k\" must be an integer from 1 to %d", MAX_K);
        return;
    }
    size_t want = k ? (size_t)json_integer_value(k) : 10, n = 0, dim = tokd_embedding_dim(t->emb);
    float *q = malloc(dim * sizeof *q);
    tokd_neighbor *best = malloc(want * sizeof *best);
    if (!q || !best || tokd_embedding_lookup(t->emb, id, -1, q) != 0 ||
        tokd_embedding_similar(t->emb, q, tokd_tokenizer_n_vocab(t->tok), want, id, not_a_token, t->tok, best, &n) != 0)
        reply_error(r, 503, "out_of_memory", NULL, "out of memory");
    else {
        json_t *list = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(list, json_pack("{s:I, s:o, s:o}", "id", (json_int_t)best[i].id, "token",
                                                  token_text(t, best[i].id), "score", number(best[i].score)));
        reply_json(r, json_pack("{s:s, s:s, s:{s:I, s:o}, s:o}", "table", t->name, "tokenizer",
                                tokd_tokenizer_name(t->tok), "query", "id", (json_int_t)id, "token", token_text(t, id),
                                "results", list));
    }
    free(q);
    free(best);
}
