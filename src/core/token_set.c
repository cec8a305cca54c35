/* token_set.c - indexing a set of added tokens and searching text for them. */
#include <stdlib.h>
#include <string.h>

#include "token_set.h"

static int add_length(tokd__token_set *ss, uint32_t len, tokd_error *err)
{
    for (size_t i = 0; i < ss->n_lens; i++)
        if (ss->lens[i] == len)
            return 0;
    if (ss->n_lens == sizeof ss->lens / sizeof ss->lens[0])
        return tokd_error_set(err, TOKD_EUNSUPPORTED,
                              "added tokens come in more than 128 different lengths");
    size_t i = ss->n_lens++;
    while (i > 0 && ss->lens[i - 1] < len) { /* keep longest first */
        ss->lens[i] = ss->lens[i - 1];
        i--;
    }
    ss->lens[i] = len;
    return 0;
}

/* ss->items and ss->texts: a copy of items[0..n), texts NUL-terminated. */
static int copy_items(tokd__token_set *ss, const tokd__added_token *items, size_t n)
{
    size_t total = 1;
    for (size_t i = 0; i < n; i++)
        total += (size_t)items[i].len + 1;
    ss->items = malloc((n ? n : 1) * sizeof *ss->items);
    ss->texts = malloc(total);
    if (!ss->items || !ss->texts)
        return TOKD_ENOMEM;
    char *at = ss->texts;
    for (size_t i = 0; i < n; i++) {
        ss->items[i] = items[i];
        ss->items[i].text = at;
        if (items[i].len)
            memcpy(at, items[i].text, items[i].len);
        at[items[i].len] = '\0';
        at += (size_t)items[i].len + 1;
    }
    ss->n = n;
    return 0;
}

int tokd__token_set_init(tokd__token_set *ss, const tokd__added_token *items, size_t n, tokd_error *err)
{
    *ss = (tokd__token_set){.single_first = -1};
    tokd__rank_entry *e = calloc(n ? n : 1, sizeof *e);
    int rc = e ? copy_items(ss, items, n) : TOKD_ENOMEM, firsts = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        e[i] = (tokd__rank_entry){(const uint8_t *)ss->items[i].text, items[i].len, (uint32_t)i};
        rc = items[i].len ? add_length(ss, items[i].len, err)
                          : tokd_error_set(err, TOKD_EFORMAT, "an added token is empty");
        uint8_t b = (uint8_t)ss->items[i].text[0];
        firsts += !ss->first[b];
        ss->first[b] = 1;
        ss->single_first = firsts == 1 ? b : -1;
    }
    if (rc == 0)
        rc = tokd__rankmap_init(&ss->by_text, e, n, err);
    free(e);
    return rc;
}

void tokd__token_set_release(tokd__token_set *ss)
{
    free(ss->items);
    free(ss->texts);
    tokd__rankmap_release(&ss->by_text);
    *ss = (tokd__token_set){0};
}

long tokd__token_set_index(const tokd__token_set *ss, const char *text, size_t len)
{
    if (ss->n == 0 || len == 0)
        return -1;
    uint32_t r = tokd__rankmap_get(&ss->by_text, (const uint8_t *)text, len);
    return r == TOKD__NO_RANK ? -1 : (long)r;
}

static int passes(tokd__token_filter f, size_t index)
{
    return f.all || (f.mask && f.mask[index]);
}

/* The longest special token passing `f` that starts at s[i], or -1. */
static long match_at(const tokd__token_set *ss, tokd__token_filter f, const uint8_t *s, size_t n,
                     size_t i)
{
    for (size_t k = 0; k < ss->n_lens; k++) {
        uint32_t len = ss->lens[k];
        if (len > n - i)
            continue;
        uint32_t r = tokd__rankmap_get(&ss->by_text, s + i, len);
        if (r != TOKD__NO_RANK && passes(f, r) && (f.normalized_too || !ss->items[r].normalized))
            return (long)r;
    }
    return -1;
}

int tokd__token_set_find(const tokd__token_set *ss, tokd__token_filter f, const uint8_t *s,
                        size_t n, size_t pos, size_t *at, size_t *index)
{
    if (ss->n == 0 || (!f.all && !f.mask))
        return 0;
    for (size_t i = pos; i < n; i++) {
        if (ss->single_first >= 0) {
            const uint8_t *p = memchr(s + i, ss->single_first, n - i);
            if (!p)
                return 0;
            i = (size_t)(p - s);
        } else if (!ss->first[s[i]]) {
            continue;
        }
        long r = match_at(ss, f, s, n, i);
        if (r >= 0) {
            *at = i;
            *index = (size_t)r;
            return 1;
        }
    }
    return 0;
}
