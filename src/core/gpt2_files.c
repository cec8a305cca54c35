/* gpt2_files.c - loading GPT-2's encoder.json + vocab.bpe.
 *
 * encoder.json maps tokens, written in GPT-2's byte-to-unicode alphabet
 * (printable Latin-1 bytes stand for themselves, the other 68 bytes for
 * U+0100..U+0143), to ids; vocab.bpe lists the merges in priority order.
 * tokd runs GPT-2 with tiktoken's rank-based BPE, which gives GPT-2's ids
 * exactly when the files agree the way tiktoken's loader asserts they do:
 * the 256 single bytes take ids 0..255 in the alphabet's order, merge i
 * makes the token with id 256 + i, and nothing else is in the encoder
 * (besides <|endoftext|>, which becomes the special token). Files that do
 * not agree are refused with the line at fault. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytelevel.h"
#include "gpt2_files.h"
#include "json_error.h"
#include "registry.h"
#include "sha256.h"
#include "tiktoken_file.h"
#include "tiktoken_load.h"

#define MAX_FILE (64u << 20)
#define ENDOFTEXT "<|endoftext|>"

typedef struct encoder {
    tokd__rank_entry *e;
    uint8_t *bytes;
    size_t n;
    long endoftext; /* id, or -1 */
} encoder;

static int read_encoder(const char *path, encoder *enc, tokd_error *err)
{
    char *text;
    size_t len;
    int read_rc = tokd__read_file(path, MAX_FILE, &text, &len, err);
    if (read_rc != 0)
        return read_rc;
    tokd__json_doc doc;
    int parsed = tokd__json_parse(path, text, len, JSON_REJECT_DUPLICATES, &doc, err);
    json_t *root = doc.root;
    free(text);
    if (parsed != 0) {
        tokd__json_doc_release(&doc);
        return parsed;
    }
    size_t n = json_object_size(root), used = 0, total = 1;
    const char *key;
    json_t *v;
    int rc = json_is_object(root) && n ? 0 : tokd_error_set(err, TOKD_EFORMAT, "%s: not a JSON object of token: id", path);
    json_object_foreach(root, key, v)
        total += strlen(key); /* a token's bytes are never more than its UTF-8 */
    *enc = (encoder){calloc(n + 1, sizeof *enc->e), malloc(total), 0, -1};
    if (rc == 0 && (!enc->e || !enc->bytes))
        rc = TOKD_ENOMEM;
    json_object_foreach(root, key, v)
    {
        size_t klen = strlen(key);
        json_int_t id = json_is_integer(v) ? json_integer_value(v) : -1;
        if (rc != 0)
            break;
        if (id < 0 || id >= UINT32_MAX - 1)
            rc = tokd_error_set(err, TOKD_EFORMAT, "%s: \"%.40s\" needs a non-negative integer id", path, key);
        else if (!strcmp(key, ENDOFTEXT))
            enc->endoftext = (long)id;
        else if (!strcmp(key, "<|startoftext|>"))
            continue;
        else {
            long got = tokd__bytelevel_decode(key, klen, enc->bytes + used);
            if (got <= 0)
                rc = tokd_error_set(err, TOKD_EFORMAT, "%s: \"%.40s\" is not written in GPT-2's byte alphabet", path, key);
            else {
                enc->e[enc->n++] = (tokd__rank_entry){enc->bytes + used, (uint32_t)got, (uint32_t)id};
                used += (size_t)got;
            }
        }
    }
    tokd__json_doc_release(&doc);
    return rc;
}

/* The id the encoder gives these bytes, via the map built from it. */
static uint32_t id_of(const tokd__rankmap *m, const uint8_t *p, size_t n)
{
    return tokd__rankmap_get(m, p, n);
}

