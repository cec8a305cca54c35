/* parallel.c - one stretch of text encoded on several threads, cut where
 * the pre-tokenizer's scans provably meet (see parallel.h for the
 * argument).
 *
 * Two phases, each one thread per worker started and joined here (a
 * worker that cannot be started runs on the calling thread instead):
 * (1) each worker scans its own part, noting its first MAX_MARKS piece
 * ends; (2) each goes on until it meets a later worker's mark or the end of
 * the text. Phase 2 reads the marks of phase 1, complete by then, so no
 * worker waits for another while it scans. Then the calling thread joins
 * the tokens along the chain of meeting points.
 *
 * Invariants: a worker's marks are in increasing position order, each with
 * the number of tokens it had made at that position; a worker's state is
 * the end of the last piece it scanned (its cut before the first). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "parallel.h"
#include "piece_cache.h"

#define MAX_MARKS 1024
#define STOP 1 /* a piece callback's answer that ends a phase (not an error) */
#define FULL 2 /* ... that ends the marking part of phase 1 */

typedef struct mark {
    size_t pos, made;
} mark;

struct job;

typedef struct worker {
    struct job *job;
    unsigned k;
    size_t start, limit; /* its part: pieces from start until a piece ends at or past limit */
    size_t state;        /* where its scan is */
    tokd_ids ids;        /* its tokens (encode; worker 0 appends to the caller's ids instead) */
    size_t base;         /* ids in its sink's array before its own */
    tokd__sink sink;
    tokd__piece_cache *cache;
    tokd_limits lim; /* its guard's: polls the shared flag (worker 0: the caller's check too) */
    mark *marks;
    size_t n_marks;
    int rc;          /* 0 or the failure that stopped it */
    unsigned meets;  /* the worker it meets (n_workers: the end of the text) */
    size_t met_made; /* its tokens at the meeting point */
    size_t met_from; /* that worker's tokens at the meeting point */
    pthread_t thread;
} worker;

typedef struct job {
    const tokd__pretokenizer *pre;
    const tokd__model *m;
    const uint8_t *s;
    size_t n;
    worker *w;
    unsigned n_w;
    const tokd_limits *caller;
    int caller_rc; /* what the caller's check answered, if it stopped the job */
    atomic_int stop;
} job;

unsigned tokd__parallel_cuts(const uint8_t *s, size_t n, unsigned max_threads, size_t *cuts)
{
    size_t most = n / TOKD_PARALLEL_MIN_BYTES;
    unsigned t = max_threads < TOKD__PARALLEL_MAX ? max_threads : TOKD__PARALLEL_MAX;
    if (most < t)
        t = (unsigned)most;
    if (t < 2)
        return 1;
    for (unsigned k = 1; k < t; k++) {
        size_t c = n / t * k;
        while (c < n && (s[c] & 0xC0) == 0x80)
            c++;
        cuts[k - 1] = c;
    }
    return t;
}

/* ---- one worker ---------------------------------------------------------- */

static size_t made(const worker *w)
{
    return w->sink.ids ? w->sink.ids->len - w->base : w->sink.count;
}

static int worker_check(void *arg)
{
    worker *w = arg;
    job *j = w->job;
    if (w->k == 0 && j->caller->check) {
        int rc = j->caller->check(j->caller->arg);
        if (rc != 0) {
            j->caller_rc = rc < 0 ? rc : TOKD_ECANCELLED;
            atomic_store(&j->stop, 1);
            return rc;
        }
    }
    return atomic_load_explicit(&j->stop, memory_order_relaxed) ? TOKD_ECANCELLED : 0;
}

static int encode_piece(worker *w, size_t start, size_t end)
{
    const job *j = w->job;
    const uint8_t *p = j->s + start;
    int rc = w->cache ? tokd__piece_cache_encode(w->cache, p, end - start, &w->sink)
                      : j->m->ops->encode(j->m->self, p, end - start, &w->sink);
    if (rc == 0)
        rc = tokd__guard_step(&w->sink.guard);
    w->state = end;
    return rc;
}

static void note_mark(worker *w)
{
    w->marks[w->n_marks++] = (mark){w->state, made(w)};
}

/* Phase 1 while marks are noted; once they are all taken the scan stops
 * (FULL) and resumes with part_piece, which does no more than the
 * one-thread loop does per piece. */
static int marked_piece(void *ctx, size_t start, size_t end)
{
    worker *w = ctx;
    int rc = encode_piece(w, start, end);
    if (rc != 0)
        return rc;
    note_mark(w);
    return w->state >= w->limit ? STOP : w->n_marks == MAX_MARKS ? FULL : 0;
}

static int part_piece(void *ctx, size_t start, size_t end)
{
    worker *w = ctx;
    int rc = encode_piece(w, start, end);
    return rc ? rc : w->state >= w->limit ? STOP : 0;
}

static const mark *find_mark(const worker *w, size_t pos)
{
    size_t lo = 0, hi = w->n_marks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->marks[mid].pos < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < w->n_marks && w->marks[lo].pos == pos ? &w->marks[lo] : NULL;
}

/* Is w's state a mark of a later worker? Then w meets it there. */
static int meets_later(worker *w)
{
    const job *j = w->job;
    for (unsigned k = w->k + 1; k < j->n_w && j->w[k].start <= w->state; k++) {
        const mark *x = find_mark(&j->w[k], w->state);
        if (x) {
            w->meets = k;
            w->met_made = made(w);
            w->met_from = x->made;
            return 1;
        }
    }
    return 0;
}

static int meet_piece(void *ctx, size_t start, size_t end)
{
    worker *w = ctx;
    int rc = encode_piece(w, start, end);
    return rc ? rc : meets_later(w) ? STOP : 0;
}

