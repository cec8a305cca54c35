/* test_train.c - the BPE trainer against a plain reference.
 *
 * The reference is the seed's loop written as plainly as possible: split
 * the corpus with PCRE2 (findall), then repeatedly count every adjacent
 * pair over all pieces (get_stats), take the most frequent (ties: smaller
 * left id, then smaller right id), and merge it left to right in every
 * piece. tokd's trainer must produce the same merges in the same order for
 * every corpus, pattern, option and thread/chunk layout. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "train_corpora.h"

/* ---- the reference ---------------------------------------------------- */

typedef struct word {
    uint32_t *ids;
    size_t n;
    uint64_t count;
} word;

typedef struct ref {
    word *words;
    size_t n_words;
    char **tok;      /* token bytes */
    size_t *tok_len;
    uint32_t n_tok;
    uint32_t (*merges)[3];
    uint32_t n_merges;
} ref;

static void ref_add_piece(ref *r, const char *p, size_t len)
{
    for (size_t i = 0; i < r->n_words; i++) {
        word *w = &r->words[i];
        int same = w->n == len;
        for (size_t j = 0; same && j < len; j++)
            same = w->ids[j] == (uint8_t)p[j];
        if (same) {
            w->count++;
            return;
        }
    }
    r->words = realloc(r->words, (r->n_words + 1) * sizeof *r->words);
    word *w = &r->words[r->n_words++];
    w->ids = malloc((len ? len : 1) * sizeof *w->ids);
    for (size_t j = 0; j < len; j++)
        w->ids[j] = (uint8_t)p[j];
    w->n = len;
    w->count = 1;
}

/* findall(pattern, text): every non-empty match, left to right. */
static void ref_split(ref *r, const char *pattern, const char *text, size_t len)
{
    int errcode;
    PCRE2_SIZE erroff;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP, &errcode,
                                   &erroff, NULL);
    ck_assert_ptr_nonnull(re);
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    for (size_t pos = 0; pos < len;) {
        if (pcre2_match(re, (PCRE2_SPTR)text, len, pos, 0, md, NULL) < 0)
            break;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        if (ov[1] > ov[0]) {
            ref_add_piece(r, text + ov[0], ov[1] - ov[0]);
            pos = ov[1];
        } else {
            for (pos = ov[0] + 1; pos < len && ((uint8_t)text[pos] & 0xC0) == 0x80;)
                pos++;
        }
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
}

static uint32_t ref_token(ref *r, uint32_t a, uint32_t b)
{
    size_t len = r->tok_len[a] + r->tok_len[b];
    char *bytes = malloc(len);
    memcpy(bytes, r->tok[a], r->tok_len[a]);
    memcpy(bytes + r->tok_len[a], r->tok[b], r->tok_len[b]);
    for (uint32_t i = 0; i < r->n_tok; i++)
        if (r->tok_len[i] == len && !memcmp(r->tok[i], bytes, len)) {
            free(bytes);
            return i;
        }
    r->tok = realloc(r->tok, (r->n_tok + 1) * sizeof *r->tok);
    r->tok_len = realloc(r->tok_len, (r->n_tok + 1) * sizeof *r->tok_len);
    r->tok[r->n_tok] = bytes;
    r->tok_len[r->n_tok] = len;
    return r->n_tok++;
}

/* get_stats + max: the best pair, or 0 when none is allowed. */
static int ref_best(const ref *r, uint32_t max_bytes, uint32_t *a, uint32_t *b, uint64_t *best)
{
    *best = 0;
    for (size_t i = 0; i < r->n_words; i++) {
        const word *w = &r->words[i];
        for (size_t j = 0; j + 1 < w->n; j++) {
            uint32_t x = w->ids[j], y = w->ids[j + 1];
            if (max_bytes && r->tok_len[x] + r->tok_len[y] > max_bytes)
                continue;
            uint64_t c = 0;
            for (size_t k = 0; k < r->n_words; k++)
                for (size_t m = 0; m + 1 < r->words[k].n; m++)
                    if (r->words[k].ids[m] == x && r->words[k].ids[m + 1] == y)
                        c += r->words[k].count;
            if (c > *best || (c == *best && (x < *a || (x == *a && y < *b)))) {
                *best = c;
                *a = x;
                *b = y;
            }
        }
    }
    return *best > 0;
}

