/* pipeline.c - building, sharing and describing tokenizers (see
 * pipeline.h). */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pipeline.h"

tokd_tokenizer *tokd__tokenizer_alloc(const char *name, const char *kind)
{
    tokd_tokenizer *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    atomic_init(&t->refs, 1);
    t->kind = kind;
    if (!(t->name = strdup(name)) || !(t->pattern = strdup(""))) {
        tokd_tokenizer_unref(t);
        return NULL;
    }
    return t;
}

/* Append `x` (elem bytes) to the array *v of *n elements and *cap slots,
 * growing it geometrically (tokd__reserve); `release` frees x on failure. */
static int append(void **v, size_t *n, size_t *cap, const void *x, size_t elem, void (*release)(void *), void *self)
{
    if (tokd__reserve(v, cap, *n + 1, elem) != 0) {
        if (release)
            release(self);
        return TOKD_ENOMEM;
    }
    memcpy((char *)*v + *n * elem, x, elem);
    (*n)++;
    return 0;
}

int tokd__tokenizer_add_normalizer(tokd_tokenizer *t, tokd__normalizer x)
{
    return append((void **)&t->norms, &t->n_norms, &t->cap_norms, &x, sizeof x, x.ops->free, x.self);
}

int tokd__tokenizer_add_pretokenizer(tokd_tokenizer *t, tokd__pretokenizer x)
{
    return append((void **)&t->pres, &t->n_pres, &t->cap_pres, &x, sizeof x, x.ops->free, x.self);
}

int tokd__tokenizer_add_decoder(tokd_tokenizer *t, tokd__decoder x)
{
    return append((void **)&t->decoders, &t->n_decoders, &t->cap_decoders, &x, sizeof x, x.ops->free, x.self);
}

int tokd__tokenizer_set_pattern(tokd_tokenizer *t, const char *pattern)
{
    char *p = strdup(pattern);
    if (!p)
        return TOKD_ENOMEM;
    free(t->pattern);
    t->pattern = p;
    return 0;
}

int tokd__tokenizer_finish(tokd_tokenizer *t)
{
    int rc = tokd__added_index(&t->added);
    t->n_vocab = tokd__added_max_id(&t->added, t->vocab ? t->vocab->map.n_ranks : 0);
    return rc;
}

void tokd__tokenizer_drop_decoders(tokd_tokenizer *t)
{
    for (size_t i = 0; i < t->n_decoders; i++)
        if (t->decoders[i].ops->free)
            t->decoders[i].ops->free(t->decoders[i].self);
    t->n_decoders = 0;
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
    for (size_t i = 0; i < tok->n_norms; i++)
        if (tok->norms[i].ops->free)
            tok->norms[i].ops->free(tok->norms[i].self);
    for (size_t i = 0; i < tok->n_pres; i++)
        if (tok->pres[i].ops->free)
            tok->pres[i].ops->free(tok->pres[i].self);
    tokd__tokenizer_drop_decoders(tok);
    if (tok->model.ops)
        tok->model.ops->free(tok->model.self);
    free(tok->norms);
    free(tok->pres);
    free(tok->decoders);
    tokd__added_release(&tok->added);
    tokd__vocab_unref(tok->vocab);
    free(tok->prefix);
    free(tok->suffix);
    free(tok->pattern);
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
    return tok->kind;
}

const char *tokd_tokenizer_pattern(const tokd_tokenizer *tok)
{
    return tok->pattern;
}

const char *tokd_tokenizer_sha256(const tokd_tokenizer *tok)
{
    return tok->vocab->sha256;
}

uint32_t tokd_tokenizer_n_vocab(const tokd_tokenizer *tok)
{
    return tok->n_vocab;
}

size_t tokd_tokenizer_n_specials(const tokd_tokenizer *tok)
{
    return tok->added.specials.n;
}

const char *tokd_tokenizer_special(const tokd_tokenizer *tok, size_t i, uint32_t *id)
{
    if (i >= tok->added.specials.n)
        return NULL;
    if (id)
        *id = tok->added.specials.items[i].id;
    return tok->added.specials.items[i].text;
}
