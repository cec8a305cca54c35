/* tokd/file.h - opening the files tokd reads (tokenizers, corpora,
 * configuration, embedding tables) so that none can block.
 *
 * A FIFO, device or socket put where a file is expected would block open()
 * or read() forever (and with it a worker and the shutdown). The file is
 * therefore opened O_NONBLOCK, checked with fstat to be a regular file
 * before a byte is read, and only then switched back to blocking reads.
 *
 * Thread-safety: safe from any thread. */
#ifndef TOKD_FILE_H
#define TOKD_FILE_H

#include <sys/stat.h>

#include "tokd/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Open `path` read-only (close-on-exec) if it is a regular file. Returns
 * the descriptor (the caller closes it) with its stat in *st (may be
 * NULL), or a negative TOKD_ENOENT (no such file) or TOKD_EIO (cannot
 * open, or not a regular file), with err naming the path and the cause. */
int tokd_file_open(const char *path, struct stat *st, tokd_error *err);

/* The same for `name` relative to the directory `dirfd`, with extra
 * open(2) flags (e.g. O_NOFOLLOW). */
int tokd_file_openat(int dirfd, const char *name, int flags, struct stat *st, tokd_error *err);

/* Finish opening a descriptor that was opened O_RDONLY | O_NONBLOCK by
 * other means (openat2): check it is a regular file (stat in *st, may be
 * NULL) and clear O_NONBLOCK. Returns fd, or a negative TOKD_EIO after
 * closing it; `name` is for the message. */
int tokd_file_check(int fd, const char *name, struct stat *st, tokd_error *err);

#ifdef __cplusplus
}
#endif

#endif
