/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IKEv2 transforms this library implements, their key, IV and ICV sizes,
 * and the OpenSSL algorithms behind them.
 */
#include "ike_crypto.h"
#include "ike_transform.h"

struct prf_alg {
	uint16_t id;
	const char *md;
	uint8_t len; /* output size, also the preferred key size (§2.14) */
};

static const struct prf_alg prf_algs[] = {
	{IKE_PRF_HMAC_SHA1, "SHA1", 20},
	{IKE_PRF_HMAC_SHA2_256, "SHA2-256", 32},
	{IKE_PRF_HMAC_SHA2_384, "SHA2-384", 48},
	{IKE_PRF_HMAC_SHA2_512, "SHA2-512", 64},
};

struct integ_alg {
	uint16_t id;
	const char *md;
	uint8_t key_len;
	uint8_t icv_len;
};

/* RFC 2404 and RFC 4868 §2.1: keys of the digest size, ICV half of it (SHA1: 96 bits). */
static const struct integ_alg integ_algs[] = {
	{IKE_INTEG_HMAC_SHA1_96, "SHA1", 20, 12},
	{IKE_INTEG_HMAC_SHA2_256_128, "SHA2-256", 32, 16},
	{IKE_INTEG_HMAC_SHA2_384_192, "SHA2-384", 48, 24},
	{IKE_INTEG_HMAC_SHA2_512_256, "SHA2-512", 64, 32},
};

/* AEAD block length 1: counter modes need no padding beyond the Pad Length octet. */
static const struct ike_encr_alg encr_algs[] = {
	{IKE_ENCR_AES_CBC, false, 0, 16, 0, 16},
	{IKE_ENCR_AES_GCM_8, true, 4, 8, 8, 1},
	{IKE_ENCR_AES_GCM_12, true, 4, 8, 12, 1},
	{IKE_ENCR_AES_GCM_16, true, 4, 8, 16, 1},
	{IKE_ENCR_CHACHA20_POLY1305, true, 4, 8, 16, 1},
};

#define FIND(table, key)                                                                 \
	for (size_t i_ = 0; i_ < sizeof(table) / sizeof((table)[0]); i_++)              \
		if ((table)[i_].id == (key))                                             \
			return &(table)[i_];                                             \
	return NULL

static const struct prf_alg *prf_alg(uint16_t id)
{
	FIND(prf_algs, id);
}

static const struct integ_alg *integ_alg(uint16_t id)
{
	FIND(integ_algs, id);
}

const struct ike_encr_alg *ike_encr_alg(uint16_t encr)
{
	FIND(encr_algs, encr);
}

size_t ike_prf_len(uint16_t prf)
{
	const struct prf_alg *a = prf_alg(prf);

	return a ? a->len : 0;
}

const char *ike_prf_md(uint16_t prf)
{
	const struct prf_alg *a = prf_alg(prf);

	return a ? a->md : NULL;
}

size_t ike_integ_key_len(uint16_t integ)
{
	const struct integ_alg *a = integ_alg(integ);

	return a ? a->key_len : 0;
}

size_t ike_integ_icv_len(uint16_t integ)
{
	const struct integ_alg *a = integ_alg(integ);

	return a ? a->icv_len : 0;
}

const char *ike_integ_md(uint16_t integ)
{
	const struct integ_alg *a = integ_alg(integ);

	return a ? a->md : NULL;
}

bool ike_encr_is_aead(uint16_t encr)
{
	const struct ike_encr_alg *a = ike_encr_alg(encr);

	return a && a->aead;
}

size_t ike_encr_keymat_len(uint16_t encr, uint16_t key_bits)
{
	const struct ike_encr_alg *a = ike_encr_alg(encr);

	if (a == NULL)
		return 0;
	/* ChaCha20-Poly1305 has no Key Length attribute (RFC 7634 §2); tolerate 256. */
	if (encr == IKE_ENCR_CHACHA20_POLY1305)
		return key_bits == 0 || key_bits == 256 ? 32 + a->salt_len : 0;
	if (key_bits != 128 && key_bits != 192 && key_bits != 256)
		return 0;
	return key_bits / 8 + a->salt_len;
}

const EVP_CIPHER *ike_encr_cipher(const struct ike_encr_alg *alg, size_t keymat_len)
{
	if (alg == NULL || keymat_len < alg->salt_len)
		return NULL;
	size_t key_len = keymat_len - alg->salt_len;

	switch (alg->id) {
	case IKE_ENCR_AES_CBC:
		return key_len == 16 ? EVP_aes_128_cbc()
		       : key_len == 24 ? EVP_aes_192_cbc()
		       : key_len == 32 ? EVP_aes_256_cbc()
				       : NULL;
	case IKE_ENCR_AES_GCM_8:
	case IKE_ENCR_AES_GCM_12:
	case IKE_ENCR_AES_GCM_16:
		return key_len == 16 ? EVP_aes_128_gcm()
		       : key_len == 24 ? EVP_aes_192_gcm()
		       : key_len == 32 ? EVP_aes_256_gcm()
				       : NULL;
	case IKE_ENCR_CHACHA20_POLY1305:
		return key_len == 32 ? EVP_chacha20_poly1305() : NULL;
	}
	return NULL;
}
