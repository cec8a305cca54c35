/* beneath.h - opening a file named relative to a directory without leaving
 * it (training corpora beneath corpus_dir).
 *
 * No symbolic link is followed anywhere in the path and no ".." may climb
 * out, race-free: the kernel resolves the whole path (openat2 with
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), or, on kernels before 5.6, a walk
 * opens one component at a time relative to the last with O_NOFOLLOW. The
 * file is opened O_RDONLY | O_NONBLOCK, so a FIFO cannot block; the caller
 * checks what it got (tokd_file_check) before reading.
 *
 * Thread-safety: safe from any thread. */
#ifndef TOKD_SERVER_BENEATH_H
#define TOKD_SERVER_BENEATH_H

/* Open `rel` beneath the directory `dfd`: a descriptor the caller closes,
 * or -1 with errno set (ELOOP or ENOTDIR for a symbolic link, EXDEV for a
 * path leaving the directory, ENOENT...). */
int beneath_open(int dfd, const char *rel);

/* The walk beneath_open falls back to when openat2 is missing (ENOSYS);
 * callable directly so that it is tested on kernels that have openat2.
 * Refuses every ".." component (EXDEV). */
int beneath_walk(int dfd, const char *rel);

#endif