/* A scan from w's state through fn; the end of the text is where w meets
 * nobody. */
static void scan(worker *w, tokd__piece_fn fn)
{
    job *j = w->job;
    int rc = j->pre->ops->each_from(j->pre->self, j->s, j->n, w->state, fn, w);
    if (rc == FULL)
        rc = j->pre->ops->each_from(j->pre->self, j->s, j->n, w->state, part_piece, w);
    if (rc == 0) {
        w->meets = j->n_w;
        w->met_made = made(w);
    } else if (rc != STOP) {
        w->rc = rc;
        atomic_store(&j->stop, 1);
    }
}

static void *phase_part(void *arg)
{
    worker *w = arg;
    note_mark(w);
    scan(w, marked_piece);
    return NULL;
}

static void *phase_meet(void *arg)
{
    worker *w = arg;
    if (w->rc == 0 && w->meets == 0 && !atomic_load(&w->job->stop) && !meets_later(w))
        scan(w, meet_piece);
    return NULL;
}

/* ---- the job ------------------------------------------------------------- */

/* Run `phase` on every worker: 1..n-1 on threads, 0 here; a worker whose
 * thread does not start runs here after worker 0. */
static void run_phase(job *j, void *(*phase)(void *))
{
    int *started = calloc(j->n_w, sizeof *started);
    for (unsigned k = 1; started && k < j->n_w; k++)
        started[k] = pthread_create(&j->w[k].thread, NULL, phase, &j->w[k]) == 0;
    phase(&j->w[0]);
    for (unsigned k = 1; k < j->n_w; k++) {
        if (started && started[k])
            pthread_join(j->w[k].thread, NULL);
        else
            phase(&j->w[k]);
    }
    free(started);
}

/* Worker k of j; it appends its tokens to `out` (worker 0), to its own
 * array, or (counting: out NULL) only counts them. */
static int worker_init(job *j, unsigned k, const size_t *cuts, tokd_ids *out)
{
    worker *w = &j->w[k];
    int counting = out == NULL;
    w->job = j;
    w->k = k;
    w->start = w->state = k ? cuts[k - 1] : 0;
    w->limit = k + 1 < j->n_w ? cuts[k] : j->n;
    w->lim = (tokd_limits){.check = worker_check, .arg = w};
    w->sink.ids = counting ? NULL : k ? &w->ids : out;
    w->base = k || counting ? 0 : out->len;
    if (k && !counting && tokd__ids_reserve(&w->ids, (w->limit - w->start) / 2) != 0)
        return TOKD_ENOMEM;
    w->sink.guard = (tokd__guard){&w->lim, w->sink.ids, w->base, &w->sink.count, 0, 0};
    w->cache = tokd__piece_cache_new(j->m, w->limit - w->start);
    w->sink.cache = w->cache;
    w->marks = malloc(MAX_MARKS * sizeof *w->marks);
    return w->marks ? 0 : TOKD_ENOMEM;
}

static void workers_release(job *j)
{
    for (unsigned k = 0; k < j->n_w; k++) {
        tokd_ids_release(&j->w[k].ids);
        tokd__piece_cache_free(j->w[k].cache);
        free(j->w[k].marks);
    }
    free(j->w);
}

/* The tokens along the chain of meeting points into out: worker 0's are
 * there already (cut back to its meeting point), the others' are copied
 * after them. */
static int join_tokens(const job *j, tokd__sink *out)
{
    const worker *w0 = &j->w[0];
    size_t total = 0, from = 0;
    for (unsigned k = 0; k < j->n_w; from = j->w[k].met_from, k = j->w[k].meets)
        total += j->w[k].met_made - from;
    if (!out->ids) {
        out->count += total;
        return 0;
    }
    out->ids->len = w0->base + w0->met_made;
    if (tokd__ids_reserve(out->ids, total - w0->met_made) != 0)
        return TOKD_ENOMEM;
    from = w0->met_from;
    for (unsigned k = w0->meets; k < j->n_w; from = j->w[k].met_from, k = j->w[k].meets) {
        const worker *w = &j->w[k];
        memcpy(out->ids->ids + out->ids->len, w->ids.ids + from, (w->met_made - from) * sizeof *w->ids.ids);
        out->ids->len += w->met_made - from;
    }
    return 0;
}

int tokd__parallel_stream(const tokd__pretokenizer *pre, const tokd__model *m, const uint8_t *s, size_t n,
                          const size_t *cuts, unsigned n_cuts, const tokd_limits *check, tokd__sink *out)
{
    static const tokd_limits none;
    job j = {.pre = pre, .m = m, .s = s, .n = n, .n_w = n_cuts + 1, .caller = check ? check : &none};
    atomic_init(&j.stop, 0);
    j.w = calloc(j.n_w, sizeof *j.w);
    int rc = j.w ? 0 : TOKD_ENOMEM;
    size_t before = out->ids ? out->ids->len : 0;
    for (unsigned k = 0; k < j.n_w && rc == 0; k++)
        rc = worker_init(&j, k, cuts, out->ids);
    if (rc == 0) {
        run_phase(&j, phase_part);
        run_phase(&j, phase_meet);
    }
    for (unsigned k = 0; k < j.n_w && rc == 0; k++)
        rc = j.w[k].rc;
    if (rc == 0)
        rc = join_tokens(&j, out);
    if (j.w)
        workers_release(&j);
    if ((rc || j.caller_rc) && out->ids)
        out->ids->len = before;
    if (j.caller_rc)
        return j.caller_rc;
    return rc ? TOKD__PARALLEL_DECLINED : 0;
}
