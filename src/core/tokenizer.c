/* tokenizer.c - the driver: encode, count and decode through a tokenizer's
 * pipeline (pipeline.h), with tiktoken's semantics for special tokens.
 *
 * encode = (1) replace invalid UTF-8 if there is any; (2) fail on the first
 * disallowed special token in the text; (3) cut the text at added tokens;
 * (4) each segment on its own (so lookaheads and '$' see the segment's end,
 * as in tiktoken): normalize, cut at normalized added tokens, pre-tokenize,
 * and give each piece to the model; (5) the post-processor's ids around it.
 * count and offsets run the same path with another sink. Nothing here asks
 * which kind of tokenizer it runs. A long stretch that one resumable
 * streaming step scans may go to several threads (parallel.h), when the
 * call's limits allow more than one. */
#include <stdlib.h>
#include <string.h>

#include "parallel.h"
#include "piece_cache.h"
#include "pipeline.h"
#include "post.h"
#include "stream.h"

typedef struct encode_call {
    const tokd_tokenizer *t;
    tokd__policy policy;
    tokd__sink sink;
    tokd__piece_cache *cache; /* NULL: every piece goes to the model */
    size_t before;            /* input bytes before this text (a streamed part), for messages */
} encode_call;

/* ---- pieces and segments -------------------------------------------------- */

/* The model on text[a..b), then the call's limits. */
static int model_piece(encode_call *c, const tokd__ntext *text, size_t a, size_t b)
{
    const tokd__model *m = &c->t->model;
    const uint8_t *p = (const uint8_t *)text->s + a;
    c->sink.text = text;
    c->sink.base = a;
    int rc = c->cache ? tokd__piece_cache_encode(c->cache, p, b - a, &c->sink) : m->ops->encode(m->self, p, b - a, &c->sink);
    return rc ? rc : tokd__guard_step(&c->sink.guard);
}

/* A streaming step's pieces of text[a..b), for the model: what the hot
 * loop needs, loaded once per segment rather than once per piece. */
typedef struct stream_ctx {
    int (*encode)(const void *self, const uint8_t *p, size_t n, tokd__sink *sink);
    const void *model;
    const uint8_t *s; /* text->s + a */
    size_t a;
    tokd__sink *sink;
    tokd__piece_cache *cache;
} stream_ctx;

static int stream_piece(void *ctx, size_t start, size_t end)
{
    stream_ctx *x = ctx;
    x->sink->base = x->a + start;
    int rc = x->cache ? tokd__piece_cache_encode(x->cache, x->s + start, end - start, x->sink)
                      : x->encode(x->model, x->s + start, end - start, x->sink);
    return rc ? rc : tokd__guard_step(&x->sink->guard);
}

/* s[0..n) on several threads (parallel.h) when the call allows it, the
 * step resumes and the text is long enough; else TOKD__PARALLEL_DECLINED,
 * also when max_tokens would stop inside it (the one-thread path then
 * stops at the exact piece). */
static int in_parallel(encode_call *c, const tokd__pretokenizer *last, const uint8_t *s, size_t n)
{
    tokd__sink *k = &c->sink;
    const tokd_limits *lim = k->guard.lim;
    size_t cuts[TOKD__PARALLEL_MAX], ids_before = k->ids ? k->ids->len : 0, count_before = k->count;
    unsigned t;
    if (!last->ops->each_from || k->offsets || lim->max_threads < 2 ||
        (t = tokd__parallel_cuts(s, n, lim->max_threads, cuts)) < 2)
        return TOKD__PARALLEL_DECLINED;
    int rc = tokd__parallel_stream(last, &c->t->model, s, n, cuts, t - 1, lim, k);
    if (rc < 0)
        k->guard.tripped = 2;
    if (rc == 0 && lim->max_tokens && tokd__guard_produced(&k->guard) > lim->max_tokens) {
        if (k->ids)
            k->ids->len = ids_before;
        k->count = count_before;
        rc = TOKD__PARALLEL_DECLINED;
    }
    return rc;
}

static int stream(encode_call *c, const tokd__pretokenizer *last, const tokd__ntext *text, size_t a, size_t b)
{
    const tokd__model *m = &c->t->model;
    stream_ctx x = {m->ops->encode, m->self, (const uint8_t *)text->s + a, a, &c->sink, c->cache};
    c->sink.text = text;
    int rc = in_parallel(c, last, x.s, b - a);
    return rc != TOKD__PARALLEL_DECLINED ? rc : last->ops->each(last->self, x.s, b - a, stream_piece, &x);
}

/* Pre-tokenize text[a..b) and encode its pieces. A last step that streams
 * runs on each piece the others left; when it is the only one, no list of
 * pieces is built. */
