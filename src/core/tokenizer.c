/* tokenizer.c - encode, count and decode with tiktoken's semantics.
 *
 * encode = (1) replace invalid UTF-8 if there is any; (2) fail on the first
 * disallowed special token in the text; (3) split the text at allowed
 * special tokens; (4) pre-tokenize each segment on its own (so lookaheads
 * and '$' see the segment's end, as in tiktoken); (5) each piece: whole
 * piece lookup, else BPE. count runs the same path without storing ids. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpe.h"
#include "buf.h"
#include "guard.h"
#include "hf.h"
#include "tokenizer_impl.h"

/* ---- construction ------------------------------------------------------ */

/* A special token may reuse a vocabulary id only for the same text (as
 * tokenizer.json files do for <s>, <unk>). */
static int same_text(const tokd__rankmap *m, const tokd__special *s)
{
    uint32_t len = tokd__rankmap_len(m, s->id);
    return len == 0 || (len == s->len && memcmp(m->bytes + m->offset[s->id], s->text, len) == 0);
}

static int check_specials(const tokd_tokenizer *t, tokd_error *err)
{
    for (size_t i = 0; i < t->specials.n; i++) {
        const tokd__special *s = &t->specials.items[i];
        if (t->hf ? !same_text(&t->ranks->map, s) : tokd__rankmap_len(&t->ranks->map, s->id) != 0)
            return tokd_error_set(err, TOKD_EFORMAT, "special token %s has id %u, which is another token already",
                                  s->text, s->id);
    }
    if (t->hf && !t->hf->byte_level)
        return 0; /* characters, not bytes, are its base symbols */
    for (int b = 0; b < 256; b++)
        if (t->ranks->map.byte_rank[b] == TOKD__NO_RANK)
            return tokd_error_set(err, TOKD_EUNSUPPORTED,
                                  "the vocabulary has no token for byte 0x%02x; tokd needs byte-level BPE", b);
    return 0;
}

static const tokd__special *sorted_special(const tokd_tokenizer *t, size_t i)
{
    return &t->specials.items[t->special_ids_sorted[i]];
}

static int sort_special_ids(tokd_tokenizer *t)
{
    size_t n = t->specials.n;
    t->special_ids_sorted = malloc((n ? n : 1) * sizeof *t->special_ids_sorted);
    if (!t->special_ids_sorted)
        return TOKD_ENOMEM;
    /* insertion sort, stable: for an id with two names, the first listed
     * one decodes (o200k_harmony's 200018 is <|endofprompt|>) */
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j > 0 && sorted_special(t, j - 1)->id > t->specials.items[i].id) {
            t->special_ids_sorted[j] = t->special_ids_sorted[j - 1];
            j--;
        }
        t->special_ids_sorted[j] = (uint32_t)i;
    }
    return 0;
}

tokd__ranks *tokd__ranks_ref(tokd__ranks *r)
{
    atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
    return r;
}

void tokd__ranks_unref(tokd__ranks *r)
{
    if (!r || atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) != 1)
        return;
    tokd__rankmap_release(&r->map);
    free(r);
}

static uint32_t max_id(const tokd__specials *ss, uint32_t at_least)
{
    for (size_t i = 0; i < ss->n; i++)
        at_least = ss->items[i].id >= at_least ? ss->items[i].id + 1 : at_least;
    return at_least;
}

int tokd__tokenizer_new(const char *name, tokd__ranks *ranks, const char *pattern,
                        tokd__special *specials, size_t n_specials, tokd_tokenizer **out,
                        tokd_error *err)
{
    return tokd__tokenizer_new_hf(name, ranks, pattern, specials, n_specials, NULL, out, err);
}

int tokd__tokenizer_new_hf(const char *name, tokd__ranks *ranks, const char *pattern, tokd__special *specials,
                           size_t n_specials, tokd__hf *hf, tokd_tokenizer **out, tokd_error *err)
{
    tokd_tokenizer *t = calloc(1, sizeof *t);
    if (!t) {
        tokd__hf_free(hf);
        tokd__ranks_unref(ranks);
        for (size_t i = 0; i < n_specials; i++)
            free(specials[i].text);
        free(specials);
        return TOKD_ENOMEM;
    }
    atomic_init(&t->refs, 1);
    t->ranks = ranks;
    t->hf = hf;
    t->model = (tokd__bpe_model){&ranks->map, NULL, 1};
    int rc = tokd__specials_init(&t->specials, specials, n_specials, err);
    if (rc == 0)
        rc = (t->name = strdup(name)) ? 0 : TOKD_ENOMEM;
    if (rc == 0)
        rc = check_specials(t, err);
    if (rc == 0)
        rc = sort_special_ids(t);
    if (rc == 0)
        rc = tokd__pretok_init(&t->pretok, pattern, 1, err);
    if (rc != 0) {
        tokd_tokenizer_unref(t);
        return rc;
    }
    t->n_vocab = max_id(&t->specials, t->ranks->map.n_ranks);
    if (hf)
        t->n_vocab = max_id(&hf->added, t->n_vocab);
    *out = t;
    return 0;
}

