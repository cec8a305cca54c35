/* json_error.c - one mapping of jansson's load errors for every loader, so
 * that out of memory is never reported as a malformed file. */
#include "json_error.h"

int tokd__json_error(tokd_error *err, const char *path, const json_error_t *je)
{
    if (json_error_code(je) == json_error_out_of_memory)
        return tokd_error_set(err, TOKD_ENOMEM, "%s: out of memory while parsing it", path);
    return tokd_error_set(err, TOKD_EFORMAT, "%s line %d: %s", path, je->line, je->text);
}
