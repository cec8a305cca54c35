/* hf_model.c - a tokenizer.json "model": its vocabulary (vocab.h) and the
 * model step (model.h). Every string is looked up through the loader's
 * growable scratch buffer, so no token is too long for the loader. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytelevel.h"
#include "hf_loader.h"
#include "model_bpe.h"
#include "model_wordlevel.h"
#include "model_wordpiece.h"

/* A vocabulary string's bytes: GPT-2's alphabet decoded when byte-level;
 * -1 if it is not written in that alphabet. */
static long token_bytes(const tokd__hf_loader *l, const char *s, size_t len, uint8_t *out)
{
    if (l->byte_level)
        return tokd__bytelevel_decode(s, len, out);
    memcpy(out, s, len);
    return (long)len;
}

/* A vocabulary entry's bytes. An entry of a byte-level vocabulary that is
 * not written in its alphabet (deepseek_v3's "<｜begin▁of▁sentence｜>")
 * can only be produced as an added token, and Hugging Face's ByteLevel
 * decoder gives such a token's own UTF-8: so are its bytes. */
static long entry_bytes(const tokd__hf_loader *l, const char *s, size_t len, uint8_t *out)
{
    long n = token_bytes(l, s, len, out);
    if (n > 0 || len == 0)
        return n;
    memcpy(out, s, len);
    return (long)len;
}

static int load_vocab(tokd__hf_loader *l, json_t *vocab, const char *sha256)
{
    size_t n = json_object_size(vocab), total = 1, i = 0;
    const char *key;
    json_t *v;
    if (!json_is_object(vocab) || n == 0)
        return tokd__hf_malformed(l, "model.vocab", "must be a non-empty object of token: id");
    json_object_foreach(vocab, key, v)
        total += strlen(key);
    tokd__rank_entry *e = calloc(n, sizeof *e);
    uint8_t *bytes = malloc(total);
    int rc = e && bytes ? 0 : TOKD_ENOMEM;
    size_t used = 0;
    json_object_foreach(vocab, key, v)
    {
        json_int_t id = json_is_integer(v) ? json_integer_value(v) : -1;
        long len = rc == 0 ? entry_bytes(l, key, strlen(key), bytes + used) : 0;
        if (rc == 0 && (id < 0 || id >= UINT32_MAX - 1 || len <= 0)) {
            char where[96];
            snprintf(where, sizeof where, "model.vocab[\"%.40s\"]", key);
            rc = tokd__hf_malformed(l, where, len <= 0 ? "is an empty token" : "needs an id >= 0");
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

/* Append the bytes the vocabulary string s[0..len) stands for (as
 * entry_bytes) to l->scratch: 0, 1 when s is empty, or TOKD_ENOMEM. The scratch grows to the longest string looked up, which the
 * file's size (MAX_FILE) bounds. */
static int spell_into(tokd__hf_loader *l, const char *s, size_t len)
{
    if (tokd__bytes_reserve(&l->scratch, len) != 0)
        return TOKD_ENOMEM;
    long n = entry_bytes(l, s, len, (uint8_t *)l->scratch.data + l->scratch.len);
    if (n <= 0)
        return 1;
    l->scratch.len += (size_t)n;
    return 0;
}

/* The id of the token whose bytes l->scratch holds (TOKD__NO_RANK if none),
 * when `rc` (spell_into's answer) is 0. */
static uint32_t scratch_id(const tokd__hf_loader *l, const tokd__rankmap *map, int rc)
{
    return rc == 0 ? tokd__rankmap_get(map, (const uint8_t *)l->scratch.data, l->scratch.len) : TOKD__NO_RANK;
}

/* *id = the id of vocabulary string s[0..len), or TOKD__NO_RANK; returns 0
 * or TOKD_ENOMEM. */
int tokd__hf_vocab_id(tokd__hf_loader *l, const tokd__rankmap *map, const char *s, size_t len, uint32_t *id)
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
 * bytes one after the other, the right one without the first n_prefix
 * bytes of its string, as Hugging Face builds it with a
 * continuing_subword_prefix); TOKD__NO_RANK for any not in the vocabulary. */
static int merge_ids(tokd__hf_loader *l, const tokd__rankmap *map, const merge_sides *ms, size_t n_prefix,
                     uint32_t ids[3])
{
    int rc = tokd__hf_vocab_id(l, map, ms->a, ms->na, &ids[0]);
    if (rc == 0)
        rc = tokd__hf_vocab_id(l, map, ms->b, ms->nb, &ids[1]);
    if (rc != 0)
        return rc;
    l->scratch.len = 0;
    rc = spell_into(l, ms->a, ms->na);
    if (rc == 0 && ms->nb > n_prefix)
        rc = spell_into(l, ms->b + n_prefix, ms->nb - n_prefix);
    ids[2] = scratch_id(l, map, rc);
    return rc < 0 ? rc : 0;
}

static int load_merges(tokd__hf_loader *l, json_t *merges, const tokd__rankmap *map, size_t n_prefix,
                       tokd__pairmap *pairs)
{
    size_t i;
    json_t *m;
    if (!json_is_array(merges))
        return tokd__hf_malformed(l, "model.merges", "must be an array");
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
            rc = tokd__hf_malformed(l, where, "must be \"left right\" or [left, right]");
            break;
        }
        rc = merge_ids(l, map, &ms, n_prefix, ids);
        if (rc == 0 && (ids[0] == TOKD__NO_RANK || ids[1] == TOKD__NO_RANK || ids[2] == TOKD__NO_RANK))
            rc = tokd__hf_malformed(l, where, "names a token (or makes one) that is not in model.vocab");
        else if (rc == 0)
            tokd__pairmap_put(pairs, ids[0], ids[1], (uint32_t)i, ids[2]);
    }
    return rc;
}

