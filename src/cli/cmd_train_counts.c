/* cmd_train_counts.c - tokd train count / tokd train merge: the map and
 * the add of sharded training, and the corpus arguments every training
 * command takes.
 *
 * `count` counts the distinct pieces of corpus files - all of them or one
 * shard (--shard I/N, the bytes of the files in the order given cut in N)
 * - into a counts file (include/tokd/counts.h has the format); `merge`
 * adds counts files into one. Corpus and counts arguments may be glob
 * patterns (quoted, so a Kubernetes command line needs no shell): each
 * expands to its matches in sorted order, and one that matches nothing is
 * an error. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int cli_number(const char *cmd, const char *flag, const char *text, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-' || v > max) {
        fprintf(stderr, "tokd %s: %s must be a whole number up to %lu, not '%s'\n", cmd, flag, max, text);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_make_dirs(const char *path)
{
    char p[4096];
    if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p)
        return -1;
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            if (mkdir(p, 0755) != 0 && errno != EEXIST)
                return -1;
            *s = '/';
        }
    return mkdir(p, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* mkdir -p of the directory a file goes in. */
static int make_parent(const char *file)
{
    char dir[4096];
    const char *slash = strrchr(file, '/');
    if (!slash || slash == file)
        return 0;
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - file), file);
    if (cli_make_dirs(dir) == 0)
        return 0;
    fprintf(stderr, "tokd train: cannot create %s: %s\n", dir, strerror(errno));
    return -1;
}

static int add_file(cli_corpus *c, const char *path)
{
    char *copy = strdup(path);
    tokd_corpus_file *grown = copy ? realloc(c->files, (c->n + 1) * sizeof *grown) : NULL;
    if (!grown) {
        free(copy);
        return EXIT_INTERNAL;
    }
    c->files = grown;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    tokd_error err = {0};
    if (fd < 0 || (fd = tokd_file_check(fd, path, NULL, &err)) < 0) {
        fprintf(stderr, "tokd train: cannot read %s: %s\n", path, err.text[0] ? "not a regular file" : strerror(errno));
        free(copy);
        return EXIT_USAGE;
    }
    c->files[c->n++] = (tokd_corpus_file){fd, copy};
    return 0;
}

static int has_wildcard(const char *s)
{
    return strpbrk(s, "*?[") != NULL;
}

/* Call each(arg, path) for `pattern`'s matches in sorted order, or for
 * `pattern` itself when it has no wildcard; an exit code on failure. */
static int expand(const char *pattern, int (*each)(void *arg, const char *path), void *arg)
{
    glob_t g;
    if (!has_wildcard(pattern))
        return each(arg, pattern);
    if (glob(pattern, 0, NULL, &g) != 0) {
        fprintf(stderr, "tokd train: no file matches %s\n", pattern);
        return EXIT_USAGE;
    }
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < g.gl_pathc; k++)
        rc = each(arg, g.gl_pathv[k]);
    globfree(&g);
    return rc;
}

static int add_each(void *arg, const char *path)
{
    return add_file(arg, path);
}

int cli_corpus_open(const char *const *args, size_t n, cli_corpus *c)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = expand(args[i], add_each, c);
    return rc;
}

void cli_corpus_close(cli_corpus *c)
{
    for (size_t i = 0; i < c->n; i++) {
        close(c->files[i].fd);
        free((char *)c->files[i].name);
    }
    free(c->files);
    c->files = NULL;
    c->n = 0;
}

typedef struct summing {
    tokd_counts *sum;
    tokd_error err;
} summing;

static int add_counts_file(void *arg, const char *path)
{
    summing *s = arg;
    tokd_counts *one;
    int rc = tokd_counts_read(path, -1, &one, &s->err);
    if (rc == 0 && !s->sum)
        s->sum = one;
    else if (rc == 0) {
        if ((rc = tokd_counts_add(s->sum, one, &s->err)) != 0)
            snprintf(s->err.text + strlen(s->err.text), sizeof s->err.text - strlen(s->err.text), " (adding %s)", path);
        tokd_counts_free(one);
    }
    return rc ? cli_fail(rc, &s->err) : 0;
}

