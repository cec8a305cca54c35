/* job_records.c - training jobs' records on disk (see job_records.h).
 *
 * The store is a directory and one mutex that serializes writes, so the
 * fsync of a record never happens under the jobs' lock: callers build the
 * record's text under their lock and save it after releasing it. Each write
 * goes to a temporary file that is fsynced and renamed over ID.json; a
 * leftover .*.tmp from a crash is removed when the records are read back. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "job_records.h"
#include "tokdir.h"

struct job_records {
    char dir[1200];
    pthread_mutex_t io; /* orders writes and guards every job's `written` */
};

double job_records_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

json_t *job_records_time(double t)
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

static int make_dir(const char *path)
{
    return mkdir(path, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

int job_records_open(const char *tokenizer_dir, job_records **out)
{
    job_records *r = calloc(1, sizeof *r);
    if (!r || pthread_mutex_init(&r->io, NULL) != 0) {
        free(r);
        fprintf(stderr, "tokd serve: out of memory\n");
        return -1;
    }
    snprintf(r->dir, sizeof r->dir, "%s/.jobs", tokenizer_dir);
    int bad = make_dir(tokenizer_dir) != 0 || make_dir(r->dir) != 0;
    snprintf(r->dir, sizeof r->dir, "%s/.jobs/%s", tokenizer_dir, tokdir_host());
    if (bad || make_dir(r->dir) != 0) {
        fprintf(stderr, "tokd serve: tokenizer_dir: cannot create %s: %s\n", r->dir, strerror(errno));
        job_records_free(r);
        return -1;
    }
    *out = r;
    return 0;
}

void job_records_free(job_records *r)
{
    if (!r)
        return;
    pthread_mutex_destroy(&r->io);
    free(r);
}

/* Replace DIR/NAME with `text`, atomically and durably. */
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

static void write_record(job_records *r, uint64_t id, const char *text)
{
    char name[40];
    snprintf(name, sizeof name, "%llu.json", (unsigned long long)id);
    if (!text || write_file(r->dir, name, text) != 0)
        fprintf(stderr, "{\"event\":\"job_record_not_saved\",\"job\":%llu,\"error\":\"%s\"}\n",
                (unsigned long long)id, text ? strerror(errno) : "out of memory");
}

void job_records_save(job_records *r, uint64_t id, uint64_t seq, uint64_t *written, const char *text)
{
    pthread_mutex_lock(&r->io);
    if (seq > *written) {
        write_record(r, id, text);
        *written = seq;
    }
    pthread_mutex_unlock(&r->io);
}

/* Is the process that wrote the record another live tokd on this host?
 * (Replicas on one host share the record directory.) */
static int owner_alive(json_t *rec)
{
    json_t *o = json_object_get(rec, "owner");
    json_int_t pid = json_integer_value(json_object_get(o, "pid"));
    const char *h = json_string_value(json_object_get(o, "host"));
    return h && !strcmp(h, tokdir_host()) && pid > 0 && pid != getpid() && kill((pid_t)pid, 0) == 0;
}

/* A record from an earlier run that shows its job unfinished: the job was
 * cut short; say so on disk. */
static void mark_interrupted(job_records *r, uint64_t id, json_t *rec)
{
    const char *st = json_string_value(json_object_get(rec, "state"));
    if ((strcmp(st, "queued") && strcmp(st, "running")) || owner_alive(rec))
        return;
    json_object_set_new(rec, "state", json_string("interrupted"));
    json_object_set_new(rec, "phase", json_string("done"));
    json_object_set_new(rec, "finished_at", job_records_time(job_records_now()));
    json_object_set_new(rec, "error", json_string("the server stopped before the job finished"));
    char *text = json_dumps(rec, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    write_record(r, id, text);
    free(text);
}

static void recover_one(job_records *r, const char *path, void (*each)(void *, uint64_t, json_t *), void *arg)
{
    json_error_t je;
    json_t *rec = config_json_file(path, 0, &je);
    json_t *id = json_object_get(rec, "id");
    if (!json_is_integer(id) || json_integer_value(id) <= 0 || !json_is_string(json_object_get(rec, "state"))) {
        fprintf(stderr, "{\"event\":\"job_record_skipped\",\"file\":\"%s\"}\n", path);
        json_decref(rec);
        return;
    }
    mark_interrupted(r, (uint64_t)json_integer_value(id), rec);
    each(arg, (uint64_t)json_integer_value(id), rec);
}

void job_records_recover(job_records *r, void (*each)(void *arg, uint64_t id, json_t *record), void *arg)
{
    DIR *d = opendir(r->dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        char path[1400];
        if (e->d_name[0] == '.' && n > 4 && !strcmp(e->d_name + n - 4, ".tmp"))
            unlinkat(dirfd(d), e->d_name, 0);
        else if (e->d_name[0] != '.' && n > 5 && !strcmp(e->d_name + n - 5, ".json") &&
                 snprintf(path, sizeof path, "%s/%s", r->dir, e->d_name) < (int)sizeof path)
            recover_one(r, path, each, arg);
    }
    if (d)
        closedir(d);
}
