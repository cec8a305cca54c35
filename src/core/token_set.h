/* token_set.h - a set of added tokens (special or not) and finding them in
 * text by exact bytes.
 *
 * A tokenizer keeps several sets (its special tokens, Hugging Face's
 * non-special added tokens, the tokens matched in normalized text); the
 * rules for which set applies where live in added.c. Tokens are found by
 * exact byte match. Candidate positions are the
 * bytes that start some special token (memchr when they all start with the
 * same byte, as "<|" tokens do); at a candidate, each distinct token length
 * is looked up in a hash map, so o200k_harmony's ~1100 reserved tokens cost
 * no more than one. When several tokens match at one position the longest
 * wins.
 *
 * Ownership: the set owns a copy of its tokens, their texts in one block
 * (one allocation for all of them, however many: o200k_harmony has
 * ~1100). Thread-safety: immutable after init. */
#ifndef TOKD_TOKEN_SET_H
#define TOKD_TOKEN_SET_H

#include "rankmap.h"
#include "tokd/error.h"

typedef struct tokd__added_token {
    const char *text; /* in a set: its own copy, NUL-terminated; given to init: borrowed */
    uint32_t len;
    uint32_t id;
    /* Hugging Face added-token options (0 for tiktoken) */
    uint8_t lstrip, rstrip, single_word;
    uint8_t normalized; /* matched in normalized text only (tokd__added.normalized) */
} tokd__added_token;

typedef struct tokd__token_set {
    tokd__added_token *items;
    size_t n;
    char *texts;           /* every item's text, one after the other */
    tokd__rankmap by_text; /* text -> index into items */
    uint32_t lens[128];    /* distinct lengths, longest first (gemma3 has 52) */
    size_t n_lens;
    uint8_t first[256];    /* 1 if some token starts with this byte */
    int single_first;      /* the one first byte, or -1 */
} tokd__token_set;

/* Index a copy of items[0..n) (the caller keeps `items`; each text is read
 * for its `len` bytes, need not be NUL-terminated, and may be freed after
 * the call). The set may be released whatever init returns. */
int tokd__token_set_init(tokd__token_set *ss, const tokd__added_token *items, size_t n, tokd_error *err);
void tokd__token_set_release(tokd__token_set *ss);

/* Index of the token spelled `text`, or -1. */
long tokd__token_set_index(const tokd__token_set *ss, const char *text, size_t len);

/* Which tokens of a set a search considers: all, none, or those with mask[i]. */
typedef struct tokd__token_filter {
    int all;
    const uint8_t *mask; /* used when !all; NULL means none */
    int normalized_too;  /* also tokens marked normalized (disallowed checks) */
} tokd__token_filter;

/* Find the first token in s[pos..n) that passes `f`. Returns 1 and
 * sets *at (byte offset) and *index, or 0 if there is none. */
int tokd__token_set_find(const tokd__token_set *ss, tokd__token_filter f, const uint8_t *s,
                        size_t n, size_t pos, size_t *at, size_t *index);

#endif
