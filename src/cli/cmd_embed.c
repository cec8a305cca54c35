/* cmd_embed.c - tokd embed init: write a new embedding table.
 *
 * The token table gets one row per id of the tokenizer (its n_vocab), the
 * position table `--context` rows; values are standard normal from the
 * seed (tokd/embed.h), so the same arguments always give the same file. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
    "usage: tokd embed init --tokenizer NAME --dim D [--context N] [--seed S]\n"
    "                       [--dtype f32|f16|bf16] -o FILE.safetensors\n"
    "Write a safetensors file with a token table \"wte.weight\" (n_vocab x D) and,\n"
    "with --context N > 0, a position table \"wpe.weight\" (N x D), initialised like\n"
    "torch.nn.Embedding (standard normal) and reproducible from --seed (default 0).\n";

typedef struct embed_args {
    const char *tokenizer, *out, *dtype;
    unsigned long dim, context, seed;
} embed_args;

static int whole(const char *flag, const char *v, unsigned long *out)
{
    char *end;
    errno = 0;
    *out = strtoul(v, &end, 10);
    if (errno || end == v || *end || v[0] == '-') {
        fprintf(stderr, "tokd embed: %s must be a whole number, not '%s'\n", flag, v);
        return EXIT_USAGE;
    }
    return 0;
}

static int parse(int argc, char **argv, embed_args *a)
{
    static const struct option longs[] = {
        {"tokenizer", required_argument, NULL, 't'}, {"dim", required_argument, NULL, 'd'},
        {"context", required_argument, NULL, 'c'},   {"seed", required_argument, NULL, 's'},
        {"dtype", required_argument, NULL, 'y'},     {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},            {NULL, 0, NULL, 0},
    };
    int c, rc = 0;
    a->dtype = "f32";
    optind = 1;
    while (!rc && (c = getopt_long(argc, argv, "t:o:h", longs, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage_text, stdout);
            return -1;
        }
        rc = c == 't' ? (a->tokenizer = optarg, 0)
             : c == 'o' ? (a->out = optarg, 0)
             : c == 'y' ? (a->dtype = optarg, 0)
             : c == 'd' ? whole("--dim", optarg, &a->dim)
             : c == 'c' ? whole("--context", optarg, &a->context)
             : c == 's' ? whole("--seed", optarg, &a->seed)
                        : EXIT_USAGE;
    }
    if (!rc && (!a->tokenizer || !a->out || !a->dim || optind < argc)) {
        fprintf(stderr, "tokd embed: --tokenizer, --dim and -o are required\n");
        rc = EXIT_USAGE;
    }
    if (rc)
        fputs(usage_text, stderr);
    return rc;
}

int cmd_embed(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "init") != 0) {
        fputs(usage_text, argc >= 2 && !strcmp(argv[1], "--help") ? stdout : stderr);
        return argc >= 2 && !strcmp(argv[1], "--help") ? EXIT_OK : EXIT_USAGE;
    }
    embed_args a = {0};
    int rc = parse(argc - 1, argv + 1, &a);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    char dtype[8];
    snprintf(dtype, sizeof dtype, "%s", a.dtype);
    for (char *p = dtype; *p; p++)
        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    tokd_tokenizer *tok;
    tokd_error err = {0};
    if ((rc = tokd_tokenizer_load(a.tokenizer, NULL, &tok, &err)) != 0)
        return cli_fail(rc, &err);
    size_t rows = tokd_tokenizer_n_vocab(tok);
    tokd_tokenizer_unref(tok);
    rc = tokd_embedding_init_file(a.out, a.tokenizer, rows, a.dim, a.context, a.seed, dtype, &err);
    if (rc)
        return cli_fail(rc, &err);
    printf("wrote %s: wte.weight %zu x %lu%s, %s, seed %lu\n", a.out, rows, a.dim,
           a.context ? ", wpe.weight" : "", dtype, a.seed);
    if (a.context)
        printf("positions: %lu x %lu\n", a.context, a.dim);
    return EXIT_OK;
}
