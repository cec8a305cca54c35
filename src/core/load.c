/* load.c - turning a name or a path into a tokenizer.
 *
 * A built-in name loads its ranks file from the data directory, verifies it
 * against the SHA-256 tiktoken publishes for it (a changed or truncated
 * file is refused, naming the file and the expected hash) and adds the
 * encoding's pattern and special tokens. A path to a .tiktoken file takes
 * its pattern and special tokens from NAME.json beside it
 * ({"pattern": "...", "special_tokens": {"<|x|>": id}}), or, when the file
 * is one of OpenAI's (by hash), from that built-in encoding. GPT-2's
 * encoder.json + vocab.bpe (the file or its directory) load too. */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gpt2_files.h"
#include "hf.h"
#include "registry.h"
#include "sha256.h"
#include "tiktoken_file.h"
#include "tokenizer_impl.h"

#define MAX_RANKS_FILE (256u << 20)
#define MAX_META_FILE (16u << 20)

static int dup_special(tokd__special *s, const char *text, uint32_t id)
{
    s->text = strdup(text);
    s->len = (uint32_t)strlen(text);
    s->id = id;
    return s->text ? 0 : TOKD_ENOMEM;
}

static void free_specials(tokd__special *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(s[i].text);
    free(s);
}

static int builtin_specials(const tokd__builtin *b, tokd__special **out, size_t *n_out)
{
    size_t extra = b->harmony_reserved ? TOKD__HARMONY_RESERVED_END - TOKD__HARMONY_RESERVED_FIRST : 0;
    size_t n = b->n_specials + extra;
    tokd__special *s = calloc(n, sizeof *s);
    int rc = s ? 0 : TOKD_ENOMEM;
    for (size_t i = 0; i < b->n_specials && rc == 0; i++)
        rc = dup_special(&s[i], b->specials[i].text, b->specials[i].id);
    for (size_t i = 0; i < extra && rc == 0; i++) {
        char text[32];
        uint32_t id = (uint32_t)(TOKD__HARMONY_RESERVED_FIRST + i);
        snprintf(text, sizeof text, "<|reserved_%u|>", id);
        rc = dup_special(&s[b->n_specials + i], text, id);
    }
    if (rc != 0) {
        free_specials(s, n);
        return rc;
    }
    *out = s;
    *n_out = n;
    return 0;
}

/* Read `path`, compute its hash and parse it as .tiktoken into new shared
 * ranks (*out, one reference). When `expect` is set the hash must equal it. */
static int read_ranks(const char *path, const char *expect, tokd__ranks **out, tokd_error *err)
{
    char *buf;
    size_t len;
    int rc = tokd__read_file(path, MAX_RANKS_FILE, &buf, &len, err);
    if (rc != 0)
        return rc;
    tokd__ranks *r = calloc(1, sizeof *r);
    if (!r) {
        free(buf);
        return TOKD_ENOMEM;
    }
    atomic_init(&r->refs, 1);
    tokd__sha256_hex(buf, len, r->sha256);
    if (expect && strcmp(r->sha256, expect) != 0)
        rc = tokd_error_set(err, TOKD_EHASH,
                            "%s has SHA-256 %s but %s is expected (tiktoken's published hash): the "
                            "file was changed or truncated; restore it from the tokd source tree",
                            path, r->sha256, expect);
    else
        rc = tokd__tiktoken_parse(buf, len, path, &r->map, err);
    free(buf);
    if (rc != 0) {
        free(r);
        return rc;
    }
    *out = r;
    return 0;
}

/* A built-in encoding on top of parsed ranks (takes over one reference). */
static int make_builtin(const tokd__builtin *b, const char *name, const char *path, tokd__ranks *r,
                        tokd_tokenizer **out, tokd_error *err)
{
    tokd__special *sp;
    size_t n_sp;
    int rc = builtin_specials(b, &sp, &n_sp);
    if (rc != 0) {
        tokd__ranks_unref(r);
        return rc;
    }
    rc = tokd__tokenizer_new(name, r, b->pattern, sp, n_sp, out, err);
    if (rc == 0 && tokd_tokenizer_n_vocab(*out) != b->n_vocab) {
        rc = tokd_error_set(err, TOKD_EFORMAT, "%s gives n_vocab %u, tiktoken's %s has %u", path,
                            tokd_tokenizer_n_vocab(*out), b->name, b->n_vocab);
        tokd_tokenizer_unref(*out);
        *out = NULL;
    }
    return rc;
}

