/* chat_image.c - one image_url content part: where its size comes from and
 * which of the vision guide's rules prices it.
 *
 * tokd never fetches a URL (no outbound requests, so no SSRF): the size of
 * a data: URL image is read from its header bytes (imagesize.c) after
 * decoding at most DATA_PREFIX base64 characters of it; any other URL
 * needs the caller's "tokd_width" and "tokd_height" (pixels) beside "url",
 * else 400. A rule that needs no size (detail "low" under the tile rule)
 * needs neither. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "chat.h"
#include "imagesize.h"
#include "vision.h"

/* Base64 characters decoded to find a header: 1 MiB of text, 768 KiB of
 * image, enough for JPEG headers behind large EXIF blocks. */
#define DATA_PREFIX (1u << 20)

static int image_error(reply *r, const char *code, const char *field, const char *what)
{
    reply_error(r, 400, code, field, "%s: %s", field, what);
    return -1;
}

/* The size of the image in a "data:[type];base64,..." URL. */
static int data_url_size(const char *url, size_t len, imagesize *size, reply *r, const char *field)
{
    const char *comma = memchr(url, ',', len);
    if (!comma || comma - url < 7 || memcmp(comma - 7, ";base64", 7) != 0)
        return image_error(r, "invalid_image", field, "a data: URL image must be base64 (data:image/png;base64,...)");
    const char *b64 = comma + 1;
    size_t n = len - (size_t)(b64 - url);
    if (n > DATA_PREFIX)
        n = DATA_PREFIX;
    n -= n % 4;
    uint8_t *bytes = malloc(n / 4 * 3 + 1);
    if (!bytes) {
        reply_error(r, 503, "out_of_memory", NULL, "out of memory");
        return -1;
    }
    long got = tokd__base64_decode(b64, n, bytes);
    int rc = got < 0 ? -2 : imagesize_read(bytes, (size_t)got, size);
    free(bytes);
    if (rc == -2)
        return image_error(r, "invalid_image", field, "the data: URL is not valid base64");
    if (rc != IMAGESIZE_OK) {
        char what[200];
        snprintf(what, sizeof what, "%s%s", imagesize_strerror(rc),
                 rc == IMAGESIZE_TRUNCATED && n == DATA_PREFIX ? " within the first 768 KiB tokd reads" : "");
        return image_error(r, "invalid_image", field, what);
    }
    return 0;
}

/* The caller's tokd_width / tokd_height for a URL tokd will not fetch. */
static int given_size(json_t *img, imagesize *size, reply *r, const char *field)
{
    json_t *w = json_object_get(img, "tokd_width"), *h = json_object_get(img, "tokd_height");
    if (!json_is_integer(w) || !json_is_integer(h) || json_integer_value(w) <= 0 || json_integer_value(h) <= 0 ||
        json_integer_value(w) > 1000000 || json_integer_value(h) > 1000000)
        return image_error(r, w || h ? "invalid_value" : "image_size_needed", field,
                           "tokd never fetches image URLs; give the image's size in pixels as \"tokd_width\" and "
                           "\"tokd_height\" beside \"url\" (positive integers up to 1000000), or send the image as "
                           "a data: URL");
    size->width = (long)json_integer_value(w);
    size->height = (long)json_integer_value(h);
    return 0;
}

static int image_size(json_t *img, const char *url, imagesize *size, reply *r, const char *field)
{
    size_t len = strlen(url);
    if (len >= 5 && !strncmp(url, "data:", 5))
        return data_url_size(url, len, size, r, field);
    return given_size(img, size, r, field);
}

/* The model's image format, or a 400. Marks the count an estimate when the
 * guide does not publish the constants for this model. */
static const image_format *model_format(counter *c, const model_info *model, reply *r, const char *field)
{
    const image_format *f = model->image;
    if (!f) {
        reply_error(r, 400, "unsupported_content", field,
                    "%s: the vision guide publishes no image rule for %s (no image_format in the model registry)",
                    field, model->name);
        return NULL;
    }
    if (!name_list_has(&f->published, model->name))
        counter_estimate(c, "image tokens for %s are not published; the vision guide's constants for %s are used",
                         model->name, f->published.n ? f->published.names[0] : f->name);
    return f;
}

int chat_image_count(counter *c, const model_info *model, json_t *part, const char *field, reply *r)
{
    json_t *img = json_object_get(part, "image_url");
    json_t *url = json_is_string(img) ? img : json_object_get(img, "url"), *detail = json_object_get(img, "detail");
    enum image_detail d;
    if (!json_is_string(url) || (detail && !json_is_string(detail)) || vision_detail(json_string_value(detail), &d))
        return image_error(r, "invalid_type", field,
                           "an image_url part is {\"type\": \"image_url\", \"image_url\": {\"url\": string, "
                           "\"detail\"?: \"low\" | \"high\" | \"auto\"}}");
    const image_format *f = model_format(c, model, r, field);
    imagesize size = {.width = 1, .height = 1};
    if (!f || (f->rule->needs_size(d) && image_size(img, json_string_value(url), &size, r, field) != 0))
        return -1;
    const char *caveat;
    counter_add(c, f->rule->tokens(f, size.width, size.height, d, &caveat));
    if (caveat[0])
        counter_estimate(c, "%s", caveat);
    return 0;
}
