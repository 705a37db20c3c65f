// The one place that includes OpenSSL (libcrypto). The one-shot SHA256() and
// HMAC() calls are plain functions and need no shim.
#ifndef TFC_COPENSSL_SHIM_H
#define TFC_COPENSSL_SHIM_H
#include <openssl/sha.h>
#include <openssl/hmac.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>
#endif