static int encode_pretokenized(encode_call *c, const tokd__ntext *text, size_t a, size_t b, int at_start)
{
    const tokd_tokenizer *t = c->t;
    size_t n_split = t->n_pres;
    const tokd__pretokenizer *last = n_split && t->pres[n_split - 1].ops->each ? &t->pres[n_split - 1] : NULL;
    n_split -= last != NULL;
    if (a == b)
        return 0;
    if (n_split == 0)
        return last ? stream(c, last, text, a, b) : model_piece(c, text, a, b);
    tokd__splits p = {.text = tokd__ntext_sub(text, 0, text->n)};
    int rc = tokd__splits_push(&p, a, b);
    for (size_t k = 0; k < n_split && rc == 0; k++)
        rc = t->pres[k].ops->split(t->pres[k].self, &p, at_start);
    for (size_t k = 0; k < p.n && rc == 0; k++)
        rc = last ? stream(c, last, &p.text, p.v[k].start, p.v[k].end)
                  : model_piece(c, &p.text, p.v[k].start, p.v[k].end);
    tokd__splits_release(&p);
    return rc;
}

/* One segment between added tokens: whole[a..b). */
static int encode_segment(encode_call *c, const tokd__ntext *whole, size_t a, size_t b)
{
    const tokd_tokenizer *t = c->t;
    tokd__ntext text = tokd__ntext_sub(whole, a, b);
    int rc = b > a ? tokd__normalize(t->norms, t->n_norms, &text) : 0;
    size_t pos = 0, start, end, os, oe;
    const tokd__added_token *x;
    while (rc == 0 && t->added.normalized.n &&
           (x = tokd__added_next_normalized(&t->added, &c->policy, (const uint8_t *)text.s, text.n, pos, &start,
                                            &end))) {
        rc = encode_pretokenized(c, &text, pos, start, a == 0 && pos == 0);
        tokd__ntext_origin(&text, start, end, &os, &oe);
        if (rc == 0)
            rc = tokd__sink_token_at(&c->sink, x->id, os, oe);
        pos = end;
    }
    if (rc == 0)
        rc = encode_pretokenized(c, &text, pos, text.n, a == 0 && pos == 0);
    tokd__ntext_release(&text);
    return rc;
}

static int emit_template(encode_call *c, const uint32_t *ids, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = tokd__sink_token_at(&c->sink, ids[i], 0, 0);
    return rc;
}

static int refuse_disallowed(const tokd__added_token *x, size_t at, tokd_error *err)
{
    tokd_error_set(err, TOKD_ESPECIAL, "the text contains the special token '%s' (at byte %zu), which is not allowed",
                   x->text, at);
    if (err)
        err->position = at + 1;
    return TOKD_ESPECIAL;
}

static int encode_text(encode_call *c, const tokd__ntext *whole, int add_special, tokd_error *err)
{
    const tokd_tokenizer *t = c->t;
    const uint8_t *s = (const uint8_t *)whole->s;
    const tokd__added_token *x;
    size_t at, end, pos = 0, os, oe;
    if (tokd__added_disallowed(&t->added, &c->policy, s, whole->n, &at, &x))
        return refuse_disallowed(x, c->before + at, err);
    int rc = add_special ? emit_template(c, t->prefix, t->n_prefix) : 0;
    while (rc == 0 && (x = tokd__added_next(&t->added, &c->policy, s, whole->n, pos, pos, &at, &end))) {
        rc = encode_segment(c, whole, pos, at);
        tokd__ntext_origin(whole, at, end, &os, &oe);
        if (rc == 0)
            rc = tokd__sink_token_at(&c->sink, x->id, os, oe);
        if (rc == 0)
            rc = tokd__guard_step(&c->sink.guard);
        pos = end;
    }
    if (rc == 0)
        rc = encode_segment(c, whole, pos, whole->n);
    if (rc == 0 && add_special)
        rc = emit_template(c, t->suffix, t->n_suffix);
    return rc;
}

/* ---- the calls -------------------------------------------------------------- */

static void explain(const encode_call *c, int rc, size_t len, tokd_error *err)
{
    const tokd__guard *g = &c->sink.guard;
    if (rc == TOKD_ENOMEM)
        tokd_error_set(err, rc, "out of memory while encoding %zu bytes", len);
    else if (rc == TOKD_EUNSUPPORTED)
        tokd_error_set(err, rc, "a character of the text has no token in %s, which has no unk_token or byte fallback",
                       c->t->name);
    else if (g->tripped == 1)
        tokd_error_set(err, rc, "stopped after %zu tokens: more than the limit of %zu", tokd__guard_produced(g),
                       g->lim->max_tokens);
    else if (g->tripped == 2 && err && err->code != rc)
        tokd_error_set(err, rc, "stopped by the caller after %zu tokens", tokd__guard_produced(g));
}

