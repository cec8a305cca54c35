/* spm_load.c - a sentencepiece ModelProto into a pipeline (spm_load.h).
 *
 * protobuf-c parses the file (its wire format, bounds and nesting); this
 * file checks what sentencepiece itself would (non-empty unique pieces,
 * known types, an unknown piece at unk_id, <0xXX> spelling of byte
 * pieces) and builds: the sentencepiece normalizer, the Unigram or BPE
 * model, control pieces as special tokens, bos/eos as the template, the
 * DecodeIds decoder (spm.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
#include "sentencepiece.pb-c.h"
#include "sha256.h"
#include "spm.h"
#include "spm_load.h"
#include "tiktoken_file.h"

#define MAX_FILE (512u << 20)

typedef TokdSpm__ModelProto model_proto;

typedef struct spm_loader {
    const char *path;
    tokd_error *err;
    const model_proto *mp;
    tokd_tokenizer *t;
    double *score;
    uint8_t *kind;
    long unk_id;
} spm_loader;

static int malformed(const spm_loader *l, const char *what)
{
    return tokd_error_set(l->err, TOKD_EFORMAT, "%s: %s", l->path, what);
}

/* sentencepiece's piece types (1..6) as tokd's. */
static int piece_kind(int32_t type)
{
    static const int8_t kinds[] = {-1, TOKD__PIECE_NORMAL, TOKD__PIECE_UNKNOWN, TOKD__PIECE_CONTROL,
                                   TOKD__PIECE_USER, TOKD__PIECE_UNUSED, TOKD__PIECE_BYTE};
    return type >= 1 && type <= 6 ? kinds[type] : -1;
}

static int is_byte_piece(const ProtobufCBinaryData *p)
{
    static const char digits[] = "0123456789ABCDEF";
    return p->len == 6 && !memcmp(p->data, "<0x", 3) && p->data[5] == '>' && p->data[3] && p->data[4] &&
           strchr(digits, p->data[3]) && strchr(digits, p->data[4]);
}

static int check_piece(spm_loader *l, size_t i)
{
    const TokdSpm__ModelProto__SentencePiece *p = l->mp->pieces[i];
    char what[96];
    int kind = piece_kind(p->type);
    const char *problem = !p->has_piece || p->piece.len == 0 ? "is empty"
                          : kind < 0                         ? "has a type sentencepiece does not define"
                          : kind == TOKD__PIECE_BYTE && !is_byte_piece(&p->piece) ? "is a byte piece not spelled <0xXX>"
                                                                                  : NULL;
    if (problem) {
        snprintf(what, sizeof what, "piece %zu %s", i, problem);
        return malformed(l, what);
    }
    l->score[i] = p->score;
    l->kind[i] = (uint8_t)kind;
    if (kind == TOKD__PIECE_UNKNOWN && l->unk_id < 0)
        l->unk_id = (long)i;
    return 0;
}

static int load_pieces(spm_loader *l, const char *sha256)
{
    size_t n = l->mp->n_pieces;
    if (n == 0 || n >= UINT32_MAX - 1)
        return malformed(l, "the model has no pieces (not a sentencepiece model, or truncated)");
    tokd__rank_entry *e = calloc(n, sizeof *e);
    l->score = malloc(n * sizeof *l->score);
    l->kind = malloc(n);
    int rc = e && l->score && l->kind ? 0 : TOKD_ENOMEM;
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = check_piece(l, i);
        e[i] = (tokd__rank_entry){l->mp->pieces[i]->piece.data, (uint32_t)l->mp->pieces[i]->piece.len, (uint32_t)i};
    }
    if (rc == 0)
        rc = tokd__vocab_new(e, n, sha256, &l->t->vocab, l->err);
    free(e);
    return rc;
}

/* The trainer spec's id `id` ("unk_id", ...) must be -1 or a piece of `kind`. */
static int check_id(const spm_loader *l, int32_t id, const char *name, int kind, int may_be_absent)
{
    char what[160];
    if ((id == -1 && may_be_absent) ||
        (id >= 0 && (size_t)id < l->mp->n_pieces && l->kind[id] == kind))
        return 0;
    snprintf(what, sizeof what, "trainer_spec.%s is %d, which is not a%s piece of the model", name, (int)id,
             kind == TOKD__PIECE_UNKNOWN ? "n unknown" : " control");
    return malformed(l, what);
}

