/* test_piece_cache.c - the per-call memo of pieces -> tokens, and the
 * driver using it.
 *
 * A fake model makes one token per byte (the byte plus 1000 times the
 * piece length) and counts its calls, so each test knows exactly which
 * pieces reached the model and which were replayed; then real encodings
 * check that a text long enough to get a cache encodes to the same ids
 * through it as without it (asking for offsets turns the cache off). */
#include <string.h>

#include "piece_cache.h"
#include "testutil.h"

static int calls;

static int fake_encode(const void *self, const uint8_t *p, size_t n, tokd__sink *k)
{
    (void)self;
    calls++;
    for (size_t i = 0; i < n; i++)
        if (tokd__sink_token(k, (uint32_t)(p[i] + 1000 * n), i, i + 1) != 0)
            return TOKD_ENOMEM;
    return 0;
}

static const tokd__model_ops fake_ops = {"fake", fake_encode, NULL};
static const tokd__model fake = {&fake_ops, NULL};
static const tokd_limits unbounded;

static tokd__sink sink_for(tokd_ids *ids, size_t *count)
{
    tokd__sink k = {.ids = ids};
    k.guard = (tokd__guard){&unbounded, ids, 0, count, 0, 0};
    return k;
}

static void encode(tokd__piece_cache *c, tokd__sink *k, const char *piece)
{
    ck_assert_int_eq(tokd__piece_cache_encode(c, (const uint8_t *)piece, strlen(piece), k), 0);
}

START_TEST(short_texts_get_no_cache)
{
    ck_assert_ptr_null(tokd__piece_cache_new(&fake, 4095));
    tokd__piece_cache *c = tokd__piece_cache_new(&fake, 4096);
    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq(c->mask + 1, 256);
    tokd__piece_cache_free(c);
    c = tokd__piece_cache_new(&fake, (size_t)1 << 30);
    ck_assert_uint_eq(c->mask + 1, 16384); /* the bound */
    tokd__piece_cache_free(c);
    tokd__piece_cache_free(NULL);
}
END_TEST

START_TEST(hits_replay_the_model)
{
    tokd__piece_cache *c = tokd__piece_cache_new(&fake, 1 << 20);
    tokd_ids ids = {0};
    tokd__sink k = sink_for(&ids, NULL);
    calls = 0;
    encode(c, &k, " the");
    encode(c, &k, " cat");
    encode(c, &k, " the");
    encode(c, &k, " the");
    ck_assert_int_eq(calls, 2);
    ck_assert_uint_eq(ids.len, 16);
    for (size_t i = 0; i < 16; i += 4) {
        const char *want = i == 4 ? " cat" : " the";
        for (size_t j = 0; j < 4; j++)
            ck_assert_uint_eq(ids.ids[i + j], (uint8_t)want[j] + 4000u);
    }
    tokd_ids_release(&ids);
    tokd__piece_cache_free(c);
}
END_TEST

/* Pieces longer than the key, or making more tokens than a slot holds, go
 * to the model every time; a piece sharing a prefix is not a hit. */
START_TEST(what_is_not_kept)
{
    char long_piece[TOKD__CACHE_KEY + 2], many[TOKD__CACHE_IDS + 2];
    memset(long_piece, 'a', sizeof long_piece - 1);
    long_piece[sizeof long_piece - 1] = '\0';
    memset(many, 'b', sizeof many - 1);
    many[sizeof many - 1] = '\0';
    tokd__piece_cache *c = tokd__piece_cache_new(&fake, 1 << 20);
    tokd_ids ids = {0};
    tokd__sink k = sink_for(&ids, NULL);
    calls = 0;
    encode(c, &k, long_piece);
    encode(c, &k, long_piece);
    encode(c, &k, many);
    encode(c, &k, many);
    ck_assert_int_eq(calls, 4);
    encode(c, &k, "abcdefghij");
    encode(c, &k, "abcdefghi");
    encode(c, &k, "abcdefghiJ");
    ck_assert_int_eq(calls, 7);
    ck_assert_uint_eq(ids.ids[ids.len - 1], 'J' + 10000u);
    tokd_ids_release(&ids);
    tokd__piece_cache_free(c);
}
END_TEST

START_TEST(counting_keeps_counts)
{
    tokd__piece_cache *c = tokd__piece_cache_new(&fake, 1 << 20);
    size_t count = 0;
    tokd__sink k = sink_for(NULL, &count);
    calls = 0;
    encode(c, &k, "hello");
    encode(c, &k, "hello");
    encode(c, &k, "hi");
    ck_assert_int_eq(calls, 2);
    ck_assert_uint_eq(k.count, 12);
    tokd__piece_cache_free(c);
}
END_TEST

/* A text of many repeated words (long enough for a cache) encoded with
 * ids only (through the cache) and with offsets (never cached), for the
 * built-in encodings: the same ids, and count agrees. */
START_TEST(cached_matches_uncached)
{
    static const char *const words[] = {" the", " cat", "\n\n", " 1234", " Привет", " 日本語", "'s", " mat", "  ",
                                        " supercalifragilisticexpialidocious", "Ünïcödé"};
    static const char *const names[] = {"cl100k_base", "o200k_base", "r50k_base"};
    tokd_tokenizer *t = test_tokenizer(names[_i]);
    tokd_bytes text = {0};
    tokd_ids want = {0}, got = {0};
    tokd_offsets offsets = {0};
    tokd_error err = {0};
    uint32_t seed = 7;
    while (text.len < 20000) {
        seed = seed * 1103515245u + 12345u;
        const char *w = words[(seed >> 8) % (sizeof words / sizeof *words)];
        ck_assert_int_eq(tokd_bytes_append(&text, w, strlen(w)), 0);
        ck_assert_int_eq(tokd_bytes_append(&text, &"ab.,"[(seed >> 20) & 3], 1), 0);
    }
    ck_assert_int_eq(tokd_encode_offsets(t, text.data, text.len, NULL, NULL, &want, &offsets, &err), 0);
    ck_assert_int_eq(tokd_encode(t, text.data, text.len, NULL, &got, &err), 0);
    ck_assert_uint_gt(want.len, 4000);
    ck_assert_uint_eq(got.len, want.len);
    ck_assert_mem_eq(got.ids, want.ids, want.len * sizeof *want.ids);
    size_t n = 0;
    ck_assert_int_eq(tokd_count(t, text.data, text.len, NULL, &n, &err), 0);
    ck_assert_uint_eq(n, want.len);
    tokd_ids_release(&want);
    tokd_ids_release(&got);
    tokd_offsets_release(&offsets);
    tokd_bytes_release(&text);
    tokd_tokenizer_unref(t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("piece_cache");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, short_texts_get_no_cache);
    tcase_add_test(tc, hits_replay_the_model);
    tcase_add_test(tc, what_is_not_kept);
    tcase_add_test(tc, counting_keeps_counts);
    tcase_add_loop_test(tc, cached_matches_uncached, 0, 3);
    suite_add_tcase(s, tc);
    return test_run(s);
}
