/* pretokenizer.h - the pre-tokenizer steps of the pipeline (internal).
 *
 * A pre-tokenizer cuts a list of pieces (spans over one text, tokd__splits)
 * into smaller ones, or rewrites their text (Metaspace, ByteLevel's prefix
 * space) keeping the alignment to the caller's bytes. A tokenizer runs its
 * pre-tokenizers in order, each on every piece the previous one left.
 * Implementations (pretokenizers.c): regex splits (tiktoken's, where text
 * between matches is dropped, and Hugging Face's Split with its
 * behaviours and invert; both run the built-in scanners for OpenAI's
 * patterns; WhitespaceSplit and CharDelimiterSplit are Splits), Whitespace,
 * Punctuation, FixedLength, UnicodeScripts, Digits, Metaspace and ByteLevel's
 * prefix space.
 *
 * A pre-tokenizer that can also hand out its pieces one at a time (`each`)
 * is run that way when it is the last step, so the common tokenizers (one
 * regex) never build a list: the step finds a piece and hands it to the
 * driver's callback, which gives it to the model. That is one indirect call
 * per piece, plus the model's. A step whose scan is memoryless also
 * resumes at a piece boundary (`each_from`), which lets parallel.c cut one
 * text between threads.
 *
 * Ownership: the tokenizer owns its pre-tokenizers (`free` releases
 * `self`); pieces own their text. Thread-safety: split/each are reentrant. */
#ifndef TOKD_PRETOKENIZER_H
#define TOKD_PRETOKENIZER_H

#include "ntext.h"
#include "pretok.h"

typedef struct tokd__span {
    size_t start, end;
} tokd__span;

typedef struct tokd__splits {
    tokd__ntext text;
    tokd__span *v;
    size_t n, cap;
} tokd__splits;

/* Append [start, end) (nothing when empty). */
int tokd__splits_push(tokd__splits *p, size_t start, size_t end);
void tokd__splits_release(tokd__splits *p);

/* What a streaming step calls for each piece [start, end) of its text: 0
 * to go on, anything else to stop (and be returned). */
typedef int (*tokd__piece_fn)(void *ctx, size_t start, size_t end);

typedef struct tokd__pretokenizer_ops {
    const char *name;
    /* Replace *p by its pieces after this step; at_start: p begins the
     * caller's text (Metaspace's "first" scheme). */
    int (*split)(const void *self, tokd__splits *p, int at_start);
    /* NULL, or: call fn for each piece of s[0..n) in order, without building
     * a list; returns fn's first non-zero answer, a negative TOKD_E* code of
     * its own (PCRE2), or 0. */
    int (*each)(const void *self, const uint8_t *s, size_t n, tokd__piece_fn fn, void *ctx);
    void (*free)(void *self);
    /* NULL, or `each` started at `from` instead of 0, for a step whose scan
     * is proven memoryless (parallel.h): from any position where one of its
     * pieces ends (or `from` itself), a scan goes on exactly as a fresh scan
     * started there. `from` must be a code point boundary. */
    int (*each_from)(const void *self, const uint8_t *s, size_t n, size_t from, tokd__piece_fn fn, void *ctx);
    /* NULL, or: *at = the last c in [1, n-1] where any text beginning with
     * the raw bytes s[0..n) may be cut, each side pre-tokenized on its own
     * giving the whole text's pieces (0: none in these bytes); returns 0,
     * or TOKD_EUNSUPPORTED when this step cannot prove cuts. */
    int (*cut)(const void *self, const uint8_t *s, size_t n, size_t *at);
} tokd__pretokenizer_ops;

typedef struct tokd__pretokenizer {
    const tokd__pretokenizer_ops *ops;
    void *self;
} tokd__pretokenizer;

/* Hugging Face's SplitDelimiterBehavior for what a Split regex matches. */
enum tokd__split_behavior {
    TOKD__SPLIT_ISOLATED, TOKD__SPLIT_REMOVED, TOKD__SPLIT_MERGED_PREVIOUS, TOKD__SPLIT_MERGED_NEXT,
    TOKD__SPLIT_CONTIGUOUS
};

/* Hugging Face's Split: what `pattern` matches (an Oniguruma regex, or
 * with `literal` the string itself) and the text between the matches,
 * combined by `behavior`; with `invert` the text between matches is what
 * the behaviour treats as the delimiter. */
typedef struct tokd__split_options {
    const char *pattern; /* borrowed */
    int literal;
    enum tokd__split_behavior behavior;
    int invert;
} tokd__split_options;

/* tiktoken's regex step: the matches of `pattern`, text between them
 * dropped. TOKD_EPATTERN when it does not compile. */
int tokd__pretokenizer_regex(const char *pattern, tokd__pretokenizer *out, tokd_error *err);
/* Hugging Face's Split (see tokd__split_options). */
int tokd__pretokenizer_split(const tokd__split_options *o, tokd__pretokenizer *out, tokd_error *err);
/* Punctuation: each punctuation character (the reference's set, unorm.h)
 * is a delimiter treated by `behavior`. */
int tokd__pretokenizer_punctuation(enum tokd__split_behavior behavior, tokd__pretokenizer *out);
/* Whitespace: runs of word characters and runs of other non-space
 * characters, as Hugging Face's \w+|[^\w\s]+ (Rust regex classes). */
int tokd__pretokenizer_whitespace(tokd__pretokenizer *out);
/* FixedLength: each piece cut into pieces of `length` (> 0) characters. */
int tokd__pretokenizer_fixed_length(size_t length, tokd__pretokenizer *out);
/* UnicodeScripts: cut where the script changes (script.h); leading ' '
 * and other "Any" characters dropped, as Hugging Face does. */
int tokd__pretokenizer_unicode_scripts(tokd__pretokenizer *out);
/* Digits: each digit alone (individual) or each run of digits. */
int tokd__pretokenizer_digits(int individual, tokd__pretokenizer *out);
/* Metaspace: ' ' becomes `replacement`, prepended (prepend 1: always, 2:
 * first piece only, 0: never) when a piece does not start with one; with
 * `split`, a piece is cut before each replacement. */
int tokd__pretokenizer_metaspace(const char *replacement, int prepend, int split, tokd__pretokenizer *out);
/* ByteLevel's add_prefix_space: ' ' before each piece that lacks one. */
int tokd__pretokenizer_prefix_space(tokd__pretokenizer *out);

#endif
