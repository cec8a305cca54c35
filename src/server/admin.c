/* admin.c - the admin API: bearer-token checks and training jobs.
 *
 * POST /admin/v1/train validates everything a job needs before it is
 * queued (a job never fails on something the request could have said), so
 * every mistake is a 4xx naming its field. The token is compared in
 * constant time and never logged or echoed. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin.h"
#include "beneath.h"
#include "jobs.h"

#define MIN_TOKEN 16
#define MAX_SPECIALS 1000       /* special tokens of a trained tokenizer */
#define MAX_INPUTS 10000        /* files in "paths" or "counts" */
#define MAX_SPECIAL_LEN 256     /* bytes of one */
#define MAX_SPECIAL_BYTES 65536 /* bytes of all */
#define MAX_REGEX 4096          /* bytes of a custom pre-tokenizer pattern */

static size_t trimmed(const char *s, size_t n)
{
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return n;
}

static int read_token_file(const char *path, char *out, size_t size)
{
    tokd_error err = {0};
    int fd = tokd_file_open(path, NULL, &err);
    FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (!f) {
        fprintf(stderr, "tokd serve: admin_token_file: cannot read %s (%s)\n", path, fd < 0 ? err.text : strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    size_t n = fread(out, 1, size - 1, f);
    int full = n == size - 1 && fgetc(f) != EOF;
    fclose(f);
    if (full) {
        fprintf(stderr, "tokd serve: admin_token_file: %s holds more than %zu bytes\n", path, size - 2);
        return -1;
    }
    out[trimmed(out, n)] = '\0';
    return 0;
}

int admin_token_load(app *a)
{
    const char *env = getenv("TOKD_ADMIN_TOKEN");
    a->admin_token[0] = '\0';
    if (env && *env) {
        if (strlen(env) >= sizeof a->admin_token) {
            fprintf(stderr, "tokd serve: TOKD_ADMIN_TOKEN is longer than %zu bytes\n", sizeof a->admin_token - 1);
            return -1;
        }
        snprintf(a->admin_token, sizeof a->admin_token, "%.*s", (int)trimmed(env, strlen(env)), env);
    } else if (a->cfg.admin_token_file[0] &&
               read_token_file(a->cfg.admin_token_file, a->admin_token, sizeof a->admin_token) != 0) {
        return -1;
    }
    if (a->admin_token[0] && strlen(a->admin_token) < MIN_TOKEN) {
        fprintf(stderr, "tokd serve: the admin token must be at least %d characters (e.g. openssl rand -hex 32)\n",
                MIN_TOKEN);
        return -1;
    }
    return 0;
}

/* Equal secrets, in time that depends only on the length of `want`. */
static int same_secret(const char *given, const char *want)
{
    size_t gl = strlen(given), wl = strlen(want);
    volatile unsigned char diff = gl != wl;
    for (size_t i = 0; i < wl; i++)
        diff |= (unsigned char)(want[i] ^ (i < gl ? given[i] : 0));
    return diff == 0;
}

int admin_authorize(app *a, const char *authorization, reply *r)
{
    if (!a->admin_token[0]) {
        reply_error(r, 403, "admin_disabled", NULL,
                    "the admin API is off: start tokd with TOKD_ADMIN_TOKEN set (or admin_token_file in the "
                    "configuration) and send it as Authorization: Bearer <token>");
        return -1;
    }
    const char *given = authorization && !strncasecmp(authorization, "Bearer ", 7) ? authorization + 7 : NULL;
    while (given && *given == ' ')
        given++;
    if (!given || !same_secret(given, a->admin_token)) {
        reply_error(r, 401, "unauthorized", NULL,
                    authorization ? "the bearer token is not the admin token"
                                  : "send the admin token as Authorization: Bearer <token>");
        return -1;
    }
    return 0;
}

static const char *const train_fields[] = {"name",           "vocab_size",      "pattern", "regex",
                                           "min_frequency",  "special_tokens",  "max_token_bytes", "text",
                                           "path",           "paths",           "counts",  "jsonl_field",
                                           "min_piece_count", "overwrite"};

static int known_fields(json_t *body, reply *r)
{
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        size_t i = 0;
        while (i < sizeof train_fields / sizeof train_fields[0] && strcmp(train_fields[i], key))
            i++;
        if (i == sizeof train_fields / sizeof train_fields[0]) {
            reply_error(r, 400, "unknown_field", key,
                        "unknown field \"%.64s\"; a training request takes name, vocab_size, pattern or regex, "
                        "min_frequency, special_tokens, max_token_bytes, text, path or paths and counts, "
                        "jsonl_field, min_piece_count, overwrite",
                        key);
            return -1;
        }
    }
    return 0;
}

static int valid_name(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-");
    return n >= 1 && n <= 64 && !s[n] && s[0] != '.';
}

static int get_name(json_t *body, train_spec *s, reply *r)
{
    json_t *v = json_object_get(body, "name");
    if (!v) {
        reply_error(r, 400, "missing_field", "name", "\"name\" is required: the new tokenizer's name");
        return -1;
    }
    if (!json_is_name(v) || !valid_name(json_string_value(v))) {
        reply_error(r, 400, "invalid_value", "name",
                    "\"name\" must be 1-64 characters of a-z 0-9 . _ - and not start with '.'");
        return -1;
    }
    snprintf(s->name, sizeof s->name, "%s", json_string_value(v));
    return 0;
}

/* An optional whole number in [lo, hi] (0 when absent, *out untouched). */
static int get_count(json_t *body, const char *key, json_int_t lo, json_int_t hi, json_int_t *out, reply *r)
{
    json_t *v = json_object_get(body, key);
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        reply_error(r, 400, json_is_integer(v) ? "invalid_value" : "invalid_type", key,
                    "\"%s\" must be a whole number from %lld to %lld", key, (long long)lo, (long long)hi);
        return -1;
    }
    *out = json_integer_value(v);
    return 0;
}

