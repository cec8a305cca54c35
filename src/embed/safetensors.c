/* safetensors.c - reading and checking a safetensors header.
 *
 * Every number in the header is checked before it is trusted: the header
 * length against the file, each tensor's element count against its byte
 * span (with overflow checks), each span against the data, and the spans
 * against each other (sorted by start, no overlap). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "safetensors.h"

#define MAX_HEADER (100u << 20)

static const struct {
    const char *name;
    size_t size;
} dtypes[] = {{"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E4M3", 1}, {"F8_E5M2", 1}, {"I16", 2}, {"U16", 2},
              {"F16", 2},  {"BF16", 2}, {"I32", 4}, {"U32", 4},     {"F32", 4},     {"F64", 8}, {"I64", 8},
              {"U64", 8}};

void tokd__safetensors_release(tokd__safetensors *st)
{
    for (size_t i = 0; i < st->n; i++)
        free(st->t[i].name);
    free(st->t);
    memset(st, 0, sizeof *st);
}

const tokd__st_tensor *tokd__safetensors_find(const tokd__safetensors *st, const char *name)
{
    for (size_t i = 0; i < st->n; i++)
        if (!strcmp(st->t[i].name, name))
            return &st->t[i];
    return NULL;
}

static int set_dtype(tokd__st_tensor *t, json_t *v, tokd_error *err)
{
    for (size_t i = 0; json_is_string(v) && i < sizeof dtypes / sizeof dtypes[0]; i++)
        if (!strcmp(json_string_value(v), dtypes[i].name)) {
            t->dtype = dtypes[i].name;
            t->elem_size = dtypes[i].size;
            return 0;
        }
    return tokd_error_set(err, TOKD_EFORMAT, "tensor \"%.100s\": unknown dtype %.40s", t->name,
                          json_is_string(v) ? json_string_value(v) : "(not a string)");
}

/* The shape, and the byte count it needs (0 with *ok = 0 on overflow). */
static int set_shape(tokd__st_tensor *t, json_t *v, uint64_t *bytes, tokd_error *err)
{
    size_t i;
    json_t *d;
    if (!json_is_array(v) || json_array_size(v) > TOKD__ST_MAX_DIMS)
        return tokd_error_set(err, TOKD_EFORMAT, "tensor \"%.100s\": shape must be an array of at most %d sizes",
                              t->name, TOKD__ST_MAX_DIMS);
    *bytes = t->elem_size;
    json_array_foreach(v, i, d)
    {
        if (!json_is_integer(d) || json_integer_value(d) < 0)
            return tokd_error_set(err, TOKD_EFORMAT, "tensor \"%.100s\": shape[%zu] is not a size", t->name, i);
        t->shape[i] = (uint64_t)json_integer_value(d);
        if (t->shape[i] && *bytes > UINT64_MAX / t->shape[i])
            return tokd_error_set(err, TOKD_EFORMAT, "tensor \"%.100s\": its shape overflows", t->name);
        *bytes *= t->shape[i];
    }
    t->ndim = json_array_size(v);
    return 0;
}

static int set_offsets(tokd__st_tensor *t, json_t *v, uint64_t bytes, uint64_t data_len, tokd_error *err)
{
    json_t *b = json_array_get(v, 0), *e = json_array_get(v, 1);
    if (!json_is_array(v) || json_array_size(v) != 2 || !json_is_integer(b) || !json_is_integer(e) ||
        json_integer_value(b) < 0 || json_integer_value(e) < json_integer_value(b))
        return tokd_error_set(err, TOKD_EFORMAT, "tensor \"%.100s\": data_offsets must be [begin, end] with begin <= end",
                              t->name);
    t->begin = (uint64_t)json_integer_value(b);
    t->end = (uint64_t)json_integer_value(e);
    if (t->end > data_len)
        return tokd_error_set(err, TOKD_EFORMAT,
                              "tensor \"%.100s\": data_offsets end at %llu, past the data's %llu bytes (truncated file?)",
                              t->name, (unsigned long long)t->end, (unsigned long long)data_len);
    if (t->end - t->begin != bytes)
        return tokd_error_set(err, TOKD_EFORMAT,
                              "tensor \"%.100s\": data_offsets span %llu bytes but its shape and dtype need %llu",
                              t->name, (unsigned long long)(t->end - t->begin), (unsigned long long)bytes);
    return 0;
}

