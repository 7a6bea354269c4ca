/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SK payload: Python-made and RFC 8439 known answers, round trips checked by
 * one-shot EVP/HMAC() reference code, every single-byte tampering, every
 * truncation, malformed padding, bad keys.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "test_ike_crypto.h"

#define HDR_LEN 32 /* IKE header (28) + SK generic header (4) */

static const EVP_CIPHER *ref_cipher(uint16_t encr, size_t key_len)
{
	if (encr == IKE_ENCR_CHACHA20_POLY1305)
		return EVP_chacha20_poly1305();
	if (encr == IKE_ENCR_AES_CBC)
		return key_len == 16 ? EVP_aes_128_cbc() : key_len == 24 ? EVP_aes_192_cbc()
									 : EVP_aes_256_cbc();
	return key_len == 16 ? EVP_aes_128_gcm() : key_len == 24 ? EVP_aes_192_gcm() : EVP_aes_256_gcm();
}

static size_t ref_icv_len(uint16_t encr, uint16_t integ)
{
	switch (encr) {
	case IKE_ENCR_AES_GCM_8:
		return 8;
	case IKE_ENCR_AES_GCM_12:
		return 12;
	case IKE_ENCR_AES_GCM_16:
	case IKE_ENCR_CHACHA20_POLY1305:
		return 16;
	}
	return integ == IKE_INTEG_HMAC_SHA1_96 ? 12 : integ == IKE_INTEG_HMAC_SHA2_256_128 ? 16
						: integ == IKE_INTEG_HMAC_SHA2_384_192 ? 24 : 32;
}

static const EVP_MD *ref_md(uint16_t integ)
{
	switch (integ) {
	case IKE_INTEG_HMAC_SHA1_96:
		return EVP_sha1();
	case IKE_INTEG_HMAC_SHA2_256_128:
		return EVP_sha256();
	case IKE_INTEG_HMAC_SHA2_384_192:
		return EVP_sha384();
	}
	return EVP_sha512();
}

/*
 * The test's own SK payload, in one-shot EVP calls: seal (enc) or open in
 * place buf[0, len) of msg, whose IV sits just before buf and ICV just after.
 * Open returns 0 when the ICV does not verify.
 */
static int ref_sk(int enc, const struct ike_sk_key *k, uint8_t *msg, size_t aad_len, size_t len)
{
	bool aead = k->encr != IKE_ENCR_AES_CBC;
	size_t iv_len = aead ? 8 : 16, icv_len = ref_icv_len(k->encr, k->integ);
	size_t key_len = k->encr_key->len - (aead ? 4 : 0);
	uint8_t *iv = msg + aad_len, *buf = iv + iv_len, *icv = buf + len;
	uint8_t nonce[12], mac[EVP_MAX_MD_SIZE];
	unsigned mac_len;
	int n, ok;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	if (aead) {
		memcpy(nonce, k->encr_key->b + key_len, 4);
		memcpy(nonce + 4, iv, 8);
		ok = EVP_CipherInit_ex(ctx, ref_cipher(k->encr, key_len), NULL, NULL, NULL, enc) &&
		     (enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)icv_len, icv)) &&
		     EVP_CipherInit_ex(ctx, NULL, NULL, k->encr_key->b, nonce, enc) &&
		     EVP_CipherUpdate(ctx, NULL, &n, msg, (int)aad_len) &&
		     EVP_CipherUpdate(ctx, buf, &n, buf, (int)len) && EVP_CipherFinal_ex(ctx, buf + n, &n) &&
		     (!enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, (int)icv_len, icv));
	} else {
		ok = EVP_CipherInit_ex(ctx, ref_cipher(k->encr, key_len), NULL, k->encr_key->b, iv, enc) &&
		     EVP_CIPHER_CTX_set_padding(ctx, 0);
		if (ok && !enc) {
			HMAC(ref_md(k->integ), k->integ_key->b, (int)k->integ_key->len, msg,
			     (size_t)(icv - msg), mac, &mac_len);
			ok = memcmp(mac, icv, icv_len) == 0;
		}
		ok = ok && EVP_CipherUpdate(ctx, buf, &n, buf, (int)len) &&
		     EVP_CipherFinal_ex(ctx, buf + n, &n);
		if (ok && enc) {
			HMAC(ref_md(k->integ), k->integ_key->b, (int)k->integ_key->len, msg,
			     (size_t)(icv - msg), mac, &mac_len);
			memcpy(icv, mac, icv_len);
		}
	}
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

