/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Translate an SA's algorithms into cryptodev transforms, and refuse what the
 * chosen device cannot do before any session is made.
 */
#include <stdio.h>
#include <string.h>

#include <rte_cryptodev.h>

#include "sa_xform.h"

struct cipher_map {
	enum rte_crypto_sym_xform_type type;
	int algo; /* rte_crypto_aead_algorithm or rte_crypto_cipher_algorithm */
	uint8_t iv_len; /* what the device is given, not what travels */
};

static const struct cipher_map cipher_map[CFG_CIPHER__COUNT] = {
	[CFG_CIPHER_NULL] = {RTE_CRYPTO_SYM_XFORM_CIPHER, RTE_CRYPTO_CIPHER_NULL, 0},
	[CFG_CIPHER_AES_128_GCM] = {RTE_CRYPTO_SYM_XFORM_AEAD, RTE_CRYPTO_AEAD_AES_GCM, 12},
	[CFG_CIPHER_AES_192_GCM] = {RTE_CRYPTO_SYM_XFORM_AEAD, RTE_CRYPTO_AEAD_AES_GCM, 12},
	[CFG_CIPHER_AES_256_GCM] = {RTE_CRYPTO_SYM_XFORM_AEAD, RTE_CRYPTO_AEAD_AES_GCM, 12},
	[CFG_CIPHER_AES_128_CBC] = {RTE_CRYPTO_SYM_XFORM_CIPHER, RTE_CRYPTO_CIPHER_AES_CBC, 16},
	[CFG_CIPHER_AES_192_CBC] = {RTE_CRYPTO_SYM_XFORM_CIPHER, RTE_CRYPTO_CIPHER_AES_CBC, 16},
	[CFG_CIPHER_AES_256_CBC] = {RTE_CRYPTO_SYM_XFORM_CIPHER, RTE_CRYPTO_CIPHER_AES_CBC, 16},
	[CFG_CIPHER_AES_128_CTR] = {RTE_CRYPTO_SYM_XFORM_CIPHER, RTE_CRYPTO_CIPHER_AES_CTR, 16},
	[CFG_CIPHER_AES_192_CTR] = {RTE_CRYPTO_SYM_XFORM_CIPHER, RTE_CRYPTO_CIPHER_AES_CTR, 16},
	[CFG_CIPHER_AES_256_CTR] = {RTE_CRYPTO_SYM_XFORM_CIPHER, RTE_CRYPTO_CIPHER_AES_CTR, 16},
	[CFG_CIPHER_CHACHA20_POLY1305] = {RTE_CRYPTO_SYM_XFORM_AEAD,
					  RTE_CRYPTO_AEAD_CHACHA20_POLY1305, 12},
};

static const enum rte_crypto_auth_algorithm integ_map[CFG_INTEG__COUNT] = {
	[CFG_INTEG_NONE] = RTE_CRYPTO_AUTH_NULL,
	[CFG_INTEG_HMAC_SHA1_96] = RTE_CRYPTO_AUTH_SHA1_HMAC,
	[CFG_INTEG_HMAC_SHA256_128] = RTE_CRYPTO_AUTH_SHA256_HMAC,
	[CFG_INTEG_HMAC_SHA384_192] = RTE_CRYPTO_AUTH_SHA384_HMAC,
	[CFG_INTEG_HMAC_SHA512_256] = RTE_CRYPTO_AUTH_SHA512_HMAC,
	[CFG_INTEG_AES_128_GMAC] = RTE_CRYPTO_AUTH_AES_GMAC,
	[CFG_INTEG_AES_192_GMAC] = RTE_CRYPTO_AUTH_AES_GMAC,
	[CFG_INTEG_AES_256_GMAC] = RTE_CRYPTO_AUTH_AES_GMAC,
};

static bool
is_gmac(enum cfg_integ i)
{
	return i == CFG_INTEG_AES_128_GMAC || i == CFG_INTEG_AES_192_GMAC ||
	       i == CFG_INTEG_AES_256_GMAC;
}

