/* cmd_codec.c - tokd encode, count and decode. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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

typedef struct specials_arg {
    tokd_specials sp;
    char *allowed_copy, *disallowed_copy;
} specials_arg;

static int parse_specials(const cli_opts *o, specials_arg *a)
{
    *a = (specials_arg){0};
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

static void free_specials(specials_arg *a)
{
    free((void *)a->sp.allowed);
    free((void *)a->sp.disallowed);
    free(a->allowed_copy);
    free(a->disallowed_copy);
}

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

/* Shared body of encode and count: load, read, tokenize, print. */
static int tokenize(int argc, char **argv, const char *cmd, int count_only)
{
    cli_opts o;
    int rc = cli_parse(cmd, argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? EXIT_OK : rc;
    if ((rc = one_input(&o, cmd)) != 0)
        return rc;
    specials_arg sa;
    tokd_tokenizer *tok = NULL;
    char *text = NULL;
    size_t len = 0;
    if ((rc = parse_specials(&o, &sa)) == 0 && (rc = cli_load(&o, &tok)) == 0)
        rc = cli_read_input(o.n_inputs ? o.inputs[0] : NULL, &text, &len);
    tokd_ids ids = {0};
    size_t count = 0;
    tokd_error err = {0};
    if (rc == 0) {
        int trc = count_only ? tokd_count(tok, text, len, &sa.sp, &count, &err)
                             : tokd_encode(tok, text, len, &sa.sp, &ids, &err);
        rc = trc == 0 ? 0 : special_hint(trc, &err);
    }
    if (rc == 0 && count_only) {
        printf("%zu\n", count);
    } else if (rc == 0) {
        putchar('[');
        for (size_t i = 0; i < ids.len; i++)
            printf(i ? ", %u" : "%u", ids.ids[i]);
        puts("]");
    }
    tokd_ids_release(&ids);
    free(text);
    free_specials(&sa);
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
