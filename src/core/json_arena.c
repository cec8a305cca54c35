/* json_arena.c - jansson's allocations for a loader's document from one
 * arena (see json_arena.h).
 *
 * An arena is a list of blocks, newest first; an allocation is cut from the
 * newest block, or a new block (double the last, up to BLOCK_MAX, or the
 * size asked if more) is taken. A free is a no-op when the pointer lies in
 * a block of an arena current on this thread, else it goes to jansson's
 * previous free. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "json_arena.h"
#include "tokd/error.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define GAP 16
#else
#define GAP 0
#define ASAN_POISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#endif

#define BLOCK_MIN ((size_t)64 << 10)
#define BLOCK_MAX ((size_t)8 << 20)
#define ALIGN (sizeof(max_align_t))

typedef struct block {
    struct block *next;
    size_t size, used;
    max_align_t data[];
} block;

struct tokd__json_arena {
    block *head;
    size_t next_size;
    int failed;
    tokd__json_arena *outer; /* current before this one */
};

static _Thread_local tokd__json_arena *current;
static json_malloc_t previous_malloc = malloc;
static json_free_t previous_free = free;

static int owns(const tokd__json_arena *a, const void *p)
{
    uintptr_t at = (uintptr_t)p;
    for (const block *b = a->head; b; b = b->next)
        if (at >= (uintptr_t)b->data && at < (uintptr_t)b->data + b->size)
            return 1;
    return 0;
}

static int grow(tokd__json_arena *a, size_t n)
{
    size_t size = n > a->next_size ? n : a->next_size;
    block *b = malloc(sizeof *b + size);
    if (!b)
        return TOKD_ENOMEM;
    *b = (block){a->head, size, 0};
    ASAN_POISON_MEMORY_REGION(b->data, size);
    a->head = b;
    if (a->next_size < BLOCK_MAX)
        a->next_size *= 2;
    return 0;
}

static void *arena_malloc(size_t n)
{
    tokd__json_arena *a = current;
    if (!a)
        return previous_malloc(n);
    if (n > SIZE_MAX - GAP - ALIGN)
        return NULL;
    size_t need = (n + GAP + ALIGN - 1) / ALIGN * ALIGN;
    if ((!a->head || a->head->size - a->head->used < need) && grow(a, need) != 0) {
        a->failed = 1;
        return NULL;
    }
    char *p = (char *)a->head->data + a->head->used;
    a->head->used += need;
    ASAN_UNPOISON_MEMORY_REGION(p, n);
    return p;
}

static void arena_free(void *p)
{
    for (const tokd__json_arena *a = current; p && a; a = a->outer)
        if (owns(a, p))
            return;
    previous_free(p);
}

__attribute__((constructor)) static void install(void)
{
    json_get_alloc_funcs(&previous_malloc, &previous_free);
    json_set_alloc_funcs(arena_malloc, arena_free);
}

int tokd__json_arena_begin(tokd__json_arena **out)
{
    json_malloc_t m;
    json_free_t f;
    json_get_alloc_funcs(&m, &f);
    *out = NULL;
    if (m != arena_malloc || f != arena_free)
        return 0;
    tokd__json_arena *a = malloc(sizeof *a);
    if (!a)
        return TOKD_ENOMEM;
    *a = (tokd__json_arena){NULL, BLOCK_MIN, 0, current};
    current = *out = a;
    return 0;
}

int tokd__json_arena_failed(const tokd__json_arena *a)
{
    return a && a->failed;
}

void tokd__json_arena_free(tokd__json_arena *a)
{
    if (!a)
        return;
    current = a->outer;
    for (block *b = a->head, *next; b; b = next) {
        next = b->next;
        ASAN_UNPOISON_MEMORY_REGION(b->data, b->size);
        free(b);
    }
    free(a);
}
