/* train.c - the trainer's public face: options, the two phases, results.
 *
 * tokd_train checks the options, replaces invalid UTF-8 as the encoder
 * would, counts the distinct pieces (pieces.c) and merges (merge.c). The
 * result keeps only the vocabulary and the merges; writing it out is
 * train_write.c's business. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pretok.h"
#include "registry.h"
#include "sha256.h"
#include "tokd/tokenizer.h"
#include "counts_impl.h"
#include "train_impl.h"
#include "train_result.h"

static const struct {
    const char *name, *encoding;
} pattern_names[] = {
    {"gpt2", "gpt2"}, {"r50k_base", "r50k_base"}, {"p50k_base", "p50k_base"},
    {"cl100k_base", "cl100k_base"}, {"o200k_base", "o200k_base"},
};

const char *tokd_train_pattern(const char *name)
{
    for (size_t i = 0; name && i < sizeof pattern_names / sizeof pattern_names[0]; i++)
        if (!strcmp(name, pattern_names[i].name))
            return tokd__builtin_find(pattern_names[i].encoding)->pattern;
    return NULL;
}

static int check_specials(const tokd_train_options *o, tokd_error *err)
{
    for (size_t i = 0; i < o->n_special_tokens; i++) {
        if (!o->special_tokens[i] || !o->special_tokens[i][0])
            return tokd_error_set(err, TOKD_EINVAL, "special token %zu is empty", i);
        if (!tokd_utf8_valid(o->special_tokens[i], strlen(o->special_tokens[i])))
            return tokd_error_set(err, TOKD_EINVAL, "special token %zu is not valid UTF-8", i);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(o->special_tokens[i], o->special_tokens[j]))
                return tokd_error_set(err, TOKD_EINVAL, "special token \"%.100s\" is listed twice",
                                      o->special_tokens[i]);
    }
    return 0;
}

int tokd_train_check(const tokd_train_options *o, tokd_error *err)
{
    if (!o->pattern)
        return tokd_error_set(err, TOKD_EINVAL, "no pre-tokenizer pattern given");
    if (o->n_special_tokens >= TOKD_TRAIN_MAX_VOCAB ||
        o->vocab_size < TOKD_TRAIN_MIN_VOCAB + o->n_special_tokens || o->vocab_size > TOKD_TRAIN_MAX_VOCAB)
        return tokd_error_set(err, TOKD_EINVAL,
                              "vocab_size must be from %zu (256 bytes, one merge and %zu special tokens) to %u, not %u",
                              (size_t)TOKD_TRAIN_MIN_VOCAB + o->n_special_tokens, o->n_special_tokens,
                              TOKD_TRAIN_MAX_VOCAB, o->vocab_size);
    int rc = check_specials(o, err);
    if (rc != 0)
        return rc;
    tokd__pretok pt;
    if ((rc = tokd__pretok_init(&pt, o->pattern, 0, err)) != 0)
        return rc;
    tokd__pretok_release(&pt);
    return 0;
}

/* The texts as the encoder sees them: invalid UTF-8 replaced. Copies are
 * made only where needed and listed in *copies for freeing. */
static int sanitized(const tokd_train_text *texts, size_t n, tokd_train_text **out, tokd_bytes **copies)
{
    *out = calloc(n ? n : 1, sizeof **out);
    *copies = calloc(n ? n : 1, sizeof **copies);
    if (!*out || !*copies)
        return TOKD_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        (*out)[i] = texts[i];
        if (tokd_utf8_valid(texts[i].data, texts[i].len))
            continue;
        if (tokd_utf8_sanitize(texts[i].data, texts[i].len, &(*copies)[i]) != 0)
            return TOKD_ENOMEM;
        (*out)[i] = (tokd_train_text){(*copies)[i].data, (*copies)[i].len};
    }
    return 0;
}

