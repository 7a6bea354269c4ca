/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Key derivation: SKEYSEED for new and rekeyed IKE SAs, the seven IKE SA keys
 * (RFC 7296 §2.14, §2.18) and the four keys of a Child SA (§2.17).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "ike_crypto.h"

#define IKE_SA_KEYMAT_MAX (7 * IKE_KEY_MAX)
#define CHILD_KEYMAT_MAX (4 * IKE_KEY_MAX)

void ike_key_wipe(struct ike_key *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

void ike_sa_keys_wipe(struct ike_sa_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

void ike_child_keys_wipe(struct ike_child_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

static bool nonce_ok(struct ike_buf n)
{
	return n.p != NULL && n.len > 0 && n.len <= IKE_NONCE_MAX;
}

static bool key_ok(const struct ike_key *k)
{
	return k != NULL && k->len > 0 && k->len <= IKE_KEY_MAX;
}

static struct ike_buf key_buf(const struct ike_key *k)
{
	return (struct ike_buf){k->b, k->len};
}

/* The key lengths of one direction's encryption and integrity keys. */
static int transform_key_lens(uint16_t encr, uint16_t key_bits, uint16_t integ, size_t *encr_len,
			      size_t *integ_len)
{
	*encr_len = ike_encr_keymat_len(encr, key_bits);
	*integ_len = ike_integ_key_len(integ);
	if (*encr_len == 0)
		return IKE_CRYPTO_EINVAL;
	/* An AEAD protects integrity itself; an integrity transform beside it is invalid. */
	if (ike_encr_is_aead(encr) ? integ != IKE_INTEG_NONE : *integ_len == 0)
		return IKE_CRYPTO_EINVAL;
	return IKE_CRYPTO_OK;
}

/* Run prf+ and cut its output into keys[i] of lens[i] bytes, in order. */
static int derive_split(uint16_t prf, const struct ike_key *key, const struct ike_buf *seed,
			size_t n_seed, struct ike_key *const *keys, const size_t *lens, size_t n_keys,
			uint8_t *keymat, size_t keymat_cap)
{
	size_t total = 0;

	for (size_t i = 0; i < n_keys; i++)
		total += lens[i];
	if (total > keymat_cap)
		return IKE_CRYPTO_EINVAL;
	int rc = ike_prf_plus(prf, key_buf(key), seed, n_seed, keymat, total);

	if (rc != IKE_CRYPTO_OK)
		return rc;
	for (size_t i = 0, off = 0; i < n_keys; off += lens[i], i++) {
		keys[i]->len = lens[i];
		memcpy(keys[i]->b, keymat + off, lens[i]);
	}
	OPENSSL_cleanse(keymat, total);
	return IKE_CRYPTO_OK;
}

int ike_skeyseed(uint16_t prf, struct ike_buf ni, struct ike_buf nr, struct ike_buf gir,
		 struct ike_key *skeyseed)
{
	uint8_t nonces[2 * IKE_NONCE_MAX];

	if (skeyseed == NULL || !nonce_ok(ni) || !nonce_ok(nr) || gir.p == NULL || gir.len == 0)
		return IKE_CRYPTO_EINVAL;
	/* HMAC takes the whole Ni | Nr as key; the 64-bit cut of §2.14 is for fixed-key PRFs. */
	memcpy(nonces, ni.p, ni.len);
	memcpy(nonces + ni.len, nr.p, nr.len);
	int rc = ike_prf(prf, (struct ike_buf){nonces, ni.len + nr.len}, &gir, 1, skeyseed->b);

	skeyseed->len = rc == IKE_CRYPTO_OK ? ike_prf_len(prf) : 0;
	return rc;
}

int ike_skeyseed_rekey(uint16_t old_prf, const struct ike_key *old_sk_d, struct ike_buf gir,
		       struct ike_buf ni, struct ike_buf nr, struct ike_key *skeyseed)
{
	const struct ike_buf data[] = {gir, ni, nr};

	if (skeyseed == NULL || !key_ok(old_sk_d) || !nonce_ok(ni) || !nonce_ok(nr) ||
	    gir.p == NULL || gir.len == 0)
		return IKE_CRYPTO_EINVAL;
	int rc = ike_prf(old_prf, key_buf(old_sk_d), data, 3, skeyseed->b);

	skeyseed->len = rc == IKE_CRYPTO_OK ? ike_prf_len(old_prf) : 0;
	return rc;
}

int ike_sa_keys_derive(const struct ike_suite *s, const struct ike_key *skeyseed,
		       struct ike_buf ni, struct ike_buf nr, const uint8_t spi_i[IKE_SPI_LEN],
		       const uint8_t spi_r[IKE_SPI_LEN], struct ike_sa_keys *k)
{
	uint8_t keymat[IKE_SA_KEYMAT_MAX];
	size_t e, a;

	if (s == NULL || k == NULL || !key_ok(skeyseed) || !nonce_ok(ni) || !nonce_ok(nr) ||
	    spi_i == NULL || spi_r == NULL)
		return IKE_CRYPTO_EINVAL;
	int rc = transform_key_lens(s->encr, s->encr_key_bits, s->integ, &e, &a);

	if (rc != IKE_CRYPTO_OK)
		return rc;
	size_t p = ike_prf_len(s->prf);
	const struct ike_buf seed[] = {ni, nr, {spi_i, IKE_SPI_LEN}, {spi_r, IKE_SPI_LEN}};
	struct ike_key *const keys[] = {&k->d, &k->ai, &k->ar, &k->ei, &k->er, &k->pi, &k->pr};
	const size_t lens[] = {p, a, a, e, e, p, p};

	ike_sa_keys_wipe(k);
	return derive_split(s->prf, skeyseed, seed, 4, keys, lens, 7, keymat, sizeof(keymat));
}

int ike_child_keys_derive(uint16_t prf, const struct ike_key *sk_d, uint16_t encr,
			  uint16_t encr_key_bits, uint16_t integ, struct ike_buf gir,
			  struct ike_buf ni, struct ike_buf nr, struct ike_child_keys *k)
{
	uint8_t keymat[CHILD_KEYMAT_MAX];
	struct ike_buf seed[3];
	size_t n_seed = 0, e, a;

	if (k == NULL || !key_ok(sk_d) || !nonce_ok(ni) || !nonce_ok(nr) ||
	    (gir.len > 0 && gir.p == NULL))
		return IKE_CRYPTO_EINVAL;
	int rc = transform_key_lens(encr, encr_key_bits, integ, &e, &a);

	if (rc != IKE_CRYPTO_OK)
		return rc;
	if (gir.len > 0)
		seed[n_seed++] = gir;
	seed[n_seed++] = ni;
	seed[n_seed++] = nr;
	/* With AEAD a = 0: the integrity keys stay empty. */
	struct ike_key *const keys[] = {&k->ei, &k->ai, &k->er, &k->ar};
	const size_t lens[] = {e, a, e, a};

	ike_child_keys_wipe(k);
	return derive_split(prf, sk_d, seed, n_seed, keys, lens, 4, keymat, sizeof(keymat));
}
