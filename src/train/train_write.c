/* train_write.c - a trained tokenizer on disk: NAME.tiktoken + NAME.json,
 * and NAME.tokenizer.json for other tools (train_hf.c).
 *
 * The rank file lists every merged token as base64 and its rank (= id),
 * bytes first in byte order. The JSON beside it carries what the loader
 * needs (pattern, special tokens, the rank file's SHA-256, checked at every
 * load) and what a reader wants to know (options, corpus size and hash,
 * bytes per token on the corpus). Nothing in either depends on time or
 * machine, so the same corpus and options give byte-identical files.
 *
 * Each file is written to a temporary name in the same directory, fsynced
 * and renamed over the final name, and the directory is fsynced: a crash
 * leaves the old file or the new one, never a part. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sha256.h"
#include "tokd/tokenizer.h"
#include "train_result.h"

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int tokd__write_durably(const char *path, const char *data, size_t len, tokd_error *err)
{
    char tmp[4400], dir[4200];
    const char *slash = strrchr(path, '/');
    if (strlen(path) >= sizeof dir)
        return tokd_error_set(err, TOKD_EIO, "the path %.100s... is too long", path);
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else
        snprintf(dir, sizeof dir, ".");
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, slash ? slash + 1 : path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return tokd_error_set(err, TOKD_EIO, "cannot create %s: %s", tmp, strerror(errno));
    int bad = write_all(fd, data, len) != 0 || fsync(fd) != 0;
    int saved = errno;
    if (close(fd) != 0 && !bad)
        bad = 1, saved = errno;
    if (bad || rename(tmp, path) != 0) {
        saved = bad ? saved : errno;
        unlink(tmp);
        return tokd_error_set(err, TOKD_EIO, "cannot write %s: %s", path, strerror(saved));
    }
    int dfd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

static int write_durably(const char *dir, const char *file, const char *data, size_t len, tokd_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    return tokd__write_durably(path, data, len, err);
}

/* Write a NUL-terminated text (taken over) with a final newline. */
static int write_text(const char *dir, const char *file, char *text, tokd_error *err)
{
    size_t len = strlen(text);
    text[len] = '\n'; /* replaces the NUL; the length is known */
    int rc = write_durably(dir, file, text, len + 1, err);
    free(text);
    return rc;
}

static int rank_file(const tokd_trained *t, tokd_bytes *out)
{
    char line[4 * ((1u << 16) / 3 + 2) + 16];
    for (uint32_t id = 0; id < t->v.n; id++) {
        uint32_t len = t->v.off[id + 1] - t->v.off[id];
        char *b64 = len <= (1u << 16) ? line : malloc(4 * (len / 3 + 2) + 16);
        if (!b64)
            return TOKD_ENOMEM;
        tokd_base64_encode(t->v.bytes + t->v.off[id], len, b64);
        size_t n = strlen(b64);
        n += (size_t)snprintf(b64 + n, 16, " %u\n", id);
        int rc = tokd_bytes_append(out, b64, n);
        if (b64 != line)
            free(b64);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static json_t *meta_json(const tokd_trained *t, const char *name, const char *pattern_name, const char *sha)
{
    json_t *sp = json_object();
    for (size_t i = 0; i < t->opt.n_special_tokens; i++)
        json_object_set_new(sp, t->specials[i], json_integer((json_int_t)(t->v.n + i)));
    const tokd_train_stats *s = &t->stats;
    return json_pack(
        "{s:s, s:s, s:s, s:o, s:I, s:s, s:s, s:{s:I, s:I, s:I, s:I}, s:{s:I, s:s, s:I, s:I, s:I, s:f}}", "name", name,
        "pattern_name", pattern_name ? pattern_name : "custom", "pattern", t->pattern, "special_tokens", sp, "n_vocab",
        (json_int_t)s->n_vocab, "ranks_file", "", "sha256", sha, "training", "vocab_size",
        (json_int_t)t->opt.vocab_size, "min_frequency", (json_int_t)(t->opt.min_frequency ? t->opt.min_frequency : 2),
        "max_token_bytes", (json_int_t)t->opt.max_token_bytes, "merges", (json_int_t)s->merges, "corpus", "bytes",
        (json_int_t)s->corpus_bytes, "sha256", s->corpus_sha256, "pieces", (json_int_t)s->pieces, "unique_pieces",
        (json_int_t)s->unique_pieces, "tokens", (json_int_t)s->tokens, "bytes_per_token",
        s->tokens ? (double)s->corpus_bytes / (double)s->tokens : 0.0);
}

int tokd_trained_write(const tokd_trained *t, const char *dir, const char *name, const char *pattern_name,
                       tokd_error *err)
{
    tokd_bytes ranks = {0};
    char file[300], sha[65];
    int rc = rank_file(t, &ranks);
    if (rc != 0)
        return tokd_error_set(err, rc, "out of memory writing the rank file");
    tokd__sha256_hex(ranks.data, ranks.len, sha);
    snprintf(file, sizeof file, "%.200s.tiktoken", name);
    rc = write_durably(dir, file, ranks.data, ranks.len, err);
    tokd_bytes_release(&ranks);
    if (rc != 0)
        return rc;
    json_t *meta = meta_json(t, name, pattern_name, sha);
    if (meta)
        json_object_set_new(meta, "ranks_file", json_string(file));
    char *text = meta ? json_dumps(meta, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) : NULL;
    json_decref(meta);
    if (!text)
        return tokd_error_set(err, TOKD_ENOMEM, "out of memory writing the tokenizer's JSON");
    snprintf(file, sizeof file, "%.200s.json", name);
    rc = write_text(dir, file, text, err);
    if (rc != 0)
        return rc;
    if (tokd__trained_hf_json(t, &text) != 0)
        return tokd_error_set(err, TOKD_ENOMEM, "out of memory writing the tokenizer.json");
    snprintf(file, sizeof file, "%.200s.tokenizer.json", name);
    return write_text(dir, file, text, err);
}
