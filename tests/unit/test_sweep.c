/* test_sweep.c - every Unicode code point, against the reference.
 *
 * tests/data/unicode_sweep.json (tests/gen/gen_sweep.cjs) holds, per
 * encoding and per block of 256 code points, a SHA-256 prefix of the ids
 * npm tiktoken gives for four probes around each code point (between
 * letters, after a capital, after a space, after a digit). tokd computes the
 * same stream. The fixture localises a difference to a block (per-code-point
 * data would be megabytes); a failure names the block and, as the first
 * place to look, the block's first code point whose probes tokd's scanner
 * splits differently from PCRE2 (where Debian's Unicode tables are older,
 * that difference is expected and not itself a bug). */
#include <string.h>

#include "sha256.h"
#include "pipeline.h"
#include "testutil.h"
#include "utf8.h"

#define BLOCKS 0x1100

static json_t *sweep;

/* Probe k around code point cp: "a%ca", "A%cb", " %cx", "1%c\n". */
static size_t probe(char *buf, uint32_t cp, int k)
{
    static const char before[] = "aA 1", after[] = "abx\n";
    buf[0] = before[k];
    size_t n = 1 + tokd__utf8_put(cp, buf + 1);
    buf[n] = after[k];
    return n + 1;
}

static void hash_ids(tokd__sha256 *h, const tokd_ids *ids)
{
    uint8_t w[4];
    for (size_t i = 0; i <= ids->len; i++) {
        uint32_t v = i < ids->len ? ids->ids[i] : 0xFFFFFFFFu;
        for (int b = 0; b < 4; b++)
            w[b] = (uint8_t)(v >> (8 * b));
        tokd__sha256_update(h, w, 4);
    }
}

/* Check's assertions are costly (each one marks a point), so errors are
 * gathered here and asserted once per block. */
static int block_hash(const tokd_tokenizer *tok, uint32_t block, tokd_ids *ids, char hex[17])
{
    int rc = 0;
    tokd__sha256 h;
    uint8_t d[32];
    char buf[8];
    tokd__sha256_init(&h);
    for (uint32_t cp = block * 256; cp < block * 256 + 256; cp++) {
        if (cp >= 0xD800 && cp < 0xE000)
            continue;
        for (int k = 0; k < 4; k++) {
            ids->len = 0;
            rc |= tokd_encode_ordinary(tok, buf, probe(buf, cp, k), ids, NULL);
            hash_ids(&h, ids);
        }
    }
    tokd__sha256_final(&h, d);
    for (int i = 0; i < 8; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return rc;
}

/* 1 if PCRE2 and tokd's scanner split s[0..n) into different pieces. */
static int splits_differ(const tokd_tokenizer *tok, const char *s, size_t n)
{
    tokd__pretok pcre = {0};
    int differ = tokd__pretok_init(&pcre, tokd_tokenizer_pattern(tok), 0, NULL) != 0;
    size_t a = 0, b = 0, start, end;
    while (!differ && (a < n || b < n)) {
        size_t scan_end = a < n ? tokd__scan(tokd__scanner_for(tokd_tokenizer_pattern(tok)), (const uint8_t *)s, n, a) : n;
        differ = tokd__pretok_next(&pcre, (const uint8_t *)s, n, b, &start, &end) != 1 || start != a ||
                 end != scan_end;
        a = b = scan_end;
    }
    tokd__pretok_release(&pcre);
    return differ;
}

/* The first code point of a block whose probes the scanner and PCRE2 split
 * differently, or UINT32_MAX: where to look first when a block differs. */
static uint32_t suspect(const tokd_tokenizer *tok, uint32_t block)
{
    char buf[8];
    for (uint32_t cp = block * 256; cp < block * 256 + 256; cp++)
        for (int k = 0; k < 4 && (cp < 0xD800 || cp >= 0xE000); k++)
            if (splits_differ(tok, buf, probe(buf, cp, k)))
                return cp;
    return UINT32_MAX;
}

START_TEST(test_every_code_point)
{
    json_t *encs = json_object_get(sweep, "encodings");
    const char *name = NULL;
    json_t *v = NULL;
    int i = 0;
    json_object_foreach(encs, name, v)
    {
        if (i++ == _i)
            break;
    }
    const char *want = json_string_value(v);
    ck_assert_uint_eq(strlen(want), BLOCKS * 16);
    tokd_tokenizer *tok = test_tokenizer(name);
    tokd_ids ids = {0};
    char got[17];
    for (uint32_t b = 0; b < BLOCKS; b++) {
        int rc = block_hash(tok, b, &ids, got);
        if (rc == 0 && memcmp(got, want + 16 * b, 16) == 0)
            continue;
        ck_abort_msg("%s: code points U+%04X..U+%04X encode differently from tiktoken (first code "
                     "point PCRE2 splits differently: U+%04X)",
                     name, b * 256, b * 256 + 255, suspect(tok, b));
    }
    tokd_ids_release(&ids);
    tokd_tokenizer_unref(tok);
}
END_TEST

int main(void)
{
    sweep = test_load_json("unicode_sweep.json");
    int rc = test_run_loop("unicode_sweep", test_every_code_point,
                           (int)json_object_size(json_object_get(sweep, "encodings")), 900);
    json_decref(sweep);
    return rc;
}
