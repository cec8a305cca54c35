/* corpus.c - reading corpus files into counts: plain text and JSON Lines,
 * whole or one shard of them, in bounded memory.
 *
 * Shards: the files' bytes, taken in the order given, are cut into
 * `shards` equal ranges; shard k counts what starts in its range. A JSON
 * Lines record belongs to the shard its first byte is in (a shard skips a
 * line it starts inside of, and reads its last line past its end). A
 * plain-text file is cut at the range ends, moved forward to a code point
 * start, and each part is a span (counts.h): its counts and the next
 * part's add up to the file's, so no piece is lost or counted twice
 * whatever the pattern.
 *
 * Memory: a plain-text file is memory-mapped and counted one window at a
 * time (spans again), each window's pages dropped once counted, so only a
 * window is resident; JSON Lines records are decoded into a batch of a few
 * MiB that is counted and emptied. What stays is the distinct pieces. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "counts_impl.h"

#define WINDOW (16u << 20)
#define BATCH (8u << 20)

typedef struct reading {
    tokd_counts *c;
    const tokd_corpus_options *o;
    tokd_train_progress *pg;
    int hashing; /* the whole corpus is read in order: hash it as tokd_train does */
    tokd_error *err;
} reading;

static size_t code_point_start(const uint8_t *d, size_t len, size_t at)
{
    while (at < len && (d[at] & 0xC0) == 0x80)
        at++;
    return at;
}

static void drop_pages(const void *base, size_t from, size_t to)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t start = from - from % (size_t)(page > 0 ? page : 4096);
    if (to > start)
        madvise((char *)base + start, to - start, MADV_DONTNEED);
}

/* Whether the mapped file is valid UTF-8, hashing it on the way if asked;
 * a window at a time, dropping its pages after, so that only a window is
 * ever resident. Windows end at code point starts (bytes that are not
 * 10xxxxxx): valid pieces cut there make a valid whole, and back. */
static int scan_file(reading *r, const char *map, size_t size, size_t window)
{
    int valid = 1;
    for (size_t w = 0, e; w < size; w = e) {
        e = code_point_start((const uint8_t *)map, size, size - w > window ? w + window : size);
        if (r->hashing)
            tokd__sha256_update(&r->c->corpus_sha, map + w, e - w);
        valid = valid && tokd_utf8_valid(map + w, e - w);
        drop_pages(map, w, e);
    }
    return valid;
}

/* The text of a plain file as tokd_train sees it: the map, or a copy with
 * invalid UTF-8 replaced (held in *copy). */
static int plain_text(reading *r, const char *map, size_t size, const char *name, tokd_bytes *copy,
                      tokd_train_text *t)
{
    *t = (tokd_train_text){map, size};
    if (scan_file(r, map, size, r->o->window_bytes ? r->o->window_bytes : WINDOW))
        return 0;
    if (tokd_utf8_sanitize(map, size, copy) != 0)
        return tokd_error_set(r->err, TOKD_ENOMEM, "out of memory replacing the invalid UTF-8 of %.200s", name);
    *t = (tokd_train_text){copy->data, copy->len};
    return 0;
}

/* Count [from, to) of the file (raw offsets) one window at a time. */
static int count_plain(reading *r, const tokd_corpus_file *f, size_t size, size_t from, size_t to)
{
    char *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, f->fd, 0);
    if (map == MAP_FAILED)
        return tokd_error_set(r->err, TOKD_EIO, "cannot map %.200s: %s", f->name, strerror(errno));
    tokd_bytes copy = {0};
    tokd_train_text t;
    int rc = plain_text(r, map, size, f->name, &copy, &t);
    const uint8_t *d = (const uint8_t *)t.data;
    size_t a = code_point_start(d, t.len, from < t.len ? from : t.len);
    size_t b = to == size ? t.len : code_point_start(d, t.len, to < t.len ? to : t.len);
    size_t window = r->o->window_bytes ? r->o->window_bytes : WINDOW;
    for (size_t w = a, e; rc == 0 && w < b; w = e) {
        e = code_point_start(d, t.len, b - w > window ? w + window : b);
        tokd__span sp = {0, w, e};
        rc = tokd__counts_add_spans(r->c, &t, &sp, 1, r->o->threads, r->pg, r->err);
        if (!copy.data)
            drop_pages(map, w, e);
    }
    tokd_bytes_release(&copy);
    munmap(map, size);
    return rc;
}

