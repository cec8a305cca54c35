/* cli.h - shared pieces of the tokd command line.
 *
 * Exit codes: 0 success, 2 bad input or usage, 1 internal error. Every
 * subcommand uses only the public libtokd API. */
#ifndef TOKD_CLI_H
#define TOKD_CLI_H

#include <stddef.h>

#include "tokd/tokd.h"

enum { EXIT_OK = 0, EXIT_INTERNAL = 1, EXIT_USAGE = 2 };

/* Options every tokenizing subcommand takes. */
typedef struct cli_opts {
    const char *tokenizer; /* -t */
    const char *model;     /* -m */
    const char *allowed;   /* --allowed-special */
    const char *disallowed; /* --disallowed-special */
    int raw_bytes;         /* decode --bytes */
    int add_special;       /* --add-special-tokens */
    unsigned threads;      /* -j: 0 when not given */
    char **inputs;         /* positional arguments */
    int n_inputs;
} cli_opts;

/* Parse argv for `cmd`; prints usage for --help (returns -1 then, exit 0)
 * or an error (returns EXIT_USAGE). */
int cli_parse(const char *cmd, int argc, char **argv, cli_opts *o);

/* Threads for one text: -j, else the online CPUs (1 to 64). */
unsigned cli_threads(const cli_opts *o);

/* Load the tokenizer chosen by -t / -m (cl100k_base by default). */
int cli_load(const cli_opts *o, tokd_tokenizer **tok);

/* The special-token options as a tokd_specials (owns the name lists). */
typedef struct cli_specials {
    tokd_specials sp;
    char *allowed_copy, *disallowed_copy;
} cli_specials;

/* Returns 0 or EXIT_INTERNAL; release with cli_specials_free. */
int cli_specials_parse(const cli_opts *o, cli_specials *a);
void cli_specials_free(cli_specials *a);

/* Read FILE, or standard input for NULL or "-". Caller frees *buf. */
int cli_read_input(const char *path, char **buf, size_t *len);

/* Print "tokd: MESSAGE" and map a libtokd error to an exit code. */
int cli_fail(int code, const tokd_error *err);

int cmd_encode(int argc, char **argv);
int cmd_count(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_train_count(int argc, char **argv);
int cmd_train_merge(int argc, char **argv);

/* Parse a whole number up to `max` for `flag` of `tokd CMD`: 0, or -1
 * after printing why. */
int cli_number(const char *cmd, const char *flag, const char *text, unsigned long max, unsigned long *out);

/* mkdir -p: 0, or -1 with errno set. */
int cli_make_dirs(const char *path);

/* Corpus files opened for counting (owns the descriptors and names). */
typedef struct cli_corpus {
    tokd_corpus_file *files;
    size_t n;
} cli_corpus;

/* Open the files args[0..n) name, glob patterns expanded (sorted); 0 or
 * an exit code after printing why. Close with cli_corpus_close. */
int cli_corpus_open(const char *const *args, size_t n, cli_corpus *c);
void cli_corpus_close(cli_corpus *c);

/* Read counts files (glob patterns expanded) and add them up into *out
 * (new); 0 or an exit code after printing why. */
int cli_counts_read(const char *const *paths, size_t n, tokd_counts **out);
int cmd_embed(int argc, char **argv);
int cmd_healthcheck(int argc, char **argv);

#endif
