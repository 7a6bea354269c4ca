/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Diffie-Hellman: RFC 5903 and RFC 7748 known answers, MODP against OpenSSL's
 * own derive and the RFC 3526 primes, and the refusal of bad peer values.
 */
#include <stdbool.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>

#include "test_ike_crypto.h"

/* Public values are x | y (RFC 5903 §7 wire format); Curve25519's are 32-byte u. */
static const struct {
	const char *name;
	uint16_t group;
	const char *i, *gi, *r, *gr, *gir;
} dh_vectors[] = {
	{"RFC 5903 §8.1", IKE_DH_ECP_256,
	 "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433",
	 "dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180"
	 "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3",
	 "c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53",
	 "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63"
	 "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab",
	 "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de"},
	{"RFC 5903 §8.2", IKE_DH_ECP_384,
	 "099f3c7034d4a2c699884d73a375a67f7624ef7c6b3c0f160647b67414dce655"
	 "e35b538041e649ee3faef896783ab194",
	 "667842d7d180ac2cde6f74f37551f55755c7645c20ef73e31634fe72b4c55ee6"
	 "de3ac808acb4bdb4c88732aee95f41aa"
	 "9482ed1fc0eeb9cafc4984625ccfc23f65032149e0e144ada024181535a0f38e"
	 "eb9fcff3c2c947dae69b4c634573a81c",
	 "41cb0779b4bdb85d47846725fbec3c9430fab46cc8dc5060855cc9bda0aa2942"
	 "e0308312916b8ed2960e4bd55a7448fc",
	 "e558dbef53eecde3d3fccfc1aea08a89a987475d12fd950d83cfa41732bc509d"
	 "0d1ac43a0336def96fda41d0774a3571"
	 "dcfbec7aacf3196472169e838430367f66eebe3c6e70c416dd5f0c68759dd1ff"
	 "f83fa40142209dff5eaad96db9e6386c",
	 "11187331c279962d93d604243fd592cb9d0a926f422e47187521287e7156c5c4"
	 "d603135569b9e9d09cf5d4a270f59746"},
	{"RFC 5903 §8.3", IKE_DH_ECP_521,
	 "0037ade9319a89f4dabdb3ef411aaccca5123c61acab57b5393dce47608172a0"
	 "95aa85a30fe1c2952c6771d937ba9777f5957b2639bab072462f68c27a57382d"
	 "4a52",
	 "0015417e84dbf28c0ad3c278713349dc7df153c897a1891bd98bab4357c9ecbe"
	 "e1e3bf42e00b8e380aeae57c2d107564941885942af5a7f4601723c4195d176c"
	 "ed3e"
	 "017cae20b6641d2eeb695786d8c946146239d099e18e1d5a514c739d7cb4a10a"
	 "d8a788015ac405d7799dc75e7b7d5b6cf2261a6a7f1507438bf01beb6ca3926f"
	 "9582",
	 "0145ba99a847af43793fdd0e872e7cdfa16be30fdc780f97bccc3f078380201e"
	 "9c677d600b343757a3bdbf2a3163e4c2f869cca7458aa4a4effc311f5cb15168"
	 "5eb9",
	 "00d0b3975ac4b799f5bea16d5e13e9af971d5e9b984c9f39728b5e5739735a21"
	 "9b97c356436adc6e95bb0352f6be64a6c2912d4ef2d0433ced2b6171640012d9"
	 "460f"
	 "015c68226383956e3bd066e797b623c27ce0eac2f551a10c2c724d9852077b87"
	 "220b6536c5c408a1d2aebb8e86d678ae49cb57091f4732296579ab44fcd17f0f"
	 "c56a",
	 "01144c7d79ae6956bc8edb8e7c787c4521cb086fa64407f97894e5e6b2d79b04"
	 "d1427e73ca4baa240a34786859810c06b3c715a3a8cc3151f2bee417996d19f3"
	 "ddea"},
	{"RFC 7748 §6.1", IKE_DH_CURVE25519,
	 "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
	 "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
	 "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
	 "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
	 "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"},
};

