/* tokenizer_impl.h - the inside of a tokd_tokenizer (internal).
 *
 * Invariants once loaded: nothing below changes until the last unref;
 * every byte 0..255 has a rank (byte-level BPE); special ids do not collide
 * with ranks that have bytes; n_vocab is the highest id + 1. */
#ifndef TOKD_TOKENIZER_IMPL_H
#define TOKD_TOKENIZER_IMPL_H

#include <stdatomic.h>

#include "pretok.h"
#include "rankmap.h"
#include "specials.h"
#include "tokd/tokenizer.h"

struct tokd_tokenizer {
    atomic_uint refs;
    char *name;
    char sha256[65];
    tokd__rankmap ranks;
    tokd__pretok pretok;
    tokd__specials specials;
    uint32_t *special_ids_sorted; /* indexes into specials.items, by id */
    uint32_t n_vocab;
};

/* Build a tokenizer from parsed parts; takes ownership of `ranks` and of
 * `specials` (both released on failure too). */
int tokd__tokenizer_new(const char *name, const char *sha256, tokd__rankmap *ranks,
                        const char *pattern, tokd__special *specials, size_t n_specials,
                        tokd_tokenizer **out, tokd_error *err);

#endif
