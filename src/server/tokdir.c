/* tokdir.c - scanning and watching the shared directory of trained
 * tokenizers (see tokdir.h for the layout).
 *
 * A tokenizer is identified by its name and the SHA-256 its NAME.json
 * records for its rank file: a scan loads a NAME/ when the catalog has no
 * trained tokenizer of that name or one with another hash (a replica
 * retrained it), and leaves it alone otherwise, so a rescan costs one small
 * JSON read per tokenizer. Directories only appear complete (they are
 * renamed into place), so a scan never sees half a tokenizer. */
#include <dirent.h>
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

static void load_one(app *a, const char *dir, const char *name, int startup)
{
    char path[2400], sha[65];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode) || !recorded_sha(dir, name, sha) || current(a, name, sha))
        return;
    tokd_tokenizer *t;
    tokd_error err = {0};
    int rc = tokd_tokenizer_load(path, NULL, &t, &err);
    if (rc == 0 && (rc = catalog_add(&a->tokenizers, t, 1, 1)) != 0)
        snprintf(err.text, sizeof err.text, "%s",
                 rc == TOKD_ERESERVED ? "the name is taken by a built-in or configured tokenizer" : tokd_strerror(rc));
    if (rc != 0) {
        app_log(json_pack("{s:s, s:o*, s:o*}", "event", "trained_tokenizer_not_loaded", "path",
                          json_safe_string(path, strlen(path)), "error", json_safe_string(err.text, strlen(err.text))));
        catalog_failed(&a->tokenizers, name, path, err.text);
    } else if (!startup)
        fprintf(stderr, "{\"event\":\"trained_tokenizer_loaded\",\"name\":\"%s\",\"sha256\":\"%s\"}\n", name, sha);
}

void tokdir_scan(app *a, const char *dir, int startup)
{
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        char path[2400];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (startup && !strncmp(e->d_name, ".tmp-", 5) && abandoned(e->d_name, path)) {
            tokdir_remove(path);
            fprintf(stderr, "{\"event\":\"partial_tokenizer_removed\",\"path\":\"%s\"}\n", path);
        } else if (e->d_name[0] != '.') {
            load_one(a, dir, e->d_name, startup);
        }
    }
    if (d)
        closedir(d);
}

struct tokdir_watch {
    app *a;
    char dir[1024];
    uv_fs_event_t event;
    uv_timer_t debounce, rescan;
    int open_handles;
};

static void on_scan(uv_timer_t *t)
{
    tokdir_watch *w = t->data;
    tokdir_scan(w->a, w->dir, 0);
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
    if (--w->open_handles == 0)
        free(w);
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