void test_dh_known(void)
{
	static uint8_t priv[BUF_MAX], peer[BUF_MAX], pub[BUF_MAX], secret[BUF_MAX];

	for (size_t v = 0; v < sizeof(dh_vectors) / sizeof(dh_vectors[0]); v++) {
		uint16_t g = dh_vectors[v].group;
		size_t plen = ike_dh_public_len(g), slen = ike_dh_secret_len(g);
		const char *privs[] = {dh_vectors[v].i, dh_vectors[v].r};
		const char *pubs[] = {dh_vectors[v].gi, dh_vectors[v].gr};

		fprintf(stderr, "  %s\n", dh_vectors[v].name);
		for (int side = 0; side < 2; side++) {
			struct ike_dh *dh = NULL;

			CHECK_RC(ike_dh_from_private(g, hexbuf(privs[side], priv), &dh), IKE_CRYPTO_OK);
			if (dh == NULL)
				continue;
			CHECK(ike_dh_group(dh) == g);
			CHECK_RC(ike_dh_public(dh, pub, plen), IKE_CRYPTO_OK);
			CHECK_BYTES(pub, plen, pubs[side]);
			struct ike_buf other = hexbuf(pubs[!side], peer);

			CHECK_RC(ike_dh_shared(dh, other, secret, slen), IKE_CRYPTO_OK);
			CHECK_BYTES(secret, slen, dh_vectors[v].gir);

			/* Wrong lengths, and values that are no point of the group. */
			CHECK_RC(ike_dh_shared(dh, (struct ike_buf){peer, plen - 1}, secret, slen),
				 IKE_CRYPTO_EPEER);
			CHECK_RC(ike_dh_shared(dh, (struct ike_buf){peer, plen + 1}, secret, slen),
				 IKE_CRYPTO_EPEER);
			CHECK_RC(ike_dh_shared(dh, (struct ike_buf){peer, 0}, secret, slen),
				 IKE_CRYPTO_EPEER);
			CHECK_RC(ike_dh_shared(dh, other, secret, slen - 1), IKE_CRYPTO_EINVAL);
			memset(peer, 0, plen); /* ECP: (0, 0); X25519: u = 0, a small-order point */
			CHECK_RC(ike_dh_shared(dh, (struct ike_buf){peer, plen}, secret, slen),
				 IKE_CRYPTO_EPEER);
			if (g != IKE_DH_CURVE25519) {
				hexbuf(pubs[!side], peer);
				peer[plen - 1] ^= 1; /* y off the curve */
				CHECK_RC(ike_dh_shared(dh, (struct ike_buf){peer, plen}, secret, slen),
					 IKE_CRYPTO_EPEER);
				memset(peer, 0xff, plen); /* coordinates beyond the field */
				CHECK_RC(ike_dh_shared(dh, (struct ike_buf){peer, plen}, secret, slen),
					 IKE_CRYPTO_EPEER);
			} else {
				peer[0] = 1; /* u = 1: order 1, all-zero result (RFC 8031 §2) */
				CHECK_RC(ike_dh_shared(dh, (struct ike_buf){peer, plen}, secret, slen),
					 IKE_CRYPTO_EPEER);
			}
			ike_dh_free(dh);
		}
		/* Fresh pairs agree with each other. */
		struct ike_dh *a = NULL, *b = NULL;
		uint8_t pa[BUF_MAX / 4], pb[BUF_MAX / 4], sa[BUF_MAX / 8], sb[BUF_MAX / 8];

		CHECK_RC(ike_dh_new(g, &a), IKE_CRYPTO_OK);
		CHECK_RC(ike_dh_new(g, &b), IKE_CRYPTO_OK);
		if (a == NULL || b == NULL)
			continue;
		CHECK_RC(ike_dh_public(a, pa, plen), IKE_CRYPTO_OK);
		CHECK_RC(ike_dh_public(b, pb, plen), IKE_CRYPTO_OK);
		CHECK_RC(ike_dh_shared(a, (struct ike_buf){pb, plen}, sa, slen), IKE_CRYPTO_OK);
		CHECK_RC(ike_dh_shared(b, (struct ike_buf){pa, plen}, sb, slen), IKE_CRYPTO_OK);
		CHECK(memcmp(sa, sb, slen) == 0);
		ike_dh_free(a);
		ike_dh_free(b);
	}
	struct ike_dh *dh = NULL;

	CHECK_RC(ike_dh_from_private(IKE_DH_MODP_2048, (struct ike_buf){priv, 256}, &dh),
		 IKE_CRYPTO_EINVAL);
	memset(priv, 0, 32);
	CHECK_RC(ike_dh_from_private(IKE_DH_ECP_256, (struct ike_buf){priv, 32}, &dh),
		 IKE_CRYPTO_EINVAL);
	CHECK_RC(ike_dh_new(17, &dh), IKE_CRYPTO_EINVAL);
	CHECK(ike_dh_public_len(IKE_DH_ECP_521) == 132 && ike_dh_secret_len(IKE_DH_ECP_521) == 66);
	ike_dh_free(NULL);
}

