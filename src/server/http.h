/* http.h - the HTTP front of tokd serve, on libmicrohttpd.
 *
 * libmicrohttpd's internal thread pool with epoll; each request's state
 * lives in one struct from its first callback to the completion callback
 * (where it is logged, counted and freed). Bodies are collected up to
 * max_body_bytes, then parsed as JSON and handed to a handler (app.h).
 *
 * Thread-safety: the daemon's threads call into app concurrently. */
#ifndef TOKD_SERVER_HTTP_H
#define TOKD_SERVER_HTTP_H

#include "app.h"

struct MHD_Daemon;

/* Start listening on cfg.listen:cfg.port; the bound port in *port. NULL
 * after printing why to stderr. */
struct MHD_Daemon *http_start(app *a, unsigned *port);

/* Stop accepting, let in-flight requests finish for up to the configured
 * grace period, then stop. */
void http_stop(app *a, struct MHD_Daemon *d);

#endif