static int unknown_rules(const spm_loader *l, const TokdSpm__TrainerSpec *ts, tokd__unigram_options *o)
{
    const tokd__rankmap *map = &l->t->vocab->map;
    *o = (tokd__unigram_options){.unk_id = l->unk_id, .fuse_unk = 1, .byte_fallback = ts->byte_fallback,
                                 .sentencepiece = 1};
    for (int b = 0; b < 256; b++) {
        char name[8];
        snprintf(name, sizeof name, "<0x%02X>", b);
        uint32_t id = tokd__rankmap_get(map, (const uint8_t *)name, 6);
        o->fallback_id[b] = id != TOKD__NO_RANK && l->kind[id] == TOKD__PIECE_BYTE ? id : (uint32_t)l->unk_id;
    }
    return 0;
}

/* The user-defined pieces, for the normalizer and BPE's symbols. */
static int user_trie(const spm_loader *l, tokd__trie *t)
{
    int rc = tokd__trie_init(t);
    for (size_t i = 0; i < l->mp->n_pieces && rc == 0; i++)
        if (l->kind[i] == TOKD__PIECE_USER)
            rc = tokd__trie_insert(t, l->mp->pieces[i]->piece.data, l->mp->pieces[i]->piece.len, (uint32_t)i) < 0
                     ? TOKD_ENOMEM
                     : 0;
    return rc;
}

static int build_normalizer(spm_loader *l, const TokdSpm__TrainerSpec *ts)
{
    static const TokdSpm__NormalizerSpec none = TOKD_SPM__NORMALIZER_SPEC__INIT;
    const TokdSpm__NormalizerSpec *ns = l->mp->normalizer_spec ? l->mp->normalizer_spec : &none;
    tokd__spm_norm_options o = {ns->add_dummy_prefix, ns->remove_extra_whitespaces, ns->escape_whitespaces,
                                ts->treat_whitespace_as_suffix};
    tokd__charsmap map = {0};
    tokd__trie user = {0};
    char what[4200];
    snprintf(what, sizeof what, "%s: normalizer_spec", l->path);
    int rc = ns->precompiled_charsmap.len
                 ? tokd__charsmap_init(&map, ns->precompiled_charsmap.data, ns->precompiled_charsmap.len, what, l->err)
                 : 0;
    if (rc == 0)
        rc = user_trie(l, &user);
    tokd__normalizer x;
    if (rc == 0 && (rc = tokd__normalizer_spm(&map, &user, &o, &x)) == 0)
        return tokd__tokenizer_add_normalizer(l->t, x);
    tokd__charsmap_release(&map);
    tokd__trie_release(&user);
    return rc;
}

static int build_model(spm_loader *l, const TokdSpm__TrainerSpec *ts)
{
    tokd__unigram_options o;
    int rc = unknown_rules(l, ts, &o);
    if (rc != 0)
        return rc;
    if (ts->model_type == 1)
        return tokd__model_unigram(l->t->vocab, l->score, l->kind, &o, &l->t->model, l->err);
    tokd__trie user;
    rc = user_trie(l, &user);
    return rc ? rc : tokd__model_spm_bpe(l->t->vocab, l->score, l->kind, &user, &o, &l->t->model);
}

/* Control pieces are the special tokens. */
static int build_specials(spm_loader *l)
{
    size_t n = 0;
    tokd__added_token *items = calloc(l->mp->n_pieces + 1, sizeof *items);
    if (!items)
        return TOKD_ENOMEM;
    for (size_t i = 0; i < l->mp->n_pieces; i++) {
        const ProtobufCBinaryData *p = &l->mp->pieces[i]->piece;
        if (l->kind[i] != TOKD__PIECE_CONTROL || memchr(p->data, 0, p->len))
            continue;
        items[n++] = (tokd__added_token){(const char *)p->data, (uint32_t)p->len, (uint32_t)i, 0, 0, 0, 0};
    }
    int rc = tokd__token_set_init(&l->t->added.specials, items, n, l->err);
    free(items);
    return rc;
}

/* add_special_tokens: bos before, eos after (those the model has). */
static int build_template(spm_loader *l, const TokdSpm__TrainerSpec *ts)
{
    tokd_tokenizer *t = l->t;
    t->prefix = malloc(sizeof *t->prefix);
    t->suffix = malloc(sizeof *t->suffix);
    if (!t->prefix || !t->suffix)
        return TOKD_ENOMEM;
    if (ts->bos_id >= 0)
        t->prefix[t->n_prefix++] = (uint32_t)ts->bos_id;
    if (ts->eos_id >= 0)
        t->suffix[t->n_suffix++] = (uint32_t)ts->eos_id;
    return 0;
}

