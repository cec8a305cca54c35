/* test_embed.c - safetensors tables: exact dtype conversion, validation of
 * malformed files, lookups with positions, similarity, and embed init. */
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static char dir[] = "/tmp/tokd-embed-XXXXXX";

/* Write a safetensors file: `header` JSON then `data`; returns its path. */
static const char *write_st(const char *name, const char *header, const void *data, size_t len)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    uint64_t n = strlen(header);
    uint8_t len8[8];
    for (int i = 0; i < 8; i++)
        len8[i] = (uint8_t)(n >> (8 * i));
    fwrite(len8, 1, 8, f);
    fwrite(header, 1, n, f);
    fwrite(data, 1, len, f);
    fclose(f);
    return path;
}

static uint32_t bits(float f)
{
    uint32_t b;
    memcpy(&b, &f, 4);
    return b;
}

/* The float a half-precision pattern means, computed independently. */
static double half_value(uint16_t h)
{
    int e = (h >> 10) & 0x1F, m = h & 0x3FF;
    double v = e == 0 ? ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexp(1024 + m, e - 25);
    return (h & 0x8000) ? -v : v;
}

START_TEST(f16_every_pattern)
{
    for (uint32_t h = 0; h < 65536; h++) {
        float f = tokd_f16_to_float((uint16_t)h), want = (float)half_value((uint16_t)h);
        if (isnan(want))
            ck_assert_msg(isnan(f), "f16 %04x should be NaN", h);
        else
            ck_assert_msg(bits(f) == bits(want), "f16 %04x: %a, want %a", h, (double)f, (double)want);
    }
}
END_TEST

START_TEST(bf16_edges)
{
    ck_assert_uint_eq(bits(tokd_bf16_to_float(0x3F80)), bits(1.0f));
    ck_assert_uint_eq(bits(tokd_bf16_to_float(0x0001)), 0x00010000u); /* smallest subnormal, 2^-133 */
    ck_assert(tokd_bf16_to_float(0x0001) == ldexpf(1.0f, -133));
    ck_assert(isinf(tokd_bf16_to_float(0x7F80)) && tokd_bf16_to_float(0x7F80) > 0);
    ck_assert(isinf(tokd_bf16_to_float(0xFF80)) && tokd_bf16_to_float(0xFF80) < 0);
    ck_assert(isnan(tokd_bf16_to_float(0x7FC0)));
    ck_assert_uint_eq(bits(tokd_bf16_to_float(0x8000)), 0x80000000u); /* -0 */
    ck_assert(tokd_bf16_to_float(0x7F7F) == 0x1.FEp127f);             /* largest finite */
}
END_TEST

static tokd_embedding *open_ok(const char *path, const char *tensor, const char *pos)
{
    tokd_embedding *e = NULL;
    tokd_error err = {0};
    ck_assert_msg(tokd_embedding_open(path, tensor, pos, NULL, &e, &err) == 0, "%s", err.text);
    return e;
}

