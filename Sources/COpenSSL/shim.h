// The one place that includes OpenSSL (libcrypto). The one-shot SHA256() and
// HMAC() calls are plain functions and need no shim.
//
// tfc_sha256 and tfc_hmac_sha256 exist for speed: in OpenSSL 3 the one-shot
// SHA256() and HMAC() look the algorithm up on every call (EVP_Q_digest /
// EVP_Q_mac), about 1 us and 3 us each, while a SigV4 signature needs five
// HMACs and two hashes. The low-level SHA256_* functions do no lookup (0.15 us);
// OpenSSL 3 marks them deprecated but keeps them, so the deprecation warnings are
// silenced for this header only. HMAC is RFC 2104 over SHA-256.
#ifndef TFC_COPENSSL_SHIM_H
#define TFC_COPENSSL_SHIM_H
#ifndef OPENSSL_SUPPRESS_DEPRECATED
#define OPENSSL_SUPPRESS_DEPRECATED
#endif
#include <openssl/sha.h>
#include <openssl/hmac.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <string.h>

/// SHA-256 of `len` bytes into `out` (32 bytes).
static inline void tfc_sha256(const void *data, size_t len, unsigned char *out) {
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, data, len);
    SHA256_Final(out, &c);
}

/// Incremental SHA-256, for hashing a file in chunks (a streamed upload's payload hash).
static inline void tfc_sha256_init(SHA256_CTX *c) { SHA256_Init(c); }
static inline void tfc_sha256_update(SHA256_CTX *c, const void *data, size_t len) { SHA256_Update(c, data, len); }
static inline void tfc_sha256_final(SHA256_CTX *c, unsigned char *out) { SHA256_Final(out, c); }

/// HMAC-SHA256 (RFC 2104) of `len` bytes with a key of `keylen` bytes into `out` (32 bytes).
static inline void tfc_hmac_sha256(const void *key, size_t keylen, const void *data, size_t len, unsigned char *out) {
    unsigned char k[64];
    unsigned char pad[64];
    unsigned char inner[32];
    memset(k, 0, sizeof k);
    if (keylen > 64) {
        tfc_sha256(key, keylen, k);
    } else if (keylen > 0) {
        memcpy(k, key, keylen);
    }
    SHA256_CTX c;
    for (int i = 0; i < 64; i++) pad[i] = k[i] ^ 0x36;
    SHA256_Init(&c);
    SHA256_Update(&c, pad, 64);
    SHA256_Update(&c, data, len);
    SHA256_Final(inner, &c);
    for (int i = 0; i < 64; i++) pad[i] = k[i] ^ 0x5c;
    SHA256_Init(&c);
    SHA256_Update(&c, pad, 64);
    SHA256_Update(&c, inner, 32);
    SHA256_Final(out, &c);
}
#endif