/* Decoded records waiting to be counted: texts at off[i] .. off[i + 1]. */
typedef struct batch {
    tokd_bytes data;
    size_t *off;
    size_t n, cap;
} batch;

static int flush(reading *r, batch *b)
{
    tokd_train_text *texts = calloc(b->n ? b->n : 1, sizeof *texts);
    tokd__span *spans = calloc(b->n ? b->n : 1, sizeof *spans);
    int rc = texts && spans ? 0 : tokd_error_set(r->err, TOKD_ENOMEM, "out of memory counting records");
    for (size_t i = 0; rc == 0 && i < b->n; i++) {
        texts[i] = (tokd_train_text){b->data.data + b->off[i], b->off[i + 1] - b->off[i]};
        spans[i] = (tokd__span){i, 0, texts[i].len};
    }
    if (rc == 0)
        rc = tokd__counts_add_spans(r->c, texts, spans, b->n, r->o->threads, NULL, r->err);
    free(texts);
    free(spans);
    b->data.len = 0;
    b->n = 0;
    if (rc == 0 && tokd__train_checkpoint(r->pg))
        rc = tokd_error_set(r->err, TOKD_ECANCELLED, "training was cancelled");
    return rc;
}

static int blank(const char *s, size_t n)
{
    while (n && strchr(" \t\r\n", *s))
        s++, n--;
    return n == 0;
}

/* One line: its field's text into the batch, or one more invalid record. */
static int record(reading *r, batch *b, const char *line, size_t len)
{
    if (blank(line, len))
        return 0;
    json_t *j = json_loadb(line, len, JSON_ALLOW_NUL, NULL);
    json_t *v = json_is_object(j) ? json_object_get(j, r->o->jsonl_field) : NULL;
    int rc = 0;
    if (!json_is_string(v) || !tokd_utf8_valid(json_string_value(v), json_string_length(v))) {
        r->c->invalid++;
    } else if (json_string_length(v)) {
        if (tokd__reserve((void **)&b->off, &b->cap, b->n + 2, sizeof *b->off) != 0 ||
            tokd_bytes_append(&b->data, json_string_value(v), json_string_length(v)) != 0)
            rc = tokd_error_set(r->err, TOKD_ENOMEM, "out of memory reading records");
        else
            b->off[0] = 0, b->off[++b->n] = b->data.len;
    }
    json_decref(j);
    return rc;
}

/* Where shard reading starts: `from`, or past the line `from` is inside of. */
static int first_line(int fd, FILE *in, off_t from, off_t *pos)
{
    char prev = '\n';
    if (from > 0 && pread(fd, &prev, 1, from - 1) != 1)
        return -1;
    if (fseeko(in, from, SEEK_SET) != 0)
        return -1;
    *pos = from;
    for (int ch; prev != '\n' && (ch = getc(in)) != EOF; (*pos)++)
        prev = (char)ch;
    return 0;
}

