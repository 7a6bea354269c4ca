/* SPDX-License-Identifier: BSD-3-Clause */
/* Stateless responder COOKIEs, RFC 7296 §2.6 (ike_cookie.h). */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "ike_cookie.h"
#include "ike_msg_be.h"

static int fresh(struct ike_cookie_jar *j)
{
	if (j->rand != NULL)
		return j->rand(j->rand_ctx, j->secret, sizeof(j->secret)) == 0 ? 0 : -1;
	return RAND_bytes(j->secret, sizeof(j->secret)) == 1 ? 0 : -1;
}

int ike_cookie_init(struct ike_cookie_jar *j, uint64_t now, uint32_t rotate_ms,
		    int (*rand)(void *ctx, uint8_t *buf, size_t len), void *rand_ctx)
{
	memset(j, 0, sizeof(*j));
	j->rotate_ms = rotate_ms != 0 ? rotate_ms : IKE_COOKIE_ROTATE_MS;
	j->rand = rand;
	j->rand_ctx = rand_ctx;
	j->rotated_at = now;
	return fresh(j);
}

int ike_cookie_rotate(struct ike_cookie_jar *j, uint64_t now)
{
	if (now - j->rotated_at < j->rotate_ms)
		return 0;
	memcpy(j->prev, j->secret, sizeof(j->prev));
	/* Rotation happens when asked for: after a long quiet spell the current
	 * secret is older than any cookie may be, and goes with the old one. */
	j->have_prev = now - j->rotated_at < 2ull * j->rotate_ms;
	j->version++;
	j->rotated_at = now;
	return fresh(j);
}

static int mac(const uint8_t *secret, uint8_t version, const uint8_t *ni, size_t ni_len,
	       uint32_t ip, uint64_t spi_i, uint8_t out[IKE_COOKIE_LEN])
{
	uint8_t data[256 + 4 + 8]; /* Ni is at most 256 octets (§3.9) */
	unsigned int len = 0;

	if (ni_len > 256)
		return -1;
	memcpy(data, ni, ni_len);
	memcpy(data + ni_len, &ip, 4);
	ike_put64(data + ni_len + 4, spi_i);
	out[0] = version;
	if (HMAC(EVP_sha256(), secret, IKE_COOKIE_SECRET_LEN, data, ni_len + 12, out + 1, &len) ==
		    NULL ||
	    len != IKE_COOKIE_LEN - 1)
		return -1;
	return 0;
}

int ike_cookie_make(const struct ike_cookie_jar *j, const uint8_t *ni, size_t ni_len,
		    uint32_t ip, uint64_t spi_i, uint8_t out[IKE_COOKIE_LEN])
{
	return mac(j->secret, j->version, ni, ni_len, ip, spi_i, out);
}

bool ike_cookie_verify(const struct ike_cookie_jar *j, const uint8_t *cookie, size_t len,
		       const uint8_t *ni, size_t ni_len, uint32_t ip, uint64_t spi_i)
{
	uint8_t want[IKE_COOKIE_LEN];
	const uint8_t *secret;

	if (len != IKE_COOKIE_LEN)
		return false;
	if (cookie[0] == j->version)
		secret = j->secret;
	else if (j->have_prev && cookie[0] == (uint8_t)(j->version - 1))
		secret = j->prev;
	else
		return false;
	bool ok = mac(secret, cookie[0], ni, ni_len, ip, spi_i, want) == 0 &&
		  CRYPTO_memcmp(want, cookie, IKE_COOKIE_LEN) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

void ike_cookie_wipe(struct ike_cookie_jar *j)
{
	OPENSSL_cleanse(j, sizeof(*j));
}
