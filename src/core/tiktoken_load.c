/* tiktoken_load.c - building tiktoken-style pipelines (see
 * tiktoken_load.h).
 *
 * A built-in name loads its ranks file from the data directory, verifies it
 * against the SHA-256 tiktoken publishes for it (a changed or truncated
 * file is refused, naming the file and the expected hash) and adds the
 * encoding's pattern and special tokens. A path to a .tiktoken file takes
 * its pattern and special tokens from NAME.json beside it
 * ({"pattern": "...", "special_tokens": {"<|x|>": id}}), or, when the file
 * is one of OpenAI's (by hash), from that built-in encoding. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json_error.h"
#include "model_bpe.h"
#include "pipeline.h"
#include "sha256.h"
#include "tiktoken_file.h"
#include "tiktoken_load.h"

#define MAX_RANKS_FILE (256u << 20)
#define MAX_META_FILE (16u << 20)

static int check_vocab(const tokd_tokenizer *t, tokd_error *err)
{
    for (size_t i = 0; i < t->added.specials.n; i++) {
        const tokd__added_token *s = &t->added.specials.items[i];
        if (tokd__rankmap_len(&t->vocab->map, s->id) != 0)
            return tokd_error_set(err, TOKD_EFORMAT, "special token %s has id %u, which is another token already",
                                  s->text, s->id);
    }
    for (int b = 0; b < 256; b++)
        if (t->vocab->map.byte_rank[b] == TOKD__NO_RANK)
            return tokd_error_set(err, TOKD_EUNSUPPORTED,
                                  "the vocabulary has no token for byte 0x%02x; tokd needs byte-level BPE", b);
    return 0;
}

static int tiktoken_parts(tokd_tokenizer *t, const char *pattern, tokd_error *err)
{
    tokd__pretokenizer pre;
    int rc = tokd__model_rank_bpe(t->vocab, &t->model);
    if (rc == 0 && (rc = tokd__pretokenizer_regex(pattern, &pre, err)) == 0)
        rc = tokd__tokenizer_add_pretokenizer(t, pre);
    if (rc == 0)
        rc = tokd__tokenizer_set_pattern(t, pattern);
    if (rc == 0)
        rc = check_vocab(t, err);
    return rc ? rc : tokd__tokenizer_finish(t);
}

int tokd__tiktoken_new(const char *name, tokd__vocab *vocab, const char *pattern, const tokd__added_token *specials,
                       size_t n, tokd_tokenizer **out, tokd_error *err)
{
    tokd_tokenizer *t = tokd__tokenizer_alloc(name, "tiktoken");
    if (!t) {
        tokd__vocab_unref(vocab);
        return TOKD_ENOMEM;
    }
    t->vocab = vocab;
    int rc = tokd__token_set_init(&t->added.specials, specials, n, err);
    if (rc == 0)
        rc = tiktoken_parts(t, pattern, err);
    if (rc != 0) {
        tokd_tokenizer_unref(t);
        return rc;
    }
    *out = t;
    return 0;
}

static tokd__added_token special(const char *text, uint32_t id)
{
    return (tokd__added_token){.text = text, .len = (uint32_t)strlen(text), .id = id};
}

/* A built-in encoding's special tokens, o200k_harmony's reserved ones
 * spelled into `names` (both arrays malloc'd, the caller frees them). */
typedef struct builtin_list {
    tokd__added_token *items;
    size_t n;
    char *names;
} builtin_list;

#define RESERVED_NAME 24 /* "<|reserved_200999|>" and its NUL fit */

static int builtin_specials(const tokd__builtin *b, builtin_list *l)
{
    size_t extra = b->harmony_reserved ? TOKD__HARMONY_RESERVED_END - TOKD__HARMONY_RESERVED_FIRST : 0;
    *l = (builtin_list){calloc(b->n_specials + extra, sizeof *l->items), b->n_specials + extra,
                        malloc(extra * RESERVED_NAME + 1)};
    if (!l->items || !l->names)
        return TOKD_ENOMEM;
    for (size_t i = 0; i < b->n_specials; i++)
        l->items[i] = special(b->specials[i].text, b->specials[i].id);
    for (size_t i = 0; i < extra; i++) {
        char *name = l->names + i * RESERVED_NAME;
        uint32_t id = (uint32_t)(TOKD__HARMONY_RESERVED_FIRST + i);
        snprintf(name, RESERVED_NAME, "<|reserved_%u|>", id);
        l->items[b->n_specials + i] = special(name, id);
    }
    return 0;
}

/* Read `path`, compute its hash and parse it as .tiktoken into a new
 * vocabulary (*out, one reference). When `expect` is set the hash must
 * equal it. */
static int read_ranks(const char *path, const char *expect, tokd__vocab **out, tokd_error *err)
{
    char *buf, sha[65];
    size_t len;
    int rc = tokd__read_file(path, MAX_RANKS_FILE, &buf, &len, err);
    if (rc != 0)
        return rc;
    tokd__sha256_hex(buf, len, sha);
    if (expect && strcmp(sha, expect) != 0)
        rc = tokd_error_set(err, TOKD_EHASH,
                            "%s has SHA-256 %s but %s is expected (tiktoken's published hash): the "
                            "file was changed or truncated; restore it from the tokd source tree",
                            path, sha, expect);
    else
        rc = tokd__tiktoken_parse(buf, len, path, sha, out, err);
    free(buf);
    return rc;
}