static int run(encode_call *c, const char *text, size_t len, const tokd_specials *sp, tokd_error *err)
{
    tokd__ntext whole = tokd__ntext_view(text, len, 0, c->sink.offsets != NULL);
    c->cache = c->sink.offsets ? NULL : tokd__piece_cache_new(&c->t->model, len);
    c->sink.cache = c->cache;
    int rc = tokd__policy_resolve(&c->t->added, c->t->name, sp, &c->policy, err);
    if (rc == 0 && !tokd_utf8_valid(text, len))
        rc = tokd__ntext_sanitize(text, len, c->sink.offsets != NULL, &whole);
    if (rc == 0)
        rc = encode_text(c, &whole, sp && sp->add_special_tokens, err);
    if (rc != 0)
        explain(c, rc, len, err);
    tokd__policy_release(&c->policy);
    tokd__ntext_release(&whole);
    tokd__piece_cache_free(c->cache);
    return rc;
}

/* The post-processor's trimming over the sequence's own tokens (the
 * template's, when added, are left as they are). */
static void trim_offsets(const tokd_tokenizer *t, const tokd_specials *sp, const uint32_t *ids, tokd_offset *v,
                         size_t n)
{
    size_t skip = sp && sp->add_special_tokens ? t->n_prefix : 0;
    size_t tail = sp && sp->add_special_tokens ? t->n_suffix : 0;
    if (n >= skip + tail)
        tokd__post_trim_offsets(t, t->trim_add_prefix_space, ids + skip, v + skip, n - skip - tail);
}

static const tokd_limits unbounded;

/* A call writing ids (out) and offsets (may be NULL), or counting (out
 * NULL). */
static void call_init(encode_call *c, const tokd_tokenizer *t, const tokd_limits *lim, tokd_ids *out,
                      tokd_offsets *offsets)
{
    *c = (encode_call){.t = t};
    c->sink.ids = out;
    c->sink.offsets = offsets;
    c->sink.guard = (tokd__guard){lim ? lim : &unbounded, out, out ? out->len : 0, &c->sink.count, 0, 0};
}

int tokd_encode_offsets(const tokd_tokenizer *tok, const char *text, size_t len, const tokd_specials *sp,
                        const tokd_limits *lim, tokd_ids *out, tokd_offsets *offsets, tokd_error *err)
{
    encode_call c;
    size_t before = out->len, before_offsets = offsets ? offsets->len : 0;
    call_init(&c, tok, lim, out, offsets);
    int rc = run(&c, text, len, sp, err);
    for (size_t i = before_offsets; rc == 0 && offsets && i < offsets->len; i++) {
        /* a model may place a token outside the text as Hugging Face does
         * (model_bpe.c, byte fallback with affixes): held at its end */
        offsets->v[i].start = offsets->v[i].start < len ? offsets->v[i].start : len;
        offsets->v[i].end = offsets->v[i].end < len ? offsets->v[i].end : len;
    }
    if (rc == 0 && offsets && tok->trim_offsets)
        trim_offsets(tok, sp, out->ids + before, offsets->v + before_offsets, out->len - before);
    if (rc != 0) {
        out->len = before;
        if (offsets)
            offsets->len = before_offsets;
    }
    return rc;
}

int tokd_encode_bounded(const tokd_tokenizer *tok, const char *text, size_t len, const tokd_specials *sp,
                        const tokd_limits *lim, tokd_ids *out, tokd_error *err)
{
    return tokd_encode_offsets(tok, text, len, sp, lim, out, NULL, err);
}

int tokd_encode(const tokd_tokenizer *tok, const char *text, size_t len, const tokd_specials *sp,
                tokd_ids *out, tokd_error *err)
{
    return tokd_encode_offsets(tok, text, len, sp, NULL, out, NULL, err);
}

int tokd_encode_ordinary(const tokd_tokenizer *tok, const char *text, size_t len, tokd_ids *out,
                         tokd_error *err)
{
    static const tokd_specials ordinary = {.disallowed_mode = TOKD_DISALLOW_NONE};
    return tokd_encode(tok, text, len, &ordinary, out, err);
}

int tokd_count_bounded(const tokd_tokenizer *tok, const char *text, size_t len, const tokd_specials *sp,
                       const tokd_limits *lim, size_t *count, tokd_error *err)
{
    encode_call c;
    call_init(&c, tok, lim, NULL, NULL);
    int rc = run(&c, text, len, sp, err);
    *count = rc == 0 || c.sink.guard.tripped == 1 ? c.sink.count : 0;
    return rc;
}

