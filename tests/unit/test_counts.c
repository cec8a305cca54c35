/* test_counts.c - sharded counting: counts add up to the whole corpus's.
 *
 * Training from counts of 1, 2, 4 and 7 uneven shards - cut inside texts
 * at random code points, through counts files, added in shuffled order and
 * grouping - must give exactly the merges and stats tokd_train gives on
 * the whole corpus (test_train.c holds tokd_train to the reference), for
 * the built-in patterns and for regexes whose pieces the cuts split
 * (lookahead, lookbehind, a fixed-length piece that never resyncs).
 * Counts files round-trip byte for byte and every malformed one is refused
 * by name; pruning rare pieces equals training without them. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "counts_impl.h"
#include "sha256.h"
#include "testutil.h"
#include "train_corpora.h"

/* Random text with many ties and pieces that cross any cut. */
static char *random_text(size_t units, size_t *len)
{
    static const char *const alphabet[] = {"a", "b", "ab", " ", " ", "\n", "\n\n", "1", "7", "'s", ",", "\xe4\xb8\xad",
                                           "\xc3\xa9", "aa", "  ", "Z", "\t", "."};
    return train_random_text(alphabet, sizeof alphabet / sizeof alphabet[0], units, len);
}

static const char *const patterns[] = {
    "gpt2", "cl100k_base", "o200k_base",
    "(?<=[a ])b+|\\w+|[^\\w\\s]",       /* lookbehind */
    "\\s+(?!\\S)|\\s+|[a-z]+|[^a-z\\s]+", /* lookahead: the cut changes the piece before it */
    "(?s).{1,3}",                        /* fixed lengths: a cut shifts every piece after it */
};
#define N_PATTERNS (sizeof patterns / sizeof patterns[0])

static const char *regex_of(size_t i)
{
    const char *named = tokd_train_pattern(patterns[i]);
    return named ? named : patterns[i];
}

typedef struct corpus {
    char *text[3];
    size_t len[3];
} corpus;

static void make_corpus(corpus *c, uint64_t seed)
{
    train_rng = seed;
    for (int i = 0; i < 3; i++)
        c->text[i] = random_text(200 + train_rnd(900), &c->len[i]);
}

static void free_corpus(corpus *c)
{
    for (int i = 0; i < 3; i++)
        free(c->text[i]);
}

static tokd_counts *new_counts(const char *pattern)
{
    tokd_counts *c;
    tokd_error err = {0};
    ck_assert_msg(tokd_counts_new(pattern, NULL, &c, &err) == 0, "%s", err.text);
    return c;
}

/* Encode and read back: what another process would get from the file
 * (tokd_counts_write writes these bytes; counts_files_round_trip checks). */
static tokd_counts *through_file(tokd_counts *c)
{
    tokd_bytes b = {0};
    ck_assert(tokd__counts_encode(c, &b) == 0);
    tokd_counts *back;
    tokd_error err = {0};
    ck_assert_msg(tokd_counts_parse(b.data, b.len, "counts", &back, &err) == 0, "%s", err.text);
    tokd_bytes_release(&b);
    tokd_counts_free(c);
    return back;
}

static size_t cut_at(const char *s, size_t len, size_t at)
{
    while (at < len && (s[at] & 0xC0) == 0x80)
        at++;
    return at;
}

/* Count text i in `parts` consecutive uneven parts, one counts each. */
static void count_parts(const corpus *c, int i, const char *pattern, int parts, tokd_counts **out, size_t *n)
{
    size_t cuts[16] = {0};
    for (int k = 1; k < parts; k++)
        cuts[k] = cut_at(c->text[i], c->len[i], train_rnd((uint32_t)c->len[i]));
    cuts[parts] = c->len[i];
    for (int k = 1; k < parts; k++) /* sort; duplicates make empty parts, skipped */
        for (int j = k; j > 1 && cuts[j] < cuts[j - 1]; j--) {
            size_t t = cuts[j];
            cuts[j] = cuts[j - 1], cuts[j - 1] = t;
        }
    for (int k = 0; k < parts; k++) {
        if (cuts[k] >= cuts[k + 1])
            continue;
        tokd_counts *p = new_counts(pattern);
        tokd_error err = {0};
        ck_assert_msg(tokd_counts_add_text(p, c->text[i], c->len[i], cuts[k], cuts[k + 1], 1 + (unsigned)train_rnd(3),
                                           &err) == 0,
                      "%s", err.text);
        out[(*n)++] = through_file(p);
    }
}

