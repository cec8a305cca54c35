/* hf_load.c - reading a Hugging Face tokenizer.json with a BPE model.
 *
 * Every feature is checked against what hf_encode.c implements; anything
 * else (another model type, an unknown normalizer, a Split behaviour other
 * than Isolated, dropout, ...) is refused with TOKD_EUNSUPPORTED naming the
 * JSON path, never approximated. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "bytelevel.h"
#include "hf.h"
#include "registry.h"
#include "sha256.h"
#include "tiktoken_file.h"
#include "tokenizer_impl.h"

#define MAX_FILE (512u << 20)

typedef struct loader {
    const char *path;
    tokd_error *err;
    tokd__hf *hf;
    tokd_bytes scratch; /* a token's bytes while it is looked up; grows with the longest string of the file */
} loader;

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

static void normalizer_release(tokd__hf_normalizer *x)
{
    free(x->a);
    free(x->b);
}

static int add_normalizer(loader *l, json_t *n)
{
    const char *type = type_of(n);
    tokd__hf_normalizer x = {0};
    int need_b = 0;
    if (!strcmp(type, "Prepend") && json_is_string(json_object_get(n, "prepend"))) {
        x = (tokd__hf_normalizer){TOKD__NORM_PREPEND, strdup(json_string_value(json_object_get(n, "prepend"))), NULL};
    } else if (!strcmp(type, "Replace")) {
        json_t *pat = json_object_get(json_object_get(n, "pattern"), "String"), *c = json_object_get(n, "content");
        if (!json_is_string(pat) || !json_is_string(c) || !json_string_length(pat))
            return unsupported(l, "normalizer Replace", "a pattern other than a non-empty String");
        x = (tokd__hf_normalizer){TOKD__NORM_REPLACE, strdup(json_string_value(pat)), strdup(json_string_value(c))};
        need_b = 1;
    } else if (!strcmp(type, "NFC")) {
        x = (tokd__hf_normalizer){TOKD__NORM_NFC, strdup(""), NULL};
    } else {
        return unsupported(l, "normalizer", *type ? type : "a normalizer without a type");
    }
    tokd__hf *hf = l->hf;
    /* the array is grown and stored before anything can fail after it, so a
     * failure leaves hf->norms valid and x the only owner of its strings */
    tokd__hf_normalizer *v = realloc(hf->norms, (hf->n_norms + 1) * sizeof *v);
    if (v)
        hf->norms = v;
    if (!v || !x.a || (need_b && !x.b)) {
        normalizer_release(&x);
        return TOKD_ENOMEM;
    }
    hf->norms[hf->n_norms++] = x;
    return 0;
}

/* ---- pre-tokenizer ---------------------------------------------------- */

static int pre_split(loader *l, json_t *p, tokd__hf_pretokenizer *x)
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
    x->behavior = (enum tokd__hf_behavior)b;
    if (flag(p, "invert"))
        return unsupported(l, "pre_tokenizer Split", "invert: true");
    x->kind = TOKD__PRE_SPLIT;
    x->has_re = 1;
    return tokd__pretok_init(&x->re, json_string_value(re), 1, l->err);
}

static int pre_metaspace(loader *l, json_t *p, tokd__hf_pretokenizer *x)
{
    json_t *rep = json_object_get(p, "replacement"), *scheme = json_object_get(p, "prepend_scheme");
    const char *s = json_is_string(scheme) ? json_string_value(scheme) : NULL;
    x->kind = TOKD__PRE_METASPACE;
    x->replacement = strdup(json_is_string(rep) ? json_string_value(rep) : "\xe2\x96\x81");
    x->split = !json_is_false(json_object_get(p, "split"));
    if (s)
        x->prepend = !strcmp(s, "always") ? 1 : !strcmp(s, "first") ? 2 : !strcmp(s, "never") ? 0 : -1;
    else
        x->prepend = json_is_false(json_object_get(p, "add_prefix_space")) ? 0 : 1;
    if (x->prepend < 0)
        return unsupported(l, "pre_tokenizer Metaspace", "this prepend_scheme");
    return x->replacement ? 0 : TOKD_ENOMEM;
}

