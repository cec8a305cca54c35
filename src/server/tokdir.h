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
 * Publishing (tokdir_publish): DIR/.tmp-HOST-PID-JOB-NAME is filled and
 * fsynced, then renamed to DIR/NAME with RENAME_NOREPLACE, or exchanged
 * with the existing DIR/NAME (RENAME_EXCHANGE) for overwrite, so NAME is
 * always a whole tokenizer: the old one or the new one.
 *
 * A NAME/ that fails to load is logged and listed once per version of its
 * files (inode, size and modification time of the directory and of each
 * file) and retried only when that version changes.
 *
 * Thread-safety: tokdir_publish from any thread; tokdir_scan on the
 * watcher's loop thread (or before the loop runs); the watcher lives on
 * the libuv loop it was started on. */
#ifndef TOKD_SERVER_TOKDIR_H
#define TOKD_SERVER_TOKDIR_H

#include <uv.h>

#include "app.h"

/* This process's HOST part of names: the host name reduced to
 * [a-z0-9.-], at most 64 bytes. Static storage. */
const char *tokdir_host(void);

/* Remove a directory of plain files (a temporary tokenizer). */
void tokdir_remove(const char *path);

/* Write trained tokenizer `t` (borrowed) as DIR/NAME for job `job_id`
 * (replacing an existing NAME only with `overwrite`) and put its path in
 * `final`. 0, or TOKD_EIO / the writer's error with `err` filled. */
int tokdir_publish(const char *dir, uint64_t job_id, const char *name, const char *pattern_name, int overwrite,
                   const tokd_trained *t, char *final, size_t size, tokd_error *err);

typedef struct tokdir_watch tokdir_watch;

/* Serve every tokenizer in the watched directory that the catalog lacks or
 * holds with another SHA-256; with `startup`, also remove abandoned .tmp-*
 * directories (this host's with a dead or our own PID, or anyone's older
 * than a day). */
void tokdir_scan(tokdir_watch *w, int startup);

/* Watch `dir` on `loop` (call on the loop's thread or before it runs):
 * rescan 200 ms after a change, and every `rescan_s` seconds (0: never). */
int tokdir_watch_start(uv_loop_t *loop, app *a, const char *dir, long rescan_s, tokdir_watch **out);

/* Close the watcher's handles (on the loop's thread); it is freed when
 * they are closed. */
void tokdir_watch_close(tokdir_watch *w);

#endif