static int build_decoder(spm_loader *l, const TokdSpm__TrainerSpec *ts)
{
    const TokdSpm__NormalizerSpec *ns = l->mp->normalizer_spec;
    int dummy = ns ? ns->add_dummy_prefix : 1, extra = ns ? ns->remove_extra_whitespaces : 1;
    const char *unk = ts->has_unk_surface ? (const char *)ts->unk_surface.data : " \xe2\x81\x87 ";
    tokd__decoder x;
    int rc = tokd__decoder_spm(l->t->vocab, l->kind, unk, ts->has_unk_surface ? ts->unk_surface.len : strlen(unk),
                               dummy || extra, extra, &x);
    return rc ? rc : tokd__tokenizer_add_decoder(l->t, x);
}

/* What sentencepiece can do that tokd does not: refused by name. */
static int refuse_unsupported(const spm_loader *l, const TokdSpm__TrainerSpec *ts)
{
    const char *what = ts->model_type == 3   ? "model_type WORD"
                       : ts->model_type == 4 ? "model_type CHAR"
                       : ts->model_type != 1 && ts->model_type != 2 ? "a model_type sentencepiece does not define"
                       : l->mp->denormalizer_spec && l->mp->denormalizer_spec->precompiled_charsmap.len
                           ? "a denormalizer_spec"
                           : NULL;
    return what ? tokd_error_set(l->err, TOKD_EUNSUPPORTED, "%s: %s is not supported by tokd", l->path, what) : 0;
}

static int build(spm_loader *l, const char *sha256)
{
    static const TokdSpm__TrainerSpec defaults = TOKD_SPM__TRAINER_SPEC__INIT;
    const TokdSpm__TrainerSpec *ts = l->mp->trainer_spec ? l->mp->trainer_spec : &defaults;
    int rc = refuse_unsupported(l, ts);
    if (rc == 0)
        rc = load_pieces(l, sha256);
    if (rc == 0 && l->unk_id < 0)
        rc = malformed(l, "the model has no unknown piece (<unk>), which sentencepiece requires");
    if (rc == 0)
        rc = check_id(l, ts->unk_id, "unk_id", TOKD__PIECE_UNKNOWN, 0);
    if (rc == 0)
        rc = check_id(l, ts->bos_id, "bos_id", TOKD__PIECE_CONTROL, 1);
    if (rc == 0)
        rc = check_id(l, ts->eos_id, "eos_id", TOKD__PIECE_CONTROL, 1);
    if (rc == 0)
        rc = build_normalizer(l, ts);
    if (rc == 0)
        rc = build_model(l, ts);
    if (rc == 0)
        rc = build_specials(l);
    if (rc == 0)
        rc = build_template(l, ts);
    if (rc == 0)
        rc = build_decoder(l, ts);
    return rc ? rc : tokd__tokenizer_finish(l->t);
}

int tokd__spm_parse(const uint8_t *data, size_t len, const char *path, const char *name, tokd_tokenizer **out,
                    tokd_error *err)
{
    char sha[65];
    tokd__sha256_hex(data, len, sha);
    spm_loader l = {path, err, tokd_spm__model_proto__unpack(NULL, len, data), NULL, NULL, NULL, -1};
    if (!l.mp)
        return tokd_error_set(err, TOKD_EFORMAT,
                              "%s: not a sentencepiece model: the protobuf does not parse (truncated or corrupt)",
                              path);
    l.t = tokd__tokenizer_alloc(name, "sentencepiece");
    int rc = l.t ? build(&l, sha) : TOKD_ENOMEM;
    tokd_spm__model_proto__free_unpacked((model_proto *)l.mp, NULL);
    free(l.score);
    free(l.kind);
    if (rc != 0) {
        tokd_tokenizer_unref(l.t);
        return rc;
    }
    *out = l.t;
    return 0;
}

int tokd__spm_load(const char *path, const char *name, tokd_tokenizer **out, tokd_error *err)
{
    char *data;
    size_t len;
    int rc = tokd__read_file(path, MAX_FILE, &data, &len, err);
    if (rc != 0)
        return rc;
    rc = tokd__spm_parse((const uint8_t *)data, len, path, name, out, err);
    free(data);
    return rc;
}
