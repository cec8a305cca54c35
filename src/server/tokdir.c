/* tokdir.c - scanning and watching the shared directory of trained
 * tokenizers (see tokdir.h for the layout).
 *
 * A tokenizer is identified by its name and the SHA-256 its NAME.json
 * records for its rank file: a scan loads a NAME/ when the catalog has no
 * trained tokenizer of that name or one with another hash (a replica
 * retrained it), and leaves it alone otherwise, so a rescan costs one small
 * JSON read per tokenizer. Directories only appear complete (they are
 * renamed into place), so a scan never sees half a tokenizer. A NAME/ that
 * fails to load is remembered with a fingerprint of its files (the
 * watcher's `failed` list): the next scans skip it silently until the
 * fingerprint changes, so a broken file is logged once, not at every
 * rescan. */
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "grow.h"
#include "tokdir.h"

#define STALE_S (24 * 3600)
#define DEBOUNCE_MS 200

static char host[65];
static pthread_once_t host_once = PTHREAD_ONCE_INIT;

static void find_host(void)
{
    char raw[256] = "";
    size_t n = 0;
    gethostname(raw, sizeof raw - 1);
    for (const char *p = raw; *p && n < sizeof host - 1; p++) {
        char c = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        host[n++] = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ? c : '-';
    }
    if (!n)
        host[n++] = 'h';
    host[n] = '\0';
}

const char *tokdir_host(void)
{
    pthread_once(&host_once, find_host);
    return host;
}

void tokdir_remove(const char *path)
{
    DIR *d = opendir(path);
    for (struct dirent *e; d && (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            unlinkat(dirfd(d), e->d_name, 0);
    if (d)
        closedir(d);
    rmdir(path);
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
static int put_in_place(const char *tmp, const char *final, int overwrite, tokd_error *err)
{
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EEXIST || !overwrite)
        return tokd_error_set(err, TOKD_EIO, "cannot publish %s: %s", final,
                              errno == EEXIST ? "it exists and overwrite is false" : strerror(errno));
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_EXCHANGE) != 0)
        return tokd_error_set(err, TOKD_EIO, "cannot replace %s: %s", final, strerror(errno));
    return 0; /* tmp now holds the old tokenizer; the caller removes it */
}

int tokdir_publish(const char *dir, uint64_t job_id, const char *name, const char *pattern_name, int overwrite,
                   const tokd_trained *t, char *final, size_t size, tokd_error *err)
{
    char tmp[1300];
    snprintf(tmp, sizeof tmp, "%s/.tmp-%s-%ld-%llu-%s", dir, tokdir_host(), (long)getpid(),
             (unsigned long long)job_id, name);
    snprintf(final, size, "%s/%s", dir, name);
    if (mkdir(tmp, 0755) != 0)
        return tokd_error_set(err, TOKD_EIO, "cannot create %s: %s", tmp, strerror(errno));
    int rc = tokd_trained_write(t, tmp, name, pattern_name, err);
    if (rc == 0)
        rc = put_in_place(tmp, final, overwrite, err);
    tokdir_remove(tmp);
    sync_dir(dir);
    return rc;
}

/* Is .tmp-HOST-PID-... abandoned: ours from a dead process (or from an
 * earlier life of this PID), or anyone's and older than a day? */
static int abandoned(const char *name, const char *path)
{
    const char *h = tokdir_host();
    size_t hl = strlen(h);
    struct stat st;
    if (stat(path, &st) == 0 && time(NULL) - st.st_mtime > STALE_S)
        return 1;
    if (strncmp(name + 5, h, hl) != 0 || name[5 + hl] != '-')
        return 0;
    long pid = strtol(name + 6 + hl, NULL, 10);
    return pid <= 0 || pid == (long)getpid() || (kill((pid_t)pid, 0) != 0 && errno == ESRCH);
}

/* The rank file SHA-256 NAME/NAME.json records, into `sha`; 0 if none. */
static int recorded_sha(const char *dir, const char *name, char sha[65])
{
    char path[2400];
    snprintf(path, sizeof path, "%s/%s/%s.json", dir, name, name);
    json_error_t je;
    json_t *meta = config_json_file(path, 0, &je);
    const char *s = json_string_value(json_object_get(meta, "sha256"));
    int ok = s && strlen(s) == 64;
    if (ok)
        memcpy(sha, s, 65);
    json_decref(meta);
    return ok;
}

/* Is the catalog's tokenizer `name` already this version (or not ours to
 * replace)? */
static int current(app *a, const char *name, const char *sha)
{
    int has = catalog_has(&a->tokenizers, name);
    if (has != 1)
        return has == 2;
    tokd_tokenizer *t = catalog_get(&a->tokenizers, name);
    int same = t && !strcmp(tokd_tokenizer_sha256(t), sha);
    tokd_tokenizer_unref(t);
    return same;
}

/* A NAME/ that failed to load, and the fingerprint of its files then. */
typedef struct tokdir_failure {
    char name[256];
    uint64_t version;
} tokdir_failure;

struct tokdir_watch {
    app *a;
    char dir[1024];
    uv_fs_event_t event;
    uv_timer_t debounce, rescan;
    int open_handles;
    tokdir_failure *failed;
    size_t n_failed, cap_failed;
};

static uint64_t mix(uint64_t h, uint64_t x)
{
    for (int i = 0; i < 8; i++, x >>= 8)
        h = (h ^ (x & 0xff)) * 0x100000001b3ULL; /* FNV-1a */
    return h;
}

static uint64_t mix_stat(uint64_t h, const struct stat *st)
{
    h = mix(h, (uint64_t)st->st_ino);
    h = mix(h, (uint64_t)st->st_size);
    h = mix(h, (uint64_t)st->st_mtim.tv_sec);
    return mix(h, (uint64_t)st->st_mtim.tv_nsec);
}

