/* embedding.c - token and position tables over a mapped safetensors file.
 *
 * Rows are converted to float one at a time into the caller's buffer
 * (memcpy for F32, so unaligned data is fine); nothing is decoded ahead.
 * The similarity search streams the whole table once, computing each row's
 * dot product with the query and its norm together, and keeps the best k
 * in a small heap. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safetensors.h"
#include "sha256.h"
#include "tokd/embed.h"
#include "tokd/file.h"

_Static_assert(sizeof(float) == 4, "float must be IEEE binary32");

typedef struct table {
    const uint8_t *data; /* first row */
    const char *dtype;
    size_t elem, rows, dim;
} table;

struct tokd_embedding {
    uint8_t *map;
    size_t len;
    table tok, pos; /* pos.rows == 0: none */
};

float tokd_f16_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1F, man = h & 0x3FF, bits;
    if (exp == 0x1F)
        bits = sign | 0x7F800000u | man << 13; /* inf, NaN */
    else if (exp)
        bits = sign | (exp + 112) << 23 | man << 13;
    else if (!man)
        bits = sign;
    else { /* subnormal: man * 2^-24, exact in float */
        float f = (float)man * 0x1p-24f;
        memcpy(&bits, &f, 4);
        bits |= sign;
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

float tokd_bf16_to_float(uint16_t b)
{
    uint32_t bits = (uint32_t)b << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

/* Row r into out (add = 0) or added to it (add = 1). BF16 has a loop of
 * its own: a shift per value, no branch (the F16 conversion has several). */
static void row_into(const table *t, size_t r, float *out, int add)
{
    const uint8_t *p = t->data + r * t->dim * t->elem;
    const size_t dim = t->dim;
    const int f32 = t->elem == 4, bf16 = !f32 && t->dtype[0] == 'B';
    float v;
    if (f32 && !add) {
        memcpy(out, p, dim * 4);
    } else if (f32) {
        for (size_t i = 0; i < dim; i++) {
            memcpy(&v, p + 4 * i, 4);
            out[i] += v;
        }
    } else if (bf16) {
        for (size_t i = 0; i < dim; i++) {
            uint32_t bits = (uint32_t)(p[2 * i] | p[2 * i + 1] << 8) << 16;
            memcpy(&v, &bits, 4);
            out[i] = add ? out[i] + v : v;
        }
    } else {
        for (size_t i = 0; i < dim; i++) {
            v = tokd_f16_to_float((uint16_t)(p[2 * i] | p[2 * i + 1] << 8));
            out[i] = add ? out[i] + v : v;
        }
    }
}

static void row(const table *t, size_t r, float *out)
{
    row_into(t, r, out, 0);
}

static int bind(const tokd__safetensors *st, const uint8_t *map, const char *name, table *t, tokd_error *err)
{
    const tokd__st_tensor *x = tokd__safetensors_find(st, name);
    if (!x)
        return tokd_error_set(err, TOKD_ENOENT, "no tensor \"%.100s\"", name);
    if (strcmp(x->dtype, "F32") && strcmp(x->dtype, "F16") && strcmp(x->dtype, "BF16"))
        return tokd_error_set(err, TOKD_EFORMAT, "tensor \"%.100s\" is %s; tokd reads F32, F16 and BF16", name,
                              x->dtype);
    if (x->ndim != 2 || !x->shape[0] || !x->shape[1])
        return tokd_error_set(err, TOKD_EFORMAT, "tensor \"%.100s\" must be a non-empty matrix (rows x dim)", name);
    *t = (table){map + st->data_start + x->begin, x->dtype, x->elem_size, (size_t)x->shape[0], (size_t)x->shape[1]};
    return 0;
}

static int map_file(const char *path, tokd_embedding *e, tokd_error *err)
{
    struct stat st;
    int fd = tokd_file_open(path, &st, err);
    if (fd < 0)
        return fd;
    e->len = (size_t)st.st_size;
    e->map = e->len ? mmap(NULL, e->len, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    close(fd);
    if (e->map == MAP_FAILED) {
        e->map = NULL;
        return tokd_error_set(err, TOKD_EIO, "cannot map %s: %s", path, strerror(errno));
    }
    return 0;
}

static int check_hash(const tokd_embedding *e, const char *path, const char *expect, tokd_error *err)
{
    char hex[65];
    tokd__sha256_hex(e->map, e->len, hex);
    if (strcmp(hex, expect) != 0)
        return tokd_error_set(err, TOKD_EHASH, "%s has SHA-256 %s but %s is expected: the file was changed or truncated",
                              path, hex, expect);
    return 0;
}

static int bind_tables(tokd_embedding *e, const char *tensor, const char *positional, tokd_error *err)
{
    tokd__safetensors st;
    int rc = tokd__safetensors_parse(e->map, e->len, &st, err);
    if (rc)
        return rc;
    rc = bind(&st, e->map, tensor, &e->tok, err);
    if (rc == 0 && positional && (rc = bind(&st, e->map, positional, &e->pos, err)) == 0 && e->pos.dim != e->tok.dim)
        rc = tokd_error_set(err, TOKD_EFORMAT, "\"%.80s\" has dim %zu but \"%.80s\" has %zu", positional, e->pos.dim,
                            tensor, e->tok.dim);
    tokd__safetensors_release(&st);
    return rc;
}

int tokd_embedding_open(const char *path, const char *tensor, const char *positional, const char *expect_sha256,
                        tokd_embedding **out, tokd_error *err)
{
    tokd_embedding *e = calloc(1, sizeof *e);
    if (!e)
        return TOKD_ENOMEM;
    int rc = map_file(path, e, err);
    if (rc == 0 && expect_sha256)
        rc = check_hash(e, path, expect_sha256, err);
    if (rc == 0 && (rc = bind_tables(e, tensor, positional, err)) != 0 && err) {
        char msg[sizeof err->text];
        snprintf(msg, sizeof msg, "%s", err->text);
        tokd_error_set(err, rc, "%s: %s", path, msg);
    }
    if (rc) {
        tokd_embedding_free(e);
        return rc;
    }
    *out = e;
    return 0;
}

void tokd_embedding_free(tokd_embedding *e)
{
    if (!e)
        return;
    if (e->map)
        munmap(e->map, e->len);
    free(e);
}

size_t tokd_embedding_rows(const tokd_embedding *e)
{
    return e->tok.rows;
}

size_t tokd_embedding_dim(const tokd_embedding *e)
{
    return e->tok.dim;
}

size_t tokd_embedding_context(const tokd_embedding *e)
{
    return e->pos.rows;
}

const char *tokd_embedding_dtype(const tokd_embedding *e)
{
    return e->tok.dtype;
}

int tokd_embedding_lookup(const tokd_embedding *e, uint32_t id, long pos, float *out)
{
    if (id >= e->tok.rows || (pos >= 0 && (size_t)pos >= e->pos.rows))
        return TOKD_ERANGE;
    row(&e->tok, id, out);
    if (pos >= 0)
        row_into(&e->pos, (size_t)pos, out, 1);
    return 0;
}

/* dot(q, r) and |r|^2: eight independent float lanes (vectorizable),
 * summed in double at the end. */
static void dot_norm(const float *q, const float *r, size_t n, double *dot, double *norm)
{
    float d[8] = {0}, m[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++) {
            d[j] += q[i + j] * r[i + j];
            m[j] += r[i + j] * r[i + j];
        }
    double dd = 0, mm = 0;
    for (int j = 0; j < 8; j++)
        dd += d[j], mm += m[j];
    for (; i < n; i++)
        dd += (double)q[i] * r[i], mm += (double)r[i] * r[i];
    *dot = dd;
    *norm = mm;
}

/* Is a better than b: higher score, then smaller id. */
static int better(const tokd_neighbor *a, const tokd_neighbor *b)
{
    return a->score > b->score || (a->score == b->score && a->id < b->id);
}

/* Keep the best k in a heap whose top h[0] is the worst kept. */
static void offer(tokd_neighbor *h, size_t *n, size_t k, tokd_neighbor c)
{
    size_t i;
    if (*n < k) {
        for (i = (*n)++; i > 0 && better(&h[(i - 1) / 2], &c); i = (i - 1) / 2)
            h[i] = h[(i - 1) / 2];
        h[i] = c;
        return;
    }
    if (!better(&c, &h[0]))
        return;
    for (i = 0;;) {
        size_t m = 2 * i + 1;
        if (m >= k)
            break;
        if (m + 1 < k && better(&h[m], &h[m + 1]))
            m++;
        if (!better(&c, &h[m]))
            break;
        h[i] = h[m];
        i = m;
    }
    h[i] = c;
}

static int by_rank(const void *x, const void *y)
{
    return better(y, x) - better(x, y);
}

int tokd_embedding_similar(const tokd_embedding *e, const float *query, size_t rows, size_t k, uint32_t exclude,
                           int (*skip)(void *arg, uint32_t id), void *arg, tokd_neighbor *out, size_t *n)
{
    size_t dim = e->tok.dim;
    float *r = malloc(dim * sizeof *r);
    if (!r)
        return TOKD_ENOMEM;
    double qq, unused;
    dot_norm(query, query, dim, &unused, &qq);
    *n = 0;
    rows = rows < e->tok.rows ? rows : e->tok.rows;
    for (uint32_t id = 0; k && id < rows; id++) {
        if (id == exclude || (skip && skip(arg, id)))
            continue;
        double d, rr;
        row(&e->tok, id, r);
        dot_norm(query, r, dim, &d, &rr);
        float score = qq > 0 && rr > 0 ? (float)(d / (sqrt(qq) * sqrt(rr))) : 0.0f;
        if (score != score)
            continue; /* a row (or query) with infinities or NaN has no direction */
        offer(out, n, k, (tokd_neighbor){id, score});
    }
    free(r);
    qsort(out, *n, sizeof *out, by_rank);
    return 0;
}
