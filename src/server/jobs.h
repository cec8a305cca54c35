/* jobs.h - asynchronous training jobs: queue, runner, records on disk.
 *
 * A libuv loop in its own thread owns the queue; jobs run on libuv's
 * thread pool, at most train_jobs at once. A finished tokenizer is written
 * to a temporary directory inside tokenizer_dir, fsynced, renamed into
 * place (swapped with the old one for overwrite), loaded, and put in the
 * catalog: served from then on without a restart. Every state change is
 * saved to tokenizer_dir/.jobs/ID.json; at startup, records of jobs that
 * were queued or running say "interrupted", temporary directories are
 * removed, and every trained tokenizer is loaded.
 *
 * Ownership: jobs_submit takes over the spec's allocations.
 * Thread-safety: every function may be called from any thread. */
#ifndef TOKD_SERVER_JOBS_H
#define TOKD_SERVER_JOBS_H

#include <jansson.h>
#include <stdint.h>

#include "app.h"

typedef struct jobs jobs;

/* A file a job reads: open (beneath corpus_dir) and its name as given. */
typedef struct train_input {
    int fd;     /* owned */
    char *path; /* owned */
} train_input;

/* What to train; filled by the admin API after validation. A job trains
 * on `text`, on the file `fd`, or on counts: the corpus `files` counted
 * (JSON Lines when jsonl_field is set) plus the counts files `counts`. */
typedef struct train_spec {
    char name[65];
    tokd_train_options o;  /* o.pattern points at `pattern`, specials at `specials` */
    char *pattern;         /* owned */
    char *pattern_name;    /* owned; NULL for a custom regex */
    char **specials;       /* owned */
    char *text;            /* owned inline corpus, or NULL */
    size_t len;
    int fd;                /* open corpus file, or -1 */
    char *path;            /* owned: the corpus path as given, or NULL */
    train_input *files;    /* owned, n_files of them */
    train_input *counts;   /* owned, n_counts of them */
    size_t n_files, n_counts;
    char *jsonl_field;     /* owned, or NULL */
    int overwrite;
} train_spec;

void train_spec_release(train_spec *s);

/* The job a POST /admin/v1/train body asks for, validated in full (admin.c):
 * 0, or -1 with `r` filled with the 4xx error naming the field. Release
 * the spec either way (it starts {.fd = -1}). */
int admin_train_spec(app *a, json_t *body, train_spec *s, reply *r);

/* Start: load trained tokenizers into the catalog, recover records, and
 * run the loop thread. Returns 0, or -1 after printing why. */
int jobs_start(app *a, jobs **out);

/* Cancel running jobs (their records say "interrupted"), stop the loop,
 * free everything. NULL is fine. */
void jobs_stop(jobs *j);

/* Queue a job; on 0 *job is its record (new reference) and the spec is
 * taken over; otherwise the spec is untouched and `msg` says why:
 * TOKD_EFULL (the queue is full), TOKD_EBUSY (a job for the name is queued
 * or running), TOKD_EEXIST / TOKD_ERESERVED (the name is taken) or
 * TOKD_ENOMEM. */
int jobs_submit(jobs *j, train_spec *s, json_t **job, char *msg, size_t size);

/* Every job's record, oldest first (new reference). */
json_t *jobs_list(jobs *j);

/* One job's record (new reference), or NULL. */
json_t *jobs_get(jobs *j, uint64_t id);

/* Cancel a queued or running job and wait (at most a few seconds) until it
 * has stopped; *job is its record afterwards. 0, TOKD_ENOENT, or
 * TOKD_EFINISHED when it had already ended. */
int jobs_cancel(jobs *j, uint64_t id, json_t **job);

#endif
