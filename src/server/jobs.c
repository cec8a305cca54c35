/* jobs.c - training jobs: the queue, the libuv loop thread that runs it,
 * and the workers.
 *
 * Life of a job: jobs_submit (an HTTP thread) appends it to the queue and
 * wakes the loop with uv_async_send; the loop thread starts queued jobs on
 * libuv's thread pool while fewer than train_jobs run; the worker trains,
 * publishes (tokdir_publish) and loads; its after-work callback, back on
 * the loop thread, puts the tokenizer in the catalog and starts the next
 * job. One mutex guards every job's fields and the queue; progress
 * counters are atomics the trainer writes without it.
 *
 * Records: every state change builds the job's record under the mutex and
 * writes it (job_records.c: fsync, rename) after releasing it, so no HTTP
 * thread waits for a disk under the lock; records are numbered per job, so
 * an older one never overwrites a newer one.
 *
 * Cancel: a running job's cancel flag is set and the canceller waits on a
 * condition variable the after-work callback signals. Priority: the worker
 * and the counting threads tokd_train starts (which inherit it) train under
 * SCHED_IDLE; each training thread registers itself at its pacing
 * checkpoints, so a cancel (or the job's end) puts every one of them back
 * to SCHED_OTHER: a starved idle thread would not see its cancel for
 * seconds on a busy machine. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "grow.h"
#include "job_records.h"
#include "jobs.h"
#include "tokdir.h"

typedef enum { ST_QUEUED, ST_RUNNING, ST_SUCCEEDED, ST_FAILED, ST_CANCELLED, ST_INTERRUPTED } job_state;
#define CANCEL_WAIT_S 3 /* how long a cancel waits for a running job to stop */
#define MAX_TRAINING_THREADS 72 /* the worker and up to 64 train_threads */

static const char *const state_names[] = {"queued", "running", "succeeded", "failed", "cancelled", "interrupted"};

typedef struct job {
    uint64_t id;
    job_state st;
    const char *phase;  /* NULL while the trainer's own phase applies */
    train_spec spec;
    json_t *options;    /* what was asked, for the record */
    double created, started, finished; /* Unix time; 0 = not yet */
    uint64_t corpus_bytes;
    char error[400];    /* shown in the record (under the lock) */
    char failure[400];  /* the worker's message, copied to error after it */
    int rc;             /* the worker's outcome */
    uint32_t n_vocab, merges;
    double bytes_per_token;
    char sha256[65];
    tokd_train_progress pg;
    tokd_tokenizer *loaded; /* the worker's result, until the catalog takes it */
    json_t *frozen;     /* a record read back from disk: shown as it is */
    struct job *next;   /* in the queue */
    struct jobs *owner;
    uv_work_t work;
    pid_t threads[MAX_TRAINING_THREADS]; /* the threads training it (under the lock) */
    size_t n_threads;
    uint64_t seq;       /* records built (under the lock) */
    uint64_t written;   /* the last record written (job_records' mutex) */
} job;

struct jobs {
    app *a;
    char dir[1024];
    job_records *records;
    tokdir_watch *watch;
    pthread_mutex_t mu;
    pthread_cond_t changed; /* a job ended (signalled in after_work) */
    job **all;
    size_t n, cap;
    job *head, *tail;
    size_t queued, running;
    uint64_t next_id;
    int stopping;
    uv_loop_t loop;
    uv_async_t wake;
    uv_thread_t thread;
};

/* A record built under the lock, to write after it. */
typedef struct pending {
    job *jb;
    uint64_t seq;
    char *text;
} pending;

static void inputs_release(train_input *in, size_t n)
{
    for (size_t i = 0; in && i < n; i++) {
        if (in[i].fd >= 0)
            close(in[i].fd);
        free(in[i].path);
    }
    free(in);
}

void train_spec_release(train_spec *s)
{
    inputs_release(s->files, s->n_files);
    inputs_release(s->counts, s->n_counts);
    free(s->jsonl_field);
    s->files = s->counts = NULL;
    s->n_files = s->n_counts = 0;
    s->jsonl_field = NULL;
    for (size_t i = 0; s->specials && i < s->o.n_special_tokens; i++)
        free(s->specials[i]);
    free(s->specials);
    free(s->pattern);
    free(s->pattern_name);
    free(s->text);
    free(s->path);
    if (s->fd >= 0)
        close(s->fd);
    s->specials = NULL;
    s->pattern = s->pattern_name = s->text = s->path = NULL;
    s->fd = -1;
}

