/* tokd/tokenizer.h - loading tokenizers and encoding, counting, decoding.
 *
 * A tokd_tokenizer is immutable once loaded and reference counted: any number
 * of threads may encode with it at once, and the last tokd_tokenizer_unref()
 * frees it. Encoding follows OpenAI tiktoken exactly, including its handling
 * of special tokens (see struct tokd_specials).
 *
 * Text in: any bytes. Invalid UTF-8 is replaced before encoding, each
 * maximal invalid subsequence by one U+FFFD, exactly as Python's
 * bytes.decode("utf-8", errors="replace") does; valid text is untouched.
 *
 * Thread-safety: all functions are safe to call concurrently on the same
 * tokenizer; tokd_ids and tokd_bytes values belong to their caller.
 */
#ifndef TOKD_TOKENIZER_H
#define TOKD_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#include "tokd/error.h"
#include "tokd/export.h"

TOKD_BEGIN_DECLS

typedef struct tokd_tokenizer tokd_tokenizer;

/* A growable array of token ids. Zero-initialise it; free with
 * tokd_ids_release(). Functions that fill one append to it. */
typedef struct tokd_ids {
    uint32_t *ids;
    size_t len;
    size_t cap;
} tokd_ids;

/* A growable byte buffer, always NUL-terminated after `len` bytes when
 * `data` is not NULL. Zero-initialise; free with tokd_bytes_release(). */
typedef struct tokd_bytes {
    char *data;
    size_t len;
    size_t cap;
} tokd_bytes;

/* [start, end) bytes of the caller's text that one token comes from. */
typedef struct tokd_offset {
    size_t start, end;
} tokd_offset;

/* A growable array of offsets, one per token. Zero-initialise it; free with
 * tokd_offsets_release(). */
typedef struct tokd_offsets {
    tokd_offset *v;
    size_t len;
    size_t cap;
} tokd_offsets;

void tokd_offsets_release(tokd_offsets *offsets);

/* Append one id; TOKD_ENOMEM on allocation failure. */
int tokd_ids_push(tokd_ids *ids, uint32_t id);
void tokd_ids_release(tokd_ids *ids);
/* Append `n` bytes (kept NUL-terminated); TOKD_ENOMEM on failure. */
int tokd_bytes_append(tokd_bytes *b, const void *p, size_t n);
void tokd_bytes_release(tokd_bytes *b);

/* Which special tokens an encode call lets through, with tiktoken's rules:
 * - allowed: text of an allowed special token is encoded as its id.
 * - disallowed: text of a disallowed special token anywhere in the input
 *   fails the call with TOKD_ESPECIAL naming the token.
 * - any other special-token text is encoded as ordinary text.
 * A zero-initialised struct is tiktoken's default: nothing allowed and
 * everything disallowed. Token names not known to the tokenizer are refused
 * with TOKD_EINVAL (a typo should not silently change the ids). */
enum tokd_allowed_mode { TOKD_ALLOW_NONE = 0, TOKD_ALLOW_ALL, TOKD_ALLOW_LIST };
enum tokd_disallowed_mode {
    TOKD_DISALLOW_ALL = 0, /* every special token that is not allowed */
    TOKD_DISALLOW_NONE,
    TOKD_DISALLOW_LIST
};

typedef struct tokd_specials {
    enum tokd_allowed_mode allowed_mode;
    const char *const *allowed; /* borrowed, NUL-terminated names */
    size_t n_allowed;
    enum tokd_disallowed_mode disallowed_mode;
    const char *const *disallowed; /* borrowed */
    size_t n_disallowed;
    /* Hugging Face tokenizers: add the post-processor's special tokens
     * (BOS/EOS), as tokenizers' add_special_tokens=True does. */
    int add_special_tokens;
} tokd_specials;

/* Load a tokenizer. `spec` is a built-in encoding name (cl100k_base, ...),
 * a bundled tokenizer's name (llama3, mistral),
 * or a path: a .tiktoken file, GPT-2's encoder.json (vocab.bpe beside it)
 * or their directory, or a Hugging Face tokenizer.json (BPE, WordPiece, WordLevel) or its
 * directory. "NAME=SPEC" loads SPEC under the name NAME ([a-z0-9._-],
 * at most 64). `data_dir` is where the bundled encodings
 * live (NULL: tokd_default_data_dir()). On success *out holds a new
 * reference the caller must release with tokd_tokenizer_unref(). */
int tokd_tokenizer_load(const char *spec, const char *data_dir, tokd_tokenizer **out,
                        tokd_error *err);

/* Load every built-in encoding, in tokd_builtin_encodings() order, into
 * out[0..6]; encodings that share a ranks file share its parsed table, so
 * this reads each file once. All or nothing: on failure none is left. */
int tokd_tokenizer_load_builtins(const char *data_dir, tokd_tokenizer **out, tokd_error *err);