/* Every strict prefix of msg is refused, by length or by ICV, never accepted. */
static void check_truncations(const struct ike_sk_key *k, const uint8_t *msg, size_t msg_len,
			      size_t aad_len, size_t min_body, size_t block)
{
	static uint8_t plain[BUF_MAX];
	size_t plain_len;
	int bad = 0;

	for (size_t len = 0; len < msg_len; len++) {
		/* A fresh heap-sized copy lets ASan see any read past len. */
		uint8_t *m = malloc(len ? len : 1);

		memcpy(m, msg, len);
		int rc = ike_sk_decrypt(k, m, len, aad_len, plain, sizeof(plain), &plain_len);
		int want = len < aad_len + min_body || (len - aad_len - min_body) % block != 0
				   ? IKE_CRYPTO_ELEN
				   : IKE_CRYPTO_EICV;

		if (rc != want) {
			bad++;
			fprintf(stderr, "  truncated to %zu: %d, want %d\n", len, rc, want);
		}
		free(m);
	}
	CHECK(bad == 0);
}

/* Flipping any one bit anywhere (header, IV, ciphertext, ICV) fails the ICV. */
static void check_tampering(const struct ike_sk_key *k, const uint8_t *msg, size_t msg_len,
			    size_t aad_len)
{
	static uint8_t m[BUF_MAX], plain[BUF_MAX];
	size_t plain_len;
	int bad = 0;

	memcpy(m, msg, msg_len);
	for (size_t i = 0; i < msg_len; i++) {
		m[i] ^= 0x40;
		bad += ike_sk_decrypt(k, m, msg_len, aad_len, plain, sizeof(plain), &plain_len) !=
		       IKE_CRYPTO_EICV;
		m[i] ^= 0x40;
	}
	CHECK(bad == 0);
	CHECK_RC(ike_sk_decrypt(k, m, msg_len, aad_len, plain, sizeof(plain), &plain_len),
		 IKE_CRYPTO_OK);
}

/*
 * Made with python3-cryptography (AESGCM, Cipher/AES/CBC) and hmac; the IKE
 * header is SPIi 0001020304050607, SPIr f0f1f2f3f4f5f6f7, next payload SK,
 * IKE_AUTH, flags 0x08, message ID 1; the SK payload holds one IDi payload
 * 0000000c01000000c0000201 (ID_IPV4_ADDR 192.0.2.1), padded:
 *   GCM: key feffe9928665731c6d6a8f9467308308, salt cafebabe, IV facedbaddecaf888,
 *        plaintext IDi | 00, AAD the first 32 bytes:
 *        AESGCM(key).encrypt(salt + iv, pt, aad)
 *   CBC: key 000102..0f, IV a0a1..af, plaintext IDi | 010203 | 03,
 *        ICV hmac.new(bytes(range(0x20, 0x40)), hdr + iv + ct, 'sha256').digest()[:16]
 */
