/* decoder.h - the decoder chain of the pipeline (internal).
 *
 * Decoding turns ids into their tokens' bytes, then runs the tokenizer's
 * decoders in order over the list of token strings, as Hugging Face's
 * decode_chain does; the result is the strings joined. Implementations
 * (decoders.c): Replace, Metaspace, ByteFallback, Fuse, Strip; an empty
 * chain (tiktoken, byte-level vocabularies) is the bytes as they are.
 *
 * Ownership: the tokenizer owns its decoders. Thread-safety: reentrant. */
#ifndef TOKD_DECODER_H
#define TOKD_DECODER_H

#include "pretokenizer.h"

typedef struct tokd__decoder_ops {
    const char *name;
    /* Replace the token strings (spans over tokens->text) by this step's
     * output. With `raw`, ByteFallback keeps bytes that are not UTF-8 as
     * they are instead of U+FFFD. 0 or TOKD_ENOMEM. */
    int (*decode)(const void *self, tokd__splits *tokens, int raw);
    void (*free)(void *self);
} tokd__decoder_ops;

typedef struct tokd__decoder {
    const tokd__decoder_ops *ops;
    void *self;
} tokd__decoder;

/* Replace `from` by `to` in every token. */
int tokd__decoder_replace(const char *from, const char *to, tokd__decoder *out);
/* Metaspace: `replacement` becomes ' '; with `drop_first`, the first token
 * loses every replacement instead. */
int tokd__decoder_metaspace(const char *replacement, int drop_first, tokd__decoder *out);
/* Runs of <0xXX> tokens become their bytes (U+FFFD per byte when not UTF-8). */
int tokd__decoder_byte_fallback(tokd__decoder *out);
/* All tokens joined into one. */
int tokd__decoder_fuse(tokd__decoder *out);
/* Up to `start` leading spaces removed from each token. */
int tokd__decoder_strip(int start, tokd__decoder *out);

#endif
