/* model_bpe.h - the two BPE models behind model.h (internal).
 *
 * - rank-BPE (tiktoken, GPT-2 files): a piece starts as one symbol per byte
 *   and a pair's rank is the rank of its bytes; a piece that is a token is
 *   that token.
 * - merge-list BPE (tokenizer.json): ranks come from the merge list; the
 *   initial symbols are bytes for byte-level vocabularies, else characters,
 *   with byte_fallback (<0xXX> per byte) or unk (fused if fuse_unk) for
 *   characters outside the vocabulary; ignore_merges looks the whole piece
 *   up first.
 *
 * Ownership: a model borrows the tokenizer's vocabulary, which outlives it;
 * the merge-list model owns its merges. Thread-safety: immutable. */
#ifndef TOKD_MODEL_BPE_H
#define TOKD_MODEL_BPE_H

#include "model.h"
#include "pairmap.h"
#include "vocab.h"

/* A rank-BPE model over `vocab` (borrowed). */
int tokd__model_rank_bpe(const tokd__vocab *vocab, tokd__model *out);

/* What a tokenizer.json BPE model says, for tokd__model_merge_bpe. */
typedef struct tokd__merge_bpe_options {
    int byte_level;            /* vocabulary in GPT-2's byte alphabet: symbols are bytes */
    int ignore_merges;         /* a piece that is a token is that token */
    int byte_fallback;         /* fallback_id holds a token for every byte */
    uint32_t fallback_id[256]; /* <0xXX> tokens */
    long unk_id;               /* -1: none */
    int fuse_unk;
} tokd__merge_bpe_options;

/* A merge-list BPE model over `vocab` (borrowed); takes `merges` over (its
 * struct is copied and the caller's zeroed, also on failure). */
int tokd__model_merge_bpe(const tokd__vocab *vocab, tokd__pairmap *merges, const tokd__merge_bpe_options *o,
                          tokd__model *out);

#endif