int cli_counts_read(const char *const *paths, size_t n, tokd_counts **out)
{
    summing s = {0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = expand(paths[i], add_counts_file, &s);
    if (rc != 0) {
        tokd_counts_free(s.sum);
        return rc;
    }
    *out = s.sum;
    return 0;
}

static void print_counts(const char *what, const char *path, const tokd_counts *c)
{
    tokd_counts_info i;
    tokd_counts_get_info(c, &i);
    printf("%s %llu texts, %llu bytes: %llu pieces, %llu distinct (%.1f MB in memory)", what,
           (unsigned long long)i.texts, (unsigned long long)i.bytes, (unsigned long long)i.pieces,
           (unsigned long long)i.distinct, (double)i.memory_bytes / 1e6);
    if (i.invalid_records)
        printf("; %llu invalid JSON Lines records skipped", (unsigned long long)i.invalid_records);
    printf("\nwrote %s\n", path);
}

static const char count_usage[] =
    "usage: tokd train count -o FILE [--pattern NAME | --regex REGEX] [--jsonl-field F]\n"
    "                        [--shard I/N] [--threads N] CORPUS...\n"
    "Count the distinct pre-tokenized pieces of the corpus files (or of shard I\n"
    "of N of their bytes) into a counts file for `tokd train merge` or\n"
    "`tokd train --from-counts`. CORPUS may be a quoted glob pattern.\n";

typedef struct count_args {
    const char *out, *pattern, *pattern_name;
    tokd_corpus_options o;
} count_args;

static int parse_shard(const char *v, tokd_corpus_options *o)
{
    unsigned long k, n;
    const char *slash = strchr(v, '/');
    char first[32];
    if (!slash || (size_t)(slash - v) >= sizeof first) {
        fprintf(stderr, "tokd train count: --shard must be I/N (e.g. 0/4), not '%s'\n", v);
        return -1;
    }
    snprintf(first, sizeof first, "%.*s", (int)(slash - v), v);
    if (cli_number("train count", "--shard N", slash + 1, 1000000, &n) || cli_number("train count", "--shard I", first, 1000000, &k))
        return -1;
    if (!n || k >= n) {
        fprintf(stderr, "tokd train count: --shard %s: I must be from 0 to N-1\n", v);
        return -1;
    }
    o->shard = (unsigned)k, o->shards = (unsigned)n;
    return 0;
}

static int parse_count(int argc, char **argv, count_args *a)
{
    static const struct option longs[] = {
        {"output", required_argument, NULL, 'o'},      {"pattern", required_argument, NULL, 'p'},
        {"regex", required_argument, NULL, 'r'},       {"jsonl-field", required_argument, NULL, 'J'},
        {"shard", required_argument, NULL, 'S'},       {"threads", required_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},              {NULL, 0, NULL, 0},
    };
    int c, bad = 0;
    unsigned long n;
    a->pattern_name = "gpt2";
    optind = 1;
    while (!bad && (c = getopt_long(argc, argv, "o:h", longs, NULL)) != -1) {
        if (c == 'h') {
            fputs(count_usage, stdout);
            return -1;
        }
        if (c == 'o')
            a->out = optarg;
        else if (c == 'p' || c == 'r')
            a->pattern_name = c == 'p' ? optarg : NULL, a->pattern = c == 'r' ? optarg : NULL;
        else if (c == 'J')
            a->o.jsonl_field = optarg;
        else if (c == 'S')
            bad = parse_shard(optarg, &a->o);
        else if (c == 'j')
            bad = cli_number("train count", "--threads", optarg, 64, &n) || !(a->o.threads = (unsigned)n, 1);
        else
            bad = 1;
    }
    if (!bad && a->pattern_name && !(a->pattern = tokd_train_pattern(a->pattern_name))) {
        fprintf(stderr, "tokd train count: unknown --pattern '%s'\n", a->pattern_name);
        bad = 1;
    }
    if (!bad && (!a->out || optind >= argc)) {
        fprintf(stderr, "tokd train count: -o FILE and at least one corpus file are required\n");
        bad = 1;
    }
    if (bad)
        fputs(count_usage, stderr);
    return bad ? EXIT_USAGE : 0;
}

static int count_to_file(const count_args *a, const cli_corpus *corpus)
{
    tokd_counts *c = NULL;
    tokd_error err = {0};
    int rc = tokd_counts_new(a->pattern, a->pattern_name, &c, &err);
    if (rc == 0 && (rc = tokd_counts_add_corpus(c, corpus->files, corpus->n, &a->o, NULL, &err)) == 0)
        rc = tokd_counts_write(c, a->out, &err);
    if (rc == 0)
        print_counts("counted", a->out, c);
    tokd_counts_free(c);
    return rc ? cli_fail(rc, &err) : 0;
}

int cmd_train_count(int argc, char **argv)
{
    count_args a = {0};
    cli_corpus corpus = {0};
    int rc = parse_count(argc, argv, &a);
    if (rc != 0)
        return rc < 0 ? EXIT_OK : rc;
    rc = cli_corpus_open((const char *const *)argv + optind, (size_t)(argc - optind), &corpus);
    if (rc == 0)
        rc = make_parent(a.out) ? EXIT_USAGE : count_to_file(&a, &corpus);
    cli_corpus_close(&corpus);
    return rc;
}

int cmd_train_merge(int argc, char **argv)
{
    const char *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt(argc, argv, "o:h")) != -1)
        if (c != 'o' || !(out = optarg)) {
            fputs("usage: tokd train merge -o FILE COUNTS...\nAdd counts files into one.\n", c == 'h' ? stdout : stderr);
            return c == 'h' ? EXIT_OK : EXIT_USAGE;
        }
    if (!out || optind >= argc) {
        fputs("tokd train merge: -o FILE and at least one counts file are required\n", stderr);
        return EXIT_USAGE;
    }
    tokd_counts *sum;
    tokd_error err = {0};
    if (make_parent(out) != 0)
        return EXIT_USAGE;
    int rc = cli_counts_read((const char *const *)argv + optind, (size_t)(argc - optind), &sum);
    if (rc != 0)
        return rc;
    if ((rc = tokd_counts_write(sum, out, &err)) != 0)
        rc = cli_fail(rc, &err);
    else
        print_counts("merged", out, sum);
    tokd_counts_free(sum);
    return rc;
}