/* merge(ids, pair, idx) on every word. */
static void ref_merge(ref *r, uint32_t a, uint32_t b, uint32_t id)
{
    for (size_t i = 0; i < r->n_words; i++) {
        word *w = &r->words[i];
        size_t o = 0;
        for (size_t j = 0; j < w->n; j++) {
            if (j + 1 < w->n && w->ids[j] == a && w->ids[j + 1] == b) {
                w->ids[o++] = id;
                j++;
            } else {
                w->ids[o++] = w->ids[j];
            }
        }
        w->n = o;
    }
}

static void ref_train(ref *r, const tokd_train_options *o, const char *text, size_t len)
{
    memset(r, 0, sizeof *r);
    ref_split(r, o->pattern, text, len);
    r->tok = malloc(256 * sizeof *r->tok);
    r->tok_len = malloc(256 * sizeof *r->tok_len);
    for (int i = 0; i < 256; i++) {
        r->tok[i] = malloc(1);
        r->tok[i][0] = (char)i;
        r->tok_len[i] = 1;
    }
    r->n_tok = 256;
    r->merges = malloc(o->vocab_size * sizeof *r->merges);
    uint64_t min = o->min_frequency ? o->min_frequency : 2, best;
    uint32_t a = 0, b = 0;
    while (r->n_tok < o->vocab_size - o->n_special_tokens && ref_best(r, o->max_token_bytes, &a, &b, &best) &&
           best >= min) {
        uint32_t id = ref_token(r, a, b);
        ref_merge(r, a, b, id);
        r->merges[r->n_merges][0] = a, r->merges[r->n_merges][1] = b, r->merges[r->n_merges][2] = id;
        r->n_merges++;
    }
}

static void ref_free(ref *r)
{
    for (size_t i = 0; i < r->n_words; i++)
        free(r->words[i].ids);
    for (uint32_t i = 0; i < r->n_tok; i++)
        free(r->tok[i]);
    free(r->words);
    free(r->tok);
    free(r->tok_len);
    free(r->merges);
}

/* ---- corpora ---------------------------------------------------------- */

/* Random text from a small alphabet of ASCII, spaces, digits, a CJK
 * character and an accented letter: many ties, repeats and overlaps. */
static char *random_text(uint64_t seed, size_t units, size_t *len)
{
    static const char *const alphabet[] = {"a", "b", "a", "ab", " ", " ", "\n", "1", "7", "'s", ",", "\xe4\xb8\xad",
                                           "\xc3\xa9", "aa", "  ", "Z"};
    train_rng = seed;
    return train_random_text(alphabet, sizeof alphabet / sizeof alphabet[0], units, len);
}

static const char english[] =
    "The quick brown fox jumps over the lazy dog. The dog's owner isn't amused; she'll say it's the "
    "fox's fault. Numbers like 12345 and 2024 appear, and so do   spaces,\ttabs and\n\nnewlines. "
    "Repeated words: the the the the, dog dog dog, fox fox. aaaaaaaaaaaaaaaa bbbbbbbb abababab.";

/* ---- the comparison --------------------------------------------------- */

static tokd_trained *train_ok(const tokd_train_options *o, const char *text, size_t len)
{
    tokd_train_text t = {text, len};
    tokd_trained *out = NULL;
    tokd_error err = {0};
    int rc = tokd_train(o, &t, 1, NULL, &out, &err);
    ck_assert_msg(rc == 0, "train: %s", err.text);
    return out;
}

static void same_merges(const tokd_train_options *o, const char *text, size_t len)
{
    ref r;
    ref_train(&r, o, text, len);
    tokd_trained *t = train_ok(o, text, len);
    tokd_train_stats s;
    tokd_trained_stats(t, &s);
    ck_assert_uint_eq(s.merges, r.n_merges);
    for (uint32_t i = 0; i < r.n_merges; i++) {
        uint32_t a, b, id;
        tokd_trained_merge(t, i, &a, &b, &id);
        ck_assert_msg(a == r.merges[i][0] && b == r.merges[i][1] && id == r.merges[i][2],
                      "merge %u: tokd (%u, %u) -> %u, reference (%u, %u) -> %u", i, a, b, id, r.merges[i][0],
                      r.merges[i][1], r.merges[i][2]);
    }
    ck_assert_uint_eq(s.n_vocab, r.n_tok + o->n_special_tokens);
    uint64_t tokens = 0;
    for (size_t i = 0; i < r.n_words; i++)
        tokens += r.words[i].n * r.words[i].count;
    ck_assert_uint_eq(s.tokens, tokens);
    tokd_trained_free(t);
    ref_free(&r);
}

