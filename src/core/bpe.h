/* bpe.h - byte-pair merging of one pre-tokenized piece (internal).
 *
 * Two rankings, one algorithm: repeatedly merge the adjacent pair of lowest
 * rank, the leftmost on ties, until no adjacent pair can merge.
 * - tiktoken: a pair's rank is the rank of its concatenated bytes, and the
 *   merged token is that rank (tiktoken's _byte_pair_merge).
 * - Hugging Face: a pair's rank is its place in the merge list, which also
 *   names the merged token (tokenizers' BPE word merging).
 *
 * Thread-safety: reentrant; uses only the caller's stack and heap. */
#ifndef TOKD_BPE_H
#define TOKD_BPE_H

#include "pairmap.h"
#include "rankmap.h"
#include "sink.h"

typedef struct tokd__bpe_model {
    const tokd__rankmap *ranks;  /* bytes -> token (rank or id) */
    const tokd__pairmap *merges; /* merge list; NULL for tiktoken ranking */
    int whole_first;             /* a piece that is a token is that token (tiktoken; ignore_merges) */
    int split_words;             /* merge words apart: tokd__bpe_words_apart() said so */
} tokd__bpe_model;

/* Whether a merge-list model may merge each '▁'-word of a piece on its own
 * (sentencepiece-style vocabularies with no pre-tokenizer, where a whole
 * text is one piece): 1 when "▁" is a token, pieces are not looked up
 * whole first, every merge makes the concatenation of its two tokens, and
 * no merge joins a token not ending in "▁" to one starting with it. Then no
 * token can cross a point between such a pair of symbols, and merging the
 * words separately (lowest rank first within each) gives the same tokens
 * as merging the piece. Cost: one pass over the merge list. */
int tokd__bpe_words_apart(const tokd__bpe_model *m);

/* Encode the piece p[0..n) (n >= 1) starting from one symbol per byte, each
 * byte's own token, into the sink (each token with the piece bytes it
 * covers). Returns 0 or TOKD_ENOMEM. */
int tokd__bpe_piece(const tokd__bpe_model *m, const uint8_t *p, size_t n, tokd__sink *k);

/* The same from given initial symbols: symbol i covers
 * p[start[i] .. start[i + 1]) (start[n_sym] == n) and is token tok[i]. */
int tokd__bpe_symbols(const tokd__bpe_model *m, const uint8_t *p, size_t n, const uint32_t *start,
                      const uint32_t *tok, size_t n_sym, tokd__sink *k);

#endif
