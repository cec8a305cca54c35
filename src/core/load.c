/* load.c - turning a name or a path into a tokenizer.
 *
 * A name is a built-in encoding (tiktoken_load.c) or a bundled
 * tokenizer.json; "NAME=SPEC" renames what SPEC loads. A path is read by
 * the first entry of one table of formats whose probe accepts it; each
 * entry's loader only builds a pipeline. A directory is probed the same
 * way for the files it holds. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gpt2_files.h"
#include "hf_load.h"
#include "pipeline.h"
#include "registry.h"
#include "spm_load.h"
#include "tiktoken_load.h"

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

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

/* GPT-2's encoder.json itself: the file name, not just a suffix. */
static int is_encoder_json(const char *path)
{
    size_t n = strlen(path);
    return ends_with(path, "encoder.json") && (n == 12 || path[n - 13] == '/');
}

/* ---- the formats: probe + load ----------------------------------------------- */

static int probe_hf_dir(const char *path, int dir)
{
    return dir && has_file(path, "tokenizer.json");
}

static int load_hf_dir(const char *path, tokd_tokenizer **out, tokd_error *err)
{
    char file[4096];
    snprintf(file, sizeof file, "%s/tokenizer.json", path);
    return load_hf(file, out, err);
}

static int probe_spm_dir(const char *path, int dir)
{
    return dir && has_file(path, "tokenizer.model");
}

/* A sentencepiece NAME.model, named after the file, or after its directory
 * for tokenizer.model. */
static int load_spm(const char *path, tokd_tokenizer **out, tokd_error *err)
{
    char real[4096], name[256];
    if (!realpath(path, real))
        return tokd_error_set(err, TOKD_ENOENT, "cannot open %s", path);
    char *slash = strrchr(real, '/');
    if (slash && !strcmp(slash + 1, "tokenizer.model")) {
        *slash = '\0';
        slash = strrchr(real, '/');
    }
    snprintf(name, sizeof name, "%.200s", slash ? slash + 1 : real);
    char *dot = strrchr(name, '.');
    if (dot && !strcmp(dot, ".model"))
        *dot = '\0';
    return tokd__spm_load(path, name, out, err);
}

static int load_spm_dir(const char *path, tokd_tokenizer **out, tokd_error *err)
{
    char file[4096];
    snprintf(file, sizeof file, "%s/tokenizer.model", path);
    return load_spm(file, out, err);
}

static int probe_spm_file(const char *path, int dir)
{
    return !dir && ends_with(path, ".model");
}

static int probe_gpt2_dir(const char *path, int dir)
{
    return dir && has_file(path, "encoder.json") && has_file(path, "vocab.bpe");
}

static int probe_trained_dir(const char *path, int dir)
{
    char file[4096];
    return dir && own_ranks_file(path, file, sizeof file);
}

static int load_trained_dir(const char *path, tokd_tokenizer **out, tokd_error *err)
{
    char file[4096];
    own_ranks_file(path, file, sizeof file);
    return tokd__tiktoken_load_file(file, out, err);
}

static int probe_gpt2_encoder(const char *path, int dir)
{
    return !dir && is_encoder_json(path);
}

static int load_gpt2_encoder(const char *path, tokd_tokenizer **out, tokd_error *err)
{
    char dir[4096];
    size_t plen = strlen(path);
    snprintf(dir, sizeof dir, "%.*s", plen > 13 ? (int)(plen - 13) : 1, plen > 13 ? path : ".");
    return load_gpt2_dir(dir, out, err);
}

static int probe_hf_file(const char *path, int dir)
{
    return !dir && ends_with(path, ".json") && !is_encoder_json(path);
}

static int probe_tiktoken(const char *path, int dir)
{
    return !dir && ends_with(path, ".tiktoken");
}

typedef struct format {
    const char *what; /* for the error when nothing matches */
    int (*probe)(const char *path, int is_dir);
    int (*load)(const char *path, tokd_tokenizer **out, tokd_error *err);
} format;

/* In probe order: encoder.json is a .json that is not a tokenizer.json. */
static const format formats[] = {
    {"a directory with tokenizer.json", probe_hf_dir, load_hf_dir},
    {"a directory with tokenizer.model (sentencepiece)", probe_spm_dir, load_spm_dir},
    {"a directory with encoder.json + vocab.bpe", probe_gpt2_dir, load_gpt2_dir},
    {"a directory with one NAME.tiktoken (as tokd train writes it)", probe_trained_dir, load_trained_dir},
    {"GPT-2's encoder.json (vocab.bpe beside it)", probe_gpt2_encoder, load_gpt2_encoder},
    {"a Hugging Face tokenizer.json", probe_hf_file, load_hf},
    {"NAME.tiktoken", probe_tiktoken, tokd__tiktoken_load_file},
    {"a sentencepiece NAME.model", probe_spm_file, load_spm},
};

static int load_path(const char *path, int is_dir, tokd_tokenizer **out, tokd_error *err)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (formats[i].probe(path, is_dir))
            return formats[i].load(path, out, err);
    char known[1024] = "";
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? "; " : "", formats[i].what);
    return tokd_error_set(err, TOKD_EUNSUPPORTED, "%s: not a tokenizer tokd reads (it reads %s)", path, known);
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
    if (b)
        return tokd__tiktoken_builtin(b, spec, data_dir, NULL, out, err);
    const tokd__bundled *hf = tokd__bundled_find(spec);
    if (hf) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", data_dir ? data_dir : tokd_default_data_dir(), hf->file);
        return tokd__hf_load(path, spec, hf->sha256, out, err);
    }
    struct stat st;
    if (stat(spec, &st) == 0)
        return load_path(spec, S_ISDIR(st.st_mode), out, err);
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
        tokd__vocab *shared = NULL; /* an earlier encoding's parse of the same file */
        for (size_t k = 0; k < i && !shared; k++)
            if (strcmp(tokd__builtin_find(names[k])->ranks_file, b->ranks_file) == 0)
                shared = tokd__vocab_ref(out[k]->vocab);
        rc = tokd__tiktoken_builtin(b, names[i], data_dir, shared, &out[i], err);
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
