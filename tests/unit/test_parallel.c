/* test_parallel.c - one text encoded on several threads (parallel.c).
 *
 * The adversarial text is runs of one kind each (spaces, letters, upper
 * and lower case, digits, newlines, CR LF, tabs, CJK, emoji, combining
 * marks, apostrophes, slashes) between the corpus files, and ends in
 * spaces (the \s++$ case). Cuts are forced into those runs, one, two and
 * three at a time (two cuts inside one run too), and every split must give
 * exactly the ids and count of one thread: for the built-in scanners
 * (r50k, cl100k, o200k) and for PCRE2 steps (a tiktoken-style regex with a
 * lookbehind, a Hugging Face Split that keeps the text between matches).
 * The public API (tokd_limits.max_threads) must give the one-thread answer
 * for encode, count and a max_tokens bound on a text four threads share,
 * and call the caller's check only from the calling thread. */
#include <dirent.h>
#include <string.h>

#include "parallel.h"
#include "pipeline.h"
#include "testutil.h"

static const tokd_limits unbounded;

typedef struct adversarial {
    tokd_bytes b;
    size_t cand[128]; /* cut candidates, code point boundaries inside runs */
    size_t n_cand;
} adversarial;

static void add(adversarial *t, const char *s)
{
    ck_assert_int_eq(tokd_bytes_append(&t->b, s, strlen(s)), 0);
}

/* `unit` `times` times; candidates after its first unit, in its middle and
 * before its last unit. */
static void add_run(adversarial *t, const char *unit, int times)
{
    size_t a = t->b.len, u = strlen(unit);
    for (int i = 0; i < times; i++)
        add(t, unit);
    size_t at[3] = {a + u, a + (size_t)(times / 2) * u, t->b.len - u};
    for (int i = 0; i < 3 && t->n_cand < sizeof t->cand / sizeof t->cand[0]; i++)
        t->cand[t->n_cand++] = at[i];
}

static void add_corpus(adversarial *t)
{
    DIR *d = opendir(TOKD_TEST_DATA "/corpus");
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "control.txt") == 0)
            continue; /* control.txt holds invalid UTF-8: the driver sanitizes before this level */
        char path[4096];
        size_t len;
        snprintf(path, sizeof path, "%s/corpus/%s", TOKD_TEST_DATA, e->d_name);
        char *s = test_read_file(path, &len);
        ck_assert_int_eq(tokd_bytes_append(&t->b, s, len), 0);
        free(s);
    }
    closedir(d);
}

static void build(adversarial *t)
{
    static const struct {
        const char *unit;
        int times;
    } runs[] = {
        {" ", 120}, {"a", 150}, {"ABCdef", 20}, {"\xC3\x80\xC3\x89\xC3\x8E", 20}, {"Word", 20},
        {"1234567", 20}, {"\n", 60}, {"\r\n", 40}, {" \n", 30}, {"\t", 40}, {"  \n\n  x", 15},
        {"\xE4\xB8\xAD\xE6\x96\x87\xE5\xAD\x97", 30}, {"\xF0\x9F\x98\x80", 30},
        {"\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD", 15}, {"e\xCC\x81", 30}, {"!?.", 30}, {"///", 20},
        {"'s", 30}, {"'", 20}, {"don't ", 15}, {"\xE4\xB8\xAD" "DEF", 15},
    };
    *t = (adversarial){0};
    add(t, "The quick brown fox's tail, 42 times.\n");
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        add_run(t, runs[i].unit, runs[i].times);
        add(t, i % 2 ? "x" : " y. ");
        if (i == 6)
            add_corpus(t);
    }
    add_run(t, " ", 40); /* the text ends in spaces */
}

/* ---- one thread, the reference ------------------------------------------ */

typedef struct ref_ctx {
    const tokd__model *m;
    const uint8_t *s;
    tokd__sink *sink;
} ref_ctx;

static int ref_piece(void *ctx, size_t start, size_t end)
{
    ref_ctx *x = ctx;
    return x->m->ops->encode(x->m->self, x->s + start, end - start, x->sink);
}

static void one_thread(const tokd__pretokenizer *pre, const tokd__model *m, const adversarial *t, tokd_ids *ids)
{
    tokd__sink k = {.ids = ids};
    k.guard = (tokd__guard){&unbounded, ids, 0, &k.count, 0, 0};
    ref_ctx x = {m, (const uint8_t *)t->b.data, &k};
    ck_assert_int_eq(pre->ops->each(pre->self, x.s, t->b.len, ref_piece, &x), 0);
}

/* Encode (and with `count` also count) with `cuts`; compare with the
 * reference. */
