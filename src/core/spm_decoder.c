/* spm_decoder.c - sentencepiece's DecodeIds as the decoder chain's one step
 * (spm.h). Each token string is looked up in the vocabulary for its piece
 * type (pieces are unique, so the string names the piece); the output is
 * one token, the decoded text. */
#include <stdlib.h>
#include <string.h>

#include "spm.h"
#include "utf8.h"

typedef struct spm_decoder {
    const tokd__rankmap *map;
    uint8_t *kind;
    char *unk;
    size_t unk_len;
    int strip_first, remove_extra;
} spm_decoder;

typedef struct decode_run {
    tokd_bytes out, bytes; /* the text so far; a run of byte pieces' bytes */
    int bos_ws, bos_ws_seen;
} decode_run;

static int hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A run of byte pieces: its bytes, U+FFFD for each byte that does not start
 * a valid character (unless raw). */
static int flush_bytes(decode_run *d, int raw)
{
    const uint8_t *b = (const uint8_t *)d->bytes.data;
    size_t n = d->bytes.len, len, bad;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i += len) {
        len = raw ? n - i : tokd__utf8_valid_prefix(b + i, n - i, &bad);
        if (len > 0 && !raw) {
            size_t one;
            tokd__utf8_next(b + i, 0, &one);
            len = one;
        }
        rc = len ? tokd_bytes_append(&d->out, b + i, len) : tokd_bytes_append(&d->out, "\xef\xbf\xbd", 3);
        len = len ? len : 1;
    }
    d->bytes.len = 0;
    return rc;
}

/* A normal / user-defined piece: "▁" as spaces, the first one's leading
 * "▁" dropped as DecodeSentencePiece does. */
static int put_text(const spm_decoder *m, decode_run *d, const char *s, size_t n)
{
    int seen = 0;
    if (d->bos_ws && m->strip_first && n >= 3 && !memcmp(s, "\xe2\x96\x81", 3)) {
        s += 3;
        n -= 3;
        seen = !m->remove_extra;
    }
    d->bos_ws_seen = seen;
    size_t run = 0;
    int rc = 0;
    for (size_t k = 0; k + 3 <= n && rc == 0; k++) {
        if (memcmp(s + k, "\xe2\x96\x81", 3) != 0)
            continue;
        rc = tokd_bytes_append(&d->out, s + run, k - run);
        if (rc == 0)
            rc = tokd_bytes_append(&d->out, " ", 1);
        run = k + 3;
        k += 2;
    }
    return rc ? rc : tokd_bytes_append(&d->out, s + run, n - run);
}

static int one_piece(const spm_decoder *m, decode_run *d, const char *s, size_t n, int raw)
{
    uint32_t id = tokd__rankmap_get(m->map, (const uint8_t *)s, n);
    uint8_t kind = id == TOKD__NO_RANK ? TOKD__PIECE_NORMAL : m->kind[id];
    if (kind == TOKD__PIECE_BYTE) {
        uint8_t b = (uint8_t)(hex(s[3]) << 4 | hex(s[4]));
        return tokd_bytes_append(&d->bytes, &b, 1);
    }
    int rc = flush_bytes(d, raw);
    if (d->bos_ws_seen || d->out.len)
        d->bos_ws = 0;
    if (rc != 0 || kind == TOKD__PIECE_CONTROL) {
        d->bos_ws_seen = 0;
        return rc;
    }
    if (kind == TOKD__PIECE_UNKNOWN) {
        d->bos_ws_seen = 0;
        return tokd_bytes_append(&d->out, m->unk, m->unk_len);
    }
    return put_text(m, d, s, n);
}

static int spm_decode(const void *self, tokd__splits *tokens, int raw)
{
    const spm_decoder *m = self;
    decode_run d = {{0}, {0}, 1, 0};
    int rc = 0;
    for (size_t i = 0; i < tokens->n && rc == 0; i++)
        rc = one_piece(m, &d, tokens->text.s + tokens->v[i].start, tokens->v[i].end - tokens->v[i].start, raw);
    if (rc == 0)
        rc = flush_bytes(&d, raw);
    tokd_bytes_release(&d.bytes);
    tokd__splits next = {0};
    next.text.own = d.out;
    next.text.s = d.out.data ? d.out.data : "";
    next.text.n = d.out.len;
    if (rc == 0)
        rc = tokd__splits_push(&next, 0, next.text.n);
    tokd__splits_release(tokens);
    *tokens = next;
    return rc;
}

static void spm_decoder_free(void *self)
{
    spm_decoder *m = self;
    if (!m)
        return;
    free(m->kind);
    free(m->unk);
    free(m);
}

static const tokd__decoder_ops spm_decoder_ops = {"sentencepiece", spm_decode, spm_decoder_free};

int tokd__decoder_spm(const tokd__vocab *vocab, const uint8_t *kind, const char *unk_surface, size_t unk_len,
                      int strip_first, int remove_extra_whitespaces, tokd__decoder *out)
{
    uint32_t n = vocab->map.n_ranks;
    spm_decoder *m = calloc(1, sizeof *m);
    if (m && (!(m->kind = malloc(n)) || !(m->unk = malloc(unk_len + 1)))) {
        spm_decoder_free(m);
        m = NULL;
    }
    if (!m)
        return TOKD_ENOMEM;
    memcpy(m->kind, kind, n);
    memcpy(m->unk, unk_surface, unk_len);
    m->unk[unk_len] = '\0';
    *m = (spm_decoder){&vocab->map, m->kind, m->unk, unk_len, strip_first, remove_extra_whitespaces};
    *out = (tokd__decoder){&spm_decoder_ops, m};
    return 0;
}