/* Add the parts in a shuffled order and a random grouping. */
static tokd_counts *add_up(tokd_counts **parts, size_t n)
{
    tokd_error err = {0};
    for (size_t i = n; i > 1; i--) {
        size_t j = train_rnd((uint32_t)i);
        tokd_counts *t = parts[i - 1];
        parts[i - 1] = parts[j], parts[j] = t;
    }
    while (n > 1) {
        size_t a = train_rnd((uint32_t)n), b = (a + 1 + train_rnd((uint32_t)n - 1)) % n;
        ck_assert_msg(tokd_counts_add(parts[a], parts[b], &err) == 0, "%s", err.text);
        tokd_counts_free(parts[b]);
        parts[b] = parts[--n];
        if (a == n)
            a = b;
        parts[a] = through_file(parts[a]);
    }
    return parts[0];
}

static void same_training(const tokd_train_options *o, const corpus *c, const tokd_counts *counts)
{
    tokd_train_text t[3] = {{c->text[0], c->len[0]}, {c->text[1], c->len[1]}, {c->text[2], c->len[2]}};
    tokd_trained *whole, *from;
    tokd_error err = {0};
    ck_assert_msg(tokd_train(o, t, 3, NULL, &whole, &err) == 0, "%s", err.text);
    ck_assert_msg(tokd_train_counts(o, counts, NULL, &from, &err) == 0, "%s", err.text);
    tokd_train_stats a, b;
    tokd_trained_stats(whole, &a);
    tokd_trained_stats(from, &b);
    ck_assert_uint_eq(a.merges, b.merges);
    ck_assert_uint_eq(a.n_vocab, b.n_vocab);
    ck_assert_uint_eq(a.pieces, b.pieces);
    ck_assert_uint_eq(a.unique_pieces, b.unique_pieces);
    ck_assert_uint_eq(a.tokens, b.tokens);
    ck_assert_uint_eq(a.corpus_bytes, b.corpus_bytes);
    for (uint32_t i = 0; i < a.merges; i++) {
        uint32_t l1, r1, id1, l2, r2, id2;
        tokd_trained_merge(whole, i, &l1, &r1, &id1);
        tokd_trained_merge(from, i, &l2, &r2, &id2);
        ck_assert_msg(l1 == l2 && r1 == r2 && id1 == id2, "merge %u differs", i);
    }
    tokd_trained_free(whole);
    tokd_trained_free(from);
}

static const int shard_counts[] = {1, 2, 4, 7};

/* Loop i: pattern i % N_PATTERNS, shards shard_counts[i / N_PATTERNS % 4]. */
START_TEST(shards_add_up_to_the_whole)
{
    size_t p = (size_t)_i % N_PATTERNS;
    int shards = shard_counts[(size_t)_i / N_PATTERNS % 4];
    corpus c;
    make_corpus(&c, 1000 + (uint64_t)_i);
    tokd_counts *parts[3 * 8];
    size_t n = 0;
    for (int i = 0; i < 3; i++)
        count_parts(&c, i, regex_of(p), shards, parts, &n);
    tokd_counts *sum = add_up(parts, n);
    tokd_train_options o = {.vocab_size = 400, .pattern = regex_of(p), .min_frequency = 1};
    same_training(&o, &c, sum);
    tokd_counts_info info;
    tokd_counts_get_info(sum, &info);
    ck_assert_uint_eq(info.texts, 3);
    ck_assert_uint_eq(info.bytes, c.len[0] + c.len[1] + c.len[2]);
    tokd_counts_free(sum);
    free_corpus(&c);
}
END_TEST

/* The threads' chunks inside one text are repaired the same way: tiny
 * chunks change nothing, for every pattern (loop i: pattern i % N, chunk
 * bytes 1 + i / N). */