static const char *phase_of(const job *jb)
{
    if (jb->phase)
        return jb->phase;
    int p = atomic_load(&jb->pg.phase);
    return p == TOKD_TRAIN_MERGING ? "merging" : p == TOKD_TRAIN_DONE ? "writing" : "counting";
}

static json_t *progress_json(const job *jb)
{
    size_t bd = atomic_load(&jb->pg.bytes_done), bt = atomic_load(&jb->pg.bytes_total);
    size_t md = atomic_load(&jb->pg.merges_done), mt = atomic_load(&jb->pg.merges_total);
    double f = 0.2 * (bt ? (double)bd / (double)bt : 0.0) + 0.8 * (mt ? (double)md / (double)mt : 0.0);
    if (jb->st == ST_SUCCEEDED)
        f = 1.0;
    return json_pack("{s:f, s:I, s:I, s:I, s:I}", "fraction", f, "bytes_done", (json_int_t)bd, "bytes_total",
                     (json_int_t)bt, "merges_done", (json_int_t)md, "merges_total", (json_int_t)mt);
}

static json_t *result_json(const job *jb)
{
    if (jb->st != ST_SUCCEEDED)
        return json_null();
    return json_pack("{s:s, s:I, s:I, s:s, s:f}", "tokenizer", jb->spec.name, "n_vocab", (json_int_t)jb->n_vocab,
                     "merges", (json_int_t)jb->merges, "sha256", jb->sha256, "bytes_per_token", jb->bytes_per_token);
}

/* The job's record; call with the lock held. */
static json_t *record(const job *jb)
{
    if (jb->frozen)
        return json_deep_copy(jb->frozen);
    const char *phase = jb->st == ST_QUEUED ? "queued" : jb->st == ST_RUNNING ? phase_of(jb) : "done";
    double end = jb->finished > 0 ? jb->finished : job_records_now();
    return json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:I, s:O, s:o, s:o, s:{s:s, s:I}}", "id",
                     (json_int_t)jb->id, "name", jb->spec.name, "state", state_names[jb->st], "phase", phase,
                     "progress", progress_json(jb), "created_at", job_records_time(jb->created), "started_at",
                     job_records_time(jb->started), "finished_at", job_records_time(jb->finished), "duration_s",
                     jb->started > 0 ? json_real(end - jb->started) : json_null(), "corpus_bytes",
                     (json_int_t)jb->corpus_bytes, "options", jb->options, "error",
                     jb->error[0] ? json_string(jb->error) : json_null(), "result", result_json(jb), "owner", "host",
                     tokdir_host(), "pid", (json_int_t)getpid());
}

/* The job's record as it is now, numbered, to save once the lock is
 * released (save); call with the lock held. */
