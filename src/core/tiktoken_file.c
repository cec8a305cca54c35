/* tiktoken_file.c - the .tiktoken rank file format.
 *
 * Parsing decodes every token into one scratch buffer, collects
 * (bytes, rank) entries and hands them to tokd__vocab_new, which rejects
 * duplicate ranks and duplicate tokens. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base64.h"
#include "tiktoken_file.h"
#include "tokd/file.h"

int tokd__read_file(const char *path, size_t max, char **buf, size_t *len, tokd_error *err)
{
    struct stat st;
    int fd = tokd_file_open(path, &st, err);
    if (fd < 0)
        return fd;
    int rc = 0;
    char *data = NULL;
    size_t n = (size_t)st.st_size, got = 0;
    if (n > max)
        rc = tokd_error_set(err, TOKD_ELIMIT, "%s is larger than %zu bytes", path, max);
    else if (!(data = malloc(n + 1)))
        rc = TOKD_ENOMEM;
    while (rc == 0 && got < n) {
        ssize_t r = read(fd, data + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            rc = tokd_error_set(err, TOKD_EIO, "cannot read %s: %s", path,
                                r < 0 ? strerror(errno) : "the file shrank while being read");
        else
            got += (size_t)r;
    }
    close(fd);
    if (rc != 0) {
        free(data);
        return rc;
    }
    data[n] = '\0';
    *buf = data;
    *len = n;
    return 0;
}

static int parse_rank(const char *p, const char *end, uint32_t *rank)
{
    uint64_t v = 0;
    if (p == end)
        return -1;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9' || v > UINT32_MAX / 10)
            return -1;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (v >= UINT32_MAX)
        return -1;
    *rank = (uint32_t)v;
    return 0;
}

static int line_error(tokd_error *err, const char *path, size_t line, const char *what)
{
    tokd_error_set(err, TOKD_EFORMAT, "%s line %zu: %s (expected 'BASE64 RANK')", path, line, what);
    if (err)
        err->line = line;
    return TOKD_EFORMAT;
}

int tokd__tiktoken_parse(const char *text, size_t len, const char *path, const char *sha256, tokd__vocab **out,
                         tokd_error *err)
{
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    tokd__rank_entry *e = malloc(lines * sizeof *e);
    uint8_t *bytes = malloc(len / 4 * 3 + 4);
    if (!e || !bytes) {
        free(e);
        free(bytes);
        return TOKD_ENOMEM;
    }
    size_t n = 0, used = 0, line = 0;
    int rc = 0;
    for (const char *p = text, *end = text + len; p < end && rc == 0;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        line++;
        if (eol > p) {
            const char *sp = memchr(p, ' ', (size_t)(eol - p));
            long got = sp ? tokd__base64_decode(p, (size_t)(sp - p), bytes + used) : -1;
            if (!sp)
                rc = line_error(err, path, line, "no space between token and rank");
            else if (got <= 0)
                rc = line_error(err, path, line, "token is not valid base64");
            else if (parse_rank(sp + 1, eol, &e[n].rank) != 0)
                rc = line_error(err, path, line, "rank is not a decimal number below 2^32-1");
            else {
                e[n].data = bytes + used;
                e[n].len = (uint32_t)got;
                used += (size_t)got;
                n++;
            }
        }
        p = eol + 1;
    }
    if (rc == 0 && n == 0)
        rc = tokd_error_set(err, TOKD_EFORMAT, "%s holds no tokens", path);
    if (rc == 0 && (rc = tokd__vocab_new(e, n, sha256, out, err)) == TOKD_EFORMAT && err) {
        char detail[sizeof err->text];
        snprintf(detail, sizeof detail, "%s", err->text);
        tokd_error_set(err, TOKD_EFORMAT, "%s: %s", path, detail);
    }
    free(e);
    free(bytes);
    return rc;
}