static int load_builtin(const tokd__builtin *b, const char *name, const char *path,
                        tokd_tokenizer **out, tokd_error *err)
{
    tokd__ranks *r;
    int rc = read_ranks(path, b->sha256, &r, err);
    return rc == 0 ? make_builtin(b, name, path, r, out, err) : rc;
}

static void builtin_path(const tokd__builtin *b, const char *data_dir, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", data_dir ? data_dir : tokd_default_data_dir(), b->ranks_file);
}

static int meta_specials(json_t *obj, const char *path, tokd__special **out, size_t *n_out,
                         tokd_error *err)
{
    size_t n = obj ? json_object_size(obj) : 0, i = 0;
    tokd__special *s = calloc(n ? n : 1, sizeof *s);
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
        if ((rc = dup_special(&s[i++], key, (uint32_t)json_integer_value(v))) != 0)
            break;
    }
    if (rc != 0) {
        free_specials(s, n);
        return rc;
    }
    *out = s;
    *n_out = n;
    return 0;
}

/* NAME.json beside NAME.tiktoken: its pattern and special tokens. */
static int load_with_meta(const char *path, const char *meta_path, const char *name,
                          tokd_tokenizer **out, tokd_error *err)
{
    json_error_t je;
    char *text;
    size_t len;
    int read_rc = tokd__read_file(meta_path, MAX_META_FILE, &text, &len, err);
    if (read_rc != 0)
        return read_rc;
    json_t *meta = json_loadb(text, len, 0, &je);
    free(text);
    if (!meta)
        return tokd_error_set(err, TOKD_EFORMAT, "%s line %d: %s", meta_path, je.line, je.text);
    json_t *pattern = json_object_get(meta, "pattern"), *sp_obj = json_object_get(meta, "special_tokens");
    json_t *sha = json_object_get(meta, "sha256");
    int rc = 0;
    if (sha && !json_is_string(sha))
        rc = tokd_error_set(err, TOKD_EFORMAT, "%s: \"sha256\" must be the rank file's hex SHA-256", meta_path);
    else if (!json_is_string(pattern))
        rc = tokd_error_set(err, TOKD_EFORMAT, "%s: \"pattern\" must be a string (the pre-tokenizer regex)", meta_path);
    else if (sp_obj && !json_is_object(sp_obj))
        rc = tokd_error_set(err, TOKD_EFORMAT, "%s: \"special_tokens\" must be an object of name: id", meta_path);
    tokd__ranks *r;
    tokd__special *sp = NULL;
    size_t n_sp = 0;
    if (rc == 0 && (rc = meta_specials(sp_obj, meta_path, &sp, &n_sp, err)) == 0) {
        rc = read_ranks(path, json_string_value(sha), &r, err);
        if (rc == 0)
            rc = tokd__tokenizer_new(name, r, json_string_value(pattern), sp, n_sp, out, err);
        else
            free_specials(sp, n_sp);
    }
    json_decref(meta);
    return rc;
}

static void base_name(const char *path, char *name, size_t size)
{
    const char *slash = strrchr(path, '/');
    snprintf(name, size, "%s", slash ? slash + 1 : path);
    char *dot = strrchr(name, '.');
    if (dot && strcmp(dot, ".tiktoken") == 0)
        *dot = '\0';
}

/* GPT-2's encoder.json + vocab.bpe: `path` is either file's directory or
 * encoder.json itself; the tokenizer is named after the directory. */
static int load_gpt2_dir(const char *dir, tokd_tokenizer **out, tokd_error *err)
{
    char enc[4096], vocab[4096], name[256];
    snprintf(enc, sizeof enc, "%s/encoder.json", dir);
    snprintf(vocab, sizeof vocab, "%s/vocab.bpe", dir);
    char real[4096];
    const char *base = realpath(dir, real) ? strrchr(real, '/') : NULL;
    snprintf(name, sizeof name, "%s", base && base[1] ? base + 1 : "gpt2");
    return tokd__load_gpt2_files(enc, vocab, name, out, err);
}