static int get_numbers(json_t *body, train_spec *s, reply *r)
{
    json_int_t vocab = 0, minf = 2, maxb = 0, minp = 0;
    if (!json_object_get(body, "vocab_size")) {
        reply_error(r, 400, "missing_field", "vocab_size", "\"vocab_size\" is required (tokens in all, e.g. 30000)");
        return -1;
    }
    if (get_count(body, "vocab_size", TOKD_TRAIN_MIN_VOCAB, TOKD_TRAIN_MAX_VOCAB, &vocab, r) ||
        get_count(body, "min_frequency", 1, INT64_MAX, &minf, r) ||
        get_count(body, "max_token_bytes", 1, UINT32_MAX, &maxb, r) ||
        get_count(body, "min_piece_count", 1, INT64_MAX, &minp, r))
        return -1;
    s->o.min_piece_count = (uint64_t)minp;
    s->o.vocab_size = (uint32_t)vocab;
    s->o.min_frequency = (uint64_t)minf;
    s->o.max_token_bytes = (uint32_t)maxb;
    return 0;
}

static int get_pattern(json_t *body, train_spec *s, reply *r)
{
    json_t *p = json_object_get(body, "pattern"), *re = json_object_get(body, "regex");
    if (p && re) {
        reply_error(r, 400, "invalid_request", "regex", "give \"pattern\" (a name) or \"regex\", not both");
        return -1;
    }
    if ((p && !json_is_name(p)) || (re && !json_is_name(re))) {
        reply_error(r, 400, "invalid_type", p ? "pattern" : "regex", "\"%s\" must be a string without NUL",
                    p ? "pattern" : "regex");
        return -1;
    }
    if (re && json_string_length(re) > MAX_REGEX) {
        reply_error(r, 400, "invalid_value", "regex", "\"regex\" has %zu bytes; at most %d", json_string_length(re),
                    MAX_REGEX);
        return -1;
    }
    const char *name = re ? NULL : p ? json_string_value(p) : "gpt2";
    const char *regex = re ? json_string_value(re) : tokd_train_pattern(name);
    if (!regex) {
        reply_error(r, 400, "invalid_value", "pattern",
                    "unknown pattern '%.64s': use gpt2, r50k_base, p50k_base, cl100k_base or o200k_base, or "
                    "give a PCRE2 \"regex\"",
                    name);
        return -1;
    }
    s->pattern = strdup(regex);
    s->pattern_name = name ? strdup(name) : NULL;
    return 0;
}

