/* model_wordlevel.h - WordLevel behind model.h (internal): a piece that
 * is a token is that token, any other piece is unk (Hugging Face's
 * WordLevel::tokenize).
 *
 * Ownership: borrows the tokenizer's vocabulary, which outlives it.
 * Thread-safety: immutable. */
#ifndef TOKD_MODEL_WORDLEVEL_H
#define TOKD_MODEL_WORDLEVEL_H

#include "model.h"
#include "vocab.h"

/* A WordLevel model over `vocab` (borrowed); unk_id -1 when the vocabulary
 * lacks unk_token (encodes needing it fail). */
int tokd__model_wordlevel(const tokd__vocab *vocab, long unk_id, tokd__model *out);

#endif
