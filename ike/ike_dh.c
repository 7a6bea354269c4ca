/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Diffie-Hellman for the KE payload: MODP (RFC 3526), ECP (RFC 5903) and
 * Curve25519 (RFC 8031) groups, their wire formats, and the checks a peer's
 * public value must pass (RFC 7296 §2.12, RFC 6989, NIST SP 800-56A 5.6.2.3).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "ike_crypto.h"

enum dh_kind { DH_MODP, DH_ECP, DH_X25519 };

struct dh_group {
	uint16_t id;
	enum dh_kind kind;
	const char *name;  /* OpenSSL group name */
	size_t field_len;  /* bytes of the prime or of a field element */
};

/* OpenSSL's "modp_*" groups are RFC 3526's (its "ffdhe*" are RFC 7919's). */
static const struct dh_group groups[] = {
	{IKE_DH_MODP_2048, DH_MODP, "modp_2048", 256},
	{IKE_DH_MODP_3072, DH_MODP, "modp_3072", 384},
	{IKE_DH_MODP_4096, DH_MODP, "modp_4096", 512},
	{IKE_DH_ECP_256, DH_ECP, "P-256", 32},
	{IKE_DH_ECP_384, DH_ECP, "P-384", 48},
	{IKE_DH_ECP_521, DH_ECP, "P-521", 66},
	{IKE_DH_CURVE25519, DH_X25519, "X25519", 32},
};

#define ECP_POINT_MAX (1 + 2 * 66) /* 0x04 | x | y of P-521 */

struct ike_dh {
	const struct dh_group *g;
	EVP_PKEY *pkey;
};

static const struct dh_group *group_of(uint16_t id)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (groups[i].id == id)
			return &groups[i];
	return NULL;
}

static const char *key_type(const struct dh_group *g)
{
	return g->kind == DH_MODP ? "DH" : g->kind == DH_ECP ? "EC" : "X25519";
}

size_t ike_dh_public_len(uint16_t group)
{
	const struct dh_group *g = group_of(group);

	return g == NULL ? 0 : g->kind == DH_ECP ? 2 * g->field_len : g->field_len;
}

size_t ike_dh_secret_len(uint16_t group)
{
	const struct dh_group *g = group_of(group);

	return g == NULL ? 0 : g->field_len;
}

uint16_t ike_dh_group(const struct ike_dh *dh)
{
	return dh->g->id;
}

static int dh_wrap(const struct dh_group *g, EVP_PKEY *pkey, struct ike_dh **out)
{
	struct ike_dh *dh = malloc(sizeof(*dh));

	if (dh == NULL) {
		EVP_PKEY_free(pkey);
		return IKE_CRYPTO_EINTERNAL;
	}
	dh->g = g;
	dh->pkey = pkey;
	*out = dh;
	return IKE_CRYPTO_OK;
}

int ike_dh_new(uint16_t group, struct ike_dh **dh)
{
	const struct dh_group *g = group_of(group);
	EVP_PKEY *pkey = NULL;

	if (g == NULL || dh == NULL)
		return IKE_CRYPTO_EINVAL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, key_type(g), NULL);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)g->name, 0),
		OSSL_PARAM_construct_end(),
	};
	bool ok = ctx != NULL && EVP_PKEY_keygen_init(ctx) > 0 &&
		  (g->kind == DH_X25519 || EVP_PKEY_CTX_set_params(ctx, params) > 0) &&
		  EVP_PKEY_generate(ctx, &pkey) > 0;

	EVP_PKEY_CTX_free(ctx);
	if (!ok) {
		EVP_PKEY_free(pkey);
		return IKE_CRYPTO_EINTERNAL;
	}
	return dh_wrap(g, pkey, dh);
}

static EVP_PKEY *pkey_fromdata(const char *type, OSSL_PARAM_BLD *bld, int selection)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *pkey = NULL;

	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, selection, params) <= 0)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

