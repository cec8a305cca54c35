/* test_imagesize.c - image sizes from the header bytes of real files
 * (tests/data/images, made by ImageMagick: tests/gen/gen_images.sh), every
 * truncation of them, and malformed headers. */
#include <string.h>

#include "imagesize.h"
#include "testutil.h"

static const struct {
    const char *file, *format;
    long width, height;
} files[] = {
    {"png_3x2.png", "png", 3, 2},
    {"gif_3x2.gif", "gif", 3, 2},
    {"jpeg_3x2.jpg", "jpeg", 3, 2},
    {"jpeg-progressive_3x2.jpg", "jpeg", 3, 2},
    {"jpeg-comment_3x2.jpg", "jpeg", 3, 2},
    {"webp-lossy_3x2.webp", "webp", 3, 2},
    {"webp-lossless_3x2.webp", "webp", 3, 2},
    {"webp-alpha_3x2.webp", "webp", 3, 2},
    {"png_1024x1024.png", "png", 1024, 1024},
    {"jpeg_2048x4096.jpg", "jpeg", 2048, 4096},
    {"webp_1800x2400.webp", "webp", 1800, 2400},
    {"gif_512x512.gif", "gif", 512, 512},
};
#define N_FILES (sizeof files / sizeof files[0])

static uint8_t *image(size_t i, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/images/%s", TOKD_TEST_DATA, files[i].file);
    return (uint8_t *)test_read_file(path, len);
}

START_TEST(real_files)
{
    size_t len;
    uint8_t *p = image((size_t)_i, &len);
    imagesize s;
    ck_assert_int_eq(imagesize_read(p, len, &s), IMAGESIZE_OK);
    ck_assert_str_eq(s.format, files[_i].format);
    ck_assert_int_eq(s.width, files[_i].width);
    ck_assert_int_eq(s.height, files[_i].height);
    free(p);
}
END_TEST

/* Every prefix of every file: the right size once the header is in, else
 * TRUNCATED (or UNKNOWN before the magic bytes); never a wrong size. */
START_TEST(every_prefix)
{
    size_t len;
    uint8_t *p = image((size_t)_i, &len);
    int seen_ok = 0;
    for (size_t n = 0; n <= len; n++) {
        imagesize s;
        int rc = imagesize_read(p, n, &s);
        if (rc == IMAGESIZE_OK) {
            ck_assert_int_eq(s.width, files[_i].width);
            ck_assert_int_eq(s.height, files[_i].height);
            seen_ok = 1;
        } else {
            ck_assert_msg(!seen_ok, "%s: a longer prefix (%zu bytes) failed after a shorter one read", files[_i].file, n);
            ck_assert_msg(rc == IMAGESIZE_TRUNCATED || rc == IMAGESIZE_UNKNOWN, "%s: %zu bytes gave %d",
                          files[_i].file, n, rc);
        }
    }
    ck_assert(seen_ok);
    free(p);
}
END_TEST

START_TEST(malformed)
{
    imagesize s;
    static const uint8_t zero_png[] = "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\0\0\0\0\x02";
    static const uint8_t not_ihdr[] = "\x89PNG\r\n\x1a\n\0\0\0\x0dIDAT\0\0\0\x03\0\0\0\x02";
    static const uint8_t jpeg_scan[] = "\xFF\xD8\xFF\xDA\0\x08";
    static const uint8_t jpeg_short_len[] = "\xFF\xD8\xFF\xE0\0\x01";
    static const uint8_t jpeg_garbage[] = "\xFF\xD8\x12\x34";
    static const uint8_t webp_chunk[] = "RIFF\0\0\0\0WEBPXXXX\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
    static const uint8_t text[] = "hello, not an image at all";
    ck_assert_int_eq(imagesize_read(zero_png, sizeof zero_png - 1, &s), IMAGESIZE_INVALID);
    ck_assert_int_eq(imagesize_read(not_ihdr, sizeof not_ihdr - 1, &s), IMAGESIZE_INVALID);
    ck_assert_int_eq(imagesize_read(jpeg_scan, sizeof jpeg_scan - 1, &s), IMAGESIZE_INVALID);
    ck_assert_int_eq(imagesize_read(jpeg_short_len, sizeof jpeg_short_len - 1, &s), IMAGESIZE_INVALID);
    ck_assert_int_eq(imagesize_read(jpeg_garbage, sizeof jpeg_garbage - 1, &s), IMAGESIZE_INVALID);
    ck_assert_int_eq(imagesize_read(webp_chunk, sizeof webp_chunk - 1, &s), IMAGESIZE_INVALID);
    ck_assert_int_eq(imagesize_read(text, sizeof text - 1, &s), IMAGESIZE_UNKNOWN);
    ck_assert_int_eq(imagesize_read(text, 0, &s), IMAGESIZE_UNKNOWN);
    ck_assert_str_eq(imagesize_strerror(IMAGESIZE_UNKNOWN),
                     "the image is not PNG, JPEG, GIF or WebP (the formats the API accepts)");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("imagesize");
    TCase *tc = tcase_create("imagesize");
    tcase_add_loop_test(tc, real_files, 0, N_FILES);
    tcase_add_loop_test(tc, every_prefix, 0, N_FILES);
    tcase_add_test(tc, malformed);
    suite_add_tcase(s, tc);
    return test_run(s);
}
