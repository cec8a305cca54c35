/* main.c - the tokd command: dispatch to subcommands.
 *
 * Uses only the public libtokd API (include/tokd/). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "server.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"encode", cmd_encode, "print the token ids of a text as a JSON array"},
    {"count", cmd_count, "print the number of tokens of a text"},
    {"decode", cmd_decode, "turn a JSON array of token ids back into text"},
    {"train", cmd_train, "learn a BPE tokenizer from text files"},
    {"embed", cmd_embed, "write a new embedding table (tokd embed init --help)"},
    {"bench", cmd_bench, "measure encode and count throughput on files"},
    {"serve", server_main, "serve the HTTP API (tokd serve --help)"},
    {"healthcheck", cmd_healthcheck, "exit 0 if the local server answers /healthz"},
};

static void usage(FILE *to)
{
    fprintf(to, "usage: tokd COMMAND [OPTIONS] [ARGS]\n\n"
                "tokd %s - tokenization exactly as OpenAI's tiktoken, fast.\n\nCommands:\n",
            TOKD_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(to, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fprintf(to, "\n'tokd COMMAND --help' describes a command's options.\n"
                "Exit status: 0 ok, 2 bad input or usage, 1 internal error.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("tokd %s\n", TOKD_VERSION);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "tokd: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
