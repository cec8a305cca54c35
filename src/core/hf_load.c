/* hf_load.c - building a pipeline from a Hugging Face tokenizer.json with a
 * BPE model.
 *
 * Each component the file lists becomes one pipeline step (pipeline.h);
 * anything tokd has no implementation for (another model type, an unknown
 * normalizer, dropout, ...) is refused with TOKD_EUNSUPPORTED naming the
 * JSON path, never approximated. Every string is looked up through one
 * growable scratch buffer, so no token is too long for the loader. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "bytelevel.h"
#include "hf_load.h"
#include "json_error.h"
#include "model_bpe.h"
#include "pipeline.h"
#include "registry.h"
#include "sha256.h"
#include "tiktoken_file.h"

#define MAX_FILE (512u << 20)

typedef struct loader {
    const char *path;
    tokd_error *err;
    tokd_tokenizer *t;
    int byte_level;     /* vocabulary in GPT-2's byte alphabet */
    int dec_byte_level; /* a ByteLevel decoder: tokens decode to their bytes */
    tokd_bytes scratch; /* a token's bytes while it is looked up; grows with the longest string of the file */
} loader;

static int first_pattern(loader *l, const char *pattern);

static int unsupported(loader *l, const char *where, const char *what)
{
    return tokd_error_set(l->err, TOKD_EUNSUPPORTED, "%s: %s: %s is not supported by tokd", l->path, where, what);
}

static int malformed(loader *l, const char *where, const char *what)
{
    return tokd_error_set(l->err, TOKD_EFORMAT, "%s: %s: %s", l->path, where, what);
}

static const char *type_of(json_t *o)
{
    json_t *t = json_object_get(o, "type");
    return json_is_string(t) ? json_string_value(t) : "";
}

static int flag(json_t *o, const char *key)
{
    return json_is_true(json_object_get(o, key));
}

/* Apply `one` to a pipeline node, or to each member of a Sequence node (whose
 * members are under `members`), recursively. A missing or null node is an
 * empty pipeline. */
typedef int (*step_fn)(struct loader *l, json_t *node);

