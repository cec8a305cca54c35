/* cmd_bench.c - tokd bench: single-thread throughput of encode and count
 * (and with -j N, on N threads against one).
 *
 * Each measurement repeats the operation on the whole file until at least
 * 0.5 s and 3 runs have passed and reports the best run (the least
 * disturbed by the machine), as MB/s (10^6 bytes) and tokens/s. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "cli.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Best seconds per run of encode (count_only = 0) or count on `threads`. */
static int best_time(const tokd_tokenizer *tok, const tokd_specials *sp, const char *text, size_t len,
                     int count_only, unsigned threads, double *best, size_t *tokens)
{
    tokd_limits lim = {.max_threads = threads};
    double start = now(), min = 1e30;
    for (int runs = 0; runs < 3 || now() - start < 0.5; runs++) {
        tokd_ids ids = {0};
        tokd_error err = {0};
        double t0 = now();
        int rc = count_only ? tokd_count_bounded(tok, text, len, sp, &lim, tokens, &err)
                            : tokd_encode_bounded(tok, text, len, sp, &lim, &ids, &err);
        double dt = now() - t0;
        if (!count_only)
            *tokens = ids.len;
        tokd_ids_release(&ids);
        if (rc != 0)
            return cli_fail(rc, &err);
        min = dt < min ? dt : min;
    }
    *best = min;
    return 0;
}

/* With threads > 1: encode and count on that many threads, against one. */
static int bench_threads(const tokd_tokenizer *tok, const tokd_specials *sp, const char *text, size_t len,
                         unsigned threads, double enc, double cnt)
{
    double enc_n, cnt_n;
    size_t tokens;
    int rc = best_time(tok, sp, text, len, 0, threads, &enc_n, &tokens);
    if (rc == 0)
        rc = best_time(tok, sp, text, len, 1, threads, &cnt_n, &tokens);
    if (rc == 0)
        printf("  threads=%u encode_MB/s %.2f speedup %.2fx count_MB/s %.2f speedup %.2fx\n", threads,
               (double)len / 1e6 / enc_n, enc / enc_n, (double)len / 1e6 / cnt_n, cnt / cnt_n);
    return rc;
}

static int bench_file(const tokd_tokenizer *tok, const tokd_specials *sp, const char *path, unsigned threads)
{
    char *text;
    size_t len, tokens = 0;
    double enc, cnt;
    int rc = cli_read_input(path, &text, &len);
    if (rc != 0)
        return rc;
    if ((rc = best_time(tok, sp, text, len, 0, 1, &enc, &tokens)) == 0 &&
        (rc = best_time(tok, sp, text, len, 1, 1, &cnt, &tokens)) == 0) {
        double mb = (double)len / 1e6;
        printf("%-28s %10zu %9zu %11.2f %12.0f %10.2f %12.0f %9.3f\n", path, len, tokens, mb / enc,
               (double)tokens / enc, mb / cnt, (double)tokens / cnt, enc * 1e3);
        if (threads > 1)
            rc = bench_threads(tok, sp, text, len, threads, enc, cnt);
    }
    free(text);
    return rc;
}

int cmd_bench(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse("bench", argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? EXIT_OK : rc;
    if (o.n_inputs == 0) {
        fprintf(stderr, "tokd bench: name at least one FILE\n");
        return EXIT_USAGE;
    }
    tokd_tokenizer *tok;
    cli_specials sa;
    /* special-token text counts as plain text unless the flags say otherwise */
    if (!o.disallowed)
        o.disallowed = "none";
    if ((rc = cli_specials_parse(&o, &sa)) != 0)
        return rc;
    double t0 = now();
    if ((rc = cli_load(&o, &tok)) != 0) {
        cli_specials_free(&sa);
        return rc;
    }
    double load_ms = (now() - t0) * 1e3;
    printf("tokenizer %s, single thread\n", tokd_tokenizer_name(tok));
    printf("%-28s %10s %9s %11s %12s %10s %12s %9s\n", "file", "bytes", "tokens", "encode_MB/s",
           "encode_tok/s", "count_MB/s", "count_tok/s", "encode_ms");
    for (int i = 0; i < o.n_inputs && rc == 0; i++)
        rc = bench_file(tok, &sa.sp, o.inputs[i], o.threads);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("load %.1f ms, peak RSS %.1f MB\n", load_ms, (double)ru.ru_maxrss / 1024.0);
    tokd_tokenizer_unref(tok);
    cli_specials_free(&sa);
    return rc;
}
