/* file.c - the one way libtokd and tokd open a file to read (tokd/file.h).
 *
 * open(O_NONBLOCK) returns at once for a FIFO with no writer (where a
 * blocking open would wait for one) and for devices; fstat then refuses
 * everything but a regular file, and fcntl clears O_NONBLOCK (regular files
 * ignore it anyway, but callers may hand the descriptor to stdio or mmap). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "tokd/file.h"

int tokd_file_check(int fd, const char *name, struct stat *st, tokd_error *err)
{
    struct stat local;
    struct stat *s = st ? st : &local;
    if (fstat(fd, s) != 0 || !S_ISREG(s->st_mode)) {
        close(fd);
        return tokd_error_set(err, TOKD_EIO, "%s is not a regular file", name);
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
        close(fd);
        return tokd_error_set(err, TOKD_EIO, "cannot read %s: %s", name, strerror(errno));
    }
    return fd;
}

int tokd_file_openat(int dirfd, const char *name, int flags, struct stat *st, tokd_error *err)
{
    int fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | flags);
    if (fd < 0)
        return tokd_error_set(err, errno == ENOENT ? TOKD_ENOENT : TOKD_EIO, "cannot open %s: %s", name,
                              strerror(errno));
    return tokd_file_check(fd, name, st, err);
}

int tokd_file_open(const char *path, struct stat *st, tokd_error *err)
{
    return tokd_file_openat(AT_FDCWD, path, 0, st, err);
}
