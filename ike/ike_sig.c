/* SPDX-License-Identifier: BSD-3-Clause */
/* AUTH signatures, RFC 7427 and the classic methods (ike_sig.h). */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ike_proto.h"
#include "ike_sig.h"

#define ALGID_MAX 15
#define GROUP_NAME_MAX 32

/* RFC 7427 Appendix A: the AlgorithmIdentifier DER for each signature we do. */
struct scheme {
	uint8_t hash;  /* enum ike_hash_id */
	int key_type;  /* EVP_PKEY_RSA or EVP_PKEY_EC */
	const char *md;
	uint8_t algid_len;
	uint8_t algid[ALGID_MAX];
};

#define RSA_ALGID(last)                                                                    \
	15, {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, (last),  \
	     0x05, 0x00}
#define ECDSA_ALGID(last) 12, {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, (last)}

static const struct scheme schemes[] = {
	{IKE_HASH_SHA2_256, EVP_PKEY_RSA, "SHA256", RSA_ALGID(0x0b)},   /* sha256WithRSAEncryption */
	{IKE_HASH_SHA2_384, EVP_PKEY_RSA, "SHA384", RSA_ALGID(0x0c)},
	{IKE_HASH_SHA2_512, EVP_PKEY_RSA, "SHA512", RSA_ALGID(0x0d)},
	{IKE_HASH_SHA2_256, EVP_PKEY_EC, "SHA256", ECDSA_ALGID(0x02)},  /* ecdsa-with-SHA256 */
	{IKE_HASH_SHA2_384, EVP_PKEY_EC, "SHA384", ECDSA_ALGID(0x03)},
	{IKE_HASH_SHA2_512, EVP_PKEY_EC, "SHA512", ECDSA_ALGID(0x04)},
};
#define N_SCHEMES (sizeof(schemes) / sizeof(schemes[0]))

/* The classic methods: RSA with SHA-1, ECDSA with the hash tied to the curve and
 * the signature as r|s of the field size each (RFC 4754 §7). */
struct classic {
	uint8_t method;
	int key_type;
	const char *md;
	const char *group; /* NULL for RSA */
	uint8_t half;      /* octets of r and of s */
	uint8_t hash;      /* the RFC 7427 hash we prefer for this key */
};

static const struct classic classics[] = {
	{IKE_AUTH_RSA_SIG, EVP_PKEY_RSA, "SHA1", NULL, 0, IKE_HASH_SHA2_256},
	{IKE_AUTH_ECDSA_256, EVP_PKEY_EC, "SHA256", "prime256v1", 32, IKE_HASH_SHA2_256},
	{IKE_AUTH_ECDSA_384, EVP_PKEY_EC, "SHA384", "secp384r1", 48, IKE_HASH_SHA2_384},
	{IKE_AUTH_ECDSA_521, EVP_PKEY_EC, "SHA512", "secp521r1", 66, IKE_HASH_SHA2_512},
};
#define N_CLASSICS (sizeof(classics) / sizeof(classics[0]))

size_t ike_sig_hashes_encode(uint8_t *out, size_t cap)
{
	size_t n = 0;

	for (uint8_t h = IKE_HASH_SHA2_256; h <= IKE_HASH_SHA2_512 && n + 2 <= cap; h++) {
		out[n++] = 0;
		out[n++] = h;
	}
	return n;
}

unsigned ike_sig_hashes_decode(const uint8_t *data, size_t len)
{
	unsigned set = 0;

	for (size_t i = 0; i + 2 <= len; i += 2)
		if (data[i] == 0 && data[i + 1] < 16)
			set |= IKE_HASH_BIT(data[i + 1]);
	return set;
}

/* The classic method entry that fits key (RSA, or the EC key's curve). */
static const struct classic *classic_for_key(EVP_PKEY *key)
{
	char group[GROUP_NAME_MAX] = "";
	int type = EVP_PKEY_get_base_id(key);

	if (type == EVP_PKEY_EC &&
	    EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
					   NULL) != 1)
		return NULL;
	for (size_t i = 0; i < N_CLASSICS; i++)
		if (classics[i].key_type == type &&
		    (type == EVP_PKEY_RSA || strcmp(classics[i].group, group) == 0))
			return &classics[i];
	return NULL;
}

bool ike_sig_key_ok(EVP_PKEY *key)
{
	return classic_for_key(key) != NULL;
}

static const struct scheme *scheme_for(int key_type, uint8_t hash)
{
	for (size_t i = 0; i < N_SCHEMES; i++)
		if (schemes[i].key_type == key_type && schemes[i].hash == hash)
			return &schemes[i];
	return NULL;
}