static pending snapshot(job *jb)
{
    json_t *r = record(jb);
    pending p = {jb, ++jb->seq, r ? json_dumps(r, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL};
    json_decref(r);
    return p;
}

/* Write a snapshot to disk; call without the lock. */
static void save(jobs *j, pending *p)
{
    job_records_save(j->records, p->jb->id, p->seq, &p->jb->written, p->text);
    free(p->text);
    p->text = NULL;
}

static void set_phase(jobs *j, job *jb, const char *phase)
{
    pthread_mutex_lock(&j->mu);
    jb->phase = phase;
    pthread_mutex_unlock(&j->mu);
}

/* The corpus as one text: the inline string or the mapped file. */
static int corpus_text(job *jb, tokd_train_text *t, void **map)
{
    *map = NULL;
    if (!jb->spec.path) {
        *t = (tokd_train_text){jb->spec.text, jb->spec.len};
        return 0;
    }
    *map = mmap(NULL, jb->spec.len, PROT_READ, MAP_PRIVATE, jb->spec.fd, 0);
    if (*map == MAP_FAILED) {
        *map = NULL;
        return -1;
    }
    *t = (tokd_train_text){*map, jb->spec.len};
    return 0;
}

/* ---- the training threads' priority ------------------------------------ */

/* Put thread `tid` under SCHED_IDLE or back to SCHED_OTHER, unless it is
 * certainly no longer a thread of this process (a counting thread may have
 * ended and its id be reused). */
static void set_priority(pid_t tid, int idle)
{
    char path[64];
    struct sched_param zero = {0};
    snprintf(path, sizeof path, "/proc/self/task/%ld", (long)tid);
    if (tid == gettid() || access(path, F_OK) == 0 || errno != ENOENT)
        sched_setscheduler(tid, idle ? SCHED_IDLE : SCHED_OTHER, &zero);
}

/* Register the calling thread as training `jb`, at the priority the job
 * has now: idle, or normal once it is cancelled. Call with the lock held. */
static void join_training(job *jb)
{
    pid_t self = gettid();
    for (size_t i = 0; i < jb->n_threads; i++)
        if (jb->threads[i] == self)
            return;
    if (jb->n_threads < MAX_TRAINING_THREADS)
        jb->threads[jb->n_threads++] = self;
    set_priority(self, !atomic_load(&jb->pg.cancel));
}

/* Every registered training thread back to SCHED_OTHER (on cancel and at
 * the job's end: the pool thread serves other work next). Call with the
 * lock held. */
static void restore_priority(job *jb)
{
    for (size_t i = 0; i < jb->n_threads; i++)
        set_priority(jb->threads[i], 0);
}

/* Training's pace, called from every training thread about once a
 * millisecond: the thread registers itself (a counting thread inherits the
 * worker's SCHED_IDLE and must be restored with it), and while requests
 * are in flight it pauses briefly so they keep the CPU and the caches. */
static void pace(void *arg)
{
    job *jb = arg;
    jobs *j = jb->owner;
    pthread_mutex_lock(&j->mu);
    join_training(jb);
    pthread_mutex_unlock(&j->mu);
    if (atomic_load_explicit(&j->a->metrics.in_flight, memory_order_relaxed) > 0) {
        struct timespec pause = {0, 500 * 1000};
        nanosleep(&pause, NULL);
    }
}

/* ---- the worker ---------------------------------------------------------- */

static void keep_result(job *jb, const tokd_trained *t)
{
    tokd_train_stats s;
    tokd_trained_stats(t, &s);
    jb->merges = s.merges;
    jb->bytes_per_token = s.tokens ? (double)s.corpus_bytes / (double)s.tokens : 0.0;
}

/* Train on the inline text or the one mapped corpus file. */
static int train_text(job *jb, tokd_trained **t, tokd_error *err)
{
    tokd_train_text text;
    void *map;
    int rc = corpus_text(jb, &text, &map) == 0
                 ? tokd_train(&jb->spec.o, &text, 1, &jb->pg, t, err)
                 : tokd_error_set(err, TOKD_EIO, "cannot map the corpus: %s", strerror(errno));
    if (map)
        munmap(map, jb->spec.len);
    return rc;
}

/* Add the counts files to c; a failure names the file. */
static int add_counts_files(const train_spec *s, tokd_counts *c, tokd_error *err)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < s->n_counts; i++) {
        tokd_counts *one;
        if ((rc = tokd_counts_read(s->counts[i].path, s->counts[i].fd, &one, err)) == 0) {
            rc = tokd_counts_add(c, one, err);
            tokd_counts_free(one);
        }
    }
    return rc;
}

/* Train on the corpus files counted and the counts files added. */
static int train_counts(job *jb, tokd_trained **t, tokd_error *err)
{
    const train_spec *s = &jb->spec;
    tokd_counts *c = NULL;
    tokd_corpus_file *files = calloc(s->n_files ? s->n_files : 1, sizeof *files);
    tokd_corpus_options co = {.jsonl_field = s->jsonl_field, .threads = s->o.threads};
    int rc = files ? tokd_counts_new(s->pattern, s->pattern_name, &c, err) : tokd_error_set(err, TOKD_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < s->n_files; i++)
        files[i] = (tokd_corpus_file){s->files[i].fd, s->files[i].path};
    if (rc == 0)
        rc = tokd_counts_add_corpus(c, files, s->n_files, &co, &jb->pg, err);
    if (rc == 0)
        rc = add_counts_files(s, c, err);
    if (rc == 0)
        rc = tokd_train_counts(&s->o, c, &jb->pg, t, err);
    tokd_counts_free(c);
    free(files);
    return rc;
}

