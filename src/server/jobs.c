/* jobs.c - training jobs: a libuv loop thread, its queue, the workers, and
 * the records and directories they leave on disk.
 *
 * Life of a job: jobs_submit (an HTTP thread) appends it to the queue and
 * wakes the loop with uv_async_send; the loop thread starts queued jobs on
 * libuv's thread pool while fewer than train_jobs run; the worker trains,
 * publishes and loads; its after-work callback, back on the loop thread,
 * puts the tokenizer in the catalog and starts the next job. One mutex
 * guards every job's fields and the queue; progress counters are atomics
 * the trainer writes without it.
 *
 * Publishing: DIR/.tmp-HOST-PID-ID-NAME is filled and fsynced
 * (tokd_trained_write), then renamed to DIR/NAME with RENAME_NOREPLACE, or
 * exchanged with the existing DIR/NAME (RENAME_EXCHANGE) for overwrite, so
 * NAME is always a whole tokenizer: the old one or the new one. Names
 * starting with '.' are never loaded; abandoned .tmp-* directories are
 * removed at startup (tokdir.c), and other replicas sharing the directory
 * pick the result up through their watchers. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "buf.h"
#include "jobs.h"
#include "tokdir.h"

typedef enum { ST_QUEUED, ST_RUNNING, ST_SUCCEEDED, ST_FAILED, ST_CANCELLED, ST_INTERRUPTED } job_state;
#define CANCEL_WAIT_S 3 /* how long a cancel waits for a running job to stop */

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
    pthread_t worker;   /* the thread running it, while on_worker */
    int on_worker;
} job;

struct jobs {
    app *a;
    char dir[1024], records[1200];
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

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static json_t *when(double t)
{
    if (t <= 0)
        return json_null();
    char s[40];
    time_t secs = (time_t)t;
    struct tm tm;
    gmtime_r(&secs, &tm);
    size_t n = strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(s + n, sizeof s - n, ".%03dZ", (int)((t - (double)secs) * 1000.0));
    return json_string(s);
}

void train_spec_release(train_spec *s)
{
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
    double end = jb->finished > 0 ? jb->finished : now();
    return json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:I, s:O, s:o, s:o, s:{s:s, s:I}}", "id",
                     (json_int_t)jb->id,
                     "name", jb->spec.name, "state", state_names[jb->st], "phase", phase, "progress",
                     progress_json(jb), "created_at", when(jb->created), "started_at", when(jb->started),
                     "finished_at", when(jb->finished), "duration_s",
                     jb->started > 0 ? json_real(end - jb->started) : json_null(), "corpus_bytes",
                     (json_int_t)jb->corpus_bytes, "options", jb->options, "error",
                     jb->error[0] ? json_string(jb->error) : json_null(), "result", result_json(jb), "owner", "host",
                     tokdir_host(), "pid", (json_int_t)getpid());
}

static int write_file(const char *dir, const char *name, const char *text)
{
    char tmp[1300], final[1300];
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
    snprintf(final, sizeof final, "%s/%s", dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    size_t len = strlen(text);
    int ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, final) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* Save the job's record; call with the lock held. A failure is logged:
 * the job itself goes on. */
static void save(jobs *j, const job *jb)
{
    json_t *r = record(jb);
    char *text = r ? json_dumps(r, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    char name[40];
    snprintf(name, sizeof name, "%llu.json", (unsigned long long)jb->id);
    if (!text || write_file(j->records, name, text) != 0)
        fprintf(stderr, "{\"event\":\"job_record_not_saved\",\"job\":%llu,\"error\":\"%s\"}\n",
                (unsigned long long)jb->id, text ? strerror(errno) : "out of memory");
    free(text);
    json_decref(r);
}

static void sync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* Move the written tokenizer from `tmp` to `final`, atomically. */
static int put_in_place(jobs *j, const job *jb, const char *tmp, const char *final, tokd_error *err)
{
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EEXIST || !jb->spec.overwrite)
        return tokd_error_set(err, TOKD_EIO, "cannot publish %s: %s", final,
                              errno == EEXIST ? "it exists and overwrite is false" : strerror(errno));
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_EXCHANGE) != 0)
        return tokd_error_set(err, TOKD_EIO, "cannot replace %s: %s", final, strerror(errno));
    return 0; /* tmp now holds the old tokenizer; the caller removes it */
}