/* model[key], a string or null (empty), or `dflt` when absent, as bytes of
 * the vocabulary's alphabet into *out (empty before). */
static int affix(tokd__hf_loader *l, json_t *model, const char *key, const char *dflt, tokd__affix *out)
{
    json_t *v = json_object_get(model, key);
    char where[48];
    snprintf(where, sizeof where, "model.%s", key);
    if (v && !json_is_null(v) && !json_is_string(v))
        return tokd__hf_malformed(l, where, "must be a string or null");
    const char *s = !v ? dflt : json_is_string(v) ? json_string_value(v) : NULL;
    size_t len = s ? (v ? json_string_length(v) : strlen(s)) : 0;
    if (!len)
        return 0;
    if (!(out->s = malloc(len)))
        return TOKD_ENOMEM;
    long got = token_bytes(l, s, len, out->s);
    if (got <= 0)
        return tokd__hf_unsupported(l, where, "an affix outside the ByteLevel alphabet");
    out->n = (size_t)got;
    return 0;
}

/* model.unk_token's id into *unk (`dflt` when the key is absent, as
 * WordPiece and WordLevel default it): -1 if none, TOKD__UNK_MISSING if the
 * vocabulary lacks it (Hugging Face fails only the encodes that need it). */
static int unk_option(tokd__hf_loader *l, json_t *model, const tokd__rankmap *map, const char *dflt, long *unk)
{
    json_t *v = json_object_get(model, "unk_token");
    const char *name = json_is_string(v) ? json_string_value(v) : v ? NULL : dflt;
    uint32_t id;
    *unk = -1;
    if (!name)
        return 0;
    int rc = tokd__hf_vocab_id(l, map, name, strlen(name), &id);
    *unk = id == TOKD__NO_RANK ? TOKD__UNK_MISSING : (long)id;
    return rc;
}

/* The <0xXX> tokens the vocabulary has (Hugging Face falls back to unk
 * for a character with a byte whose token is missing). */
static int fallback_ids(tokd__hf_loader *l, const tokd__rankmap *map, uint32_t ids[256])
{
    int rc = 0;
    for (int b = 0; rc == 0 && b < 256; b++) {
        char name[8];
        snprintf(name, sizeof name, "<0x%02X>", b);
        rc = tokd__hf_vocab_id(l, map, name, 6, &ids[b]);
    }
    return rc;
}

static int model_options(tokd__hf_loader *l, json_t *model, const tokd__rankmap *map, tokd__merge_bpe_options *o)
{
    *o = (tokd__merge_bpe_options){.byte_level = l->byte_level, .ignore_merges = tokd__hf_flag(model, "ignore_merges"),
                                   .byte_fallback = tokd__hf_flag(model, "byte_fallback"),
                                   .fuse_unk = tokd__hf_flag(model, "fuse_unk")};
    int rc = affix(l, model, "continuing_subword_prefix", NULL, &o->prefix);
    if (rc == 0)
        rc = affix(l, model, "end_of_word_suffix", NULL, &o->suffix);
    if (rc == 0)
        rc = unk_option(l, model, map, NULL, &o->unk_id);
    if (rc == 0 && o->byte_fallback)
        rc = fallback_ids(l, map, o->fallback_id);
    return rc;
}

