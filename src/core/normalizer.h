/* normalizer.h - the normalizer steps of the pipeline (internal).
 *
 * A normalizer rewrites a text (ntext.h) into a new one, keeping the
 * alignment to the caller's bytes when the call tracks it. A tokenizer runs
 * its normalizers in order; each is one implementation of this interface
 * (normalizers.c: Prepend, Replace, NFC), so NFKC, Lowercase, Precompiled
 * and the rest plug in as further implementations.
 *
 * Ownership: the tokenizer owns its normalizers (`free` releases `self`).
 * Thread-safety: apply is reentrant; `self` is immutable. */
#ifndef TOKD_NORMALIZER_H
#define TOKD_NORMALIZER_H

#include "ntext.h"

typedef struct tokd__normalizer_ops {
    const char *name;
    /* Replace *t (valid UTF-8) by its normalized form. 0 or TOKD_ENOMEM. */
    int (*apply)(const void *self, tokd__ntext *t);
    void (*free)(void *self);
} tokd__normalizer_ops;

typedef struct tokd__normalizer {
    const tokd__normalizer_ops *ops;
    void *self;
} tokd__normalizer;

/* Hugging Face's Prepend: `text` before a non-empty text. */
int tokd__normalizer_prepend(const char *text, tokd__normalizer *out);
/* Replace every `from` (non-empty) by `to`. */
int tokd__normalizer_replace(const char *from, const char *to, tokd__normalizer *out);
/* Unicode NFC. */
int tokd__normalizer_nfc(tokd__normalizer *out);

/* Run n normalizers over *t in order. */
int tokd__normalize(const tokd__normalizer *v, size_t n, tokd__ntext *t);

#endif
