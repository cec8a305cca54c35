/* opts.c - option parsing, input reading and error reporting for the CLI. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char *const usage_text[][2] = {
    {"encode",
     "usage: tokd encode [-t TOKENIZER | -m MODEL] [--allowed-special all|LIST]\n"
     "                   [--disallowed-special none|all|LIST] [--add-special-tokens] [FILE|-]\n"
     "Encode the whole of FILE (standard input when absent or '-') as text and\n"
     "print the token ids as one JSON array on one line.\n"},
    {"count",
     "usage: tokd count [-t TOKENIZER | -m MODEL] [--allowed-special all|LIST]\n"
     "                  [--disallowed-special none|all|LIST] [--add-special-tokens] [FILE|-]\n"
     "Print the number of tokens FILE encodes to (no id array is built).\n"},
    {"decode",
     "usage: tokd decode [-t TOKENIZER | -m MODEL] [--bytes] [FILE|-]\n"
     "Read a JSON array of token ids and write the text they decode to. Bytes\n"
     "that are not valid UTF-8 become U+FFFD, as Python's\n"
     "bytes.decode('utf-8', errors='replace') does; --bytes writes them raw.\n"},
    {"bench",
     "usage: tokd bench [-t TOKENIZER | -m MODEL] FILE...\n"
     "For each FILE print single-thread encode and count throughput (MB/s,\n"
     "tokens/s), then load time and peak resident memory.\n"},
};

static const char common_help[] =
    "\nOptions:\n"
    "  -t, --tokenizer NAME|PATH  a built-in encoding (gpt2, r50k_base, p50k_base,\n"
    "                             p50k_edit, cl100k_base, o200k_base, o200k_harmony),\n"
    "                             a bundled tokenizer (llama3, mistral), or a file: NAME.tiktoken,\n"
    "                             GPT-2's encoder.json, a Hugging Face tokenizer.json, a\n"
    "                             sentencepiece NAME.model (or their directory); default\n"
    "                             cl100k_base\n"
    "  -m, --model MODEL          the encoding tiktoken uses for MODEL (gpt-4o, ...)\n"
    "  --allowed-special all|A,B  special tokens whose text encodes as their id\n"
    "  --disallowed-special none|all|A,B\n"
    "                             special tokens whose text is an error (default: all\n"
    "                             that are not allowed); none encodes them as text\n"
    "  --add-special-tokens       (tokenizer.json) add the post-processor's special tokens\n"
    "                             (e.g. <s>), as Hugging Face's add_special_tokens=True\n"
    "  --bytes                    (decode) write raw bytes, no U+FFFD replacement\n"
    "  -j, --threads N            (encode, count) threads for one long text, 1-64\n"
    "                             (default: the online CPUs); (bench) also measure N\n"
    "  -h, --help                 this help\n"
    "Input that is not valid UTF-8 is encoded as if each invalid sequence were\n"
    "U+FFFD (Python's errors='replace'). Data: $TOKD_DATA_DIR or the bundled\n"
    "data/encodings. Exit status: 0 ok, 2 bad input or usage, 1 internal error.\n";

static void usage(const char *cmd, FILE *to)
{
    for (size_t i = 0; i < sizeof usage_text / sizeof usage_text[0]; i++)
        if (strcmp(usage_text[i][0], cmd) == 0)
            fputs(usage_text[i][1], to);
    fputs(common_help, to);
}

int cli_parse(const char *cmd, int argc, char **argv, cli_opts *o)
{
    enum { OPT_ALLOWED = 256, OPT_DISALLOWED, OPT_BYTES, OPT_ADD_SPECIAL };
    char *end;
    static const struct option longs[] = {
        {"tokenizer", required_argument, NULL, 't'},
        {"model", required_argument, NULL, 'm'},
        {"allowed-special", required_argument, NULL, OPT_ALLOWED},
        {"disallowed-special", required_argument, NULL, OPT_DISALLOWED},
        {"bytes", no_argument, NULL, OPT_BYTES},
        {"add-special-tokens", no_argument, NULL, OPT_ADD_SPECIAL},
        {"threads", required_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *o = (cli_opts){0};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+t:m:j:h", longs, NULL)) != -1) {
        switch (c) {
        case 't': o->tokenizer = optarg; break;
        case 'm': o->model = optarg; break;
        case OPT_ALLOWED: o->allowed = optarg; break;
        case OPT_DISALLOWED: o->disallowed = optarg; break;
        case OPT_BYTES: o->raw_bytes = 1; break;
        case OPT_ADD_SPECIAL: o->add_special = 1; break;
        case 'j':
            o->threads = (unsigned)strtoul(optarg, &end, 10);
            if (*end || o->threads < 1 || o->threads > 64) {
                fprintf(stderr, "tokd %s: --threads takes a number from 1 to 64, not '%s'\n", cmd, optarg);
                return EXIT_USAGE;
            }
            break;
        case 'h':
            usage(cmd, stdout);
            return -1;
        default:
            fprintf(stderr, "tokd %s: unknown option or missing value: %s\n", cmd, argv[optind - 1]);
            usage(cmd, stderr);
            return EXIT_USAGE;
        }
    }
    if (o->tokenizer && o->model) {
        fprintf(stderr, "tokd %s: give -t or -m, not both\n", cmd);
        return EXIT_USAGE;
    }
    o->inputs = argv + optind;
    o->n_inputs = argc - optind;
    return 0;
}

int cli_load(const cli_opts *o, tokd_tokenizer **tok)
{
    tokd_error err = {0};
    int rc = o->model ? tokd_tokenizer_load_for_model(o->model, NULL, tok, &err)
                      : tokd_tokenizer_load(o->tokenizer ? o->tokenizer : "cl100k_base", NULL, tok, &err);
    return rc == 0 ? 0 : cli_fail(rc, &err);
}

int cli_read_input(const char *path, char **buf, size_t *len)
{
    int stdin_input = !path || strcmp(path, "-") == 0;
    FILE *f = stdin_input ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "tokd: cannot open %s: %s\n", path, strerror(errno));
        return EXIT_USAGE;
    }
    char *data = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (cap - n < 65536) {
            cap = cap ? cap * 2 : 1 << 16;
            char *p = realloc(data, cap + 1);
            if (!p) {
                rc = EXIT_INTERNAL;
                break;
            }
            data = p;
        }
        size_t got = fread(data + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (rc == 0 && ferror(f)) {
        fprintf(stderr, "tokd: cannot read %s: %s\n", stdin_input ? "standard input" : path, strerror(errno));
        rc = EXIT_USAGE;
    }
    if (!stdin_input)
        fclose(f);
    if (rc != 0) {
        free(data);
        return rc;
    }
    data[n] = '\0';
    *buf = data;
    *len = n;
    return 0;
}

unsigned cli_threads(const cli_opts *o)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (o->threads)
        return o->threads;
    return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

int cli_fail(int code, const tokd_error *err)
{
    fprintf(stderr, "tokd: %s\n", err && err->code == code && err->text[0] ? err->text : tokd_strerror(code));
    return code == TOKD_ENOMEM || code == TOKD_EIO ? EXIT_INTERNAL : EXIT_USAGE;
}

/* Comma-separated names, split in place; the array is malloc'd. */
static const char **split_list(char *s, size_t *n)
{
    size_t cap = 1;
    for (char *p = s; *p; p++)
        cap += *p == ',';
    const char **v = malloc(cap * sizeof *v);
    *n = 0;
    if (!v)
        return NULL;
    for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ","))
        v[(*n)++] = tok;
    return v;
}

