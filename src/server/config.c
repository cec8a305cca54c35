/* config.c - one table of settings read from a JSON file, TOKD_* variables
 * and command-line flags, in that order of precedence. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "tokd/file.h"

enum kind { K_INT, K_STR, K_BOOL };

typedef struct setting {
    const char *key;  /* JSON key and, with dashes, the --flag */
    const char *env;  /* environment variable */
    enum kind kind;
    size_t offset;    /* into server_config */
    size_t size;      /* K_STR: buffer size */
    long min, max;    /* K_INT bounds */
    const char *help;
} setting;

#define INT(k, e, f, lo, hi, h) {k, e, K_INT, offsetof(server_config, f), 0, lo, hi, h}
#define STR(k, e, f, h) {k, e, K_STR, offsetof(server_config, f), sizeof((server_config *)0)->f, 0, 0, h}
#define BOOL(k, e, f, h) {k, e, K_BOOL, offsetof(server_config, f), 0, 0, 1, h}

static const setting settings[] = {
    STR("listen", "TOKD_LISTEN", listen, "address to listen on (default 127.0.0.1)"),
    INT("port", "TOKD_PORT", port, 0, 65535, "TCP port, 0 for any free one (default 8080)"),
    INT("threads", "TOKD_THREADS", threads, 0, 1024, "worker threads, 0 = CPU cores (default 0)"),
    INT("text_threads", "TOKD_TEXT_THREADS", text_threads, 0, 64,
        "threads one large text is encoded or counted on; the helpers are shared by all requests, 0 = CPU cores "
        "(default 0)"),
    INT("max_body_bytes", "TOKD_MAX_BODY_BYTES", max_body_bytes, 1024, 1L << 30,
        "largest request body, else 413 (default 8388608)"),
    INT("max_batch", "TOKD_MAX_BATCH", max_batch, 1, 1000000, "most texts or id lists per request (default 1024)"),
    INT("max_decode_ids", "TOKD_MAX_DECODE_IDS", max_decode_ids, 1, 1L << 30,
        "most ids in one decode request (default 1048576)"),
    INT("max_connections", "TOKD_MAX_CONNECTIONS", max_connections, 1, 1000000,
        "concurrent connections (default 1024)"),
    INT("max_connections_per_ip", "TOKD_MAX_CONNECTIONS_PER_IP", max_connections_per_ip, 1, 1000000,
        "concurrent connections from one client address (default 32)"),
    INT("max_waiting", "TOKD_MAX_WAITING", max_waiting, 0, 100000,
        "requests that may wait for a busy worker, else 429 (default 64)"),
    INT("max_request_ms", "TOKD_MAX_REQUEST_MS", max_request_ms, 10, 3600000,
        "work budget of one request in milliseconds, else 413 (default 10000)"),
    INT("max_answer_tokens", "TOKD_MAX_ANSWER_TOKENS", max_answer_tokens, 1, 1L << 30,
        "token ids in one answer (encode, windows), else 413 (default 1048576)"),
    INT("max_token_details", "TOKD_MAX_TOKEN_DETAILS", max_token_details, 1, 1L << 30,
        "tokens in one answer with return_tokens or return_offsets, else 413 (default 262144)"),
    INT("max_work_bytes", "TOKD_MAX_WORK_BYTES", max_work_bytes, 1024, 1L << 40,
        "text bytes x tokenizers x passes one request may tokenize, else 413 (default 67108864)"),
    INT("max_answer_bytes", "TOKD_MAX_ANSWER_BYTES", max_answer_bytes, 1024, 1L << 32,
        "decoded text bytes in one answer, else 413 (default 16777216)"),
    INT("max_embed_values", "TOKD_MAX_EMBED_VALUES", max_embed_values, 1, 1L << 30,
        "numbers (rows x dimensions) in one embeddings answer, else 413 (default 1048576)"),
    INT("connection_timeout_s", "TOKD_CONNECTION_TIMEOUT_S", connection_timeout_s, 1, 3600,
        "close idle or slow connections after this (default 15)"),
    INT("shutdown_grace_s", "TOKD_SHUTDOWN_GRACE_S", shutdown_grace_s, 0, 3600,
        "on SIGTERM, time for in-flight requests (default 10)"),
    BOOL("log_requests", "TOKD_LOG_REQUESTS", log_requests, "one JSON log line per request (default true)"),
    STR("data_dir", "TOKD_DATA_DIR", data_dir, "directory of the bundled encodings (default: found)"),
    STR("models_file", "TOKD_MODELS_FILE", models_file, "model registry JSON (default: config/models.json)"),
    STR("tokenizers", "TOKD_TOKENIZERS", tokenizers,
        "more tokenizers to serve, NAME=PATH[,NAME=PATH]: tokenizer.json, encoder.json, .tiktoken"),
    STR("tokenizer_dir", "TOKD_TOKENIZER_DIR", tokenizer_dir,
        "directory of trained tokenizers and job records; \"\" turns training off (default \"\")"),
    STR("corpus_dir", "TOKD_CORPUS_DIR", corpus_dir,
        "training corpora given by \"path\" are read from here only (default \"\": inline text only)"),
    STR("admin_token_file", "TOKD_ADMIN_TOKEN_FILE", admin_token_file,
        "file with the admin API's bearer token (or set TOKD_ADMIN_TOKEN)"),
    INT("train_jobs", "TOKD_TRAIN_JOBS", train_jobs, 1, 64, "training jobs that run at once (default 1)"),
    INT("train_queue", "TOKD_TRAIN_QUEUE", train_queue, 0, 10000, "training jobs that may wait, else 429 (default 16)"),
    INT("train_threads", "TOKD_TRAIN_THREADS", train_threads, 1, 64,
        "threads one training job counts its corpus with (default 1)"),
    INT("max_train_bytes", "TOKD_MAX_TRAIN_BYTES", max_train_bytes, 1, 1L << 40,
        "largest training corpus, else 413 (default 1073741824)"),
    INT("rescan_s", "TOKD_RESCAN_S", rescan_s, 0, 86400,
        "rescan tokenizer_dir for other replicas' tokenizers this often, besides change events (default 5)"),
    INT("max_embed_tokens", "TOKD_MAX_EMBED_TOKENS", max_embed_tokens, 1, 1L << 20,
        "most ids in one /v1/embeddings request, else 413 (default 8192)"),
    STR("default_model", "TOKD_DEFAULT_MODEL", default_model,
        "model or tokenizer for TEI/vLLM/llama.cpp requests that name none (default \"\": they must name one)"),
    STR("chat_templates", "TOKD_CHAT_TEMPLATES", chat_templates,
        "more chat templates, NAME=PATH[,NAME=PATH]: a tokenizer_config.json or a .jinja file"),
    BOOL("allow_request_templates", "TOKD_ALLOW_REQUEST_TEMPLATES", allow_request_templates,
         "render a \"chat_template\" sent in a request (default false)"),
};
#define N_SETTINGS (sizeof settings / sizeof settings[0])