/* A key of an OpenSSL named group, made without this library. */
static EVP_PKEY *ossl_keygen(const char *group)
{
	EVP_PKEY *pkey = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0),
		OSSL_PARAM_construct_end(),
	};

	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_CTX_set_params(ctx, params) <= 0 ||
	    EVP_PKEY_generate(ctx, &pkey) <= 0)
		abort();
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

/* OpenSSL's own derive between its key `mine` and the public value y (padded output). */
static void ossl_derive(const char *group, EVP_PKEY *mine, const uint8_t *y, size_t len,
			uint8_t *out)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *bn = BN_bin2bn(y, (int)len, NULL);
	EVP_PKEY *peer = NULL;

	OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, bn);
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *fctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);

	if (EVP_PKEY_fromdata_init(fctx) <= 0 ||
	    EVP_PKEY_fromdata(fctx, &peer, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		abort();
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, mine, NULL);
	size_t n = len;

	if (EVP_PKEY_derive_init(ctx) <= 0 || EVP_PKEY_CTX_set_dh_pad(ctx, 1) <= 0 ||
	    EVP_PKEY_derive_set_peer(ctx, peer) <= 0 || EVP_PKEY_derive(ctx, out, &n) <= 0 ||
	    n != len)
		abort();
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_CTX_free(fctx);
	EVP_PKEY_free(peer);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
}

/*
 * Step y down from y0 until y^((p-1)/2) = 1 mod p; write it to out (len bytes).
 * p is the prime in big-endian bytes.
 */
static bool subgroup_member_below(BIGNUM *y, const uint8_t *p_bytes, size_t len, uint8_t *out)
{
	BN_CTX *bn = BN_CTX_new();
	BIGNUM *p = BN_bin2bn(p_bytes, (int)len, NULL), *q = BN_dup(p), *r = BN_new();
	bool found = false;

	BN_sub_word(q, 1);
	BN_rshift1(q, q);
	for (int i = 0; i < 64 && !found; i++) {
		BN_sub_word(y, 1);
		BN_mod_exp(r, y, q, p, bn);
		found = BN_is_one(r);
	}
	BN_bn2binpad(y, out, (int)len);
	BN_free(r);
	BN_free(q);
	BN_free(p);
	BN_CTX_free(bn);
	return found;
}

/*
 * SHA-256 of the RFC 3526 primes, computed in Python from the RFC's defining
 * formula p = 2^N - 2^(N-64) - 1 + 2^64 * (floor(2^(N-130) * pi) + c), with pi
 * from Machin's formula at 1400 digits (decimal module).
 */