static int
check_capability(uint8_t dev_id, const struct rte_crypto_sym_xform *x,
		 const char *alg, char err[SAD_ERR_MAX])
{
	struct rte_cryptodev_sym_capability_idx idx = {.type = x->type};
	const struct rte_cryptodev_symmetric_capability *cap;
	struct rte_cryptodev_info info;
	int rc = -1;

	switch (x->type) {
	case RTE_CRYPTO_SYM_XFORM_AEAD:
		idx.algo.aead = x->aead.algo;
		cap = rte_cryptodev_sym_capability_get(dev_id, &idx);
		if (cap != NULL)
			rc = rte_cryptodev_sym_capability_check_aead(cap,
				x->aead.key.length, x->aead.digest_length,
				x->aead.aad_length, x->aead.iv.length);
		break;
	case RTE_CRYPTO_SYM_XFORM_CIPHER:
		idx.algo.cipher = x->cipher.algo;
		cap = rte_cryptodev_sym_capability_get(dev_id, &idx);
		if (cap != NULL)
			rc = rte_cryptodev_sym_capability_check_cipher(cap,
				x->cipher.key.length, x->cipher.iv.length);
		break;
	default:
		idx.algo.auth = x->auth.algo;
		cap = rte_cryptodev_sym_capability_get(dev_id, &idx);
		if (cap != NULL)
			rc = rte_cryptodev_sym_capability_check_auth(cap,
				x->auth.key.length, x->auth.digest_length,
				x->auth.iv.length);
		break;
	}
	if (rc != 0) {
		rte_cryptodev_info_get(dev_id, &info);
		snprintf(err, SAD_ERR_MAX, "crypto device %s cannot do %s",
			 info.driver_name, alg);
		return -1;
	}
	return 0;
}

/* The integrity transform ESP (after the cipher) and AH (alone) share. */
static void
auth_fill(const struct cfg_sa *cfg, struct rte_crypto_sym_xform *a)
{
	const struct cfg_alg_info *ii = cfg_integ_info(cfg->integ);

	a->type = RTE_CRYPTO_SYM_XFORM_AUTH;
	a->auth.algo = integ_map[cfg->integ];
	a->auth.op = cfg->dir == CFG_DIR_IN ? RTE_CRYPTO_AUTH_OP_VERIFY :
					      RTE_CRYPTO_AUTH_OP_GENERATE;
	a->auth.key.data = cfg->auth_key;
	a->auth.key.length = ii->key_len;
	a->auth.digest_length = ii->icv_len;
	if (is_gmac(cfg->integ)) {
		a->auth.iv.offset = SA_IV_OFFSET;
		a->auth.iv.length = 12; /* salt || IV, RFC 4543 §3.2 */
	}
}

int
sa_xform_build_auth(const struct cfg_sa *cfg, uint8_t dev_id, struct rte_crypto_sym_xform *a,
		    char err[SAD_ERR_MAX])
{
	memset(a, 0, sizeof(*a));
	auth_fill(cfg, a);
	return check_capability(dev_id, a, cfg_integ_info(cfg->integ)->name, err);
}

int
sa_xform_build(const struct cfg_sa *cfg, uint8_t dev_id, struct sa_xforms *x,
	       char err[SAD_ERR_MAX])
{
	const struct cfg_alg_info *ci = cfg_cipher_info(cfg->cipher);
	const struct cfg_alg_info *ii = cfg_integ_info(cfg->integ);
	const struct cipher_map *cm = &cipher_map[cfg->cipher];
	bool inbound = cfg->dir == CFG_DIR_IN;
	struct rte_crypto_sym_xform *c = &x->cipher, *a = &x->auth;

	memset(x, 0, sizeof(*x));

	if (ci->aead) {
		c->type = RTE_CRYPTO_SYM_XFORM_AEAD;
		c->aead.algo = cm->algo;
		c->aead.op = inbound ? RTE_CRYPTO_AEAD_OP_DECRYPT : RTE_CRYPTO_AEAD_OP_ENCRYPT;
		c->aead.key.data = cfg->key;
		c->aead.key.length = ci->key_len;
		c->aead.iv.offset = SA_IV_OFFSET;
		c->aead.iv.length = cm->iv_len;
		/* SPI + sequence number, with the high half when ESN is on */
		c->aead.aad_length = cfg->esn ? 12 : 8;
		c->aead.digest_length = ci->icv_len;
		x->first = c;
		return check_capability(dev_id, c, ci->name, err);
	}

	c->type = RTE_CRYPTO_SYM_XFORM_CIPHER;
	c->cipher.algo = cm->algo;
	c->cipher.op = inbound ? RTE_CRYPTO_CIPHER_OP_DECRYPT : RTE_CRYPTO_CIPHER_OP_ENCRYPT;
	c->cipher.key.data = cfg->key;
	c->cipher.key.length = ci->key_len;
	c->cipher.iv.offset = SA_IV_OFFSET;
	c->cipher.iv.length = cm->iv_len;

	auth_fill(cfg, a);
	if (is_gmac(cfg->integ)) {
		/* RFC 4543 ENCR_NULL_AUTH_AES_GMAC: rte_ipsec takes the auth xform alone */
		x->first = a;
		return check_capability(dev_id, a, ii->name, err);
	}

	/* Encrypt-then-MAC outbound; verify before decrypting inbound. */
	if (inbound) {
		a->next = c;
		x->first = a;
	} else {
		c->next = a;
		x->first = c;
	}
	if (check_capability(dev_id, c, ci->name, err) != 0)
		return -1;
	return check_capability(dev_id, a, ii->name, err);
}
