/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Encrypted (SK) payload: AEAD per RFC 5282 (AES-GCM) and RFC 7634
 * (ChaCha20-Poly1305), or AES-CBC with a truncated HMAC (RFC 7296 §3.14).
 * The message layout contract is in ike_crypto.h.
 */
#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ike_crypto.h"
#include "ike_transform.h"

#define AEAD_NONCE_LEN 12 /* salt (4) | explicit IV (8) */
#define AEAD_TAG_MAX 16

/* What a validated ike_sk_key resolves to. */
struct sk_alg {
	const struct ike_encr_alg *encr;
	const EVP_CIPHER *cipher;
	size_t key_len; /* without the salt */
	size_t icv_len;
};

static int sk_resolve(const struct ike_sk_key *k, struct sk_alg *a)
{
	if (k == NULL || k->encr_key == NULL)
		return IKE_CRYPTO_EINVAL;
	a->encr = ike_encr_alg(k->encr);
	a->cipher = ike_encr_cipher(a->encr, k->encr_key->len);
	if (a->cipher == NULL)
		return IKE_CRYPTO_EINVAL;
	a->key_len = k->encr_key->len - a->encr->salt_len;
	if (a->encr->aead) {
		a->icv_len = a->encr->icv_len;
		return k->integ == IKE_INTEG_NONE ? IKE_CRYPTO_OK : IKE_CRYPTO_EINVAL;
	}
	a->icv_len = ike_integ_icv_len(k->integ);
	if (a->icv_len == 0 || k->integ_key == NULL ||
	    k->integ_key->len != ike_integ_key_len(k->integ))
		return IKE_CRYPTO_EINVAL;
	return IKE_CRYPTO_OK;
}

/*
 * Ciphertext bytes for plain_len bytes of payloads plus the Pad Length octet;
 * 0 when the whole message could outgrow the int lengths OpenSSL takes.
 */
static size_t padded_len(const struct ike_encr_alg *e, size_t plain_len)
{
	if (plain_len > (size_t)INT_MAX - 256)
		return 0;
	return (plain_len + 1 + e->block_len - 1) / e->block_len * e->block_len;
}

void ike_sk_key_of(const struct ike_suite *s, const struct ike_sa_keys *k, bool initiator,
		   struct ike_sk_key *out)
{
	out->encr = s->encr;
	out->integ = s->integ;
	out->encr_key = initiator ? &k->ei : &k->er;
	out->integ_key = initiator ? &k->ai : &k->ar;
}

size_t ike_sk_body_len(const struct ike_sk_key *k, size_t plain_len)
{
	struct sk_alg a;

	if (sk_resolve(k, &a) != IKE_CRYPTO_OK)
		return 0;
	size_t ct_len = padded_len(a.encr, plain_len);

	return ct_len == 0 ? 0 : a.encr->iv_len + ct_len + a.icv_len;
}

/*
 * One AEAD pass over in[0, len) into out; enc writes the tag, !enc checks it.
 * EICV when the tag does not verify.
 */
static int aead_run(int enc, const struct sk_alg *a, const struct ike_key *key, const uint8_t *iv,
		    struct ike_buf aad, const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
	uint8_t nonce[AEAD_NONCE_LEN];
	int n, rc = IKE_CRYPTO_EINTERNAL;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	memcpy(nonce, key->b + a->key_len, a->encr->salt_len);
	memcpy(nonce + a->encr->salt_len, iv, a->encr->iv_len);
	if (ctx == NULL || !EVP_CipherInit_ex(ctx, a->cipher, NULL, NULL, NULL, enc) ||
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, AEAD_NONCE_LEN, NULL) ||
	    (!enc && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)a->icv_len, tag)) ||
	    !EVP_CipherInit_ex(ctx, NULL, NULL, key->b, nonce, enc) ||
	    !EVP_CipherUpdate(ctx, NULL, &n, aad.p, (int)aad.len) ||
	    !EVP_CipherUpdate(ctx, out, &n, in, (int)len))
		goto out;
	if (!EVP_CipherFinal_ex(ctx, out + n, &n)) {
		rc = enc ? IKE_CRYPTO_EINTERNAL : IKE_CRYPTO_EICV;
		goto out;
	}
	if (enc && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, (int)a->icv_len, tag))
		goto out;
	rc = IKE_CRYPTO_OK;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