/* Load the encoding a model uses, with tiktoken's encoding_for_model rules
 * (exact names first, then name prefixes such as "gpt-4o-"). */
int tokd_tokenizer_load_for_model(const char *model, const char *data_dir, tokd_tokenizer **out,
                                  tokd_error *err);

/* The encoding name tiktoken maps a model to, or NULL if it maps none. */
const char *tokd_encoding_for_model(const char *model);

/* Built-in encoding names, NULL-terminated; static storage. */
const char *const *tokd_builtin_encodings(void);

/* The Hugging Face tokenizers shipped in the data directory and loadable by
 * name (llama3, mistral), NULL-terminated; static storage. */
const char *const *tokd_bundled_tokenizers(void);

/* The bundled data directory: $TOKD_DATA_DIR if set, else the first of
 * <exe>/../data/encodings, <exe>/../share/tokd/encodings, the source tree's
 * data/encodings and the installed datadir that exists. Static storage. */
const char *tokd_default_data_dir(void);

tokd_tokenizer *tokd_tokenizer_ref(tokd_tokenizer *tok);
void tokd_tokenizer_unref(tokd_tokenizer *tok);

const char *tokd_tokenizer_name(const tokd_tokenizer *tok);
/* "tiktoken" (rank-based BPE: OpenAI encodings, GPT-2 files) or
 * "huggingface" (a tokenizer.json pipeline). */
const char *tokd_tokenizer_kind(const tokd_tokenizer *tok);
/* The pre-tokenizer regex (PCRE2 syntax), as the reference spells it. */
const char *tokd_tokenizer_pattern(const tokd_tokenizer *tok);
/* Hex SHA-256 of the ranks file the tokenizer was loaded from. */
const char *tokd_tokenizer_sha256(const tokd_tokenizer *tok);
/* Highest token id + 1, special tokens included (tiktoken's n_vocab). */
uint32_t tokd_tokenizer_n_vocab(const tokd_tokenizer *tok);
size_t tokd_tokenizer_n_specials(const tokd_tokenizer *tok);
/* The i-th special token (i < n_specials): its text (borrowed) and id. */
const char *tokd_tokenizer_special(const tokd_tokenizer *tok, size_t i, uint32_t *id);

/* Bounds and cancellation for one encode or count call. A zero-initialised
 * struct (or a NULL pointer) bounds nothing.
 * - max_tokens: when non-zero, the call stops as soon as it has produced
 *   more than max_tokens tokens and returns TOKD_ELIMIT. tokd_count_bounded
 *   then stores the count reached so far in *count. The bound is checked
 *   after each pre-tokenizer piece, so the count can pass max_tokens by at
 *   most one piece's tokens (a tokenizer with no pre-tokenizer has one
 *   piece per segment): "does it fit in N?" costs about N tokens of work.
 * - check: when not NULL, called with `arg` between pieces of work (after
 *   the first and then every 16th pre-tokenizer piece, and between added-token
 *   segments), from the encoding thread. Returning non-zero (a negative
 *   TOKD_E* code, e.g. TOKD_ECANCELLED for a gone client or TOKD_ELIMIT for
 *   a spent time budget) stops the call with that code. It must be cheap:
 *   read a flag or a coarse clock. It is only ever called from the
 *   calling thread, also when other threads help (max_threads).
 * - max_threads: at most this many threads work on the call, the calling
 *   thread included (0 or 1: the calling thread alone). Each stretch of at
 *   least TOKD_PARALLEL_MIN_BYTES bytes per thread that one streaming
 *   pre-tokenizer cuts (the built-in encodings, a tokenizer.json Split
 *   regex) is cut between threads where their pieces provably meet, so the
 *   ids are exactly the one-thread ids; other tokenizers, shorter texts and
 *   offsets requests run on the calling thread. The helpers are started
 *   and joined inside the call. */
#define TOKD_PARALLEL_MIN_BYTES ((size_t)128 * 1024)

typedef struct tokd_limits {
    size_t max_tokens;
    int (*check)(void *arg);
    void *arg;
    unsigned max_threads;
} tokd_limits;

/* Encode `len` bytes of `text`, appending ids to `out`. `sp` may be NULL for
 * the default (no special token allowed, all disallowed). */
int tokd_encode(const tokd_tokenizer *tok, const char *text, size_t len, const tokd_specials *sp,
                tokd_ids *out, tokd_error *err);

/* Encode treating special-token text as ordinary text (never fails on it). */
int tokd_encode_ordinary(const tokd_tokenizer *tok, const char *text, size_t len, tokd_ids *out,
                         tokd_error *err);

/* Number of ids tokd_encode would produce, without building the array. */
int tokd_count(const tokd_tokenizer *tok, const char *text, size_t len, const tokd_specials *sp,
               size_t *count, tokd_error *err);

