/* test_alloc_fail.c - allocation-failure injection (jansson's test_chaos.c
 * is the model): the n-th allocation fails, for every n = 1, 2, ... until a
 * run makes no more allocations, while loading every bundled tokenizer (the
 * built-in encodings of data/encodings, the bundled llama3 and mistral
 * tokenizer.json files, GPT-2's files in tests/data/gpt2) and while
 * encoding, counting, encoding with offsets and decoding a multilingual
 * text (the first line of each tests/data/corpus/ *.txt file, at most
 * TEXT_BYTES of it: 17 scripts and formats) with each. Every run must end
 * in TOKD_ENOMEM with nothing leaked, or in success with exactly the result
 * of a run without failures (same ids, offsets, count, text, vocabulary and
 * SHA-256) - never a crash, a leak or a wrong id. No allocation is skipped
 * or sampled.
 *
 * How allocations are failed, without touching the library: this test is
 * linked against the static libtokd with -Wl,--wrap=malloc,calloc,realloc,
 * strdup,strndup,free (every allocator libtokd calls), so libtokd's calls
 * come here ("own" below). jansson's allocations while libtokd parses a
 * file come from the parse's arena (src/core/json_arena.h), whose blocks
 * are own allocations, so failing those fails jansson's. Any other jansson
 * allocation ("json") goes to the allocator libtokd's arena found installed
 * in jansson, which is this test's: a constructor that runs before
 * libtokd's installs it. PCRE2 allocates through libtokd's general context
 * (src/core/pretok.c), whose functions call malloc and free from libtokd,
 * so its allocations (compiling, match data, JIT stacks) fail here too.
 *
 * How the run time stays reasonable: an operation runs once and forks at
 * each allocation: the child sees NULL, runs the operation to its end and
 * checks the outcome, then _exits with 0 (ok) or 1; the parent goes on with
 * that allocation succeeded, so no prefix is ever rerun, and up to one child
 * per core runs beside it. A child costs a fork and the unwinding of the
 * operation. The test prints, per operation, how many allocations of each
 * kind it made (each of them failed once) and the time.
 * Leaks: the wrappers and the json hooks keep a count of live blocks; after
 * an operation and the release of its results the count must be back where
 * it was (exact in the release build and under ASan, whose leak checker
 * also runs at exit). */
#include <errno.h>
#include <glob.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define TEXT_BYTES 100 /* at most this much of each corpus file's first line */
#define MAX_CHILDREN 8 /* children running at once: one per core, at most this */

enum { OWN, JSON, N_KINDS };
static const char *const kind_name[N_KINDS] = {"own", "json"};

/* The injection's state. Single-threaded: the loads and the calls without
 * limits made here start no threads (an encode spread over threads needs
 * tokd_limits.max_threads), which also makes forking inside an allocation
 * safe. */
static struct {
    int armed;              /* count allocations: an operation is running */
    long calls[N_KINDS];    /* allocations since the operation started */
    int failing;            /* fail every allocation (in a child each) */
    int in_child;           /* this process is a child whose allocation failed */
    int max_running, n_running;
    struct running {
        pid_t pid;
        int kind;
        long n;
    } running[MAX_CHILDREN];
    long live;              /* allocated blocks not yet freed */
    long children, bad;     /* children run, children that failed */
    char first_bad[200];
} chaos;

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
void __wrap_free(void *p);

static void child_failed(int kind, long n, const char *how, int code)
{
    if (!chaos.bad++)
        snprintf(chaos.first_bad, sizeof chaos.first_bad, "%s allocation %ld: %s %d", kind_name[kind], n, how, code);
}

/* Wait for one running child and take its verdict. Called from inside an
 * allocation: it must not allocate (no ck_assert here). */
static void reap_one(void)
{
    int status = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, 0)) < 0 && errno == EINTR)
        ;
    int i = 0;
    while (i < chaos.n_running && chaos.running[i].pid != pid)
        i++;
    if (i == chaos.n_running) { /* no child of ours ended: lose track of them all, loudly */
        child_failed(OWN, -1, "waitpid failed", errno);
        chaos.children += chaos.n_running;
        chaos.n_running = 0;
        return;
    }
    struct running r = chaos.running[i];
    chaos.running[i] = chaos.running[--chaos.n_running];
    chaos.children++;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        child_failed(r.kind, r.n, WIFSIGNALED(status) ? "killed by signal" : "exit status",
                     WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
}

static void reap_all(void)
{
    while (chaos.n_running > 0)
        reap_one();
}

/* In the parent: start a child in which this allocation fails (waiting
 * first for one if as many run as there are cores). Returns 1 in the child
 * (fail the allocation), 0 in the parent. */