static int get_specials(json_t *body, train_spec *s, reply *r)
{
    json_t *list = json_object_get(body, "special_tokens"), *v;
    size_t i;
    if (!list)
        return 0;
    size_t bytes = 0;
    if (!json_is_array(list) || json_array_size(list) > MAX_SPECIALS) {
        reply_error(r, 400, "invalid_type", "special_tokens", "\"special_tokens\" must be an array of at most %d strings",
                    MAX_SPECIALS);
        return -1;
    }
    json_array_foreach(list, i, v) bytes += json_string_length(v);
    if (bytes > MAX_SPECIAL_BYTES) {
        reply_error(r, 413, "too_large", "special_tokens",
                    "the special tokens hold %zu bytes; at most %d in all (every public GET /v1/tokenizers lists them)",
                    bytes, MAX_SPECIAL_BYTES);
        return -1;
    }
    if (!(s->specials = calloc(json_array_size(list) + 1, sizeof *s->specials))) {
        reply_error(r, 503, "out_of_memory", NULL, "out of memory");
        return -1;
    }
    json_array_foreach(list, i, v)
    {
        if (!json_is_name(v) || json_string_length(v) == 0 || json_string_length(v) > MAX_SPECIAL_LEN) {
            reply_error(r, 400, "invalid_value", "special_tokens",
                        "special_tokens[%zu] must be a non-empty string of at most %d bytes without NUL", i,
                        MAX_SPECIAL_LEN);
            return -1;
        }
        s->specials[i] = strdup(json_string_value(v));
        s->o.n_special_tokens = i + 1;
        if (!s->specials[i]) {
            reply_error(r, 503, "out_of_memory", NULL, "out of memory");
            return -1;
        }
    }
    return 0;
}

/* A file named relative to corpus_dir, which it must not leave: a
 * regular file with one link (a hard link would let a file from elsewhere
 * on the file system in), reached without symbolic links. `field` names
 * it in errors. On 0, *fd is open and *size its size. */
static int open_beneath_corpus(app *a, const char *rel, const char *field, int *fd_out, size_t *size, reply *r)
{
    if (!a->cfg.corpus_dir[0]) {
        reply_error(r, 400, "invalid_value", field,
                    "this server reads no corpus files (corpus_dir is not set); send the corpus as \"text\"");
        return -1;
    }
    int dotdot = !strcmp(rel, "..") || !strncmp(rel, "../", 3) || strstr(rel, "/../") ||
                 (strlen(rel) >= 3 && !strcmp(rel + strlen(rel) - 3, "/.."));
    if (!rel[0] || rel[0] == '/' || dotdot) {
        reply_error(r, 400, "invalid_value", field, "\"%s\" must be relative to the corpus directory, without '..'",
                    field);
        return -1;
    }
    int dfd = open(a->cfg.corpus_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int fd = dfd >= 0 ? beneath_open(dfd, rel) : -1;
    int why = errno;
    if (dfd >= 0)
        close(dfd);
    if (fd < 0 && (why == ELOOP || why == EXDEV)) {
        reply_error(r, 400, "invalid_value", field, "'%.200s' leads out of the corpus directory (a symbolic link)",
                    rel);
        return -1;
    }
    struct stat st;
    tokd_error err = {0};
    fd = fd < 0 ? fd : tokd_file_check(fd, rel, &st, &err);
    if (fd < 0) {
        reply_error(r, 400, "invalid_value", field, why == ENOENT && fd < 0 ? "no corpus file '%.200s' in the corpus directory"
                                                                             : "'%.200s' is not a readable regular file",
                    rel);
        return -1;
    }
    if (st.st_nlink != 1) {
        close(fd);
        reply_error(r, 400, "invalid_value", field,
                    "'%.200s' has %lu hard links; corpus files must have exactly one (a link could bring in a file "
                    "from outside the corpus directory)",
                    rel, (unsigned long)st.st_nlink);
        return -1;
    }
    *fd_out = fd;
    *size = (size_t)st.st_size;
    return 0;
}

static int open_corpus(app *a, const char *rel, train_spec *s, reply *r)
{
    if (open_beneath_corpus(a, rel, "path", &s->fd, &s->len, r) != 0)
        return -1;
    s->path = strdup(rel);
    return 0;
}

/* A list of files beneath corpus_dir ("paths" or "counts"), opened into
 * *in; their sizes are added to *total. */
static int open_list(app *a, json_t *body, const char *key, train_input **in, size_t *n, size_t *total, reply *r)
{
    json_t *list = json_object_get(body, key), *v;
    size_t i;
    char field[64];
    if (!list)
        return 0;
    if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > MAX_INPUTS) {
        reply_error(r, 400, "invalid_type", key, "\"%s\" must be an array of 1 to %d file names in the corpus directory",
                    key, MAX_INPUTS);
        return -1;
    }
    if (!(*in = calloc(json_array_size(list), sizeof **in))) {
        reply_error(r, 503, "out_of_memory", NULL, "out of memory");
        return -1;
    }
    json_array_foreach(list, i, v)
    {
        size_t size;
        snprintf(field, sizeof field, "%s[%zu]", key, i);
        if (!json_is_name(v)) {
            reply_error(r, 400, "invalid_type", field, "\"%s\" must be a string without NUL", field);
            return -1;
        }
        (*in)[i].fd = -1;
        if (open_beneath_corpus(a, json_string_value(v), field, &(*in)[i].fd, &size, r) != 0)
            return -1;
        *n = i + 1;
        *total += size;
        if (!((*in)[i].path = strdup(json_string_value(v)))) {
            reply_error(r, 503, "out_of_memory", NULL, "out of memory");
            return -1;
        }
    }
    return 0;
}

