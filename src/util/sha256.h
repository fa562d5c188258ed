/* sha256.h -- SHA-256 (FIPS 180-4), used to store API keys as hashes only. */
#ifndef ENTITYD_SHA256_H
#define ENTITYD_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32
#define SHA256_BLOCK_LEN 64

typedef struct {
    uint32_t h[8];
    uint64_t total;                  /* bytes hashed so far */
    uint8_t block[SHA256_BLOCK_LEN]; /* pending partial block */
    size_t used;                     /* bytes in block */
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t len);
void sha256_final(sha256_ctx *c, uint8_t out[SHA256_DIGEST_LEN]);
/* One-shot digest. */
void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_LEN]);

#endif
