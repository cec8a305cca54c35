/* imagesize.h - the width and height of a PNG, JPEG, GIF or WebP image,
 * read from its header bytes only (nothing is decoded).
 *
 * Why not a library: Debian's libpng, libjpeg, libgif and libwebp are four
 * full decoders for four header reads, and stb_image (libstb-dev) reads no
 * WebP; the headers are small, fixed formats, and this reader is fuzzed
 * (tests/fuzz/fuzz_imagesize.c).
 *
 * Thread-safety: pure function. */
#ifndef TOKD_SERVER_IMAGESIZE_H
#define TOKD_SERVER_IMAGESIZE_H

#include <stddef.h>
#include <stdint.h>

typedef struct imagesize {
    const char *format; /* "png", "jpeg", "gif", "webp" (static) */
    long width, height;
} imagesize;

enum {
    IMAGESIZE_OK = 0,
    IMAGESIZE_UNKNOWN = -1,   /* not one of the four formats */
    IMAGESIZE_TRUNCATED = -2, /* the header ends before the size */
    IMAGESIZE_INVALID = -3    /* a malformed header, or a zero side */
};

/* Read the size from the first `n` bytes of an image. Returns IMAGESIZE_OK
 * with *out filled, or one of the codes above (out->format is set as soon as
 * the format is known). */
int imagesize_read(const uint8_t *p, size_t n, imagesize *out);

/* A sentence for a code (static). */
const char *imagesize_strerror(int code);

#endif