static void free_sanitized(tokd_train_text *texts, tokd_bytes *copies, size_t n)
{
    for (size_t i = 0; copies && i < n; i++)
        tokd_bytes_release(&copies[i]);
    free(copies);
    free(texts);
}

static void corpus_facts(const tokd_train_text *given, const tokd_train_text *clean, size_t n, tokd_train_stats *s)
{
    tokd__sha256 h;
    uint8_t d[32];
    tokd__sha256_init(&h);
    for (size_t i = 0; i < n; i++) {
        tokd__sha256_update(&h, given[i].data, given[i].len);
        s->corpus_bytes += clean[i].len;
    }
    tokd__sha256_final(&h, d);
    for (int i = 0; i < 32; i++)
        snprintf(s->corpus_sha256 + 2 * i, 3, "%02x", d[i]);
}

unsigned tokd__train_threads(unsigned asked)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return asked ? asked : cores > 0 ? (unsigned)cores : 1u;
}

static int keep_options(tokd_trained *t, const tokd_train_options *o)
{
    t->opt = *o;
    t->opt.special_tokens = NULL;
    t->pattern = strdup(o->pattern);
    t->specials = calloc(o->n_special_tokens ? o->n_special_tokens : 1, sizeof *t->specials);
    if (!t->pattern || !t->specials)
        return TOKD_ENOMEM;
    for (size_t i = 0; i < o->n_special_tokens; i++)
        if (!(t->specials[i] = strdup(o->special_tokens[i])))
            return TOKD_ENOMEM;
    return 0;
}

/* The merge phase on counted pieces, and the stats it gives. */
static int train_on(tokd_trained *t, const tokd__pieces *pieces, tokd_train_progress *pg, tokd_error *err)
{
    t->stats.pieces = (uint64_t)pieces->total;
    for (size_t i = 0; i < pieces->n; i++)
        t->stats.unique_pieces += pieces->e[i].count > 0;
    tokd__merge_limits lim = {t->opt.vocab_size - (uint32_t)t->opt.n_special_tokens,
                              t->opt.min_frequency ? t->opt.min_frequency : 2, t->opt.max_token_bytes,
                              t->opt.min_piece_count > INT64_MAX ? INT64_MAX : (int64_t)t->opt.min_piece_count};
    int rc = tokd__merge(pieces, &lim, pg, &t->v, err);
    if (rc == 0) {
        t->stats.tokens = t->v.tokens;
        t->stats.merges = t->v.n_merges;
        t->stats.n_vocab = t->v.n + (uint32_t)t->opt.n_special_tokens;
    }
    return rc;
}

static int run(tokd_trained *t, const tokd_train_text *texts, size_t n, tokd_train_progress *pg, tokd_error *err)
{
    tokd__pretok pt;
    tokd__pieces pieces = {0};
    int rc = tokd__pretok_init(&pt, t->pattern, 1, err);
    if (rc != 0)
        return rc;
    if (pg) {
        atomic_store(&pg->bytes_total, (size_t)t->stats.corpus_bytes);
        atomic_store(&pg->phase, TOKD_TRAIN_COUNTING);
    }
    rc = tokd__count_pieces(&pt, texts, n, tokd__train_threads(t->opt.threads), t->opt.chunk_bytes, pg, &pieces, err);
    tokd__pretok_release(&pt);
    if (rc == 0)
        rc = train_on(t, &pieces, pg, err);
    tokd__pieces_release(&pieces);
    return rc;
}

static int finished(tokd_trained *t, int rc, tokd_train_progress *pg, tokd_trained **out)
{
    if (rc != 0) {
        tokd_trained_free(t);
        return rc;
    }
    if (pg)
        atomic_store(&pg->phase, TOKD_TRAIN_DONE);
    *out = t;
    return 0;
}

