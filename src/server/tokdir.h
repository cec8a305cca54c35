/* tokdir.h - the directory of trained tokenizers, shared by replicas.
 *
 * Layout: NAME/ holds one trained tokenizer (NAME.tiktoken + NAME.json);
 * .tmp-HOST-PID-JOB-NAME/ is a tokenizer being written by process PID on
 * HOST; .jobs/HOST/ holds that host's job records. Several tokd processes
 * (replicas) may share the directory: each serves every NAME/ it finds,
 * loads new or changed ones when the directory changes (libuv fs events)
 * and on a periodic rescan (for file systems without events, such as NFS),
 * and removes only temporary directories that are certainly abandoned.
 *
 * Thread-safety: tokdir_scan from any one thread at a time; the watcher
 * lives on the libuv loop it was started on. */
#ifndef TOKD_SERVER_TOKDIR_H
#define TOKD_SERVER_TOKDIR_H

#include <uv.h>

#include "app.h"

/* This process's HOST part of names: the host name reduced to
 * [a-z0-9.-], at most 64 bytes. Static storage. */
const char *tokdir_host(void);

/* Serve every tokenizer in `dir` that the catalog lacks or holds with
 * another SHA-256; with `startup`, also remove abandoned .tmp-* directories
 * (this host's with a dead or our own PID, or anyone's older than a day). */
void tokdir_scan(app *a, const char *dir, int startup);

/* Remove a directory of plain files (a temporary tokenizer). */
void tokdir_remove(const char *path);

typedef struct tokdir_watch tokdir_watch;

/* Watch `dir` on `loop` (call on the loop's thread or before it runs):
 * rescan 200 ms after a change, and every `rescan_s` seconds (0: never). */
int tokdir_watch_start(uv_loop_t *loop, app *a, const char *dir, long rescan_s, tokdir_watch **out);

/* Close the watcher's handles (on the loop's thread); it is freed when
 * they are closed. */
void tokdir_watch_close(tokdir_watch *w);

#endif
