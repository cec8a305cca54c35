/* charsmap.c - reading and searching sentencepiece's precompiled character
 * map (charsmap.h). The search is darts-clone's common-prefix search: from
 * the root, each byte moves to unit (node ^ byte), whose label must be that
 * byte; a unit with its leaf bit set has the key's value in the unit it
 * points to. */
#include <stdlib.h>
#include <string.h>

#include "charsmap.h"

static uint32_t unit_offset(uint32_t u)
{
    return (u >> 10) << ((u & (1u << 9)) >> 6);
}

static uint32_t unit_label(uint32_t u)
{
    return u & ((1u << 31) | 0xFF);
}

int tokd__charsmap_init(tokd__charsmap *m, const uint8_t *blob, size_t n, const char *what, tokd_error *err)
{
    *m = (tokd__charsmap){0};
    if (n < 4)
        return tokd_error_set(err, TOKD_EFORMAT, "%s: the precompiled character map is %zu bytes, too short", what, n);
    size_t trie = (size_t)blob[0] | (size_t)blob[1] << 8 | (size_t)blob[2] << 16 | (size_t)blob[3] << 24;
    if (trie % 4 != 0 || trie == 0 || trie > n - 4)
        return tokd_error_set(err, TOKD_EFORMAT,
                              "%s: the precompiled character map's trie size (%zu) does not fit its %zu bytes", what,
                              trie, n);
    m->n_units = trie / 4;
    m->n_strings = n - 4 - trie;
    m->units = malloc(trie);
    m->strings = malloc(m->n_strings + 1);
    if (!m->units || !m->strings) {
        tokd__charsmap_release(m);
        return TOKD_ENOMEM;
    }
    for (size_t i = 0; i < m->n_units; i++) {
        const uint8_t *u = blob + 4 + 4 * i;
        m->units[i] = (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
    }
    memcpy(m->strings, blob + 4 + trie, m->n_strings);
    m->strings[m->n_strings] = '\0';
    return 0;
}

void tokd__charsmap_release(tokd__charsmap *m)
{
    free(m->units);
    free(m->strings);
    *m = (tokd__charsmap){0};
}

int tokd__charsmap_starts(const tokd__charsmap *m, const uint8_t *s, size_t n)
{
    if (!m->n_units)
        return 0;
    size_t id = unit_offset(m->units[0]);
    for (size_t i = 0; i < n; i++) {
        id ^= s[i];
        if (id >= m->n_units || unit_label(m->units[id]) != s[i])
            return 0;
        id ^= unit_offset(m->units[id]);
    }
    return 1;
}

int tokd__charsmap_match(const tokd__charsmap *m, const uint8_t *s, size_t n, int longest, size_t *key_len,
                         const char **out)
{
    if (!m->n_units)
        return 0;
    size_t id = unit_offset(m->units[0]);
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        id ^= s[i];
        if (id >= m->n_units || unit_label(m->units[id]) != s[i])
            break;
        uint32_t u = m->units[id];
        id ^= unit_offset(u);
        if (!((u >> 8) & 1) || id >= m->n_units)
            continue;
        size_t value = m->units[id] & ((1u << 31) - 1);
        if (value >= m->n_strings)
            continue;
        *key_len = i + 1;
        *out = m->strings + value;
        found = 1;
        if (!longest)
            break;
    }
    return found;
}
