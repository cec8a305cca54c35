/* similar.c - time one similarity search over a whole embedding table.
 *
 * bench_similar FILE.safetensors [TENSOR]: opens the table (wte.weight by
 * default), looks up row 1917 and times tokd_embedding_similar (k = 10)
 * over every row, five times after one warm-up run (which faults the
 * mapping in); prints each run and the best. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tokd/tokd.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    tokd_embedding *e;
    tokd_error err = {0};
    if (argc < 2 || tokd_embedding_open(argv[1], argc > 2 ? argv[2] : "wte.weight", NULL, NULL, &e, &err) != 0) {
        fprintf(stderr, "usage: bench_similar FILE.safetensors [TENSOR]%s%s\n", err.text[0] ? ": " : "", err.text);
        return 2;
    }
    size_t dim = tokd_embedding_dim(e), rows = tokd_embedding_rows(e), n;
    float *q = malloc(dim * sizeof *q);
    tokd_neighbor best[10];
    double min = 1e30;
    tokd_embedding_lookup(e, 1917, -1, q);
    for (int run = 0; run < 6; run++) {
        double t0 = now();
        tokd_embedding_similar(e, q, rows, 10, 1917, NULL, NULL, best, &n);
        double ms = (now() - t0) * 1e3;
        if (run > 0) {
            printf("run %d: %.1f ms\n", run, ms);
            min = ms < min ? ms : min;
        }
    }
    printf("%zu x %zu %s: best %.1f ms, nearest id %u (%.4f)\n", rows, dim, tokd_embedding_dtype(e), min,
           best[0].id, (double)best[0].score);
    free(q);
    tokd_embedding_free(e);
    return 0;
}