static const char *const patterns[] = {"gpt2", "cl100k_base", "o200k_base", "custom"};
#define CUSTOM_PATTERN "(?<=[a ])b+|\\w+|[^\\w\\s]"

static void options_for(int i, tokd_train_options *o)
{
    *o = (tokd_train_options){.vocab_size = 300 + (uint32_t)(i % 5) * 60, .threads = 1 + (unsigned)(i % 3)};
    o->pattern = i % 4 == 3 ? CUSTOM_PATTERN : tokd_train_pattern(patterns[i % 4]);
    o->min_frequency = i % 7 == 0 ? 1 : i % 7 == 1 ? 5 : 0;
    o->max_token_bytes = i % 6 == 2 ? 3 : 0;
    o->chunk_bytes = i % 2 ? 1 + (size_t)(i % 11) : 0;
}

START_TEST(random_corpora_match_reference)
{
    tokd_train_options o;
    options_for(_i, &o);
    size_t len;
    char *text = random_text((uint64_t)_i + 1, 1500, &len);
    same_merges(&o, text, len);
    free(text);
}
END_TEST

START_TEST(english_matches_reference)
{
    tokd_train_options o;
    options_for(_i, &o);
    o.vocab_size = 420;
    same_merges(&o, english, sizeof english - 1);
}
END_TEST

START_TEST(runs_of_one_byte)
{
    static char text[5000];
    memset(text, 'a', sizeof text - 1);
    tokd_train_options o = {.vocab_size = 280, .pattern = tokd_train_pattern("cl100k_base"), .min_frequency = 1};
    same_merges(&o, text, sizeof text - 1);
    o.pattern = tokd_train_pattern("gpt2");
    o.chunk_bytes = 7;
    o.threads = 3;
    same_merges(&o, text, sizeof text - 1);
}
END_TEST

/* Chunking must not change anything, whatever the pattern. */
START_TEST(chunks_change_nothing)
{
    static const char *const custom[] = {"(?<=a)b+|.", "\\s+|x", "a(?=b)|b+", ".{1,5}"};
    size_t len;
    char *text = random_text(99 + (uint64_t)_i, 3000, &len);
    tokd_train_options o = {.vocab_size = 400};
    o.pattern = _i < 4 ? custom[_i] : tokd_train_pattern(patterns[_i % 3]);
    tokd_trained *whole = train_ok(&o, text, len);
    for (size_t chunk = 1; chunk < 40; chunk += 3) {
        o.chunk_bytes = chunk;
        o.threads = 1 + (unsigned)(chunk % 4);
        tokd_trained *cut = train_ok(&o, text, len);
        tokd_train_stats a, b;
        tokd_trained_stats(whole, &a);
        tokd_trained_stats(cut, &b);
        ck_assert_uint_eq(a.pieces, b.pieces);
        ck_assert_uint_eq(a.unique_pieces, b.unique_pieces);
        ck_assert_uint_eq(a.merges, b.merges);
        for (uint32_t i = 0; i < a.merges; i++) {
            uint32_t x[3], y[3];
            tokd_trained_merge(whole, i, &x[0], &x[1], &x[2]);
            tokd_trained_merge(cut, i, &y[0], &y[1], &y[2]);
            ck_assert_mem_eq(x, y, sizeof x);
        }
        tokd_trained_free(cut);
    }
    tokd_trained_free(whole);
    free(text);
}
END_TEST

