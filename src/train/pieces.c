/* pieces.c - counting the distinct pieces of a corpus, in parallel.
 *
 * The texts are cut into chunks (at code point starts) that threads take in
 * turn; each thread counts, into its own table, the pieces that start in
 * its chunk, scanning from the chunk's start as if the text began there.
 * Where a boundary falls inside what one scan of the whole text would see
 * as a single piece, the two scans disagree near the boundary. They are
 * repaired afterwards, boundary by boundary in text order: the true scan
 * (resuming where the previous chunk's true scan stopped) and the chunk's
 * own scan run in lockstep, adding the true pieces and subtracting the
 * chunk's, until both find a piece at the same position. From there on they
 * are identical, because a match depends only on where the search starts
 * (the regex always sees the whole text). Usually that is the first piece,
 * so a repair costs a few matches; the result never depends on the chunking.
 *
 * A span is a part [start, end) of a text counted as if it were all there
 * was to count of it: its own scan starts at `start`, and where it stops at
 * `end` the same lockstep runs against a scan that starts at `end` (the
 * next span's), with no bound, until the two agree (finish_span). Counting
 * the consecutive spans of a text - in one process or in many, in any
 * order - then adds up to counting the whole text: the corrections
 * telescope (span k contributes its scan up to where it meets span k+1's,
 * minus span k+1's scan up to there), whatever the pattern. A span reads
 * the text past its end only until the scans meet, usually one piece. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "rankmap.h"
#include "train_impl.h"

#define CHECK_EVERY 4096 /* pieces between pauses (pg->pace) */
#define CANCEL_EVERY 16  /* pieces between looks at pg->cancel: a costly pattern makes one piece slow */