/* A digest context set up to sign or verify with key and md, or NULL. */
static EVP_MD_CTX *md_ctx(EVP_PKEY *key, const char *md, bool sign)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (ctx != NULL && (sign ? EVP_DigestSignInit_ex(ctx, NULL, md, NULL, NULL, key, NULL)
				 : EVP_DigestVerifyInit_ex(ctx, NULL, md, NULL, NULL, key, NULL)) != 1) {
		EVP_MD_CTX_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

/* One EVP signature over octets (ECDSA: DER Ecdsa-Sig-Value); *len in: room. */
static int digest_sign(EVP_PKEY *key, const char *md, struct ike_buf octets, uint8_t *out,
		       size_t *len)
{
	EVP_MD_CTX *ctx = md_ctx(key, md, true);
	bool ok = ctx != NULL && EVP_DigestSign(ctx, out, len, octets.p, octets.len) == 1;

	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok ? IKE_CRYPTO_OK : IKE_CRYPTO_EINTERNAL;
}

static int digest_verify(EVP_PKEY *key, const char *md, struct ike_buf octets,
			 const uint8_t *sig, size_t sig_len)
{
	EVP_MD_CTX *ctx = md_ctx(key, md, false);
	bool ok = ctx != NULL && EVP_DigestVerify(ctx, sig, sig_len, octets.p, octets.len) == 1;

	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok ? IKE_CRYPTO_OK : IKE_CRYPTO_EAUTH;
}

/* DER Ecdsa-Sig-Value <-> r|s of half octets each. */
static int der_to_raw(const uint8_t *der, size_t der_len, size_t half, uint8_t *out)
{
	const unsigned char *p = der;
	ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	int rc = IKE_CRYPTO_EINTERNAL;

	if (s != NULL && BN_bn2binpad(ECDSA_SIG_get0_r(s), out, (int)half) == (int)half &&
	    BN_bn2binpad(ECDSA_SIG_get0_s(s), out + half, (int)half) == (int)half)
		rc = IKE_CRYPTO_OK;
	ECDSA_SIG_free(s);
	return rc;
}

static int raw_to_der(const uint8_t *raw, size_t half, uint8_t *out, size_t *out_len)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, (int)half, NULL), *ss = BN_bin2bn(raw + half, (int)half, NULL);
	int rc = IKE_CRYPTO_EAUTH;

	if (s != NULL && r != NULL && ss != NULL && ECDSA_SIG_set0(s, r, ss) == 1) {
		r = ss = NULL; /* s owns them */
		unsigned char *p = out;
		int n = i2d_ECDSA_SIG(s, NULL);
		if (n > 0 && (size_t)n <= *out_len && i2d_ECDSA_SIG(s, &p) == n) {
			*out_len = (size_t)n;
			rc = IKE_CRYPTO_OK;
		}
	}
	BN_free(r);
	BN_free(ss);
	ECDSA_SIG_free(s);
	return rc;
}

/* The hash to sign with under RFC 7427: the key's own if the peer has it, else
 * any of ours the peer has; 0 when we share none. */
static uint8_t pick_hash(const struct classic *k, unsigned peer_hashes)
{
	unsigned both = peer_hashes & IKE_HASHES_OURS;

	if (both & IKE_HASH_BIT(k->hash))
		return k->hash;
	for (uint8_t h = IKE_HASH_SHA2_256; h <= IKE_HASH_SHA2_512; h++)
		if (both & IKE_HASH_BIT(h))
			return h;
	return 0;
}

int ike_sig_sign(EVP_PKEY *key, unsigned peer_hashes, struct ike_buf octets, uint8_t *method,
		 uint8_t *out, size_t cap, size_t *len)
{
	const struct classic *k = classic_for_key(key);
	uint8_t der[IKE_SIG_MAX];
	size_t der_len = sizeof(der);

	if (k == NULL || (size_t)EVP_PKEY_get_size(key) > sizeof(der) || cap < sizeof(der))
		return IKE_CRYPTO_EINVAL;
	uint8_t hash = pick_hash(k, peer_hashes);
	if (hash != 0) {
		const struct scheme *s = scheme_for(k->key_type, hash);

		if (digest_sign(key, s->md, octets, der, &der_len) != IKE_CRYPTO_OK ||
		    1 + s->algid_len + der_len > cap)
			return IKE_CRYPTO_EINTERNAL;
		out[0] = s->algid_len;
		memcpy(out + 1, s->algid, s->algid_len);
		memcpy(out + 1 + s->algid_len, der, der_len);
		*len = 1 + s->algid_len + der_len;
		*method = IKE_AUTH_DIGITAL_SIG;
		return IKE_CRYPTO_OK;
	}
	*len = cap;
	if (digest_sign(key, k->md, octets, k->half ? der : out, k->half ? &der_len : len) !=
	    IKE_CRYPTO_OK)
		return IKE_CRYPTO_EINTERNAL;
	if (k->half) {
		if (der_to_raw(der, der_len, k->half, out) != IKE_CRYPTO_OK)
			return IKE_CRYPTO_EINTERNAL;
		*len = 2u * k->half;
	}
	*method = k->method;
	return IKE_CRYPTO_OK;
}