static void remove_dir(const char *dir)
{
    char p[300];
    const char *files[] = {"mine.tiktoken", "mine.json"};
    for (int i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

static void write_to(const char *dir, tokd_trained *t)
{
    tokd_error err = {0};
    mkdir(dir, 0755);
    ck_assert_msg(tokd_trained_write(t, dir, "mine", "gpt2", &err) == 0, "%s", err.text);
}

START_TEST(output_is_deterministic_and_loads)
{
    static const char *const specials[] = {"<|endoftext|>", "<|pad|>"};
    tokd_train_options o = {.vocab_size = 400, .pattern = tokd_train_pattern("gpt2"), .special_tokens = specials,
                            .n_special_tokens = 2};
    char d1[] = "/tmp/tokd-train-XXXXXX", d2[] = "/tmp/tokd-train-XXXXXX", p[300];
    ck_assert_ptr_nonnull(mkdtemp(d1));
    ck_assert_ptr_nonnull(mkdtemp(d2));
    size_t len;
    char *corpus = random_text(3, 4000, &len);
    tokd_trained *a = train_ok(&o, corpus, len);
    o.threads = 2;
    o.chunk_bytes = 5;
    tokd_trained *b = train_ok(&o, corpus, len);
    free(corpus);
    write_to(d1, a);
    write_to(d2, b);
    const char *files[] = {"mine.tiktoken", "mine.json"};
    for (int i = 0; i < 2; i++) {
        size_t n1, n2;
        snprintf(p, sizeof p, "%s/%s", d1, files[i]);
        char *x = test_read_file(p, &n1);
        snprintf(p, sizeof p, "%s/%s", d2, files[i]);
        char *y = test_read_file(p, &n2);
        ck_assert_uint_eq(n1, n2);
        ck_assert_mem_eq(x, y, n1);
        free(x);
        free(y);
    }
    tokd_tokenizer *tok = test_tokenizer(d1);
    ck_assert_str_eq(tokd_tokenizer_name(tok), "mine");
    ck_assert_uint_eq(tokd_tokenizer_n_vocab(tok), 400); /* the random corpus fills the vocabulary */
    tokd_specials allow = {.allowed_mode = TOKD_ALLOW_ALL};
    tokd_ids ids = {0};
    const char text[] = "The fox's dog<|endoftext|> 2024!";
    ck_assert_int_eq(tokd_encode(tok, text, sizeof text - 1, &allow, &ids, NULL), 0);
    int found = 0;
    for (size_t i = 0; i < ids.len; i++)
        found += ids.ids[i] == 398;
    ck_assert_int_eq(found, 1);
    tokd_bytes back = {0};
    ck_assert_int_eq(tokd_decode_bytes(tok, ids.ids, ids.len, &back, NULL), 0);
    ck_assert_str_eq(back.data, text);
    tokd_bytes_release(&back);
    tokd_ids_release(&ids);
    tokd_tokenizer_unref(tok);
    tokd_trained_free(a);
    tokd_trained_free(b);
    remove_dir(d1);
    remove_dir(d2);
}
END_TEST

START_TEST(tampered_rank_file_is_refused)
{
    tokd_train_options o = {.vocab_size = 300, .pattern = tokd_train_pattern("gpt2")};
    char d[] = "/tmp/tokd-train-XXXXXX", p[300];
    ck_assert_ptr_nonnull(mkdtemp(d));
    tokd_trained *t = train_ok(&o, english, sizeof english - 1);
    write_to(d, t);
    snprintf(p, sizeof p, "%s/mine.tiktoken", d);
    FILE *f = fopen(p, "ab");
    fputs("eHl6 300\n", f);
    fclose(f);
    tokd_tokenizer *tok = NULL;
    tokd_error err = {0};
    ck_assert_int_eq(tokd_tokenizer_load(d, NULL, &tok, &err), TOKD_EHASH);
    ck_assert_ptr_nonnull(strstr(err.text, "mine.tiktoken"));
    tokd_trained_free(t);
    remove_dir(d);
}
END_TEST

START_TEST(invalid_utf8_trains_as_replacement)
{
    const char bad[] = "ab\xff ab\xff ab\xff cd\xc3";
    const char good[] = "ab\xef\xbf\xbd ab\xef\xbf\xbd ab\xef\xbf\xbd cd\xef\xbf\xbd";
    tokd_train_options o = {.vocab_size = 270, .pattern = tokd_train_pattern("gpt2"), .min_frequency = 1};
    tokd_trained *x = train_ok(&o, bad, sizeof bad - 1), *y = train_ok(&o, good, sizeof good - 1);
    tokd_train_stats a, b;
    tokd_trained_stats(x, &a);
    tokd_trained_stats(y, &b);
    ck_assert_uint_eq(a.merges, b.merges);
    ck_assert_uint_eq(a.corpus_bytes, sizeof good - 1);
    ck_assert_str_ne(a.corpus_sha256, b.corpus_sha256); /* the hash is of the bytes given */
    for (uint32_t i = 0; i < a.merges; i++) {
        uint32_t m[3], n[3];
        tokd_trained_merge(x, i, &m[0], &m[1], &m[2]);
        tokd_trained_merge(y, i, &n[0], &n[1], &n[2]);
        ck_assert_mem_eq(m, n, sizeof m);
    }
    tokd_trained_free(x);
    tokd_trained_free(y);
}
END_TEST

START_TEST(options_are_checked)
{
    static const char *const twice[] = {"<a>", "<a>"}, *const empty[] = {""};
    tokd_error err = {0};
    tokd_train_options o = {.vocab_size = 256, .pattern = tokd_train_pattern("gpt2")};
    ck_assert_int_eq(tokd_train_check(&o, &err), TOKD_EINVAL);
    ck_assert_str_eq(err.text, "vocab_size must be from 257 (256 bytes, one merge and 0 special tokens) to 1000000, "
                               "not 256");
    o.vocab_size = 1000001;
    ck_assert_int_eq(tokd_train_check(&o, &err), TOKD_EINVAL);
    o.vocab_size = 258;
    o.special_tokens = twice;
    o.n_special_tokens = 2;
    ck_assert_int_eq(tokd_train_check(&o, &err), TOKD_EINVAL); /* 258 < 257 + 2 */
    o.vocab_size = 1000;
    ck_assert_int_eq(tokd_train_check(&o, &err), TOKD_EINVAL);
    ck_assert_str_eq(err.text, "special token \"<a>\" is listed twice");
    o.special_tokens = empty;
    o.n_special_tokens = 1;
    ck_assert_int_eq(tokd_train_check(&o, &err), TOKD_EINVAL);
    ck_assert_str_eq(err.text, "special token 0 is empty");
    o.n_special_tokens = 0;
    o.pattern = "ab(c";
    ck_assert_int_eq(tokd_train_check(&o, &err), TOKD_EPATTERN);
    ck_assert_uint_eq(err.position, 5);
    o.pattern = NULL;
    ck_assert_int_eq(tokd_train_check(&o, &err), TOKD_EINVAL);
    ck_assert_ptr_null(tokd_train_pattern("cl200k"));
    tokd_tokenizer *o200k = test_tokenizer("o200k_base");
    ck_assert_str_eq(tokd_train_pattern("o200k_base"), tokd_tokenizer_pattern(o200k));
    tokd_tokenizer_unref(o200k);
}
END_TEST

START_TEST(cancel_stops_training)
{
    size_t len;
    char *text = random_text(5, 40000, &len);
    tokd_train_options o = {.vocab_size = 5000, .pattern = tokd_train_pattern("gpt2")};
    tokd_train_progress pg = {0};
    atomic_store(&pg.cancel, 1);
    tokd_train_text t = {text, len};
    tokd_trained *out = NULL;
    tokd_error err = {0};
    ck_assert_int_eq(tokd_train(&o, &t, 1, &pg, &out, &err), TOKD_ECANCELLED);
    ck_assert_ptr_null(out);
    ck_assert_str_eq(err.text, "training was cancelled");
    free(text);
}
END_TEST

START_TEST(progress_is_reported)
{
    size_t len;
    char *text = random_text(6, 20000, &len);
    tokd_train_options o = {.vocab_size = 600, .pattern = tokd_train_pattern("gpt2"), .min_frequency = 1};
    tokd_train_progress pg = {0};
    tokd_train_text t = {text, len};
    tokd_trained *out = NULL;
    ck_assert_int_eq(tokd_train(&o, &t, 1, &pg, &out, NULL), 0);
    ck_assert_int_eq(atomic_load(&pg.phase), TOKD_TRAIN_DONE);
    ck_assert_uint_eq(atomic_load(&pg.bytes_done), len);
    ck_assert_uint_eq(atomic_load(&pg.bytes_total), len);
    ck_assert_uint_eq(atomic_load(&pg.merges_total), 600 - 256);
    ck_assert_uint_eq(atomic_load(&pg.merges_done), 600 - 256);
    tokd_trained_free(out);
    free(text);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("train");
    TCase *tc = tcase_create("train");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, random_corpora_match_reference, 0, 40);
    tcase_add_loop_test(tc, english_matches_reference, 0, 8);
    tcase_add_test(tc, runs_of_one_byte);
    tcase_add_loop_test(tc, chunks_change_nothing, 0, 7);
    tcase_add_test(tc, output_is_deterministic_and_loads);
    tcase_add_test(tc, tampered_rank_file_is_refused);
    tcase_add_test(tc, invalid_utf8_trains_as_replacement);
    tcase_add_test(tc, options_are_checked);
    tcase_add_test(tc, cancel_stops_training);
    tcase_add_test(tc, progress_is_reported);
    suite_add_tcase(s, tc);
    return test_run(s);
}
