/* model_wordpiece.h - WordPiece (BERT) behind model.h (internal).
 *
 * Greedy longest-match-first, as Hugging Face's WordPiece::tokenize: from
 * the start of the piece, the longest prefix that is a token (spelled with
 * continuing_subword_prefix after the first), then again from its end; a
 * piece longer than max_input_chars_per_word characters, or with a place
 * where no token starts, is one unk covering the whole piece.
 *
 * Ownership: borrows the tokenizer's vocabulary, which outlives it.
 * Thread-safety: immutable. */
#ifndef TOKD_MODEL_WORDPIECE_H
#define TOKD_MODEL_WORDPIECE_H

#include "model.h"
#include "vocab.h"

typedef struct tokd__wordpiece_options {
    tokd__affix prefix;    /* continuing_subword_prefix */
    long unk_id;           /* -1: the vocabulary lacks unk_token (encodes needing it fail) */
    size_t max_chars;      /* max_input_chars_per_word */
    int byte_level;        /* characters are bytes (GPT-2's alphabet decoded) */
} tokd__wordpiece_options;

/* A WordPiece model over `vocab` (borrowed); takes o's prefix over (the
 * caller's zeroed, also on failure). */
int tokd__model_wordpiece(const tokd__vocab *vocab, tokd__wordpiece_options *o, tokd__model *out);

#endif
