/* vocab.h - a tokenizer's vocabulary: token bytes <-> id, shared (internal).
 *
 * Every loader builds its table the same way: it collects (bytes, id)
 * entries and hands them to tokd__vocab_new, which indexes them and records
 * the SHA-256 of the file they came from. Encodings built on the same file
 * share one vocabulary (gpt2 and r50k_base, p50k_base and p50k_edit,
 * o200k_base and o200k_harmony).
 *
 * Ownership: reference counted; tokd__vocab_unref frees the last one.
 * Thread-safety: immutable after tokd__vocab_new; refs are atomic. */
#ifndef TOKD_VOCAB_H
#define TOKD_VOCAB_H

#include <stdatomic.h>

#include "rankmap.h"
#include "tokd/error.h"

typedef struct tokd__vocab {
    atomic_uint refs;
    char sha256[65];
    tokd__rankmap map;
} tokd__vocab;

/* A new vocabulary of the n entries (copied; the caller keeps `e`) from a
 * file whose hex SHA-256 is `sha256`; *out holds one reference. */
int tokd__vocab_new(const tokd__rank_entry *e, size_t n, const char *sha256, tokd__vocab **out, tokd_error *err);

/* A new reference to `v`. */
tokd__vocab *tokd__vocab_ref(tokd__vocab *v);
void tokd__vocab_unref(tokd__vocab *v);

#endif
