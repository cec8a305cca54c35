/* added.h - the special/added-token step of the pipeline (internal).
 *
 * Before anything else, the text is cut at added tokens, each of which
 * becomes its own id:
 * - special tokens, under the call's tokd_specials policy (tiktoken's
 *   allowed / disallowed rules: a disallowed one anywhere fails the call);
 * - Hugging Face's non-special added tokens, always;
 * - tokens marked normalized, matched later in each segment's normalized
 *   text.
 * Matching follows Hugging Face's rules, which reduce to tiktoken's for
 * tokens without options: leftmost, then longest; single_word tokens only
 * between non-word characters; lstrip / rstrip take the whitespace around
 * the token with it.
 *
 * Ownership: a tokd__added owns its sets; a tokd__policy belongs to one
 * call. Thread-safety: tokd__added is immutable after loading. */
#ifndef TOKD_ADDED_H
#define TOKD_ADDED_H

#include "token_set.h"
#include "tokd/tokenizer.h"

typedef struct tokd__added {
    tokd__token_set specials;
    tokd__token_set plain;        /* non-special added tokens */
    tokd__token_set normalized;   /* normalized: true tokens, by their normalized text */
    uint32_t *normalized_special; /* for each: its index in specials, or UINT32_MAX */
    uint32_t *by_id;              /* specials (i) then plain (specials.n + i), by id, stable */
} tokd__added;

/* Index the tokens by id once the sets are in place. */
int tokd__added_index(tokd__added *a);
void tokd__added_release(tokd__added *a);

/* The token with this id (the first listed when two share it), or NULL. */
const tokd__added_token *tokd__added_by_id(const tokd__added *a, uint32_t id);

/* What decoding shows for added token `id` when it differs from its text:
 * a normalized: true token as the normalizers leave it (Hugging Face's
 * normalized_cache), else NULL. */
const tokd__added_token *tokd__added_decode_form(const tokd__added *a, uint32_t id);

/* Highest id + 1 of the added tokens, or at_least if that is more. */
uint32_t tokd__added_max_id(const tokd__added *a, uint32_t at_least);

/* One call's policy, resolved to filters over the sets. */
typedef struct tokd__policy {
    tokd__token_filter allowed, disallowed, normalized;
    uint8_t *masks; /* owned; NULL unless a list was given */
} tokd__policy;

/* Resolve `sp` (NULL: the default) for tokenizer `name`; TOKD_EINVAL when a
 * list names a token that is not special. */
int tokd__policy_resolve(const tokd__added *a, const char *name, const tokd_specials *sp, tokd__policy *p,
                         tokd_error *err);
void tokd__policy_release(tokd__policy *p);

/* The first disallowed special token in s[0..n): 1 and *at, *token; or 0. */
int tokd__added_disallowed(const tokd__added *a, const tokd__policy *p, const uint8_t *s, size_t n, size_t *at,
                           const tokd__added_token **token);

/* The next added token (special ones the policy allows, the others always)
 * at or after `pos` in the caller's text s[0..n): it and its match
 * [*start, *end) (lstrip never before `seg`), or NULL. */
const tokd__added_token *tokd__added_next(const tokd__added *a, const tokd__policy *p, const uint8_t *s, size_t n,
                                          size_t pos, size_t seg, size_t *start, size_t *end);

/* The same for the normalized tokens in normalized text. */
const tokd__added_token *tokd__added_next_normalized(const tokd__added *a, const tokd__policy *p, const uint8_t *s,
                                                     size_t n, size_t pos, size_t *start, size_t *end);

#endif
