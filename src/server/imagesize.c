/* imagesize.c - image sizes from header bytes (see imagesize.h).
 *
 * One reader per format behind one signature, picked by the file's magic
 * bytes. Every read is bounds-checked against n; JPEG is a walk over
 * marker segments up to the first start-of-frame, each segment's length
 * checked before it is skipped. */
#include <string.h>

#include "imagesize.h"

static long be16(const uint8_t *p)
{
    return (long)p[0] << 8 | p[1];
}

static long be32(const uint8_t *p)
{
    return (long)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
}

static long le16(const uint8_t *p)
{
    return (long)p[1] << 8 | p[0];
}

static long le24(const uint8_t *p)
{
    return (long)p[2] << 16 | (long)p[1] << 8 | p[0];
}

static int sized(imagesize *out, long w, long h)
{
    out->width = w;
    out->height = h;
    return w > 0 && h > 0 ? IMAGESIZE_OK : IMAGESIZE_INVALID;
}

/* Signature, then the IHDR chunk: length, "IHDR", width, height (big endian). */
static int read_png(const uint8_t *p, size_t n, imagesize *out)
{
    if (n < 24)
        return IMAGESIZE_TRUNCATED;
    if (memcmp(p + 12, "IHDR", 4) != 0)
        return IMAGESIZE_INVALID;
    return sized(out, be32(p + 16), be32(p + 20));
}

/* "GIF87a"/"GIF89a", then the logical screen's width and height (little endian). */
static int read_gif(const uint8_t *p, size_t n, imagesize *out)
{
    return n < 10 ? IMAGESIZE_TRUNCATED : sized(out, le16(p + 6), le16(p + 8));
}

/* A start-of-frame marker: C0-CF except DHT (C4), JPG (C8) and DAC (CC). */
static int is_sof(uint8_t m)
{
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

/* Markers without a length: TEM, RST0-7, SOI. */
static int standalone(uint8_t m)
{
    return m == 0x01 || (m >= 0xD0 && m <= 0xD8);
}

static int read_jpeg(const uint8_t *p, size_t n, imagesize *out)
{
    size_t i = 2;
    for (;;) {
        while (i < n && p[i] == 0xFF && i + 1 < n && p[i + 1] == 0xFF)
            i++; /* fill bytes */
        if (i + 2 > n)
            return IMAGESIZE_TRUNCATED;
        if (p[i] != 0xFF)
            return IMAGESIZE_INVALID;
        uint8_t m = p[i + 1];
        i += 2;
        if (standalone(m))
            continue;
        if (m == 0xD9 || m == 0xDA)
            return IMAGESIZE_INVALID; /* end of image or scan data before any frame */
        if (i + 2 > n)
            return IMAGESIZE_TRUNCATED;
        long len = be16(p + i);
        if (len < 2)
            return IMAGESIZE_INVALID;
        if (is_sof(m))
            return i + 7 > n ? IMAGESIZE_TRUNCATED : len < 7 ? IMAGESIZE_INVALID : sized(out, be16(p + i + 5), be16(p + i + 3));
        i += (size_t)len;
    }
}

/* RIFF container, then the first chunk: VP8 (lossy), VP8L (lossless) or VP8X
 * (extended: the canvas size). */
static int read_webp(const uint8_t *p, size_t n, imagesize *out)
{
    if (n < 30)
        return IMAGESIZE_TRUNCATED;
    const uint8_t *d = p + 20;
    if (!memcmp(p + 12, "VP8 ", 4))
        return d[3] == 0x9D && d[4] == 0x01 && d[5] == 0x2A ? sized(out, le16(d + 6) & 0x3FFF, le16(d + 8) & 0x3FFF)
                                                            : IMAGESIZE_INVALID;
    if (!memcmp(p + 12, "VP8L", 4)) {
        if (d[0] != 0x2F)
            return IMAGESIZE_INVALID;
        uint32_t bits = (uint32_t)d[1] | (uint32_t)d[2] << 8 | (uint32_t)d[3] << 16 | (uint32_t)d[4] << 24;
        return sized(out, (long)(bits & 0x3FFF) + 1, (long)(bits >> 14 & 0x3FFF) + 1);
    }
    if (!memcmp(p + 12, "VP8X", 4))
        return sized(out, le24(d + 4) + 1, le24(d + 7) + 1);
    return IMAGESIZE_INVALID;
}

typedef struct reader {
    const char *format;
    const char *magic;
    size_t magic_len, magic_at;
    int (*read)(const uint8_t *p, size_t n, imagesize *out);
} reader;

static const reader readers[] = {
    {"png", "\x89PNG\r\n\x1a\n", 8, 0, read_png},
    {"jpeg", "\xFF\xD8", 2, 0, read_jpeg},
    {"gif", "GIF87a", 6, 0, read_gif},
    {"gif", "GIF89a", 6, 0, read_gif},
    {"webp", "WEBP", 4, 8, read_webp},
};

int imagesize_read(const uint8_t *p, size_t n, imagesize *out)
{
    *out = (imagesize){0};
    for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++) {
        const reader *r = &readers[i];
        if (n < r->magic_at + r->magic_len || memcmp(p + r->magic_at, r->magic, r->magic_len) != 0)
            continue;
        if (r->magic_at && memcmp(p, "RIFF", 4) != 0)
            continue;
        out->format = r->format;
        return r->read(p, n, out);
    }
    return IMAGESIZE_UNKNOWN;
}

const char *imagesize_strerror(int code)
{
    switch (code) {
    case IMAGESIZE_OK:
        return "ok";
    case IMAGESIZE_UNKNOWN:
        return "the image is not PNG, JPEG, GIF or WebP (the formats the API accepts)";
    case IMAGESIZE_TRUNCATED:
        return "the image data ends before its header gives the width and height";
    default:
        return "the image header is malformed or gives a zero width or height";
    }
}
