/* hf_added.c - a tokenizer.json's "added_tokens": their ids, options and
 * the matchers of the added-token policy (added.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hf_loader.h"

/* The id Hugging Face gives an added token (the file's "id" is only compared
 * with it for a warning): the vocabulary's id if its content is a token, the
 * id of an earlier added token with the same content, else the next one
 * after the vocabulary and the added tokens so far. */
static int added_id(tokd__hf_loader *l, const tokd__rankmap *map, const tokd__added_token *done, size_t n_done,
                    json_t *content, uint32_t *next, uint32_t *id)
{
    int rc = tokd__hf_vocab_id(l, map, json_string_value(content), json_string_length(content), id);
    for (size_t i = 0; rc == 0 && *id == TOKD__NO_RANK && i < n_done; i++)
        if (!strcmp(done[i].text, json_string_value(content)))
            *id = done[i].id;
    if (rc == 0 && *id == TOKD__NO_RANK)
        *id = (*next)++;
    return rc;
}

/* s[0..n) as the normalizers leave it, appended to `out`. */
static int normalized_append(const tokd_tokenizer *t, const char *s, size_t n, tokd_bytes *out)
{
    tokd__ntext text = tokd__ntext_view(s, n, 0, 0);
    int rc = tokd__normalize(t->norms, t->n_norms, &text);
    if (rc == 0 && text.n)
        rc = tokd_bytes_append(out, text.s, text.n);
    tokd__ntext_release(&text);
    return rc;
}

/* The normalized: true tokens, keyed by their content as the normalizers
 * leave it (Hugging Face matches them in normalized text), each with its
 * index among the special tokens (UINT32_MAX for a non-special one). The
 * normalized texts are built one after the other in one buffer, which the
 * set copies. */
static int index_normalized(tokd__hf_loader *l, const tokd__added_token *all, const uint8_t *special, size_t n)
{
    tokd__added *a = &l->t->added;
    size_t k = 0, si = 0;
    tokd_bytes texts = {0};
    tokd__added_token *items = calloc(n + 1, sizeof *items);
    a->normalized_special = calloc(n + 1, sizeof *a->normalized_special);
    int rc = items && a->normalized_special ? 0 : TOKD_ENOMEM;
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t index = special[i] ? si++ : SIZE_MAX, before = texts.len;
        if (!all[i].normalized)
            continue;
        rc = normalized_append(l->t, all[i].text, all[i].len, &texts);
        items[k] = all[i];
        items[k].normalized = 0;
        items[k].len = (uint32_t)(texts.len - before);
        a->normalized_special[k] = index == SIZE_MAX ? UINT32_MAX : (uint32_t)index;
        rc = rc ? rc : items[k++].len ? 0 : tokd__hf_malformed(l, "added_tokens", "a normalized token normalizes to nothing");
    }
    for (size_t i = 0, at = 0; rc == 0 && i < k; at += items[i++].len)
        items[i].text = texts.data + at;
    if (rc == 0)
        rc = tokd__token_set_init(&a->normalized, items, k, l->err);
    free(items);
    tokd_bytes_release(&texts);
    return rc;
}

/* The special tokens (tokd's allowed/disallowed rules) and the others
 * (always matched) into their sets, and the normalized ones. */
static int build_sets(tokd__hf_loader *l, const tokd__added_token *all, const uint8_t *special, size_t n)
{
    tokd__added_token *spec = calloc(n + 1, sizeof *spec), *plain = calloc(n + 1, sizeof *plain);
    size_t ns = 0, np = 0;
    int rc = spec && plain ? 0 : TOKD_ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (special[i])
            spec[ns++] = all[i];
        else
            plain[np++] = all[i];
    }
    if (rc == 0)
        rc = index_normalized(l, all, special, n);
    if (rc == 0)
        rc = tokd__token_set_init(&l->t->added.specials, spec, ns, l->err);
    if (rc == 0)
        rc = tokd__token_set_init(&l->t->added.plain, plain, np, l->err);
    free(spec);
    free(plain);
    return rc;
}

/* Texts are borrowed from the JSON document until the sets copy them. */
int tokd__hf_added_tokens(tokd__hf_loader *l, json_t *added)
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
            rc = tokd__hf_malformed(l, where, "needs a non-empty \"content\"");
        else {
            tokd__added_token *s = &all[n_added];
            if ((rc = added_id(l, map, all, n_added, content, &next, &s->id)) != 0)
                break;
            s->text = json_string_value(content);
            s->len = (uint32_t)json_string_length(content);
            s->lstrip = (uint8_t)tokd__hf_flag(a, "lstrip");
            s->rstrip = (uint8_t)tokd__hf_flag(a, "rstrip");
            s->single_word = (uint8_t)tokd__hf_flag(a, "single_word");
            s->normalized = (uint8_t)(tokd__hf_flag(a, "normalized") && l->t->n_norms > 0);
            special[n_added++] = (uint8_t)tokd__hf_flag(a, "special");
        }
    }
    if (rc == 0)
        rc = build_sets(l, all, special, n_added);
    free(all);
    free(special);
    return rc;
}