int cli_specials_parse(const cli_opts *o, cli_specials *a)
{
    *a = (cli_specials){0};
    a->sp.add_special_tokens = o->add_special;
    if (o->allowed && strcmp(o->allowed, "all") == 0) {
        a->sp.allowed_mode = TOKD_ALLOW_ALL;
    } else if (o->allowed) {
        a->sp.allowed_mode = TOKD_ALLOW_LIST;
        a->allowed_copy = strdup(o->allowed);
        a->sp.allowed = a->allowed_copy ? split_list(a->allowed_copy, &a->sp.n_allowed) : NULL;
        if (!a->sp.allowed)
            return EXIT_INTERNAL;
    }
    if (o->disallowed && strcmp(o->disallowed, "none") == 0) {
        a->sp.disallowed_mode = TOKD_DISALLOW_NONE;
    } else if (o->disallowed && strcmp(o->disallowed, "all") != 0) {
        a->sp.disallowed_mode = TOKD_DISALLOW_LIST;
        a->disallowed_copy = strdup(o->disallowed);
        a->sp.disallowed = a->disallowed_copy ? split_list(a->disallowed_copy, &a->sp.n_disallowed) : NULL;
        if (!a->sp.disallowed)
            return EXIT_INTERNAL;
    }
    return 0;
}

void cli_specials_free(cli_specials *a)
{
    free((void *)a->sp.allowed);
    free((void *)a->sp.disallowed);
    free(a->allowed_copy);
    free(a->disallowed_copy);
}
