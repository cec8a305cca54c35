/* cmd_train.c - tokd train: learn a byte-level BPE tokenizer from files.
 *
 * The corpus files are counted (tokd/counts.h: streamed, bounded memory),
 * counts files given with --from-counts are added, and the sum is trained
 * on (tokd/train.h), written to DIR/NAME.tiktoken + DIR/NAME.json, loaded
 * back as any tokenizer would be and, for a plain-text corpus, used to
 * count it, which gives the summary's bytes per token. `tokd train count`
 * and `tokd train merge` are in cmd_train_counts.c.
 * Progress goes to stderr: a bar redrawn in place on a terminal, plain
 * lines otherwise (for logs and CI). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static const char usage_text[] =
    "usage: tokd train --corpus FILE [FILE...] --vocab-size N -o DIR\n"
    "                  [--pattern NAME | --regex REGEX] [--name NAME] [--min-frequency N]\n"
    "                  [--special-token TEXT]... [--max-token-bytes N] [--threads N]\n"
    "                  [--jsonl-field F] [--from-counts FILE...] [--min-piece-count N]\n"
    "       tokd train count -o FILE [--shard I/N] ... CORPUS...   (tokd train count --help)\n"
    "       tokd train merge -o FILE COUNTS...\n"
    "Learn a byte-level BPE tokenizer from the corpus files and write\n"
    "DIR/NAME.tiktoken and DIR/NAME.json; `tokd encode -t DIR` then uses it.\n\n"
    "  --corpus FILE...        text files to learn from (pieces never cross files);\n"
    "                          quoted glob patterns are expanded\n"
    "  --jsonl-field F         the files are JSON Lines: learn from each record's field F\n"
    "                          (records without it are counted and skipped)\n"
    "  --from-counts FILE...   add counts files (tokd train count) to what is learned from\n"
    "  --min-piece-count N     leave out pieces counted fewer than N times before merging\n"
    "  --vocab-size N          tokens in all: 256 bytes + merges + special tokens\n"
    "  --pattern NAME          pre-tokenizer of gpt2, r50k_base, p50k_base, cl100k_base\n"
    "                          or o200k_base (default gpt2)\n"
    "  --regex REGEX           a PCRE2 pre-tokenizer regex instead\n"
    "  -o, --output DIR        where to write (created if missing)\n"
    "  --name NAME             the tokenizer's name (default: DIR's name)\n"
    "  --min-frequency N       stop when the most frequent pair is rarer (default 2)\n"
    "  --special-token TEXT    add a special token after the merges (repeatable)\n"
    "  --max-token-bytes N     never make a token longer than N bytes\n"
    "  --threads N             threads for pre-tokenizing (default: CPU cores)\n"
    "Ties between equally frequent pairs go to the smaller token ids. The same\n"
    "corpus and options always give byte-identical files.\n";

typedef struct train_args {
    tokd_train_options o;
    const char *pattern_name, *out_dir, *name, *jsonl_field;
    const char **corpus, **counts;
    size_t n_corpus, n_counts;
    const char **specials;
    int pattern_given;
} train_args;

static int push(const char ***list, size_t *n, const char *s)
{
    const char **grown = realloc(*list, (*n + 1) * sizeof *grown);
    if (!grown)
        return -1;
    grown[(*n)++] = s;
    *list = grown;
    return 0;
}

static int parse_number_flag(int c, const char *v, train_args *a)
{
    unsigned long n;
    const char *flag = c == 'v'   ? "--vocab-size"
                       : c == 'f' ? "--min-frequency"
                       : c == 'm' ? "--min-piece-count"
                       : c == 'b' ? "--max-token-bytes"
                                  : "--threads";
    if (cli_number("train", flag, v, c == 'v' ? TOKD_TRAIN_MAX_VOCAB : c == 'j' ? 64 : UINT32_MAX, &n) != 0)
        return -1;
    if (c == 'v')
        a->o.vocab_size = (uint32_t)n;
    else if (c == 'f')
        a->o.min_frequency = n;
    else if (c == 'm')
        a->o.min_piece_count = n;
    else if (c == 'b')
        a->o.max_token_bytes = (uint32_t)n;
    else
        a->o.threads = (unsigned)n;
    return 0;
}

static int parse(int argc, char **argv, train_args *a)
{
    static const struct option longs[] = {
        {"corpus", required_argument, NULL, 'c'},      {"vocab-size", required_argument, NULL, 'v'},
        {"pattern", required_argument, NULL, 'p'},     {"regex", required_argument, NULL, 'r'},
        {"output", required_argument, NULL, 'o'},      {"name", required_argument, NULL, 'n'},
        {"min-frequency", required_argument, NULL, 'f'}, {"special-token", required_argument, NULL, 's'},
        {"max-token-bytes", required_argument, NULL, 'b'}, {"threads", required_argument, NULL, 'j'},
        {"jsonl-field", required_argument, NULL, 'J'}, {"from-counts", required_argument, NULL, 'F'},
        {"min-piece-count", required_argument, NULL, 'm'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, bad = 0, to_counts = 0; /* positional files follow the last --corpus or --from-counts */
    a->pattern_name = "gpt2";
    optind = 1;
    while (!bad && (c = getopt_long(argc, argv, "o:h", longs, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage_text, stdout);
            return -1;
        }
        if (c == 'c' || c == 'F')
            bad = c == 'c' ? push(&a->corpus, &a->n_corpus, optarg) : push(&a->counts, &a->n_counts, optarg),
            to_counts = c == 'F';
        else if (c == 'J')
            a->jsonl_field = optarg;
        else if (c == 'p' || c == 'r')
            a->pattern_name = c == 'p' ? optarg : NULL, a->o.pattern = c == 'r' ? optarg : NULL,
            a->pattern_given = 1;
        else if (c == 'o' || c == 'n')
            *(c == 'o' ? &a->out_dir : &a->name) = optarg;
        else if (c == 's')
            bad = push(&a->specials, &a->o.n_special_tokens, optarg);
        else if (c == 'v' || c == 'f' || c == 'b' || c == 'j' || c == 'm')
            bad = parse_number_flag(c, optarg, a);
        else
            bad = 1;
    }
    for (int i = optind; !bad && i < argc; i++) /* more corpus or counts files */
        bad = to_counts ? push(&a->counts, &a->n_counts, argv[i]) : push(&a->corpus, &a->n_corpus, argv[i]);
    a->o.special_tokens = a->specials;
    if (!bad && a->pattern_name && !(a->o.pattern = tokd_train_pattern(a->pattern_name))) {
        fprintf(stderr, "tokd train: unknown --pattern '%s' (gpt2, r50k_base, p50k_base, cl100k_base, o200k_base; "
                        "or --regex)\n", a->pattern_name);
        bad = 1;
    }
    if (!bad && ((!a->n_corpus && !a->n_counts) || !a->out_dir || !a->o.vocab_size)) {
        fprintf(stderr, "tokd train: --corpus, --vocab-size and -o are required (--from-counts may stand for --corpus)\n");
        bad = 1;
    }
    if (bad)
        fputs(usage_text, stderr);
    return bad ? EXIT_USAGE : 0;
}

