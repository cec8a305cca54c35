/* train_result.h - what a training run leaves behind (internal).
 *
 * Ownership: a tokd_trained owns everything it points to.
 * Thread-safety: immutable once tokd_train returns. */
#ifndef TOKD_TRAIN_RESULT_H
#define TOKD_TRAIN_RESULT_H

#include "train_impl.h"

struct tokd_trained {
    tokd__vocab v;
    tokd_train_options opt; /* special_tokens is NULL: see specials */
    char *pattern;
    char **specials;
    tokd_train_stats stats;
};

/* The tokenizer as a Hugging Face tokenizer.json (train_hf.c): *out is a
 * new NUL-terminated text (free it). TOKD_ENOMEM. */
int tokd__trained_hf_json(const tokd_trained *t, char **out);

#endif
