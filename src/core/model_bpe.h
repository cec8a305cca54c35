/* model_bpe.h - the two BPE models behind model.h (internal).
 *
 * - rank-BPE (tiktoken, GPT-2 files): a piece starts as one symbol per byte
 *   and a pair's rank is the rank of its bytes; a piece that is a token is
 *   that token.
 * - merge-list BPE (tokenizer.json): ranks come from the merge list; the
 *   initial symbols are bytes for byte-level vocabularies, else characters,
 *   looked up with continuing_subword_prefix (all but the first) and
 *   end_of_word_suffix (the last), as Hugging Face's merge_word does; one
 *   outside the vocabulary becomes its <0xXX> tokens (byte_fallback, when
 *   the vocabulary has all of them), else unk (fused if fuse_unk), else
 *   nothing; ignore_merges looks the whole piece up first.
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
    int byte_fallback;         /* fall back to fallback_id where the vocabulary has them */
    uint32_t fallback_id[256]; /* <0xXX> tokens, TOKD__NO_RANK where the vocabulary lacks one */
    long unk_id;               /* -1: none; TOKD__UNK_MISSING: named but not in the vocabulary */
    int fuse_unk;
    tokd__affix prefix, suffix;
} tokd__merge_bpe_options;

/* Free o's affixes. */
void tokd__merge_bpe_options_release(tokd__merge_bpe_options *o);

/* An unk_token the vocabulary lacks: Hugging Face fails the encode that needs it. */
#define TOKD__UNK_MISSING (-2L)

/* A merge-list BPE model over `vocab` (borrowed); takes `merges` and o's
 * affixes over (their structs are copied and the caller's zeroed, also on
 * failure). */
int tokd__model_merge_bpe(const tokd__vocab *vocab, tokd__pairmap *merges, tokd__merge_bpe_options *o,
                          tokd__model *out);

#endif
