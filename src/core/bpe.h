/* bpe.h - byte-pair merging of one pre-tokenized piece (internal).
 *
 * Same result as tiktoken's _byte_pair_merge for every piece: repeatedly
 * merge the adjacent pair whose concatenation has the lowest rank, the
 * leftmost such pair on ties, until no adjacent pair is a token.
 *
 * Thread-safety: reentrant; uses only the caller's stack and heap. */
#ifndef TOKD_BPE_H
#define TOKD_BPE_H

#include "rankmap.h"
#include "tokd/tokenizer.h"

/* Encode the piece p[0..n) (n >= 1). With `out` set, append the ranks to it;
 * with `out` NULL, only add their number to *count. Every byte must have a
 * rank (true of byte-level vocabularies). Returns 0 or TOKD_ENOMEM. */
int tokd__bpe_piece(const tokd__rankmap *m, const uint8_t *p, size_t n, tokd_ids *out,
                    size_t *count);

#endif