static int fork_failing(int kind, long n)
{
    if (chaos.n_running == chaos.max_running)
        reap_one();
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        chaos.in_child = 1;
        chaos.n_running = 0;
        return 1;
    }
    if (pid < 0) {
        chaos.children++;
        child_failed(kind, n, "fork failed", errno);
    } else
        chaos.running[chaos.n_running++] = (struct running){pid, kind, n};
    return 0;
}

/* Whether this allocation of `kind` is to fail. */
static int fails(int kind)
{
    if (!chaos.armed)
        return 0;
    long n = ++chaos.calls[kind];
    return chaos.failing && !chaos.in_child && fork_failing(kind, n);
}

static void *counted(void *p)
{
    chaos.live += p != NULL;
    return p;
}

void *__wrap_malloc(size_t n)
{
    return fails(OWN) ? NULL : counted(__real_malloc(n));
}

void *__wrap_calloc(size_t k, size_t n)
{
    return fails(OWN) ? NULL : counted(__real_calloc(k, n));
}

void *__wrap_realloc(void *p, size_t n)
{
    if (fails(OWN))
        return NULL;
    void *q = __real_realloc(p, n);
    chaos.live += (p == NULL && q != NULL) - (p != NULL && n == 0);
    return q;
}

char *__wrap_strdup(const char *s)
{
    return fails(OWN) ? NULL : counted(__real_strdup(s));
}

char *__wrap_strndup(const char *s, size_t n)
{
    return fails(OWN) ? NULL : counted(__real_strndup(s, n));
}

void __wrap_free(void *p)
{
    chaos.live -= p != NULL;
    __real_free(p);
}

static void *json_chaos_malloc(size_t n)
{
    return fails(JSON) ? NULL : counted(__real_malloc(n));
}

/* An operation under test: run() makes the libtokd calls and returns 0 or a
 * TOKD_E*; same() says whether a successful run's result equals the
 * reference; release() frees the result. */
typedef struct chaos_op {
    const char *what;
    int (*run)(void *ctx, tokd_error *err);
    int (*same)(void *ctx);
    void (*release)(void *ctx);
    void *ctx;
} chaos_op;

/* In a child, after the failed allocation: the outcome, as an exit status. */
static int child_verdict(const chaos_op *op, int rc, const tokd_error *err, long live_before)
{
    int ok = rc == 0 ? op->same(op->ctx) : rc == TOKD_ENOMEM;
    if (!ok)
        fprintf(stderr, "%s: %s (%s)\n", op->what, rc ? tokd_err_name(rc) : "a different result", err->text);
    op->release(op->ctx);
    if (chaos.live != live_before) {
        fprintf(stderr, "%s: %s with %ld blocks leaked\n", op->what, tokd_err_name(rc), chaos.live - live_before);
        ok = 0;
    }
    return ok ? 0 : 1;
}

/* Run `op` once, failing every allocation (each in its own child) if
 * `failing`; made[kind] = how many allocations of each kind the run made. */
static void run_failing(const chaos_op *op, int failing, long made[N_KINDS])
{
    tokd_error err = {0};
    long live_before = chaos.live;
    for (int k = 0; k < N_KINDS; k++)
        chaos.calls[k] = 0;
    chaos.failing = failing;
    chaos.armed = 1;
    int rc = op->run(op->ctx, &err);
    chaos.armed = 0;
    if (chaos.in_child)
        _exit(child_verdict(op, rc, &err, live_before));
    reap_all();
    ck_assert_msg(rc == 0, "%s without failures: %s", op->what, err.text);
    ck_assert_msg(op->same(op->ctx), "%s without failures: not the reference result", op->what);
    op->release(op->ctx);
    ck_assert_int_eq(chaos.live, live_before);
    for (int k = 0; k < N_KINDS; k++)
        made[k] = chaos.calls[k];
}