START_TEST(tiny_chunks_change_nothing)
{
    corpus c;
    make_corpus(&c, 500 + (uint64_t)_i);
    tokd_train_text t[3] = {{c.text[0], c.len[0]}, {c.text[1], c.len[1]}, {c.text[2], c.len[2]}};
    tokd_train_options o = {.vocab_size = 400, .pattern = regex_of((size_t)_i % N_PATTERNS), .min_frequency = 1,
                            .threads = 3};
    tokd_trained *whole, *chunked;
    tokd_error err = {0};
    ck_assert_msg(tokd_train(&o, t, 3, NULL, &whole, &err) == 0, "%s", err.text);
    o.chunk_bytes = 1 + (size_t)_i / N_PATTERNS;
    ck_assert_msg(tokd_train(&o, t, 3, NULL, &chunked, &err) == 0, "%s", err.text);
    tokd_train_stats a, b;
    tokd_trained_stats(whole, &a);
    tokd_trained_stats(chunked, &b);
    ck_assert_uint_eq(a.pieces, b.pieces);
    ck_assert_uint_eq(a.unique_pieces, b.unique_pieces);
    ck_assert_uint_eq(a.merges, b.merges);
    ck_assert_uint_eq(a.tokens, b.tokens);
    tokd_trained_free(whole);
    tokd_trained_free(chunked);
    free_corpus(&c);
}
END_TEST

/* Pruning: min_piece_count N equals training on the counts without the
 * pieces counted fewer than N times, and changes the result. */
START_TEST(pruning_leaves_out_rare_pieces)
{
    static const char text[] = "low low low low lower lower newest newest newest widest zany";
    const char *gpt2 = tokd_train_pattern("gpt2");
    tokd_counts *all = new_counts(gpt2), *kept = new_counts(gpt2);
    tokd_error err = {0};
    ck_assert(tokd_counts_add_text(all, text, strlen(text), 0, strlen(text), 1, &err) == 0);
    static const char frequent[] = "low low low low lower lower newest newest newest";
    ck_assert(tokd_counts_add_text(kept, frequent, strlen(frequent), 0, strlen(frequent), 1, &err) == 0);
    tokd_train_options o = {.vocab_size = 300, .pattern = gpt2, .min_frequency = 1, .min_piece_count = 2};
    tokd_trained *pruned, *without, *unpruned;
    ck_assert(tokd_train_counts(&o, all, NULL, &pruned, &err) == 0);
    ck_assert(tokd_train_counts(&o, kept, NULL, &without, &err) == 0);
    o.min_piece_count = 1;
    ck_assert(tokd_train_counts(&o, all, NULL, &unpruned, &err) == 0);
    tokd_train_stats a, b, u;
    tokd_trained_stats(pruned, &a);
    tokd_trained_stats(without, &b);
    tokd_trained_stats(unpruned, &u);
    ck_assert_uint_eq(a.merges, b.merges);
    for (uint32_t i = 0; i < a.merges; i++) {
        uint32_t l1, r1, id1, l2, r2, id2;
        tokd_trained_merge(pruned, i, &l1, &r1, &id1);
        tokd_trained_merge(without, i, &l2, &r2, &id2);
        ck_assert(l1 == l2 && r1 == r2 && id1 == id2);
    }
    /* "low", " widest" and " zany" (once each) give the unpruned run pairs
     * to merge with min_frequency 1 that the pruned run never sees: it
     * stops sooner (numbers from the plain get_stats/merge loop) */
    ck_assert_uint_eq(a.merges, 11);
    ck_assert_uint_eq(u.merges, 19);
    ck_assert_uint_eq(a.pieces, u.pieces); /* the stats still describe the whole corpus */
    tokd_trained_free(pruned);
    tokd_trained_free(without);
    tokd_trained_free(unpruned);
    tokd_counts_free(all);
    tokd_counts_free(kept);
}
END_TEST

static void encoded(tokd_counts *c, char **data, size_t *len)
{
    tokd_bytes b = {0};
    ck_assert(tokd__counts_encode(c, &b) == 0);
    *data = b.data;
    *len = b.len;
}

static tokd_counts *sample(void)
{
    static const char text[] = "the cat sat on the mat, the end\n\n";
    tokd_counts *c = new_counts(tokd_train_pattern("gpt2"));
    tokd_error err = {0};
    ck_assert(tokd_counts_add_text(c, text, strlen(text), 0, 12, 1, &err) == 0);
    ck_assert(tokd_counts_add_text(c, text, strlen(text), 12, strlen(text), 1, &err) == 0);
    return c;
}

