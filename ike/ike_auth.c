/* SPDX-License-Identifier: BSD-3-Clause */
/* AUTH payload data for a shared secret (RFC 7296 §2.15), and its signed octets. */
#include <string.h>

#include <openssl/crypto.h>

#include "ike_crypto.h"

/* 17 ASCII octets, no terminating NUL (§2.15). */
static const uint8_t key_pad[] = {'K', 'e', 'y', ' ', 'P', 'a', 'd', ' ', 'f',
				  'o', 'r', ' ', 'I', 'K', 'E', 'v', '2'};

int ike_auth_octets(uint16_t prf, struct ike_buf real_msg, struct ike_buf nonce,
		    const struct ike_key *sk_p, struct ike_buf id_body, uint8_t *out,
		    size_t out_cap, size_t *out_len)
{
	size_t prf_len = ike_prf_len(prf);

	if (prf_len == 0 || sk_p == NULL || sk_p->len == 0 || sk_p->len > IKE_KEY_MAX ||
	    out == NULL || out_len == NULL || real_msg.p == NULL || nonce.p == NULL ||
	    out_cap < prf_len || out_cap - prf_len < real_msg.len ||
	    out_cap - prf_len - real_msg.len < nonce.len)
		return IKE_CRYPTO_EINVAL;
	memcpy(out, real_msg.p, real_msg.len);
	memcpy(out + real_msg.len, nonce.p, nonce.len);
	int rc = ike_prf(prf, (struct ike_buf){sk_p->b, sk_p->len}, &id_body, 1,
			 out + real_msg.len + nonce.len);

	if (rc == IKE_CRYPTO_OK)
		*out_len = real_msg.len + nonce.len + prf_len;
	return rc;
}

int ike_auth_psk(uint16_t prf, struct ike_buf secret, struct ike_buf octets, uint8_t *auth)
{
	uint8_t k[IKE_PRF_MAX];
	const struct ike_buf pad = {key_pad, sizeof(key_pad)};
	int rc = ike_prf(prf, secret, &pad, 1, k);

	if (rc == IKE_CRYPTO_OK)
		rc = ike_prf(prf, (struct ike_buf){k, ike_prf_len(prf)}, &octets, 1, auth);
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}

int ike_auth_psk_verify(uint16_t prf, struct ike_buf secret, struct ike_buf octets,
			struct ike_buf auth)
{
	uint8_t want[IKE_PRF_MAX];
	int rc = ike_auth_psk(prf, secret, octets, want);

	if (rc == IKE_CRYPTO_OK &&
	    (auth.p == NULL || auth.len != ike_prf_len(prf) ||
	     CRYPTO_memcmp(want, auth.p, auth.len) != 0))
		rc = IKE_CRYPTO_EAUTH;
	OPENSSL_cleanse(want, sizeof(want));
	return rc;
}