static int add_pretokenizer(loader *l, json_t *p)
{
    const char *type = type_of(p);
    tokd__hf_pretokenizer x = {0};
    int rc = 0;
    if (!strcmp(type, "Split")) {
        rc = pre_split(l, p, &x);
    } else if (!strcmp(type, "ByteLevel")) {
        x.kind = TOKD__PRE_BYTELEVEL;
        x.add_prefix_space = flag(p, "add_prefix_space");
        x.has_re = !json_is_false(json_object_get(p, "use_regex"));
        l->hf->byte_level = 1;
        if (x.has_re)
            rc = tokd__pretok_init(&x.re, tokd__builtin_find("gpt2")->pattern, 1, l->err); /* ByteLevel's own regex */
    } else if (!strcmp(type, "Digits")) {
        x.kind = TOKD__PRE_DIGITS;
        x.individual = flag(p, "individual_digits");
    } else if (!strcmp(type, "Metaspace")) {
        rc = pre_metaspace(l, p, &x);
    } else {
        return unsupported(l, "pre_tokenizer", *type ? type : "a pre-tokenizer without a type");
    }
    tokd__hf *hf = l->hf;
    tokd__hf_pretokenizer *v = rc == 0 ? realloc(hf->pres, (hf->n_pres + 1) * sizeof *v) : NULL;
    if (!v) {
        if (x.has_re)
            tokd__pretok_release(&x.re);
        free(x.replacement);
        return rc ? rc : TOKD_ENOMEM;
    }
    hf->pres = v;
    hf->pres[hf->n_pres++] = x;
    return 0;
}

/* ---- model: vocabulary and merges ------------------------------------- */

/* A vocabulary entry's bytes: GPT-2's alphabet decoded when byte-level. */
static long token_bytes(const loader *l, const char *s, size_t len, uint8_t *out)
{
    if (l->hf->byte_level)
        return tokd__bytelevel_decode(s, len, out);
    memcpy(out, s, len);
    return (long)len;
}

static int load_vocab(loader *l, json_t *vocab, tokd__rankmap *map)
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
        rc = tokd__rankmap_init(map, e, i, l->err);
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

static int load_merges(loader *l, json_t *merges, const tokd__rankmap *map)
{
    size_t i;
    json_t *m;
    if (!json_is_array(merges))
        return malformed(l, "model.merges", "must be an array");
    int rc = tokd__pairmap_init(&l->hf->merges, json_array_size(merges));
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
            tokd__pairmap_put(&l->hf->merges, ids[0], ids[1], (uint32_t)i, ids[2]);
    }
    return rc;
}

static int load_model(loader *l, json_t *model, tokd__rankmap *map)
{
    const char *type = type_of(model);
    json_t *dropout = json_object_get(model, "dropout"), *unk = json_object_get(model, "unk_token");
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
    int rc = load_vocab(l, json_object_get(model, "vocab"), map);
    if (rc == 0)
        rc = load_merges(l, json_object_get(model, "merges"), map);
    tokd__hf *hf = l->hf;
    hf->byte_fallback = flag(model, "byte_fallback");
    hf->fuse_unk = flag(model, "fuse_unk");
    hf->model.whole_first = flag(model, "ignore_merges");
    hf->unk_id = -1;
    uint32_t id;
    if (rc == 0 && json_is_string(unk) &&
        (rc = vocab_id(l, map, json_string_value(unk), json_string_length(unk), &id)) == 0) {
        if (id == TOKD__NO_RANK)
            return malformed(l, "model.unk_token", "is not in model.vocab");
        hf->unk_id = id;
    }
    for (int b = 0; rc == 0 && hf->byte_fallback && b < 256; b++) {
        char name[8];
        snprintf(name, sizeof name, "<0x%02X>", b);
        hf->fallback_id[b] = tokd__rankmap_get(map, (const uint8_t *)name, 6);
        if (hf->fallback_id[b] == TOKD__NO_RANK)
            rc = malformed(l, "model.byte_fallback", "is true but the vocabulary lacks a <0xXX> token");
    }
    return rc;
}

/* ---- added tokens ----------------------------------------------------- */

/* The id Hugging Face gives an added token (the file's "id" is only compared
 * with it for a warning): the vocabulary's id if its content is a token, the
 * id of an earlier added token with the same content, else the next one
 * after the vocabulary and the added tokens so far. */