static int each_step(loader *l, json_t *node, const char *members, step_fn one)
{
    if (!node || json_is_null(node))
        return 0;
    if (strcmp(type_of(node), "Sequence") != 0)
        return one(l, node);
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(node, members), i, x)
    {
        int rc = each_step(l, x, members, one);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ---- normalizer ------------------------------------------------------- */

static int add_normalizer(loader *l, json_t *n)
{
    const char *type = type_of(n);
    tokd__normalizer x;
    int rc;
    if (!strcmp(type, "Prepend") && json_is_string(json_object_get(n, "prepend"))) {
        rc = tokd__normalizer_prepend(json_string_value(json_object_get(n, "prepend")), &x);
    } else if (!strcmp(type, "Replace")) {
        json_t *pat = json_object_get(json_object_get(n, "pattern"), "String"), *c = json_object_get(n, "content");
        if (!json_is_string(pat) || !json_is_string(c) || !json_string_length(pat))
            return unsupported(l, "normalizer Replace", "a pattern other than a non-empty String");
        rc = tokd__normalizer_replace(json_string_value(pat), json_string_value(c), &x);
    } else if (!strcmp(type, "NFC")) {
        rc = tokd__normalizer_nfc(&x);
    } else {
        return unsupported(l, "normalizer", *type ? type : "a normalizer without a type");
    }
    return rc ? rc : tokd__tokenizer_add_normalizer(l->t, x);
}

/* ---- pre-tokenizer ---------------------------------------------------- */

static int pre_split(loader *l, json_t *p, tokd__pretokenizer *x)
{
    static const char *const behaviors[] = {"Isolated", "Removed", "MergedWithPrevious", "MergedWithNext",
                                            "Contiguous"};
    json_t *re = json_object_get(json_object_get(p, "pattern"), "Regex");
    json_t *str = json_object_get(json_object_get(p, "pattern"), "String");
    json_t *behavior = json_object_get(p, "behavior");
    if (!json_is_string(re))
        return unsupported(l, "pre_tokenizer Split", str ? "a String pattern" : "a pattern other than Regex");
    int b = -1;
    for (int i = 0; i < 5 && json_is_string(behavior); i++)
        if (!strcmp(json_string_value(behavior), behaviors[i]))
            b = i;
    if (b < 0)
        return unsupported(l, "pre_tokenizer Split", "this behavior");
    if (flag(p, "invert"))
        return unsupported(l, "pre_tokenizer Split", "invert: true");
    int rc = tokd__pretokenizer_split(json_string_value(re), (enum tokd__split_behavior)b, x, l->err);
    if (rc == 0 && (rc = first_pattern(l, json_string_value(re))) != 0)
        x->ops->free(x->self);
    return rc;
}

static int pre_metaspace(loader *l, json_t *p, tokd__pretokenizer *x)
{
    json_t *rep = json_object_get(p, "replacement"), *scheme = json_object_get(p, "prepend_scheme");
    const char *s = json_is_string(scheme) ? json_string_value(scheme) : NULL;
    int prepend;
    if (s)
        prepend = !strcmp(s, "always") ? 1 : !strcmp(s, "first") ? 2 : !strcmp(s, "never") ? 0 : -1;
    else
        prepend = json_is_false(json_object_get(p, "add_prefix_space")) ? 0 : 1;
    if (prepend < 0)
        return unsupported(l, "pre_tokenizer Metaspace", "this prepend_scheme");
    return tokd__pretokenizer_metaspace(json_is_string(rep) ? json_string_value(rep) : "\xe2\x96\x81", prepend,
                                        !json_is_false(json_object_get(p, "split")), x);
}

/* ByteLevel: its prefix space, then its own regex (GPT-2's), as two steps. */
static int pre_bytelevel(loader *l, json_t *p)
{
    tokd__pretokenizer x;
    int rc = 0;
    l->byte_level = 1;
    if (flag(p, "add_prefix_space") && (rc = tokd__pretokenizer_prefix_space(&x)) == 0)
        rc = tokd__tokenizer_add_pretokenizer(l->t, x);
    if (rc != 0 || json_is_false(json_object_get(p, "use_regex")))
        return rc;
    const char *gpt2 = tokd__builtin_find("gpt2")->pattern;
    rc = tokd__pretokenizer_split(gpt2, TOKD__SPLIT_ISOLATED, &x, l->err);
    if (rc == 0 && (rc = tokd__tokenizer_add_pretokenizer(l->t, x)) == 0)
        rc = first_pattern(l, gpt2);
    return rc;
}

static int add_pretokenizer(loader *l, json_t *p)
{
    const char *type = type_of(p);
    tokd__pretokenizer x;
    int rc;
    if (!strcmp(type, "ByteLevel"))
        return pre_bytelevel(l, p);
    if (!strcmp(type, "Split"))
        rc = pre_split(l, p, &x);
    else if (!strcmp(type, "Digits"))
        rc = tokd__pretokenizer_digits(flag(p, "individual_digits"), &x);
    else if (!strcmp(type, "Metaspace"))
        rc = pre_metaspace(l, p, &x);
    else
        return unsupported(l, "pre_tokenizer", *type ? type : "a pre-tokenizer without a type");
    return rc ? rc : tokd__tokenizer_add_pretokenizer(l->t, x);
}

/* ---- model: vocabulary and merges ------------------------------------- */

/* A vocabulary entry's bytes: GPT-2's alphabet decoded when byte-level. */
static long token_bytes(const loader *l, const char *s, size_t len, uint8_t *out)
{
    if (l->byte_level)
        return tokd__bytelevel_decode(s, len, out);
    memcpy(out, s, len);
    return (long)len;
}

static int load_vocab(loader *l, json_t *vocab, const char *sha256)
{
    size_t n = json_object_size(vocab), total = 1, i = 0;
    const char *key;
    json_t *v;
    if (!json_is_object(vocab) || n == 0)
        return malformed(l, "model.vocab", "must be a non-empty object of token: id");
    json_object_foreach(vocab, key, v)
        total += strlen(key);
    tokd__rank_entry *e = calloc(n, sizeof *e);
    uint8_t *bytes = malloc(total);
    int rc = e && bytes ? 0 : TOKD_ENOMEM;
    size_t used = 0;
    json_object_foreach(vocab, key, v)
    {
        json_int_t id = json_is_integer(v) ? json_integer_value(v) : -1;
        long len = rc == 0 ? token_bytes(l, key, strlen(key), bytes + used) : 0;
        if (rc == 0 && (id < 0 || id >= UINT32_MAX - 1 || len <= 0)) {
            char where[96];
            snprintf(where, sizeof where, "model.vocab[\"%.40s\"]", key);
            rc = malformed(l, where, len <= 0 ? "is not written in the ByteLevel alphabet" : "needs an id >= 0");
        }
        if (rc == 0) {
            e[i++] = (tokd__rank_entry){bytes + used, (uint32_t)len, (uint32_t)id};
            used += (size_t)len;
        }
    }
    if (rc == 0)
        rc = tokd__vocab_new(e, i, sha256, &l->t->vocab, l->err);
    free(e);
    free(bytes);
    return rc;
}

/* Append the bytes the vocabulary string s[0..len) stands for to
 * l->scratch: 0, 1 when s is not written in the vocabulary's alphabet, or
 * TOKD_ENOMEM. The scratch grows to the longest string looked up, which the
 * file's size (MAX_FILE) bounds. */
static int spell_into(loader *l, const char *s, size_t len)
{
    if (tokd__bytes_reserve(&l->scratch, len) != 0)
        return TOKD_ENOMEM;
    long n = token_bytes(l, s, len, (uint8_t *)l->scratch.data + l->scratch.len);
    if (n <= 0)
        return 1;
    l->scratch.len += (size_t)n;
    return 0;
}

/* The id of the token whose bytes l->scratch holds (TOKD__NO_RANK if none),
 * when `rc` (spell_into's answer) is 0. */
static uint32_t scratch_id(const loader *l, const tokd__rankmap *map, int rc)
{
    return rc == 0 ? tokd__rankmap_get(map, (const uint8_t *)l->scratch.data, l->scratch.len) : TOKD__NO_RANK;
}

/* *id = the id of vocabulary string s[0..len), or TOKD__NO_RANK; returns 0
 * or TOKD_ENOMEM. */
static int vocab_id(loader *l, const tokd__rankmap *map, const char *s, size_t len, uint32_t *id)
{
    l->scratch.len = 0;
    int rc = spell_into(l, s, len);
    *id = scratch_id(l, map, rc);
    return rc < 0 ? rc : 0;
}

typedef struct merge_sides {
    const char *a, *b;
    size_t na, nb;
} merge_sides;

/* One merge, "left right" or ["left", "right"], into its two sides (borrowed
 * from the JSON); -1 for any other shape. */
static int merge_parts(json_t *m, merge_sides *ms)
{
    json_t *a = json_array_get(m, 0), *b = json_array_get(m, 1);
    if (json_is_array(m) && json_array_size(m) == 2 && json_is_string(a) && json_is_string(b)) {
        *ms = (merge_sides){json_string_value(a), json_string_value(b), json_string_length(a), json_string_length(b)};
        return 0;
    }
    if (!json_is_string(m))
        return -1;
    const char *s = json_string_value(m), *sp = strchr(s, ' ');
    size_t len = json_string_length(m);
    if (!sp || strchr(sp + 1, ' '))
        return -1;
    *ms = (merge_sides){s, sp + 1, (size_t)(sp - s), len - (size_t)(sp - s) - 1};
    return 0;
}

/* The ids of a merge's sides and of the token it makes (the two sides'
 * bytes one after the other); TOKD__NO_RANK for any not in the vocabulary. */
static int merge_ids(loader *l, const tokd__rankmap *map, const merge_sides *ms, uint32_t ids[3])
{
    int rc = vocab_id(l, map, ms->a, ms->na, &ids[0]);
    if (rc == 0)
        rc = vocab_id(l, map, ms->b, ms->nb, &ids[1]);
    if (rc != 0)
        return rc;
    l->scratch.len = 0;
    rc = spell_into(l, ms->a, ms->na);
    if (rc == 0)
        rc = spell_into(l, ms->b, ms->nb);
    ids[2] = scratch_id(l, map, rc);
    return rc < 0 ? rc : 0;
}

static int load_merges(loader *l, json_t *merges, const tokd__rankmap *map, tokd__pairmap *pairs)
{
    size_t i;
    json_t *m;
    if (!json_is_array(merges))
        return malformed(l, "model.merges", "must be an array");
    int rc = tokd__pairmap_init(pairs, json_array_size(merges));
    json_array_foreach(merges, i, m)
    {
        merge_sides ms;
        uint32_t ids[3];
        char where[48];
        snprintf(where, sizeof where, "model.merges[%zu]", i);
        if (rc != 0)
            break;
        if (merge_parts(m, &ms) != 0) {
            rc = malformed(l, where, "must be \"left right\" or [left, right]");
            break;
        }
        rc = merge_ids(l, map, &ms, ids);
        if (rc == 0 && (ids[0] == TOKD__NO_RANK || ids[1] == TOKD__NO_RANK || ids[2] == TOKD__NO_RANK))
            rc = malformed(l, where, "names a token (or makes one) that is not in model.vocab");
        else if (rc == 0)
            tokd__pairmap_put(pairs, ids[0], ids[1], (uint32_t)i, ids[2]);
    }
    return rc;
}

static int model_options(loader *l, json_t *model, const tokd__rankmap *map, tokd__merge_bpe_options *o)
{
    json_t *unk = json_object_get(model, "unk_token");
    uint32_t id;
    int rc = 0;
    *o = (tokd__merge_bpe_options){.byte_level = l->byte_level, .ignore_merges = flag(model, "ignore_merges"),
                                   .byte_fallback = flag(model, "byte_fallback"), .unk_id = -1,
                                   .fuse_unk = flag(model, "fuse_unk")};
    if (json_is_string(unk) && (rc = vocab_id(l, map, json_string_value(unk), json_string_length(unk), &id)) == 0) {
        if (id == TOKD__NO_RANK)
            return malformed(l, "model.unk_token", "is not in model.vocab");
        o->unk_id = id;
    }
    for (int b = 0; rc == 0 && o->byte_fallback && b < 256; b++) {
        char name[8];
        snprintf(name, sizeof name, "<0x%02X>", b);
        o->fallback_id[b] = tokd__rankmap_get(map, (const uint8_t *)name, 6);
        if (o->fallback_id[b] == TOKD__NO_RANK)
            rc = malformed(l, "model.byte_fallback", "is true but the vocabulary lacks a <0xXX> token");
    }
    return rc;
}

static int load_model(loader *l, json_t *model, const char *sha256)
{
    const char *type = type_of(model);
    json_t *dropout = json_object_get(model, "dropout");
    json_t *prefix = json_object_get(model, "continuing_subword_prefix");
    json_t *suffix = json_object_get(model, "end_of_word_suffix");
    if (*type && strcmp(type, "BPE") != 0)
        return unsupported(l, "model", type);
    if (!json_object_get(model, "merges"))
        return unsupported(l, "model", "a model without merges (only BPE is supported)");
    if (dropout && !json_is_null(dropout) && json_number_value(dropout) != 0.0)
        return unsupported(l, "model.dropout", "BPE dropout (it makes encoding random)");
    if ((prefix && !json_is_null(prefix) && json_string_length(prefix)) ||
        (suffix && !json_is_null(suffix) && json_string_length(suffix)))
        return unsupported(l, "model", "continuing_subword_prefix / end_of_word_suffix");
    tokd__pairmap merges = {0};
    tokd__merge_bpe_options o;
    int rc = load_vocab(l, json_object_get(model, "vocab"), sha256);
    if (rc == 0)
        rc = load_merges(l, json_object_get(model, "merges"), &l->t->vocab->map, &merges);
    if (rc == 0)
        rc = model_options(l, model, &l->t->vocab->map, &o);
    if (rc == 0)
        return tokd__model_merge_bpe(l->t->vocab, &merges, &o, &l->t->model);
    tokd__pairmap_release(&merges);
    return rc;
}

/* ---- added tokens ----------------------------------------------------- */

/* The id Hugging Face gives an added token (the file's "id" is only compared
 * with it for a warning): the vocabulary's id if its content is a token, the
 * id of an earlier added token with the same content, else the next one
 * after the vocabulary and the added tokens so far. */
static int added_id(loader *l, const tokd__rankmap *map, const tokd__added_token *done, size_t n_done,
                    json_t *content, uint32_t *next, uint32_t *id)
{
    int rc = vocab_id(l, map, json_string_value(content), json_string_length(content), id);
    for (size_t i = 0; rc == 0 && *id == TOKD__NO_RANK && i < n_done; i++)
        if (!strcmp(done[i].text, json_string_value(content)))
            *id = done[i].id;
    if (rc == 0 && *id == TOKD__NO_RANK)
        *id = (*next)++;
    return rc;
}

/* The normalized: true tokens, keyed by their content as the normalizers
 * leave it (Hugging Face matches them in normalized text), each with its
 * index among the special tokens (UINT32_MAX for a non-special one). */
/* A copy of s[0..n) as the normalizers leave it, into *out (malloc'd). */
static int normalized_copy(const tokd_tokenizer *t, const char *s, size_t n, char **out, size_t *len)
{
    tokd__ntext text = tokd__ntext_view(s, n, 0, 0);
    int rc = tokd__normalize(t->norms, t->n_norms, &text);
    *out = rc == 0 ? strndup(text.s, text.n) : NULL;
    *len = text.n;
    tokd__ntext_release(&text);
    return rc ? rc : *out ? 0 : TOKD_ENOMEM;
}

static int index_normalized(loader *l, const tokd__added_token *all, const uint8_t *special, size_t n)
{
    tokd__added *a = &l->t->added;
    size_t k = 0, si = 0, len;
    tokd__added_token *items = calloc(n + 1, sizeof *items);
    a->normalized_special = calloc(n + 1, sizeof *a->normalized_special);
    int rc = items && a->normalized_special ? 0 : TOKD_ENOMEM;
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t index = special[i] ? si++ : SIZE_MAX;
        if (!all[i].normalized)
            continue;
        items[k] = all[i];
        items[k].normalized = 0;
        rc = normalized_copy(l->t, all[i].text, all[i].len, &items[k].text, &len);
        items[k].len = (uint32_t)len;
        a->normalized_special[k++] = index == SIZE_MAX ? UINT32_MAX : (uint32_t)index;
        rc = rc ? rc : len ? 0 : malformed(l, "added_tokens", "a normalized token normalizes to nothing");
    }
    if (rc != 0) {
        for (size_t i = 0; i < k; i++)
            free(items[i].text);
        free(items);
        return rc;
    }
    return tokd__token_set_init(&a->normalized, items, k, l->err);
}

