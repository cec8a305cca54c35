/* model.h - the model step of the pipeline: one pre-tokenized piece in,
 * tokens out (internal).
 *
 * One interface, several implementations chosen by the loader (curl's
 * Curl_handler is the pattern): rank-BPE for tiktoken encodings and
 * merge-list BPE for tokenizer.json (model_bpe.c); WordPiece, WordLevel,
 * Unigram or sentencepiece BPE plug in as further implementations without
 * touching the driver. A model reports each token with the bytes of the
 * piece it covers, to the call's sink (sink.h); the driver calls it once
 * per piece, never per byte.
 *
 * Ownership: the tokenizer owns its model (`free` releases `self`).
 * Thread-safety: encode is reentrant; `self` is immutable after loading. */
#ifndef TOKD_MODEL_H
#define TOKD_MODEL_H

#include "sink.h"

/* A continuing_subword_prefix or end_of_word_suffix: its bytes (NULL when
 * empty; owned by the options that hold it, and by the model they are
 * given to). */
typedef struct tokd__affix {
    uint8_t *s;
    size_t n;
} tokd__affix;

typedef struct tokd__model_ops {
    const char *name;
    /* Encode the piece p[0..n) (n >= 1). 0, TOKD_ENOMEM, or TOKD_EUNSUPPORTED
     * for a character the model cannot spell (no unk, no byte fallback).
     * The tokens depend on p[0..n) alone: the driver replays a piece seen
     * before from its cache (piece_cache.h). */
    int (*encode)(const void *self, const uint8_t *p, size_t n, tokd__sink *sink);
    void (*free)(void *self);
} tokd__model_ops;

typedef struct tokd__model {
    const tokd__model_ops *ops;
    void *self;
} tokd__model;

#endif
