/* beneath.c - race-free opens beneath a directory (see beneath.h).
 *
 * The walk holds a descriptor of the directory reached so far and opens the
 * next component relative to it: intermediate components as O_PATH |
 * O_DIRECTORY | O_NOFOLLOW (a symbolic link fails with ELOOP or ENOTDIR),
 * the last as O_RDONLY | O_NONBLOCK | O_NOFOLLOW. Swapping a directory for
 * a link after a check cannot help: there is no check, only opens. Empty
 * components (a//b, a leading /) stay where they are. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "beneath.h"

#define FILE_FLAGS (O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)

/* Open component `part` of a path beneath `at` (which it does not close). */
static int open_part(int at, const char *part, int last)
{
    if (!part[0])
        return dup(at);
    return openat(at, part, (last ? FILE_FLAGS : O_PATH | O_DIRECTORY) | O_NOFOLLOW | O_CLOEXEC);
}

int beneath_walk(int dfd, const char *rel)
{
    char part[4096];
    int at = dup(dfd);
    for (const char *p = rel; at >= 0;) {
        size_t n = strcspn(p, "/");
        if (n >= sizeof part || (n == 2 && !strncmp(p, "..", 2))) {
            close(at);
            errno = EXDEV;
            return -1;
        }
        memcpy(part, p, n);
        part[n] = '\0';
        int last = !p[n], fd = open_part(at, part, last);
        close(at);
        if (last || fd < 0)
            return fd;
        at = fd;
        p += n + 1;
    }
    return -1;
}

int beneath_open(int dfd, const char *rel)
{
    struct open_how how = {.flags = FILE_FLAGS,
                           .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
    int fd = (int)syscall(SYS_openat2, dfd, rel, &how, sizeof how);
    if (fd >= 0 || errno != ENOSYS)
        return fd;
    return beneath_walk(dfd, rel);
}
