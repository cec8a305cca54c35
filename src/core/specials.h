/* specials.h - a tokenizer's special tokens and finding them in text.
 *
 * Special tokens are found by exact byte match. Candidate positions are the
 * bytes that start some special token (memchr when they all start with the
 * same byte, as "<|" tokens do); at a candidate, each distinct token length
 * is looked up in a hash map, so o200k_harmony's ~1100 reserved tokens cost
 * no more than one. When several tokens match at one position the longest
 * wins.
 *
 * Ownership: the set owns its token texts. Thread-safety: immutable after
 * init. */
#ifndef TOKD_SPECIALS_H
#define TOKD_SPECIALS_H

#include "rankmap.h"
#include "tokd/error.h"

typedef struct tokd__special {
    char *text; /* owned, NUL-terminated */
    uint32_t len;
    uint32_t id;
    /* Hugging Face added-token options (0 for tiktoken) */
    uint8_t lstrip, rstrip, single_word;
    uint8_t normalized; /* matched in normalized text only (tokd__hf.norm) */
} tokd__special;

typedef struct tokd__specials {
    tokd__special *items;
    size_t n;
    tokd__rankmap by_text; /* text -> index into items */
    uint32_t lens[16];     /* distinct lengths, longest first */
    size_t n_lens;
    uint8_t first[256];    /* 1 if some token starts with this byte */
    int single_first;      /* the one first byte, or -1 */
} tokd__specials;

/* Take ownership of `items` (n entries, texts malloc'd) and index them. */
int tokd__specials_init(tokd__specials *ss, tokd__special *items, size_t n, tokd_error *err);
void tokd__specials_release(tokd__specials *ss);

/* Index of the special token named `text`, or -1. */
long tokd__specials_index(const tokd__specials *ss, const char *text, size_t len);

/* Which specials a search considers: all, none, or those with mask[i]. */
typedef struct tokd__special_filter {
    int all;
    const uint8_t *mask; /* used when !all; NULL means none */
    int normalized_too;  /* also tokens marked normalized (disallowed checks) */
} tokd__special_filter;

/* Find the first special token in s[pos..n) that passes `f`. Returns 1 and
 * sets *at (byte offset) and *index, or 0 if there is none. */
int tokd__specials_find(const tokd__specials *ss, tokd__special_filter f, const uint8_t *s,
                        size_t n, size_t pos, size_t *at, size_t *index);

#endif
