/* train_hf.c - a trained tokenizer as a Hugging Face tokenizer.json.
 *
 * The file is a ByteLevel BPE: the training pattern as a Split regex
 * (Isolated), then ByteLevel without its own regex; tokens written in
 * GPT-2's byte alphabet; the special tokens as added tokens after the
 * merged ones; a ByteLevel decoder. It must encode exactly as the rank
 * file does, and rank-BPE merges any adjacent pair whose bytes are a token
 * at that token's rank. So every way of cutting a token into two tokens is
 * a merge (not only the one training made), listed in the order of the
 * token it makes, and for one token by the left part's id, then the right
 * part's - the same list Hugging Face's own tiktoken conversion makes. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "bytelevel.h"
#include "tokd/tokenizer.h"
#include "train_result.h"

/* Token `id` written in the byte alphabet (new string), or NULL. */
static json_t *alphabet(const uint8_t *p, size_t n)
{
    tokd_bytes b = {0};
    json_t *s = tokd__bytelevel_encode(p, n, &b) == 0 ? json_stringn(b.data ? b.data : "", b.len) : NULL;
    tokd_bytes_release(&b);
    return s;
}

static const uint8_t *token(const tokd_trained *t, uint32_t id, uint32_t *len)
{
    *len = t->v.off[id + 1] - t->v.off[id];
    return t->v.bytes + t->v.off[id];
}

static json_t *vocab_json(const tokd_trained *t, json_t **names)
{
    json_t *vocab = json_object();
    for (uint32_t id = 0; vocab && id < t->v.n; id++) {
        uint32_t len;
        const uint8_t *p = token(t, id, &len);
        names[id] = alphabet(p, len);
        if (!names[id] || json_object_set_new(vocab, json_string_value(names[id]), json_integer(id)) != 0) {
            json_decref(vocab);
            return NULL;
        }
    }
    return vocab;
}

/* The id of a token written in the alphabet, or -1. */
static json_int_t id_of(json_t *vocab, const uint8_t *p, size_t n)
{
    json_t *s = alphabet(p, n);
    json_t *v = s ? json_object_get(vocab, json_string_value(s)) : NULL;
    json_decref(s);
    return v ? json_integer_value(v) : -1;
}

/* Every cut of token `id` into two tokens, as "left right". */
static int cuts(const tokd_trained *t, json_t *vocab, json_t **names, uint32_t id, json_t *merges)
{
    uint32_t len;
    const uint8_t *p = token(t, id, &len);
    for (uint32_t i = 1; i < len; i++) {
        json_int_t l = id_of(vocab, p, i), r = l < 0 ? -1 : id_of(vocab, p + i, len - i);
        if (r < 0)
            continue;
        json_t *m = json_sprintf("%s %s", json_string_value(names[l]), json_string_value(names[r]));
        if (!m || json_array_append_new(merges, json_pack("[o, I, I]", m, l, r)) != 0)
            return TOKD_ENOMEM;
    }
    return 0;
}

static int by_ids(const void *x, const void *y)
{
    json_int_t a = json_integer_value(json_array_get(*(json_t *const *)x, 1)),
               b = json_integer_value(json_array_get(*(json_t *const *)y, 1));
    if (a == b)
        a = json_integer_value(json_array_get(*(json_t *const *)x, 2)),
        b = json_integer_value(json_array_get(*(json_t *const *)y, 2));
    return (a > b) - (a < b);
}

/* The cuts of one token, sorted by (left id, right id), appended to `all`. */
static int token_merges(const tokd_trained *t, json_t *vocab, json_t **names, uint32_t id, json_t *all)
{
    json_t *local = json_array();
    int rc = local ? cuts(t, vocab, names, id, local) : TOKD_ENOMEM;
    size_t n = json_array_size(local);
    json_t **v = rc == 0 ? malloc((n ? n : 1) * sizeof *v) : NULL;
    if (rc == 0 && !v)
        rc = TOKD_ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++)
        v[i] = json_array_get(local, i);
    if (rc == 0)
        qsort(v, n, sizeof *v, by_ids);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = json_array_append(all, json_array_get(v[i], 0)) ? TOKD_ENOMEM : 0;
    free(v);
    json_decref(local);
    return rc;
}

static json_t *merges_json(const tokd_trained *t, json_t *vocab, json_t **names)
{
    json_t *merges = json_array();
    for (uint32_t id = 256; merges && id < t->v.n; id++)
        if (token_merges(t, vocab, names, id, merges) != 0) {
            json_decref(merges);
            return NULL;
        }
    return merges;
}

static json_t *added_json(const tokd_trained *t)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < t->opt.n_special_tokens; i++)
        if (json_array_append_new(a, json_pack("{s:I, s:s, s:b, s:b, s:b, s:b, s:b}", "id", (json_int_t)(t->v.n + i),
                                               "content", t->specials[i], "single_word", 0, "lstrip", 0, "rstrip", 0,
                                               "normalized", 0, "special", 1)) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static json_t *pipeline_json(const tokd_trained *t, json_t *vocab, json_t *merges)
{
    return json_pack(
        "{s:s, s:n, s:n, s:o, s:n, s:{s:s, s:[{s:s, s:{s:s}, s:s, s:b}, {s:s, s:b, s:b, s:b}]}, s:n, "
        "s:{s:s, s:b, s:b, s:b}, s:{s:s, s:n, s:n, s:n, s:n, s:b, s:b, s:b, s:o, s:o}}",
        "version", "1.0", "truncation", "padding", "added_tokens", added_json(t), "normalizer", "pre_tokenizer",
        "type", "Sequence", "pretokenizers", "type", "Split", "pattern", "Regex", t->pattern, "behavior", "Isolated",
        "invert", 0, "type", "ByteLevel", "add_prefix_space", 0, "trim_offsets", 1, "use_regex", 0,
        "post_processor", "decoder", "type", "ByteLevel", "add_prefix_space", 1, "trim_offsets", 1, "use_regex", 1,
        "model", "type", "BPE", "dropout", "unk_token", "continuing_subword_prefix", "end_of_word_suffix", "fuse_unk",
        0, "byte_fallback", 0, "ignore_merges", 0, "vocab", vocab, "merges", merges);
}

int tokd__trained_hf_json(const tokd_trained *t, char **out)
{
    json_t **names = calloc(t->v.n ? t->v.n : 1, sizeof *names);
    json_t *vocab = names ? vocab_json(t, names) : NULL;
    json_t *merges = vocab ? merges_json(t, vocab, names) : NULL;
    for (uint32_t i = 0; names && i < t->v.n; i++)
        json_decref(names[i]);
    free(names);
    if (!merges)
        json_decref(vocab);
    json_t *all = merges ? pipeline_json(t, vocab, merges) : NULL; /* takes vocab and merges over */
    *out = all ? json_dumps(all, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(all);
    return *out ? 0 : TOKD_ENOMEM;
}