/* The tokenizer's name: --name, else the output directory's own name. */
static int pick_name(train_args *a, char *name, size_t size)
{
    char real[4096];
    const char *base = a->name;
    if (!base)
        base = realpath(a->out_dir, real) ? strrchr(real, '/') + 1 : "";
    snprintf(name, size, "%s", base);
    size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789._-");
    if (!name[0] || name[n] || n > 64 || name[0] == '.') {
        fprintf(stderr, "tokd train: the name '%s' must be 1-64 of a-z 0-9 . _ - (not starting with '.'); "
                        "use --name\n", name);
        return EXIT_USAGE;
    }
    return 0;
}

typedef struct reporter {
    tokd_train_progress *pg;
    int tty;
    atomic_int stop;
} reporter;

static void report(reporter *r, int *last_phase, int *last_tenth)
{
    int phase = atomic_load(&r->pg->phase);
    phase = phase == TOKD_TRAIN_DONE ? TOKD_TRAIN_MERGING : phase; /* the final state of the bar */
    size_t done = phase == TOKD_TRAIN_COUNTING ? atomic_load(&r->pg->bytes_done) : atomic_load(&r->pg->merges_done);
    size_t total = phase == TOKD_TRAIN_COUNTING ? atomic_load(&r->pg->bytes_total) : atomic_load(&r->pg->merges_total);
    if (phase != TOKD_TRAIN_COUNTING && phase != TOKD_TRAIN_MERGING)
        return;
    double f = total ? (double)done / (double)total : 1.0;
    const char *what = phase == TOKD_TRAIN_COUNTING ? "counting pieces" : "merging";
    if (r->tty) {
        char bar[31];
        int fill = (int)(f * 30.0 + 0.5);
        for (int i = 0; i < 30; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr, "\r%-16s [%s] %3d%% %zu/%zu   ", what, bar, (int)(f * 100.0), done, total);
    } else if (phase != *last_phase || (int)(f * 10.0) != *last_tenth) {
        fprintf(stderr, "%s %d%% (%zu/%zu)\n", what, (int)(f * 100.0), done, total);
    }
    *last_phase = phase;
    *last_tenth = (int)(f * 10.0);
}