START_TEST(counts_files_round_trip)
{
    char *a, *b;
    size_t la, lb;
    tokd_counts *c = sample();
    encoded(c, &a, &la);
    tokd_counts *back;
    tokd_error err = {0};
    char path[] = "/tmp/tokd-test-counts-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    ck_assert(tokd_counts_write(c, path, &err) == 0);
    ck_assert_msg(tokd_counts_read(path, -1, &back, &err) == 0, "%s", err.text);
    unlink(path);
    encoded(back, &b, &lb);
    ck_assert_uint_eq(la, lb);
    ck_assert(memcmp(a, b, la) == 0);
    tokd_counts_info i;
    tokd_counts_get_info(back, &i);
    ck_assert_uint_eq(i.texts, 1);
    ck_assert_uint_eq(i.bytes, 33);
    ck_assert_uint_eq(i.pieces, 10);
    ck_assert_uint_eq(i.distinct, 9);
    ck_assert_str_eq(i.pattern_name, "");
    tokd_counts_free(c);
    tokd_counts_free(back);
    free(a);
    free(b);
}
END_TEST

static void refused(const char *data, size_t len, const char *message)
{
    tokd_counts *c = NULL;
    tokd_error err = {0};
    ck_assert_int_eq(tokd_counts_parse(data, len, "f.counts", &c, &err), TOKD_EFORMAT);
    ck_assert_msg(strstr(err.text, message) != NULL, "expected \"%s\" in \"%s\"", message, err.text);
    ck_assert_ptr_null(c);
}

/* Rewrite the trailer after editing, so only the edit is wrong. */
static void reseal(char *data, size_t len)
{
    tokd__sha256 h;
    tokd__sha256_init(&h);
    tokd__sha256_update(&h, data, len - 32);
    tokd__sha256_final(&h, (uint8_t *)data + len - 32);
}

START_TEST(malformed_files_are_refused_by_name)
{
    char *d;
    size_t n;
    tokd_counts *c = sample();
    encoded(c, &d, &n);
    tokd_counts_free(c);
    refused("nope", 4, "is not a tokd counts file");
    for (size_t k = 0; k < n; k++) { /* every truncation */
        tokd_counts *x = NULL;
        tokd_error err = {0};
        ck_assert_int_eq(tokd_counts_parse(d, k, "f.counts", &x, &err), TOKD_EFORMAT);
    }
    refused(d, n - 1, "is truncated");
    char *e = malloc(n + 1);
    memcpy(e, d, n);
    e[n] = 'x';
    refused(e, n + 1, "1 bytes after its checksum");
    memcpy(e, d, n);
    e[n - 40] ^= 1; /* a byte of the last entry's piece */
    refused(e, n, "fails its SHA-256 check");
    memcpy(e, d, n);
    e[8] = 2;
    refused(e, n, "is counts format version 2; this tokd reads version 1");
    memcpy(e, d, n);
    e[12] = 1;
    refused(e, n, "unknown flags");
    /* entries: the first at 16 + 4 + pattern + 4 + 0 + 32 */
    size_t plen = (unsigned char)e[16] | (size_t)(unsigned char)e[17] << 8;
    size_t first = 16 + 4 + plen + 4 + 32;
    memcpy(e, d, n);
    memset(e + first + 4, 0, 8);
    reseal(e, n);
    refused(e, n, "entry 0 has a count of 0");
    memcpy(e, d, n);
    memset(e + first + 4, 0xff, 7);
    e[first + 11] = 0x7f; /* 2^63-1: the next entry's count passes it */
    reseal(e, n);
    refused(e, n, "entry 1 makes the counts add up past 2^63-1");
    memcpy(e, d, n);
    e[first] = 0;
    reseal(e, n);
    refused(e, n, "entry 0 has a piece of 0");
    memcpy(e, d, n);
    e[first + 12] = (char)0xff; /* the first piece's first byte: out of order and not UTF-8 */
    reseal(e, n);
    refused(e, n, "entry 0 is not valid UTF-8");
    memcpy(e, d, n);
    e[first + 12] = '~'; /* "\n\n" becomes "~\n", after the next entry */
    reseal(e, n);
    refused(e, n, "entry 1 is out of order or repeated");
    free(e);
    free(d);
}
END_TEST