/* AES-CBC over whole blocks, no cipher padding: IKE pads itself. */
static int cbc_run(int enc, const struct sk_alg *a, const struct ike_key *key, const uint8_t *iv,
		   const uint8_t *in, size_t len, uint8_t *out)
{
	int n, rc = IKE_CRYPTO_EINTERNAL;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	if (ctx != NULL && EVP_CipherInit_ex(ctx, a->cipher, NULL, key->b, iv, enc) &&
	    EVP_CIPHER_CTX_set_padding(ctx, 0) && EVP_CipherUpdate(ctx, out, &n, in, (int)len) &&
	    EVP_CipherFinal_ex(ctx, out + n, &n))
		rc = IKE_CRYPTO_OK;
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int ike_sk_encrypt(const struct ike_sk_key *k, uint8_t *msg, size_t msg_cap, size_t aad_len,
		   struct ike_buf plain, size_t *msg_len)
{
	struct sk_alg a;
	int rc = sk_resolve(k, &a);

	if (rc != IKE_CRYPTO_OK)
		return rc;
	size_t ct_len = padded_len(a.encr, plain.len);
	size_t body = a.encr->iv_len + ct_len + a.icv_len;

	if (msg == NULL || msg_len == NULL || ct_len == 0 || (plain.len > 0 && plain.p == NULL) ||
	    aad_len > msg_cap || msg_cap - aad_len < body || aad_len > INT_MAX - body)
		return IKE_CRYPTO_EINVAL;
	uint8_t *iv = msg + aad_len;
	uint8_t *ct = iv + a.encr->iv_len;
	uint8_t *icv = ct + ct_len;
	size_t pad = ct_len - plain.len - 1;

	if (RAND_bytes(iv, a.encr->iv_len) != 1)
		return IKE_CRYPTO_EINTERNAL;
	if (plain.len > 0)
		memcpy(ct, plain.p, plain.len);
	memset(ct + plain.len, 0, pad);
	ct[ct_len - 1] = (uint8_t)pad;
	if (a.encr->aead) {
		rc = aead_run(1, &a, k->encr_key, iv, (struct ike_buf){msg, aad_len}, ct, ct_len, ct,
			      icv);
	} else {
		const struct ike_buf signed_part = {msg, (size_t)(icv - msg)};

		rc = cbc_run(1, &a, k->encr_key, iv, ct, ct_len, ct);
		if (rc == IKE_CRYPTO_OK)
			rc = ike_integ_icv(k->integ, (struct ike_buf){k->integ_key->b, k->integ_key->len},
					   &signed_part, 1, icv);
	}
	if (rc != IKE_CRYPTO_OK) {
		OPENSSL_cleanse(ct, ct_len);
		return rc;
	}
	*msg_len = aad_len + body;
	return IKE_CRYPTO_OK;
}

/* AES-CBC + HMAC: verify the ICV over everything before it, then decrypt. */
static int cbc_open(const struct ike_sk_key *k, const struct sk_alg *a, const uint8_t *msg,
		    size_t msg_len, const uint8_t *iv, size_t ct_len, uint8_t *plain)
{
	uint8_t icv[IKE_KEY_MAX];
	const struct ike_buf signed_part = {msg, msg_len - a->icv_len};
	int rc = ike_integ_icv(k->integ, (struct ike_buf){k->integ_key->b, k->integ_key->len},
			       &signed_part, 1, icv);

	if (rc == IKE_CRYPTO_OK && CRYPTO_memcmp(icv, msg + msg_len - a->icv_len, a->icv_len) != 0)
		rc = IKE_CRYPTO_EICV;
	if (rc == IKE_CRYPTO_OK)
		rc = cbc_run(0, a, k->encr_key, iv, iv + a->encr->iv_len, ct_len, plain);
	OPENSSL_cleanse(icv, sizeof(icv));
	return rc;
}

int ike_sk_decrypt(const struct ike_sk_key *k, const uint8_t *msg, size_t msg_len, size_t aad_len,
		   uint8_t *plain, size_t plain_cap, size_t *plain_len)
{
	struct sk_alg a;
	int rc = sk_resolve(k, &a);

	if (rc != IKE_CRYPTO_OK)
		return rc;
	if (msg == NULL || plain == NULL || plain_len == NULL)
		return IKE_CRYPTO_EINVAL;
	if (aad_len > msg_len || msg_len > INT_MAX)
		return IKE_CRYPTO_ELEN;
	size_t body = msg_len - aad_len;
	size_t overhead = a.encr->iv_len + a.icv_len;

	/* At least the Pad Length octet, in whole cipher blocks. */
	if (body < overhead + a.encr->block_len || (body - overhead) % a.encr->block_len != 0)
		return IKE_CRYPTO_ELEN;
	size_t ct_len = body - overhead;
	const uint8_t *iv = msg + aad_len;

	if (plain_cap < ct_len)
		return IKE_CRYPTO_EINVAL;
	if (a.encr->aead) {
		uint8_t tag[AEAD_TAG_MAX];

		memcpy(tag, msg + msg_len - a.icv_len, a.icv_len);
		rc = aead_run(0, &a, k->encr_key, iv, (struct ike_buf){msg, aad_len},
			      iv + a.encr->iv_len, ct_len, plain, tag);
	} else {
		rc = cbc_open(k, &a, msg, msg_len, iv, ct_len, plain);
	}
	if (rc == IKE_CRYPTO_OK && (size_t)plain[ct_len - 1] + 1 > ct_len)
		rc = IKE_CRYPTO_ELEN;
	if (rc != IKE_CRYPTO_OK) {
		OPENSSL_cleanse(plain, ct_len);
		return rc;
	}
	*plain_len = ct_len - plain[ct_len - 1] - 1;
	return IKE_CRYPTO_OK;
}
