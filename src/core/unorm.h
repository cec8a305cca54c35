/* unorm.h - Unicode normalization as Hugging Face tokenizers does it
 * (internal): NFC, NFD, NFKC, NFKD, lower case and the code-point sets of
 * StripAccents and BertNormalizer.
 *
 * The data (norm_tables.c) is the reference's own, read back from it by
 * tests/gen/gen_norm_tables.cjs: its normalization data is Unicode 9.0's
 * (README), its lower case that of Rust's char::to_lowercase.
 *
 * The forms come out as Hugging Face's (character, change) pairs
 * (ntext.h: tokd__nchar), so normalizers.c aligns them to the original text
 * exactly as the reference does: a decomposition's first character stands
 * for its source and the rest are inserted; reordered marks keep their
 * change; a composite adds its parts' changes less one.
 *
 * Thread-safety: pure functions over constant tables. */
#ifndef TOKD_UNORM_H
#define TOKD_UNORM_H

#include <stddef.h>
#include <stdint.h>

#include "ntext.h"

typedef struct tokd__un_map {
    uint32_t cp;
    uint32_t offset, len; /* into tokd__un_pool */
} tokd__un_map;

typedef struct tokd__un_class {
    uint32_t cp;
    uint8_t ccc; /* rank of the combining class: only the order is Unicode's */
} tokd__un_class;

typedef struct tokd__un_comp {
    uint64_t pair; /* first << 21 | second */
    uint32_t cp;
} tokd__un_comp;

typedef struct tokd__un_range {
    uint32_t first, last;
} tokd__un_range;

extern const uint32_t tokd__un_pool[];
extern const tokd__un_map tokd__un_canonical[], tokd__un_compat[], tokd__un_lower[];
extern const size_t tokd__un_n_canonical, tokd__un_n_compat, tokd__un_n_lower;
extern const tokd__un_class tokd__un_classes[];
extern const size_t tokd__un_n_classes;
extern const tokd__un_comp tokd__un_comps[];
extern const size_t tokd__un_n_comps;
/* StripAccents' marks; BertNormalizer's removed and space characters
 * (clean_text), CJK ideographs (handle_chinese_chars), marks (strip_accents);
 * the Punctuation and BertPreTokenizer pre-tokenizers' punctuation; the
 * Whitespace pre-tokenizer's word characters */
extern const tokd__un_range tokd__un_accents[], tokd__un_bert_removed[], tokd__un_bert_spaces[],
    tokd__un_bert_chinese[], tokd__un_bert_marks[], tokd__un_punctuation[], tokd__un_words[];
extern const size_t tokd__un_n_accents, tokd__un_n_bert_removed, tokd__un_n_bert_spaces, tokd__un_n_bert_chinese,
    tokd__un_n_bert_marks, tokd__un_n_punctuation, tokd__un_n_words;

enum tokd__unorm_form { TOKD__NFC, TOKD__NFD, TOKD__NFKC, TOKD__NFKD };

/* Append the `form` of the valid UTF-8 s[0..n) to out. 0 or TOKD_ENOMEM. */
int tokd__unorm(enum tokd__unorm_form form, const uint8_t *s, size_t n, tokd__nchars *out);

/* 1 if s[0..n) is already in `form` as far as a quick check can tell
 * (ASCII always is). */
int tokd__unorm_quick(enum tokd__unorm_form form, const uint8_t *s, size_t n);

/* The lower case of cp (len code points), or NULL when it is cp itself. */
const uint32_t *tokd__un_lowercase(uint32_t cp, size_t *len);

/* 1 if cp is in the sorted ranges r[0..n). */
int tokd__un_in(const tokd__un_range *r, size_t n, uint32_t cp);

#endif
