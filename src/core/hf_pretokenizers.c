/* hf_pretokenizers.c - a tokenizer.json "pre_tokenizer" node into its
 * pipeline steps (pretokenizer.h). */
#include <string.h>

#include "hf_loader.h"
#include "registry.h"

/* Add step x that a builder made with status rc. */
static int add_step(tokd__hf_loader *l, int rc, tokd__pretokenizer x)
{
    return rc ? rc : tokd__tokenizer_add_pretokenizer(l->t, x);
}

static int pre_split(tokd__hf_loader *l, json_t *p)
{
    static const char *const behaviors[] = {"Isolated", "Removed", "MergedWithPrevious", "MergedWithNext",
                                            "Contiguous"};
    json_t *re = json_object_get(json_object_get(p, "pattern"), "Regex");
    json_t *str = json_object_get(json_object_get(p, "pattern"), "String");
    json_t *behavior = json_object_get(p, "behavior");
    if (!json_is_string(re) && !json_is_string(str))
        return tokd__hf_malformed(l, "pre_tokenizer Split", "\"pattern\" is neither {\"Regex\": ...} nor {\"String\": ...}");
    int b = -1;
    for (int i = 0; i < 5 && json_is_string(behavior); i++)
        if (!strcmp(json_string_value(behavior), behaviors[i]))
            b = i;
    if (b < 0)
        return tokd__hf_malformed(l, "pre_tokenizer Split", "\"behavior\" is not one of Isolated, Removed, "
                                                            "MergedWithPrevious, MergedWithNext, Contiguous");
    tokd__split_options o = {json_string_value(re ? re : str), !re, (enum tokd__split_behavior)b,
                             tokd__hf_flag(p, "invert")};
    tokd__pretokenizer x = {0};
    int rc = add_step(l, tokd__pretokenizer_split(&o, &x, l->err), x);
    return rc || !re ? rc : tokd__hf_first_pattern(l, o.pattern);
}

static int pre_metaspace(tokd__hf_loader *l, json_t *p)
{
    json_t *rep = json_object_get(p, "replacement"), *scheme = json_object_get(p, "prepend_scheme");
    const char *s = json_is_string(scheme) ? json_string_value(scheme) : NULL;
    int prepend;
    if (s)
        prepend = !strcmp(s, "always") ? 1 : !strcmp(s, "first") ? 2 : !strcmp(s, "never") ? 0 : -1;
    else
        prepend = json_is_false(json_object_get(p, "add_prefix_space")) ? 0 : 1;
    if (prepend < 0)
        return tokd__hf_unsupported(l, "pre_tokenizer Metaspace", "this prepend_scheme");
    tokd__pretokenizer x = {0};
    return add_step(l,
                    tokd__pretokenizer_metaspace(json_is_string(rep) ? json_string_value(rep) : "\xe2\x96\x81",
                                                 prepend, !json_is_false(json_object_get(p, "split")), &x),
                    x);
}

/* ByteLevel: its prefix space, then its own regex (GPT-2's), as two steps. */
static int pre_bytelevel(tokd__hf_loader *l, json_t *p)
{
    tokd__pretokenizer x = {0};
    int rc = 0;
    l->byte_level = 1;
    if (tokd__hf_flag(p, "add_prefix_space") && (rc = tokd__pretokenizer_prefix_space(&x)) == 0)
        rc = tokd__tokenizer_add_pretokenizer(l->t, x);
    if (rc != 0 || json_is_false(json_object_get(p, "use_regex")))
        return rc;
    const char *gpt2 = tokd__builtin_find("gpt2")->pattern;
    tokd__split_options o = {gpt2, 0, TOKD__SPLIT_ISOLATED, 0};
    rc = tokd__pretokenizer_split(&o, &x, l->err);
    if (rc == 0 && (rc = tokd__tokenizer_add_pretokenizer(l->t, x)) == 0)
        rc = tokd__hf_first_pattern(l, gpt2);
    return rc;
}

static int pre_digits(tokd__hf_loader *l, json_t *p)
{
    tokd__pretokenizer x = {0};
    return add_step(l, tokd__pretokenizer_digits(tokd__hf_flag(p, "individual_digits"), &x), x);
}

/* Each Hugging Face pre-tokenizer type and the builder that adds its steps
 * (Sequence is walked by the driver, hf_load.c). */
static const struct {
    const char *type;
    int (*build)(tokd__hf_loader *l, json_t *node);
} builders[] = {
    {"ByteLevel", pre_bytelevel},
    {"Split", pre_split},
    {"Digits", pre_digits},
    {"Metaspace", pre_metaspace},
};

int tokd__hf_pretokenizer(tokd__hf_loader *l, json_t *p)
{
    const char *type = tokd__hf_type(p);
    for (size_t i = 0; i < sizeof builders / sizeof builders[0]; i++)
        if (!strcmp(type, builders[i].type))
            return builders[i].build(l, p);
    return tokd__hf_unsupported(l, "pre_tokenizer", *type ? type : "a pre-tokenizer without a type");
}