/* The same 2x3 values in every dtype, with edge values. */
START_TEST(dtypes_convert_exactly)
{
    const uint16_t f16[6] = {0x0001, 0x03FF, 0x7C00, 0xFC00, 0x7BFF, 0x3C00};   /* sub, max sub, inf, -inf, 65504, 1 */
    const uint16_t bf16[6] = {0x0001, 0x007F, 0x7F80, 0xFF80, 0x7F7F, 0x3F80};  /* sub, max sub, inf, -inf, max, 1 */
    const float f32[6] = {0x1p-149f, -0.0f, INFINITY, -INFINITY, 3.4028235e38f, 1.0f};
    const char *hdr = "{\"t\":{\"dtype\":\"%s\",\"shape\":[2,3],\"data_offsets\":[0,%d]}}";
    char h[200];
    const struct {
        const char *dtype;
        const void *data;
        int size;
    } cases[] = {{"F16", f16, 12}, {"BF16", bf16, 12}, {"F32", f32, 24}};
    for (int c = 0; c < 3; c++) {
        snprintf(h, sizeof h, hdr, cases[c].dtype, cases[c].size);
        tokd_embedding *e = open_ok(write_st("d.safetensors", h, cases[c].data, (size_t)cases[c].size), "t", NULL);
        ck_assert_str_eq(tokd_embedding_dtype(e), cases[c].dtype);
        ck_assert_uint_eq(tokd_embedding_rows(e), 2);
        ck_assert_uint_eq(tokd_embedding_dim(e), 3);
        ck_assert_uint_eq(tokd_embedding_context(e), 0);
        float got[6];
        ck_assert_int_eq(tokd_embedding_lookup(e, 0, -1, got), 0);
        ck_assert_int_eq(tokd_embedding_lookup(e, 1, -1, got + 3), 0);
        for (int i = 0; i < 6; i++) {
            float want = c == 0   ? tokd_f16_to_float(f16[i])
                         : c == 1 ? tokd_bf16_to_float(bf16[i])
                                  : f32[i];
            ck_assert_msg(bits(got[i]) == bits(want), "%s[%d]: %a, want %a", cases[c].dtype, i, (double)got[i],
                          (double)want);
        }
        ck_assert_int_eq(tokd_embedding_lookup(e, 2, -1, got), TOKD_ERANGE);
        tokd_embedding_free(e);
    }
    ck_assert(tokd_f16_to_float(0x0001) == 0x1p-24f && tokd_f16_to_float(0x03FF) == 0x3FFp-24f);
    ck_assert(tokd_f16_to_float(0x7BFF) == 65504.0f && tokd_bf16_to_float(0x007F) == 0x7Fp-133f);
}
END_TEST

START_TEST(positions_add_exactly)
{
    const float tok[6] = {1.5f, -2.0f, 0.25f, 10.0f, 20.0f, 30.0f};
    const float pos[4] = {100.0f, 200.0f, 300.0f, 0.125f};
    float data[10];
    memcpy(data, tok, sizeof tok);
    memcpy(data + 6, pos, sizeof pos);
    const char *p = write_st("p.safetensors",
                             "{\"wte\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[0,24]},"
                             "\"wpe\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[24,40]},"
                             "\"__metadata__\":{\"format\":\"pt\"}}",
                             data, sizeof data);
    tokd_embedding *e = open_ok(p, "wte", "wpe");
    ck_assert_uint_eq(tokd_embedding_context(e), 2);
    float v[2];
    ck_assert_int_eq(tokd_embedding_lookup(e, 2, 1, v), 0);
    ck_assert(v[0] == 20.0f + 300.0f && v[1] == 30.0f + 0.125f);
    ck_assert_int_eq(tokd_embedding_lookup(e, 0, 0, v), 0);
    ck_assert(v[0] == 101.5f && v[1] == 198.0f);
    ck_assert_int_eq(tokd_embedding_lookup(e, 0, 2, v), TOKD_ERANGE);
    tokd_embedding_free(e);
}
END_TEST

static void refused(const char *name, const char *header, size_t data_len, int code, const char *text)
{
    static const uint8_t zeros[64];
    const char *p = write_st(name, header, zeros, data_len);
    tokd_embedding *e = NULL;
    tokd_error err = {0};
    ck_assert_int_eq(tokd_embedding_open(p, "t", "u", NULL, &e, &err), code);
    ck_assert_ptr_null(e);
    ck_assert_msg(strstr(err.text, text) && strstr(err.text, name), "%s: got \"%s\"", name, err.text);
}