static int load_added(loader *l, json_t *added)
{
    const tokd__rankmap *map = &l->t->vocab->map;
    size_t n = json_array_size(added), n_added = 0, i;
    json_t *a;
    tokd__added_token *all = calloc(n + 1, sizeof *all); /* in file order, to assign ids */
    uint8_t *special = calloc(n + 1, 1);
    uint32_t next = map->n_tokens;
    int rc = all && special ? 0 : TOKD_ENOMEM;
    json_array_foreach(added, i, a)
    {
        json_t *content = json_object_get(a, "content");
        char where[48];
        snprintf(where, sizeof where, "added_tokens[%zu]", i);
        if (rc != 0)
            break;
        if (!json_is_string(content) || !json_string_length(content))
            rc = malformed(l, where, "needs a non-empty \"content\"");
        else {
            tokd__added_token *s = &all[n_added];
            if ((rc = added_id(l, map, all, n_added, content, &next, &s->id)) != 0)
                break;
            s->text = strdup(json_string_value(content));
            s->len = (uint32_t)json_string_length(content);
            s->lstrip = (uint8_t)flag(a, "lstrip");
            s->rstrip = (uint8_t)flag(a, "rstrip");
            s->single_word = (uint8_t)flag(a, "single_word");
            s->normalized = (uint8_t)(flag(a, "normalized") && l->t->n_norms > 0);
            special[n_added++] = (uint8_t)flag(a, "special");
            rc = s->text ? 0 : TOKD_ENOMEM;
        }
    }
    /* split into the special tokens (tokd's allowed/disallowed rules) and
     * the others (always matched) */
    tokd__added_token *spec = rc == 0 ? calloc(n_added + 1, sizeof *spec) : NULL;
    tokd__added_token *plain = rc == 0 ? calloc(n_added + 1, sizeof *plain) : NULL;
    size_t ns = 0, np = 0;
    if (rc == 0 && (!spec || !plain))
        rc = TOKD_ENOMEM;
    for (i = 0; rc == 0 && i < n_added; i++) {
        if (special[i])
            spec[ns++] = all[i];
        else
            plain[np++] = all[i];
    }
    if (rc == 0)
        rc = index_normalized(l, all, special, n_added);
    if (rc == 0) {
        free(all);
        free(special);
        rc = tokd__token_set_init(&l->t->added.specials, spec, ns, l->err);
        if (rc == 0)
            return tokd__token_set_init(&l->t->added.plain, plain, np, l->err);
        for (i = 0; i < np; i++) /* the specials' set owns theirs now, even on failure */
            free(plain[i].text);
        free(plain);
        return rc;
    }
    for (i = 0; all && i < n_added; i++)
        free(all[i].text);
    free(all);
    free(special);
    free(spec);
    free(plain);
    return rc;
}

