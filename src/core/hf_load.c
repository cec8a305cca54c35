/* hf_load.c - building a pipeline from a Hugging Face tokenizer.json.
 *
 * Reads and checks the file, then builds its members in the order they
 * depend on each other: normalizer, pre_tokenizer, model, post_processor,
 * decoder, added_tokens (hf_loader.h lists the module of each). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hf_load.h"
#include "hf_loader.h"
#include "json_error.h"
#include "sha256.h"
#include "tiktoken_file.h"

#define MAX_FILE (512u << 20)

int tokd__hf_unsupported(tokd__hf_loader *l, const char *where, const char *what)
{
    return tokd_error_set(l->err, TOKD_EUNSUPPORTED, "%s: %s: %s is not supported by tokd", l->path, where, what);
}

int tokd__hf_malformed(tokd__hf_loader *l, const char *where, const char *what)
{
    return tokd_error_set(l->err, TOKD_EFORMAT, "%s: %s: %s", l->path, where, what);
}

const char *tokd__hf_type(json_t *o)
{
    json_t *t = json_object_get(o, "type");
    return json_is_string(t) ? json_string_value(t) : "";
}

int tokd__hf_flag(json_t *o, const char *key)
{
    return json_is_true(json_object_get(o, key));
}

/* Apply `one` to a pipeline node, or to each member of a Sequence node (whose
 * members are under `members`), recursively. A missing or null node is an
 * empty pipeline. */
typedef int (*step_fn)(struct tokd__hf_loader *l, json_t *node);

static int each_step(tokd__hf_loader *l, json_t *node, const char *members, step_fn one)
{
    if (!node || json_is_null(node))
        return 0;
    if (strcmp(tokd__hf_type(node), "Sequence") != 0)
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

/* The first regex among the pre-tokenizers is the one reported. */
int tokd__hf_first_pattern(tokd__hf_loader *l, const char *pattern)
{
    return *l->t->pattern ? 0 : tokd__tokenizer_set_pattern(l->t, pattern);
}

/* An added token may reuse a vocabulary id only for the same text (as
 * tokenizer.json files do for <s>, <unk>); a byte-level vocabulary needs a
 * token for every byte. */
static int check_vocab(const tokd__hf_loader *l)
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

static int load_parts(tokd__hf_loader *l, json_t *root, const char *sha256)
{
    json_t *trunc = json_object_get(root, "truncation"), *pad = json_object_get(root, "padding");
    if ((trunc && !json_is_null(trunc)) || (pad && !json_is_null(pad)))
        return tokd__hf_unsupported(l, "truncation / padding", "a file that sets them");
    int rc = each_step(l, json_object_get(root, "normalizer"), "normalizers", tokd__hf_normalizer);
    if (rc == 0)
        rc = each_step(l, json_object_get(root, "pre_tokenizer"), "pretokenizers", tokd__hf_pretokenizer);
    if (rc == 0)
        rc = tokd__hf_model(l, json_object_get(root, "model"), sha256);
    if (rc == 0)
        rc = each_step(l, json_object_get(root, "post_processor"), "processors", tokd__hf_post_processor);
    if (rc == 0)
        rc = each_step(l, json_object_get(root, "decoder"), "decoders", tokd__hf_decoder);
    if (rc == 0)
        rc = tokd__hf_decoders_done(l);
    if (rc == 0)
        rc = tokd__hf_added_tokens(l, json_object_get(root, "added_tokens"));
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
    tokd__json_doc doc;
    int parsed = tokd__json_parse(path, text, len, JSON_REJECT_DUPLICATES, &doc, err);
    tokd__hf_loader l = {path, err, tokd__tokenizer_alloc(name, "huggingface"), 0, {0}};
    free(text);
    if (parsed != 0)
        rc = parsed;
    else if (!l.t)
        rc = TOKD_ENOMEM;
    else
        rc = load_parts(&l, doc.root, sha);
    tokd_bytes_release(&l.scratch);
    tokd__json_doc_release(&doc);
    if (rc != 0) {
        tokd_tokenizer_unref(l.t);
        return rc;
    }
    *out = l.t;
    return 0;
}