int tokd_train(const tokd_train_options *o, const tokd_train_text *texts, size_t n, tokd_train_progress *pg,
               tokd_trained **out, tokd_error *err)
{
    int rc = tokd_train_check(o, err);
    if (rc != 0)
        return rc;
    tokd_trained *t = calloc(1, sizeof *t);
    tokd_train_text *clean = NULL;
    tokd_bytes *copies = NULL;
    if (!t || (rc = keep_options(t, o)) != 0 || (rc = sanitized(texts, n, &clean, &copies)) != 0)
        rc = tokd_error_set(err, TOKD_ENOMEM, "out of memory preparing the corpus");
    if (rc == 0) {
        corpus_facts(texts, clean, n, &t->stats);
        rc = run(t, clean, n, pg, err);
    }
    free_sanitized(clean, copies, n);
    return finished(t, rc, pg, out);
}

/* The counts' corpus hash (tokd_train's, when they count one whole corpus
 * read in order) or else the SHA-256 of their counts file. */
static int counts_hash(const tokd_counts *c, char hex[65])
{
    uint8_t d[32];
    tokd__sha256 h = c->corpus_sha;
    if (c->corpus_hash == TOKD__HASH_WHOLE) {
        tokd__sha256_final(&h, d);
        for (int i = 0; i < 32; i++)
            snprintf(hex + 2 * i, 3, "%02x", d[i]);
        return 0;
    }
    tokd_bytes b = {0};
    int rc = tokd__counts_encode(c, &b);
    if (rc == 0)
        tokd__sha256_hex(b.data, b.len, hex);
    tokd_bytes_release(&b);
    return rc;
}

static int check_counts(const tokd_train_options *o, const tokd_counts *c, tokd_error *err)
{
    if (o->pattern && strcmp(o->pattern, c->pattern) != 0)
        return tokd_error_set(err, TOKD_EINVAL, "the counts were made with another pattern (%.64s) than the one asked for",
                              c->pattern_name[0] ? c->pattern_name : "a custom regex");
    for (size_t i = 0; i < c->table.n; i++)
        if (c->table.e[i].count < 0)
            return tokd_error_set(err, TOKD_EINVAL,
                                  "the piece \"%.*s\" has a negative count (%lld): the parts of a text were not all "
                                  "added, or one was added twice",
                                  (int)(c->table.e[i].len < 40 ? c->table.e[i].len : 40),
                                  (const char *)c->table.e[i].p, (long long)c->table.e[i].count);
    return 0;
}

int tokd_train_counts(const tokd_train_options *o, const tokd_counts *c, tokd_train_progress *pg,
                      tokd_trained **out, tokd_error *err)
{
    tokd_train_options with = *o;
    with.pattern = c->pattern;
    int rc = check_counts(o, c, err);
    if (rc == 0)
        rc = tokd_train_check(&with, err);
    if (rc != 0)
        return rc;
    tokd_trained *t = calloc(1, sizeof *t);
    if (!t || (rc = keep_options(t, &with)) != 0 || (rc = counts_hash(c, t->stats.corpus_sha256)) != 0)
        rc = tokd_error_set(err, TOKD_ENOMEM, "out of memory preparing the counts");
    if (rc == 0) {
        t->stats.corpus_bytes = c->bytes;
        rc = train_on(t, &c->table, pg, err);
    }
    return finished(t, rc, pg, out);
}

void tokd_trained_free(tokd_trained *t)
{
    if (!t)
        return;
    tokd__vocab_release(&t->v);
    for (size_t i = 0; t->specials && i < t->opt.n_special_tokens; i++)
        free(t->specials[i]);
    free(t->specials);
    free(t->pattern);
    free(t);
}

void tokd_trained_stats(const tokd_trained *t, tokd_train_stats *s)
{
    *s = t->stats;
}

void tokd_trained_merge(const tokd_trained *t, uint32_t i, uint32_t *left, uint32_t *right, uint32_t *id)
{
    const uint32_t *m = &t->v.merges[(size_t)i * 3];
    *left = m[0], *right = m[1], *id = m[2];
}