static int count_jsonl(reading *r, const tokd_corpus_file *f, size_t from, size_t to)
{
    int fd = dup(f->fd);
    FILE *in = fd >= 0 ? fdopen(fd, "rb") : NULL;
    off_t pos;
    if (!in || first_line(f->fd, in, (off_t)from, &pos) != 0) {
        int e = errno;
        if (in)
            fclose(in);
        else if (fd >= 0)
            close(fd);
        return tokd_error_set(r->err, TOKD_EIO, "cannot read %.200s: %s", f->name, strerror(e));
    }
    batch b = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = 0;
    while (rc == 0 && pos < (off_t)to && (len = getline(&line, &cap, in)) > 0) {
        pos += len;
        if (r->hashing)
            tokd__sha256_update(&r->c->corpus_sha, line, (size_t)len);
        if (r->pg)
            atomic_fetch_add_explicit(&r->pg->bytes_done, (size_t)len, memory_order_relaxed);
        rc = record(r, &b, line, (size_t)len);
        if (rc == 0 && b.data.len >= BATCH)
            rc = flush(r, &b);
    }
    if (rc == 0 && ferror(in))
        rc = tokd_error_set(r->err, TOKD_EIO, "cannot read %.200s: %s", f->name, strerror(errno));
    if (rc == 0 && b.n)
        rc = flush(r, &b);
    free(line);
    tokd_bytes_release(&b.data);
    free(b.off);
    fclose(in);
    return rc;
}

static int file_sizes(const tokd_corpus_file *files, size_t n, uint64_t *sizes, uint64_t *total, tokd_error *err)
{
    *total = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (fstat(files[i].fd, &st) != 0 || !S_ISREG(st.st_mode))
            return tokd_error_set(err, TOKD_EIO, "%.200s is not a readable regular file", files[i].name);
        sizes[i] = (uint64_t)st.st_size;
        *total += sizes[i];
    }
    return 0;
}

static int check_options(const tokd_corpus_options *o, tokd_error *err)
{
    if (o->shards && o->shard >= o->shards)
        return tokd_error_set(err, TOKD_EINVAL, "shard %u does not exist: shards are numbered 0 to %u", o->shard,
                              o->shards - 1);
    if (o->jsonl_field && !o->jsonl_field[0])
        return tokd_error_set(err, TOKD_EINVAL, "the JSON Lines field name is empty");
    return 0;
}

static int read_files(reading *r, const tokd_corpus_file *files, size_t n, const uint64_t *sizes, uint64_t lo,
                      uint64_t hi)
{
    uint64_t at = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; at += sizes[i++]) {
        uint64_t from = lo > at ? lo - at : 0, to = hi - at < sizes[i] ? hi - at : sizes[i];
        if (hi <= at || from >= to)
            continue;
        rc = r->o->jsonl_field ? count_jsonl(r, &files[i], (size_t)from, (size_t)to)
                               : count_plain(r, &files[i], (size_t)sizes[i], (size_t)from, (size_t)to);
    }
    return rc;
}

int tokd_counts_add_corpus(tokd_counts *c, const tokd_corpus_file *files, size_t n, const tokd_corpus_options *o,
                           tokd_train_progress *pg, tokd_error *err)
{
    uint64_t total, *sizes = calloc(n ? n : 1, sizeof *sizes);
    int rc = sizes ? check_options(o, err) : tokd_error_set(err, TOKD_ENOMEM, "out of memory");
    if (rc == 0)
        rc = file_sizes(files, n, sizes, &total, err);
    if (rc == 0) {
        unsigned k = o->shards ? o->shard : 0, shards = o->shards ? o->shards : 1;
        uint64_t lo = total / shards * k + total % shards * k / shards;
        uint64_t hi = total / shards * (k + 1) + total % shards * (k + 1) / shards;
        reading r = {c, o, pg, c->corpus_hash == TOKD__HASH_FRESH && shards == 1, err};
        c->corpus_hash = r.hashing ? TOKD__HASH_WHOLE : TOKD__HASH_NONE;
        if (pg) {
            atomic_fetch_add(&pg->bytes_total, (size_t)(hi - lo));
            atomic_store(&pg->phase, TOKD_TRAIN_COUNTING);
        }
        rc = read_files(&r, files, n, sizes, lo, hi);
    }
    free(sizes);
    return rc;
}