static int train_and_publish(job *jb, char *final, size_t size, tokd_error *err)
{
    jobs *j = jb->owner;
    tokd_trained *t = NULL;
    int rc = jb->spec.n_files || jb->spec.n_counts ? train_counts(jb, &t, err) : train_text(jb, &t, err);
    if (rc == 0) {
        keep_result(jb, t);
        set_phase(j, jb, "writing");
        rc = tokdir_publish(j->dir, jb->id, jb->spec.name, jb->spec.pattern_name, jb->spec.overwrite, t, final, size,
                            err);
    }
    tokd_trained_free(t);
    return rc;
}

/* On a thread-pool thread: train, publish, load. Training yields to
 * serving: the thread (and the counting threads it starts) runs under
 * SCHED_IDLE, so it only gets CPU time no request wants. */
static void work(uv_work_t *w)
{
    job *jb = w->data;
    jobs *j = jb->owner;
    pthread_mutex_lock(&j->mu);
    join_training(jb);
    pthread_mutex_unlock(&j->mu);
    jb->pg.pace = pace;
    jb->pg.pace_arg = jb;
    tokd_error err = {0};
    char final[1200];
    int rc = train_and_publish(jb, final, sizeof final, &err);
    if (rc == 0) {
        set_phase(j, jb, "loading");
        rc = tokd_tokenizer_load(final, NULL, &jb->loaded, &err);
    }
    jb->rc = rc;
    if (rc != 0)
        snprintf(jb->failure, sizeof jb->failure, "%s", err.text[0] ? err.text : tokd_strerror(rc));
    pthread_mutex_lock(&j->mu);
    restore_priority(jb);
    jb->n_threads = 0;
    pthread_mutex_unlock(&j->mu);
}

/* ---- the queue, on the loop thread -------------------------------------- */

static void schedule(jobs *j);

/* Serve the worker's result and set the job's final state; call with the
 * lock held. */
static void finish(jobs *j, job *jb)
{
    memcpy(jb->error, jb->failure, sizeof jb->error);
    if (jb->rc == 0) {
        jb->n_vocab = tokd_tokenizer_n_vocab(jb->loaded);
        snprintf(jb->sha256, sizeof jb->sha256, "%s", tokd_tokenizer_sha256(jb->loaded));
        if ((jb->rc = catalog_add(&j->a->tokenizers, jb->loaded, 1, 1)) != 0)
            snprintf(jb->error, sizeof jb->error, "tokenizer '%s' is not served: %s", jb->spec.name,
                     tokd_strerror(jb->rc));
        jb->loaded = NULL;
    }
    jb->st = jb->rc == 0                 ? ST_SUCCEEDED
             : jb->rc != TOKD_ECANCELLED ? ST_FAILED
             : j->stopping               ? ST_INTERRUPTED
                                         : ST_CANCELLED;
    if (jb->st == ST_INTERRUPTED)
        snprintf(jb->error, sizeof jb->error, "the server stopped before the job finished");
    jb->finished = job_records_now();
    jb->phase = "done";
    train_spec_release(&jb->spec);
    j->running--;
}

/* Back on the loop thread: serve the result, record the outcome. */
static void after_work(uv_work_t *w, int status)
{
    job *jb = w->data;
    jobs *j = jb->owner;
    pthread_mutex_lock(&j->mu);
    finish(j, jb);
    pending p = snapshot(jb);
    fprintf(stderr, "{\"event\":\"job_%s\",\"job\":%llu,\"name\":\"%s\"}\n", state_names[jb->st],
            (unsigned long long)jb->id, jb->spec.name);
    pthread_cond_broadcast(&j->changed);
    pthread_mutex_unlock(&j->mu);
    save(j, &p);
    schedule(j);
}

/* Start the first queued job if one may run: its record to save, or
 * {NULL}. Call with the lock held. */
static pending start_next(jobs *j)
{
    if (j->stopping || !j->head || j->running >= (size_t)j->a->cfg.train_jobs)
        return (pending){0};
    job *jb = j->head;
    j->head = jb->next;
    j->tail = j->head ? j->tail : NULL;
    j->queued--;
    jb->st = ST_RUNNING;
    jb->started = job_records_now();
    jb->work.data = jb;
    if (uv_queue_work(&j->loop, &jb->work, work, after_work) == 0) {
        j->running++;
        return snapshot(jb);
    }
    jb->st = ST_FAILED;
    jb->finished = job_records_now();
    snprintf(jb->error, sizeof jb->error, "the job could not be started");
    return snapshot(jb);
}

