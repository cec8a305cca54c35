/* hf_unigram.c - the two components tokenizer.json files inherit from
 * sentencepiece: a "Unigram" model (model_unigram.h) and a "Precompiled"
 * normalizer (normalizer_precompiled.h).
 *
 * Unigram: "vocab" is [[piece, score], ...] (a piece's id is its index),
 * "unk_id" an index or null, "byte_fallback" a flag; Hugging Face always
 * fuses unknowns. Pieces are plain UTF-8 (never byte-level). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hf_loader.h"
#include "model_unigram.h"
#include "normalizer_precompiled.h"

/* vocab[i] = [piece, score]: the piece (borrowed) and score, or -1. */
static int vocab_entry(json_t *e, const char **piece, size_t *len, double *score)
{
    json_t *p = json_array_get(e, 0), *s = json_array_get(e, 1);
    if (!json_is_array(e) || json_array_size(e) != 2 || !json_is_string(p) || !json_is_number(s) ||
        !json_string_length(p))
        return -1;
    *piece = json_string_value(p);
    *len = json_string_length(p);
    *score = json_number_value(s);
    return 0;
}

static int load_pieces(tokd__hf_loader *l, json_t *vocab, const char *sha256, double **scores)
{
    size_t n = json_array_size(vocab), i;
    json_t *e;
    if (!json_is_array(vocab) || n == 0 || n >= UINT32_MAX - 1)
        return tokd__hf_malformed(l, "model.vocab", "must be a non-empty array of [piece, score]");
    tokd__rank_entry *v = calloc(n, sizeof *v);
    *scores = malloc(n * sizeof **scores);
    int rc = v && *scores ? 0 : TOKD_ENOMEM;
    json_array_foreach(vocab, i, e)
    {
        const char *piece = NULL;
        size_t len = 0;
        if (rc != 0)
            break;
        if (vocab_entry(e, &piece, &len, &(*scores)[i]) != 0) {
            char where[48];
            snprintf(where, sizeof where, "model.vocab[%zu]", i);
            rc = tokd__hf_malformed(l, where, "must be [non-empty piece, score]");
        }
        v[i] = (tokd__rank_entry){(const uint8_t *)piece, (uint32_t)len, (uint32_t)i};
    }
    if (rc == 0)
        rc = tokd__vocab_new(v, n, sha256, &l->t->vocab, l->err);
    free(v);
    return rc;
}

static int unigram_options(tokd__hf_loader *l, json_t *model, tokd__unigram_options *o)
{
    json_t *unk = json_object_get(model, "unk_id");
    const tokd__rankmap *map = &l->t->vocab->map;
    *o = (tokd__unigram_options){.unk_id = -1, .fuse_unk = 1, .byte_fallback = tokd__hf_flag(model, "byte_fallback")};
    if (unk && !json_is_null(unk)) {
        if (!json_is_integer(unk) || json_integer_value(unk) < 0 || json_integer_value(unk) >= map->n_ranks)
            return tokd__hf_malformed(l, "model.unk_id", "must be null or the index of a piece in model.vocab");
        o->unk_id = (long)json_integer_value(unk);
    }
    for (int b = 0; b < 256; b++) {
        char name[8];
        snprintf(name, sizeof name, "<0x%02X>", b);
        o->fallback_id[b] = tokd__rankmap_get(map, (const uint8_t *)name, 6);
    }
    return 0;
}

int tokd__hf_unigram(tokd__hf_loader *l, json_t *model, const char *sha256)
{
    double *scores = NULL;
    tokd__unigram_options o;
    int rc = load_pieces(l, json_object_get(model, "vocab"), sha256, &scores);
    if (rc == 0)
        rc = unigram_options(l, model, &o);
    if (rc == 0)
        rc = tokd__model_unigram(l->t->vocab, scores, NULL, &o, &l->t->model, l->err);
    free(scores);
    return rc;
}

int tokd__hf_precompiled(tokd__hf_loader *l, json_t *node, tokd__normalizer *out)
{
    json_t *map = json_object_get(node, "precompiled_charsmap");
    size_t len = json_string_length(map);
    char what[4200];
    if (!json_is_string(map) || len == 0)
        return tokd__hf_malformed(l, "normalizer Precompiled", "needs a non-empty base64 \"precompiled_charsmap\"");
    uint8_t *blob = malloc(len / 4 * 3 + 3);
    if (!blob)
        return TOKD_ENOMEM;
    long n = tokd_base64_decode(json_string_value(map), len, blob);
    snprintf(what, sizeof what, "%s: normalizer Precompiled", l->path);
    int rc = n < 0 ? tokd__hf_malformed(l, "normalizer Precompiled.precompiled_charsmap", "is not base64")
                   : tokd__normalizer_precompiled(blob, (size_t)n, what, out, l->err);
    free(blob);
    return rc;
}