void tokd__pieces_release(tokd__pieces *t)
{
    free(t->e);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

static int grow_slots(tokd__pieces *t)
{
    size_t size = t->slots ? (t->mask + 1) * 2 : 1024;
    uint32_t *slots = calloc(size, sizeof *slots);
    if (!slots)
        return TOKD_ENOMEM;
    for (size_t i = 0; i < t->n; i++) {
        size_t j = t->e[i].hash & (size - 1);
        while (slots[j])
            j = (j + 1) & (size - 1);
        slots[j] = (uint32_t)i + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->mask = size - 1;
    return 0;
}

static int append(tokd__pieces *t, const uint8_t *p, uint32_t len, uint32_t hash, int64_t delta, size_t slot)
{
    if (t->n >= UINT32_MAX - 1) /* slots hold index + 1 in 32 bits */
        return TOKD_ENOMEM;
    if (tokd__reserve((void **)&t->e, &t->cap, t->n + 1, sizeof *t->e) != 0)
        return TOKD_ENOMEM;
    t->e[t->n] = (tokd__piece){p, len, hash, delta};
    t->slots[slot] = (uint32_t)++t->n;
    return (t->n * 2 > t->mask + 1) ? grow_slots(t) : 0;
}

int tokd__pieces_add(tokd__pieces *t, const uint8_t *p, uint32_t len, int64_t delta)
{
    if (!t->slots && grow_slots(t) != 0)
        return TOKD_ENOMEM;
    uint32_t h = tokd__rank_hash(p, len);
    size_t i = h & t->mask;
    int64_t total;
    if (__builtin_add_overflow(t->total, delta, &total))
        return TOKD_ELIMIT;
    for (; t->slots[i]; i = (i + 1) & t->mask) {
        tokd__piece *e = &t->e[t->slots[i] - 1];
        if (e->hash == h && e->len == len && memcmp(e->p, p, len) == 0) {
            int64_t count;
            if (__builtin_add_overflow(e->count, delta, &count))
                return TOKD_ELIMIT;
            e->count = count;
            t->total = total;
            return 0;
        }
    }
    size_t before = t->n;
    int rc = append(t, p, len, h, delta, i);
    if (t->n != before) /* added, even if growing the slots then failed */
        t->total = total;
    return rc;
}

typedef struct chunk {
    size_t text, start, end;
    size_t last; /* where this chunk's scan would search next */
    int first;   /* a span starts here: the scan that counts is this one */
    int closes;  /* a span ends here: finish_span */
} chunk;

typedef struct counting {
    const tokd__pretok *pt;
    const tokd_train_text *texts;
    chunk *chunks;
    size_t n_chunks;
    atomic_size_t next;
    tokd_train_progress *pg;
    atomic_int failed; /* first error code */
} counting;

/* One piece found by a scan: [start, end), or none. */
typedef struct match {
    int found;
    size_t start, end;
} match;

static int find(const tokd__pretok *pt, const tokd_train_text *t, size_t pos, match *m)
{
    int rc = tokd__pretok_next(pt, (const uint8_t *)t->data, t->len, pos, &m->start, &m->end);
    if (rc < 0)
        return rc;
    m->found = rc;
    if (rc && m->end - m->start > UINT32_MAX)
        return TOKD_ELIMIT;
    return 0;
}

static int add_match(tokd__pieces *t, const tokd_train_text *text, const match *m, int64_t delta)
{
    return tokd__pieces_add(t, (const uint8_t *)text->data + m->start, (uint32_t)(m->end - m->start), delta);
}

static int scan_chunk(counting *c, chunk *ch, tokd__pieces *t)
{
    const tokd_train_text *text = &c->texts[ch->text];
    size_t pos = ch->start, n = 0;
    match m;
    int rc;
    while ((rc = find(c->pt, text, pos, &m)) == 0 && m.found && m.start < ch->end) {
        if ((rc = add_match(t, text, &m, 1)) != 0)
            return rc;
        pos = m.end;
        if ((++n % CANCEL_EVERY == 0 && tokd__train_cancelled(c->pg)) ||
            (n % CHECK_EVERY == 0 && tokd__train_checkpoint(c->pg)))
            return TOKD_ECANCELLED;
    }
    ch->last = pos;
    return rc;
}

static void *count_worker(void *arg)
{
    counting *c = ((void **)arg)[0];
    tokd__pieces *t = ((void **)arg)[1];
    for (size_t i; (i = atomic_fetch_add(&c->next, 1)) < c->n_chunks && !atomic_load(&c->failed);) {
        int rc = scan_chunk(c, &c->chunks[i], t);
        if (rc != 0) {
            int zero = 0;
            atomic_compare_exchange_strong(&c->failed, &zero, rc);
        }
        if (c->pg)
            atomic_fetch_add_explicit(&c->pg->bytes_done, c->chunks[i].end - c->chunks[i].start,
                                      memory_order_relaxed);
    }
    return NULL;
}

/* Repair the boundary at the start of chunk `ch`; *pos is where the true
 * scan searches next, and is left where it will search after `ch`. */
static int repair(const tokd__pretok *pt, const tokd_train_text *text, const chunk *ch, size_t *pos,
                  tokd__pieces *t)
{
    match a, b;
    int rc;
    if ((rc = find(pt, text, *pos, &a)) != 0 || (rc = find(pt, text, ch->start, &b)) != 0)
        return rc;
    while (b.found && b.start < ch->end) {
        if (a.found && a.start == b.start) {
            *pos = ch->last; /* in step: the chunk's own scan was right from here */
            return 0;
        }
        if (a.found && a.start < b.start) {
            if ((rc = add_match(t, text, &a, 1)) != 0 || (rc = find(pt, text, *pos = a.end, &a)) != 0)
                return rc;
        } else if ((rc = add_match(t, text, &b, -1)) != 0 || (rc = find(pt, text, b.end, &b)) != 0) {
            return rc;
        }
    }
    return 0; /* every piece the chunk counted was taken back; *pos goes on */
}

/* Close a span that ends at `end`: pos is where the span's scan searches
 * next. Its pieces are added and those of a scan starting at `end` taken
 * back, in step, until both find a piece at the same place or neither
 * finds any. At the end of the text that adds what the span's scan still
 * finds there: pieces a chunk's repair left for a next chunk that never
 * came (its own pieces all taken back, the true scan still inside it). */
static int finish_span(const tokd__pretok *pt, const tokd_train_text *text, size_t pos, size_t end, tokd__pieces *t)
{
    match a, b;
    int rc;
    if ((rc = find(pt, text, pos, &a)) != 0 || (rc = find(pt, text, end, &b)) != 0)
        return rc;
    while ((a.found || b.found) && !(a.found && b.found && a.start == b.start)) {
        if (a.found && (!b.found || a.start < b.start))
            rc = add_match(t, text, &a, 1) ? TOKD_ENOMEM : find(pt, text, a.end, &a);
        else
            rc = add_match(t, text, &b, -1) ? TOKD_ENOMEM : find(pt, text, b.end, &b);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int repair_all(counting *c, tokd__pieces *t)
{
    size_t pos = 0;
    for (size_t i = 0; i < c->n_chunks; i++) {
        const chunk *ch = &c->chunks[i];
        int rc = 0;
        if (ch->first)
            pos = ch->last;
        else
            rc = repair(c->pt, &c->texts[ch->text], ch, &pos, t);
        if (rc == 0 && ch->closes)
            rc = finish_span(c->pt, &c->texts[ch->text], pos, ch->end, t);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Cut the spans into chunks of about `size` bytes starting at code points:
 * *out (NULL when there is no text), *n_chunks of them. */
static int make_chunks(const tokd_train_text *texts, const tokd__span *spans, size_t n, size_t size, chunk **out,
                       size_t *n_chunks)
{
    size_t cap = 0, k = 0;
    chunk *c = NULL;
    for (size_t i = 0; i < n; i++) {
        const tokd__span *sp = &spans[i];
        const uint8_t *d = (const uint8_t *)texts[sp->text].data;
        for (size_t s = sp->start; s < sp->end;) {
            size_t e = sp->end - s > size ? s + size : sp->end;
            while (e < sp->end && (d[e] & 0xC0) == 0x80)
                e++;
            if (tokd__reserve((void **)&c, &cap, k + 1, sizeof *c) != 0) {
                free(c);
                return TOKD_ENOMEM;
            }
            c[k++] = (chunk){sp->text, s, e, e, s == sp->start, e == sp->end};
            s = e;
        }
    }
    *out = c;
    *n_chunks = k;
    return 0;
}

static int merge_tables(tokd__pieces *into, tokd__pieces *from)
{
    for (size_t i = 0; i < from->n; i++) {
        const tokd__piece *e = &from->e[i];
        int rc = e->count ? tokd__pieces_add(into, e->p, e->len, e->count) : 0;
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int run_threads(counting *c, tokd__pieces *tables, unsigned threads)
{
    pthread_t tid[64];
    void *args[64][2];
    unsigned started = 0;
    for (unsigned k = 1; k < threads; k++) {
        args[k][0] = c;
        args[k][1] = &tables[k];
        if (pthread_create(&tid[k], NULL, count_worker, args[k]) != 0)
            break;
        started = k;
    }
    args[0][0] = c;
    args[0][1] = &tables[0];
    count_worker(args[0]);
    for (unsigned k = 1; k <= started; k++)
        pthread_join(tid[k], NULL);
    int rc = atomic_load(&c->failed);
    for (unsigned k = 1; rc == 0 && k <= started; k++)
        rc = merge_tables(&tables[0], &tables[k]);
    return rc;
}

int tokd__count_pieces(const tokd__pretok *pt, const tokd_train_text *texts, size_t n, unsigned threads,
                       size_t chunk_size, tokd_train_progress *pg, tokd__pieces *out, tokd_error *err)
{
    tokd__span *spans = calloc(n ? n : 1, sizeof *spans);
    size_t k = 0;
    if (!spans)
        return tokd_error_set(err, TOKD_ENOMEM, "out of memory while counting the corpus's pieces");
    for (size_t i = 0; i < n; i++)
        if (texts[i].len)
            spans[k++] = (tokd__span){i, 0, texts[i].len};
    int rc = tokd__count_spans(pt, texts, spans, k, threads, chunk_size, pg, out, err);
    free(spans);
    return rc;
}

int tokd__count_spans(const tokd__pretok *pt, const tokd_train_text *texts, const tokd__span *spans, size_t n,
                      unsigned threads, size_t chunk_size, tokd_train_progress *pg, tokd__pieces *out,
                      tokd_error *err)
{
    counting c = {.pt = pt, .texts = texts, .pg = pg};
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += spans[i].end - spans[i].start;
    threads = threads < 1 ? 1 : threads > 64 ? 64 : threads;
    if (!chunk_size) {
        chunk_size = total / (threads * 8u);
        chunk_size = chunk_size < (256u << 10) ? 256u << 10 : chunk_size > (16u << 20) ? 16u << 20 : chunk_size;
    }
    tokd__pieces *tables = calloc(threads, sizeof *tables);
    int rc = tables ? make_chunks(texts, spans, n, chunk_size, &c.chunks, &c.n_chunks) : TOKD_ENOMEM;
    unsigned use = c.n_chunks < threads ? (unsigned)c.n_chunks : threads;
    if (rc == 0 && (rc = run_threads(&c, tables, use ? use : 1)) == 0)
        rc = repair_all(&c, &tables[0]);
    for (unsigned k = 1; tables && k < threads; k++)
        tokd__pieces_release(&tables[k]);
    if (rc == 0)
        *out = tables[0];
    else if (tables)
        tokd__pieces_release(&tables[0]);
    free(tables);
    free(c.chunks);
    if (rc == TOKD_ELIMIT)
        return tokd_error_set(err, rc, "the corpus has a piece longer than 4 GiB, or one too deep for the "
                                       "pattern's regex engine");
    if (rc == TOKD_ENOMEM)
        return tokd_error_set(err, rc, "out of memory while counting the corpus's pieces");
    return rc == TOKD_ECANCELLED ? tokd_error_set(err, rc, "training was cancelled") : rc;
}