/* tokd_encode and tokd_count under `lim` (may be NULL). On TOKD_ELIMIT
 * from max_tokens, tokd_count_bounded sets *count to the tokens counted so
 * far and err->text says which bound stopped it; encode leaves `out` as it
 * was, as on every error. */
int tokd_encode_bounded(const tokd_tokenizer *tok, const char *text, size_t len, const tokd_specials *sp,
                        const tokd_limits *lim, tokd_ids *out, tokd_error *err);
int tokd_count_bounded(const tokd_tokenizer *tok, const char *text, size_t len, const tokd_specials *sp,
                       const tokd_limits *lim, size_t *count, tokd_error *err);

/* Reads up to `cap` bytes into buf: the number read, 0 at the end of the
 * input, or a negative TOKD_E* code (TOKD_EIO) on failure. */
typedef long (*tokd_read_fn)(void *arg, char *buf, size_t cap);

/* Count the tokens of a text that `read` hands over in parts, as
 * tokd_count would count the whole text, holding only a window of it:
 * `chunk` bytes are read at a time (0: 4 MiB) and counted up to the last
 * place in the window where the text provably may be cut (the built-in
 * encodings' scanners prove such places: after a letter, before an ASCII
 * space, digit, punctuation or control character; never inside a special
 * token); the rest waits for the next part. Memory is then about twice
 * `chunk`, more only over a stretch with no such place (one long word or
 * run of spaces). Where tokd_count_streams says 0 the whole input is read
 * first. Each window is counted on up to max_threads threads (tokd_limits).
 * A disallowed special token is reported at its byte in the whole input. */
int tokd_count_stream(const tokd_tokenizer *tok, const tokd_specials *sp, unsigned max_threads, size_t chunk,
                      tokd_read_fn read, void *arg, size_t *count, tokd_error *err);

/* 1 if tokd_count_stream holds a bounded window for this tokenizer and
 * policy: one built-in scanner, no normalizer, no added token with
 * lstrip/rstrip/single_word/normalized, and no post-processor tokens to
 * add. 0 if it reads the whole input first. */
int tokd_count_streams(const tokd_tokenizer *tok, const tokd_specials *sp);

/* tokd_encode_bounded that also appends to `offsets` one entry per id it
 * appends to `out`: the [start, end) bytes of `text` the token comes from,
 * tracked through the tokenizer's normalizers and pre-tokenizers as Hugging
 * Face's tokenizers does. A token made of part of a character (byte-level
 * BPE) covers the whole character; text a normalizer inserted (Prepend)
 * belongs to the character it was inserted before; a replacement covers
 * what it replaced (U+FFFD for invalid UTF-8 covers the invalid bytes); an
 * added token covers its match, and a post-processor's token (BOS) is
 * [0, 0). On error both arrays are left as they were. */
int tokd_encode_offsets(const tokd_tokenizer *tok, const char *text, size_t len, const tokd_specials *sp,
                        const tokd_limits *lim, tokd_ids *out, tokd_offsets *offsets, tokd_error *err);

/* Append the bytes of the tokens to `out`. Fails with TOKD_ERANGE naming
 * the first id that is not a token of this tokenizer. */
int tokd_decode_bytes(const tokd_tokenizer *tok, const uint32_t *ids, size_t n, tokd_bytes *out,
                      tokd_error *err);

/* As tokd_decode_bytes, then replace invalid UTF-8 as Python's
 * bytes.decode("utf-8", errors="replace") does. */
int tokd_decode_text(const tokd_tokenizer *tok, const uint32_t *ids, size_t n, tokd_bytes *out,
                     tokd_error *err);

/* The bytes of one token (borrowed, valid while the tokenizer lives).
 * Returns TOKD_ERANGE if `id` is not a token. */
int tokd_token_bytes(const tokd_tokenizer *tok, uint32_t id, const char **bytes, size_t *len);

/* UTF-8 helpers used by encode and decode, public for servers and tests. */

/* 1 if the bytes are valid UTF-8 (no surrogates, no overlongs). */
int tokd_utf8_valid(const char *s, size_t len);

/* Append `s` to `out` with every maximal invalid subsequence replaced by
 * U+FFFD (Python's errors="replace"). */
int tokd_utf8_sanitize(const char *s, size_t len, tokd_bytes *out);

/* Encode `len` bytes as padded base64 (RFC 4648, the alphabet of .tiktoken
 * files) into the caller's `out`, which must hold 4 * ((len + 2) / 3) + 1
 * bytes; NUL-terminates it. For showing token bytes that are not UTF-8. */
void tokd_base64_encode(const void *in, size_t len, char *out);

/* Decode `len` characters of padded base64 into the caller's `out`, which
 * must hold len / 4 * 3 bytes. Returns the decoded length, or -1 if the
 * input is not canonical padded base64 (wrong length, bad character,
 * misplaced '=', bits set in the padding): strict, as .tiktoken files are. */
long tokd_base64_decode(const char *in, size_t len, uint8_t *out);

TOKD_END_DECLS

#endif
