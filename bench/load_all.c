/* load_all.c - time and memory to load every built-in encoding.
 *
 * Loads all built-in encodings as a server does at start (each ranks file
 * read once, SHA-256 verified, parsed, indexed) and prints the wall time
 * and the peak resident memory of the whole process. */
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

#include "tokd/tokd.h"

int main(void)
{
    struct timespec t0, t1;
    tokd_tokenizer *loaded[16];
    tokd_error err = {0};
    size_t n = 0;
    while (tokd_builtin_encodings()[n])
        n++;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (tokd_tokenizer_load_builtins(NULL, loaded, &err) != 0) {
        fprintf(stderr, "load_all: %s\n", err.text);
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    printf("loaded %zu encodings in %.1f ms, peak RSS %.1f MB\n", n, ms, (double)ru.ru_maxrss / 1024.0);
    for (size_t i = 0; i < n; i++)
        tokd_tokenizer_unref(loaded[i]);
    return 0;
}