/* Check vocab.bpe against the encoder: merge i yields id 256 + i. */
static int check_merges(const tokd__rankmap *m, const char *path, tokd_error *err)
{
    char *text;
    size_t len, line = 1, merges = 0;
    int rc = tokd__read_file(path, MAX_FILE, &text, &len, err);
    if (rc != 0)
        return rc;
    char *p = memchr(text, '\n', len);
    uint8_t *merged = malloc(len + 1);
    if (!merged)
        rc = TOKD_ENOMEM;
    else if (strncmp(text, "#version", 8) != 0 || !p)
        rc = tokd_error_set(err, TOKD_EFORMAT, "%s line 1: expected a '#version' line", path);
    for (p = p ? p + 1 : NULL; rc == 0 && p && p < text + len; line++) {
        char *nl = memchr(p, '\n', (size_t)(text + len - p)), *end = nl ? nl : text + len;
        char *sp = memchr(p, ' ', (size_t)(end - p));
        long l1 = sp ? tokd__bytelevel_decode(p, (size_t)(sp - p), merged) : -1;
        long l2 = sp && l1 > 0 ? tokd__bytelevel_decode(sp + 1, (size_t)(end - sp - 1), merged + l1) : -1;
        if (end > p && (l1 <= 0 || l2 <= 0))
            rc = tokd_error_set(err, TOKD_EFORMAT, "%s line %zu: expected two tokens separated by one space", path,
                                line + 1);
        else if (end > p && id_of(m, merged, (size_t)(l1 + l2)) != 256 + merges)
            rc = tokd_error_set(err, TOKD_EFORMAT,
                                "%s line %zu: this merge makes id %u in encoder.json, but merge %zu must make id %zu",
                                path, line + 1, id_of(m, merged, (size_t)(l1 + l2)), merges, 256 + merges);
        merges += end > p;
        p = nl ? nl + 1 : NULL;
    }
    if (rc == 0 && merges + 256 != m->n_tokens)
        rc = tokd_error_set(err, TOKD_EFORMAT, "%s has %zu merges but encoder.json has %u tokens (256 + merges expected)",
                            path, merges, m->n_tokens);
    free(merged);
    free(text);
    return rc;
}

static int check_bytes(const tokd__rankmap *m, const char *path, tokd_error *err)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint8_t b = tokd__bytelevel_order((int)i);
        if (m->byte_rank[b] != i)
            return tokd_error_set(err, TOKD_EFORMAT, "%s: byte 0x%02x has id %u, GPT-2's alphabet gives it %u", path,
                                  b, m->byte_rank[b], i);
    }
    return 0;
}

static int file_sha256(const char *path, char hex[65], tokd_error *err)
{
    char *buf;
    size_t len;
    int rc = tokd__read_file(path, MAX_FILE, &buf, &len, err);
    if (rc == 0) {
        tokd__sha256_hex(buf, len, hex);
        free(buf);
    }
    return rc;
}

int tokd__load_gpt2_files(const char *encoder_path, const char *vocab_path, const char *name,
                          tokd_tokenizer **out, tokd_error *err)
{
    encoder enc = {0};
    tokd__vocab *v = NULL;
    char sha[65];
    int rc = read_encoder(encoder_path, &enc, err);
    if (rc == 0 && enc.endoftext < 0)
        rc = tokd_error_set(err, TOKD_EFORMAT, "%s has no " ENDOFTEXT " token", encoder_path);
    if (rc == 0)
        rc = file_sha256(encoder_path, sha, err);
    if (rc == 0)
        rc = tokd__vocab_new(enc.e, enc.n, sha, &v, err);
    if (rc == 0 && (rc = check_bytes(&v->map, encoder_path, err)) == 0)
        rc = check_merges(&v->map, vocab_path, err);
    free(enc.e);
    free(enc.bytes);
    if (rc != 0) {
        tokd__vocab_unref(v);
        return rc;
    }
    const tokd__added_token sp = {.text = ENDOFTEXT, .len = (uint32_t)strlen(ENDOFTEXT), .id = (uint32_t)enc.endoftext};
    return tokd__tiktoken_new(name, v, tokd__builtin_find("gpt2")->pattern, &sp, 1, out, err);
}
