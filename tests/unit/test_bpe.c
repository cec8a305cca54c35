/* test_bpe.c - the merge engine against tiktoken's algorithm written plainly.
 *
 * The naive version below is tiktoken's _byte_pair_merge: scan for the
 * lowest-ranked adjacent pair (leftmost on ties), merge, repeat. tokd's
 * short-piece scan and long-piece buckets must give the same ranks for
 * random pieces of every length up to 600 bytes. */
#include <string.h>

/* bpe.c itself, to test its static bucket queue directly; the test does not
 * link libtokd's copy because this one defines every symbol first. */
#include "bpe.c"
#include "testutil.h"

static tokd__rankmap vocab;

/* Vocabulary: the 256 bytes, then every string over "abc" of length 2 to 5
 * with ranks from a seeded shuffle, so that merges of any rank create pairs
 * of lower and higher ranks anywhere in a piece (which exercises the
 * re-sorting of rank buckets in the long-piece path). */
static void build_vocab(void)
{
    enum { N_STR = 9 + 27 + 81 + 243 };
    static char strs[N_STR][8];
    static uint8_t bytes[256];
    static tokd__rank_entry e[256 + N_STR];
    uint32_t order[N_STR], seed = 4242;
    for (uint32_t i = 0; i < N_STR; i++)
        order[i] = i;
    for (uint32_t i = N_STR - 1; i > 0; i--) { /* Fisher-Yates */
        seed = seed * 1103515245u + 12345u;
        uint32_t j = (seed >> 8) % (i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    size_t n = 0, k = 0;
    for (int b = 0; b < 256; b++) {
        bytes[b] = (uint8_t)b;
        e[n++] = (tokd__rank_entry){&bytes[b], 1, (uint32_t)(N_STR + b)};
    }
    for (int len = 2; len <= 5; len++) {
        int total = 1;
        for (int i = 0; i < len; i++)
            total *= 3;
        for (int v = 0; v < total; v++, k++) {
            for (int i = 0, x = v; i < len; i++, x /= 3)
                strs[k][i] = "abc"[x % 3];
            e[n++] = (tokd__rank_entry){(const uint8_t *)strs[k], (uint32_t)len, order[k]};
        }
    }
    ck_assert_int_eq(tokd__rankmap_init(&vocab, e, n, NULL), 0);
}

static void naive(const uint8_t *p, size_t n, tokd_ids *out)
{
    size_t *start = malloc((n + 1) * sizeof *start), parts = n;
    for (size_t i = 0; i <= n; i++)
        start[i] = i;
    for (;;) {
        size_t best = SIZE_MAX;
        uint32_t best_rank = TOKD__NO_RANK;
        for (size_t i = 0; i + 1 < parts; i++) {
            uint32_t r = tokd__rankmap_get(&vocab, p + start[i], start[i + 2] - start[i]);
            if (r < best_rank) {
                best_rank = r;
                best = i;
            }
        }
        if (best == SIZE_MAX)
            break;
        memmove(start + best + 1, start + best + 2, (parts - best - 1) * sizeof *start);
        parts--;
    }
    for (size_t i = 0; i < parts; i++)
        tokd_ids_push(out, tokd__rankmap_get(&vocab, p + start[i], start[i + 1] - start[i]));
    free(start);
}

START_TEST(test_random_pieces)
{
    build_vocab();
    uint32_t seed = 12345;
    uint8_t piece[700];
    for (int trial = 0; trial < 3000; trial++) {
        size_t n = 1 + (size_t)(trial % 600);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            piece[i] = (uint8_t)"aaabbc"[(seed >> 16) % 6];
        }
        tokd_ids want = {0}, got = {0};
        tokd_offsets offsets = {0};
        naive(piece, n, &want);
        tokd__bpe_model model = {&vocab, NULL, 1, 0};
        tokd__ntext text = tokd__ntext_view((const char *)piece, n, 0, 1);
        tokd__sink ids = {.ids = &got}, counter = {0}, with_offsets = {.ids = &got, .offsets = &offsets, .text = &text};
        ck_assert_int_eq(tokd__bpe_piece(&model, piece, n, &ids), 0);
        ck_assert_int_eq(tokd__bpe_piece(&model, piece, n, &counter), 0);
        size_t count = counter.count, before = got.len;
        ck_assert_int_eq(tokd__bpe_piece(&model, piece, n, &with_offsets), 0);
        /* the offsets tile the piece, each the length of its token */
        ck_assert_uint_eq(offsets.len, before);
        for (size_t k = 0; k < offsets.len; k++) {
            ck_assert_uint_eq(offsets.v[k].start, k ? offsets.v[k - 1].end : 0);
            ck_assert_uint_eq(offsets.v[k].end - offsets.v[k].start, tokd__rankmap_len(&vocab, got.ids[before + k]));
        }
        ck_assert_uint_eq(offsets.v[offsets.len - 1].end, n);
        got.len = before;
        tokd_offsets_release(&offsets);
        /* whole-piece lookup comes first in tiktoken; the naive merge agrees
         * whenever the piece is not itself a token */
        if (tokd__rankmap_get(&vocab, piece, n) == TOKD__NO_RANK) {
            ck_assert_uint_eq(got.len, want.len);
            ck_assert_mem_eq(got.ids, want.ids, got.len * sizeof *got.ids);
        }
        ck_assert_uint_eq(count, got.len);
        tokd_ids_release(&want);
        tokd_ids_release(&got);
    }
    tokd__rankmap_release(&vocab);
}
END_TEST

/* Words apart: a merge list over a, b and "\xe2\x96\x81" (U+2581, M below)
 * whose tokens are every string of 1 to 4 of them where M appears only in
 * a leading run, each merged from a random split, in a random order. Then
 * merging the '▁'-words of a piece apart must equal merging it whole, and
 * one merge of a token onto a following M forbids splitting. */
enum { N_WORDS = 3 + 9 + 27 + 81 };
static char word_text[N_WORDS][16];
static uint32_t word_len[N_WORDS];

static int leading_marks_only(const int *c, int len)
{
    for (int i = 1; i < len; i++)
        if (c[i] == 2 && c[i - 1] != 2)
            return 0;
    return 1;
}

static size_t build_words(tokd__rankmap *r, tokd__pairmap *pm, int unsafe)
{
    static const char *const sym[3] = {"a", "b", "\xe2\x96\x81"};
    tokd__rank_entry e[N_WORDS];
    size_t n = 0;
    for (int len = 1; len <= 4; len++) {
        int total = 1, c[4];
        for (int i = 0; i < len; i++)
            total *= 3;
        for (int v = 0; v < total; v++) {
            for (int i = 0, x = v; i < len; i++, x /= 3)
                c[i] = x % 3;
            if (!leading_marks_only(c, len) && !(unsafe && len == 2 && c[0] == 0 && c[1] == 2))
                continue;
            word_text[n][0] = '\0';
            for (int i = 0; i < len; i++)
                strcat(word_text[n], sym[c[i]]);
            word_len[n] = (uint32_t)strlen(word_text[n]);
            e[n] = (tokd__rank_entry){(const uint8_t *)word_text[n], word_len[n], (uint32_t)n};
            n++;
        }
    }
    ck_assert_int_eq(tokd__rankmap_init(r, e, n, NULL), 0);
    ck_assert_int_eq(tokd__pairmap_init(pm, n), 0);
    uint32_t seed = 99;
    for (size_t id = 3; id < n; id++) { /* split after a random first symbol run */
        seed = seed * 1103515245u + 12345u;
        const uint8_t *t = (const uint8_t *)word_text[id];
        size_t cut = 0, cuts[4], n_cuts = 0;
        while (cut < word_len[id]) {
            cut += t[cut] == 0xE2 ? 3 : 1;
            if (cut < word_len[id])
                cuts[n_cuts++] = cut;
        }
        cut = cuts[(seed >> 16) % n_cuts];
        uint32_t left = tokd__rankmap_get(r, t, cut), right = tokd__rankmap_get(r, t + cut, word_len[id] - cut);
        ck_assert_uint_ne(left, TOKD__NO_RANK);
        ck_assert_uint_ne(right, TOKD__NO_RANK);
        tokd__pairmap_put(pm, left, right, (seed >> 4) % 100000, (uint32_t)id);
    }
    return n;
}

START_TEST(test_words_apart)
{
    tokd__rankmap r;
    tokd__pairmap pm;
    build_words(&r, &pm, 1);
    tokd__bpe_model unsafe = {&r, &pm, 0, 0};
    ck_assert_int_eq(tokd__bpe_words_apart(&unsafe), 0);
    tokd__pairmap_release(&pm);
    tokd__rankmap_release(&r);
    build_words(&r, &pm, 0);
    tokd__bpe_model whole = {&r, &pm, 0, 0}, apart = {&r, &pm, 0, 1}, looked_up = {&r, &pm, 1, 0};
    ck_assert_int_eq(tokd__bpe_words_apart(&whole), 1);
    ck_assert_int_eq(tokd__bpe_words_apart(&looked_up), 0); /* ignore_merges looks the whole piece up */
    static uint8_t piece[3 * 400];
    static uint32_t start[401], tok[400];
    uint32_t seed = 4321;
    for (int trial = 0; trial < 400; trial++) {
        size_t n = 0, n_sym = 1 + (size_t)trial, mark_every = 2 + (size_t)(trial % 5) * 40;
        for (size_t i = 0; i < n_sym; i++) {
            seed = seed * 1103515245u + 12345u;
            int c = (seed >> 16) % mark_every == 0 ? 2 : (int)((seed >> 8) & 1);
            start[i] = (uint32_t)n;
            tok[i] = (uint32_t)c;
            memcpy(piece + n, word_text[c], word_len[c]);
            n += word_len[c];
        }
        start[n_sym] = (uint32_t)n;
        tokd_ids want = {0}, got = {0};
        tokd__sink a = {.ids = &want}, b = {.ids = &got};
        ck_assert_int_eq(tokd__bpe_symbols(&whole, piece, n, start, tok, n_sym, &a), 0);
        ck_assert_int_eq(tokd__bpe_symbols(&apart, piece, n, start, tok, n_sym, &b), 0);
        ck_assert_uint_eq(got.len, want.len);
        ck_assert_mem_eq(got.ids, want.ids, want.len * sizeof *want.ids);
        tokd_ids_release(&want);
        tokd_ids_release(&got);
    }
    tokd__pairmap_release(&pm);
    tokd__rankmap_release(&r);
}
END_TEST

/* The bucket queue hands out (rank, position) in order even when a bucket
 * gains positions out of order - which random vocabularies never seem to
 * cause (20 000 tried), but correctness must not rest on that. */
START_TEST(test_bucket_queue_order)
{
    long_state s = {.index_mask = 63};
    s.index = calloc(64, sizeof *s.index);
    static const uint32_t in[][2] = {{7, 40}, {3, 90}, {7, 10}, {3, 20}, {9, 5}, {7, 30}, {3, 95}};
    for (size_t i = 0; i < 5; i++)
        queue(&s, in[i][0], in[i][1]);
    uint32_t r, at = take(&s, &r);
    ck_assert_uint_eq(r, 3);
    ck_assert_uint_eq(at, 20);
    queue(&s, in[5][0], in[5][1]); /* bucket 7 gains 30 between 10 and 40 */
    queue(&s, in[6][0], in[6][1]);
    static const uint32_t want[][2] = {{3, 90}, {3, 95}, {7, 10}, {7, 30}, {7, 40}, {9, 5}};
    for (size_t i = 0; i < 6; i++) {
        at = take(&s, &r);
        ck_assert_uint_eq(r, want[i][0]);
        ck_assert_uint_eq(at, want[i][1]);
    }
    ck_assert_uint_eq(take(&s, &r), UINT32_MAX);
    ck_assert_int_eq(s.oom, 0);
    s.prev = NULL;
    long_release(&s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bpe");
    TCase *tc = tcase_create("merge");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_random_pieces);
    tcase_add_test(tc, test_words_apart);
    tcase_add_test(tc, test_bucket_queue_order);
    suite_add_tcase(s, tc);
    return test_run(s);
}
