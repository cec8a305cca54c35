/* train_impl.h - the two halves of the trainer (internal).
 *
 * pieces.c counts the distinct pre-tokenized pieces of the corpus in
 * parallel; merge.c runs the merges on those pieces. train.c drives both.
 *
 * Ownership: a piece table points into the corpus texts, which must outlive
 * it; everything else is owned by the struct holding it.
 * Thread-safety: a table belongs to one thread at a time. */
#ifndef TOKD_TRAIN_IMPL_H
#define TOKD_TRAIN_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "pretok.h"
#include "tokd/train.h"

/* A distinct piece and how often it occurs (counts may dip below zero
 * while chunk boundaries are repaired; only positive ones are pieces). */
typedef struct tokd__piece {
    const uint8_t *p;
    uint32_t len, hash;
    int64_t count;
} tokd__piece;

typedef struct tokd__pieces {
    tokd__piece *e;
    size_t n, cap;
    uint32_t *slots; /* index + 1; 0 is empty */
    size_t mask;
    int64_t total;   /* sum of all counts: the number of pieces */
} tokd__pieces;

void tokd__pieces_release(tokd__pieces *t);

/* 1 if the job was cancelled (one relaxed load: call it often). */
static inline int tokd__train_cancelled(tokd_train_progress *pg)
{
    return pg && atomic_load_explicit(&pg->cancel, memory_order_relaxed);
}

/* A point where training may pause (pg->pace) or stop: 1 if cancelled. */
static inline int tokd__train_checkpoint(tokd_train_progress *pg)
{
    if (!pg)
        return 0;
    if (pg->pace)
        pg->pace(pg->pace_arg);
    return atomic_load_explicit(&pg->cancel, memory_order_relaxed);
}

/* Add `delta` occurrences of p[0..len). TOKD_ENOMEM on failure; TOKD_ELIMIT,
 * with the table unchanged, when a count or the total would pass INT64_MAX. */
int tokd__pieces_add(tokd__pieces *t, const uint8_t *p, uint32_t len, int64_t delta);

/* Count the pieces of every text with `threads` threads working on chunks
 * of about `chunk` bytes; the result equals one pass over each whole text.
 * Texts must be valid UTF-8. */
int tokd__count_pieces(const tokd__pretok *pt, const tokd_train_text *texts, size_t n, unsigned threads,
                       size_t chunk, tokd_train_progress *pg, tokd__pieces *out, tokd_error *err);

/* A part [start, end) of texts[text] (start < end, both code point
 * starts), counted as pieces.c's header explains: the spans of a text,
 * counted apart and added, equal the text counted whole. */
typedef struct tokd__span {
    size_t text, start, end;
} tokd__span;

/* Count the pieces of spans[0..n) as tokd__count_pieces does texts. */
int tokd__count_spans(const tokd__pretok *pt, const tokd_train_text *texts, const tokd__span *spans, size_t n,
                      unsigned threads, size_t chunk, tokd_train_progress *pg, tokd__pieces *out, tokd_error *err);

/* The counting threads to use: `asked`, or the CPU cores for 0. */
unsigned tokd__train_threads(unsigned asked);

/* Write data[0..len) to `path` through PATH's directory's .NAME.tmp,
 * fsynced and renamed (and the directory fsynced): a crash leaves the old
 * file or the new one. TOKD_EIO naming the file. */
int tokd__write_durably(const char *path, const char *data, size_t len, tokd_error *err);

/* The learned vocabulary: token i is bytes[off[i] .. off[i + 1]). */
typedef struct tokd__vocab {
    uint8_t *bytes;
    uint32_t *off;
    uint32_t n;
    uint32_t *merges; /* 3 per merge: left, right, id */
    uint32_t n_merges;
    uint64_t tokens;  /* corpus tokens after the merges */
} tokd__vocab;

void tokd__vocab_release(tokd__vocab *v);

typedef struct tokd__merge_limits {
    uint32_t tokens;         /* stop when the vocabulary has this many */
    uint64_t min_frequency;
    uint32_t max_token_bytes; /* 0: none */
    int64_t min_count;        /* pieces counted fewer times are left out; at least 1 */
} tokd__merge_limits;

/* Run BPE merges on the pieces of `pieces` counted at least min_count times. */
int tokd__merge(const tokd__pieces *pieces, const tokd__merge_limits *lim, tokd_train_progress *pg,
                tokd__vocab *out, tokd_error *err);

#endif
