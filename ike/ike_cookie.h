/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stateless responder COOKIEs (RFC 7296 §2.6):
 *
 *   cookie = version | HMAC-SHA256(secret[version], Ni | IPi | SPIi)
 *
 * with a one-octet version naming the secret.  The secret is replaced every
 * rotate_ms (when a cookie is next made or checked); a cookie made with the
 * one before stays valid until the next replacement, so an initiator that got
 * a cookie just before a rotation still gets in, and no cookie outlives
 * 3 x rotate_ms.  Secrets are random (env->rand as in ike_sa.h, else OpenSSL) and
 * wiped by ike_cookie_wipe().
 *
 * Concurrency: none; one jar belongs to one thread.
 */
#ifndef SECGW_IKE_COOKIE_H
#define SECGW_IKE_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IKE_COOKIE_SECRET_LEN 32
#define IKE_COOKIE_LEN (1 + 32) /* version, HMAC-SHA256 */
#define IKE_COOKIE_ROTATE_MS 120000u

struct ike_cookie_jar {
	uint8_t secret[IKE_COOKIE_SECRET_LEN], prev[IKE_COOKIE_SECRET_LEN];
	uint8_t version;
	bool have_prev;
	uint64_t rotated_at;
	uint32_t rotate_ms;
	int (*rand)(void *ctx, uint8_t *buf, size_t len); /* 0 on success; NULL: OpenSSL */
	void *rand_ctx;
};

/* Fresh secret at now; rotate_ms 0 = IKE_COOKIE_ROTATE_MS.  0 or -1. */
int ike_cookie_init(struct ike_cookie_jar *j, uint64_t now, uint32_t rotate_ms,
		    int (*rand)(void *ctx, uint8_t *buf, size_t len), void *rand_ctx);
/* Replace the secret when rotate_ms has passed since the last time.  0 or -1. */
int ike_cookie_rotate(struct ike_cookie_jar *j, uint64_t now);
/* The cookie for the initiator's nonce, address (network order) and SPIi. */
int ike_cookie_make(const struct ike_cookie_jar *j, const uint8_t *ni, size_t ni_len,
		    uint32_t ip, uint64_t spi_i, uint8_t out[IKE_COOKIE_LEN]);
/* Whether cookie[0..len) is ours for these; compared in constant time. */
bool ike_cookie_verify(const struct ike_cookie_jar *j, const uint8_t *cookie, size_t len,
		       const uint8_t *ni, size_t ni_len, uint32_t ip, uint64_t spi_i);
void ike_cookie_wipe(struct ike_cookie_jar *j);

#endif