static double elapsed(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU time of this process and its waited-for children (user + system). */
static double cpu_seconds(void)
{
    struct rusage self, children;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    const struct timeval *tv[] = {&self.ru_utime, &self.ru_stime, &children.ru_utime, &children.ru_stime};
    double s = 0;
    for (int i = 0; i < 4; i++)
        s += (double)tv[i]->tv_sec + (double)tv[i]->tv_usec / 1e6;
    return s;
}

/* The whole injection for one operation: a counting run, then a run with a
 * child for every allocation, which must make the same allocations. */
static void chaos_check(const chaos_op *op)
{
    long total[N_KINDS], again[N_KINDS];
    double t0 = elapsed(), cpu0 = cpu_seconds();
    run_failing(op, 0, total);
    chaos.children = chaos.bad = 0;
    run_failing(op, 1, again);
    printf("%-36s own %5ld, json %5ld failed: %ld bad, %.1f s (%.1f s CPU)\n", op->what, total[OWN], total[JSON],
           chaos.bad, elapsed() - t0, cpu_seconds() - cpu0);
    ck_assert_msg(chaos.bad == 0, "%s: %ld of %ld runs went wrong, first: %s", op->what, chaos.bad, chaos.children,
                  chaos.first_bad);
    ck_assert_int_eq(again[OWN], total[OWN]);
    ck_assert_int_eq(again[JSON], total[JSON]);
    ck_assert_int_eq(chaos.children, total[OWN] + total[JSON]);
}

/* The reference: a tokenizer loaded and the corpus encoded and decoded
 * without failures. */
static struct {
    char *text;
    size_t len;
} corpus;

typedef struct reference {
    tokd_tokenizer *tok;
    tokd_ids ids;
    tokd_ids offset_ids; /* ids and offsets of tokd_encode_offsets */
    tokd_offsets offsets;
    tokd_bytes decoded;
} reference;

static const tokd_specials plain = {.disallowed_mode = TOKD_DISALLOW_NONE};

static int same_ids(const tokd_ids *a, const tokd_ids *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->ids, b->ids, a->len * sizeof *a->ids) == 0);
}

/* load */
typedef struct load_ctx {
    const char *spec;
    const reference *ref;
    tokd_tokenizer *tok;
} load_ctx;

static int load_run(void *ctx, tokd_error *err)
{
    load_ctx *c = ctx;
    return tokd_tokenizer_load(c->spec, NULL, &c->tok, err);
}

static int load_same(void *ctx)
{
    load_ctx *c = ctx;
    const tokd_tokenizer *t = c->tok, *r = c->ref->tok;
    tokd_ids ids = {0};
    int same = tokd_tokenizer_n_vocab(t) == tokd_tokenizer_n_vocab(r) &&
               tokd_tokenizer_n_specials(t) == tokd_tokenizer_n_specials(r) &&
               !strcmp(tokd_tokenizer_sha256(t), tokd_tokenizer_sha256(r)) &&
               !strcmp(tokd_tokenizer_name(t), tokd_tokenizer_name(r)) &&
               tokd_encode(t, corpus.text, corpus.len, &plain, &ids, NULL) == 0 && same_ids(&ids, &c->ref->ids);
    tokd_ids_release(&ids);
    return same;
}

static void load_release(void *ctx)
{
    load_ctx *c = ctx;
    tokd_tokenizer_unref(c->tok);
    c->tok = NULL;
}

/* encode, count, offsets, decode of the corpus */
typedef struct text_ctx {
    const reference *ref;
    tokd_ids ids;
    tokd_offsets offsets;
    size_t count;
    tokd_bytes bytes;
} text_ctx;

static int encode_run(void *ctx, tokd_error *err)
{
    text_ctx *c = ctx;
    return tokd_encode(c->ref->tok, corpus.text, corpus.len, &plain, &c->ids, err);
}

static int encode_same(void *ctx)
{
    text_ctx *c = ctx;
    return same_ids(&c->ids, &c->ref->ids);
}

static int count_run(void *ctx, tokd_error *err)
{
    text_ctx *c = ctx;
    return tokd_count(c->ref->tok, corpus.text, corpus.len, &plain, &c->count, err);
}

static int count_same(void *ctx)
{
    text_ctx *c = ctx;
    return c->count == c->ref->ids.len;
}

static int offsets_run(void *ctx, tokd_error *err)
{
    text_ctx *c = ctx;
    return tokd_encode_offsets(c->ref->tok, corpus.text, corpus.len, &plain, NULL, &c->ids, &c->offsets, err);
}

static int offsets_same(void *ctx)
{
    text_ctx *c = ctx;
    const tokd_offsets *a = &c->offsets, *b = &c->ref->offsets;
    return same_ids(&c->ids, &c->ref->offset_ids) && a->len == b->len && a->len == c->ids.len &&
           !memcmp(a->v, b->v, a->len * sizeof *a->v);
}

static int decode_run(void *ctx, tokd_error *err)
{
    text_ctx *c = ctx;
    return tokd_decode_text(c->ref->tok, c->ref->ids.ids, c->ref->ids.len, &c->bytes, err);
}

static int decode_same(void *ctx)
{
    text_ctx *c = ctx;
    return c->bytes.len == c->ref->decoded.len && !memcmp(c->bytes.data, c->ref->decoded.data, c->bytes.len);
}

static void text_release(void *ctx)
{
    text_ctx *c = ctx;
    tokd_ids_release(&c->ids);
    tokd_offsets_release(&c->offsets);
    tokd_bytes_release(&c->bytes);
    c->count = 0;
}

/* The length of the first line of `text` (with its newline), cut to at
 * most TEXT_BYTES at a character boundary. */
