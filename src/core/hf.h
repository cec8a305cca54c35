/* hf.h - Hugging Face tokenizer.json pipelines with a BPE model (internal).
 *
 * The pipeline of tokenizers' encode, for one text:
 *   added tokens split the text (special ones under tokd's allowed /
 *   disallowed rules, the others always) -> each other segment is
 *   normalized (Prepend, Replace, NFC) -> pre-tokenized (Split, ByteLevel,
 *   Digits, Metaspace) -> each piece goes through the BPE model (merge list;
 *   whole-piece lookup with ignore_merges; byte_fallback or unk for
 *   characters outside the vocabulary) -> the post-processor adds its
 *   template's special tokens when add_special_tokens is asked.
 * Anything else a file asks for is refused at load, naming it.
 *
 * Ownership: a tokd__hf belongs to its tokenizer. Thread-safety: immutable
 * after loading. */
#ifndef TOKD_HF_H
#define TOKD_HF_H

#include "bpe.h"
#include "guard.h"
#include "pairmap.h"
#include "pretok.h"
#include "specials.h"

enum tokd__hf_norm { TOKD__NORM_PREPEND, TOKD__NORM_REPLACE, TOKD__NORM_NFC };

typedef struct tokd__hf_normalizer {
    enum tokd__hf_norm kind;
    char *a, *b; /* prepend a; replace a with b */
} tokd__hf_normalizer;

enum tokd__hf_pre { TOKD__PRE_SPLIT, TOKD__PRE_BYTELEVEL, TOKD__PRE_DIGITS, TOKD__PRE_METASPACE };

/* Hugging Face's SplitDelimiterBehavior for what a Split regex matches. */
enum tokd__hf_behavior {
    TOKD__SPLIT_ISOLATED, TOKD__SPLIT_REMOVED, TOKD__SPLIT_MERGED_PREVIOUS, TOKD__SPLIT_MERGED_NEXT,
    TOKD__SPLIT_CONTIGUOUS
};

typedef struct tokd__hf_pretokenizer {
    enum tokd__hf_pre kind;
    enum tokd__hf_behavior behavior; /* SPLIT */
    tokd__pretok re;      /* SPLIT; BYTELEVEL with use_regex */
    int has_re;
    int add_prefix_space; /* BYTELEVEL */
    int individual;       /* DIGITS */
    char *replacement;    /* METASPACE */
    int prepend;          /* METASPACE: 0 never, 1 always, 2 first */
    int split;            /* METASPACE */
} tokd__hf_pretokenizer;

typedef struct tokd__hf {
    tokd__hf_normalizer *norms;
    size_t n_norms;
    tokd__hf_pretokenizer *pres;
    size_t n_pres;
    int byte_level;            /* vocabulary in GPT-2's byte alphabet */
    tokd__pairmap merges;
    tokd__bpe_model model;     /* ranks: the tokenizer's vocabulary */
    int byte_fallback;
    uint32_t fallback_id[256]; /* <0xXX> tokens */
    long unk_id;               /* -1: none */
    int fuse_unk;
    tokd__specials added;      /* non-special added tokens: always matched */
    tokd__specials norm;       /* normalized: true tokens, by their normalized text */
    uint32_t *norm_special;    /* for each: its index in the specials, or UINT32_MAX */
    uint32_t *prefix, *suffix; /* template ids around the sequence */
    size_t n_prefix, n_suffix;
    int dec_byte_level;        /* decoder: raw bytes */
    char *dec_from, *dec_to;   /* decoder Replace */
    int dec_byte_fallback;     /* decoder ByteFallback */
    int dec_strip;             /* decoder Strip: leading spaces removed */
    int dec_first_drop;        /* decoder Metaspace: the first token loses every replacement */
} tokd__hf;

void tokd__hf_free(tokd__hf *hf);

/* Load a tokenizer.json file; when `expect_sha256` is set the file must
 * have that SHA-256. */
int tokd__hf_load(const char *path, const char *name, const char *expect_sha256, tokd_tokenizer **out,
                  tokd_error *err);

/* The next added token (special ones passing `allowed`, the others always)
 * at or after `pos` in s[0..n), with Hugging Face's rules: leftmost, then
 * longest; single_word tokens only between non-word characters; lstrip and
 * rstrip take the whitespace around the token with it (lstrip never before
 * `seg`, where the current segment starts). Sets [*start, *end) and returns
 * the token, or NULL. */
const tokd__special *tokd__hf_next_added(const tokd_tokenizer *t, tokd__special_filter allowed, const uint8_t *s,
                                         size_t n, size_t pos, size_t seg, size_t *start, size_t *end);

/* Encode one segment of text that holds no added token. */
int tokd__hf_segment(const tokd_tokenizer *t, tokd__special_filter allowed, const uint8_t *s, size_t n,
                     int at_start, tokd__guard *g, tokd_ids *out, size_t *count);

/* Normalize s[0..n) with the file's normalizers (appends to out). */
int tokd__hf_normalize(const tokd__hf *hf, const uint8_t *s, size_t n, tokd_bytes *out);

/* Decode ids as the file's decoder does. With `raw`, byte-fallback bytes are
 * kept as they are instead of becoming U+FFFD when not valid UTF-8. */
int tokd__hf_decode(const tokd_tokenizer *t, const uint32_t *ids, size_t n, int raw, tokd_bytes *out,
                    tokd_error *err);

#endif
