/* embed_init.c - a fresh embedding table, initialised like torch.nn.Embedding.
 *
 * Values are standard normal: xoshiro256** (seeded through splitmix64)
 * feeds Marsaglia's polar method. Rows are written in order, token table
 * first, so the file depends only on the arguments. F16 and BF16 are
 * rounded to nearest, ties to even. The header is padded with spaces to a
 * multiple of 8 bytes, so the data is aligned, as safetensors writers do. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tokd/embed.h"

typedef struct rng {
    uint64_t s[4];
    int have_spare;
    double spare;
} rng;

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t next(rng *r)
{
    uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0], s[3] ^= s[1], s[1] ^= s[2], s[0] ^= s[3], s[2] ^= t, s[3] = rotl(s[3], 45);
    return out;
}

/* Uniform in (-1, 1). */
static double uniform(rng *r)
{
    return (double)(next(r) >> 11) * 0x1p-52 - 1.0;
}

static double normal(rng *r)
{
    if (r->have_spare) {
        r->have_spare = 0;
        return r->spare;
    }
    double u, v, s;
    do {
        u = uniform(r);
        v = uniform(r);
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double f = sqrt(-2.0 * log(s) / s);
    r->spare = v * f;
    r->have_spare = 1;
    return u * f;
}

static uint16_t to_bf16(float f)
{
    uint32_t b;
    memcpy(&b, &f, 4);
    if ((b & 0x7FFFFFFF) > 0x7F800000)
        return (uint16_t)(b >> 16 | 0x40); /* NaN stays NaN */
    return (uint16_t)((b + 0x7FFF + (b >> 16 & 1)) >> 16);
}

static uint16_t to_f16(float f)
{
    uint32_t b;
    memcpy(&b, &f, 4);
    uint16_t sign = (uint16_t)(b >> 16 & 0x8000);
    float a = fabsf(f);
    if (a != a)
        return sign | 0x7E00;
    if (a >= 65520.0f) /* rounds to infinity */
        return sign | 0x7C00;
    if (a < 0x1p-14f) /* subnormal: a multiple of 2^-24, rounded to even */
        return sign | (uint16_t)lrintf(a * 0x1p24f);
    uint32_t m = b & 0x7FFFFFFF;
    uint32_t r = m + 0xFFF + (m >> 13 & 1); /* round the 13 dropped bits to even */
    return sign | (uint16_t)((r >> 13) - (112u << 10));
}

static int put_value(FILE *f, float v, const char *dtype)
{
    uint8_t b[4];
    if (!strcmp(dtype, "F32")) {
        uint32_t u;
        memcpy(&u, &v, 4);
        b[0] = (uint8_t)u, b[1] = (uint8_t)(u >> 8), b[2] = (uint8_t)(u >> 16), b[3] = (uint8_t)(u >> 24);
        return fwrite(b, 1, 4, f) == 4 ? 0 : -1;
    }
    uint16_t h = dtype[0] == 'B' ? to_bf16(v) : to_f16(v);
    b[0] = (uint8_t)h, b[1] = (uint8_t)(h >> 8);
    return fwrite(b, 1, 2, f) == 2 ? 0 : -1;
}

static char *header(const char *tokenizer, size_t rows, size_t dim, size_t context, uint64_t seed,
                    const char *dtype, size_t *len)
{
    size_t elem = strcmp(dtype, "F32") ? 2 : 4, a = rows * dim * elem, b = a + context * dim * elem;
    char seed_text[24];
    snprintf(seed_text, sizeof seed_text, "%llu", (unsigned long long)seed);
    json_t *h = json_pack("{s:{s:s, s:s, s:s}, s:{s:s, s:[I, I], s:[I, I]}}", "__metadata__", "tokenizer", tokenizer,
                          "seed", seed_text, "init", "normal(0, 1)", "wte.weight", "dtype", dtype, "shape",
                          (json_int_t)rows, (json_int_t)dim, "data_offsets", (json_int_t)0, (json_int_t)a);
    if (h && context)
        json_object_set_new(h, "wpe.weight", json_pack("{s:s, s:[I, I], s:[I, I]}", "dtype", dtype, "shape",
                                                       (json_int_t)context, (json_int_t)dim, "data_offsets",
                                                       (json_int_t)a, (json_int_t)b));
    char *text = h ? json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(h);
    if (!text)
        return NULL;
    size_t n = strlen(text), padded = (n + 7) / 8 * 8;
    char *out = realloc(text, padded + 1);
    if (!out) {
        free(text);
        return NULL;
    }
    memset(out + n, ' ', padded - n);
    *len = padded;
    return out;
}

static int write_values(FILE *f, size_t count, const char *dtype, rng *r)
{
    for (size_t i = 0; i < count; i++)
        if (put_value(f, (float)normal(r), dtype) != 0)
            return -1;
    return 0;
}

int tokd_embedding_init_file(const char *path, const char *tokenizer, size_t rows, size_t dim, size_t context,
                             uint64_t seed, const char *dtype, tokd_error *err)
{
    if (strcmp(dtype, "F32") && strcmp(dtype, "F16") && strcmp(dtype, "BF16"))
        return tokd_error_set(err, TOKD_EINVAL, "dtype must be F32, F16 or BF16, not %.20s", dtype);
    if (!rows || !dim || dim > (1u << 20) || rows > (1u << 24) || context > (1u << 24))
        return tokd_error_set(err, TOKD_EINVAL, "rows (1 to 16M), dim (1 to 1M) and context (0 to 16M) are out of range");
    size_t hlen;
    char *h = header(tokenizer, rows, dim, context, seed, dtype, &hlen), tmp[4200];
    if (!h)
        return TOKD_ENOMEM;
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    rng r = {{0}, 0, 0};
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r.s[i] = splitmix(&x);
    uint8_t len8[8];
    for (int i = 0; i < 8; i++)
        len8[i] = (uint8_t)((uint64_t)hlen >> (8 * i));
    int bad = !f || fwrite(len8, 1, 8, f) != 8 || fwrite(h, 1, hlen, f) != hlen ||
              write_values(f, rows * dim, dtype, &r) || write_values(f, context * dim, dtype, &r) || fflush(f) ||
              fsync(fileno(f));
    int saved = errno;
    free(h);
    if ((f && fclose(f) != 0) || bad || rename(tmp, path) != 0) {
        saved = bad ? saved : errno;
        unlink(tmp);
        return tokd_error_set(err, TOKD_EIO, "cannot write %s: %s", path, strerror(saved));
    }
    return 0;
}