/* The hash an AlgorithmIdentifier names, if one we verify with (SHA-2). */
static const char *sha2_of(const X509_ALGOR *a)
{
	switch (a != NULL ? OBJ_obj2nid(a->algorithm) : NID_undef) {
	case NID_sha256:
		return "SHA256";
	case NID_sha384:
		return "SHA384";
	case NID_sha512:
		return "SHA512";
	default:
		return NULL;
	}
}

/*
 * RSASSA-PSS (RFC 7427 §3 and A.4.3, parameters of RFC 4055 §3.1): a SHA-2
 * hash, MGF1 with the same hash, the salt length given, trailer 1.  We verify
 * it; we sign with PKCS#1 v1.5, which every peer takes.
 */
static int verify_pss(EVP_PKEY *key, struct ike_buf algid, struct ike_buf octets,
		      const uint8_t *sig, size_t sig_len)
{
	const unsigned char *p = algid.p;
	X509_ALGOR *alg = d2i_X509_ALGOR(NULL, &p, (long)algid.len), *mgf_md = NULL;
	RSA_PSS_PARAMS *pss = NULL;
	int rc = IKE_CRYPTO_EAUTH;

	if (alg == NULL || p != algid.p + algid.len ||
	    OBJ_obj2nid(alg->algorithm) != NID_rsassaPss || alg->parameter == NULL ||
	    EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)
		goto out;
	pss = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(RSA_PSS_PARAMS), alg->parameter);
	if (pss == NULL || pss->maskGenAlgorithm == NULL ||
	    OBJ_obj2nid(pss->maskGenAlgorithm->algorithm) != NID_mgf1 ||
	    pss->maskGenAlgorithm->parameter == NULL ||
	    (pss->trailerField != NULL && ASN1_INTEGER_get(pss->trailerField) != 1))
		goto out;
	mgf_md = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(X509_ALGOR),
					   pss->maskGenAlgorithm->parameter);
	const char *md = sha2_of(pss->hashAlgorithm);
	long salt = pss->saltLength != NULL ? ASN1_INTEGER_get(pss->saltLength) : 20;
	if (md == NULL || sha2_of(mgf_md) != md || salt < 0 || salt > EVP_PKEY_get_size(key))
		goto out;
	EVP_MD_CTX *ctx = md_ctx(key, md, false);
	EVP_PKEY_CTX *pctx = ctx != NULL ? EVP_MD_CTX_get_pkey_ctx(ctx) : NULL;
	if (pctx != NULL && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, (int)salt) == 1 &&
	    EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, md, NULL) == 1 &&
	    EVP_DigestVerify(ctx, sig, sig_len, octets.p, octets.len) == 1)
		rc = IKE_CRYPTO_OK;
	EVP_MD_CTX_free(ctx);
out:
	X509_ALGOR_free(mgf_md);
	RSA_PSS_PARAMS_free(pss);
	X509_ALGOR_free(alg);
	ERR_clear_error();
	return rc;
}

static int verify_digital(EVP_PKEY *key, struct ike_buf octets, struct ike_buf auth)
{
	if (auth.len < 1 || auth.len - 1 < auth.p[0])
		return IKE_CRYPTO_EAUTH;
	size_t alen = auth.p[0];
	for (size_t i = 0; i < N_SCHEMES; i++) {
		const struct scheme *s = &schemes[i];

		if (s->algid_len == alen && memcmp(s->algid, auth.p + 1, alen) == 0)
			return s->key_type == EVP_PKEY_get_base_id(key)
				       ? digest_verify(key, s->md, octets, auth.p + 1 + alen,
						       auth.len - 1 - alen)
				       : IKE_CRYPTO_EAUTH;
	}
	return verify_pss(key, (struct ike_buf){auth.p + 1, alen}, octets, auth.p + 1 + alen,
			  auth.len - 1 - alen);
}

int ike_sig_verify(EVP_PKEY *key, uint8_t method, struct ike_buf octets, struct ike_buf auth)
{
	if (key == NULL || auth.p == NULL || auth.len == 0 || auth.len > IKE_SIG_MAX)
		return IKE_CRYPTO_EAUTH;
	if (method == IKE_AUTH_DIGITAL_SIG)
		return verify_digital(key, octets, auth);
	const struct classic *k = classic_for_key(key);
	if (k == NULL || k->method != method)
		return IKE_CRYPTO_EAUTH;
	if (k->half == 0)
		return digest_verify(key, k->md, octets, auth.p, auth.len);
	uint8_t der[IKE_SIG_MAX];
	size_t der_len = sizeof(der);
	if (auth.len != 2u * k->half || raw_to_der(auth.p, k->half, der, &der_len) != IKE_CRYPTO_OK)
		return IKE_CRYPTO_EAUTH;
	return digest_verify(key, k->md, octets, der, der_len);
}