static void *report_loop(void *arg)
{
    reporter *r = arg;
    int phase = 0, tenth = -1;
    while (!atomic_load(&r->stop)) {
        report(r, &phase, &tenth);
        struct timespec tick = {0, 100 * 1000 * 1000};
        nanosleep(&tick, NULL);
    }
    report(r, &phase, &tenth);
    if (r->tty)
        fputc('\n', stderr);
    return NULL;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct tally {
    const tokd_tokenizer *tok;
    uint64_t tokens;
    tokd_error *err;
} tally;

static int tally_piece(void *arg, const char *piece, size_t len, int64_t count)
{
    tally *t = arg;
    tokd_specials plain = {.disallowed_mode = TOKD_DISALLOW_NONE};
    size_t n = 0;
    int rc = tokd_count(t->tok, piece, len, &plain, &n, t->err);
    t->tokens += (uint64_t)n * (uint64_t)count;
    return rc;
}

/* Load the written tokenizer back and count the corpus with it: the sum
 * over its distinct pieces of count x tokens, which is what encoding all
 * of it would give (the encoder splits it into the same pieces). */
static int verify(const train_args *a, const char *name, const tokd_counts *c, uint64_t *tokens)
{
    char spec[4200];
    tokd_tokenizer *tok;
    tokd_error err = {0};
    snprintf(spec, sizeof spec, "%s/%s.tiktoken", a->out_dir, name);
    int rc = tokd_tokenizer_load(spec, NULL, &tok, &err);
    if (rc != 0)
        return cli_fail(rc, &err);
    tally t = {tok, 0, &err};
    rc = tokd_counts_each(c, tally_piece, &t);
    tokd_tokenizer_unref(tok);
    *tokens = t.tokens;
    return rc ? cli_fail(rc, &err) : 0;
}

static void summary(const train_args *a, const char *name, const tokd_train_stats *s, double secs, uint64_t tokens)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("trained %s: %u tokens (%u merges, %zu special) in %.2f s, peak memory %.0f MB\n", name, s->n_vocab,
           s->merges, a->o.n_special_tokens, secs, (double)ru.ru_maxrss / 1024.0);
    printf("corpus: %llu bytes, %llu pieces, %llu unique\n", (unsigned long long)s->corpus_bytes,
           (unsigned long long)s->pieces, (unsigned long long)s->unique_pieces);
    printf("compression: %.4f bytes/token on the corpus (%llu tokens)\n",
           tokens ? (double)s->corpus_bytes / (double)tokens : 0.0, (unsigned long long)tokens);
    if (s->n_vocab < a->o.vocab_size)
        printf("stopped before vocab size %u: no pair left that occurs at least %llu times%s\n", a->o.vocab_size,
               (unsigned long long)(a->o.min_frequency ? a->o.min_frequency : 2),
               a->o.max_token_bytes ? " within --max-token-bytes" : "");
    printf("wrote %s/%s.tiktoken and %s/%s.json\n", a->out_dir, name, a->out_dir, name);
}

/* Count the corpus (if any) and add it to `files` (the counts files' sum,
 * or NULL); *out is the sum, which takes `files` over. */