/* An ECP key pair from the scalar d: OpenSSL needs the public point spelled out. */
static int ecp_from_private(const struct dh_group *g, struct ike_buf priv, EVP_PKEY **pkey)
{
	uint8_t pub[ECP_POINT_MAX];
	int rc = IKE_CRYPTO_EINTERNAL;
	EC_GROUP *grp = EC_GROUP_new_by_curve_name(EC_curve_nist2nid(g->name));
	EC_POINT *q = grp != NULL ? EC_POINT_new(grp) : NULL;
	BIGNUM *d = BN_secure_new();
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();

	if (q == NULL || d == NULL || bld == NULL || BN_bin2bn(priv.p, (int)priv.len, d) == NULL)
		goto out;
	if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(grp)) >= 0) {
		rc = IKE_CRYPTO_EINVAL;
		goto out;
	}
	size_t pub_len = EC_POINT_mul(grp, q, d, NULL, NULL, NULL)
				 ? EC_POINT_point2oct(grp, q, POINT_CONVERSION_UNCOMPRESSED, pub,
						      sizeof(pub), NULL)
				 : 0;

	if (pub_len == 0 ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, g->name, 0) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len))
		goto out;
	*pkey = pkey_fromdata("EC", bld, EVP_PKEY_KEYPAIR);
	if (*pkey != NULL)
		rc = IKE_CRYPTO_OK;
out:
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(d);
	EC_POINT_free(q);
	EC_GROUP_free(grp);
	return rc;
}

int ike_dh_from_private(uint16_t group, struct ike_buf priv, struct ike_dh **dh)
{
	const struct dh_group *g = group_of(group);
	EVP_PKEY *pkey = NULL;
	int rc;

	if (g == NULL || dh == NULL || g->kind == DH_MODP || priv.p == NULL ||
	    priv.len != g->field_len)
		return IKE_CRYPTO_EINVAL;
	if (g->kind == DH_ECP) {
		rc = ecp_from_private(g, priv, &pkey);
		if (rc != IKE_CRYPTO_OK)
			return rc;
	} else {
		pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv.p, priv.len);
		if (pkey == NULL)
			return IKE_CRYPTO_EINTERNAL;
	}
	return dh_wrap(g, pkey, dh);
}

void ike_dh_free(struct ike_dh *dh)
{
	if (dh == NULL)
		return;
	EVP_PKEY_free(dh->pkey);
	free(dh);
}

int ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t len)
{
	uint8_t point[ECP_POINT_MAX];
	BIGNUM *y = NULL;
	size_t n = 0;
	bool ok = false;

	if (dh == NULL || out == NULL || len != ike_dh_public_len(dh->g->id))
		return IKE_CRYPTO_EINVAL;
	switch (dh->g->kind) {
	case DH_MODP:
		ok = EVP_PKEY_get_bn_param(dh->pkey, OSSL_PKEY_PARAM_PUB_KEY, &y) &&
		     BN_bn2binpad(y, out, (int)len) == (int)len;
		BN_free(y);
		break;
	case DH_ECP:
		/* RFC 5903 §7: x | y without the SEC1 0x04 prefix. */
		ok = EVP_PKEY_get_octet_string_param(dh->pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
						     point, sizeof(point), &n) &&
		     n == len + 1 && point[0] == POINT_CONVERSION_UNCOMPRESSED;
		if (ok)
			memcpy(out, point + 1, len);
		break;
	case DH_X25519:
		n = len;
		ok = EVP_PKEY_get_raw_public_key(dh->pkey, out, &n) && n == len;
		break;
	}
	return ok ? IKE_CRYPTO_OK : IKE_CRYPTO_EINTERNAL;
}

/* RFC 7296 §2.12, SP 800-56A: 1 < y < p-1 for our own key's prime p, before any arithmetic. */
static int modp_peer(const struct ike_dh *dh, struct ike_buf peer, EVP_PKEY **out)
{
	BIGNUM *p = NULL;
	BIGNUM *y = BN_bin2bn(peer.p, (int)peer.len, NULL);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	int rc = IKE_CRYPTO_EINTERNAL;

	if (y == NULL || bld == NULL || !EVP_PKEY_get_bn_param(dh->pkey, OSSL_PKEY_PARAM_FFC_P, &p) ||
	    !BN_sub_word(p, 1))
		goto out;
	if (BN_cmp(y, BN_value_one()) <= 0 || BN_cmp(y, p) >= 0) {
		rc = IKE_CRYPTO_EPEER;
		goto out;
	}
	if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, dh->g->name, 0) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y))
		goto out;
	*out = pkey_fromdata("DH", bld, EVP_PKEY_PUBLIC_KEY);
	rc = *out != NULL ? IKE_CRYPTO_OK : IKE_CRYPTO_EPEER;
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(y);
	BN_free(p);
	return rc;
}

