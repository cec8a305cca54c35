/* base64.c - strict RFC 4648 base64 decoding, and encoding.
 *
 * Strict on purpose: a .tiktoken line that is not canonical base64 means a
 * corrupt file, and the loader must refuse it rather than guess. */
#include "tokd/tokenizer.h"

static int value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

long tokd_base64_decode(const char *in, size_t len, uint8_t *out)
{
    if (len == 0 || len % 4 != 0)
        return -1;
    size_t pad = (in[len - 1] == '=') + (len >= 2 && in[len - 2] == '=');
    long n = 0;
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        int last = i + 4 == len;
        for (int k = 0; k < 4; k++) {
            int padded = last && k >= 4 - (int)pad;
            v[k] = padded ? 0 : value((unsigned char)in[i + k]);
            if (v[k] < 0)
                return -1;
        }
        uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        out[n++] = (uint8_t)(w >> 16);
        if (!(last && pad == 2))
            out[n++] = (uint8_t)(w >> 8);
        if (!(last && pad >= 1))
            out[n++] = (uint8_t)w;
        if (last && pad && (w & (pad == 2 ? 0xffff : 0xff)) != 0)
            return -1; /* non-canonical: bits set in the padding */
    }
    return n;
}

void tokd_base64_encode(const void *bytes, size_t len, char *out)
{
    const uint8_t *in = bytes;
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t w = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0) |
                     (i + 2 < len ? in[i + 2] : 0);
        out[o++] = alphabet[w >> 18];
        out[o++] = alphabet[(w >> 12) & 63];
        out[o++] = i + 1 < len ? alphabet[(w >> 6) & 63] : '=';
        out[o++] = i + 2 < len ? alphabet[w & 63] : '=';
    }
    out[o] = '\0';
}
