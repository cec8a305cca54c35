/* quicktok_bench.c - the peer's side of bench/quicktok.sh: single-thread
 * encode throughput of quicktok (github.com/dmatth1/quicktok, built from a
 * source tree outside this project and linked through its C ABI,
 * quicktok.h), measured the way `tokd bench` measures tokd: each file is
 * encoded whole until at least 0.5 s and 3 runs have passed, and the best
 * run is reported.
 *
 * Usage: quicktok_bench DATA_DIR ENCODING FILE...
 *        quicktok_bench --ids DATA_DIR ENCODING FILE
 * The first prints "file bytes tokens MB/s ms" per file; --ids prints the
 * ids as one JSON array on one line, as `tokd encode` does, so the script
 * can check that both encoders agree before it compares their speed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <quicktok.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The whole file at path in a malloc'd buffer the caller frees, or NULL. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0;
    *len = 0;
    if (!f)
        return NULL;
    for (;;) {
        if (*len == cap) {
            char *more = realloc(buf, cap = cap ? 2 * cap : 1 << 20);
            if (!more)
                break;
            buf = more;
        }
        size_t got = fread(buf + *len, 1, cap - *len, f);
        *len += got;
        if (got == 0)
            break;
    }
    fclose(f);
    return buf;
}

/* Best seconds per encode of text; *tokens gets the id count. */
static int best_time(const qt_tokenizer *t, const char *text, size_t len, double *best, size_t *tokens)
{
    double start = now(), min = 1e30;
    for (int runs = 0; runs < 3 || now() - start < 0.5; runs++) {
        uint32_t *ids;
        double t0 = now();
        if (qt_encode(t, text, len, &ids, tokens) != 0)
            return -1;
        double dt = now() - t0;
        qt_ids_free(ids);
        min = dt < min ? dt : min;
    }
    *best = min;
    return 0;
}

static int bench_file(const qt_tokenizer *t, const char *path)
{
    size_t len, tokens = 0;
    double best;
    char *text = slurp(path, &len);
    if (!text || best_time(t, text, len, &best, &tokens) != 0) {
        fprintf(stderr, "quicktok_bench: cannot encode %s\n", path);
        free(text);
        return 1;
    }
    printf("%s %zu %zu %.2f %.3f\n", path, len, tokens, (double)len / 1e6 / best, best * 1e3);
    free(text);
    return 0;
}

static int print_ids(const qt_tokenizer *t, const char *path)
{
    size_t len, n;
    uint32_t *ids;
    char *text = slurp(path, &len);
    if (!text || qt_encode(t, text, len, &ids, &n) != 0) {
        fprintf(stderr, "quicktok_bench: cannot encode %s\n", path);
        free(text);
        return 1;
    }
    putchar('[');
    for (size_t i = 0; i < n; i++)
        printf(i ? ", %u" : "%u", ids[i]);
    puts("]");
    qt_ids_free(ids);
    free(text);
    return 0;
}

int main(int argc, char **argv)
{
    int ids = argc > 1 && strcmp(argv[1], "--ids") == 0;
    if (argc < 4 + ids) {
        fprintf(stderr, "usage: quicktok_bench [--ids] DATA_DIR ENCODING FILE...\n");
        return 2;
    }
    char msg[256];
    qt_tokenizer *t = qt_load_dir(argv[1 + ids], argv[2 + ids], msg, sizeof msg);
    if (!t) {
        fprintf(stderr, "quicktok_bench: %s\n", msg);
        return 1;
    }
    int rc = 0;
    for (int i = 3 + ids; i < argc && rc == 0; i++)
        rc = ids ? print_ids(t, argv[i]) : bench_file(t, argv[i]);
    qt_tokenizer_free(t);
    return rc;
}
