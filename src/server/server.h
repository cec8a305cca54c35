/* server.h - tokd serve: configuration, startup, serving, shutdown.
 *
 * Thread-safety: server_main runs on the main thread; it blocks SIGTERM
 * and SIGINT in every thread and waits for them there. */
#ifndef TOKD_SERVER_SERVER_H
#define TOKD_SERVER_SERVER_H

/* Run `tokd serve` with its arguments; returns the exit status. */
int server_main(int argc, char **argv);

#endif
