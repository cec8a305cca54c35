/* parallel.h - encoding one stretch of text on several threads (internal).
 *
 * A streaming pre-tokenizer whose scan is memoryless (pretokenizer.h,
 * each_from: from any of its piece ends a scan goes on as a fresh scan
 * started there) lets a text be cut anywhere and still give the exact
 * one-thread pieces:
 *
 *   text  |--- worker 0 ---|--- worker 1 ---|--- worker 2 ---|
 *   cuts  0                c1               c2               n
 *
 * Worker k scans from its cut ck (a fresh scan: its first pieces may not
 * be the true ones) to the first piece end at or past c(k+1), noting the
 * positions where its pieces end ("marks", with the tokens made so far).
 * Then it goes on past c(k+1) until one of its piece ends is a mark of a
 * later worker j. From that common position both scans are the same scan,
 * so the true sequence is worker 0's tokens up to its meeting point, then
 * worker j's from that mark up to its own meeting point, and so on: worker
 * 0 starts at 0, where the true scan starts, and by induction each worker
 * entered at a true position stays on the true scan. Usually a worker
 * meets its neighbour within a piece or two; a run with no piece end (a
 * megabyte of spaces) makes one worker scan it all, which is still exact.
 * The model encodes each piece on its own (model.h), so tokens follow.
 *
 * Thread-safety: the tokenizer is shared read-only; each worker has its own
 * sink, piece cache and PCRE2 match data. The caller's check callback runs
 * only on the calling thread (worker 0); the others poll a shared flag. */
#ifndef TOKD_PARALLEL_H
#define TOKD_PARALLEL_H

#include "model.h"
#include "pretokenizer.h"
#include "sink.h"

#define TOKD__PARALLEL_MAX 64         /* threads one call may use */
#define TOKD__PARALLEL_DECLINED 1     /* nothing was done: run it on one thread */

/* How many threads s[0..n) is worth (at most max_threads, each with at
 * least TOKD_PARALLEL_MIN_BYTES bytes), and the cuts between them:
 * cuts[0..threads-2], increasing code point boundaries of the valid UTF-8
 * text, spread evenly. */
unsigned tokd__parallel_cuts(const uint8_t *s, size_t n, unsigned max_threads, size_t *cuts);

/* Encode s[0..n) (a whole stretch the streaming step `pre`, which has
 * each_from, would scan) with model m on one thread per part between the
 * n_cuts cuts (n_cuts < TOKD__PARALLEL_MAX; the calling thread does the
 * first part), appending the tokens to `out` (ids, or the count; never
 * offsets). Returns 0; or TOKD__PARALLEL_DECLINED when a worker failed
 * (out of memory, a PCRE2 limit, a token the model lacks: the one-thread
 * path then decides exactly what the error is) or could not be started;
 * or the non-zero answer of `check` (may be NULL), polled between the first
 * worker's pieces, which stops every worker. `out` is unchanged unless 0 is
 * returned. */
int tokd__parallel_stream(const tokd__pretokenizer *pre, const tokd__model *m, const uint8_t *s, size_t n,
                          const size_t *cuts, unsigned n_cuts, const tokd_limits *check, tokd__sink *out);

#endif