static int gather(const train_args *a, const cli_corpus *corpus, tokd_counts *files, tokd_train_progress *pg,
                  tokd_counts **out, tokd_error *err)
{
    tokd_counts *sum = NULL;
    tokd_corpus_options co = {.jsonl_field = a->jsonl_field, .threads = a->o.threads};
    int rc = 0;
    if (a->n_corpus && (rc = tokd_counts_new(a->o.pattern, a->pattern_name, &sum, err)) == 0)
        rc = tokd_counts_add_corpus(sum, corpus->files, corpus->n, &co, pg, err);
    if (rc == 0 && files && sum)
        rc = tokd_counts_add(sum, files, err);
    if (!sum || rc != 0) {
        tokd_counts_free(sum);
        sum = files, files = NULL;
    }
    tokd_counts_free(files);
    *out = sum;
    return rc;
}

/* Train on the counts; *name_out is the pattern's name (or "custom"). */
static int train_counts(const train_args *a, tokd_counts *c, tokd_train_progress *pg, tokd_trained **t,
                        char name_out[65], tokd_error *err)
{
    tokd_train_options o = a->o;
    tokd_counts_info info;
    tokd_counts_get_info(c, &info);
    snprintf(name_out, 65, "%s", a->pattern_name ? a->pattern_name : "custom");
    if (!a->pattern_given && a->n_counts) { /* the counts' own pattern */
        o.pattern = NULL;
        snprintf(name_out, 65, "%s", info.pattern_name[0] ? info.pattern_name : "custom");
    }
    return tokd_train_counts(&o, c, pg, t, err);
}

static int train_and_write(const train_args *a, const char *name, const cli_corpus *corpus)
{
    tokd_counts *files = NULL, *c = NULL;
    if (a->n_counts) {
        int rc = cli_counts_read(a->counts, a->n_counts, &files);
        if (rc != 0)
            return rc;
    }
    tokd_train_progress pg = {0};
    reporter r = {.pg = &pg, .tty = isatty(STDERR_FILENO)};
    pthread_t tid;
    int reporting = pthread_create(&tid, NULL, report_loop, &r) == 0;
    tokd_trained *t = NULL;
    tokd_error err = {0};
    char pattern_name[65];
    double t0 = now();
    int rc = gather(a, corpus, files, &pg, &c, &err);
    if (rc == 0)
        rc = train_counts(a, c, &pg, &t, pattern_name, &err);
    atomic_store(&r.stop, 1);
    if (reporting)
        pthread_join(tid, NULL);
    if (rc == 0)
        rc = tokd_trained_write(t, a->out_dir, name, strcmp(pattern_name, "custom") ? pattern_name : NULL, &err);
    double secs = now() - t0;
    tokd_train_stats s;
    uint64_t tokens = 0;
    if (rc == 0)
        tokd_trained_stats(t, &s);
    tokd_trained_free(t);
    if (rc != 0)
        rc = cli_fail(rc, &err);
    else if ((rc = verify(a, name, c, &tokens)) == 0)
        summary(a, name, &s, secs, tokens);
    tokd_counts_free(c);
    return rc;
}

int cmd_train(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "count"))
        return cmd_train_count(argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "merge"))
        return cmd_train_merge(argc - 1, argv + 1);
    train_args a = {0};
    char name[128];
    cli_corpus corpus = {0};
    tokd_error err = {0};
    int rc = parse(argc, argv, &a);
    if (rc == 0 && (rc = tokd_train_check(&a.o, &err)) != 0)
        rc = cli_fail(rc, &err);
    if (rc == 0 && cli_make_dirs(a.out_dir) != 0) {
        fprintf(stderr, "tokd train: cannot create %s: %s\n", a.out_dir, strerror(errno));
        rc = EXIT_USAGE;
    }
    if (rc == 0 && (rc = pick_name(&a, name, sizeof name)) == 0 &&
        (rc = cli_corpus_open(a.corpus, a.n_corpus, &corpus)) == 0)
        rc = train_and_write(&a, name, &corpus);
    cli_corpus_close(&corpus);
    free(a.corpus);
    free(a.counts);
    free(a.specials);
    return rc < 0 ? EXIT_OK : rc;
}
