/* server.h - tokd serve: configuration, startup, serving, shutdown.
 *
 * Thread-safety: server_main runs on the main thread; it blocks SIGTERM,
 * SIGINT and SIGHUP in every thread and waits for them there. */
#ifndef TOKD_SERVER_SERVER_H
#define TOKD_SERVER_SERVER_H

#include "app.h"

/* Run `tokd serve` with its arguments; returns the exit status. */
int server_main(int argc, char **argv);

/* Load what `a->cfg` names: tokenizers, model registry, trained tokenizers
 * and training jobs (with tokenizer_dir), embedding tables. The catalog must
 * be initialised. Returns 0, or -1 after printing why. */
int app_load(app *a);

/* Stop jobs and free everything app_load made. */
void app_release(app *a);

#endif
