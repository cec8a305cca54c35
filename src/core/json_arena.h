/* json_arena.h - jansson's allocations for a loader's document from one
 * arena (internal).
 *
 * A tokenizer file parsed by jansson is a tree of small values, each its own
 * allocation: llama3's tokenizer.json made ~950,000 calls to malloc and as
 * many to free. While an arena is current on a thread, jansson's
 * allocations on that thread are cut from a few large blocks (64 KiB,
 * doubling to 8 MiB), its frees of them do nothing, and the whole document
 * goes at once when the arena is freed: loading is faster, and a failed
 * allocation can only be one of those few blocks (tests/unit/
 * test_alloc_fail.c fails each one).
 *
 * How: libtokd installs its allocator into jansson once, before main (a
 * constructor), on top of the one jansson had, which gets every allocation
 * made while no arena is current (other threads' parses, the server's
 * requests) and every free of a block not from a current arena. An
 * application that installs its own jansson allocator later disables the
 * arenas (tokd__json_arena_begin says so) and nothing else; jansson's own
 * rule applies: set the allocator before any other jansson call.
 *
 * Under AddressSanitizer each value is followed by a poisoned gap, so
 * reading past a string of the document is still reported.
 *
 * Ownership: begin creates the arena and makes it current; free (on the
 * same thread, innermost first) frees it and every value it holds.
 * Thread-safety: the current arena is per thread. */
#ifndef TOKD_JSON_ARENA_H
#define TOKD_JSON_ARENA_H

typedef struct tokd__json_arena tokd__json_arena;

/* A new arena, current on this thread (nesting inside the one that was).
 * 0 with *out set; 0 with *out NULL when jansson's allocator is not
 * libtokd's (jansson then allocates as usual); TOKD_ENOMEM. */
int tokd__json_arena_begin(tokd__json_arena **out);
/* 1 if the arena could not give an allocation (jansson saw NULL). */
int tokd__json_arena_failed(const tokd__json_arena *a);
/* Free the arena (NULL: nothing) and its values; the one it nested in
 * becomes current again. */
void tokd__json_arena_free(tokd__json_arena *a);

#endif