/* model.type "BPE": a vocabulary, a merge list and its options. */
static int load_bpe(tokd__hf_loader *l, json_t *model, const char *sha256)
{
    json_t *dropout = json_object_get(model, "dropout");
    if (dropout && !json_is_null(dropout) && json_number_value(dropout) != 0.0)
        return tokd__hf_unsupported(l, "model.dropout", "BPE dropout (it makes encoding random)");
    tokd__pairmap merges = {0};
    tokd__merge_bpe_options o = {0};
    int rc = load_vocab(l, json_object_get(model, "vocab"), sha256);
    if (rc == 0)
        rc = model_options(l, model, &l->t->vocab->map, &o);
    if (rc == 0)
        rc = load_merges(l, json_object_get(model, "merges"), &l->t->vocab->map, o.prefix.n, &merges);
    if (rc == 0)
        return tokd__model_merge_bpe(l->t->vocab, &merges, &o, &l->t->model);
    tokd__pairmap_release(&merges);
    tokd__merge_bpe_options_release(&o);
    return rc;
}

/* model.type "WordPiece": a vocabulary, continuing_subword_prefix ("##"),
 * max_input_chars_per_word (100), unk_token ("[UNK]"). */
static int load_wordpiece(tokd__hf_loader *l, json_t *model, const char *sha256)
{
    json_t *max = json_object_get(model, "max_input_chars_per_word");
    tokd__wordpiece_options o = {.byte_level = l->byte_level, .max_chars = 100};
    long unk = -1;
    if (max && !(json_is_integer(max) && json_integer_value(max) >= 0))
        return tokd__hf_malformed(l, "model.max_input_chars_per_word", "must be an integer >= 0");
    if (max)
        o.max_chars = (size_t)json_integer_value(max);
    int rc = load_vocab(l, json_object_get(model, "vocab"), sha256);
    if (rc == 0)
        rc = affix(l, model, "continuing_subword_prefix", "##", &o.prefix);
    if (rc == 0)
        rc = unk_option(l, model, &l->t->vocab->map, "[UNK]", &unk);
    o.unk_id = unk < 0 ? -1 : unk;
    if (rc == 0)
        return tokd__model_wordpiece(l->t->vocab, &o, &l->t->model);
    free(o.prefix.s);
    return rc;
}

/* model.type "WordLevel": a vocabulary and unk_token ("<unk>"). */
static int load_wordlevel(tokd__hf_loader *l, json_t *model, const char *sha256)
{
    long unk = -1;
    int rc = load_vocab(l, json_object_get(model, "vocab"), sha256);
    if (rc == 0)
        rc = unk_option(l, model, &l->t->vocab->map, "<unk>", &unk);
    return rc ? rc : tokd__model_wordlevel(l->t->vocab, unk < 0 ? -1 : unk, &l->t->model);
}

/* model.type -> its loader; NULL: a model tokd refuses by name. */
typedef int (*model_loader)(tokd__hf_loader *l, json_t *model, const char *sha256);

static const struct model_kind {
    const char *type;
    model_loader load;
} model_kinds[] = {
    {"BPE", load_bpe},
    {"WordPiece", load_wordpiece},
    {"WordLevel", load_wordlevel},
    {"Unigram", tokd__hf_unigram},
};

/* A model without "type" is a BPE model if it has merges (as Hugging Face
 * reads an untagged model); otherwise it is refused. */
int tokd__hf_model(tokd__hf_loader *l, json_t *model, const char *sha256)
{
    const char *type = tokd__hf_type(model);
    if (!*type && json_object_get(model, "merges"))
        type = "BPE";
    for (size_t i = 0; i < sizeof model_kinds / sizeof model_kinds[0]; i++)
        if (!strcmp(type, model_kinds[i].type))
            return model_kinds[i].load ? model_kinds[i].load(l, model, sha256)
                                       : tokd__hf_unsupported(l, "model", type);
    return tokd__hf_unsupported(l, "model", *type ? type : "a model without a type or merges");
}
