/* hf_post.c - a tokenizer.json "post_processor" node: the template ids
 * put around each sequence. */
#include <stdlib.h>
#include <string.h>

#include "hf_loader.h"

static int template_ids(tokd__hf_loader *l, json_t *tp, json_t *item, uint32_t **ids, size_t *n)
{
    json_t *name = json_object_get(json_object_get(item, "SpecialToken"), "id");
    json_t *tokens = json_object_get(tp, "special_tokens");
    json_t *list = json_object_get(json_object_get(tokens, json_string_value(name)), "ids");
    size_t k;
    json_t *v;
    if (!json_is_string(name) || !json_is_array(list))
        return tokd__hf_malformed(l, "post_processor.single", "names a special token missing from special_tokens");
    json_array_foreach(list, k, v)
    {
        uint32_t *p = realloc(*ids, (*n + 1) * sizeof *p);
        if (!p || !json_is_integer(v))
            return p ? tokd__hf_malformed(l, "post_processor.special_tokens", "ids must be integers") : TOKD_ENOMEM;
        *ids = p;
        (*ids)[(*n)++] = (uint32_t)json_integer_value(v);
    }
    return 0;
}

int tokd__hf_post_processor(tokd__hf_loader *l, json_t *p)
{
    const char *type = tokd__hf_type(p);
    tokd_tokenizer *t = l->t;
    if (!strcmp(type, "ByteLevel"))
        return 0; /* it only trims offsets */
    if (strcmp(type, "TemplateProcessing") != 0)
        return tokd__hf_unsupported(l, "post_processor", type);
    size_t i;
    json_t *item;
    int seen_a = 0, rc = 0;
    json_array_foreach(json_object_get(p, "single"), i, item)
    {
        if (json_object_get(item, "Sequence"))
            seen_a = 1;
        else if (rc == 0)
            rc = seen_a ? template_ids(l, p, item, &t->suffix, &t->n_suffix)
                        : template_ids(l, p, item, &t->prefix, &t->n_prefix);
    }
    return rc;
}