static int added_id(loader *l, const tokd__rankmap *map, const tokd__special *done, size_t n_done,
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
static int index_normalized(loader *l, const tokd__special *all, const uint8_t *special, size_t n)
{
    tokd__hf *hf = l->hf;
    size_t k = 0, si = 0;
    tokd__special *items = calloc(n + 1, sizeof *items);
    hf->norm_special = calloc(n + 1, sizeof *hf->norm_special);
    int rc = items && hf->norm_special ? 0 : TOKD_ENOMEM;
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t index = special[i] ? si++ : SIZE_MAX;
        if (!all[i].normalized)
            continue;
        tokd_bytes text = {0};
        rc = tokd__hf_normalize(hf, (const uint8_t *)all[i].text, all[i].len, &text);
        items[k] = all[i];
        items[k].text = text.data;
        items[k].len = (uint32_t)text.len;
        items[k].normalized = 0;
        hf->norm_special[k++] = index == SIZE_MAX ? UINT32_MAX : (uint32_t)index;
        rc = rc ? rc : text.len ? 0 : malformed(l, "added_tokens", "a normalized token normalizes to nothing");
    }
    if (rc != 0) {
        for (size_t i = 0; i < k; i++)
            free(items[i].text);
        free(items);
        return rc;
    }
    return tokd__specials_init(&hf->norm, items, k, l->err);
}

static int load_added(loader *l, json_t *added, const tokd__rankmap *map, tokd__special **sp, size_t *n_sp)
{
    size_t n = json_array_size(added), n_added = 0, i;
    json_t *a;
    tokd__special *all = calloc(n + 1, sizeof *all); /* in file order, to assign ids */
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
            tokd__special *s = &all[n_added];
            if ((rc = added_id(l, map, all, n_added, content, &next, &s->id)) != 0)
                break;
            s->text = strdup(json_string_value(content));
            s->len = (uint32_t)json_string_length(content);
            s->lstrip = (uint8_t)flag(a, "lstrip");
            s->rstrip = (uint8_t)flag(a, "rstrip");
            s->single_word = (uint8_t)flag(a, "single_word");
            s->normalized = (uint8_t)(flag(a, "normalized") && l->hf->n_norms > 0);
            special[n_added++] = (uint8_t)flag(a, "special");
            rc = s->text ? 0 : TOKD_ENOMEM;
        }
    }
    /* split into the special tokens (tokd's allowed/disallowed rules) and
     * the others (always matched) */
    tokd__special *spec = rc == 0 ? calloc(n_added + 1, sizeof *spec) : NULL;
    tokd__special *plain = rc == 0 ? calloc(n_added + 1, sizeof *plain) : NULL;
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
        *sp = spec;
        *n_sp = ns;
        return tokd__specials_init(&l->hf->added, plain, np, l->err);
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
    tokd__hf *hf = l->hf;
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
            rc = seen_a ? template_ids(l, p, item, &hf->suffix, &hf->n_suffix)
                        : template_ids(l, p, item, &hf->prefix, &hf->n_prefix);
    }
    return rc;
}

static int add_decoder(loader *l, json_t *d)
{
    const char *type = type_of(d);
    tokd__hf *hf = l->hf;
    if (!strcmp(type, "ByteLevel")) {
        hf->dec_byte_level = 1;
    } else if (!strcmp(type, "ByteFallback")) {
        hf->dec_byte_fallback = 1;
    } else if (!strcmp(type, "Fuse")) {
        return 0;
    } else if (!strcmp(type, "Replace")) {
        json_t *pat = json_object_get(json_object_get(d, "pattern"), "String"), *c = json_object_get(d, "content");
        if (!json_is_string(pat) || !json_is_string(c) || hf->dec_from)
            return unsupported(l, "decoder Replace", "a pattern other than one String");
        hf->dec_from = strdup(json_string_value(pat));
        hf->dec_to = strdup(json_string_value(c));
        return hf->dec_from && hf->dec_to ? 0 : TOKD_ENOMEM;
    } else if (!strcmp(type, "Strip")) {
        json_t *c = json_object_get(d, "content");
        if (!json_is_string(c) || strcmp(json_string_value(c), " ") != 0 ||
            json_integer_value(json_object_get(d, "stop")) != 0)
            return unsupported(l, "decoder Strip", "stripping other than leading spaces");
        hf->dec_strip = (int)json_integer_value(json_object_get(d, "start"));
    } else if (!strcmp(type, "Metaspace")) {
        json_t *rep = json_object_get(d, "replacement"), *scheme = json_object_get(d, "prepend_scheme");
        hf->dec_from = strdup(json_is_string(rep) ? json_string_value(rep) : "\xe2\x96\x81");
        hf->dec_to = strdup(" ");
        hf->dec_first_drop = !(json_is_string(scheme) && !strcmp(json_string_value(scheme), "never"));
        return hf->dec_from && hf->dec_to ? 0 : TOKD_ENOMEM;
    } else {
        return unsupported(l, "decoder", *type ? type : "a decoder without a type");
    }
    return 0;
}