static int get_jsonl_field(json_t *body, train_spec *s, reply *r)
{
    json_t *v = json_object_get(body, "jsonl_field");
    if (!v)
        return 0;
    if (!json_is_name(v) || !json_string_length(v) || json_string_length(v) > 256) {
        reply_error(r, 400, "invalid_type", "jsonl_field", "\"jsonl_field\" must be a field name of 1 to 256 bytes");
        return -1;
    }
    if (!json_object_get(body, "paths")) {
        reply_error(r, 400, "invalid_request", "jsonl_field", "\"jsonl_field\" says how to read \"paths\"; give them");
        return -1;
    }
    if (!(s->jsonl_field = strdup(json_string_value(v)))) {
        reply_error(r, 503, "out_of_memory", NULL, "out of memory");
        return -1;
    }
    return 0;
}

/* "paths" (corpus files) and "counts" (counts files), one or both. */
static int get_inputs(app *a, json_t *body, train_spec *s, reply *r)
{
    if (open_list(a, body, "paths", &s->files, &s->n_files, &s->len, r) ||
        open_list(a, body, "counts", &s->counts, &s->n_counts, &s->len, r) || get_jsonl_field(body, s, r))
        return -1;
    if (s->len > (size_t)a->cfg.max_train_bytes) {
        reply_error(r, 413, "too_large", s->n_files ? "paths" : "counts",
                    "the files have %zu bytes; this server trains on at most %ld (max_train_bytes)", s->len,
                    a->cfg.max_train_bytes);
        return -1;
    }
    return 0;
}

static int get_corpus(app *a, json_t *body, train_spec *s, reply *r)
{
    json_t *text = json_object_get(body, "text"), *path = json_object_get(body, "path");
    int lists = json_object_get(body, "paths") || json_object_get(body, "counts");
    if ((text != NULL) + (path != NULL) + lists != 1) {
        reply_error(r, 400, text || path || lists ? "invalid_request" : "missing_field",
                    text ? "text" : path ? "path" : lists ? "paths" : "text",
                    "give the corpus as \"text\" (a string), as \"path\" (a file in the corpus directory) or as "
                    "\"paths\" and/or \"counts\" (lists of corpus and counts files there)%s",
                    text || path || lists ? ", only one of them" : "");
        return -1;
    }
    if (lists)
        return get_inputs(a, body, s, r);
    if (json_object_get(body, "jsonl_field")) {
        reply_error(r, 400, "invalid_request", "jsonl_field", "\"jsonl_field\" says how to read \"paths\"; give them");
        return -1;
    }
    if (!json_is_string(text ? text : path) || (path && !json_is_name(path))) {
        reply_error(r, 400, "invalid_type", text ? "text" : "path", "\"%s\" must be a string%s", text ? "text" : "path",
                    path ? " without NUL" : "");
        return -1;
    }
    if (text) {
        s->len = json_string_length(text);
        s->text = malloc(s->len + 1);
        if (s->text)
            memcpy(s->text, json_string_value(text), s->len + 1);
    } else if (open_corpus(a, json_string_value(path), s, r) != 0) {
        return -1;
    }
    if (s->len == 0) {
        reply_error(r, 400, "invalid_value", text ? "text" : "path", "the corpus is empty");
        return -1;
    }
    if (s->len > (size_t)a->cfg.max_train_bytes) {
        reply_error(r, 413, "too_large", text ? "text" : "path",
                    "the corpus has %zu bytes; this server trains on at most %ld (max_train_bytes)", s->len,
                    a->cfg.max_train_bytes);
        return -1;
    }
    return 0;
}

