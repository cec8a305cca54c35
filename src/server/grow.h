/* grow.h - the one growth rule of the server's own arrays (the tokenizers a
 * reply holds, the catalog's entries, the job list). The server keeps its
 * own helper because it uses only libtokd's public API.
 *
 * Thread-safety: operates only on the caller's array. */
#ifndef TOKD_SERVER_GROW_H
#define TOKD_SERVER_GROW_H

#include <stddef.h>

/* Make the malloc'd array *items (room for *cap items of `size` bytes; NULL
 * and 0 to start) hold at least `need` items, at least doubling. Returns 0,
 * or TOKD_ENOMEM with the array and *cap untouched. The caller owns the
 * array and frees it with free(). */
int grow(void **items, size_t *cap, size_t need, size_t size);

#endif
