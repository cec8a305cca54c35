/* cmd_healthcheck.c - tokd healthcheck: is the local server healthy?
 *
 * For container HEALTHCHECKs, so images need no curl: one HTTP/1.0 GET of
 * /healthz (or /readyz with --ready) on loopback, at most 3 seconds, exit 0
 * on a 200 and 1 otherwise. This is the one HTTP client tokd has; none of
 * its libraries offers one, and a status line is all it reads. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "cli.h"

static const char usage_text[] =
    "usage: tokd healthcheck [--port N] [--ready]\n"
    "GET http://127.0.0.1:PORT/healthz (with --ready: /readyz) and exit 0 if it\n"
    "answers 200 within 3 s, else 1. PORT: --port, else $TOKD_PORT, else 8080.\n";

static int get(long port, const char *path, char *status, size_t size)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct timeval limit = {3, 0};
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    char req[128];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
    ssize_t got = -1;
    if (connect(fd, (struct sockaddr *)&to, sizeof to) == 0 && write(fd, req, (size_t)n) == n)
        got = read(fd, status, size - 1);
    int saved = errno;
    close(fd);
    if (got <= 0) {
        snprintf(status, size, "%s", got == 0 ? "connection closed" : strerror(saved));
        return -1;
    }
    status[got] = '\0';
    status[strcspn(status, "\r\n")] = '\0';
    return 0;
}

int cmd_healthcheck(int argc, char **argv)
{
    const char *env = getenv("TOKD_PORT"), *path = "/healthz";
    long port = env && *env ? strtol(env, NULL, 10) : 8080;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--ready"))
            path = "/readyz";
        else if (!strcmp(argv[i], "--port") && i + 1 < argc)
            port = strtol(argv[++i], NULL, 10);
        else {
            fputs(usage_text, strcmp(argv[i], "--help") ? stderr : stdout);
            return strcmp(argv[i], "--help") ? EXIT_USAGE : EXIT_OK;
        }
    }
    if (port <= 0 || port > 65535) {
        fprintf(stderr, "tokd healthcheck: the port must be 1 to 65535\n");
        return EXIT_USAGE;
    }
    char status[256];
    if (get(port, path, status, sizeof status) != 0) {
        fprintf(stderr, "tokd healthcheck: 127.0.0.1:%ld%s: %s\n", port, path, status);
        return EXIT_INTERNAL;
    }
    int ok = !strncmp(status, "HTTP/1.", 7) && !strncmp(status + 8, " 200", 4);
    if (!ok)
        fprintf(stderr, "tokd healthcheck: 127.0.0.1:%ld%s answered %s\n", port, path, status);
    return ok ? EXIT_OK : EXIT_INTERNAL;
}
