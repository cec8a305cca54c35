/* hf_post.c - a tokenizer.json "post_processor" node: the template ids put
 * around each sequence (TemplateProcessing's single template,
 * BertProcessing and RobertaProcessing's cls ... sep) and the offset
 * trimming of ByteLevel and RobertaProcessing (post.h). A Sequence's
 * processors are applied in order by the driver (hf_load.c). */
#include <stdlib.h>
#include <string.h>

#include "hf_loader.h"

static int push_id(tokd__hf_loader *l, json_t *v, uint32_t **ids, size_t *n)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) >= UINT32_MAX)
        return tokd__hf_malformed(l, "post_processor", "token ids must be integers >= 0");
    uint32_t *p = realloc(*ids, (*n + 1) * sizeof *p);
    if (!p)
        return TOKD_ENOMEM;
    *ids = p;
    (*ids)[(*n)++] = (uint32_t)json_integer_value(v);
    return 0;
}

static int template_ids(tokd__hf_loader *l, json_t *tp, json_t *item, uint32_t **ids, size_t *n)
{
    json_t *name = json_object_get(json_object_get(item, "SpecialToken"), "id");
    json_t *tokens = json_object_get(tp, "special_tokens");
    json_t *list = json_object_get(json_object_get(tokens, json_string_value(name)), "ids");
    size_t k;
    json_t *v;
    int rc = 0;
    if (!json_is_string(name) || !json_is_array(list))
        return tokd__hf_malformed(l, "post_processor.single", "names a special token missing from special_tokens");
    json_array_foreach(list, k, v)
        if (rc == 0)
            rc = push_id(l, v, ids, n);
    return rc;
}

static int template_processing(tokd__hf_loader *l, json_t *p)
{
    tokd_tokenizer *t = l->t;
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

/* Bert and Roberta: "cls": [text, id] first, "sep": [text, id] last. */
static int cls_sep(tokd__hf_loader *l, json_t *p)
{
    json_t *cls = json_object_get(p, "cls"), *sep = json_object_get(p, "sep");
    if (!json_is_array(cls) || !json_is_array(sep))
        return tokd__hf_malformed(l, "post_processor", "cls and sep must be [token, id]");
    int rc = push_id(l, json_array_get(cls, 1), &l->t->prefix, &l->t->n_prefix);
    return rc ? rc : push_id(l, json_array_get(sep, 1), &l->t->suffix, &l->t->n_suffix);
}

/* trim_offsets (default true) with the node's add_prefix_space. */
static void trim_option(tokd__hf_loader *l, json_t *p)
{
    if (json_is_false(json_object_get(p, "trim_offsets")))
        return;
    l->t->trim_offsets = 1;
    l->t->trim_add_prefix_space = !json_is_false(json_object_get(p, "add_prefix_space"));
    l->t->byte_level = l->byte_level;
}

int tokd__hf_post_processor(tokd__hf_loader *l, json_t *p)
{
    const char *type = tokd__hf_type(p);
    if (!strcmp(type, "ByteLevel")) {
        trim_option(l, p);
        return 0;
    }
    if (!strcmp(type, "RobertaProcessing")) {
        trim_option(l, p);
        return cls_sep(l, p);
    }
    if (!strcmp(type, "BertProcessing"))
        return cls_sep(l, p);
    if (!strcmp(type, "TemplateProcessing"))
        return template_processing(l, p);
    return tokd__hf_unsupported(l, "post_processor", *type ? type : "a post-processor without a type");
}
