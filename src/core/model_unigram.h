/* model_unigram.h - the Unigram model behind model.h (internal).
 *
 * A piece is cut into vocabulary pieces by Viterbi over their scores (log
 * probabilities): the segmentation whose scores sum highest, ties going to
 * the candidate found first (from the earliest start, then the shortest
 * piece), exactly as Hugging Face's and sentencepiece's optimized encoders
 * do. A character no piece starts with is unknown, scored min_score - 10.
 * The two references differ in small ways, chosen by `sentencepiece`:
 * - Hugging Face: scores in double; every piece can be matched; min_score
 *   over all pieces; unknowns fused only with fuse_unk; byte fallback only
 *   when every byte of the unknown text has a <0xXX> piece.
 * - sentencepiece: scores in float; user-defined pieces score
 *   length * max_score - 0.1 (so they always win); unused pieces and
 *   control / unknown / byte pieces are never matched in text; min and max
 *   over normal pieces; runs of unknowns always fused; byte fallback always
 *   (a missing byte piece is unk).
 *
 * Ownership: the model borrows the vocabulary (which outlives it) and
 * copies scores and kinds. Thread-safety: immutable; encode is reentrant. */
#ifndef TOKD_MODEL_UNIGRAM_H
#define TOKD_MODEL_UNIGRAM_H

#include "model.h"
#include "vocab.h"

/* What a piece is (sentencepiece's piece types; Hugging Face's are normal). */
enum tokd__piece_kind {
    TOKD__PIECE_NORMAL,
    TOKD__PIECE_USER,   /* user-defined: matched in text, always preferred */
    TOKD__PIECE_UNUSED, /* in the vocabulary, never produced */
    TOKD__PIECE_CONTROL, /* this and the rest are never matched in text: <s>, </s> */
    TOKD__PIECE_UNKNOWN,
    TOKD__PIECE_BYTE    /* <0xXX> */
};

typedef struct tokd__unigram_options {
    long unk_id;               /* -1: none (unknown text fails the call) */
    int fuse_unk;              /* consecutive unknown characters are one token */
    int byte_fallback;         /* unknown text as its bytes' pieces */
    uint32_t fallback_id[256]; /* <0xXX> pieces, TOKD__NO_RANK where missing */
    int sentencepiece;         /* sentencepiece's rules, as above */
} tokd__unigram_options;

/* Unknown text p[a..b) to the sink: its bytes' pieces when byte fallback
 * has every one of them (else unk), each covering [a, b); `map`, for
 * Hugging Face, turns fused unknowns that are a piece into that piece.
 * Shared with sentencepiece's BPE (spm_model_bpe.c). */
int tokd__unigram_emit_unknown(const tokd__unigram_options *o, const tokd__rankmap *map, const uint8_t *p, size_t a,
                               size_t b, tokd__sink *k);

/* A Unigram model over `vocab` (borrowed; id i is piece i, for every i <
 * n_ranks) with score[i] and kind[i] (both copied; kind NULL: all normal).
 * TOKD_EFORMAT (err says why) when the vocabulary is empty. */
int tokd__model_unigram(const tokd__vocab *vocab, const double *score, const uint8_t *kind,
                        const tokd__unigram_options *o, tokd__model *out, tokd_error *err);

#endif