/* A tokenizer.json, named after its directory (llama3/tokenizer.json is
 * "llama3") or, for NAME.json, after the file. */
static int load_hf(const char *path, tokd_tokenizer **out, tokd_error *err)
{
    char real[4096], name[256];
    if (!realpath(path, real))
        return tokd_error_set(err, TOKD_ENOENT, "cannot open %s", path);
    char *slash = strrchr(real, '/');
    if (slash && !strcmp(slash + 1, "tokenizer.json")) {
        *slash = '\0';
        slash = strrchr(real, '/');
    }
    snprintf(name, sizeof name, "%.200s", slash ? slash + 1 : real);
    char *dot = strrchr(name, '.');
    if (dot && !strcmp(dot, ".json"))
        *dot = '\0';
    return tokd__hf_load(path, name, NULL, out, err);
}

static int has_file(const char *dir, const char *file)
{
    char p[4096];
    struct stat st;
    return snprintf(p, sizeof p, "%s/%s", dir, file) < (int)sizeof p && stat(p, &st) == 0;
}

/* The one NAME.tiktoken in `dir` (what tokd train writes), into `file`;
 * 0 if there is none or more than one. */
static int own_ranks_file(const char *dir, char *file, size_t size)
{
    DIR *d = opendir(dir);
    int found = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (e->d_name[0] != '.' && n > 9 && !strcmp(e->d_name + n - 9, ".tiktoken"))
            found += snprintf(file, size, "%s/%s", dir, e->d_name) < (int)size ? 1 : 2;
    }
    if (d)
        closedir(d);
    return found == 1;
}

static int load_path(const char *path, tokd_tokenizer **out, tokd_error *err);

static int load_dir(const char *path, tokd_tokenizer **out, tokd_error *err)
{
    char file[4096];
    if (has_file(path, "tokenizer.json")) {
        snprintf(file, sizeof file, "%s/tokenizer.json", path);
        return load_hf(file, out, err);
    }
    if (has_file(path, "encoder.json") && has_file(path, "vocab.bpe"))
        return load_gpt2_dir(path, out, err);
    if (own_ranks_file(path, file, sizeof file))
        return load_path(file, out, err);
    return tokd_error_set(err, TOKD_EUNSUPPORTED,
                          "%s: no tokenizer files tokd knows in this directory (tokenizer.json, "
                          "encoder.json + vocab.bpe, or one NAME.tiktoken as tokd train writes it)",
                          path);
}

static int load_path(const char *path, tokd_tokenizer **out, tokd_error *err)
{
    struct stat st;
    size_t plen = strlen(path);
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return load_dir(path, out, err);
    if (plen >= 5 && !strcmp(path + plen - 5, ".json") && !(plen >= 12 && !strcmp(path + plen - 12, "encoder.json")))
        return load_hf(path, out, err);
    if (plen >= 12 && !strcmp(path + plen - 12, "encoder.json") && (plen == 12 || path[plen - 13] == '/')) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%.*s", plen > 13 ? (int)(plen - 13) : 1, plen > 13 ? path : ".");
        return load_gpt2_dir(dir, out, err);
    }

    char name[256], meta[4096];
    base_name(path, name, sizeof name);
    size_t len = strlen(path);
    if (len < 9 || strcmp(path + len - 9, ".tiktoken") != 0)
        return tokd_error_set(err, TOKD_EUNSUPPORTED,
                              "%s: tokd reads NAME.tiktoken rank files, or GPT-2's encoder.json with vocab.bpe beside it",
                              path);
    snprintf(meta, sizeof meta, "%.*s.json", (int)(len - 9), path);
    if (stat(meta, &st) == 0)
        return load_with_meta(path, meta, name, out, err);
    tokd__ranks *r;
    int rc = read_ranks(path, NULL, &r, err);
    if (rc != 0)
        return rc;
    const tokd__builtin *b = tokd__builtin_by_sha256(r->sha256);
    if (!b) {
        tokd__ranks_unref(r);
        return tokd_error_set(err, TOKD_EFORMAT,
                              "%s is not one of OpenAI's encodings, so tokd needs its pattern and special "
                              "tokens: write them to %s as {\"pattern\": \"...\", \"special_tokens\": {}}",
                              path, meta);
    }
    return make_builtin(b, name, path, r, out, err);
}

