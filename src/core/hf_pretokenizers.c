/* hf_pretokenizers.c - a tokenizer.json "pre_tokenizer" node into its
 * pipeline steps (pretokenizer.h). */
#include <string.h>

#include "hf_loader.h"
#include "registry.h"
#include "utf8.h"

/* Add step x that a builder made with status rc. */
static int add_step(tokd__hf_loader *l, int rc, tokd__pretokenizer x)
{
    return rc ? rc : tokd__tokenizer_add_pretokenizer(l->t, x);
}

/* The behaviour named by p["behavior"] (absent: `dflt`), or -1. */
static int behavior_of(json_t *p, int dflt)
{
    static const char *const names[] = {"Isolated", "Removed", "MergedWithPrevious", "MergedWithNext", "Contiguous"};
    json_t *b = json_object_get(p, "behavior");
    if (!b)
        return dflt;
    for (int i = 0; i < 5 && json_is_string(b); i++)
        if (!strcmp(json_string_value(b), names[i]))
            return i;
    return -1;
}

static int pre_split(tokd__hf_loader *l, json_t *p)
{
    json_t *re = json_object_get(json_object_get(p, "pattern"), "Regex");
    json_t *str = json_object_get(json_object_get(p, "pattern"), "String");
    if (!json_is_string(re) && !json_is_string(str))
        return tokd__hf_malformed(l, "pre_tokenizer Split", "\"pattern\" is neither {\"Regex\": ...} nor {\"String\": ...}");
    int b = behavior_of(p, -1);
    if (b < 0)
        return tokd__hf_unsupported(l, "pre_tokenizer Split", "this behavior");
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

/* A Split with fixed options. */
static int add_split(tokd__hf_loader *l, const char *pattern, int literal, enum tokd__split_behavior b, int invert)
{
    tokd__split_options o = {pattern, literal, b, invert};
    tokd__pretokenizer x = {0};
    return add_step(l, tokd__pretokenizer_split(&o, &x, l->err), x);
}

/* A step without options, made by `make`. */
static int add_plain(tokd__hf_loader *l, int (*make)(tokd__pretokenizer *out))
{
    tokd__pretokenizer x = {0};
    return add_step(l, make(&x), x);
}

static int pre_whitespace(tokd__hf_loader *l, json_t *p)
{
    (void)p;
    return add_plain(l, tokd__pretokenizer_whitespace);
}

/* WhitespaceSplit: the text between runs of white space. */
static int pre_whitespace_split(tokd__hf_loader *l, json_t *p)
{
    (void)p;
    return add_split(l, "\\s+", 0, TOKD__SPLIT_REMOVED, 0);
}

static int pre_char_delimiter(tokd__hf_loader *l, json_t *p)
{
    json_t *d = json_object_get(p, "delimiter");
    size_t len = 0;
    if (json_is_string(d))
        tokd__utf8_next((const uint8_t *)json_string_value(d), 0, &len);
    if (!json_is_string(d) || !json_string_length(d) || len != json_string_length(d))
        return tokd__hf_malformed(l, "pre_tokenizer CharDelimiterSplit", "\"delimiter\" is not one character");
    return add_split(l, json_string_value(d), 1, TOKD__SPLIT_REMOVED, 0);
}

static int pre_punctuation(tokd__hf_loader *l, json_t *p)
{
    int b = behavior_of(p, TOKD__SPLIT_ISOLATED);
    if (b < 0)
        return tokd__hf_malformed(l, "pre_tokenizer Punctuation", "\"behavior\" is not a SplitDelimiterBehavior");
    tokd__pretokenizer x = {0};
    return add_step(l, tokd__pretokenizer_punctuation((enum tokd__split_behavior)b, &x), x);
}

/* BertPreTokenizer: split on white space, then each punctuation alone. */
static int pre_bert(tokd__hf_loader *l, json_t *p)
{
    tokd__pretokenizer x = {0};
    int rc = pre_whitespace_split(l, p);
    return rc ? rc : add_step(l, tokd__pretokenizer_punctuation(TOKD__SPLIT_ISOLATED, &x), x);
}

/* FixedLength: "length" characters (5 when absent, as Hugging Face). */
static int pre_fixed_length(tokd__hf_loader *l, json_t *p)
{
    json_t *len = json_object_get(p, "length");
    json_int_t n = len ? (json_is_integer(len) ? json_integer_value(len) : -1) : 5;
    if (n <= 0)
        return tokd__hf_malformed(l, "pre_tokenizer FixedLength", "\"length\" is not a positive integer");
    tokd__pretokenizer x = {0};
    return add_step(l, tokd__pretokenizer_fixed_length((size_t)n, &x), x);
}

static int pre_unicode_scripts(tokd__hf_loader *l, json_t *p)
{
    (void)p;
    return add_plain(l, tokd__pretokenizer_unicode_scripts);
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
    {"Whitespace", pre_whitespace},
    {"WhitespaceSplit", pre_whitespace_split},
    {"CharDelimiterSplit", pre_char_delimiter},
    {"Punctuation", pre_punctuation},
    {"BertPreTokenizer", pre_bert},
    {"FixedLength", pre_fixed_length},
    {"UnicodeScripts", pre_unicode_scripts},
};

int tokd__hf_pretokenizer(tokd__hf_loader *l, json_t *p)
{
    const char *type = tokd__hf_type(p);
    for (size_t i = 0; i < sizeof builders / sizeof builders[0]; i++)
        if (!strcmp(type, builders[i].type))
            return builders[i].build(l, p);
    return tokd__hf_unsupported(l, "pre_tokenizer", *type ? type : "a pre-tokenizer without a type");
}