/* The point must decode: OpenSSL refuses coordinates off the curve or beyond the field. */
static int ecp_peer(const struct ike_dh *dh, struct ike_buf peer, EVP_PKEY **out)
{
	uint8_t point[ECP_POINT_MAX];
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	int rc = IKE_CRYPTO_EINTERNAL;

	point[0] = POINT_CONVERSION_UNCOMPRESSED;
	memcpy(point + 1, peer.p, peer.len);
	if (bld != NULL &&
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, dh->g->name, 0) &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, peer.len + 1)) {
		*out = pkey_fromdata("EC", bld, EVP_PKEY_PUBLIC_KEY);
		rc = *out != NULL ? IKE_CRYPTO_OK : IKE_CRYPTO_EPEER;
	}
	OSSL_PARAM_BLD_free(bld);
	return rc;
}

/*
 * OpenSSL's full public key check: ECP, a point of the curve other than
 * infinity, of order n; MODP, y^q = 1 mod p, membership of the prime-order
 * subgroup (SP 800-56A 5.6.2.3.1).
 */
static int public_check(EVP_PKEY *pkey)
{
	EVP_PKEY_CTX *check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	int rc = check == NULL ? IKE_CRYPTO_EINTERNAL
		 : EVP_PKEY_public_check(check) == 1 ? IKE_CRYPTO_OK
						     : IKE_CRYPTO_EPEER;

	EVP_PKEY_CTX_free(check);
	return rc;
}

static int peer_key(const struct ike_dh *dh, struct ike_buf peer, EVP_PKEY **out)
{
	int rc = IKE_CRYPTO_EPEER;

	*out = NULL;
	if (peer.p == NULL || peer.len != ike_dh_public_len(dh->g->id))
		return IKE_CRYPTO_EPEER;
	switch (dh->g->kind) {
	case DH_MODP:
		rc = modp_peer(dh, peer, out);
		break;
	case DH_ECP:
		rc = ecp_peer(dh, peer, out);
		break;
	case DH_X25519:
		/* Every u decodes; the small-order ones show as an all-zero result. */
		*out = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer.p, peer.len);
		return *out != NULL ? IKE_CRYPTO_OK : IKE_CRYPTO_EINTERNAL;
	}
	if (rc == IKE_CRYPTO_OK)
		rc = public_check(*out);
	if (rc != IKE_CRYPTO_OK) {
		EVP_PKEY_free(*out);
		*out = NULL;
	}
	return rc;
}

int ike_dh_shared(const struct ike_dh *dh, struct ike_buf peer, uint8_t *secret, size_t len)
{
	EVP_PKEY *peer_pkey = NULL;
	EVP_PKEY_CTX *ctx = NULL;

	if (dh == NULL || secret == NULL || len != dh->g->field_len)
		return IKE_CRYPTO_EINVAL;
	int rc = peer_key(dh, peer, &peer_pkey);

	if (rc != IKE_CRYPTO_OK)
		goto out;
	rc = IKE_CRYPTO_EINTERNAL;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->pkey, NULL);
	if (ctx == NULL || EVP_PKEY_derive_init(ctx) <= 0 ||
	    (dh->g->kind == DH_MODP && EVP_PKEY_CTX_set_dh_pad(ctx, 1) <= 0))
		goto out;
	/* peer_key() validated it: no second check. */
	if (EVP_PKEY_derive_set_peer_ex(ctx, peer_pkey, 0) <= 0)
		goto out;
	/* Our key is sound, so a refusal here is the peer's value (X25519: an all-zero result). */
	rc = IKE_CRYPTO_EPEER;
	size_t n = len;

	if (EVP_PKEY_derive(ctx, secret, &n) <= 0)
		goto out;
	rc = n == len ? IKE_CRYPTO_OK : IKE_CRYPTO_EINTERNAL;
out:
	if (rc != IKE_CRYPTO_OK)
		OPENSSL_cleanse(secret, len);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer_pkey);
	return rc;
}