tokd_tokenizer *tokd_tokenizer_ref(tokd_tokenizer *tok)
{
    atomic_fetch_add_explicit(&tok->refs, 1, memory_order_relaxed);
    return tok;
}

void tokd_tokenizer_unref(tokd_tokenizer *tok)
{
    if (!tok || atomic_fetch_sub_explicit(&tok->refs, 1, memory_order_acq_rel) != 1)
        return;
    tokd__ranks_unref(tok->ranks);
    tokd__hf_free(tok->hf);
    tokd__pretok_release(&tok->pretok);
    tokd__specials_release(&tok->specials);
    free(tok->special_ids_sorted);
    free(tok->name);
    free(tok);
}

/* ---- accessors ---------------------------------------------------------- */

const char *tokd_tokenizer_name(const tokd_tokenizer *tok)
{
    return tok->name;
}

const char *tokd_tokenizer_kind(const tokd_tokenizer *tok)
{
    return tok->hf ? "huggingface" : "tiktoken";
}

const char *tokd_tokenizer_pattern(const tokd_tokenizer *tok)
{
    return tok->pretok.pattern;
}

const char *tokd_tokenizer_sha256(const tokd_tokenizer *tok)
{
    return tok->ranks->sha256;
}

uint32_t tokd_tokenizer_n_vocab(const tokd_tokenizer *tok)
{
    return tok->n_vocab;
}

size_t tokd_tokenizer_n_specials(const tokd_tokenizer *tok)
{
    return tok->specials.n;
}

const char *tokd_tokenizer_special(const tokd_tokenizer *tok, size_t i, uint32_t *id)
{
    if (i >= tok->specials.n)
        return NULL;
    if (id)
        *id = tok->specials.items[i].id;
    return tok->specials.items[i].text;
}

/* ---- special-token policy ---------------------------------------------- */

/* The policy resolved to filters over the tokenizer's specials. */
typedef struct policy {
    tokd__special_filter allowed, disallowed;
    uint8_t *masks; /* owned; NULL unless a list was given */
} policy;

static int mark_names(const tokd_tokenizer *t, const char *const *names, size_t n, uint8_t *mask,
                      const char *what, tokd_error *err)
{
    for (size_t i = 0; i < n; i++) {
        long k = tokd__specials_index(&t->specials, names[i], strlen(names[i]));
        if (k < 0)
            return tokd_error_set(err, TOKD_EINVAL, "%s names '%s', which is not a special token of %s",
                                  what, names[i], t->name);
        mask[k] = 1;
    }
    return 0;
}

/* Masks are allocated only when a list is involved: the default policy (and
 * "all" / "none") costs nothing per call. */
static int resolve_policy(const tokd_tokenizer *t, const tokd_specials *sp, policy *p, tokd_error *err)
{
    static const tokd_specials defaults;
    if (!sp)
        sp = &defaults;
    size_t n = t->specials.n;
    int allow_list = sp->allowed_mode == TOKD_ALLOW_LIST;
    int dis_list = sp->disallowed_mode == TOKD_DISALLOW_LIST ||
                   (sp->disallowed_mode == TOKD_DISALLOW_ALL && allow_list);
    *p = (policy){{sp->allowed_mode == TOKD_ALLOW_ALL, NULL, 0},
                  {sp->disallowed_mode == TOKD_DISALLOW_ALL && sp->allowed_mode == TOKD_ALLOW_NONE, NULL, 1},
                  NULL};
    if (!allow_list && !dis_list)
        return 0;
    if (!(p->masks = calloc(2 * n + 1, 1)))
        return TOKD_ENOMEM;
    int rc = 0;
    if (allow_list) {
        p->allowed.mask = p->masks;
        rc = mark_names(t, sp->allowed, sp->n_allowed, p->masks, "allowed_special", err);
    }
    if (rc != 0 || !dis_list)
        return rc;
    uint8_t *dis = p->masks + n;
    p->disallowed.mask = dis;
    if (sp->disallowed_mode == TOKD_DISALLOW_LIST)
        return mark_names(t, sp->disallowed, sp->n_disallowed, dis, "disallowed_special", err);
    for (size_t i = 0; i < n; i++) /* every special that is not allowed */
        dis[i] = !p->allowed.mask[i];
    return 0;
}