/* ---- the whole file ----------------------------------------------------- */

void tokd__hf_free(tokd__hf *hf)
{
    if (!hf)
        return;
    for (size_t i = 0; i < hf->n_norms; i++) {
        free(hf->norms[i].a);
        free(hf->norms[i].b);
    }
    for (size_t i = 0; i < hf->n_pres; i++) {
        if (hf->pres[i].has_re)
            tokd__pretok_release(&hf->pres[i].re);
        free(hf->pres[i].replacement);
    }
    free(hf->norms);
    free(hf->pres);
    tokd__pairmap_release(&hf->merges);
    tokd__specials_release(&hf->added);
    tokd__specials_release(&hf->norm);
    free(hf->norm_special);
    free(hf->prefix);
    free(hf->suffix);
    free(hf->dec_from);
    free(hf->dec_to);
    free(hf);
}

static int load_parts(loader *l, json_t *root, tokd__rankmap *map, tokd__special **sp, size_t *n_sp)
{
    json_t *trunc = json_object_get(root, "truncation"), *pad = json_object_get(root, "padding");
    if ((trunc && !json_is_null(trunc)) || (pad && !json_is_null(pad)))
        return unsupported(l, "truncation / padding", "a file that sets them");
    int rc = each_step(l, json_object_get(root, "normalizer"), "normalizers", add_normalizer);
    if (rc == 0)
        rc = each_step(l, json_object_get(root, "pre_tokenizer"), "pretokenizers", add_pretokenizer);
    if (rc == 0)
        rc = load_model(l, json_object_get(root, "model"), map);
    if (rc == 0)
        rc = each_step(l, json_object_get(root, "post_processor"), "processors", add_post);
    if (rc == 0)
        rc = each_step(l, json_object_get(root, "decoder"), "decoders", add_decoder);
    if (rc == 0)
        rc = load_added(l, json_object_get(root, "added_tokens"), map, sp, n_sp);
    return rc;
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
        return tokd_error_set(err, TOKD_EHASH,
                              "%s has SHA-256 %s but %s is expected: the file was changed or truncated; restore "
                              "it from the tokd source tree",
                              path, sha, expect_sha256);
    }
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    tokd__ranks *r = calloc(1, sizeof *r);
    tokd__hf *hf = calloc(1, sizeof *hf);
    loader l = {path, err, hf, {0}};
    tokd__special *sp = NULL;
    size_t n_sp = 0;
    if (!root)
        rc = tokd_error_set(err, TOKD_EFORMAT, "%s line %d: %s", path, je.line, je.text);
    else if (!r || !hf)
        rc = TOKD_ENOMEM;
    else
        rc = load_parts(&l, root, &r->map, &sp, &n_sp);
    tokd_bytes_release(&l.scratch);
    if (r)
        memcpy(r->sha256, sha, sizeof sha);
    free(text);
    json_decref(root);
    if (rc != 0) {
        for (size_t i = 0; i < n_sp; i++)
            free(sp[i].text);
        free(sp);
        if (r)
            tokd__rankmap_release(&r->map);
        free(r);
        tokd__hf_free(hf);
        return rc;
    }
    atomic_init(&r->refs, 1);
    hf->model = (tokd__bpe_model){&r->map, &hf->merges, hf->model.whole_first};
    const char *pattern = "";
    for (size_t i = 0; i < hf->n_pres; i++)
        if (hf->pres[i].has_re && !*pattern)
            pattern = hf->pres[i].re.pattern;
    return tokd__tokenizer_new_hf(name, r, pattern, sp, n_sp, hf, out, err);
}