/* A built-in encoding on top of a parsed vocabulary (one reference taken
 * over). */
static int make_builtin(const tokd__builtin *b, const char *name, const char *path, tokd__vocab *v,
                        tokd_tokenizer **out, tokd_error *err)
{
    builtin_list sp;
    int rc = builtin_specials(b, &sp);
    if (rc != 0)
        tokd__vocab_unref(v);
    else
        rc = tokd__tiktoken_new(name, v, b->pattern, sp.items, sp.n, out, err);
    free(sp.items);
    free(sp.names);
    if (rc == 0 && tokd_tokenizer_n_vocab(*out) != b->n_vocab) {
        rc = tokd_error_set(err, TOKD_EFORMAT, "%s gives n_vocab %u, tiktoken's %s has %u", path,
                            tokd_tokenizer_n_vocab(*out), b->name, b->n_vocab);
        tokd_tokenizer_unref(*out);
        *out = NULL;
    }
    return rc;
}

int tokd__tiktoken_builtin(const tokd__builtin *b, const char *name, const char *data_dir, tokd__vocab *shared,
                           tokd_tokenizer **out, tokd_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", data_dir ? data_dir : tokd_default_data_dir(), b->ranks_file);
    tokd__vocab *v = shared;
    int rc = v ? 0 : read_ranks(path, b->sha256, &v, err);
    return rc == 0 ? make_builtin(b, name, path, v, out, err) : rc;
}

static int meta_specials(json_t *obj, const char *path, tokd__added_token **out, size_t *n_out, tokd_error *err)
{
    size_t n = obj ? json_object_size(obj) : 0, i = 0;
    tokd__added_token *s = calloc(n ? n : 1, sizeof *s);
    const char *key;
    json_t *v;
    if (!s)
        return TOKD_ENOMEM;
    int rc = 0;
    json_object_foreach(obj, key, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) >= UINT32_MAX) {
            rc = tokd_error_set(err, TOKD_EFORMAT, "%s: special_tokens[\"%s\"] must be an id (a non-negative integer)",
                                path, key);
            break;
        }
        s[i++] = special(key, (uint32_t)json_integer_value(v));
    }
    if (rc != 0) {
        free(s);
        return rc;
    }
    *out = s;
    *n_out = n;
    return 0;
}

/* NAME.json beside NAME.tiktoken: its pattern and special tokens. */
static int load_with_meta(const char *path, const char *meta_path, const char *name, tokd_tokenizer **out,
                          tokd_error *err)
{
    char *text;
    size_t len;
    int read_rc = tokd__read_file(meta_path, MAX_META_FILE, &text, &len, err);
    if (read_rc != 0)
        return read_rc;
    tokd__json_doc doc;
    int parsed = tokd__json_parse(meta_path, text, len, 0, &doc, err);
    json_t *meta = doc.root;
    free(text);
    if (parsed != 0) {
        tokd__json_doc_release(&doc);
        return parsed;
    }
    json_t *pattern = json_object_get(meta, "pattern"), *sp_obj = json_object_get(meta, "special_tokens");
    json_t *sha = json_object_get(meta, "sha256");
    int rc = 0;
    if (sha && !json_is_string(sha))
        rc = tokd_error_set(err, TOKD_EFORMAT, "%s: \"sha256\" must be the rank file's hex SHA-256", meta_path);
    else if (!json_is_string(pattern))
        rc = tokd_error_set(err, TOKD_EFORMAT, "%s: \"pattern\" must be a string (the pre-tokenizer regex)", meta_path);
    else if (sp_obj && !json_is_object(sp_obj))
        rc = tokd_error_set(err, TOKD_EFORMAT, "%s: \"special_tokens\" must be an object of name: id", meta_path);
    tokd__vocab *v;
    tokd__added_token *sp = NULL;
    size_t n_sp = 0;
    if (rc == 0 && (rc = meta_specials(sp_obj, meta_path, &sp, &n_sp, err)) == 0) {
        rc = read_ranks(path, json_string_value(sha), &v, err);
        if (rc == 0)
            rc = tokd__tiktoken_new(name, v, json_string_value(pattern), sp, n_sp, out, err);
        free(sp);
    }
    tokd__json_doc_release(&doc);
    return rc;
}

int tokd__tiktoken_load_file(const char *path, tokd_tokenizer **out, tokd_error *err)
{
    char name[256], meta[4096];
    const char *slash = strrchr(path, '/');
    size_t len = strlen(path);
    struct stat st;
    snprintf(name, sizeof name, "%s", slash ? slash + 1 : path);
    name[strlen(name) - 9] = '\0'; /* the caller checked the .tiktoken suffix */
    snprintf(meta, sizeof meta, "%.*s.json", (int)(len - 9), path);
    if (stat(meta, &st) == 0)
        return load_with_meta(path, meta, name, out, err);
    tokd__vocab *v;
    int rc = read_ranks(path, NULL, &v, err);
    if (rc != 0)
        return rc;
    const tokd__builtin *b = tokd__builtin_by_sha256(v->sha256);
    if (!b) {
        tokd__vocab_unref(v);
        return tokd_error_set(err, TOKD_EFORMAT,
                              "%s is not one of OpenAI's encodings, so tokd needs its pattern and special "
                              "tokens: write them to %s as {\"pattern\": \"...\", \"special_tokens\": {}}",
                              path, meta);
    }
    return make_builtin(b, name, path, v, out, err);
}