static int publish(jobs *j, const job *jb, const tokd_trained *t, char *final, size_t size, tokd_error *err)
{
    char tmp[1300];
    snprintf(tmp, sizeof tmp, "%s/.tmp-%s-%ld-%llu-%s", j->dir, tokdir_host(), (long)getpid(),
             (unsigned long long)jb->id, jb->spec.name);
    snprintf(final, size, "%s/%s", j->dir, jb->spec.name);
    if (mkdir(tmp, 0755) != 0)
        return tokd_error_set(err, TOKD_EIO, "cannot create %s: %s", tmp, strerror(errno));
    int rc = tokd_trained_write(t, tmp, jb->spec.name, jb->spec.pattern_name, err);
    if (rc == 0)
        rc = put_in_place(j, jb, tmp, final, err);
    tokdir_remove(tmp);
    sync_dir(j->dir);
    return rc;
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

/* Training's pace: while requests are in flight, pause briefly at each
 * checkpoint so they keep the CPU (and the caches) to themselves. */
static void pace(void *arg)
{
    jobs *j = arg;
    if (atomic_load_explicit(&j->a->metrics.in_flight, memory_order_relaxed) > 0) {
        struct timespec pause = {0, 500 * 1000};
        nanosleep(&pause, NULL);
    }
}

static void keep_result(job *jb, const tokd_trained *t)
{
    tokd_train_stats s;
    tokd_trained_stats(t, &s);
    jb->merges = s.merges;
    jb->bytes_per_token = s.tokens ? (double)s.corpus_bytes / (double)s.tokens : 0.0;
}

/* On a thread-pool thread: train, publish, load. Training yields to
 * serving: the thread (and the counting threads it starts, which inherit
 * it) runs under SCHED_IDLE, so it only gets CPU time no request wants. */
/* The worker thread's scheduling while it trains: SCHED_IDLE, or back to
 * SCHED_OTHER after the job (the pool thread serves other work next) and on
 * cancel (an idle thread on a busy machine would not get the CPU to see its
 * cancel for seconds). Call with the lock held. */
static void set_worker(job *jb, int idle, int on)
{
    struct sched_param zero = {0};
    if (on) {
        jb->worker = pthread_self();
        jb->on_worker = 1;
    }
    if (jb->on_worker)
        pthread_setschedparam(jb->worker, idle ? SCHED_IDLE : SCHED_OTHER, &zero);
    if (!on && !idle)
        jb->on_worker = 0;
}

static void work(uv_work_t *w)
{
    job *jb = w->data;
    jobs *j = jb->owner;
    pthread_mutex_lock(&j->mu);
    set_worker(jb, !atomic_load(&jb->pg.cancel), 1);
    pthread_mutex_unlock(&j->mu);
    jb->pg.pace = pace;
    jb->pg.pace_arg = j;
    tokd_error err = {0};
    tokd_train_text text;
    void *map;
    tokd_trained *t = NULL;
    char final[1200];
    int rc = corpus_text(jb, &text, &map) == 0 ? tokd_train(&jb->spec.o, &text, 1, &jb->pg, &t, &err)
                                                 : tokd_error_set(&err, TOKD_EIO, "cannot map the corpus: %s",
                                                                  strerror(errno));
    if (map)
        munmap(map, jb->spec.len);
    if (rc == 0) {
        keep_result(jb, t);
        set_phase(j, jb, "writing");
        rc = publish(j, jb, t, final, sizeof final, &err);
    }
    tokd_trained_free(t);
    if (rc == 0) {
        set_phase(j, jb, "loading");
        rc = tokd_tokenizer_load(final, NULL, &jb->loaded, &err);
    }
    jb->rc = rc;
    if (rc != 0)
        snprintf(jb->failure, sizeof jb->failure, "%s", err.text[0] ? err.text : tokd_strerror(rc));
    pthread_mutex_lock(&j->mu);
    set_worker(jb, 0, 0);
    pthread_mutex_unlock(&j->mu);
}

static void schedule(jobs *j);

/* Back on the loop thread: serve the result, record the outcome. */
static void after_work(uv_work_t *w, int status)
{
    job *jb = w->data;
    jobs *j = jb->owner;
    pthread_mutex_lock(&j->mu);
    memcpy(jb->error, jb->failure, sizeof jb->error);
    if (jb->rc == 0) {
        jb->n_vocab = tokd_tokenizer_n_vocab(jb->loaded);
        snprintf(jb->sha256, sizeof jb->sha256, "%s", tokd_tokenizer_sha256(jb->loaded));
        if ((jb->rc = catalog_add(&j->a->tokenizers, jb->loaded, 1, 1)) != 0)
            snprintf(jb->error, sizeof jb->error, "tokenizer '%s' is not served: %s", jb->spec.name,
                     tokd_strerror(jb->rc));
        jb->loaded = NULL;
    }
    jb->st = jb->rc == 0                         ? ST_SUCCEEDED
             : jb->rc != TOKD_ECANCELLED         ? ST_FAILED
             : j->stopping                       ? ST_INTERRUPTED
                                                 : ST_CANCELLED;
    if (jb->st == ST_INTERRUPTED)
        snprintf(jb->error, sizeof jb->error, "the server stopped before the job finished");
    jb->finished = now();
    jb->phase = "done";
    train_spec_release(&jb->spec);
    save(j, jb);
    j->running--;
    fprintf(stderr, "{\"event\":\"job_%s\",\"job\":%llu,\"name\":\"%s\"}\n", state_names[jb->st],
            (unsigned long long)jb->id, jb->spec.name);
    pthread_cond_broadcast(&j->changed);
    pthread_mutex_unlock(&j->mu);
    schedule(j);
}

static void schedule(jobs *j)
{
    pthread_mutex_lock(&j->mu);
    while (!j->stopping && j->head && j->running < (size_t)j->a->cfg.train_jobs) {
        job *jb = j->head;
        j->head = jb->next;
        j->tail = j->head ? j->tail : NULL;
        j->queued--;
        jb->st = ST_RUNNING;
        jb->started = now();
        save(j, jb);
        jb->work.data = jb;
        if (uv_queue_work(&j->loop, &jb->work, work, after_work) == 0) {
            j->running++;
            continue;
        }
        jb->st = ST_FAILED;
        jb->finished = now();
        snprintf(jb->error, sizeof jb->error, "the job could not be started");
        save(j, jb);
    }
    pthread_mutex_unlock(&j->mu);
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

static int add_job(jobs *j, job *jb)
{
    if (tokd__reserve((void **)&j->all, &j->cap, j->n + 1, sizeof *j->all) != 0)
        return -1;
    j->all[j->n++] = jb;
    if (jb->id >= j->next_id)
        j->next_id = jb->id + 1;
    return 0;
}

/* Is the process that wrote the record another live tokd on this host?
 * (Replicas on one host share the record directory.) */
static int owner_alive(json_t *r)
{
    json_t *o = json_object_get(r, "owner");
    json_int_t pid = json_integer_value(json_object_get(o, "pid"));
    const char *h = json_string_value(json_object_get(o, "host"));
    return h && !strcmp(h, tokdir_host()) && pid > 0 && pid != getpid() && kill((pid_t)pid, 0) == 0;
}

/* A record from an earlier run; a job it shows unfinished was cut short. */
static void recover_record(jobs *j, const char *path)
{
    json_error_t je;
    json_t *r = config_json_file(path, 0, &je);
    json_t *id = json_object_get(r, "id"), *st = json_object_get(r, "state");
    job *jb = r && json_is_integer(id) && json_integer_value(id) > 0 && json_is_string(st) ? calloc(1, sizeof *jb)
                                                                                            : NULL;
    if (!jb) {
        fprintf(stderr, "{\"event\":\"job_record_skipped\",\"file\":\"%s\"}\n", path);
        json_decref(r);
        return;
    }
    jb->id = (uint64_t)json_integer_value(id);
    jb->frozen = r;
    jb->spec.fd = -1;
    jb->st = ST_FAILED;
    if ((!strcmp(json_string_value(st), "queued") || !strcmp(json_string_value(st), "running")) && !owner_alive(r)) {
        json_object_set_new(r, "state", json_string("interrupted"));
        json_object_set_new(r, "phase", json_string("done"));
        json_object_set_new(r, "finished_at", when(now()));
        json_object_set_new(r, "error", json_string("the server stopped before the job finished"));
        save(j, jb);
    }
    if (add_job(j, jb) != 0) {
        json_decref(r);
        free(jb);
    }
}

static int by_id(const void *x, const void *y)
{
    const job *a = *(job *const *)x, *b = *(job *const *)y;
    return (a->id > b->id) - (a->id < b->id);
}

static void recover_records(jobs *j)
{
    DIR *d = opendir(j->records);
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        char path[1400];
        if (e->d_name[0] == '.' && n > 4 && !strcmp(e->d_name + n - 4, ".tmp"))
            unlinkat(dirfd(d), e->d_name, 0);
        else if (e->d_name[0] != '.' && n > 5 && !strcmp(e->d_name + n - 5, ".json") &&
                 snprintf(path, sizeof path, "%s/%s", j->records, e->d_name) < (int)sizeof path)
            recover_record(j, path);
    }
    if (d)
        closedir(d);
    if (j->n)
        qsort(j->all, j->n, sizeof *j->all, by_id);
}

static int open_dirs(jobs *j)
{
    snprintf(j->dir, sizeof j->dir, "%s", j->a->cfg.tokenizer_dir);
    snprintf(j->records, sizeof j->records, "%s/.jobs", j->dir);
    int bad = (mkdir(j->dir, 0755) != 0 && errno != EEXIST) || (mkdir(j->records, 0755) != 0 && errno != EEXIST);
    snprintf(j->records, sizeof j->records, "%s/.jobs/%s", j->dir, tokdir_host());
    if (bad || (mkdir(j->records, 0755) != 0 && errno != EEXIST)) {
        fprintf(stderr, "tokd serve: tokenizer_dir: cannot create %s: %s\n", j->records, strerror(errno));
        return -1;
    }
    return 0;
}

int jobs_start(app *a, jobs **out)
{
    jobs *j = calloc(1, sizeof *j);
    if (!j)
        return -1;
    j->a = a;
    j->next_id = 1;
    pthread_condattr_t ca;
    int bad = pthread_condattr_init(&ca) || pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) ||
              pthread_cond_init(&j->changed, &ca);
    if (bad || open_dirs(j) != 0 || pthread_mutex_init(&j->mu, NULL) != 0) {
        free(j);
        return -1;
    }
    tokdir_scan(a, j->dir, 1);
    recover_records(j);
    char size[24];
    snprintf(size, sizeof size, "%ld", a->cfg.train_jobs < 4 ? 4 : a->cfg.train_jobs);
    setenv("UV_THREADPOOL_SIZE", size, 0); /* read by libuv when its pool first starts */
    if (uv_loop_init(&j->loop) != 0 || uv_async_init(&j->loop, &j->wake, on_wake) != 0 ||
        tokdir_watch_start(&j->loop, a, j->dir, a->cfg.rescan_s, &j->watch) != 0 ||
        uv_thread_create(&j->thread, loop_main, j) != 0) {
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

void jobs_stop(jobs *j)
{
    if (!j)
        return;
    pthread_mutex_lock(&j->mu);
    j->stopping = 1;
    for (size_t i = 0; i < j->n; i++) {
        job *jb = j->all[i];
        if (jb->st == ST_RUNNING)
            atomic_store(&jb->pg.cancel, 1);
        if (jb->st == ST_QUEUED) {
            jb->st = ST_INTERRUPTED;
            jb->finished = now();
            snprintf(jb->error, sizeof jb->error, "the server stopped before the job started");
            save(j, jb);
        }
    }
    pthread_mutex_unlock(&j->mu);
    uv_async_send(&j->wake);
    uv_thread_join(&j->thread);
    uv_loop_close(&j->loop);
    for (size_t i = 0; i < j->n; i++)
        free_job(j->all[i]);
    free(j->all);
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->changed);
    free(j);
}

static json_t *options_json(const train_spec *s)
{
    json_t *sp = json_array();
    for (size_t i = 0; i < s->o.n_special_tokens; i++)
        json_array_append_new(sp, json_string(s->specials[i]));
    json_t *corpus = s->path ? json_pack("{s:s}", "path", s->path) : json_pack("{s:s}", "text", "(inline)");
    return json_pack("{s:I, s:s, s:s, s:I, s:I, s:o, s:b, s:o}", "vocab_size", (json_int_t)s->o.vocab_size,
                     "pattern", s->pattern_name ? s->pattern_name : "custom", "regex", s->pattern, "min_frequency",
                     (json_int_t)(s->o.min_frequency ? s->o.min_frequency : 2), "max_token_bytes",
                     (json_int_t)s->o.max_token_bytes, "special_tokens", sp, "overwrite", s->overwrite, "corpus",
                     corpus);
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

int jobs_submit(jobs *j, train_spec *s, json_t **out, char *msg, size_t size)
{
    pthread_mutex_lock(&j->mu);
    int rc = j->queued >= (size_t)j->a->cfg.train_queue + (j->running < (size_t)j->a->cfg.train_jobs) ? TOKD_EFULL
                                                                                                       : 0;
    if (rc)
        snprintf(msg, size, "%zu training jobs are waiting already (train_queue); retry later", j->queued);
    job *jb = rc ? NULL : calloc(1, sizeof *jb);
    if (!rc && (rc = name_conflict(j, s, msg, size)) == 0 && (!jb || add_job(j, jb) != 0)) {
        snprintf(msg, size, "out of memory");
        rc = TOKD_ENOMEM;
    }
    if (rc) {
        pthread_mutex_unlock(&j->mu);
        free(jb);
        return rc;
    }
    jb->id = j->next_id++;
    jb->owner = j;
    jb->spec = *s;
    jb->spec.o.pattern = jb->spec.pattern;
    jb->spec.o.special_tokens = (const char *const *)jb->spec.specials;
    jb->options = options_json(s);
    jb->created = now();
    jb->corpus_bytes = s->len;
    jb->st = ST_QUEUED;
    if (j->tail)
        j->tail->next = jb;
    else
        j->head = jb;
    j->tail = jb;
    j->queued++;
    save(j, jb);
    *out = record(jb);
    memset(s, 0, sizeof *s);
    s->fd = -1;
    pthread_mutex_unlock(&j->mu);
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

static void unqueue(jobs *j, job *jb)
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
    jb->finished = now();
    jb->phase = "done";
    train_spec_release(&jb->spec);
    save(j, jb);
}

int jobs_cancel(jobs *j, uint64_t id, json_t **out)
{
    pthread_mutex_lock(&j->mu);
    job *jb = find(j, id);
    int rc = !jb ? TOKD_ENOENT : jb->st > ST_RUNNING || jb->frozen ? TOKD_EFINISHED : 0;
    if (rc == 0 && jb->st == ST_QUEUED) {
        unqueue(j, jb);
    } else if (rc == 0) {
        atomic_store(&jb->pg.cancel, 1);
        set_worker(jb, 0, 0);
    }
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += CANCEL_WAIT_S;
    while (rc == 0 && jb->st == ST_RUNNING && pthread_cond_timedwait(&j->changed, &j->mu, &until) != ETIMEDOUT)
        ;
    *out = jb ? record(jb) : NULL;
    pthread_mutex_unlock(&j->mu);
    return rc;
}