/* ---- encoding ------------------------------------------------------------ */

typedef struct job {
    const tokd_tokenizer *t;
    tokd_ids *out; /* NULL: count only */
    size_t count;
    tokd__special_filter allowed;
    tokd__guard guard;
} job;

static int encode_segment(job *j, const uint8_t *s, size_t n, int at_start)
{
    const tokd_tokenizer *t = j->t;
    if (t->hf)
        return tokd__hf_segment(t, j->allowed, s, n, at_start, &j->guard, j->out, &j->count);
    const tokd__bpe_model *m = &t->model;
    if (t->pretok.scanner != TOKD__SCAN_PCRE2) {
        for (size_t i = 0; i < n;) {
            size_t e = tokd__scan(t->pretok.scanner, s, n, i);
            int rc = tokd__bpe_piece(m, s + i, e - i, j->out, &j->count);
            if (rc == 0)
                rc = tokd__guard_step(&j->guard);
            if (rc != 0)
                return rc;
            i = e;
        }
        return 0;
    }
    size_t pos = 0, start, end;
    int rc;
    while ((rc = tokd__pretok_next(&t->pretok, s, n, pos, &start, &end)) == 1) {
        if ((rc = tokd__bpe_piece(m, s + start, end - start, j->out, &j->count)) != 0 ||
            (rc = tokd__guard_step(&j->guard)) != 0)
            return rc;
        pos = end;
    }
    return rc;
}

static int emit_special(job *j, uint32_t id)
{
    if (!j->out) {
        j->count++;
        return 0;
    }
    return tokd__ids_push(j->out, id);
}

static int emit_all(job *j, const uint32_t *ids, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = emit_special(j, ids[i]);
    return rc;
}

/* The next allowed special token (or, for Hugging Face tokenizers, added
 * token) at or after pos: its bytes [*at, *end). */
static const tokd__special *next_token(const tokd_tokenizer *t, const policy *p, const uint8_t *s, size_t n,
                                       size_t pos, size_t *at, size_t *end)
{
    size_t k;
    if (t->hf)
        return tokd__hf_next_added(t, p->allowed, s, n, pos, pos, at, end);
    if (!tokd__specials_find(&t->specials, p->allowed, s, n, pos, at, &k))
        return NULL;
    *end = *at + t->specials.items[k].len;
    return &t->specials.items[k];
}

static int encode_valid(job *j, const uint8_t *s, size_t n, const policy *p, int add_special, tokd_error *err)
{
    const tokd__specials *ss = &j->t->specials;
    const tokd__hf *hf = j->t->hf;
    size_t at, end, k, pos = 0;
    if (tokd__specials_find(ss, p->disallowed, s, n, 0, &at, &k)) {
        tokd_error_set(err, TOKD_ESPECIAL,
                       "the text contains the special token '%s' (at byte %zu), which is not allowed",
                       ss->items[k].text, at);
        if (err)
            err->position = at + 1;
        return TOKD_ESPECIAL;
    }
    j->allowed = p->allowed;
    int rc = add_special && hf ? emit_all(j, hf->prefix, hf->n_prefix) : 0;
    const tokd__special *x;
    while (rc == 0 && (x = next_token(j->t, p, s, n, pos, &at, &end))) {
        rc = encode_segment(j, s + pos, at - pos, pos == 0);
        if (rc == 0)
            rc = emit_special(j, x->id);
        if (rc == 0)
            rc = tokd__guard_step(&j->guard);
        pos = end;
    }
    if (rc == 0)
        rc = encode_segment(j, s + pos, n - pos, pos == 0);
    if (rc == 0 && add_special && hf)
        rc = emit_all(j, hf->suffix, hf->n_suffix);
    return rc;
}

static int run(job *j, const char *text, size_t len, const tokd_specials *sp, tokd_error *err)
{
    policy p;
    tokd_bytes clean = {0};
    int rc = resolve_policy(j->t, sp, &p, err);
    if (rc == 0 && !tokd_utf8_valid(text, len)) {
        rc = tokd_utf8_sanitize(text, len, &clean);
        text = clean.data;
        len = clean.len;
    }
    if (rc == 0)
        rc = encode_valid(j, (const uint8_t *)text, len, &p, sp && sp->add_special_tokens, err);
    if (rc == TOKD_ENOMEM)
        tokd_error_set(err, rc, "out of memory while encoding %zu bytes", len);
    else if (j->guard.tripped == 1)
        tokd_error_set(err, rc, "stopped after %zu tokens: more than the limit of %zu",
                       tokd__guard_produced(&j->guard), j->guard.lim->max_tokens);
    else if (j->guard.tripped == 2 && err && err->code != rc)
        tokd_error_set(err, rc, "stopped by the caller after %zu tokens", tokd__guard_produced(&j->guard));
    free(p.masks);
    tokd_bytes_release(&clean);
    return rc;
}

