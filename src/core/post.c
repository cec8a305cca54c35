/* post.c - trimming offsets as Hugging Face's ByteLevel post-processor
 * does (see post.h).
 *
 * Hugging Face counts the characters at each end of the token's string
 * that are 'Ġ' (a space in GPT-2's alphabet) or Unicode White_Space, and
 * moves the offsets by that many. tokd keeps a byte-level vocabulary's
 * tokens as bytes, where 'Ġ' is the byte 0x20 and no other byte's letter
 * is White_Space; other tokens (added tokens, other vocabularies) are
 * their own UTF-8 and are read character by character. */
#include "pipeline.h"
#include "post.h"
#include "unicode.h"
#include "utf8.h"

static int is_space(uint32_t c)
{
    return c == 0x120 || (c < 0x110000 && (tokd__uc_class(c) & TOKD__UC_WS));
}

/* The code point that ends at s[end) (s[0..end) valid UTF-8). */
static uint32_t char_before(const uint8_t *s, size_t *end)
{
    size_t at = *end - 1, len;
    while (at > 0 && (s[at] & 0xC0) == 0x80)
        at--;
    *end = at;
    return tokd__utf8_next(s, at, &len);
}

/* Spaces at the start (*lead) and end (*trail) of token `id`. */
static void spaces(const tokd_tokenizer *t, uint32_t id, size_t *lead, size_t *trail)
{
    const char *b;
    size_t n, len, end;
    *lead = *trail = 0;
    if (tokd_token_bytes(t, id, &b, &n) != 0)
        return;
    const uint8_t *s = (const uint8_t *)b;
    if (t->byte_level && tokd__rankmap_len(&t->vocab->map, id)) {
        while (*lead < n && s[*lead] == ' ')
            ++*lead;
        while (*trail < n && s[n - 1 - *trail] == ' ')
            ++*trail;
        return;
    }
    for (size_t i = 0; i < n && is_space(tokd__utf8_next(s, i, &len)); i += len)
        ++*lead;
    for (end = n; end > 0 && is_space(char_before(s, &end));)
        ++*trail;
}

void tokd__post_trim_offsets(const tokd_tokenizer *t, int add_prefix_space, const uint32_t *ids, tokd_offset *v,
                             size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t lead, trail;
        spaces(t, ids[i], &lead, &trail);
        if (lead && (i == 0 || v[i].start == 0) && add_prefix_space && lead == 1)
            lead = 0;
        if (lead)
            v[i].start = v[i].start + lead < v[i].end ? v[i].start + lead : v[i].end;
        if (trail && v[i].end >= trail)
            v[i].end = v[i].end - trail > v[i].start ? v[i].end - trail : v[i].start;
    }
}