static void defaults(server_config *c)
{
    *c = (server_config){.port = 8080, .max_body_bytes = 8L << 20, .max_batch = 1024,
                         .max_decode_ids = 1L << 20, .max_connections = 1024, .max_connections_per_ip = 32,
                         .max_waiting = 64, .max_request_ms = 10000, .max_answer_tokens = 1L << 20,
                         .max_token_details = 262144, .max_work_bytes = 64L << 20, .max_answer_bytes = 16L << 20,
                         .max_embed_values = 1L << 20, .connection_timeout_s = 15,
                         .shutdown_grace_s = 10, .log_requests = 1, .train_jobs = 1, .train_queue = 16,
                         .train_threads = 1, .max_train_bytes = 1L << 30, .max_embed_tokens = 8192, .rescan_s = 5,
                         .n_embeddings = 1};
    snprintf(c->listen, sizeof c->listen, "127.0.0.1");
    c->embeddings[0] = (embed_config){"default", "", "wte.weight", "wpe.weight", "cl100k_base"};
}

/* Parse `text` for setting `s` into c; `where` names the source for errors. */
static int set_value(server_config *c, const setting *s, const char *text, const char *where)
{
    char *base = (char *)c + s->offset;
    if (s->kind == K_STR) {
        if (strlen(text) >= s->size) {
            fprintf(stderr, "tokd serve: %s: %s is longer than %zu bytes\n", where, s->key, s->size - 1);
            return -1;
        }
        memcpy(base, text, strlen(text) + 1);
        return 0;
    }
    if (s->kind == K_BOOL && (!strcmp(text, "true") || !strcmp(text, "false"))) {
        *(long *)base = !strcmp(text, "true");
        return 0;
    }
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < s->min || v > s->max) {
        fprintf(stderr, "tokd serve: %s: %s must be %s from %ld to %ld, not '%s'\n", where, s->key,
                s->kind == K_BOOL ? "true, false or a number" : "a whole number", s->min, s->max, text);
        return -1;
    }
    *(long *)base = v;
    return 0;
}

static const setting *find_key(const char *key)
{
    for (size_t i = 0; i < N_SETTINGS; i++)
        if (!strcmp(settings[i].key, key))
            return &settings[i];
    return NULL;
}