START_TEST(malformed_files_are_refused)
{
    const char *u = ",\"u\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[16,24]}";
    char h[300];
    snprintf(h, sizeof h, "{\"t\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}%s}", u);
    refused("truncated.st", h, 20, TOKD_EFORMAT, "data_offsets end at 24, past the data's 20 bytes");
    snprintf(h, sizeof h, "{\"t\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}%s}", u);
    refused("shape.st", h, 24, TOKD_EFORMAT, "data_offsets span 12 bytes but its shape and dtype need 16");
    snprintf(h, sizeof h, "{\"t\":{\"dtype\":\"F33\",\"shape\":[2,2],\"data_offsets\":[0,16]}%s}", u);
    refused("dtype.st", h, 24, TOKD_EFORMAT, "unknown dtype F33");
    snprintf(h, sizeof h, "{\"t\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}%s}", u);
    refused("int.st", h, 24, TOKD_EFORMAT, "is I32; tokd reads F32, F16 and BF16");
    snprintf(h, sizeof h, "{\"t\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                          "\"u\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[8,16]}}");
    refused("overlap.st", h, 16, TOKD_EFORMAT, "overlap");
    snprintf(h, sizeof h, "{\"t\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}%s}", u);
    refused("vector.st", h, 24, TOKD_EFORMAT, "must be a non-empty matrix");
    snprintf(h, sizeof h, "{\"t\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                          "\"u\":{\"dtype\":\"F32\",\"shape\":[1,3],\"data_offsets\":[16,28]}}");
    refused("dims.st", h, 28, TOKD_EFORMAT, "\"u\" has dim 3 but \"t\" has 2");
    snprintf(h, sizeof h, "{\"t\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}");
    refused("missing.st", h, 16, TOKD_ENOENT, "no tensor \"u\"");
    refused("notjson.st", "{\"t\": [", 0, TOKD_EFORMAT, "the header is not a JSON object");
    snprintf(h, sizeof h, "{\"t\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[16,0]}}");
    refused("backwards.st", h, 16, TOKD_EFORMAT, "data_offsets must be [begin, end]");
    snprintf(h, sizeof h, "{\"t\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,16]}}");
    refused("huge.st", h, 16, TOKD_EFORMAT, "its shape overflows");

    char path[256];
    snprintf(path, sizeof path, "%s/short.st", dir);
    FILE *f = fopen(path, "wb");
    fwrite("\x10\x00\x00", 1, 3, f);
    fclose(f);
    tokd_embedding *e = NULL;
    tokd_error err = {0};
    ck_assert_int_eq(tokd_embedding_open(path, "t", NULL, NULL, &e, &err), TOKD_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.text, "too short for safetensors (3 bytes"));
    snprintf(path, sizeof path, "%s/pastend.st", dir);
    f = fopen(path, "wb");
    fwrite("\xff\x00\x00\x00\x00\x00\x00\x00{}", 1, 10, f);
    fclose(f);
    ck_assert_int_eq(tokd_embedding_open(path, "t", NULL, NULL, &e, &err), TOKD_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.text, "header length 255 runs past the end of the file (10 bytes)"));
    ck_assert_int_eq(tokd_embedding_open("/nonexistent.st", "t", NULL, NULL, &e, &err), TOKD_ENOENT);
}
END_TEST

START_TEST(hash_is_checked)
{
    const float v[2] = {1, 2};
    const char *p = write_st("h.safetensors", "{\"t\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]}}", v, 8);
    tokd_embedding *e = NULL;
    tokd_error err = {0};
    ck_assert_int_eq(tokd_embedding_open(p, "t", NULL, "00", &e, &err), TOKD_EHASH);
    ck_assert_ptr_nonnull(strstr(err.text, "but 00 is expected"));
}
END_TEST

static int skip_odd_above_4(void *arg, uint32_t id)
{
    return id > 4 && id % 2;
}