static void check_split(const tokd__pretokenizer *pre, const tokd__model *m, const adversarial *t,
                        const tokd_ids *want, const size_t *cuts, unsigned n_cuts, int count)
{
    tokd_ids got = {0};
    tokd__sink k = {.ids = &got};
    k.guard = (tokd__guard){&unbounded, &got, 0, &k.count, 0, 0};
    ck_assert_int_eq(tokd__parallel_stream(pre, m, (const uint8_t *)t->b.data, t->b.len, cuts, n_cuts, NULL, &k), 0);
    ck_assert_uint_eq(got.len, want->len);
    size_t i = 0;
    while (i < got.len && got.ids[i] == want->ids[i])
        i++; /* one assertion, not one per id: Check records each */
    ck_assert_msg(i == got.len, "cuts at %zu (+%u): id %zu is %u, one thread says %u", cuts[0], n_cuts, i,
                  i < got.len ? got.ids[i] : 0, i < got.len ? want->ids[i] : 0);
    tokd_ids_release(&got);
    if (!count)
        return;
    tokd__sink c = {0};
    c.guard = (tokd__guard){&unbounded, NULL, 0, &c.count, 0, 0};
    ck_assert_int_eq(tokd__parallel_stream(pre, m, (const uint8_t *)t->b.data, t->b.len, cuts, n_cuts, NULL, &c), 0);
    ck_assert_uint_eq(c.count, want->len);
}

/* Each run's three candidates alone, each run's three together (three
 * cuts inside one run), and every other run's last with the next run's
 * first two (cuts across the border of two runs). */
static void check_all_splits(const tokd__pretokenizer *pre, const tokd__model *m)
{
    adversarial t;
    build(&t);
    tokd_ids want = {0};
    one_thread(pre, m, &t, &want);
    ck_assert_uint_gt(want.len, 1000);
    for (size_t i = 0; i < t.n_cand; i++)
        check_split(pre, m, &t, &want, &t.cand[i], 1, i % 6 == 0);
    for (size_t i = 0; i + 3 <= t.n_cand; i += 3)
        check_split(pre, m, &t, &want, &t.cand[i], 3, 0);
    for (size_t i = 2; i + 3 <= t.n_cand; i += 6)
        check_split(pre, m, &t, &want, &t.cand[i], 3, 0);
    check_split(pre, m, &t, &want, t.cand, 0, 1);
    tokd_ids_release(&want);
    tokd_bytes_release(&t.b);
}

static tokd_tokenizer *load(const char *name)
{
    tokd_tokenizer *t = NULL;
    tokd_error err = {0};
    ck_assert_msg(tokd_tokenizer_load(name, NULL, &t, &err) == 0, "%s: %s", name, err.text);
    return t;
}

static const char *const builtins[] = {"r50k_base", "cl100k_base", "o200k_base", "llama3"};

START_TEST(scanner_splits_are_exact)
{
    tokd_tokenizer *t = load(builtins[_i]);
    const tokd__pretokenizer *last = &t->pres[t->n_pres - 1];
    ck_assert(last->ops->each_from != NULL);
    check_all_splits(last, &t->model);
    tokd_tokenizer_unref(t);
}
END_TEST

START_TEST(pcre2_splits_are_exact)
{
    tokd_tokenizer *t = load("cl100k_base");
    tokd__pretokenizer pre[2];
    tokd_error err = {0};
    tokd__split_options gaps = {"\\p{N}|[A-Z]+|\\s+(?!\\S)|(?<=[a-z])'", 0, TOKD__SPLIT_ISOLATED, 0};
    ck_assert_int_eq(tokd__pretokenizer_regex("(?<=[a-z]) [a-z]+|\\p{L}+|\\p{N}{1,3}|\\s+(?!\\S)|\\s+|[^\\s\\p{L}\\p{N}]+",
                                              &pre[0], &err),
                     0);
    ck_assert_int_eq(tokd__pretokenizer_split(&gaps, &pre[1], &err), 0);
    for (int i = 0; i < 2; i++) {
        ck_assert(pre[i].ops->each_from != NULL);
        check_all_splits(&pre[i], &t->model);
        pre[i].ops->free(pre[i].self);
    }
    tokd_tokenizer_unref(t);
}
END_TEST

START_TEST(anchored_to_the_search_start_does_not_resume)
{
    tokd__pretokenizer pre;
    tokd_error err = {0};
    ck_assert_int_eq(tokd__pretokenizer_regex("\\G\\w+|\\s+|\\W", &pre, &err), 0);
    ck_assert(pre.ops->each != NULL);
    ck_assert(pre.ops->each_from == NULL);
    pre.ops->free(pre.self);
}
END_TEST