/* The fingerprint of directory `path` and the files in it. */
static uint64_t version_of(const char *path, const struct stat *dir_st)
{
    uint64_t h = mix_stat(0xcbf29ce484222325ULL, dir_st);
    DIR *d = opendir(path);
    struct stat st;
    for (struct dirent *e; d && (e = readdir(d));)
        if (e->d_name[0] != '.' && fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
            h = mix_stat(mix(h, (uint64_t)e->d_name[0]), &st);
    if (d)
        closedir(d);
    return h;
}

static tokdir_failure *find_failure(tokdir_watch *w, const char *name)
{
    for (size_t i = 0; i < w->n_failed; i++)
        if (!strcmp(w->failed[i].name, name))
            return &w->failed[i];
    return NULL;
}

/* Remember that `name` failed at `version` (forgotten on a success). */
static void remember_failure(tokdir_watch *w, const char *name, uint64_t version)
{
    tokdir_failure *f = find_failure(w, name);
    if (!f && grow((void **)&w->failed, &w->cap_failed, w->n_failed + 1, sizeof *w->failed) == 0)
        f = &w->failed[w->n_failed++];
    if (f) {
        snprintf(f->name, sizeof f->name, "%s", name);
        f->version = version;
    }
}

static void forget_failure(tokdir_watch *w, const char *name)
{
    tokdir_failure *f = find_failure(w, name);
    if (f)
        *f = w->failed[--w->n_failed];
}

static void load_failed(tokdir_watch *w, const char *name, const char *path, uint64_t version, const char *why)
{
    app_log(json_pack("{s:s, s:o*, s:o*}", "event", "trained_tokenizer_not_loaded", "path",
                      json_safe_string(path, strlen(path)), "error", json_safe_string(why, strlen(why))));
    catalog_failed(&w->a->tokenizers, name, path, why);
    remember_failure(w, name, version);
}

static void load_one(tokdir_watch *w, const char *name, int startup)
{
    app *a = w->a;
    char path[2400], sha[65];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", w->dir, name);
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return;
    uint64_t version = version_of(path, &st);
    const tokdir_failure *f = find_failure(w, name);
    if ((f && f->version == version) || !recorded_sha(w->dir, name, sha) || current(a, name, sha))
        return;
    tokd_tokenizer *t;
    tokd_error err = {0};
    int rc = tokd_tokenizer_load(path, NULL, &t, &err);
    if (rc == 0 && (rc = catalog_add(&a->tokenizers, t, 1, 1)) != 0)
        snprintf(err.text, sizeof err.text, "%s",
                 rc == TOKD_ERESERVED ? "the name is taken by a built-in or configured tokenizer" : tokd_strerror(rc));
    if (rc != 0) {
        load_failed(w, name, path, version, err.text);
        return;
    }
    forget_failure(w, name);
    if (!startup)
        fprintf(stderr, "{\"event\":\"trained_tokenizer_loaded\",\"name\":\"%s\",\"sha256\":\"%s\"}\n", name, sha);
}

void tokdir_scan(tokdir_watch *w, int startup)
{
    DIR *d = opendir(w->dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        char path[2400];
        snprintf(path, sizeof path, "%s/%s", w->dir, e->d_name);
        if (startup && !strncmp(e->d_name, ".tmp-", 5) && abandoned(e->d_name, path)) {
            tokdir_remove(path);
            fprintf(stderr, "{\"event\":\"partial_tokenizer_removed\",\"path\":\"%s\"}\n", path);
        } else if (e->d_name[0] != '.') {
            load_one(w, e->d_name, startup);
        }
    }
    if (d)
        closedir(d);
}

static void on_scan(uv_timer_t *t)
{
    tokdir_scan(t->data, 0);
}

static void on_change(uv_fs_event_t *h, const char *file, int events, int status)
{
    tokdir_watch *w = h->data;
    if (status == 0 && (!file || file[0] != '.'))
        uv_timer_start(&w->debounce, on_scan, DEBOUNCE_MS, 0); /* a rename shows as several events */
}

int tokdir_watch_start(uv_loop_t *loop, app *a, const char *dir, long rescan_s, tokdir_watch **out)
{
    tokdir_watch *w = calloc(1, sizeof *w);
    if (!w)
        return -1;
    w->a = a;
    snprintf(w->dir, sizeof w->dir, "%s", dir);
    w->event.data = w->debounce.data = w->rescan.data = w;
    uv_timer_init(loop, &w->debounce);
    uv_timer_init(loop, &w->rescan);
    w->open_handles = 2;
    if (uv_fs_event_init(loop, &w->event) == 0) {
        w->open_handles++;
        if (uv_fs_event_start(&w->event, on_change, dir, 0) != 0)
            fprintf(stderr, "{\"event\":\"tokenizer_dir_not_watched\",\"path\":\"%s\"}\n", dir);
    }
    if (rescan_s > 0)
        uv_timer_start(&w->rescan, on_scan, (uint64_t)rescan_s * 1000, (uint64_t)rescan_s * 1000);
    *out = w;
    return 0;
}

static void on_closed(uv_handle_t *h)
{
    tokdir_watch *w = h->data;
    if (--w->open_handles == 0) {
        free(w->failed);
        free(w);
    }
}

void tokdir_watch_close(tokdir_watch *w)
{
    if (!w)
        return;
    int fs = w->open_handles == 3;
    uv_close((uv_handle_t *)&w->debounce, on_closed);
    uv_close((uv_handle_t *)&w->rescan, on_closed);
    if (fs)
        uv_close((uv_handle_t *)&w->event, on_closed);
}