START_TEST(different_patterns_do_not_add)
{
    tokd_counts *a = new_counts(tokd_train_pattern("gpt2")), *b;
    tokd_error err = {0};
    ck_assert(tokd_counts_new(tokd_train_pattern("cl100k_base"), "cl100k_base", &b, &err) == 0);
    ck_assert_int_eq(tokd_counts_add(a, b, &err), TOKD_EINVAL);
    ck_assert_msg(strstr(err.text, "cl100k_base") && strstr(err.text, "different patterns"), "%s", err.text);
    tokd_train_options o = {.vocab_size = 300, .pattern = tokd_train_pattern("gpt2")};
    tokd_trained *t = NULL;
    ck_assert_int_eq(tokd_train_counts(&o, b, NULL, &t, &err), TOKD_EINVAL);
    ck_assert_msg(strstr(err.text, "another pattern (cl100k_base)"), "%s", err.text);
    tokd_counts_free(a);
    tokd_counts_free(b);
}
END_TEST

/* A part counted without the part after it leaves negative counts. */
START_TEST(missing_parts_are_detected)
{
    static const char text[] = "aaa   bbb";
    tokd_counts *c = new_counts(tokd_train_pattern("gpt2"));
    tokd_error err = {0};
    ck_assert(tokd_counts_add_text(c, text, 9, 0, 4, 1, &err) == 0);
    tokd_train_options o = {.vocab_size = 300};
    tokd_trained *t = NULL;
    ck_assert_int_eq(tokd_train_counts(&o, c, NULL, &t, &err), TOKD_EINVAL);
    ck_assert_msg(strstr(err.text, "negative count"), "%s", err.text);
    ck_assert_int_eq(tokd_counts_add_text(c, text, 9, 5, 4, 1, &err), TOKD_EINVAL);
    ck_assert_int_eq(tokd_counts_add_text(c, "\xc3\xa9", 2, 1, 2, 1, &err), TOKD_EINVAL);
    tokd_counts_free(c);
}
END_TEST

static void write_file(const char *path, const char *s)
{
    FILE *f = fopen(path, "wb");
    fputs(s, f);
    fclose(f);
}

/* tokd_counts_add_corpus: shards of files (plain and JSON Lines) add up
 * to the whole, with windows smaller than a file. */
START_TEST(corpus_shards_add_up)
{
    corpus c;
    make_corpus(&c, 77);
    char dir[] = "/tmp/tokd-test-corpus-XXXXXX", path[3][300];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    tokd_corpus_file files[3];
    for (int i = 0; i < 3; i++) {
        snprintf(path[i], sizeof path[i], "%s/f%d.txt", dir, i);
        write_file(path[i], c.text[i]);
        files[i] = (tokd_corpus_file){open(path[i], O_RDONLY), path[i]};
    }
    const char *gpt2 = tokd_train_pattern("gpt2");
    tokd_error err = {0};
    for (size_t s = 0; s < 4; s++) {
        tokd_counts *parts[8];
        for (int k = 0; k < shard_counts[s]; k++) {
            tokd_corpus_options o = {.shard = (unsigned)k, .shards = (unsigned)shard_counts[s], .window_bytes = 97};
            parts[k] = new_counts(gpt2);
            ck_assert_msg(tokd_counts_add_corpus(parts[k], files, 3, &o, NULL, &err) == 0, "%s", err.text);
            parts[k] = through_file(parts[k]);
        }
        tokd_counts *sum = add_up(parts, (size_t)shard_counts[s]);
        tokd_train_options o = {.vocab_size = 400, .pattern = gpt2, .min_frequency = 1};
        same_training(&o, &c, sum);
        tokd_counts_free(sum);
    }
    for (int i = 0; i < 3; i++) {
        close(files[i].fd);
        unlink(path[i]);
    }
    rmdir(dir);
    free_corpus(&c);
}
END_TEST

