/* cmd_codec.c - tokd encode, count and decode. count reads its input as a
 * stream (tokd_count_stream): a file larger than memory can be counted. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int special_hint(int rc, const tokd_error *err)
{
    int exit_code = cli_fail(rc, err);
    if (rc == TOKD_ESPECIAL)
        fprintf(stderr, "tokd: pass --allowed-special all (or a list naming it) to encode it as its "
                        "special id, or --disallowed-special none to encode it as plain text\n");
    return exit_code;
}

static int one_input(const cli_opts *o, const char *cmd)
{
    if (o->n_inputs > 1) {
        fprintf(stderr, "tokd %s: takes one FILE (or - for standard input), got %d\n", cmd, o->n_inputs);
        return EXIT_USAGE;
    }
    return 0;
}

static long read_file(void *arg, char *buf, size_t cap)
{
    FILE *f = arg;
    size_t got = fread(buf, 1, cap, f);
    return got == 0 && ferror(f) ? TOKD_EIO : (long)got;
}

/* Count FILE (or standard input) as a stream: a bounded window of it in
 * memory where the tokenizer proves its cuts (tokd_count_stream). */
static int count_input(const cli_opts *o, const tokd_tokenizer *tok, const tokd_specials *sp, size_t *count)
{
    const char *path = o->n_inputs ? o->inputs[0] : NULL;
    int stdin_input = !path || strcmp(path, "-") == 0;
    FILE *f = stdin_input ? stdin : fopen(path, "rb");
    tokd_error err = {0};
    if (!f) {
        fprintf(stderr, "tokd: cannot open %s: %s\n", path, strerror(errno));
        return EXIT_USAGE;
    }
    int rc = tokd_count_stream(tok, sp, cli_threads(o), 0, read_file, f, count, &err);
    if (!stdin_input)
        fclose(f);
    return rc == 0 ? 0 : special_hint(rc, &err);
}

static int encode_input(const cli_opts *o, const tokd_tokenizer *tok, const tokd_specials *sp)
{
    char *text = NULL;
    size_t len = 0;
    tokd_ids ids = {0};
    tokd_error err = {0};
    int rc = cli_read_input(o->n_inputs ? o->inputs[0] : NULL, &text, &len);
    if (rc == 0) {
        tokd_limits lim = {.max_threads = cli_threads(o)};
        int trc = tokd_encode_bounded(tok, text, len, sp, &lim, &ids, &err);
        rc = trc == 0 ? 0 : special_hint(trc, &err);
    }
    if (rc == 0) {
        putchar('[');
        for (size_t i = 0; i < ids.len; i++)
            printf(i ? ", %u" : "%u", ids.ids[i]);
        puts("]");
    }
    tokd_ids_release(&ids);
    free(text);
    return rc;
}

/* Shared body of encode and count: load, read, tokenize, print. */
static int tokenize(int argc, char **argv, const char *cmd, int count_only)
{
    cli_opts o;
    int rc = cli_parse(cmd, argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? EXIT_OK : rc;
    if ((rc = one_input(&o, cmd)) != 0)
        return rc;
    cli_specials sa;
    tokd_tokenizer *tok = NULL;
    size_t count = 0;
    if ((rc = cli_specials_parse(&o, &sa)) == 0 && (rc = cli_load(&o, &tok)) == 0)
        rc = count_only ? count_input(&o, tok, &sa.sp, &count) : encode_input(&o, tok, &sa.sp);
    if (rc == 0 && count_only)
        printf("%zu\n", count);
    cli_specials_free(&sa);
    tokd_tokenizer_unref(tok);
    return rc;
}

int cmd_encode(int argc, char **argv)
{
    return tokenize(argc, argv, "encode", 0);
}

int cmd_count(int argc, char **argv)
{
    return tokenize(argc, argv, "count", 1);
}

/* Parse a JSON array of ids into `ids`. */
static int parse_ids(const char *text, size_t len, tokd_ids *ids)
{
    json_error_t je;
    json_t *arr = json_loadb(text, len, 0, &je);
    int rc = 0;
    if (!arr || !json_is_array(arr)) {
        fprintf(stderr, "tokd decode: input must be a JSON array of token ids%s%s\n", arr ? "" : ": ",
                arr ? "" : je.text);
        rc = EXIT_USAGE;
    }
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (rc != 0)
            break;
        json_int_t id = json_is_integer(v) ? json_integer_value(v) : -1;
        if (id < 0 || id > UINT32_MAX) {
            fprintf(stderr, "tokd decode: element %zu is not a token id (a non-negative integer)\n", i);
            rc = EXIT_USAGE;
        } else if (tokd_ids_push(ids, (uint32_t)id) != 0) {
            rc = EXIT_INTERNAL;
        }
    }
    json_decref(arr);
    return rc;
}

int cmd_decode(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse("decode", argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? EXIT_OK : rc;
    if ((rc = one_input(&o, "decode")) != 0)
        return rc;
    tokd_tokenizer *tok = NULL;
    char *text = NULL;
    size_t len = 0;
    tokd_ids ids = {0};
    tokd_bytes out = {0};
    tokd_error err = {0};
    if ((rc = cli_load(&o, &tok)) == 0 && (rc = cli_read_input(o.n_inputs ? o.inputs[0] : NULL, &text, &len)) == 0 &&
        (rc = parse_ids(text, len, &ids)) == 0) {
        int drc = o.raw_bytes ? tokd_decode_bytes(tok, ids.ids, ids.len, &out, &err)
                              : tokd_decode_text(tok, ids.ids, ids.len, &out, &err);
        rc = drc == 0 ? 0 : cli_fail(drc, &err);
    }
    if (rc == 0 && out.len && fwrite(out.data, 1, out.len, stdout) != out.len)
        rc = EXIT_INTERNAL;
    tokd_bytes_release(&out);
    tokd_ids_release(&ids);
    free(text);
    tokd_tokenizer_unref(tok);
    return rc;
}