void test_sk_known(void)
{
	static const char inner[] = "0000000c01000000c0000201";
	static const char gcm_msg[] =
		"0001020304050607f0f1f2f3f4f5f6f72e202308000000010000004523000029"
		"facedbaddecaf8889bb22cebd8f372c12e2b2a732bd05d3b2c70d00d23ee5011"
		"45a0c25986";
	static const char cbc_msg[] =
		"0001020304050607f0f1f2f3f4f5f6f72e202308000000010000005023000034"
		"a0a1a2a3a4a5a6a7a8a9aaabacadaeaff5af717d4d9f087309ce795e7a0f3720"
		"213aa7f454acf1fe725f929f6fd328e4";
	static uint8_t msg[BUF_MAX], plain[BUF_MAX];
	size_t plain_len;
	struct ike_key ek, ak;
	struct ike_sk_key k = {IKE_ENCR_AES_GCM_16, IKE_INTEG_NONE, &ek, NULL};

	ek.len = unhex("feffe9928665731c6d6a8f9467308308 cafebabe", ek.b, sizeof(ek.b));
	size_t len = unhex(gcm_msg, msg, sizeof(msg));

	CHECK_RC(ike_sk_decrypt(&k, msg, len, HDR_LEN, plain, sizeof(plain), &plain_len),
		 IKE_CRYPTO_OK);
	CHECK_BYTES(plain, plain_len, inner);
	check_tampering(&k, msg, len, HDR_LEN);
	check_truncations(&k, msg, len, HDR_LEN, 8 + 16 + 1, 1);
	CHECK(ike_sk_body_len(&k, 12) == len - HDR_LEN);

	k = (struct ike_sk_key){IKE_ENCR_AES_CBC, IKE_INTEG_HMAC_SHA2_256_128, &ek, &ak};
	ek.len = unhex("000102030405060708090a0b0c0d0e0f", ek.b, sizeof(ek.b));
	ak.len = 32;
	for (int i = 0; i < 32; i++)
		ak.b[i] = (uint8_t)(0x20 + i);
	len = unhex(cbc_msg, msg, sizeof(msg));
	CHECK_RC(ike_sk_decrypt(&k, msg, len, HDR_LEN, plain, sizeof(plain), &plain_len),
		 IKE_CRYPTO_OK);
	CHECK_BYTES(plain, plain_len, inner);
	check_tampering(&k, msg, len, HDR_LEN);
	check_truncations(&k, msg, len, HDR_LEN, 16 + 16 + 16, 16);
	CHECK(ike_sk_body_len(&k, 12) == len - HDR_LEN);
	CHECK_RC(ike_sk_decrypt(&k, msg, len, HDR_LEN, plain, len - HDR_LEN - 33, &plain_len),
		 IKE_CRYPTO_EINVAL);

	/*
	 * RFC 8439 §2.8.2 as an SK payload: AAD 50515253c0c1c2c3c4c5c6c7, key
	 * material key | salt 07000000, IV 4041424344454647. The plaintext's last
	 * octet '.' (46) reads as the Pad Length: 67 bytes remain.
	 */
	static const char text[] = "Ladies and Gentlemen of the class of '99: If I could offer you "
				   "only one tip for the future, sunscreen would be it.";

	k = (struct ike_sk_key){IKE_ENCR_CHACHA20_POLY1305, IKE_INTEG_NONE, &ek, NULL};
	ek.len = unhex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f 07000000",
		       ek.b, sizeof(ek.b));
	len = unhex("50515253c0c1c2c3c4c5c6c7 4041424344454647"
		    "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
		    "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
		    "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
		    "3ff4def08e4b7a9de576d26586cec64b6116"
		    "1ae10b594f09e26a7e902ecbd0600691",
		    msg, sizeof(msg));
	CHECK_RC(ike_sk_decrypt(&k, msg, len, 12, plain, sizeof(plain), &plain_len), IKE_CRYPTO_OK);
	CHECK(plain_len == 67 && memcmp(plain, text, 67) == 0);
	check_tampering(&k, msg, len, 12);
	check_truncations(&k, msg, len, 12, 8 + 16 + 1, 1);
}