static int json_to_text(json_t *v, const setting *s, char *buf, size_t size)
{
    if (s->kind == K_STR && json_is_string(v))
        return snprintf(buf, size, "%s", json_string_value(v)) < (int)size ? 0 : -1;
    if (s->kind == K_BOOL && json_is_boolean(v))
        return snprintf(buf, size, "%s", json_is_true(v) ? "true" : "false"), 0;
    if (s->kind == K_INT && json_is_integer(v))
        return snprintf(buf, size, "%lld", (long long)json_integer_value(v)), 0;
    return -1;
}

/* "embeddings": {"NAME": {...} or null}: each named table is added,
 * replaced, or (null) removed; tables the file does not name stay. */
static int embed_string(json_t *v, const char *key, char *out, size_t size, int required, const char *where)
{
    json_t *s = json_object_get(v, key);
    if ((!s && required) || (s && (!json_is_string(s) || !json_string_length(s) || json_string_length(s) >= size))) {
        fprintf(stderr, "tokd serve: %s: \"%s\" must be a non-empty string of at most %zu bytes\n", where, key,
                size - 1);
        return -1;
    }
    snprintf(out, size, "%s", s ? json_string_value(s) : "");
    return 0;
}

static int embed_entry(const char *name, json_t *v, embed_config *e, const char *path)
{
    char where[1200];
    snprintf(where, sizeof where, "%s: embeddings.%.64s", path, name);
    const char *key;
    json_t *x;
    if (!json_is_object(v)) {
        fprintf(stderr, "tokd serve: %s must be an object (or null to remove it)\n", where);
        return -1;
    }
    json_object_foreach(v, key, x)
    {
        if (strcmp(key, "file") && strcmp(key, "tensor") && strcmp(key, "positional_tensor") && strcmp(key, "tokenizer")) {
            fprintf(stderr, "tokd serve: %s: unknown key \"%s\" (file, tensor, positional_tensor, tokenizer)\n", where,
                    key);
            return -1;
        }
    }
    snprintf(e->name, sizeof e->name, "%s", name);
    return embed_string(v, "file", e->file, sizeof e->file, 1, where) ||
                   embed_string(v, "tensor", e->tensor, sizeof e->tensor, 1, where) ||
                   embed_string(v, "positional_tensor", e->positional, sizeof e->positional, 0, where) ||
                   embed_string(v, "tokenizer", e->tokenizer, sizeof e->tokenizer, 1, where)
               ? -1
               : 0;
}

static int load_embeddings(server_config *c, json_t *obj, const char *path)
{
    const char *name;
    json_t *v;
    if (!json_is_object(obj)) {
        fprintf(stderr, "tokd serve: %s: \"embeddings\" must be an object of NAME: table\n", path);
        return -1;
    }
    json_object_foreach(obj, name, v)
    {
        long i = 0;
        while (i < c->n_embeddings && strcmp(c->embeddings[i].name, name))
            i++;
        size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789._-");
        if (!n || n > 64 || name[n]) {
            fprintf(stderr, "tokd serve: %s: embeddings: the name \"%.80s\" must be 1-64 of a-z 0-9 . _ -\n", path, name);
            return -1;
        }
        if (json_is_null(v)) {
            if (i < c->n_embeddings)
                memmove(&c->embeddings[i], &c->embeddings[i + 1], (size_t)(--c->n_embeddings - i) * sizeof *c->embeddings);
            continue;
        }
        if (i == CONFIG_MAX_EMBEDDINGS) {
            fprintf(stderr, "tokd serve: %s: at most %d embedding tables\n", path, CONFIG_MAX_EMBEDDINGS);
            return -1;
        }
        if (embed_entry(name, v, &c->embeddings[i], path) != 0)
            return -1;
        c->n_embeddings += i == c->n_embeddings;
    }
    return 0;
}

json_t *config_json_file(const char *path, size_t flags, json_error_t *je)
{
    tokd_error err = {0};
    int fd = tokd_file_open(path, NULL, &err);
    if (fd < 0) {
        je->line = -1;
        snprintf(je->text, sizeof je->text, "%.*s", (int)sizeof je->text - 1, err.text);
        return NULL;
    }
    json_t *root = json_loadfd(fd, flags, je);
    close(fd);
    return root;
}

