/* pipeline.h - the inside of a tokd_tokenizer: one pipeline of components
 * (internal).
 *
 *   text --> added tokens split the text (added.h, the call's policy)
 *        --> normalizers[]    (normalizer.h; alignment kept for offsets)
 *        --> normalized added tokens split each segment
 *        --> pre-tokenizers[] (pretokenizer.h; the last one streams)
 *        --> model            (model.h: one piece in, tokens to the sink)
 *        --> post-processor   (template ids around the sequence; post.h trims offsets)
 *        --> sink             (sink.h: ids, count only, or ids + offsets)
 *   ids  --> vocabulary / added-token bytes --> decoders[] (decoder.h)
 *
 * Every tokenizer is this struct, whatever file it came from: a built-in
 * tiktoken encoding is a regex pre-tokenizer (its fast scanner) and a
 * rank-BPE model; a tokenizer.json is whatever its file lists. Loaders only
 * fill it (tokd__tokenizer_alloc, set the parts, tokd__tokenizer_finish);
 * the driver (tokenizer.c) runs it without asking what kind it is.
 *
 * Invariants once finished: nothing changes until the last unref; n_vocab
 * is the highest id + 1. Ownership: the tokenizer owns every component set
 * in it and one reference to its vocabulary. The component arrays grow
 * geometrically (cap_* >= n_*). Thread-safety: immutable. */
#ifndef TOKD_PIPELINE_H
#define TOKD_PIPELINE_H

#include <stdatomic.h>

#include "added.h"
#include "decoder.h"
#include "model.h"
#include "normalizer.h"
#include "pretokenizer.h"
#include "vocab.h"

struct tokd_tokenizer {
    atomic_uint refs;
    char *name;
    const char *kind; /* "tiktoken", "huggingface" or "sentencepiece", static: reported only */
    char *pattern;    /* the pre-tokenizer regex, reported only ("" if none) */
    tokd__vocab *vocab;
    tokd__normalizer *norms;
    size_t n_norms, cap_norms;
    tokd__pretokenizer *pres;
    size_t n_pres, cap_pres;
    tokd__model model;
    tokd__added added;
    uint32_t *prefix, *suffix; /* post-processor: template ids around the sequence */
    size_t n_prefix, n_suffix;
    int trim_offsets;          /* post-processor: offsets trimmed of spaces (post.h) */
    int trim_add_prefix_space; /* ... keeping a first token's one space */
    int byte_level;            /* vocabulary tokens are GPT-2's alphabet decoded to bytes */
    tokd__decoder *decoders;
    size_t n_decoders, cap_decoders;
    uint32_t n_vocab;
};

/* A new empty pipeline called `name` (copied), or NULL. */
tokd_tokenizer *tokd__tokenizer_alloc(const char *name, const char *kind);

/* Append a component (taken over: released on failure too). */
int tokd__tokenizer_add_normalizer(tokd_tokenizer *t, tokd__normalizer x);
int tokd__tokenizer_add_pretokenizer(tokd_tokenizer *t, tokd__pretokenizer x);
int tokd__tokenizer_add_decoder(tokd_tokenizer *t, tokd__decoder x);

/* Release every decoder. */
void tokd__tokenizer_drop_decoders(tokd_tokenizer *t);

/* Set the reported pattern (copied). */
int tokd__tokenizer_set_pattern(tokd_tokenizer *t, const char *pattern);

/* Index the added tokens and compute n_vocab once every part is set. */
int tokd__tokenizer_finish(tokd_tokenizer *t);

#endif