/* Round trips for every transform and key size, each message checked by ref_sk. */
void test_sk_round_trip(void)
{
	static const struct {
		uint16_t encr, key_bits, integ;
	} v[] = {
		{IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE},
		{IKE_ENCR_AES_GCM_16, 192, IKE_INTEG_NONE},
		{IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE},
		{IKE_ENCR_AES_GCM_12, 256, IKE_INTEG_NONE},
		{IKE_ENCR_AES_GCM_8, 128, IKE_INTEG_NONE},
		{IKE_ENCR_CHACHA20_POLY1305, 0, IKE_INTEG_NONE},
		{IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128},
		{IKE_ENCR_AES_CBC, 192, IKE_INTEG_HMAC_SHA2_384_192},
		{IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_512_256},
		{IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA1_96},
	};
	static uint8_t msg[BUF_MAX], ref[BUF_MAX], plain[BUF_MAX], out[BUF_MAX];
	struct ike_key ek, ak;

	for (size_t i = 0; i < sizeof(plain); i++)
		plain[i] = (uint8_t)(i * 31 + 7);
	for (size_t t = 0; t < sizeof(v) / sizeof(v[0]); t++) {
		struct ike_sk_key k = {v[t].encr, v[t].integ, &ek, &ak};
		bool aead = ike_encr_is_aead(v[t].encr);
		size_t iv_len = aead ? 8 : 16, icv_len = ref_icv_len(v[t].encr, v[t].integ);
		int bad = 0;

		ek.len = ike_encr_keymat_len(v[t].encr, v[t].key_bits);
		ak.len = ike_integ_key_len(v[t].integ);
		for (size_t i = 0; i < IKE_KEY_MAX; i++) {
			ek.b[i] = (uint8_t)(t * 17 + i);
			ak.b[i] = (uint8_t)(t * 23 + 3 * i);
		}
		for (size_t plen = 0; plen <= 100; plen++) {
			size_t body = ike_sk_body_len(&k, plen), msg_len = 0, out_len = 0;

			for (size_t i = 0; i < HDR_LEN; i++)
				msg[i] = (uint8_t)(0xa0 + i);
			int rc = ike_sk_encrypt(&k, msg, HDR_LEN + body, HDR_LEN,
						(struct ike_buf){plain, plen}, &msg_len);
			size_t ct_len = body - iv_len - icv_len;

			if (rc != IKE_CRYPTO_OK || msg_len != HDR_LEN + body ||
			    ct_len < plen + 1 || ct_len > plen + (aead ? 1 : 16) ||
			    (!aead && ct_len % 16 != 0)) {
				bad++;
				continue;
			}
			/* The independent opening agrees on payloads and Pad Length. */
			memcpy(ref, msg, msg_len);
			if (!ref_sk(0, &k, ref, HDR_LEN, ct_len) ||
			    memcmp(ref + HDR_LEN + iv_len, plain, plen) != 0 ||
			    ref[HDR_LEN + iv_len + ct_len - 1] != ct_len - plen - 1)
				bad++;
			if (ike_sk_decrypt(&k, msg, msg_len, HDR_LEN, out, sizeof(out), &out_len) !=
				    IKE_CRYPTO_OK ||
			    out_len != plen || memcmp(out, plain, plen) != 0)
				bad++;
			/* One byte of room short: refused, nothing written past it. */
			if (ike_sk_encrypt(&k, msg, HDR_LEN + body - 1, HDR_LEN,
					   (struct ike_buf){plain, plen}, &msg_len) != IKE_CRYPTO_EINVAL)
				bad++;
		}
		CHECK(bad == 0);
		if (bad)
			fprintf(stderr, "  transform %u/%u/%u: %d bad\n", v[t].encr, v[t].key_bits,
				v[t].integ, bad);

		/* Authentic but with a Pad Length longer than the data: malformed, not ICV. */
		size_t ct_len = 16;

		memset(msg + HDR_LEN, 0x11, iv_len);
		memset(msg + HDR_LEN + iv_len, 0, ct_len);
		msg[HDR_LEN + iv_len + ct_len - 1] = 16;
		CHECK(ref_sk(1, &k, msg, HDR_LEN, ct_len));
		size_t out_len;

		CHECK_RC(ike_sk_decrypt(&k, msg, HDR_LEN + iv_len + ct_len + icv_len, HDR_LEN, out,
					sizeof(out), &out_len),
			 IKE_CRYPTO_ELEN);
		msg[HDR_LEN + iv_len + ct_len - 1] = 15;
		CHECK(ref_sk(1, &k, msg, HDR_LEN, ct_len));
		CHECK_RC(ike_sk_decrypt(&k, msg, HDR_LEN + iv_len + ct_len + icv_len, HDR_LEN, out,
					sizeof(out), &out_len),
			 IKE_CRYPTO_OK);
		CHECK(out_len == 0);
	}
}