START_TEST(cuts_are_even_and_on_code_points)
{
    size_t n = 4 * TOKD_PARALLEL_MIN_BYTES + 3, cuts[TOKD__PARALLEL_MAX];
    uint8_t *s = malloc(n);
    for (size_t i = 0; i < n; i++)
        s[i] = i % 3 == 0 ? 0xE4 : i % 3 == 1 ? 0xB8 : 0xAD; /* U+4E2D, three bytes */
    ck_assert_uint_eq(tokd__parallel_cuts(s, n, 1, cuts), 1);
    ck_assert_uint_eq(tokd__parallel_cuts(s, 2 * TOKD_PARALLEL_MIN_BYTES - 1, 8, cuts), 1);
    ck_assert_uint_eq(tokd__parallel_cuts(s, n, 8, cuts), 4);
    for (int k = 0; k < 3; k++) {
        ck_assert_uint_eq(cuts[k] % 3, 0);
        ck_assert_uint_ge(cuts[k], n / 4 * (size_t)(k + 1));
        ck_assert_uint_lt(cuts[k], n / 4 * (size_t)(k + 1) + 3);
    }
    ck_assert_uint_eq(tokd__parallel_cuts(s, n, 3, cuts), 3);
    free(s);
}
END_TEST

/* ---- the public API -------------------------------------------------------- */

static pthread_t caller;
static int polls, off_thread;

static int count_polls(void *arg)
{
    (void)arg;
    polls++;
    off_thread += !pthread_equal(pthread_self(), caller);
    return polls > 20 ? TOKD_ECANCELLED : 0;
}

static char *big_text(size_t *len)
{
    adversarial t;
    build(&t);
    tokd_bytes big = {0};
    while (big.len < 4 * TOKD_PARALLEL_MIN_BYTES + 4096) /* four threads' worth */
        ck_assert_int_eq(tokd_bytes_append(&big, t.b.data, t.b.len), 0);
    tokd_bytes_release(&t.b);
    *len = big.len;
    return big.data;
}

START_TEST(threads_give_the_one_thread_answer)
{
    tokd_tokenizer *t = load(builtins[_i]);
    size_t len, one = 0, four = 0;
    char *text = big_text(&len);
    static const tokd_specials plain = {.disallowed_mode = TOKD_DISALLOW_NONE};
    tokd_limits lim1 = {.max_threads = 1}, lim4 = {.max_threads = 4};
    tokd_ids a = {0}, b = {0};
    tokd_error err = {0};
    ck_assert_int_eq(tokd_encode_bounded(t, text, len, &plain, &lim1, &a, &err), 0);
    ck_assert_int_eq(tokd_encode_bounded(t, text, len, &plain, &lim4, &b, &err), 0);
    ck_assert_uint_eq(a.len, b.len);
    ck_assert_int_eq(memcmp(a.ids, b.ids, a.len * sizeof *a.ids), 0);
    ck_assert_int_eq(tokd_count_bounded(t, text, len, &plain, &lim4, &four, &err), 0);
    ck_assert_uint_eq(four, a.len);
    /* a bound inside the text stops where one thread stops */
    lim1.max_tokens = lim4.max_tokens = a.len / 2;
    ck_assert_int_eq(tokd_count_bounded(t, text, len, &plain, &lim1, &one, &err), TOKD_ELIMIT);
    ck_assert_int_eq(tokd_count_bounded(t, text, len, &plain, &lim4, &four, &err), TOKD_ELIMIT);
    ck_assert_uint_eq(one, four);
    ck_assert_uint_gt(one, a.len / 2);
    /* the caller's check stops every thread and runs on the caller's */
    tokd_limits stop = {.check = count_polls, .max_threads = 4};
    caller = pthread_self();
    polls = off_thread = 0;
    ck_assert_int_eq(tokd_count_bounded(t, text, len, &plain, &stop, &four, &err), TOKD_ECANCELLED);
    ck_assert_int_eq(polls, 21);
    ck_assert_int_eq(off_thread, 0);
    tokd_ids_release(&a);
    tokd_ids_release(&b);
    free(text);
    tokd_tokenizer_unref(t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("parallel");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, scanner_splits_are_exact, 0, 4);
    tcase_add_test(tc, pcre2_splits_are_exact);
    tcase_add_test(tc, anchored_to_the_search_start_does_not_resume);
    tcase_add_test(tc, cuts_are_even_and_on_code_points);
    tcase_add_loop_test(tc, threads_give_the_one_thread_answer, 0, 3);
    suite_add_tcase(s, tc);
    return test_run(s);
}