static void schedule(jobs *j)
{
    for (;;) {
        pthread_mutex_lock(&j->mu);
        pending p = start_next(j);
        pthread_mutex_unlock(&j->mu);
        if (!p.jb)
            return;
        save(j, &p);
    }
}

static void on_wake(uv_async_t *h)
{
    jobs *j = h->data;
    pthread_mutex_lock(&j->mu);
    int stopping = j->stopping;
    pthread_mutex_unlock(&j->mu);
    if (stopping) { /* uv_run returns once running work is done */
        tokdir_watch_close(j->watch);
        uv_close((uv_handle_t *)&j->wake, NULL);
    }
    else
        schedule(j);
}

static void loop_main(void *arg)
{
    jobs *j = arg;
    uv_run(&j->loop, UV_RUN_DEFAULT);
}

/* ---- starting and stopping ----------------------------------------------- */

static int add_job(jobs *j, job *jb)
{
    if (grow((void **)&j->all, &j->cap, j->n + 1, sizeof *j->all) != 0)
        return -1;
    j->all[j->n++] = jb;
    if (jb->id >= j->next_id)
        j->next_id = jb->id + 1;
    return 0;
}

/* A record from an earlier run (job_records_recover): shown as it is. */
static void recovered(void *arg, uint64_t id, json_t *r)
{
    jobs *j = arg;
    job *jb = calloc(1, sizeof *jb);
    if (jb) {
        jb->id = id;
        jb->frozen = r;
        jb->spec.fd = -1;
        jb->st = ST_FAILED;
    }
    if (!jb || add_job(j, jb) != 0) {
        json_decref(r);
        free(jb);
    }
}

static int by_id(const void *x, const void *y)
{
    const job *a = *(job *const *)x, *b = *(job *const *)y;
    return (a->id > b->id) - (a->id < b->id);
}

int jobs_start(app *a, jobs **out)
{
    jobs *j = calloc(1, sizeof *j);
    if (!j)
        return -1;
    j->a = a;
    j->next_id = 1;
    snprintf(j->dir, sizeof j->dir, "%s", a->cfg.tokenizer_dir);
    pthread_condattr_t ca;
    int bad = pthread_condattr_init(&ca) || pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) ||
              pthread_cond_init(&j->changed, &ca);
    if (bad || job_records_open(j->dir, &j->records) != 0 || pthread_mutex_init(&j->mu, NULL) != 0) {
        job_records_free(j->records);
        free(j);
        return -1;
    }
    if (uv_loop_init(&j->loop) != 0 || tokdir_watch_start(&j->loop, a, j->dir, a->cfg.rescan_s, &j->watch) != 0) {
        fprintf(stderr, "tokd serve: cannot start the training loop\n");
        return -1;
    }
    tokdir_scan(j->watch, 1);
    job_records_recover(j->records, recovered, j);
    if (j->n)
        qsort(j->all, j->n, sizeof *j->all, by_id);
    char size[24];
    snprintf(size, sizeof size, "%ld", a->cfg.train_jobs < 4 ? 4 : a->cfg.train_jobs);
    setenv("UV_THREADPOOL_SIZE", size, 0); /* read by libuv when its pool first starts */
    if (uv_async_init(&j->loop, &j->wake, on_wake) != 0 || uv_thread_create(&j->thread, loop_main, j) != 0) {
        fprintf(stderr, "tokd serve: cannot start the training loop\n");
        return -1;
    }
    j->wake.data = j;
    *out = j;
    return 0;
}

static void free_job(job *jb)
{
    train_spec_release(&jb->spec);
    json_decref(jb->options);
    json_decref(jb->frozen);
    tokd_tokenizer_unref(jb->loaded);
    free(jb);
}

static void jobs_free(jobs *j)
{
    for (size_t i = 0; i < j->n; i++)
        free_job(j->all[i]);
    free(j->all);
    job_records_free(j->records);
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->changed);
    free(j);
}

/* Cancel what runs and mark what waits as interrupted; returns the records
 * to save (*n of them; caller frees the array). Call with the lock held. */