static size_t first_line(const char *text, size_t len)
{
    const char *nl = memchr(text, '\n', len);
    size_t n = nl ? (size_t)(nl - text) + 1 : len;
    if (n <= TEXT_BYTES)
        return n;
    n = TEXT_BYTES;
    while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
        n--;
    return n;
}

static void read_corpus(void)
{
    glob_t g;
    ck_assert_int_eq(glob(TOKD_TEST_DATA "/corpus/*.txt", 0, NULL, &g), 0);
    ck_assert_uint_ge(g.gl_pathc, 10);
    tokd_bytes all = {0};
    for (size_t i = 0; i < g.gl_pathc; i++) {
        size_t len;
        char *text = test_read_file(g.gl_pathv[i], &len);
        ck_assert_int_eq(tokd_bytes_append(&all, text, first_line(text, len)), 0);
        free(text);
    }
    globfree(&g);
    corpus.text = all.data;
    corpus.len = all.len;
}

/* The result of a run without failures, to compare every run with. */
static void reference_init(reference *ref, const char *spec)
{
    if (!corpus.text)
        read_corpus();
    *ref = (reference){.tok = test_tokenizer(spec)};
    ck_assert_int_eq(tokd_encode(ref->tok, corpus.text, corpus.len, &plain, &ref->ids, NULL), 0);
    ck_assert_uint_gt(ref->ids.len, 200);
    ck_assert_int_eq(tokd_encode_offsets(ref->tok, corpus.text, corpus.len, &plain, NULL, &ref->offset_ids,
                                         &ref->offsets, NULL),
                     0);
    ck_assert_uint_eq(ref->offsets.len, ref->offset_ids.len);
    ck_assert_int_eq(tokd_decode_text(ref->tok, ref->ids.ids, ref->ids.len, &ref->decoded, NULL), 0);
}

static void reference_release(reference *ref)
{
    tokd_ids_release(&ref->ids);
    tokd_ids_release(&ref->offset_ids);
    tokd_offsets_release(&ref->offsets);
    tokd_bytes_release(&ref->decoded);
    tokd_tokenizer_unref(ref->tok);
}

static void chaos_tokenizer(const char *spec)
{
    reference ref;
    reference_init(&ref, spec);
    load_ctx lc = {spec, &ref, NULL};
    text_ctx tc = {.ref = &ref};
    static const char *const verbs[] = {"encode", "count", "offsets of", "decode"};
    char what[5][96];
    snprintf(what[0], sizeof what[0], "load %s", strrchr(spec, '/') ? strrchr(spec, '/') + 1 : spec);
    for (int i = 0; i < 4; i++)
        snprintf(what[i + 1], sizeof what[i + 1], "%s corpus with %s", verbs[i], tokd_tokenizer_name(ref.tok));
    const chaos_op ops[] = {
        {what[0], load_run, load_same, load_release, &lc},
        {what[1], encode_run, encode_same, text_release, &tc},
        {what[2], count_run, count_same, text_release, &tc},
        {what[3], offsets_run, offsets_same, text_release, &tc},
        {what[4], decode_run, decode_same, text_release, &tc},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        chaos_check(&ops[i]);
    reference_release(&ref);
}

START_TEST(builtin_encodings)
{
    chaos_tokenizer(tokd_builtin_encodings()[_i]);
}
END_TEST

START_TEST(bundled_tokenizers)
{
    chaos_tokenizer(tokd_bundled_tokenizers()[_i]);
}
END_TEST

START_TEST(gpt2_files)
{
    chaos_tokenizer(TOKD_TEST_DATA "/gpt2");
}
END_TEST

static int n_names(const char *const *names)
{
    int n = 0;
    while (names[n])
        n++;
    return n;
}

/* Before libtokd's constructor (json_arena.c), which keeps this as the
 * allocator for jansson's allocations outside an arena. */
__attribute__((constructor(101))) static void json_hooks(void)
{
    json_set_alloc_funcs(json_chaos_malloc, __wrap_free);
}

int main(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    chaos.max_running = cores < 1 ? 1 : cores > MAX_CHILDREN ? MAX_CHILDREN : (int)cores;
    Suite *s = suite_create("alloc_fail");
    TCase *builtin = tcase_create("builtin"), *bundled = tcase_create("bundled"), *files = tcase_create("gpt2_files");
    tcase_add_loop_test(builtin, builtin_encodings, 0, n_names(tokd_builtin_encodings()));
    tcase_add_loop_test(bundled, bundled_tokenizers, 0, n_names(tokd_bundled_tokenizers()));
    tcase_add_test(files, gpt2_files);
    TCase *const cases[] = {builtin, bundled, files};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tcase_set_timeout(cases[i], 0);
        suite_add_tcase(s, cases[i]);
    }
    int rc = test_run(s);
    free(corpus.text);
    return rc;
}
