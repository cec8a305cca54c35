/* datadir.c - finding the bundled encodings without installing.
 *
 * Tried in order, first directory holding r50k_base.tiktoken wins:
 * $TOKD_DATA_DIR; next to the executable (<exe>/../data/encodings for a
 * build directory inside the source tree, <exe>/../share/tokd/encodings for
 * an installed prefix); the source tree this binary was built from; the
 * install datadir. Computed once per process. */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tokd/tokenizer.h"

#ifndef TOKD_SOURCE_DATADIR
#define TOKD_SOURCE_DATADIR "data/encodings"
#endif
#ifndef TOKD_INSTALL_DATADIR
#define TOKD_INSTALL_DATADIR "/usr/local/share/tokd/encodings"
#endif

static char found[PATH_MAX];
static pthread_once_t found_once = PTHREAD_ONCE_INIT;

static int has_data(const char *dir)
{
    char probe[PATH_MAX];
    if (snprintf(probe, sizeof probe, "%s/r50k_base.tiktoken", dir) >= (int)sizeof probe)
        return 0;
    return access(probe, R_OK) == 0;
}

static int try_dir(const char *dir)
{
    if (!dir || !*dir || !has_data(dir) || strlen(dir) >= sizeof found)
        return 0;
    memcpy(found, dir, strlen(dir) + 1);
    return 1;
}

static int try_exe_relative(const char *rel)
{
    char exe[PATH_MAX], dir[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return 0;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return 0;
    *slash = '\0';
    if (snprintf(dir, sizeof dir, "%s/%s", exe, rel) >= (int)sizeof dir)
        return 0;
    return try_dir(dir);
}

static void find_data_dir(void)
{
    if (try_dir(getenv("TOKD_DATA_DIR")) || try_exe_relative("../data/encodings") ||
        try_exe_relative("../share/tokd/encodings") || try_dir(TOKD_SOURCE_DATADIR) ||
        try_dir(TOKD_INSTALL_DATADIR))
        return;
    snprintf(found, sizeof found, "%s", TOKD_INSTALL_DATADIR);
}

const char *tokd_default_data_dir(void)
{
    pthread_once(&found_once, find_data_dir);
    return found;
}
