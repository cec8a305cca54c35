/* cmd_train_counts.c - tokd train count / tokd train merge: the map and
 * the add of sharded training, and the corpus arguments every training
 * command takes.
 *
 * `count` counts the distinct pieces of corpus files - all of them or one
 * shard (--shard I/N, the bytes of the files in the order given cut in N)
 * - into a counts file (include/tokd/counts.h has the format); `merge`
 * adds counts files into one. Corpus arguments may be glob patterns
 * (quoted, so a Kubernetes command line needs no shell): each expands to
 * its matches in sorted order, and one that matches nothing is an error. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int cli_corpus_open(const char *const *args, size_t n, cli_corpus *c)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        glob_t g;
        if (!has_wildcard(args[i])) {
            rc = add_file(c, args[i]);
            continue;
        }
        if (glob(args[i], 0, NULL, &g) != 0) {
            fprintf(stderr, "tokd train: no file matches %s\n", args[i]);
            return EXIT_USAGE;
        }
        for (size_t k = 0; rc == 0 && k < g.gl_pathc; k++)
            rc = add_file(c, g.gl_pathv[k]);
        globfree(&g);
    }
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

int cli_counts_read(const char *const *paths, size_t n, tokd_counts **out)
{
    tokd_counts *sum = NULL;
    tokd_error err = {0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        tokd_counts *one;
        if ((rc = tokd_counts_read(paths[i], -1, &one, &err)) != 0)
            break;
        if (!sum)
            sum = one;
        else if ((rc = tokd_counts_add(sum, one, &err)) != 0)
            snprintf(err.text + strlen(err.text), sizeof err.text - strlen(err.text), " (adding %s)", paths[i]);
        if (one != sum)
            tokd_counts_free(one);
    }
    if (rc != 0) {
        tokd_counts_free(sum);
        return cli_fail(rc, &err);
    }
    *out = sum;
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
        rc = count_to_file(&a, &corpus);
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
