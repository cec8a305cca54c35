/* json_error.c - one way for every loader to parse JSON, so that running out
 * of memory is never reported as a malformed file.
 *
 * The document is parsed into an arena (json_arena.h), which knows whether
 * one of its allocations failed. Without an arena (an application set its
 * own jansson allocator) the failure has to be inferred: jansson does not
 * always say json_error_out_of_memory when an allocation fails (a failed
 * string allocation surfaces as "invalid token" or as an error without
 * text), so a failure other than out of memory is parsed once more: a
 * malformed document fails again with the same error at the same place, and
 * anything else (success, another error) means the first failure was an
 * allocation. */
#include <string.h>

#include "json_error.h"

static json_t *parse(const char *path, const char *text, size_t len, size_t flags, json_error_t *je)
{
    return text ? json_loadb(text, len, flags, je) : json_load_file(path, flags, je);
}

static int same_error(const json_error_t *a, const json_error_t *b)
{
    return a->line == b->line && a->column == b->column && a->position == b->position && !strcmp(a->text, b->text);
}

static int no_memory(const char *path, tokd_error *err)
{
    return tokd_error_set(err, TOKD_ENOMEM, "%s: out of memory while parsing it", path);
}

int tokd__json_parse(const char *path, const char *text, size_t len, size_t flags, tokd__json_doc *doc,
                     tokd_error *err)
{
    json_error_t first, again;
    *doc = (tokd__json_doc){0};
    if (tokd__json_arena_begin(&doc->arena) != 0)
        return no_memory(path, err);
    if ((doc->root = parse(path, text, len, flags, &first)))
        return 0;
    if (json_error_code(&first) == json_error_out_of_memory || tokd__json_arena_failed(doc->arena))
        return no_memory(path, err);
    if (!doc->arena) { /* no arena to ask: a malformed file fails again the same way */
        if ((doc->root = parse(path, text, len, flags, &again)))
            return 0;
        if (!same_error(&first, &again))
            return no_memory(path, err);
    }
    return tokd_error_set(err, TOKD_EFORMAT, "%s line %d: %s", path, first.line, first.text);
}

void tokd__json_doc_release(tokd__json_doc *doc)
{
    if (doc->arena)
        tokd__json_arena_free(doc->arena);
    else
        json_decref(doc->root);
    *doc = (tokd__json_doc){0};
}
