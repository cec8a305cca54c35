/* catalog.h - the tokenizers a server serves, by name; trained ones come
 * and go while it runs.
 *
 * Lookups hand out a new reference, so a tokenizer replaced or removed
 * while a request uses it lives until that request lets go (hot reload
 * swaps a pointer; nothing is freed under a reader).
 *
 * Thread-safety: every function may be called from any thread (a
 * read-write lock guards the table; lookups only read). */
#ifndef TOKD_SERVER_CATALOG_H
#define TOKD_SERVER_CATALOG_H

#include <pthread.h>
#include <stddef.h>

#include "tokd/tokd.h"

#define CATALOG_MAX 4096

typedef struct catalog_entry {
    tokd_tokenizer *tok; /* one reference, owned */
    int trained;         /* made by a training job: may be replaced */
} catalog_entry;

#define CATALOG_MAX_FAILED 64

/* A tokenizer that was configured or found but could not be loaded. */
typedef struct catalog_failure {
    char name[65];
    char path[256];
    char error[320];
} catalog_failure;

typedef struct catalog {
    pthread_rwlock_t lock;
    catalog_entry *entries;
    size_t n, cap;
    catalog_failure failed[CATALOG_MAX_FAILED]; /* the latest failure per name */
    size_t n_failed;
} catalog;

int catalog_init(catalog *c);
void catalog_release(catalog *c);

/* Serve `tok` (takes over the caller's reference, also on failure). With
 * `replace`, a trained tokenizer of the same name is swapped out; a
 * built-in or configured one never is (TOKD_ERESERVED). Without it an
 * existing name gives TOKD_EEXIST. More than CATALOG_MAX tokenizers give
 * TOKD_ELIMIT, no memory TOKD_ENOMEM; 0 when added. */
int catalog_add(catalog *c, tokd_tokenizer *tok, int trained, int replace);

/* A new reference to the tokenizer called `name`, or NULL. */
tokd_tokenizer *catalog_get(catalog *c, const char *name);

/* 0 if no tokenizer has the name, 1 if a trained one, 2 if a fixed one. */
int catalog_has(catalog *c, const char *name);

/* New references to every tokenizer in order of addition: *out is
 * malloc'd; release each and free the array. Returns the count. */
size_t catalog_list(catalog *c, tokd_tokenizer ***out);

size_t catalog_count(catalog *c);

/* Remember that `name` (from `path`) failed to load with `error`, for
 * GET /v1/tokenizers; a later catalog_add of the name forgets it. At most
 * CATALOG_MAX_FAILED names are kept (the oldest goes). */
void catalog_failed(catalog *c, const char *name, const char *path, const char *error);

/* Copy up to `max` remembered failures into out; returns how many. */
size_t catalog_failures(catalog *c, catalog_failure *out, size_t max);

#endif
