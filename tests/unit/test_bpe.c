/* test_bpe.c - the merge engine against tiktoken's algorithm written plainly.
 *
 * The naive version below is tiktoken's _byte_pair_merge: scan for the
 * lowest-ranked adjacent pair (leftmost on ties), merge, repeat. tokd's
 * short-piece scan and long-piece heap must give the same ranks for random
 * pieces of every length, in a vocabulary built so that merges chain and
 * ties are frequent. */
#include <string.h>

#include "bpe.h"
#include "testutil.h"

static tokd__rankmap vocab;

/* Vocabulary: 256 bytes, then every string over "ab" up to length 6 and a
 * few over "abc", with ranks from a fixed shuffle. */
static void build_vocab(void)
{
    static char strs[2000][8];
    tokd__rank_entry e[2400];
    size_t n = 0;
    static uint8_t bytes[256];
    for (int b = 0; b < 256; b++) {
        bytes[b] = (uint8_t)b;
        e[n] = (tokd__rank_entry){&bytes[b], 1, (uint32_t)(b < 97 || b > 99 ? 1000 + b : b - 97)};
        n++;
    }
    size_t k = 0;
    for (int len = 2; len <= 6; len++)
        for (int bits = 0; bits < (1 << len); bits++, k++) {
            for (int i = 0; i < len; i++)
                strs[k][i] = (bits >> i) & 1 ? 'b' : 'a';
            e[n] = (tokd__rank_entry){(const uint8_t *)strs[k], (uint32_t)len, (uint32_t)(3 + (k * 7919) % 500)};
            n++;
        }
    const char *extra[] = {"ac", "ca", "cc", "abc", "cab", "bca"};
    for (size_t i = 0; i < 6; i++)
        e[n++] = (tokd__rank_entry){(const uint8_t *)extra[i], (uint32_t)strlen(extra[i]), (uint32_t)(600 + i)};
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
            piece[i] = (uint8_t)"aaabbbc"[(seed >> 16) % 7];
        }
        tokd_ids want = {0}, got = {0};
        size_t count = 0;
        naive(piece, n, &want);
        ck_assert_int_eq(tokd__bpe_piece(&vocab, piece, n, &got, NULL), 0);
        ck_assert_int_eq(tokd__bpe_piece(&vocab, piece, n, NULL, &count), 0);
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

int main(void)
{
    Suite *s = suite_create("bpe");
    TCase *tc = tcase_create("merge");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_random_pieces);
    suite_add_tcase(s, tc);
    return test_run(s);
}
