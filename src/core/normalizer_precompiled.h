/* normalizer_precompiled.h - Hugging Face's Precompiled normalizer
 * (normalizer_precompiled.c), a sentencepiece character map applied one
 * grapheme cluster at a time (internal).
 *
 * Ownership: the normalizer owns its copy of the map. Thread-safety: as
 * normalizer.h. */
#ifndef TOKD_NORMALIZER_PRECOMPILED_H
#define TOKD_NORMALIZER_PRECOMPILED_H

#include "normalizer.h"

/* The map in blob[0..n) (copied); `what` names it in errors (TOKD_EFORMAT). */
int tokd__normalizer_precompiled(const uint8_t *blob, size_t n, const char *what, tokd__normalizer *out,
                                 tokd_error *err);

#endif