static int load_file(server_config *c, const char *path)
{
    json_error_t je;
    json_t *root = config_json_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root && je.line < 0)
        fprintf(stderr, "tokd serve: configuration: %s\n", je.text);
    else if (!root)
        fprintf(stderr, "tokd serve: %s line %d: %s\n", path, je.line, je.text);
    if (!root)
        return -1;
    int rc = 0;
    if (!json_is_object(root)) {
        fprintf(stderr, "tokd serve: %s: the configuration must be a JSON object\n", path);
        rc = -1;
    }
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        const setting *s = find_key(key);
        char text[1024];
        if (rc == 0 && key[0] == '_')
            continue; /* "_comment" and the like */
        if (rc == 0 && !strcmp(key, "embeddings")) {
            rc = load_embeddings(c, v, path);
            continue;
        }
        if (rc == 0 && !s) {
            fprintf(stderr, "tokd serve: %s: unknown key \"%s\"\n", path, key);
            rc = -1;
        } else if (rc == 0 && json_to_text(v, s, text, sizeof text) != 0) {
            fprintf(stderr, "tokd serve: %s: \"%s\" must be a %s\n", path, key,
                    s->kind == K_STR ? "string" : s->kind == K_BOOL ? "boolean" : "whole number");
            rc = -1;
        } else if (rc == 0) {
            char where[1100];
            snprintf(where, sizeof where, "%s", path);
            rc = set_value(c, s, text, where);
        }
    }
    json_decref(root);
    return rc;
}

static int load_env(server_config *c)
{
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const char *v = getenv(settings[i].env);
        if (v && *v && set_value(c, &settings[i], v, settings[i].env) != 0)
            return -1;
    }
    return 0;
}

static void usage(FILE *to)
{
    fprintf(to, "usage: tokd serve [--config FILE] [--listen ADDR] [--port N] [--OPTION VALUE]...\n\n"
                "Serve the tokd HTTP API. Settings come from defaults, then the JSON file\n"
                "(--config FILE), then TOKD_* environment variables, then these flags:\n\n");
    for (size_t i = 0; i < N_SETTINGS; i++) {
        char flag[64];
        snprintf(flag, sizeof flag, "%s", settings[i].key);
        for (char *p = flag; *p; p++)
            *p = *p == '_' ? '-' : *p;
        fprintf(to, "  --%-22s %-26s %s\n", flag, settings[i].env, settings[i].help);
    }
    fprintf(to, "  --config FILE              JSON file with any of the keys above (with '_')\n"
                "SIGTERM or SIGINT: stop accepting, finish in-flight requests, exit 0.\n");
}

/* Flags are the keys with '-' for '_': --max-body-bytes 100. */
static int load_flags(server_config *c, int argc, char **argv, const char **config_file)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 1;
        }
        if (strncmp(a, "--", 2) != 0 || i + 1 >= argc) {
            fprintf(stderr, "tokd serve: unexpected argument '%s' (flags take a value: --port 8080)\n", a);
            usage(stderr);
            return -1;
        }
        char key[64];
        snprintf(key, sizeof key, "%s", a + 2);
        for (char *p = key; *p; p++)
            *p = *p == '-' ? '_' : *p;
        const char *v = argv[++i];
        if (!strcmp(key, "config")) {
            *config_file = v;
            continue;
        }
        const setting *s = find_key(key);
        if (!s) {
            fprintf(stderr, "tokd serve: unknown flag %s\n", a);
            return -1;
        }
        if (set_value(c, s, v, a) != 0)
            return -1;
    }
    return 0;
}

int config_load(server_config *c, int argc, char **argv)
{
    server_config flags;
    const char *file = NULL;
    defaults(&flags);
    int rc = load_flags(&flags, argc, argv, &file); /* first pass: find --config */
    if (rc != 0)
        return rc;
    defaults(c);
    if ((file && load_file(c, file) != 0) || load_env(c) != 0)
        return -1;
    return load_flags(c, argc, argv, &file);
}

char *config_describe(const server_config *c)
{
    json_t *o = json_object();
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const char *base = (const char *)c + settings[i].offset;
        json_t *v = settings[i].kind == K_STR ? json_string(base)
                    : settings[i].kind == K_BOOL ? json_boolean(*(const long *)base)
                                                 : json_integer(*(const long *)base);
        json_object_set_new(o, settings[i].key, v);
    }
    json_t *tables = json_object();
    for (long i = 0; i < c->n_embeddings; i++) {
        const embed_config *e = &c->embeddings[i];
        json_object_set_new(tables, e->name, json_pack("{s:s, s:s, s:s, s:s}", "file", e->file[0] ? e->file : "(bundled)",
                                                       "tensor", e->tensor, "positional_tensor", e->positional,
                                                       "tokenizer", e->tokenizer));
    }
    json_object_set_new(o, "embeddings", tables);
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
}
