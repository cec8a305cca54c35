/* sha256.h - SHA-256 (FIPS 180-4), used to verify shipped tokenizer data.
 *
 * None of tokd's fixed libraries offers a digest, so this is the one
 * cryptographic primitive tokd carries itself; it is tested against the
 * FIPS 180-4 example vectors.
 *
 * Thread-safety: a context belongs to one thread at a time. */
#ifndef TOKD_SHA256_H
#define TOKD_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct tokd__sha256 {
    uint32_t h[8];
    uint64_t total;
    uint8_t block[64];
    size_t fill;
} tokd__sha256;

void tokd__sha256_init(tokd__sha256 *ctx);
void tokd__sha256_update(tokd__sha256 *ctx, const void *data, size_t len);
void tokd__sha256_final(tokd__sha256 *ctx, uint8_t digest[32]);

/* Hex digest of one buffer into `hex` (65 bytes with the NUL). */
void tokd__sha256_hex(const void *data, size_t len, char hex[65]);

#endif