int admin_train_spec(app *a, json_t *body, train_spec *s, reply *r)
{
    json_t *ow = json_object_get(body, "overwrite");
    if (known_fields(body, r) || get_name(body, s, r) || get_numbers(body, s, r) || get_pattern(body, s, r) ||
        get_specials(body, s, r) || get_corpus(a, body, s, r))
        return -1;
    if (ow && !json_is_boolean(ow)) {
        reply_error(r, 400, "invalid_type", "overwrite", "\"overwrite\" must be true or false");
        return -1;
    }
    s->overwrite = json_is_true(ow);
    s->o.pattern = s->pattern;
    s->o.special_tokens = (const char *const *)s->specials;
    s->o.threads = (unsigned)a->cfg.train_threads;
    if (!s->pattern || (s->o.n_special_tokens && !s->specials) || (!s->path && !s->text && !s->n_files && !s->n_counts)) {
        reply_error(r, 503, "out_of_memory", NULL, "out of memory");
        return -1;
    }
    tokd_error err = {0};
    int rc = tokd_train_check(&s->o, &err);
    if (rc == TOKD_EPATTERN)
        reply_error(r, 400, "invalid_pattern", "regex", "%s", err.text);
    else if (rc != 0)
        reply_error(r, 400, "invalid_value", strncmp(err.text, "vocab_size", 10) ? "special_tokens" : "vocab_size", "%s",
                    err.text);
    return rc ? -1 : 0;
}

static int training_on(app *a, reply *r)
{
    if (a->jobs)
        return 1;
    reply_error(r, 403, "training_disabled", NULL,
                "training is off on this server: set tokenizer_dir (TOKD_TOKENIZER_DIR) to enable it");
    return 0;
}

void admin_train(app *a, const char *arg, json_t *body, reply *r)
{
    if (!training_on(a, r))
        return;
    train_spec s = {.fd = -1};
    json_t *job;
    char msg[300];
    if (admin_train_spec(a, body, &s, r) == 0) {
        int rc = jobs_submit(a->jobs, &s, &job, msg, sizeof msg);
        if (rc == 0) {
            snprintf(r->location, sizeof r->location, "/admin/v1/jobs/%lld",
                     (long long)json_integer_value(json_object_get(job, "id")));
            reply_json(r, json_pack("{s:o}", "job", job));
            r->status = 202;
        } else {
            reply_error(r, tokd_err_http_status(rc), tokd_err_api_name(rc), rc == TOKD_EFULL ? NULL : "name", "%s", msg);
        }
    }
    train_spec_release(&s);
}

void admin_jobs(app *a, const char *arg, json_t *body, reply *r)
{
    if (training_on(a, r))
        reply_json(r, json_pack("{s:o}", "jobs", jobs_list(a->jobs)));
}

static int job_id(const char *arg, uint64_t *id, reply *r)
{
    char *end;
    errno = 0;
    unsigned long long v = arg && isdigit((unsigned char)arg[0]) ? strtoull(arg, &end, 10) : 0;
    if (!v || errno || *end) {
        reply_error(r, 404, "job_not_found", NULL, "no job '%.40s': job ids are the numbers GET /admin/v1/jobs lists",
                    arg ? arg : "");
        return -1;
    }
    *id = v;
    return 0;
}

void admin_job(app *a, const char *arg, json_t *body, reply *r)
{
    uint64_t id;
    if (!training_on(a, r) || job_id(arg, &id, r) != 0)
        return;
    json_t *job = jobs_get(a->jobs, id);
    if (job)
        reply_json(r, json_pack("{s:o}", "job", job));
    else
        reply_error(r, 404, "job_not_found", NULL, "no job %llu", (unsigned long long)id);
}

void admin_cancel(app *a, const char *arg, json_t *body, reply *r)
{
    uint64_t id;
    json_t *job = NULL;
    if (!training_on(a, r) || job_id(arg, &id, r) != 0)
        return;
    int rc = jobs_cancel(a->jobs, id, &job);
    if (rc == 0)
        reply_json(r, json_pack("{s:o}", "job", job));
    else if (rc == TOKD_EFINISHED)
        reply_error(r, tokd_err_http_status(rc), tokd_err_api_name(rc), NULL, "job %llu has already ended (%s)", (unsigned long long)id,
                    json_string_value(json_object_get(job, "state")));
    else
        reply_error(r, 404, "job_not_found", NULL, "no job %llu", (unsigned long long)id);
    if (rc != 0)
        json_decref(job);
}