START_TEST(similar_ranks_by_cosine)
{
    /* rows: the query direction (1,0), then vectors at known angles */
    const float rows[8][2] = {{1, 0}, {2, 0}, {1, 1}, {0, 1}, {-1, 0}, {3, 0}, {1, 1}, {0, 0}};
    const char *p = write_st("s.safetensors", "{\"t\":{\"dtype\":\"F32\",\"shape\":[8,2],\"data_offsets\":[0,64]}}", rows,
                             sizeof rows);
    tokd_embedding *e = open_ok(p, "t", NULL);
    tokd_neighbor out[8];
    size_t n;
    float q[2] = {1, 0};
    ck_assert_int_eq(tokd_embedding_similar(e, q, 8, 8, 0, NULL, NULL, out, &n), 0);
    ck_assert_uint_eq(n, 7); /* all but the excluded query row */
    const uint32_t order[7] = {1, 5, 2, 6, 3, 7, 4}; /* 1 and 5 tie at 1.0: smaller id first; 7 is zero: 0 */
    const float score[7] = {1, 1, (float)M_SQRT1_2, (float)M_SQRT1_2, 0, 0, -1};
    for (size_t i = 0; i < 7; i++) {
        ck_assert_uint_eq(out[i].id, order[i]);
        ck_assert_msg(fabsf(out[i].score - score[i]) < 1e-6f, "score %zu: %g", i, (double)out[i].score);
    }
    ck_assert_int_eq(tokd_embedding_similar(e, q, 8, 2, 0, skip_odd_above_4, NULL, out, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(out[0].id, 1);
    ck_assert_uint_eq(out[1].id, 2); /* 5 is skipped */
    ck_assert_int_eq(tokd_embedding_similar(e, q, 4, 10, 99, NULL, NULL, out, &n), 0);
    ck_assert_uint_eq(n, 4); /* only the first 4 rows are searched */
    tokd_embedding_free(e);
}
END_TEST

START_TEST(init_is_reproducible_and_normal)
{
    char a[256], b[256], c[256];
    tokd_error err = {0};
    snprintf(a, sizeof a, "%s/a.safetensors", dir);
    snprintf(b, sizeof b, "%s/b.safetensors", dir);
    snprintf(c, sizeof c, "%s/c.safetensors", dir);
    ck_assert_int_eq(tokd_embedding_init_file(a, "gpt2", 5000, 20, 64, 42, "F32", &err), 0);
    ck_assert_int_eq(tokd_embedding_init_file(b, "gpt2", 5000, 20, 64, 42, "F32", &err), 0);
    ck_assert_int_eq(tokd_embedding_init_file(c, "gpt2", 5000, 20, 64, 42, "BF16", &err), 0);
    size_t la, lb;
    char *x = test_read_file(a, &la), *y = test_read_file(b, &lb);
    ck_assert_uint_eq(la, lb);
    ck_assert_mem_eq(x, y, la);
    free(x);
    free(y);
    tokd_embedding *e = open_ok(a, "wte.weight", "wpe.weight"), *h = open_ok(c, "wte.weight", "wpe.weight");
    ck_assert_uint_eq(tokd_embedding_rows(e), 5000);
    ck_assert_uint_eq(tokd_embedding_context(e), 64);
    double sum = 0, sq = 0;
    float v[20], w[20];
    for (uint32_t id = 0; id < 5000; id++) {
        tokd_embedding_lookup(e, id, -1, v);
        tokd_embedding_lookup(h, id, -1, w);
        for (int i = 0; i < 20; i++) {
            sum += v[i];
            sq += (double)v[i] * v[i];
            uint32_t fb = bits(v[i]), want = (fb + 0x7FFF + (fb >> 16 & 1)) >> 16; /* round to nearest even */
            ck_assert_uint_eq(bits(w[i]) >> 16, want);
        }
    }
    double mean = sum / 100000, var = sq / 100000 - mean * mean;
    ck_assert_msg(fabs(mean) < 0.02 && fabs(var - 1) < 0.02, "mean %g variance %g", mean, var);
    tokd_embedding_free(e);
    tokd_embedding_free(h);
    ck_assert_int_eq(tokd_embedding_init_file(a, "gpt2", 10, 4, 0, 1, "F64", &err), TOKD_EINVAL);
}
END_TEST

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    Suite *s = suite_create("embed");
    TCase *tc = tcase_create("embed");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, f16_every_pattern);
    tcase_add_test(tc, bf16_edges);
    tcase_add_test(tc, dtypes_convert_exactly);
    tcase_add_test(tc, positions_add_exactly);
    tcase_add_test(tc, malformed_files_are_refused);
    tcase_add_test(tc, hash_is_checked);
    tcase_add_test(tc, similar_ranks_by_cosine);
    tcase_add_test(tc, init_is_reproducible_and_normal);
    suite_add_tcase(s, tc);
    int rc = test_run(s);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return rc;
}
