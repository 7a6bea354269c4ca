/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SECGW_IKE_TRANSFORM_H
#define SECGW_IKE_TRANSFORM_H
/* Library-internal view of the transform tables: what OpenSSL needs to run them. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

struct ike_encr_alg {
	uint16_t id;
	bool aead;
	uint8_t salt_len;  /* trailing bytes of the key material that are not key */
	uint8_t iv_len;    /* explicit IV carried in the SK payload */
	uint8_t icv_len;   /* AEAD tag; 0 when an integrity transform supplies it */
	uint8_t block_len; /* padding unit of the plaintext */
};

/* NULL when encr is unsupported. */
const struct ike_encr_alg *ike_encr_alg(uint16_t encr);
/* The cipher for key material of keymat_len bytes (salt included); NULL if none fits. */
const EVP_CIPHER *ike_encr_cipher(const struct ike_encr_alg *alg, size_t keymat_len);
/* OpenSSL digest names; NULL when unsupported. */
const char *ike_prf_md(uint16_t prf);
const char *ike_integ_md(uint16_t integ);

#endif