static const tokd_limits unbounded;

int tokd_encode_bounded(const tokd_tokenizer *tok, const char *text, size_t len, const tokd_specials *sp,
                        const tokd_limits *lim, tokd_ids *out, tokd_error *err)
{
    job j = {tok, out, 0, {0, NULL, 0}, {lim ? lim : &unbounded, out, out->len, NULL, 0, 0}};
    size_t before = out->len;
    int rc = run(&j, text, len, sp, err);
    if (rc != 0)
        out->len = before;
    return rc;
}

int tokd_encode(const tokd_tokenizer *tok, const char *text, size_t len, const tokd_specials *sp,
                tokd_ids *out, tokd_error *err)
{
    return tokd_encode_bounded(tok, text, len, sp, NULL, out, err);
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
    job j = {tok, NULL, 0, {0, NULL, 0}, {lim ? lim : &unbounded, NULL, 0, NULL, 0, 0}};
    j.guard.count = &j.count;
    int rc = run(&j, text, len, sp, err);
    *count = rc == 0 || j.guard.tripped == 1 ? j.count : 0;
    return rc;
}

int tokd_count(const tokd_tokenizer *tok, const char *text, size_t len, const tokd_specials *sp,
               size_t *count, tokd_error *err)
{
    return tokd_count_bounded(tok, text, len, sp, NULL, count, err);
}

/* ---- decoding ------------------------------------------------------------ */

int tokd_token_bytes(const tokd_tokenizer *tok, uint32_t id, const char **bytes, size_t *len)
{
    const tokd__rankmap *m = &tok->ranks->map;
    uint32_t n = tokd__rankmap_len(m, id);
    if (n) {
        *bytes = (const char *)m->bytes + m->offset[id];
        *len = n;
        return 0;
    }
    size_t lo = 0, hi = tok->specials.n;
    while (lo < hi) { /* first special with id >= wanted */
        size_t mid = lo + (hi - lo) / 2;
        if (sorted_special(tok, mid)->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < tok->specials.n && sorted_special(tok, lo)->id == id) {
        *bytes = sorted_special(tok, lo)->text;
        *len = sorted_special(tok, lo)->len;
        return 0;
    }
    for (size_t i = 0; tok->hf && i < tok->hf->added.n; i++)
        if (tok->hf->added.items[i].id == id) {
            *bytes = tok->hf->added.items[i].text;
            *len = tok->hf->added.items[i].len;
            return 0;
        }
    return TOKD_ERANGE;
}

int tokd_decode_bytes(const tokd_tokenizer *tok, const uint32_t *ids, size_t n, tokd_bytes *out,
                      tokd_error *err)
{
    size_t before = out->len;
    if (tok->hf && !tok->hf->dec_byte_level)
        return tokd__hf_decode(tok, ids, n, 1, out, err);
    for (size_t i = 0; i < n; i++) {
        const char *b;
        size_t len;
        int rc = tokd_token_bytes(tok, ids[i], &b, &len);
        if (rc == 0)
            rc = tokd__bytes_append(out, b, len);
        if (rc == TOKD_ERANGE) {
            tokd_error_set(err, rc, "token id %u (at index %zu) is not in %s, whose ids are 0 to %u",
                           ids[i], i, tok->name, tok->n_vocab - 1);
            if (err)
                err->position = i + 1;
        }
        if (rc != 0) {
            out->len = before;
            if (out->data)
                out->data[before] = '\0';
            return rc;
        }
    }
    return 0;
}

int tokd_decode_text(const tokd_tokenizer *tok, const uint32_t *ids, size_t n, tokd_bytes *out,
                     tokd_error *err)
{
    if (tok->hf && !tok->hf->dec_byte_level)
        return tokd__hf_decode(tok, ids, n, 0, out, err);
    tokd_bytes raw = {0};
    int rc = tokd_decode_bytes(tok, ids, n, &raw, err);
    if (rc == 0)
        rc = tokd_utf8_sanitize(raw.data ? raw.data : "", raw.len, out);
    tokd_bytes_release(&raw);
    return rc;
}