START_TEST(jsonl_records_and_invalid_lines)
{
    char dir[] = "/tmp/tokd-test-jsonl-XXXXXX", path[300];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/c.jsonl", dir);
    write_file(path, "{\"text\": \"hello world\", \"id\": 1}\n"
                     "not json\n"
                     "\n"
                     "{\"id\": 2}\n"
                     "{\"text\": 3}\n"
                     "[\"text\"]\n"
                     "{\"text\": \"hello again\\nworld\"}\n"
                     "{\"text\": \"caf\\u00e9 hello\"}");
    const char *gpt2 = tokd_train_pattern("gpt2");
    tokd_corpus_file f = {open(path, O_RDONLY), path};
    tokd_counts *whole = new_counts(gpt2);
    tokd_corpus_options o = {.jsonl_field = "text"};
    tokd_error err = {0};
    ck_assert_msg(tokd_counts_add_corpus(whole, &f, 1, &o, NULL, &err) == 0, "%s", err.text);
    tokd_counts_info i;
    tokd_counts_get_info(whole, &i);
    ck_assert_uint_eq(i.invalid_records, 4);
    ck_assert_uint_eq(i.texts, 3);
    ck_assert_uint_eq(i.bytes, 11 + 17 + 11);
    /* the same records as texts */
    const char *t[3] = {"hello world", "hello again\nworld", "caf\xc3\xa9 hello"};
    tokd_counts *direct = new_counts(gpt2);
    for (int k = 0; k < 3; k++)
        ck_assert(tokd_counts_add_text(direct, t[k], strlen(t[k]), 0, strlen(t[k]), 1, &err) == 0);
    char *a, *b;
    size_t la, lb;
    for (unsigned shards = 1; shards <= 7; shards += 3) { /* 1, 4 and 7 shards */
        tokd_counts *sum = new_counts(gpt2);
        for (unsigned k = 0; k < shards; k++) {
            tokd_corpus_options so = {.jsonl_field = "text", .shard = k, .shards = shards};
            ck_assert(tokd_counts_add_corpus(sum, &f, 1, &so, NULL, &err) == 0);
        }
        encoded(sum, &a, &la);
        encoded(whole, &b, &lb);
        ck_assert_uint_eq(la, lb);
        ck_assert(memcmp(a, b, la) == 0);
        free(a);
        free(b);
        tokd_counts_free(sum);
    }
    tokd_train_options to = {.vocab_size = 300, .min_frequency = 1};
    tokd_trained *x, *y;
    ck_assert(tokd_train_counts(&to, whole, NULL, &x, &err) == 0);
    ck_assert(tokd_train_counts(&to, direct, NULL, &y, &err) == 0);
    tokd_train_stats sx, sy;
    tokd_trained_stats(x, &sx);
    tokd_trained_stats(y, &sy);
    ck_assert_uint_eq(sx.merges, sy.merges);
    ck_assert_uint_eq(sx.tokens, sy.tokens);
    tokd_trained_free(x);
    tokd_trained_free(y);
    tokd_corpus_options bad = {.shard = 3, .shards = 3};
    ck_assert_int_eq(tokd_counts_add_corpus(whole, &f, 1, &bad, NULL, &err), TOKD_EINVAL);
    ck_assert_msg(strstr(err.text, "shard 3 does not exist"), "%s", err.text);
    close(f.fd);
    unlink(path);
    rmdir(dir);
    tokd_counts_free(whole);
    tokd_counts_free(direct);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("counts");
    TCase *tc = tcase_create("counts");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, shards_add_up_to_the_whole, 0, (int)N_PATTERNS * 4);
    tcase_add_loop_test(tc, tiny_chunks_change_nothing, 0, (int)N_PATTERNS * 4);
    tcase_add_test(tc, pruning_leaves_out_rare_pieces);
    tcase_add_test(tc, counts_files_round_trip);
    tcase_add_test(tc, malformed_files_are_refused_by_name);
    tcase_add_test(tc, different_patterns_do_not_add);
    tcase_add_test(tc, missing_parts_are_detected);
    tcase_add_test(tc, corpus_shards_add_up);
    tcase_add_test(tc, jsonl_records_and_invalid_lines);
    suite_add_tcase(s, tc);
    return test_run(s);
}