static pending *stop_all(jobs *j, size_t *n)
{
    pending *p = calloc(j->n ? j->n : 1, sizeof *p);
    *n = 0;
    j->stopping = 1;
    for (size_t i = 0; i < j->n; i++) {
        job *jb = j->all[i];
        if (jb->st == ST_RUNNING) {
            atomic_store(&jb->pg.cancel, 1);
            restore_priority(jb);
        }
        if (jb->st == ST_QUEUED) {
            jb->st = ST_INTERRUPTED;
            jb->finished = job_records_now();
            snprintf(jb->error, sizeof jb->error, "the server stopped before the job started");
            if (p)
                p[(*n)++] = snapshot(jb);
        }
    }
    return p;
}

void jobs_stop(jobs *j)
{
    if (!j)
        return;
    size_t n;
    pthread_mutex_lock(&j->mu);
    pending *p = stop_all(j, &n);
    pthread_mutex_unlock(&j->mu);
    for (size_t i = 0; i < n; i++)
        save(j, &p[i]);
    free(p);
    uv_async_send(&j->wake);
    uv_thread_join(&j->thread);
    uv_loop_close(&j->loop);
    jobs_free(j);
}

/* ---- the API, on HTTP threads ------------------------------------------- */

static json_t *paths_json(const train_input *in, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(in[i].path));
    return a;
}

static json_t *inputs_json(const train_spec *s)
{
    json_t *c = json_pack("{s:o, s:o}", "paths", paths_json(s->files, s->n_files), "counts",
                          paths_json(s->counts, s->n_counts));
    if (c && s->jsonl_field)
        json_object_set_new(c, "jsonl_field", json_string(s->jsonl_field));
    return c;
}

static json_t *options_json(const train_spec *s)
{
    json_t *sp = json_array();
    for (size_t i = 0; i < s->o.n_special_tokens; i++)
        json_array_append_new(sp, json_string(s->specials[i]));
    json_t *corpus = s->path            ? json_pack("{s:s}", "path", s->path)
                     : s->n_files || s->n_counts ? inputs_json(s)
                                                 : json_pack("{s:s}", "text", "(inline)");
    return json_pack("{s:I, s:s, s:s, s:I, s:I, s:o, s:b, s:o}", "vocab_size", (json_int_t)s->o.vocab_size,
                     "pattern", s->pattern_name ? s->pattern_name : "custom", "regex", s->pattern, "min_frequency",
                     (json_int_t)(s->o.min_frequency ? s->o.min_frequency : 2), "max_token_bytes",
                     (json_int_t)s->o.max_token_bytes, "special_tokens", sp, "overwrite", s->overwrite, "corpus",
                     corpus);
}

/* The options as the job's record shows them; min_piece_count only when set. */
static json_t *record_options(const train_spec *s)
{
    json_t *o = options_json(s);
    if (o && s->o.min_piece_count > 1)
        json_object_set_new(o, "min_piece_count", json_integer((json_int_t)s->o.min_piece_count));
    return o;
}

/* Why `name` cannot be trained now, or 0. Call with the lock held. */
static int name_conflict(jobs *j, const train_spec *s, char *msg, size_t size)
{
    for (size_t i = 0; i < j->n; i++)
        if ((j->all[i]->st == ST_QUEUED || j->all[i]->st == ST_RUNNING) && !strcmp(j->all[i]->spec.name, s->name)) {
            snprintf(msg, size, "job %llu is already training '%s'", (unsigned long long)j->all[i]->id, s->name);
            return TOKD_EBUSY;
        }
    int has = catalog_has(&j->a->tokenizers, s->name);
    char path[1200];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", j->dir, s->name);
    if (has == 2) {
        snprintf(msg, size, "'%s' is a built-in or configured tokenizer and cannot be replaced", s->name);
        return TOKD_ERESERVED;
    }
    if ((has || lstat(path, &st) == 0) && !s->overwrite) {
        snprintf(msg, size, "a tokenizer named '%s' exists; send \"overwrite\": true to replace it", s->name);
        return TOKD_EEXIST;
    }
    return 0;
}