/* "NAME=SPEC": a name of [a-z0-9._-]{1,64} for what SPEC loads; the length
 * of NAME, or 0 when spec has no such prefix. */
static size_t alias_length(const char *spec)
{
    size_t n = strspn(spec, "abcdefghijklmnopqrstuvwxyz0123456789._-");
    return n >= 1 && n <= 64 && spec[n] == '=' && spec[n + 1] ? n : 0;
}

static int load_aliased(const char *spec, size_t n, const char *data_dir, tokd_tokenizer **out, tokd_error *err)
{
    int rc = tokd_tokenizer_load(spec + n + 1, data_dir, out, err);
    char *name = rc == 0 ? strndup(spec, n) : NULL;
    if (rc == 0 && !name) {
        tokd_tokenizer_unref(*out);
        return TOKD_ENOMEM;
    }
    if (rc == 0) { /* not yet shared with anyone: renaming is safe */
        free((*out)->name);
        (*out)->name = name;
    }
    return rc;
}

int tokd_tokenizer_load(const char *spec, const char *data_dir, tokd_tokenizer **out, tokd_error *err)
{
    size_t alias = alias_length(spec);
    if (alias)
        return load_aliased(spec, alias, data_dir, out, err);
    const tokd__builtin *b = tokd__builtin_find(spec);
    if (b) {
        char path[4096];
        builtin_path(b, data_dir, path, sizeof path);
        return load_builtin(b, spec, path, out, err);
    }
    const tokd__bundled *hf = tokd__bundled_find(spec);
    if (hf) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", data_dir ? data_dir : tokd_default_data_dir(), hf->file);
        return tokd__hf_load(path, spec, hf->sha256, out, err);
    }
    struct stat st;
    if (stat(spec, &st) == 0)
        return load_path(spec, out, err);
    return tokd_error_set(err, TOKD_ENOENT,
                          "unknown tokenizer '%s': not a built-in encoding (gpt2, r50k_base, p50k_base, "
                          "p50k_edit, cl100k_base, o200k_base, o200k_harmony), not a bundled tokenizer "
                          "(llama3, mistral), and no such file",
                          spec);
}

int tokd_tokenizer_load_builtins(const char *data_dir, tokd_tokenizer **out, tokd_error *err)
{
    const char *const *names = tokd_builtin_encodings();
    int rc = 0;
    size_t i;
    for (i = 0; names[i] && rc == 0; i++) {
        const tokd__builtin *b = tokd__builtin_find(names[i]);
        char path[4096];
        builtin_path(b, data_dir, path, sizeof path);
        tokd__ranks *shared = NULL; /* an earlier encoding's parse of the same file */
        for (size_t k = 0; k < i && !shared; k++)
            if (strcmp(tokd__builtin_find(names[k])->ranks_file, b->ranks_file) == 0)
                shared = tokd__ranks_ref(out[k]->ranks);
        rc = shared ? make_builtin(b, names[i], path, shared, &out[i], err)
                    : load_builtin(b, names[i], path, &out[i], err);
    }
    if (rc != 0)
        while (--i > 0)
            tokd_tokenizer_unref(out[i - 1]);
    return rc;
}

int tokd_tokenizer_load_for_model(const char *model, const char *data_dir, tokd_tokenizer **out,
                                  tokd_error *err)
{
    const char *enc = tokd_encoding_for_model(model);
    if (!enc)
        return tokd_error_set(err, TOKD_ENOENT,
                              "unknown model '%s': tiktoken maps no encoding to it; name the encoding instead",
                              model);
    return tokd_tokenizer_load(enc, data_dir, out, err);
}
