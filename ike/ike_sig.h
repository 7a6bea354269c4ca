/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AUTH payload signatures: RFC 7427 Digital Signature (method 14, the
 * AlgorithmIdentifier in front of the signature; RSASSA-PSS on input only) and,
 * on input, the classic
 * methods of RFC 7296 §3.8 (1: RSA PKCS#1 v1.5 with SHA-1) and RFC 4754
 * (9, 10, 11: ECDSA r|s on P-256/SHA-256, P-384/SHA-384, P-521/SHA-512).
 *
 * Signed: the octets of §2.15 (ike_auth_octets), the same as for a PSK.
 * Concurrency: none shared; reentrant.
 */
#ifndef SECGW_IKE_SIG_H
#define SECGW_IKE_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "ike_crypto.h"

/* RFC 7427 §4 hash algorithm IDs (SIGNATURE_HASH_ALGORITHMS notify). */
enum ike_hash_id {
	IKE_HASH_SHA1 = 1,
	IKE_HASH_SHA2_256 = 2,
	IKE_HASH_SHA2_384 = 3,
	IKE_HASH_SHA2_512 = 4,
};
/* A set of hash IDs, one bit each (1u << id). */
#define IKE_HASH_BIT(id) (1u << (id))
/* What we sign and verify with under RFC 7427. */
#define IKE_HASHES_OURS                                                                    \
	(IKE_HASH_BIT(IKE_HASH_SHA2_256) | IKE_HASH_BIT(IKE_HASH_SHA2_384) |               \
	 IKE_HASH_BIT(IKE_HASH_SHA2_512))

#define IKE_SIG_MAX 1100 /* RSA 8192 bits + AlgorithmIdentifier */

/* We can sign with key: RSA, or ECDSA on P-256, P-384 or P-521. */
bool ike_sig_key_ok(EVP_PKEY *key);

/* The SIGNATURE_HASH_ALGORITHMS notify data: 2 octets per hash we support. */
size_t ike_sig_hashes_encode(uint8_t *out, size_t cap);
/* The set of hashes a peer's notify data names (unknown ones ignored). */
unsigned ike_sig_hashes_decode(const uint8_t *data, size_t len);

/*
 * Sign octets with key: method 14 with a hash fitting the key that the peer
 * announced (peer_hashes, a set of IKE_HASH_BIT), else the classic method for
 * the key (1 for RSA, 9/10/11 for ECDSA).  out (cap >= IKE_SIG_MAX) gets the AUTH data.
 */
int ike_sig_sign(EVP_PKEY *key, unsigned peer_hashes, struct ike_buf octets, uint8_t *method,
		 uint8_t *out, size_t cap, size_t *len);
/* IKE_CRYPTO_OK when auth (AUTH data of method) is key's signature of octets,
 * else IKE_CRYPTO_EAUTH. */
int ike_sig_verify(EVP_PKEY *key, uint8_t method, struct ike_buf octets, struct ike_buf auth);

#endif