/* ---- post-processor and decoder ---------------------------------------- */

static int template_ids(loader *l, json_t *tp, json_t *item, uint32_t **ids, size_t *n)
{
    json_t *name = json_object_get(json_object_get(item, "SpecialToken"), "id");
    json_t *list = json_object_get(json_object_get(json_object_get(tp, "special_tokens"), json_string_value(name)), "ids");
    size_t k;
    json_t *v;
    if (!json_is_string(name) || !json_is_array(list))
        return malformed(l, "post_processor.single", "names a special token missing from special_tokens");
    json_array_foreach(list, k, v)
    {
        uint32_t *p = realloc(*ids, (*n + 1) * sizeof *p);
        if (!p || !json_is_integer(v))
            return p ? malformed(l, "post_processor.special_tokens", "ids must be integers") : TOKD_ENOMEM;
        *ids = p;
        (*ids)[(*n)++] = (uint32_t)json_integer_value(v);
    }
    return 0;
}

static int add_post(loader *l, json_t *p)
{
    const char *type = type_of(p);
    tokd_tokenizer *t = l->t;
    if (!strcmp(type, "ByteLevel"))
        return 0; /* it only trims offsets */
    if (strcmp(type, "TemplateProcessing") != 0)
        return unsupported(l, "post_processor", type);
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

static int decoder_step(loader *l, json_t *d, const char *type, tokd__decoder *x)
{
    if (!strcmp(type, "ByteFallback"))
        return tokd__decoder_byte_fallback(x);
    if (!strcmp(type, "Fuse"))
        return tokd__decoder_fuse(x);
    if (!strcmp(type, "Replace")) {
        json_t *pat = json_object_get(json_object_get(d, "pattern"), "String"), *c = json_object_get(d, "content");
        if (!json_is_string(pat) || !json_string_length(pat) || !json_is_string(c))
            return unsupported(l, "decoder Replace", "a pattern other than a non-empty String");
        return tokd__decoder_replace(json_string_value(pat), json_string_value(c), x);
    }
    if (!strcmp(type, "Strip")) {
        json_t *c = json_object_get(d, "content");
        if (!json_is_string(c) || strcmp(json_string_value(c), " ") != 0 ||
            json_integer_value(json_object_get(d, "stop")) != 0)
            return unsupported(l, "decoder Strip", "stripping other than leading spaces");
        return tokd__decoder_strip((int)json_integer_value(json_object_get(d, "start")), x);
    }
    if (!strcmp(type, "Metaspace")) {
        json_t *rep = json_object_get(d, "replacement"), *scheme = json_object_get(d, "prepend_scheme");
        return tokd__decoder_metaspace(json_is_string(rep) ? json_string_value(rep) : "\xe2\x96\x81",
                                       !(json_is_string(scheme) && !strcmp(json_string_value(scheme), "never")), x);
    }
    return unsupported(l, "decoder", *type ? type : "a decoder without a type");
}

static int add_decoder(loader *l, json_t *d)
{
    const char *type = type_of(d);
    tokd__decoder x;
    if (!strcmp(type, "ByteLevel")) {
        l->dec_byte_level = 1;
        return 0;
    }
    int rc = decoder_step(l, d, type, &x);
    return rc ? rc : tokd__tokenizer_add_decoder(l->t, x);
}

/* ---- the whole file ----------------------------------------------------- */

/* The first regex among the pre-tokenizers is the one reported. */
static int first_pattern(loader *l, const char *pattern)
{
    return *l->t->pattern ? 0 : tokd__tokenizer_set_pattern(l->t, pattern);
}

/* An added token may reuse a vocabulary id only for the same text (as
 * tokenizer.json files do for <s>, <unk>); a byte-level vocabulary needs a
 * token for every byte. */
static int check_vocab(const loader *l)
{
    const tokd__rankmap *m = &l->t->vocab->map;
    const tokd__token_set *ss = &l->t->added.specials;
    for (size_t i = 0; i < ss->n; i++) {
        const tokd__added_token *s = &ss->items[i];
        uint32_t len = tokd__rankmap_len(m, s->id);
        if (len && (len != s->len || memcmp(m->bytes + m->offset[s->id], s->text, len) != 0))
            return tokd_error_set(l->err, TOKD_EFORMAT, "special token %s has id %u, which is another token already",
                                  s->text, s->id);
    }
    for (int b = 0; l->byte_level && b < 256; b++)
        if (m->byte_rank[b] == TOKD__NO_RANK)
            return tokd_error_set(l->err, TOKD_EUNSUPPORTED,
                                  "the vocabulary has no token for byte 0x%02x; tokd needs byte-level BPE", b);
    return 0;
}

static int load_parts(loader *l, json_t *root, const char *sha256)
{
    json_t *trunc = json_object_get(root, "truncation"), *pad = json_object_get(root, "padding");
    if ((trunc && !json_is_null(trunc)) || (pad && !json_is_null(pad)))
        return unsupported(l, "truncation / padding", "a file that sets them");
    int rc = each_step(l, json_object_get(root, "normalizer"), "normalizers", add_normalizer);
    if (rc == 0)
        rc = each_step(l, json_object_get(root, "pre_tokenizer"), "pretokenizers", add_pretokenizer);
    if (rc == 0)
        rc = load_model(l, json_object_get(root, "model"), sha256);
    if (rc == 0)
        rc = each_step(l, json_object_get(root, "post_processor"), "processors", add_post);
    if (rc == 0)
        rc = each_step(l, json_object_get(root, "decoder"), "decoders", add_decoder);
    if (rc == 0 && l->dec_byte_level) /* tokens decode to their bytes, as tokd has always done */
        tokd__tokenizer_drop_decoders(l->t);
    if (rc == 0)
        rc = load_added(l, json_object_get(root, "added_tokens"));
    if (rc == 0)
        rc = check_vocab(l);
    return rc ? rc : tokd__tokenizer_finish(l->t);
}

static int hash_mismatch(const char *path, const char *sha, const char *expect, tokd_error *err)
{
    return tokd_error_set(err, TOKD_EHASH,
                          "%s has SHA-256 %s but %s is expected: the file was changed or truncated; restore "
                          "it from the tokd source tree",
                          path, sha, expect);
}

int tokd__hf_load(const char *path, const char *name, const char *expect_sha256, tokd_tokenizer **out,
                  tokd_error *err)
{
    char *text, sha[65];
    size_t len;
    int rc = tokd__read_file(path, MAX_FILE, &text, &len, err);
    if (rc != 0)
        return rc;
    tokd__sha256_hex(text, len, sha);
    if (expect_sha256 && strcmp(sha, expect_sha256) != 0) {
        free(text);
        return hash_mismatch(path, sha, expect_sha256, err);
    }
    json_t *root = NULL;
    int parsed = tokd__json_parse(path, text, len, JSON_REJECT_DUPLICATES, &root, err);
    loader l = {path, err, tokd__tokenizer_alloc(name, "huggingface"), 0, 0, {0}};
    free(text);
    if (parsed != 0)
        rc = parsed;
    else if (!l.t)
        rc = TOKD_ENOMEM;
    else
        rc = load_parts(&l, root, sha);
    tokd_bytes_release(&l.scratch);
    json_decref(root);
    if (rc != 0) {
        tokd_tokenizer_unref(l.t);
        return rc;
    }
    *out = l.t;
    return 0;
}