int tokd__count_part(const tokd_tokenizer *tok, const char *text, size_t len, const tokd_specials *sp,
                     const tokd_limits *lim, size_t before, size_t *count, tokd_error *err)
{
    encode_call c;
    call_init(&c, tok, lim, NULL, NULL);
    c.before = before;
    int rc = run(&c, text, len, sp, err);
    *count = rc == 0 ? c.sink.count : 0;
    return rc;
}

int tokd_count(const tokd_tokenizer *tok, const char *text, size_t len, const tokd_specials *sp,
               size_t *count, tokd_error *err)
{
    return tokd_count_bounded(tok, text, len, sp, NULL, count, err);
}

void tokd_offsets_release(tokd_offsets *offsets)
{
    free(offsets->v);
    *offsets = (tokd_offsets){0};
}

/* ---- decoding ------------------------------------------------------------ */

int tokd_token_bytes(const tokd_tokenizer *tok, uint32_t id, const char **bytes, size_t *len)
{
    const tokd__rankmap *m = &tok->vocab->map;
    uint32_t n = tokd__rankmap_len(m, id);
    if (n) {
        *bytes = (const char *)m->bytes + m->offset[id];
        *len = n;
        return 0;
    }
    const tokd__added_token *x = tokd__added_by_id(&tok->added, id);
    if (!x)
        return TOKD_ERANGE;
    *bytes = x->text;
    *len = x->len;
    return 0;
}

static int bad_id(const tokd_tokenizer *tok, const uint32_t *ids, size_t i, tokd_error *err)
{
    tokd_error_set(err, TOKD_ERANGE, "token id %u (at index %zu) is not in %s, whose ids are 0 to %u", ids[i], i,
                   tok->name, tok->n_vocab - 1);
    if (err)
        err->position = i + 1;
    return TOKD_ERANGE;
}

/* The string decoding starts from for token `id`: what the added tokens
 * say (decode_form) or its bytes. */
static int decode_form(const tokd_tokenizer *tok, uint32_t id, const char **b, size_t *len)
{
    const tokd__added_token *x = tokd__added_decode_form(&tok->added, id);
    if (!x)
        return tokd_token_bytes(tok, id, b, len);
    *b = x->text;
    *len = x->len;
    return 0;
}

/* The tokens' strings into *tokens (a list for the decoders) or, with no
 * decoders, straight into `out`. */
static int token_strings(const tokd_tokenizer *tok, const uint32_t *ids, size_t n, tokd__splits *tokens,
                         tokd_bytes *out, tokd_error *err)
{
    for (size_t i = 0; i < n; i++) {
        const char *b;
        size_t len, begin = tokens->text.own.len;
        if (decode_form(tok, ids[i], &b, &len) != 0)
            return bad_id(tok, ids, i, err);
        if (tokd__bytes_append(out ? out : &tokens->text.own, b, len) != 0 ||
            (!out && tokd__splits_push(tokens, begin, tokens->text.own.len) != 0))
            return TOKD_ENOMEM;
    }
    return 0;
}

/* Decode into `out` (appended; unchanged on error). */
static int decode(const tokd_tokenizer *tok, const uint32_t *ids, size_t n, int raw, tokd_bytes *out,
                  tokd_error *err)
{
    size_t before = out->len;
    tokd__splits tokens = {0};
    int rc = token_strings(tok, ids, n, &tokens, tok->n_decoders ? NULL : out, err);
    tokens.text.s = tokens.text.own.data ? tokens.text.own.data : "";
    tokens.text.n = tokens.text.own.len;
    for (size_t i = 0; i < tok->n_decoders && rc == 0; i++)
        rc = tok->decoders[i].ops->decode(tok->decoders[i].self, &tokens, raw);
    for (size_t i = 0; tok->n_decoders && i < tokens.n && rc == 0; i++)
        rc = tokd__bytes_append(out, tokens.text.s + tokens.v[i].start, tokens.v[i].end - tokens.v[i].start);
    tokd__splits_release(&tokens);
    if (rc != 0) {
        out->len = before;
        if (out->data)
            out->data[before] = '\0';
    }
    return rc;
}

int tokd_decode_bytes(const tokd_tokenizer *tok, const uint32_t *ids, size_t n, tokd_bytes *out,
                      tokd_error *err)
{
    return decode(tok, ids, n, 1, out, err);
}

int tokd_decode_text(const tokd_tokenizer *tok, const uint32_t *ids, size_t n, tokd_bytes *out,
                     tokd_error *err)
{
    tokd_bytes raw = {0};
    int rc = decode(tok, ids, n, 0, &raw, err);
    if (rc == 0)
        rc = tokd_utf8_sanitize(raw.data ? raw.data : "", raw.len, out);
    tokd_bytes_release(&raw);
    return rc;
}
