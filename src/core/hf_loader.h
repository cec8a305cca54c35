/* hf_loader.h - the parts of the tokenizer.json loader (internal).
 *
 * hf_load.c reads the file and walks its top-level members in order; each
 * member is built by its own module into the pipeline being loaded:
 * hf_normalizers.c, hf_pretokenizers.c, hf_model.c (vocabulary, model),
 * hf_added.c (added tokens), hf_post.c (post-processor), hf_decoders.c.
 * A component tokd has no implementation for is refused with
 * TOKD_EUNSUPPORTED naming its JSON path, never approximated.
 *
 * Ownership: the loader owns `t` until the load succeeds and `scratch`
 * always; json_t nodes are borrowed from the parsed file. */
#ifndef TOKD_HF_LOADER_H
#define TOKD_HF_LOADER_H

#include <jansson.h>

#include "buf.h"
#include "pipeline.h"
#include "rankmap.h"

typedef struct tokd__hf_loader {
    const char *path;
    tokd_error *err;
    tokd_tokenizer *t;
    int byte_level;     /* vocabulary in GPT-2's byte alphabet */
    int dec_byte_level; /* a ByteLevel decoder: tokens decode to their bytes */
    tokd_bytes scratch; /* a token's bytes while it is looked up; grows with the longest string of the file */
} tokd__hf_loader;

/* TOKD_EUNSUPPORTED / TOKD_EFORMAT naming the file and JSON path `where`. */
int tokd__hf_unsupported(tokd__hf_loader *l, const char *where, const char *what);
int tokd__hf_malformed(tokd__hf_loader *l, const char *where, const char *what);
/* A node's "type" string, "" if none (borrowed). */
const char *tokd__hf_type(json_t *o);
/* 1 if o[key] is true. */
int tokd__hf_flag(json_t *o, const char *key);
/* Report `pattern` as the tokenizer's regex unless one came first. */
int tokd__hf_first_pattern(tokd__hf_loader *l, const char *pattern);

/* One pipeline node (a Sequence's members are walked by the driver) into
 * the tokenizer being built. */
int tokd__hf_normalizer(tokd__hf_loader *l, json_t *node);
int tokd__hf_pretokenizer(tokd__hf_loader *l, json_t *node);
int tokd__hf_post_processor(tokd__hf_loader *l, json_t *node);
int tokd__hf_decoder(tokd__hf_loader *l, json_t *node);

/* Build one normalizer step from its tokenizer.json node (a row of the
 * table in hf_normalizers.c): 0 with *out set (the caller owns it), or an
 * error naming the node. */
typedef int (*tokd__hf_normalizer_builder)(tokd__hf_loader *l, json_t *node, tokd__normalizer *out);
/* The "model" member: vocabulary and model (needs the pre-tokenizers set). */
int tokd__hf_model(tokd__hf_loader *l, json_t *model, const char *sha256);
/* A Unigram model and a Precompiled normalizer (hf_unigram.c). */
int tokd__hf_unigram(tokd__hf_loader *l, json_t *model, const char *sha256);
int tokd__hf_precompiled(tokd__hf_loader *l, json_t *node, tokd__normalizer *out);
/* The "added_tokens" member (needs the model and normalizers set). */
int tokd__hf_added_tokens(tokd__hf_loader *l, json_t *added);

/* *id = the id of vocabulary string s[0..len), or TOKD__NO_RANK; returns 0
 * or TOKD_ENOMEM. */
int tokd__hf_vocab_id(tokd__hf_loader *l, const tokd__rankmap *map, const char *s, size_t len, uint32_t *id);

#endif
