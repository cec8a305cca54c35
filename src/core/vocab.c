/* vocab.c - building and sharing vocabularies (see vocab.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vocab.h"

int tokd__vocab_new(const tokd__rank_entry *e, size_t n, const char *sha256, tokd__vocab **out, tokd_error *err)
{
    tokd__vocab *v = calloc(1, sizeof *v);
    if (!v)
        return TOKD_ENOMEM;
    int rc = tokd__rankmap_init(&v->map, e, n, err);
    if (rc != 0) {
        free(v);
        return rc;
    }
    atomic_init(&v->refs, 1);
    snprintf(v->sha256, sizeof v->sha256, "%s", sha256);
    *out = v;
    return 0;
}

tokd__vocab *tokd__vocab_ref(tokd__vocab *v)
{
    atomic_fetch_add_explicit(&v->refs, 1, memory_order_relaxed);
    return v;
}

void tokd__vocab_unref(tokd__vocab *v)
{
    if (!v || atomic_fetch_sub_explicit(&v->refs, 1, memory_order_acq_rel) != 1)
        return;
    tokd__rankmap_release(&v->map);
    free(v);
}
