/* counts.c - distinct-piece counts that own their pieces, add up, and
 * travel as counts files (the format is in include/tokd/counts.h).
 *
 * The table is pieces.c's hash table; its pieces point into an arena of
 * blocks that never move, so the text a piece came from can go as soon as
 * it is counted. A new piece is copied to the arena before the table looks
 * it up, and the copy is given back when the piece was already there.
 * Writing sorts the pieces by bytes, so equal counts give equal files;
 * reading checks every field before it believes it and the SHA-256
 * trailer last. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "counts_impl.h"
#include "pretok.h"
#include "sha256.h"
#include "tokd/file.h"
#include "tokd/tokenizer.h"

#define BLOCK (1u << 20)
#define MAX_PATTERN (1u << 16)
#define MAX_NAME 64u
#define MAX_PIECE (1u << 31)
#define MAGIC "TOKDCNTS"
#define TRAILER 32u

void tokd__arena_release(tokd__arena *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->blocks[i].p);
    free(a->blocks);
    memset(a, 0, sizeof *a);
}

/* Room for `len` bytes at the end of the last block (a new block if need be). */
static uint8_t *arena_take(tokd__arena *a, size_t len)
{
    tokd__block *b = a->n ? &a->blocks[a->n - 1] : NULL;
    if (!b || b->size - b->used < len) {
        size_t grow = a->n < 4 ? (BLOCK >> 4) << a->n : BLOCK; /* 64 KiB, doubling to 1 MiB */
        size_t size = len > grow ? len : grow;
        if (tokd__reserve((void **)&a->blocks, &a->cap, a->n + 1, sizeof *a->blocks) != 0)
            return NULL;
        b = &a->blocks[a->n];
        if (!(b->p = malloc(size)))
            return NULL;
        b->size = size;
        b->used = 0;
        a->n++;
        a->bytes += size;
    }
    uint8_t *p = b->p + b->used;
    b->used += len;
    return p;
}

int tokd__counts_add_piece(tokd_counts *c, const uint8_t *p, uint32_t len, int64_t delta)
{
    uint8_t *copy = arena_take(&c->arena, len);
    if (!copy)
        return TOKD_ENOMEM;
    memcpy(copy, p, len);
    size_t before = c->table.n;
    int rc = tokd__pieces_add(&c->table, copy, len, delta);
    if (rc != 0 || c->table.n == before)
        c->arena.blocks[c->arena.n - 1].used -= len; /* known already, or failed: give the copy back */
    return rc;
}

static int set_strings(tokd_counts *c, const char *pattern, size_t plen, const char *name, size_t nlen)
{
    c->pattern = malloc(plen + 1);
    c->pattern_name = malloc(nlen + 1);
    if (!c->pattern || !c->pattern_name)
        return TOKD_ENOMEM;
    memcpy(c->pattern, pattern, plen);
    c->pattern[plen] = '\0';
    memcpy(c->pattern_name, name, nlen);
    c->pattern_name[nlen] = '\0';
    return 0;
}

static tokd_counts *counts_alloc(const char *pattern, size_t plen, const char *name, size_t nlen)
{
    tokd_counts *c = calloc(1, sizeof *c);
    if (c && set_strings(c, pattern, plen, name, nlen) != 0) {
        tokd_counts_free(c);
        return NULL;
    }
    if (c)
        tokd__sha256_init(&c->corpus_sha);
    return c;
}

int tokd_counts_new(const char *pattern, const char *pattern_name, tokd_counts **out, tokd_error *err)
{
    if (!pattern)
        return tokd_error_set(err, TOKD_EINVAL, "no pre-tokenizer pattern given");
    const char *name = pattern_name ? pattern_name : "";
    tokd_counts *c = counts_alloc(pattern, strlen(pattern), name, strlen(name));
    if (!c)
        return tokd_error_set(err, TOKD_ENOMEM, "out of memory");
    int rc = tokd__pretok_init(&c->pt, c->pattern, 1, err);
    if (rc != 0) {
        tokd_counts_free(c);
        return rc;
    }
    c->compiled = 1;
    c->corpus_hash = TOKD__HASH_FRESH;
    *out = c;
    return 0;
}

