/* charsmap.h - sentencepiece's precompiled character map (internal).
 *
 * The map sentencepiece builds for a normalization rule (nmt_nfkc, nfkc,
 * a custom TSV) and stores in a model's normalizer_spec, which Hugging
 * Face copies as base64 into a Precompiled normalizer:
 *
 *   u32 LE trie_size | trie: trie_size / 4 darts-clone units | strings
 *
 * The trie maps a source byte string to the offset, in `strings`, of its
 * NUL-terminated replacement. A key is matched against a prefix of the
 * text: Hugging Face takes the first (shortest) match, sentencepiece's own
 * normalizer the longest. Every unit and offset is bounds-checked, so a
 * corrupt map fails to match rather than read outside itself; parsing
 * refuses maps whose sizes do not add up.
 *
 * Ownership: a charsmap owns a copy of the blob. Thread-safety: immutable. */
#ifndef TOKD_CHARSMAP_H
#define TOKD_CHARSMAP_H

#include <stddef.h>
#include <stdint.h>

#include "tokd/error.h"

typedef struct tokd__charsmap {
    uint32_t *units;
    size_t n_units;
    char *strings; /* NUL-terminated replacements, one more NUL at the end */
    size_t n_strings;
} tokd__charsmap;

/* Parse blob[0..n) (copied) into *m. TOKD_EFORMAT naming the problem
 * (with `what` saying whose map it is) or TOKD_ENOMEM. */
int tokd__charsmap_init(tokd__charsmap *m, const uint8_t *blob, size_t n, const char *what, tokd_error *err);
void tokd__charsmap_release(tokd__charsmap *m);

/* The replacement of the shortest (longest == 0) or longest key that is a
 * prefix of s[0..n): 1 and *key_len, *out (NUL-terminated, borrowed); or 0. */
int tokd__charsmap_match(const tokd__charsmap *m, const uint8_t *s, size_t n, int longest, size_t *key_len,
                         const char **out);

/* 1 if some key begins with s[0..n). */
int tokd__charsmap_starts(const tokd__charsmap *m, const uint8_t *s, size_t n);

#endif
