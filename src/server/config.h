/* config.h - tokd serve's configuration: defaults, file, environment, flags.
 *
 * One table describes every setting (its JSON key, environment variable,
 * flag, type and bounds), so the three sources cannot drift apart. Later
 * sources win: defaults < --config FILE (or config/tokd.json) < TOKD_*
 * environment < flags.
 *
 * Thread-safety: filled once at startup, read-only afterwards. */
#ifndef TOKD_SERVER_CONFIG_H
#define TOKD_SERVER_CONFIG_H

#include <jansson.h>
#include <stddef.h>

#define CONFIG_MAX_EMBEDDINGS 16

/* One embedding table: "embeddings": {"NAME": {"file", "tensor",
 * "positional_tensor", "tokenizer"}} in the configuration file. An empty
 * `file` is the bundled table. */
typedef struct embed_config {
    char name[65];
    char file[1024];
    char tensor[256];
    char positional[256]; /* "" = none */
    char tokenizer[128];
} embed_config;

typedef struct server_config {
    char listen[64];       /* address to bind, IPv4 or IPv6 literal */
    long port;             /* 0 picks a free port (printed at start) */
    long threads;          /* worker threads (0 = number of CPU cores) */
    long text_threads;     /* threads for one large text, helpers shared by all requests (0 = cores) */
    long max_body_bytes;   /* larger request bodies get 413 */
    long max_batch;        /* most texts / id lists / tokenizers per request */
    long max_decode_ids;   /* most ids in one decode request, in total */
    long max_connections;  /* concurrent connections */
    long max_connections_per_ip; /* concurrent connections from one address */
    long max_waiting;      /* requests that may wait for a worker, else 429 */
    long max_request_ms;   /* work budget of one request (wall clock) */
    long max_answer_tokens; /* token ids in one answer (encode, windows) */
    long max_token_details; /* tokens with return_tokens / return_offsets */
    long max_work_bytes;   /* text bytes x tokenizers x passes one request may tokenize */
    long max_answer_bytes; /* decoded text bytes in one answer */
    long max_embed_values; /* rows x dimensions in one embeddings answer */
    long connection_timeout_s; /* idle or slow connections are closed */
    long shutdown_grace_s; /* how long in-flight requests may finish */
    long log_requests;     /* one JSON line per request on stderr (0/1) */
    char data_dir[1024];   /* bundled encodings ("" = auto) */
    char models_file[1024]; /* model registry ("" = auto) */
    char tokenizers[4096];  /* more tokenizers: "name=path,name=path" */
    char tokenizer_dir[1024]; /* trained tokenizers and job records ("" = no training) */
    char corpus_dir[1024];    /* where training corpora named by path live ("" = inline only) */
    char admin_token_file[1024]; /* file holding the admin token (else TOKD_ADMIN_TOKEN) */
    long train_jobs;       /* training jobs running at once */
    long train_queue;      /* jobs waiting at most, else 429 */
    long train_threads;    /* threads of one job's counting phase */
    long max_train_bytes;  /* largest training corpus */
    long max_embed_tokens; /* most ids in one embeddings request */
    long rescan_s;         /* rescan tokenizer_dir this often (0: only on change events) */
    char default_model[128]; /* model or tokenizer for requests that name none (TEI, vLLM, llama.cpp) */
    char chat_templates[4096]; /* more chat templates: "name=path,name=path" */
    long allow_request_templates; /* render a request's own "chat_template" (0/1) */
    embed_config embeddings[CONFIG_MAX_EMBEDDINGS]; /* only from the file */
    long n_embeddings;
} server_config;

/* Defaults, then FILE if given (an unknown key or a wrong type is an error
 * naming it), then the environment, then argv flags. Returns 0, or -1 after
 * printing what is wrong to stderr; 1 when --help was printed. */
int config_load(server_config *c, int argc, char **argv);

/* Parse the JSON file at `path`, opened with tokd_file_open (so a FIFO or
 * device there fails at once instead of blocking). New reference, or NULL
 * with je->text saying why (je->line -1 when it could not be read). */
json_t *config_json_file(const char *path, size_t flags, json_error_t *je);

/* The configuration as JSON text (for logs); caller frees. */
char *config_describe(const server_config *c);

#endif
