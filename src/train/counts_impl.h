/* counts_impl.h - the inside of a tokd_counts (internal).
 *
 * Ownership: a tokd_counts owns its strings, its table and the arena its
 * pieces live in. Thread-safety: one thread at a time. */
#ifndef TOKD_COUNTS_IMPL_H
#define TOKD_COUNTS_IMPL_H

#include "sha256.h"
#include "tokd/counts.h"
#include "tokd/tokenizer.h"
#include "train_impl.h"

/* Blocks of piece bytes; a block never moves once made. */
typedef struct tokd__block {
    uint8_t *p;
    size_t size, used;
} tokd__block;

typedef struct tokd__arena {
    tokd__block *blocks;
    size_t n, cap;
    size_t bytes; /* allocated in all */
} tokd__arena;

void tokd__arena_release(tokd__arena *a);

/* Whether corpus_sha is the SHA-256 of the whole corpus as tokd_train
 * would compute it: only while one tokd_counts_add_corpus of every file,
 * unsharded, is all that was added. */
enum { TOKD__HASH_NONE = 0, TOKD__HASH_FRESH, TOKD__HASH_WHOLE };

struct tokd_counts {
    char *pattern, *pattern_name; /* owned; name "" for a custom regex */
    tokd__pretok pt;
    int compiled;                 /* pt is initialised */
    tokd__pieces table;           /* pieces point into `arena` */
    tokd__arena arena;
    uint64_t texts, bytes, invalid;
    tokd__sha256 corpus_sha;
    int corpus_hash;
};

/* Add `delta` occurrences of p[0..len) (copied). TOKD_ENOMEM. */
int tokd__counts_add_piece(tokd_counts *c, const uint8_t *p, uint32_t len, int64_t delta);

/* Count spans of texts into c (see tokd__count_spans). */
int tokd__counts_add_spans(tokd_counts *c, const tokd_train_text *texts, const tokd__span *spans, size_t n,
                           unsigned threads, tokd_train_progress *pg, tokd_error *err);

/* The counts file's bytes, appended to *b. TOKD_ENOMEM. */
int tokd__counts_encode(const tokd_counts *c, tokd_bytes *b);

#endif
