/*
 * The only C in CaseVault. Deprecated OpenSSL calls are compile errors here, and what Swift cannot
 * import (function-like macros, variadic calls, OSSL_PARAM arrays that hold raw pointers) is wrapped in
 * small static inline functions so that no pointer-holding parameter array outlives one C call.
 */
#ifndef CASEVAULT_COPENSSL_SHIM_H
#define CASEVAULT_COPENSSL_SHIM_H

#define OPENSSL_API_COMPAT 30000
#define OPENSSL_NO_DEPRECATED 1

#include <stddef.h>
#include <stdint.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* prctl is variadic. Undumpable: no core file, and other processes of the same user cannot ptrace. */
static inline int cv_set_undumpable(void) { return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); }

/* syncfs is declared only under _GNU_SOURCE, which Swift's Glibc module does not set; the system call is
   there on every Linux CaseVault supports. It flushes one file system: a batch of small files in one call. */
static inline int cv_syncfs(int fd) { return (int)syscall(SYS_syncfs, fd); }

/* sendfile, through the system call like syncfs: copies up to `len` bytes from `in`'s offset to `out`'s
   inside the kernel (no pass through the caller's memory), advancing both offsets. Not copy_file_range: on a
   file system that can clone (btrfs, XFS with reflink, ZFS 2.2+), that one shares the source's blocks instead
   of copying them, and a backup must not share a bad sector with the vault it protects. */
static inline long cv_sendfile(int out, int in, size_t len) {
    return (long)syscall(SYS_sendfile, out, in, NULL, len);
}

/* sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE), also _GNU_SOURCE only: starts writing a range's
   dirty pages to the disk without waiting for them (the flag's value, 2, is the Linux ABI's). Not a durability
   step: the fsync that follows is; it lets the disk work while the rest is still being copied. */
static inline int cv_start_writeback(int fd, int64_t offset, int64_t length) {
    return (int)syscall(SYS_sync_file_range, fd, offset, length, 2u);
}

/* OPENSSL_free is a macro. */
static inline void cv_openssl_free(void *ptr) { OPENSSL_free(ptr); }

/* HKDF-SHA-256 (RFC 5869), extract and expand, in one call, with an EVP_KDF the caller fetched once: fetching
 * it by name at every call took the OpenSSL 3.0 method store's locks for each of the four HKDFs of an age
 * header. A set-up context cannot be copied instead (OpenSSL 3.0's HKDF has no dupctx), so the digest is still
 * looked up by name in each one. */
static inline int cv_hkdf_sha256_with(EVP_KDF *kdf, const uint8_t *ikm, size_t ikm_len, const uint8_t *salt,
                                      size_t salt_len, const uint8_t *info, size_t info_len, uint8_t *out,
                                      size_t out_len) {
    EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
    if (ctx == NULL) return 0;
    static const uint8_t empty = 0;
    OSSL_PARAM params[5];
    size_t n = 0;
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)(ikm ? ikm : &empty), ikm_len);
    if (salt_len > 0) params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)(info ? info : &empty), info_len);
    params[n] = OSSL_PARAM_construct_end();
    int ok = EVP_KDF_derive(ctx, out, out_len, params);
    EVP_KDF_CTX_free(ctx);
    return ok;
}

/* The same, fetching the KDF for this call only. */
static inline int cv_hkdf_sha256(const uint8_t *ikm, size_t ikm_len, const uint8_t *salt, size_t salt_len,
                                 const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len) {
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_HKDF, NULL);
    if (kdf == NULL) return 0;
    int ok = cv_hkdf_sha256_with(kdf, ikm, ikm_len, salt, salt_len, info, info_len, out, out_len);
    EVP_KDF_free(kdf);
    return ok;
}

/* scrypt (RFC 7914). maxmem is always passed so OpenSSL's own memory ceiling is the one we chose. */
static inline int cv_scrypt(const uint8_t *pass, size_t pass_len, const uint8_t *salt, size_t salt_len,
                            uint64_t n_cost, uint32_t r, uint32_t p, uint64_t maxmem, uint8_t *out,
                            size_t out_len) {
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_SCRYPT, NULL);
    if (kdf == NULL) return 0;
    EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    if (ctx == NULL) return 0;
    static const uint8_t empty = 0;
    OSSL_PARAM params[7];
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (void *)(pass ? pass : &empty), pass_len);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)(salt ? salt : &empty), salt_len);
    params[2] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n_cost);
    params[3] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r);
    params[4] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p);
    params[5] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem);
    params[6] = OSSL_PARAM_construct_end();
    int ok = EVP_KDF_derive(ctx, out, out_len, params);
    EVP_KDF_CTX_free(ctx);
    return ok;
}

/* HMAC-SHA-256: a fresh EVP_MAC_CTX, initialised with its key. The caller owns and frees the context. */
static inline EVP_MAC_CTX *cv_hmac_sha256_new(const uint8_t *key, size_t key_len) {
    EVP_MAC *mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
    if (mac == NULL) return NULL;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);
    if (ctx == NULL) return NULL;
    static const uint8_t empty = 0;
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_MAC_init(ctx, key ? key : &empty, key_len, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* HMAC-SHA-256 with its digest fetched once: a context without a key, for cv_hmac_sha256_from to copy. */
static inline EVP_MAC_CTX *cv_hmac_sha256_template(void) {
    EVP_MAC *mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
    if (mac == NULL) return NULL;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);
    if (ctx == NULL) return NULL;
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_MAC_CTX_set_params(ctx, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* A fresh HMAC-SHA-256 context keyed with `key`, copied from `template` (nothing fetched). */
static inline EVP_MAC_CTX *cv_hmac_sha256_from(const EVP_MAC_CTX *template, const uint8_t *key, size_t key_len) {
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(template);
    if (ctx == NULL) return NULL;
    static const uint8_t empty = 0;
    if (EVP_MAC_init(ctx, key ? key : &empty, key_len, NULL) != 1) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* AEAD tag get/set go through EVP_CIPHER_CTX_ctrl, whose void* argument Swift handles poorly. */
static inline int cv_aead_get_tag(EVP_CIPHER_CTX *ctx, uint8_t *tag, int tag_len) {
    return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, tag_len, tag);
}
static inline int cv_aead_set_tag(EVP_CIPHER_CTX *ctx, const uint8_t *tag, int tag_len) {
    return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, tag_len, (void *)tag);
}

#endif