void test_dh_modp(void)
{
	static const struct {
		uint16_t group;
		const char *name;
		const char *prime_sha256;
	} v[] = {
		{IKE_DH_MODP_2048, "modp_2048",
		 "d66436f79bbd6b2e38c0ffbd079be904d2641415e2e67140e09448be9a60890e"},
		{IKE_DH_MODP_3072, "modp_3072",
		 "48cf8b092fbce4359d9871abf74f98e25b6163379eaa15cd9087e800c6d1c55c"},
		{IKE_DH_MODP_4096, "modp_4096",
		 "4ee95187682bcb230ad26a95205f6920e84708f6251b3894329b09ec23919e33"},
	};
	static uint8_t pa[512], pb[512], pc[513], sa[512], sb[512], sc[512], p[512];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t len = ike_dh_public_len(v[i].group);
		struct ike_dh *a = NULL, *b = NULL;

		fprintf(stderr, "  MODP group %u\n", v[i].group);
		CHECK(len == ike_dh_secret_len(v[i].group) && len <= sizeof(p));
		CHECK_RC(ike_dh_new(v[i].group, &a), IKE_CRYPTO_OK);
		CHECK_RC(ike_dh_new(v[i].group, &b), IKE_CRYPTO_OK);
		if (a == NULL || b == NULL)
			abort();
		CHECK_RC(ike_dh_public(a, pa, len), IKE_CRYPTO_OK);
		CHECK_RC(ike_dh_public(b, pb, len), IKE_CRYPTO_OK);
		CHECK_RC(ike_dh_shared(a, (struct ike_buf){pb, len}, sa, len), IKE_CRYPTO_OK);
		CHECK_RC(ike_dh_shared(b, (struct ike_buf){pa, len}, sb, len), IKE_CRYPTO_OK);
		CHECK(memcmp(sa, sb, len) == 0);

		/* Against a key OpenSSL made on its own, derived by OpenSSL. */
		EVP_PKEY *c = ossl_keygen(v[i].name);
		BIGNUM *yc = NULL, *bp = NULL;

		if (!EVP_PKEY_get_bn_param(c, OSSL_PKEY_PARAM_PUB_KEY, &yc) ||
		    !EVP_PKEY_get_bn_param(c, OSSL_PKEY_PARAM_FFC_P, &bp) ||
		    BN_bn2binpad(yc, pc, (int)len) != (int)len || BN_bn2binpad(bp, p, (int)len) != (int)len)
			abort();
		CHECK_RC(ike_dh_shared(a, (struct ike_buf){pc, len}, sa, len), IKE_CRYPTO_OK);
		ossl_derive(v[i].name, c, pa, len, sc);
		CHECK(memcmp(sa, sc, len) == 0);

		/* The group is RFC 3526's. */
		uint8_t digest[SHA256_DIGEST_LENGTH];

		SHA256(p, len, digest);
		CHECK_BYTES(digest, sizeof(digest), v[i].prime_sha256);

		/* 0, 1, p-1, p, 2^N-1 are out of range. */
		memset(pc, 0, len);
		CHECK_RC(ike_dh_shared(a, (struct ike_buf){pc, len}, sa, len), IKE_CRYPTO_EPEER);
		pc[len - 1] = 1;
		CHECK_RC(ike_dh_shared(a, (struct ike_buf){pc, len}, sa, len), IKE_CRYPTO_EPEER);
		BN_sub_word(bp, 1);
		BN_bn2binpad(bp, pc, (int)len);
		CHECK_RC(ike_dh_shared(a, (struct ike_buf){pc, len}, sa, len), IKE_CRYPTO_EPEER);
		CHECK_RC(ike_dh_shared(a, (struct ike_buf){p, len}, sa, len), IKE_CRYPTO_EPEER);
		memset(pc, 0xff, len);
		CHECK_RC(ike_dh_shared(a, (struct ike_buf){pc, len}, sa, len), IKE_CRYPTO_EPEER);
		/*
		 * p-2 = -2 is in range but outside the order-q subgroup (2 is a square
		 * mod these p, -1 is not): refused. The nearest y below it inside the
		 * subgroup is accepted, so the range bound is this very p.
		 */
		BN_sub_word(bp, 1);
		BN_bn2binpad(bp, pc, (int)len);
		CHECK_RC(ike_dh_shared(a, (struct ike_buf){pc, len}, sa, len), IKE_CRYPTO_EPEER);
		CHECK(subgroup_member_below(bp, p, len, pc));
		CHECK_RC(ike_dh_shared(a, (struct ike_buf){pc, len}, sa, len), IKE_CRYPTO_OK);
		/* Lengths other than the prime's, even with the same value. */
		CHECK_RC(ike_dh_shared(a, (struct ike_buf){pb, len - 1}, sa, len), IKE_CRYPTO_EPEER);
		pc[0] = 0;
		memcpy(pc + 1, pb, len);
		CHECK_RC(ike_dh_shared(a, (struct ike_buf){pc, len + 1}, sa, len), IKE_CRYPTO_EPEER);

		BN_free(yc);
		BN_free(bp);
		EVP_PKEY_free(c);
		ike_dh_free(a);
		ike_dh_free(b);
	}
}