/* A new job for `s` in the list, or why not (the lock is held). */
static int admit(jobs *j, const train_spec *s, job **out, char *msg, size_t size)
{
    if (j->queued >= (size_t)j->a->cfg.train_queue + (j->running < (size_t)j->a->cfg.train_jobs)) {
        snprintf(msg, size, "%zu training jobs are waiting already (train_queue); retry later", j->queued);
        return TOKD_EFULL;
    }
    int rc = name_conflict(j, s, msg, size);
    if (rc)
        return rc;
    job *jb = calloc(1, sizeof *jb);
    if (!jb || add_job(j, jb) != 0) {
        free(jb);
        snprintf(msg, size, "out of memory");
        return TOKD_ENOMEM;
    }
    *out = jb;
    return 0;
}

/* Fill the new job from the spec (taken over) and queue it. */
static void enqueue(jobs *j, job *jb, train_spec *s)
{
    jb->id = j->next_id++;
    jb->owner = j;
    jb->spec = *s;
    jb->spec.o.pattern = jb->spec.pattern;
    jb->spec.o.special_tokens = (const char *const *)jb->spec.specials;
    jb->options = record_options(s);
    jb->created = job_records_now();
    jb->corpus_bytes = s->len;
    jb->st = ST_QUEUED;
    if (j->tail)
        j->tail->next = jb;
    else
        j->head = jb;
    j->tail = jb;
    j->queued++;
    memset(s, 0, sizeof *s);
    s->fd = -1;
}

int jobs_submit(jobs *j, train_spec *s, json_t **out, char *msg, size_t size)
{
    job *jb = NULL;
    pthread_mutex_lock(&j->mu);
    int rc = admit(j, s, &jb, msg, size);
    if (rc) {
        pthread_mutex_unlock(&j->mu);
        return rc;
    }
    enqueue(j, jb, s);
    pending p = snapshot(jb);
    *out = record(jb);
    pthread_mutex_unlock(&j->mu);
    save(j, &p); /* on disk before the client hears of the job */
    uv_async_send(&j->wake);
    return 0;
}

json_t *jobs_list(jobs *j)
{
    json_t *list = json_array();
    pthread_mutex_lock(&j->mu);
    for (size_t i = 0; i < j->n; i++)
        json_array_append_new(list, record(j->all[i]));
    pthread_mutex_unlock(&j->mu);
    return list;
}

static job *find(jobs *j, uint64_t id)
{
    for (size_t i = 0; i < j->n; i++)
        if (j->all[i]->id == id)
            return j->all[i];
    return NULL;
}

json_t *jobs_get(jobs *j, uint64_t id)
{
    pthread_mutex_lock(&j->mu);
    job *jb = find(j, id);
    json_t *r = jb ? record(jb) : NULL;
    pthread_mutex_unlock(&j->mu);
    return r;
}

/* Take a queued job out of the queue as cancelled; its record to save.
 * Call with the lock held. */
static pending unqueue(jobs *j, job *jb)
{
    job **p = &j->head;
    while (*p && *p != jb)
        p = &(*p)->next;
    if (*p)
        *p = jb->next;
    j->tail = NULL;
    for (job *q = j->head; q; q = q->next)
        j->tail = q;
    j->queued--;
    jb->st = ST_CANCELLED;
    jb->finished = job_records_now();
    jb->phase = "done";
    train_spec_release(&jb->spec);
    return snapshot(jb);
}

/* Wait (lock held) until a running job has stopped, at most CANCEL_WAIT_S. */
static void wait_stopped(jobs *j, const job *jb)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += CANCEL_WAIT_S;
    while (jb->st == ST_RUNNING && pthread_cond_timedwait(&j->changed, &j->mu, &until) != ETIMEDOUT)
        ;
}

int jobs_cancel(jobs *j, uint64_t id, json_t **out)
{
    pending p = {0};
    pthread_mutex_lock(&j->mu);
    job *jb = find(j, id);
    int rc = !jb ? TOKD_ENOENT : jb->st > ST_RUNNING || jb->frozen ? TOKD_EFINISHED : 0;
    if (rc == 0 && jb->st == ST_QUEUED) {
        p = unqueue(j, jb);
    } else if (rc == 0) {
        atomic_store(&jb->pg.cancel, 1);
        restore_priority(jb);
        wait_stopped(j, jb);
    }
    *out = jb ? record(jb) : NULL;
    pthread_mutex_unlock(&j->mu);
    if (p.jb)
        save(j, &p);
    return rc;
}