static int parse_tensor(const char *name, json_t *v, uint64_t data_len, tokd__st_tensor *t, tokd_error *err)
{
    uint64_t bytes = 0;
    if (!(t->name = strdup(name)))
        return TOKD_ENOMEM;
    if (!json_is_object(v))
        return tokd_error_set(err, TOKD_EFORMAT, "tensor \"%.100s\" is not an object", name);
    int rc = set_dtype(t, json_object_get(v, "dtype"), err);
    if (rc == 0)
        rc = set_shape(t, json_object_get(v, "shape"), &bytes, err);
    return rc ? rc : set_offsets(t, json_object_get(v, "data_offsets"), bytes, data_len, err);
}

static int by_begin(const void *x, const void *y)
{
    const tokd__st_tensor *a = x, *b = y;
    return a->begin != b->begin ? (a->begin > b->begin) - (a->begin < b->begin)
                                : (a->end > b->end) - (a->end < b->end);
}

static int check_overlaps(tokd__safetensors *st, tokd_error *err)
{
    if (st->n)
        qsort(st->t, st->n, sizeof *st->t, by_begin);
    for (size_t i = 1; i < st->n; i++)
        if (st->t[i].begin < st->t[i - 1].end)
            return tokd_error_set(err, TOKD_EFORMAT, "tensors \"%.80s\" and \"%.80s\" overlap", st->t[i - 1].name,
                                  st->t[i].name);
    return 0;
}

static int parse_header(json_t *h, uint64_t data_len, tokd__safetensors *st, tokd_error *err)
{
    const char *key;
    json_t *v;
    int rc = 0;
    st->t = calloc(json_object_size(h) + 1, sizeof *st->t);
    if (!st->t)
        return TOKD_ENOMEM;
    json_object_foreach(h, key, v)
    {
        if (rc)
            break;
        if (!strcmp(key, "__metadata__")) {
            if (!json_is_object(v))
                rc = tokd_error_set(err, TOKD_EFORMAT, "__metadata__ must be an object of strings");
            continue;
        }
        rc = parse_tensor(key, v, data_len, &st->t[st->n++], err);
    }
    return rc ? rc : check_overlaps(st, err);
}

int tokd__safetensors_parse(const uint8_t *buf, size_t len, tokd__safetensors *st, tokd_error *err)
{
    memset(st, 0, sizeof *st);
    if (len < 8)
        return tokd_error_set(err, TOKD_EFORMAT, "too short for safetensors (%zu bytes; the 8-byte header length is missing)",
                              len);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--)
        n = n << 8 | buf[i];
    if (n > len - 8)
        return tokd_error_set(err, TOKD_EFORMAT, "header length %llu runs past the end of the file (%zu bytes)",
                              (unsigned long long)n, len);
    if (n > MAX_HEADER)
        return tokd_error_set(err, TOKD_EFORMAT, "header length %llu is over the %u-byte limit", (unsigned long long)n,
                              MAX_HEADER);
    json_error_t je;
    json_t *h = json_loadb((const char *)buf + 8, (size_t)n, JSON_REJECT_DUPLICATES, &je);
    if (!h || !json_is_object(h)) {
        json_decref(h);
        return tokd_error_set(err, TOKD_EFORMAT, "the header is not a JSON object%s%.200s", h ? "" : ": ",
                              h ? "" : je.text);
    }
    st->data_start = 8 + n;
    int rc = parse_header(h, len - 8 - n, st, err);
    json_decref(h);
    if (rc)
        tokd__safetensors_release(st);
    return rc;
}