void tokd_counts_free(tokd_counts *c)
{
    if (!c)
        return;
    if (c->compiled)
        tokd__pretok_release(&c->pt);
    tokd__pieces_release(&c->table);
    tokd__arena_release(&c->arena);
    free(c->pattern);
    free(c->pattern_name);
    free(c);
}

static int fold(tokd_counts *c, const tokd__pieces *from)
{
    for (size_t i = 0; i < from->n; i++) {
        const tokd__piece *e = &from->e[i];
        int rc = e->count ? tokd__counts_add_piece(c, e->p, e->len, e->count) : 0;
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* What a failed fold or add means, for an error text. */
static const char *add_failure(int rc)
{
    return rc == TOKD_ELIMIT ? "a count would pass 2^63-1" : "out of memory";
}

int tokd__counts_add_spans(tokd_counts *c, const tokd_train_text *texts, const tokd__span *spans, size_t n,
                           unsigned threads, tokd_train_progress *pg, tokd_error *err)
{
    if (!c->compiled) {
        int rc = tokd__pretok_init(&c->pt, c->pattern, 1, err);
        if (rc != 0)
            return rc;
        c->compiled = 1;
    }
    tokd__pieces local = {0};
    int rc = tokd__count_spans(&c->pt, texts, spans, n, tokd__train_threads(threads), 0, pg, &local, err);
    if (rc == 0 && (rc = fold(c, &local)) != 0)
        rc = tokd_error_set(err, rc, "%s while counting the corpus's pieces", add_failure(rc));
    tokd__pieces_release(&local);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        c->bytes += spans[i].end - spans[i].start;
        c->texts += spans[i].start == 0;
    }
    return rc;
}

int tokd_counts_add_text(tokd_counts *c, const char *text, size_t len, size_t start, size_t end, unsigned threads,
                         tokd_error *err)
{
    if (start >= end || end > len || !tokd_utf8_valid(text, len) || (start < len && (text[start] & 0xC0) == 0x80) ||
        (end < len && (text[end] & 0xC0) == 0x80))
        return tokd_error_set(err, TOKD_EINVAL, "a part of a text must be valid UTF-8 and cut at code point starts, "
                                                "start before end");
    tokd_train_text t = {text, len};
    tokd__span sp = {0, start, end};
    c->corpus_hash = TOKD__HASH_NONE;
    return tokd__counts_add_spans(c, &t, &sp, 1, threads, NULL, err);
}

static const char *pattern_label(const tokd_counts *c)
{
    return c->pattern_name[0] ? c->pattern_name : "a custom regex";
}

int tokd_counts_add(tokd_counts *into, const tokd_counts *from, tokd_error *err)
{
    if (strcmp(into->pattern, from->pattern) != 0)
        return tokd_error_set(err, TOKD_EINVAL,
                              "counts made with different patterns cannot be added: %.64s%s%.100s%s and %.64s%s%.100s%s",
                              pattern_label(into), into->pattern_name[0] ? "" : " (", into->pattern_name[0] ? "" : into->pattern,
                              into->pattern_name[0] ? "" : ")", pattern_label(from), from->pattern_name[0] ? "" : " (",
                              from->pattern_name[0] ? "" : from->pattern, from->pattern_name[0] ? "" : ")");
    int rc = fold(into, &from->table);
    if (rc != 0)
        return tokd_error_set(err, rc, "%s adding counts", add_failure(rc));
    into->texts += from->texts;
    into->bytes += from->bytes;
    into->invalid += from->invalid;
    into->corpus_hash = TOKD__HASH_NONE;
    return 0;
}

void tokd_counts_get_info(const tokd_counts *c, tokd_counts_info *out)
{
    uint64_t distinct = 0;
    for (size_t i = 0; i < c->table.n; i++)
        distinct += c->table.e[i].count != 0;
    *out = (tokd_counts_info){c->pattern, c->pattern_name, c->texts, c->bytes, c->invalid, (uint64_t)c->table.total,
                              distinct,
                              c->arena.bytes + c->table.cap * sizeof *c->table.e +
                                  (c->table.slots ? (c->table.mask + 1) * sizeof *c->table.slots : 0)};
}

int tokd_counts_each(const tokd_counts *c, int (*fn)(void *arg, const char *piece, size_t len, int64_t count),
                     void *arg)
{
    for (size_t i = 0; i < c->table.n; i++) {
        const tokd__piece *e = &c->table.e[i];
        int rc = e->count ? fn(arg, (const char *)e->p, e->len, e->count) : 0;
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ---- writing */

static int by_bytes(const void *x, const void *y)
{
    const tokd__piece *a = *(tokd__piece *const *)x, *b = *(tokd__piece *const *)y;
    int d = memcmp(a->p, b->p, a->len < b->len ? a->len : b->len);
    return d ? d : (a->len > b->len) - (a->len < b->len);
}

/* The pieces with a count, sorted by bytes: *out (free it), *n of them. */
static int sorted(const tokd_counts *c, tokd__piece ***out, size_t *n)
{
    tokd__piece **v = malloc((c->table.n ? c->table.n : 1) * sizeof *v);
    size_t k = 0;
    if (!v)
        return TOKD_ENOMEM;
    for (size_t i = 0; i < c->table.n; i++)
        if (c->table.e[i].count)
            v[k++] = &c->table.e[i];
    qsort(v, k, sizeof *v, by_bytes);
    *out = v;
    *n = k;
    return 0;
}

static int put(tokd_bytes *b, const void *p, size_t n)
{
    return tokd_bytes_append(b, p, n);
}

static int put_u32(tokd_bytes *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return put(b, x, 4);
}

static int put_u64(tokd_bytes *b, uint64_t v)
{
    return put_u32(b, (uint32_t)v) || put_u32(b, (uint32_t)(v >> 32));
}

static int encode_header(const tokd_counts *c, size_t entries, tokd_bytes *b)
{
    size_t pl = strlen(c->pattern), nl = strlen(c->pattern_name);
    return put(b, MAGIC, 8) || put_u32(b, TOKD_COUNTS_VERSION) || put_u32(b, 0) || put_u32(b, (uint32_t)pl) ||
           put(b, c->pattern, pl) || put_u32(b, (uint32_t)nl) || put(b, c->pattern_name, nl) ||
           put_u64(b, c->texts) || put_u64(b, c->bytes) || put_u64(b, c->invalid) || put_u64(b, entries);
}

int tokd__counts_encode(const tokd_counts *c, tokd_bytes *b)
{
    tokd__piece **v;
    size_t n;
    if (sorted(c, &v, &n) != 0)
        return TOKD_ENOMEM;
    int bad = encode_header(c, n, b);
    for (size_t i = 0; !bad && i < n; i++)
        bad = put_u32(b, v[i]->len) || put_u64(b, (uint64_t)v[i]->count) || put(b, v[i]->p, v[i]->len);
    free(v);
    uint8_t d[TRAILER];
    if (!bad) {
        tokd__sha256 h;
        tokd__sha256_init(&h);
        tokd__sha256_update(&h, b->data, b->len);
        tokd__sha256_final(&h, d);
        bad = put(b, d, sizeof d);
    }
    return bad ? TOKD_ENOMEM : 0;
}

int tokd_counts_write(const tokd_counts *c, const char *path, tokd_error *err)
{
    tokd_bytes b = {0};
    int rc = tokd__counts_encode(c, &b);
    if (rc != 0)
        rc = tokd_error_set(err, rc, "out of memory writing the counts file");
    else
        rc = tokd__write_durably(path, b.data, b.len, err);
    tokd_bytes_release(&b);
    return rc;
}

/* ---- reading */

typedef struct reader {
    const uint8_t *p;
    size_t n, at;
    const char *what;
    tokd_error *err;
} reader;

static int truncated(reader *r, const char *where)
{
    return tokd_error_set(r->err, TOKD_EFORMAT, "%.200s is truncated (%zu bytes) in %s", r->what, r->n, where);
}

static int get(reader *r, size_t n, const uint8_t **out)
{
    if (r->n - r->at < n)
        return -1;
    *out = r->p + r->at;
    r->at += n;
    return 0;
}

static int get_u32(reader *r, uint32_t *v)
{
    const uint8_t *x;
    if (get(r, 4, &x) != 0)
        return -1;
    *v = (uint32_t)x[0] | (uint32_t)x[1] << 8 | (uint32_t)x[2] << 16 | (uint32_t)x[3] << 24;
    return 0;
}

static int get_u64(reader *r, uint64_t *v)
{
    uint32_t lo, hi;
    if (get_u32(r, &lo) != 0 || get_u32(r, &hi) != 0)
        return -1;
    *v = (uint64_t)hi << 32 | lo;
    return 0;
}

/* A u32-length string of at most `max` bytes, valid UTF-8. */
static int get_string(reader *r, uint32_t max, const char *field, const uint8_t **s, uint32_t *len)
{
    if (get_u32(r, len) != 0 || (*len <= max && get(r, *len, s) != 0))
        return truncated(r, "the header");
    if (*len > max)
        return tokd_error_set(r->err, TOKD_EFORMAT, "%.200s: the %s has %u bytes; at most %u", r->what, field, *len,
                              max);
    if (!tokd_utf8_valid((const char *)*s, *len) || memchr(*s, 0, *len))
        return tokd_error_set(r->err, TOKD_EFORMAT, "%.200s: the %s is not valid UTF-8 without NUL", r->what, field);
    return 0;
}

typedef struct header {
    const uint8_t *pattern, *name;
    uint32_t plen, nlen;
    uint64_t texts, bytes, invalid, entries;
} header;

static int read_header(reader *r, header *h)
{
    const uint8_t *magic;
    uint32_t version, flags;
    if (get(r, 8, &magic) != 0 || memcmp(magic, MAGIC, 8) != 0)
        return tokd_error_set(r->err, TOKD_EFORMAT, "%.200s is not a tokd counts file (it does not start with %s)",
                              r->what, MAGIC);
    if (get_u32(r, &version) != 0 || get_u32(r, &flags) != 0)
        return truncated(r, "the header");
    if (version != TOKD_COUNTS_VERSION)
        return tokd_error_set(r->err, TOKD_EFORMAT, "%.200s is counts format version %u; this tokd reads version %u",
                              r->what, version, TOKD_COUNTS_VERSION);
    if (flags != 0)
        return tokd_error_set(r->err, TOKD_EFORMAT, "%.200s has unknown flags 0x%x", r->what, flags);
    int rc = get_string(r, MAX_PATTERN, "pattern", &h->pattern, &h->plen);
    if (rc == 0)
        rc = get_string(r, MAX_NAME, "pattern name", &h->name, &h->nlen);
    if (rc != 0)
        return rc;
    if (!h->plen)
        return tokd_error_set(r->err, TOKD_EFORMAT, "%.200s: the pattern is empty", r->what);
    if (get_u64(r, &h->texts) || get_u64(r, &h->bytes) || get_u64(r, &h->invalid) || get_u64(r, &h->entries))
        return truncated(r, "the header");
    if (h->entries > (r->n - r->at) / 13) /* 12 bytes of fields and a byte of piece each */
        return tokd_error_set(r->err, TOKD_EFORMAT, "%.200s says it has %llu entries; it is too short for that",
                              r->what, (unsigned long long)h->entries);
    return 0;
}

static int bad_entry(reader *r, uint64_t i, const char *why)
{
    return tokd_error_set(r->err, TOKD_EFORMAT, "%.200s: entry %llu %s", r->what, (unsigned long long)i, why);
}

static int read_entries(reader *r, const header *h, tokd_counts *c)
{
    const uint8_t *prev = NULL, *p;
    uint32_t prev_len = 0, len;
    uint64_t count;
    for (uint64_t i = 0; i < h->entries; i++) {
        if (get_u32(r, &len) != 0 || get_u64(r, &count) != 0 || (len && len <= MAX_PIECE && get(r, len, &p) != 0))
            return truncated(r, "the entries");
        if (!len || len > MAX_PIECE)
            return bad_entry(r, i, "has a piece of 0 or more than 2^31 bytes");
        if (!count)
            return bad_entry(r, i, "has a count of 0");
        if (!tokd_utf8_valid((const char *)p, len))
            return bad_entry(r, i, "is not valid UTF-8");
        int d = prev ? memcmp(prev, p, prev_len < len ? prev_len : len) : -1;
        if (prev && (d > 0 || (d == 0 && prev_len >= len)))
            return bad_entry(r, i, "is out of order or repeated (entries are sorted by their bytes)");
        int rc = tokd__counts_add_piece(c, p, len, (int64_t)count);
        if (rc == TOKD_ELIMIT)
            return bad_entry(r, i, "makes the counts add up past 2^63-1");
        if (rc != 0)
            return tokd_error_set(r->err, rc, "out of memory reading %.200s", r->what);
        prev = p, prev_len = len;
    }
    return 0;
}

static int check_trailer(reader *r)
{
    if (r->n - r->at < TRAILER)
        return truncated(r, "the checksum");
    if (r->n - r->at > TRAILER)
        return tokd_error_set(r->err, TOKD_EFORMAT, "%.200s has %zu bytes after its checksum", r->what,
                              r->n - r->at - TRAILER);
    uint8_t d[TRAILER];
    tokd__sha256 h;
    tokd__sha256_init(&h);
    tokd__sha256_update(&h, r->p, r->at);
    tokd__sha256_final(&h, d);
    if (memcmp(d, r->p + r->at, TRAILER) != 0)
        return tokd_error_set(r->err, TOKD_EFORMAT, "%.200s fails its SHA-256 check: the file is damaged", r->what);
    return 0;
}

int tokd_counts_parse(const void *data, size_t len, const char *what, tokd_counts **out, tokd_error *err)
{
    reader r = {data, len, 0, what ? what : "the counts file", err};
    header h;
    int rc = read_header(&r, &h);
    if (rc != 0)
        return rc;
    tokd_counts *c = counts_alloc((const char *)h.pattern, h.plen, (const char *)h.name, h.nlen);
    if (!c)
        return tokd_error_set(err, TOKD_ENOMEM, "out of memory reading %.200s", r.what);
    c->texts = h.texts, c->bytes = h.bytes, c->invalid = h.invalid;
    c->corpus_hash = TOKD__HASH_NONE;
    if ((rc = read_entries(&r, &h, c)) == 0)
        rc = check_trailer(&r);
    if (rc != 0) {
        tokd_counts_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int tokd_counts_read(const char *path, int fd, tokd_counts **out, tokd_error *err)
{
    struct stat st;
    int own = fd < 0;
    if (own && (fd = tokd_file_open(path, &st, err)) < 0)
        return fd;
    if (!own && fstat(fd, &st) != 0)
        return tokd_error_set(err, TOKD_EIO, "cannot read %.200s", path);
    void *p = st.st_size ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    if (own)
        close(fd);
    if (p == MAP_FAILED)
        return tokd_error_set(err, TOKD_EIO, "cannot map %.200s", path);
    int rc = tokd_counts_parse(p ? p : "", (size_t)st.st_size, path, out, err);
    if (p)
        munmap(p, (size_t)st.st_size);
    return rc;
}