void test_sk_bad_keys(void)
{
	uint8_t msg[256], out[256];
	size_t n;
	struct ike_key ek = {.len = 20}, ak = {.len = 32};
	struct ike_sk_key k = {IKE_ENCR_AES_GCM_16, IKE_INTEG_NONE, &ek, NULL};

	memset(msg, 0, sizeof(msg));
	CHECK(ike_sk_body_len(&k, 0) == 8 + 1 + 16);
	ek.len = 16; /* GCM key without its salt */
	CHECK(ike_sk_body_len(&k, 0) == 0);
	CHECK_RC(ike_sk_encrypt(&k, msg, sizeof(msg), HDR_LEN, (struct ike_buf){out, 1}, &n),
		 IKE_CRYPTO_EINVAL);
	CHECK_RC(ike_sk_decrypt(&k, msg, 100, HDR_LEN, out, sizeof(out), &n), IKE_CRYPTO_EINVAL);
	ek.len = 20;
	k.integ = IKE_INTEG_HMAC_SHA2_256_128; /* AEAD with integrity */
	CHECK_RC(ike_sk_decrypt(&k, msg, 100, HDR_LEN, out, sizeof(out), &n), IKE_CRYPTO_EINVAL);
	k = (struct ike_sk_key){IKE_ENCR_AES_CBC, IKE_INTEG_HMAC_SHA2_256_128, &ek, &ak};
	ek.len = 16;
	ak.len = 20; /* wrong integrity key length */
	CHECK(ike_sk_body_len(&k, 0) == 0);
	ak.len = 32;
	CHECK(ike_sk_body_len(&k, 0) == 16 + 16 + 16);
	CHECK(ike_sk_body_len(&k, 15) == 16 + 16 + 16);
	CHECK(ike_sk_body_len(&k, 16) == 16 + 32 + 16);
	k.integ = IKE_INTEG_NONE;
	CHECK(ike_sk_body_len(&k, 0) == 0);
	k.encr = 3; /* 3DES: not offered */
	CHECK(ike_sk_body_len(&k, 0) == 0);
	CHECK(strcmp(ike_crypto_strerror(IKE_CRYPTO_EICV), "integrity check failed") == 0);
}

/* The SK keys of each side come from its own half of the IKE SA keys. */
void test_sk_directions(void)
{
	const struct ike_suite s = {IKE_ENCR_AES_CBC, 128, IKE_PRF_HMAC_SHA2_256,
				    IKE_INTEG_HMAC_SHA2_256_128, IKE_DH_ECP_256};
	struct ike_key seed = {.len = 32};
	struct ike_sa_keys keys;
	struct ike_sk_key i, r;
	uint8_t nonce[16] = {1}, spi[8] = {2}, msg[128] = {0}, out[128];
	size_t len, out_len;

	CHECK_RC(ike_sa_keys_derive(&s, &seed, (struct ike_buf){nonce, 16},
				    (struct ike_buf){nonce, 16}, spi, spi, &keys),
		 IKE_CRYPTO_OK);
	ike_sk_key_of(&s, &keys, true, &i);
	ike_sk_key_of(&s, &keys, false, &r);
	CHECK(i.encr_key == &keys.ei && i.integ_key == &keys.ai);
	CHECK(r.encr_key == &keys.er && r.integ_key == &keys.ar);
	CHECK_RC(ike_sk_encrypt(&i, msg, sizeof(msg), HDR_LEN, (struct ike_buf){nonce, 16}, &len),
		 IKE_CRYPTO_OK);
	CHECK_RC(ike_sk_decrypt(&i, msg, len, HDR_LEN, out, sizeof(out), &out_len), IKE_CRYPTO_OK);
	CHECK_RC(ike_sk_decrypt(&r, msg, len, HDR_LEN, out, sizeof(out), &out_len), IKE_CRYPTO_EICV);
	ike_sa_keys_wipe(&keys);
}
