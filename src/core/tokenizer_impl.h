/* tokenizer_impl.h - the inside of a tokd_tokenizer (internal).
 *
 * Invariants once loaded: nothing below changes until the last unref;
 * every byte 0..255 has a rank (byte-level BPE); special ids do not collide
 * with ranks that have bytes; n_vocab is the highest id + 1. */
#ifndef TOKD_TOKENIZER_IMPL_H
#define TOKD_TOKENIZER_IMPL_H

#include <stdatomic.h>

#include "bpe.h"
#include "pretok.h"
#include "rankmap.h"
#include "specials.h"
#include "tokd/tokenizer.h"

/* A parsed ranks file, shared by the encodings built on it (gpt2 and
 * r50k_base, p50k_base and p50k_edit, o200k_base and o200k_harmony). */
typedef struct tokd__ranks {
    atomic_uint refs;
    char sha256[65];
    tokd__rankmap map;
} tokd__ranks;

/* A new reference to `r`; tokd__ranks_unref frees the last one. */
tokd__ranks *tokd__ranks_ref(tokd__ranks *r);
void tokd__ranks_unref(tokd__ranks *r);

struct tokd_tokenizer {
    atomic_uint refs;
    char *name;
    tokd__ranks *ranks; /* one reference */
    tokd__bpe_model model; /* points into ranks */
    tokd__pretok pretok;
    tokd__specials specials;
    struct tokd__hf *hf; /* a tokenizer.json pipeline, or NULL for tiktoken */
    uint32_t *special_ids_sorted; /* indexes into specials.items, by id */
    uint32_t n_vocab;
};

/* Build a tokenizer from parsed parts; takes over one reference to `ranks`
 * and ownership of `specials` (both released on failure too). */
int tokd__tokenizer_new(const char *name, tokd__ranks *ranks,
                        const char *pattern, tokd__special *specials, size_t n_specials,
                        tokd_tokenizer **out, tokd_error *err);

/* The same for a tokenizer.json pipeline (takes ownership of `hf`); `pattern`
 * is only reported. */
int tokd__tokenizer_new_hf(const char *name, tokd__ranks *ranks, const char *pattern, tokd__special *specials,
                           size_t n_specials, struct tokd__hf *hf, tokd_tokenizer **out, tokd_error *err);

#endif
