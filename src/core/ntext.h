/* ntext.h - text on its way through the pipeline, aligned to the caller's.
 *
 * Normalizers and rewriting pre-tokenizers turn the text into new text; to
 * report where each token came from, every byte of the new text remembers
 * the bytes of the caller's original text it stands for (Hugging Face's
 * NormalizedString alignments). A view of the original needs no table:
 * byte i is original byte shift + i. The table is kept only when the call
 * asked for offsets (`track`), so encode and count pay nothing for it.
 *
 * Rules of the alignment: copied bytes keep theirs; a replacement covers
 * the bytes it replaced; inserted text (Prepend, a prefix space) covers the
 * character it was inserted before. A range of the text maps to the union
 * of its bytes' ranges.
 *
 * Ownership: an ntext owns its buffer and table; a view borrows its text.
 * Thread-safety: belongs to one call. */
#ifndef TOKD_NTEXT_H
#define TOKD_NTEXT_H

#include "tokd/tokenizer.h"

typedef struct tokd__origin {
    size_t start, end;
} tokd__origin;

typedef struct tokd__ntext {
    const char *s; /* the text: borrowed (a view) or own.data */
    size_t n;
    tokd_bytes own;
    tokd__origin *align; /* per byte of s, when tracked and rewritten; NULL: a view */
    size_t align_cap;
    size_t shift; /* a view: byte i is original byte shift + i */
    int track;
    int borrowed; /* text and table belong to another ntext */
} tokd__ntext;

/* A view of s[0..n), which is original bytes shift..shift + n. */
tokd__ntext tokd__ntext_view(const char *s, size_t n, size_t shift, int track);

/* t[a..b) as a borrowed text (t must outlive it). */
tokd__ntext tokd__ntext_sub(const tokd__ntext *t, size_t a, size_t b);

/* Replace every maximal invalid UTF-8 subsequence of s[0..n) by U+FFFD (as
 * tokd_utf8_sanitize), each covering the bytes it replaced, into *out (a
 * new text tracking as `track` says). */
int tokd__ntext_sanitize(const char *s, size_t n, int track, tokd__ntext *out);

/* An empty text to write into, tracking alignment as `like` does. */
tokd__ntext tokd__ntext_empty(const tokd__ntext *like);

void tokd__ntext_release(tokd__ntext *t);

/* Append in[a..b) to out, keeping its alignment. */
int tokd__ntext_copy(tokd__ntext *out, const tokd__ntext *in, size_t a, size_t b);

/* Append p[0..len) to out as standing for in[a..b) (a < b). */
int tokd__ntext_put(tokd__ntext *out, const char *p, size_t len, const tokd__ntext *in, size_t a, size_t b);

/* The original bytes [*start, *end) that t[a..b) (a < b) stands for. */
void tokd__ntext_origin(const tokd__ntext *t, size_t a, size_t b, size_t *start, size_t *end);

/* Hugging Face's NormalizedString::transform, for the normalizers that
 * rewrite character by character: each new character comes with a change.
 * Change 0 or less: it stands for the next character of the input, and
 * -change more input characters are dropped after that one; change 1: it
 * is inserted, standing for the input character stood for last (the first
 * one if none was). Characters are consumed in order; the input characters
 * left over are dropped. */
typedef struct tokd__nchar {
    uint32_t cp;
    int32_t change;
} tokd__nchar;

typedef struct tokd__nchars {
    tokd__nchar *v;
    size_t n, cap;
} tokd__nchars;

int tokd__nchars_push(tokd__nchars *c, uint32_t cp, int32_t change);

/* Write v[0..n) into *out (an empty text) standing for in's characters as
 * said above, after `skip` dropped input characters. */
int tokd__ntext_transform(tokd__ntext *out, const tokd__ntext *in, size_t skip, const tokd__nchar *v, size_t n);

/* Replace *t by *next (t's old text released). */
void tokd__ntext_swap(tokd__ntext *t, tokd__ntext *next);

#endif
