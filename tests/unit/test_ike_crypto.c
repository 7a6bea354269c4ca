/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the IKEv2 crypto core (ike/ike_crypto.h).
 *
 * Published known answers:
 *  - RFC 4868 §2.7.1 PRF-HMAC-SHA-256/384/512 and §2.7.2 AUTH-HMAC-SHA-256-128,
 *    -384-192, -512-256 test cases;
 *  - NIST CAVP SP 800-135 IKEv2 KDF samples: SHA-256 and SHA-384 (SKEYSEED,
 *    DKM, SKEYSEED rekey), as carried in NSS's gtests ike-sha256/384-vectors.h;
 *    SHA-1 (the same plus DKM(Child SA) and DKM(Child SA D-H)), as carried in
 *    libreswan's CAVP tests;
 *  - RFC 5903 §8 for DH groups 19, 20, 21; RFC 7748 §6.1 (X25519) for group 31;
 *  - RFC 8439 §2.8.2 ChaCha20-Poly1305 AEAD vector, opened as an SK payload.
 * Python-made known answers (hmac and the 'cryptography' package of Debian 12,
 * script in the comment before each): IKE and Child SA key material, an SK
 * payload under AES-GCM-16 and one under AES-CBC + HMAC-SHA2-256-128, PSK AUTH.
 * Reference models inside this file: prf+ by one-shot HMAC(); AEAD and
 * CBC+HMAC opening by one-shot EVP calls; OpenSSL's own DH derive.
 * Run under ASan/UBSan: every error path must free what it allocated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>

#include "ike_crypto.h"

static int failures;
static int checks;

#define CHECK(cond)                                                                      \
	do {                                                                             \
		checks++;                                                                \
		if (!(cond)) {                                                           \
			failures++;                                                      \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                  \
		}                                                                        \
	} while (0)

#define CHECK_RC(expr, want)                                                                \
	do {                                                                                \
		int rc_ = (expr);                                                           \
		checks++;                                                                   \
		if (rc_ != (want)) {                                                        \
			failures++;                                                         \
			fprintf(stderr, "%s:%d: %s = %d (%s), want %d\n", __FILE__, __LINE__, \
				#expr, rc_, ike_crypto_strerror(rc_), (want));              \
		}                                                                           \
	} while (0)

#define CHECK_BYTES(got, len, want_hex) check_bytes(__FILE__, __LINE__, (got), (len), (want_hex))

#define BUF_MAX 4096

static int nibble(char c)
{
	const char *digits = "0123456789abcdef";
	const char *at = c != 0 ? strchr(digits, c | 0x20) : NULL;

	return at != NULL ? (int)(at - digits) : -1;
}

/* Hex (spaces and newlines allowed) into out; aborts on bad input: the vectors are ours. */
static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		if (*hex == ' ' || *hex == '\n')
			continue;
		int v = nibble(*hex);

		if (v < 0 || n >= cap)
			abort();
		if (hi < 0) {
			hi = v;
		} else {
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0)
		abort();
	return n;
}

static struct ike_buf hexbuf(const char *hex, uint8_t *store)
{
	return (struct ike_buf){store, unhex(hex, store, BUF_MAX)};
}

static void check_bytes(const char *file, int line, const uint8_t *got, size_t len,
			const char *want_hex)
{
	static uint8_t want[BUF_MAX];
	size_t want_len = unhex(want_hex, want, sizeof(want));

	checks++;
	if (want_len == len && memcmp(got, want, len) == 0)
		return;
	failures++;
	fprintf(stderr, "%s:%d: bytes differ (got %zu, want %zu):\n  got  ", file, line, len,
		want_len);
	for (size_t i = 0; i < len; i++)
		fprintf(stderr, "%02x", got[i]);
	fprintf(stderr, "\n  want %s\n", want_hex);
}

static void fill(uint8_t *p, size_t n, uint8_t b)
{
	memset(p, b, n);
}

/* ---------------------------------------------------------------- PRF / integrity */

/* RFC 4868 §2.7.1: the RFC 4231 data, full PRF output. */
static void test_prf_rfc4868(void)
{
	static const char larger[] = "This is a test using a larger than block-size key and a "
				     "larger than block-size data. The key needs to be hashed "
				     "before being used by the HMAC algorithm.";
	static const char hash_first[] = "Test Using Larger Than Block-Size Key - Hash Key First";
	static const struct {
		uint16_t prf;
		uint8_t key_byte; /* 0: key 0x01 0x02 ... */
		size_t key_len;
		const char *data; /* NULL: data_byte repeated 50 times */
		uint8_t data_byte;
		const char *out;
	} v[] = {
		{IKE_PRF_HMAC_SHA2_256, 0x0b, 20, "Hi There", 0,
		 "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
		{IKE_PRF_HMAC_SHA2_384, 0x0b, 20, "Hi There", 0,
		 "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
		 "faea9ea9076ede7f4af152e8b2fa9cb6"},
		{IKE_PRF_HMAC_SHA2_512, 0x0b, 20, "Hi There", 0,
		 "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
		 "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
		{IKE_PRF_HMAC_SHA2_256, 0xaa, 20, NULL, 0xdd,
		 "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
		{IKE_PRF_HMAC_SHA2_384, 0xaa, 20, NULL, 0xdd,
		 "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b"
		 "2a5ab39dc13814b94e3ab6e101a34f27"},
		{IKE_PRF_HMAC_SHA2_512, 0xaa, 20, NULL, 0xdd,
		 "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
		 "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"},
		{IKE_PRF_HMAC_SHA2_256, 0, 25, NULL, 0xcd,
		 "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
		{IKE_PRF_HMAC_SHA2_384, 0, 25, NULL, 0xcd,
		 "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e"
		 "6801dd23c4a7d679ccf8a386c674cffb"},
		{IKE_PRF_HMAC_SHA2_512, 0, 25, NULL, 0xcd,
		 "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
		 "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"},
		{IKE_PRF_HMAC_SHA2_256, 0xaa, 131, hash_first, 0,
		 "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
		{IKE_PRF_HMAC_SHA2_384, 0xaa, 131, hash_first, 0,
		 "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
		 "0c2ef6ab4030fe8296248df163f44952"},
		{IKE_PRF_HMAC_SHA2_512, 0xaa, 131, hash_first, 0,
		 "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
		 "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"},
		{IKE_PRF_HMAC_SHA2_256, 0xaa, 131, larger, 0,
		 "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
		{IKE_PRF_HMAC_SHA2_384, 0xaa, 131, larger, 0,
		 "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5"
		 "a678cc31e799176d3860e6110c46523e"},
	};
	uint8_t key[131], data[BUF_MAX], out[IKE_PRF_MAX];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		for (size_t j = 0; j < v[i].key_len; j++)
			key[j] = v[i].key_byte ? v[i].key_byte : (uint8_t)(j + 1);
		struct ike_buf d = {data, 50};

		if (v[i].data != NULL)
			d = (struct ike_buf){(const uint8_t *)v[i].data, strlen(v[i].data)};
		else
			fill(data, 50, v[i].data_byte);
		CHECK_RC(ike_prf(v[i].prf, (struct ike_buf){key, v[i].key_len}, &d, 1, out),
			 IKE_CRYPTO_OK);
		CHECK_BYTES(out, ike_prf_len(v[i].prf), v[i].out);
	}
	/* Data split into pieces is the same message. */
	struct ike_buf parts[] = {{(const uint8_t *)"Hi", 2}, {NULL, 0}, {(const uint8_t *)" There", 6}};

	fill(key, 20, 0x0b);
	CHECK_RC(ike_prf(IKE_PRF_HMAC_SHA2_256, (struct ike_buf){key, 20}, parts, 3, out),
		 IKE_CRYPTO_OK);
	CHECK_BYTES(out, 32, v[0].out);
	CHECK_RC(ike_prf(99, (struct ike_buf){key, 20}, parts, 3, out), IKE_CRYPTO_EINVAL);
	CHECK_RC(ike_prf(IKE_PRF_HMAC_SHA2_256, (struct ike_buf){key, 0}, parts, 3, out),
		 IKE_CRYPTO_EINVAL);
}

/* RFC 4868 §2.7.2: keys of the full digest size, ICV truncated. */
static void test_integ_rfc4868(void)
{
	static const char jefe[] = "what do ya want for nothing?";
	static const struct {
		uint16_t integ;
		uint8_t key_byte; /* 0: "Jefe" repeated */
		const char *data; /* NULL: 0xdd * 50 */
		const char *icv;
	} v[] = {
		{IKE_INTEG_HMAC_SHA2_256_128, 0x0b, "Hi There", "198a607eb44bfbc69903a0f1cf2bbdc5"},
		{IKE_INTEG_HMAC_SHA2_384_192, 0x0b, "Hi There",
		 "b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee973"},
		{IKE_INTEG_HMAC_SHA2_512_256, 0x0b, "Hi There",
		 "637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8"},
		{IKE_INTEG_HMAC_SHA2_256_128, 0, jefe, "167f928588c5cc2eef8e3093caa0e87c"},
		{IKE_INTEG_HMAC_SHA2_384_192, 0, jefe,
		 "2c7353974f1842fd66d53c452ca42122b28c0b594cfb184d"},
		{IKE_INTEG_HMAC_SHA2_512_256, 0, jefe,
		 "cb370917ae8a7ce28cfd1d8f4705d6141c173b2a9362c15df235dfb251b15454"},
		{IKE_INTEG_HMAC_SHA2_256_128, 0xaa, NULL, "cdcb1220d1ecccea91e53aba3092f962"},
		{IKE_INTEG_HMAC_SHA2_384_192, 0xaa, NULL,
		 "809f439be00274321d4a538652164b53554a508184a0c316"},
		{IKE_INTEG_HMAC_SHA2_512_256, 0xaa, NULL,
		 "2ee7acd783624ca9398710f3ee05ae41b9f9b0510c87e49e586cc9bf961733d8"},
	};
	uint8_t key[IKE_KEY_MAX], dd[50], icv[IKE_KEY_MAX];

	fill(dd, sizeof(dd), 0xdd);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t klen = ike_integ_key_len(v[i].integ);

		for (size_t j = 0; j < klen; j++)
			key[j] = v[i].key_byte ? v[i].key_byte : (uint8_t)"Jefe"[j % 4];
		struct ike_buf d = v[i].data ? (struct ike_buf){(const uint8_t *)v[i].data,
								strlen(v[i].data)}
					     : (struct ike_buf){dd, sizeof(dd)};

		CHECK_RC(ike_integ_icv(v[i].integ, (struct ike_buf){key, klen}, &d, 1, icv),
			 IKE_CRYPTO_OK);
		CHECK_BYTES(icv, ike_integ_icv_len(v[i].integ), v[i].icv);
		CHECK_RC(ike_integ_icv(v[i].integ, (struct ike_buf){key, klen - 1}, &d, 1, icv),
			 IKE_CRYPTO_EINVAL);
	}
	CHECK(ike_integ_icv_len(IKE_INTEG_HMAC_SHA1_96) == 12);
	CHECK(ike_integ_key_len(IKE_INTEG_HMAC_SHA1_96) == 20);
	CHECK(ike_integ_icv_len(IKE_INTEG_NONE) == 0);
}

/* Reference prf+: the §2.13 definition spelled out with one-shot HMAC(). */
static void ref_prf_plus(const EVP_MD *md, const uint8_t *key, size_t key_len,
			 const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len)
{
	uint8_t msg[IKE_PRF_MAX + 256 + 1], t[EVP_MAX_MD_SIZE];
	unsigned t_len = 0;

	for (size_t done = 0, i = 1; done < out_len; i++) {
		size_t m = 0;

		memcpy(msg, t, t_len);
		m += t_len;
		memcpy(msg + m, seed, seed_len);
		m += seed_len;
		msg[m++] = (uint8_t)i;
		HMAC(md, key, (int)key_len, msg, m, t, &t_len);
		size_t take = out_len - done < t_len ? out_len - done : t_len;

		memcpy(out + done, t, take);
		done += take;
	}
}

static void test_prf_plus_model(void)
{
	static const struct {
		uint16_t prf;
		const char *md;
	} prfs[] = {{IKE_PRF_HMAC_SHA1, "SHA1"},
		    {IKE_PRF_HMAC_SHA2_256, "SHA256"},
		    {IKE_PRF_HMAC_SHA2_384, "SHA384"},
		    {IKE_PRF_HMAC_SHA2_512, "SHA512"}};
	static uint8_t want[255 * IKE_PRF_MAX + 1], got[255 * IKE_PRF_MAX + 1];
	uint8_t key[37], seed[200];

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 13 + 5);
	for (size_t i = 0; i < sizeof(seed); i++)
		seed[i] = (uint8_t)(i * 7 + 1);
	for (size_t p = 0; p < sizeof(prfs) / sizeof(prfs[0]); p++) {
		size_t plen = ike_prf_len(prfs[p].prf), max = 255 * plen;
		const size_t lens[] = {0, 1, plen - 1, plen, plen + 1, 2 * plen, 3 * plen + 7,
				       max - 1, max};
		/* The seed in three uneven pieces. */
		const struct ike_buf pieces[] = {{seed, 3}, {seed + 3, 0}, {seed + 3, 197}};

		ref_prf_plus(EVP_get_digestbyname(prfs[p].md), key, sizeof(key), seed, sizeof(seed),
			     want, max);
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
			memset(got, 0, lens[l]);
			CHECK_RC(ike_prf_plus(prfs[p].prf, (struct ike_buf){key, sizeof(key)}, pieces,
					      3, got, lens[l]),
				 IKE_CRYPTO_OK);
			CHECK(memcmp(got, want, lens[l]) == 0);
		}
		CHECK_RC(ike_prf_plus(prfs[p].prf, (struct ike_buf){key, sizeof(key)}, pieces, 3,
				      got, max + 1),
			 IKE_CRYPTO_EINVAL);
	}
}

/* ---------------------------------------------------------------- key derivation */

struct kdf_vector {
	const char *name;
	uint16_t prf;
	const char *ni, *nr, *gir, *gir_new, *spi_i, *spi_r;
	const char *skeyseed, *dkm, *skeyseed_rekey;
	const char *child_dkm, *child_dkm_dh; /* NULL where the source has none */
};

/* NIST CAVP SP 800-135 IKEv2 KDF samples; DKM is 132 bytes of prf+(SKEYSEED, Ni|Nr|SPIi|SPIr). */
static const struct kdf_vector kdf_vectors[] = {
	{"CAVP HMAC-SHA1", IKE_PRF_HMAC_SHA1, "32b50d5f4a3763f3", "9206a04b26564cb1",
	 "4b2c1f971981a8ad8d0abeafabf38cf75fc8349c148142465ed9c8b516b8be52",
	 "863f3c9d06efd39d2b907b97f8699e5dd5251ef64a2a176f36ee40c87d4f9330", "34c9e7c188868785",
	 "3ff77d760d2b2199", "a9a7b222b59f8f48645f28a1db5b5f5d7479cba7",
	 "a14293677cc80ff8f9cc0eee30d895da9d8f405666e30ef0dfcb63c634a46002"
	 "a2a63080e514a062768b76606f9fa5e992204fc5a670bde3f10d6b027113936a"
	 "5c55b648a194ae587b0088d52204b702c979fa280870d2ed41efa9c549fd1119"
	 "8af1670b143d384bd275c5f594cf266b05ebadca855e4249520a441a81157435"
	 "a7a56cc4",
	 "63e81194946ebd05df7df5ebf5d8750056bf1f1d",
	 "8059e3ee8810e6c3a91bc8bcd2a7a41151b8d0e6ae239c7b38093ad85ef4c581"
	 "1a8e7b5d1cdabd9560b2d5e092d1f24e2d4b85eccdf0ad0dc9abd94b51ee7181"
	 "4ca6dbc8bb51b6309f5b9545c7eb35cf5580b1e521a8fe20754a2d883ba0c2cf"
	 "285f524aea6545b33106bc03e614296d319d41d4b50b3f510b1c0a22f3e66499"
	 "4d234cb4",
	 "bb43244c1860ad65ee1e211ffe8bb3661750c8f89cb9f547df7f4fa61d373016"
	 "28190e38c66232eab4b3ab14c400a5197dd3730ed4820a8a10394d51e1c04000"
	 "52f63ebd36b0e7ef53aaed31eba4a5080d7d4b5666023a8bbb5ffb7857240f9a"
	 "05884d1b7d2f933708450b7b3288f1fc863ab49fa901227cffc06e27899c7054"
	 "d56fd74c"},
	{"CAVP HMAC-SHA-256", IKE_PRF_HMAC_SHA2_256, "3f302be1abcb28e1", "8c332ee006064c9b",
	 "0f4d257d7a58fc4545c7d7a88119eee5d5c9690c5b4c989171d3abbfd99d1d29",
	 "25f3b12d6f282739256e39bf54eda53b60ffcf379bb7bcc90c27b4c4c578616c", "40dac39e1e1a8640",
	 "8619a1cf9a6e4c07", "5f00d1bd2c58ec224b1e6b71fa0f19a1faa7a193952c444411b47c1a9d8ba6fe",
	 "0b137d669b0947d7d026d593f0305ad401ff0c471357d695778a9c7f4b4869ec"
	 "e98aca531188d16041b3bb936d2dbb3b4993a6e768a809160de45d0283f273a6"
	 "cdf6854379e31be72b8d3d1fa990cf9c5b015ca9f918a7df6253c958114a09d4"
	 "e1c19bdcd4db14b29d98db1a74ad405c588662c14a04d0d36aa4ab55e90f8986"
	 "d12d4aad",
	 "2d63f6debc92048b4fef3889c4c99ca67d6496e0fac14a2bca9a2d6566ff2398", NULL, NULL},
	{"CAVP HMAC-SHA-384", IKE_PRF_HMAC_SHA2_384, "fd1b572a8e735591", "6013b0ef88dacd3d",
	 "d3288cd87565101e88fe3bad918f31939d8dd26ff1071f8b2d7f447524e58d7c",
	 "3358f620539473aee8d07e779764c4c6a9aabddc79a28e136b3bac021dbde44a", "2116ad07ce61f749",
	 "24880e55f11a65b7",
	 "69fe7a1ac94adaeb711295f5fe004b1a8d6a0b65d05692758ce8ad2f7a45f59d"
	 "7d0b596f51f7dfcf3330061888f6a94f",
	 "4f904c2025c90c817ea5ff9b662a6fdb445a73b57cdf09eacd379b95e1f03cac"
	 "b04cd6deeda4f952191dd9bc1f7a9502471a648d74dc06d38112de48a42501f6"
	 "b1a3ad55c2099cd9a648e5f17e5bf3e34bf9b5953decb768a34f875fe2b78dca"
	 "0c2fcca81ec1a412006dfaed38fa06882e61f4c148105fb8e231fdb33c4d484c"
	 "001721d4",
	 "e0548c1682e13bce454026b3b1bdf42985b24e4e7408095a7c529de38c3d1fcb"
	 "04c9fe6868042a34c9614c6c99e3fcea",
	 NULL, NULL},
};

static void check_key(const char *file, int line, const struct ike_key *k, const uint8_t *want,
		      size_t len)
{
	checks++;
	if (k->len == len && memcmp(k->b, want, len) == 0)
		return;
	failures++;
	fprintf(stderr, "%s:%d: key differs (len %zu, want %zu)\n", file, line, k->len, len);
}
#define CHECK_KEY(k, want, len) check_key(__FILE__, __LINE__, (k), (want), (len))

static void test_kdf_cavp(void)
{
	static uint8_t ni_b[BUF_MAX], nr_b[BUF_MAX], gir_b[BUF_MAX], girn_b[BUF_MAX], spii[BUF_MAX],
		spir[BUF_MAX], dkm[BUF_MAX], cdkm[BUF_MAX], out[BUF_MAX];

	for (size_t i = 0; i < sizeof(kdf_vectors) / sizeof(kdf_vectors[0]); i++) {
		const struct kdf_vector *v = &kdf_vectors[i];
		struct ike_buf ni = hexbuf(v->ni, ni_b), nr = hexbuf(v->nr, nr_b);
		struct ike_buf gir = hexbuf(v->gir, gir_b), gir_new = hexbuf(v->gir_new, girn_b);
		struct ike_buf si = hexbuf(v->spi_i, spii), sr = hexbuf(v->spi_r, spir);
		size_t dkm_len = unhex(v->dkm, dkm, sizeof(dkm)), plen = ike_prf_len(v->prf);
		struct ike_key skeyseed, rekeyed, sk_d = {.len = plen};

		fprintf(stderr, "  %s\n", v->name);
		CHECK_RC(ike_skeyseed(v->prf, ni, nr, gir, &skeyseed), IKE_CRYPTO_OK);
		CHECK_BYTES(skeyseed.b, skeyseed.len, v->skeyseed);
		const struct ike_buf seed[] = {ni, nr, si, sr};

		CHECK_RC(ike_prf_plus(v->prf, (struct ike_buf){skeyseed.b, skeyseed.len}, seed, 4, out,
				      dkm_len),
			 IKE_CRYPTO_OK);
		CHECK_BYTES(out, dkm_len, v->dkm);

		memcpy(sk_d.b, dkm, plen);
		CHECK_RC(ike_skeyseed_rekey(v->prf, &sk_d, gir_new, ni, nr, &rekeyed), IKE_CRYPTO_OK);
		CHECK_BYTES(rekeyed.b, rekeyed.len, v->skeyseed_rekey);

		/* The seven keys are consecutive slices of DKM, for a suite that fits in it. */
		const struct ike_suite gcm128 = {IKE_ENCR_AES_GCM_16, 128, v->prf, IKE_INTEG_NONE, 0};
		struct ike_sa_keys k;

		if (3 * plen + 2 * 20 <= dkm_len) {
			CHECK_RC(ike_sa_keys_derive(&gcm128, &skeyseed, ni, nr, si.p, sr.p, &k),
				 IKE_CRYPTO_OK);
			CHECK_KEY(&k.d, dkm, plen);
			CHECK(k.ai.len == 0 && k.ar.len == 0);
			CHECK_KEY(&k.ei, dkm + plen, 20);
			CHECK_KEY(&k.er, dkm + plen + 20, 20);
			CHECK_KEY(&k.pi, dkm + plen + 40, plen);
			CHECK_KEY(&k.pr, dkm + 2 * plen + 40, plen);
			ike_sa_keys_wipe(&k);
		}
		if (v->child_dkm == NULL)
			continue;
		/* Child SA: AES-CBC-128 + HMAC-SHA2-256-128 takes 96 bytes: ei | ai | er | ar. */
		const struct ike_buf no_dh = {NULL, 0};
		const char *const child[] = {v->child_dkm, v->child_dkm_dh};
		struct ike_child_keys ck;

		for (int pfs = 0; pfs < 2; pfs++) {
			unhex(child[pfs], cdkm, sizeof(cdkm));
			CHECK_RC(ike_child_keys_derive(v->prf, &sk_d, IKE_ENCR_AES_CBC, 128,
						       IKE_INTEG_HMAC_SHA2_256_128,
						       pfs ? gir_new : no_dh, ni, nr, &ck),
				 IKE_CRYPTO_OK);
			CHECK_KEY(&ck.ei, cdkm, 16);
			CHECK_KEY(&ck.ai, cdkm + 16, 32);
			CHECK_KEY(&ck.er, cdkm + 48, 16);
			CHECK_KEY(&ck.ar, cdkm + 64, 32);
			ike_child_keys_wipe(&ck);
			CHECK(ck.ei.len == 0 && ck.ei.b[0] == 0);
		}
	}
}

/*
 * A whole IKE SA and a PFS Child SA, PRF-HMAC-SHA2-256, made with Python's hmac:
 *   prf = lambda k, d: hmac.new(k, d, 'sha256').digest()
 *   ni = bytes(range(0x10, 0x30)); nr = bytes(range(0x80, 0xa0))
 *   gir = bytes((7 * i + 3) & 0xff for i in range(256))
 *   spii, spir = 0001020304050607, f0f1f2f3f4f5f6f7
 *   skeyseed = prf(ni + nr, gir); keymat = prfplus(skeyseed, ni + nr + spii + spir, 224)
 *   (AES-CBC-256 + HMAC-SHA2-256-128: seven 32-byte keys d ai ar ei er pi pr)
 *   child = prfplus(keymat[:32], gir2 + ni2 + nr2, 40) with
 *   gir2 = bytes((5 * i + 1) & 0xff for i in range(32)), ni2 = bytes(range(0x40, 0x60)),
 *   nr2 = bytes(range(0x60, 0x80)) (AES-GCM-16-128 key | salt: ei, er)
 */
static void test_keys_python(void)
{
	static const char keymat_hex[] =
		"93f5e5b4ae66d0557de14fc4081fb02cca0bb01f838241b105b7618d6be8f5b6"
		"22db810d226fc32bac2e9c8118919d1e0683208fa634e0bff9ec870b033a1905"
		"e1362d54b23eb354b4185abfbdb30193bf5bf7e61d4fe9723d9864c055c3729e"
		"4f462ff37eb6b1c244d8bcc6d16ee2e72a96123a29d629eba25f92c32315f6e4"
		"36d30420d026d81f7632e07e66425eec0e588c1d9ea03c174ab34729f4d21451"
		"4608cd83fdabea3e51732bb6d04c4357063ed50fd3fefd99dc926c9a2b5fa7e1"
		"d3cb04dc7311e887f77de6109e0462ac40bc8565670080201dd660f54e8d2dc8";
	static const char child_hex[] = "d3da29eda29f26c68a70aa7bcb7fa3676367f7ab"
					"0086ae2f7a35602a1fad32ea59a28411a6c7d9f6";
	uint8_t ni[32], nr[32], gir[256], ni2[32], nr2[32], gir2[32], keymat[224], child[40];
	const uint8_t spii[8] = {0, 1, 2, 3, 4, 5, 6, 7};
	const uint8_t spir[8] = {0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7};

	for (int i = 0; i < 32; i++) {
		ni[i] = (uint8_t)(0x10 + i);
		nr[i] = (uint8_t)(0x80 + i);
		ni2[i] = (uint8_t)(0x40 + i);
		nr2[i] = (uint8_t)(0x60 + i);
		gir2[i] = (uint8_t)(5 * i + 1);
	}
	for (int i = 0; i < 256; i++)
		gir[i] = (uint8_t)(7 * i + 3);
	unhex(keymat_hex, keymat, sizeof(keymat));
	unhex(child_hex, child, sizeof(child));

	const struct ike_suite s = {IKE_ENCR_AES_CBC, 256, IKE_PRF_HMAC_SHA2_256,
				    IKE_INTEG_HMAC_SHA2_256_128, IKE_DH_MODP_2048};
	const struct ike_buf bni = {ni, 32}, bnr = {nr, 32};
	struct ike_key skeyseed;
	struct ike_sa_keys k;
	struct ike_child_keys ck;

	CHECK_RC(ike_skeyseed(s.prf, bni, bnr, (struct ike_buf){gir, 256}, &skeyseed), IKE_CRYPTO_OK);
	CHECK_BYTES(skeyseed.b, skeyseed.len,
		    "aff2c2ba74c2ea31e65587faface7fb4487bbbf245a3b43ecc24de3067351fa4");
	CHECK_RC(ike_sa_keys_derive(&s, &skeyseed, bni, bnr, spii, spir, &k), IKE_CRYPTO_OK);
	const struct ike_key *order[] = {&k.d, &k.ai, &k.ar, &k.ei, &k.er, &k.pi, &k.pr};

	for (int i = 0; i < 7; i++)
		CHECK_KEY(order[i], keymat + 32 * i, 32);
	CHECK_RC(ike_child_keys_derive(s.prf, &k.d, IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE,
				       (struct ike_buf){gir2, 32}, (struct ike_buf){ni2, 32},
				       (struct ike_buf){nr2, 32}, &ck),
		 IKE_CRYPTO_OK);
	CHECK_KEY(&ck.ei, child, 20);
	CHECK(ck.ai.len == 0);
	CHECK_KEY(&ck.er, child + 20, 20);
	CHECK(ck.ar.len == 0);

	/* Suites and inputs that must be refused. */
	struct ike_suite bad = s;

	bad.integ = IKE_INTEG_NONE; /* CBC needs integrity */
	CHECK_RC(ike_sa_keys_derive(&bad, &skeyseed, bni, bnr, spii, spir, &k), IKE_CRYPTO_EINVAL);
	bad = s;
	bad.encr = IKE_ENCR_AES_GCM_16; /* AEAD with integrity */
	CHECK_RC(ike_sa_keys_derive(&bad, &skeyseed, bni, bnr, spii, spir, &k), IKE_CRYPTO_EINVAL);
	bad = s;
	bad.encr_key_bits = 100;
	CHECK_RC(ike_sa_keys_derive(&bad, &skeyseed, bni, bnr, spii, spir, &k), IKE_CRYPTO_EINVAL);
	bad = s;
	bad.prf = 1; /* PRF_HMAC_MD5: not offered */
	CHECK_RC(ike_sa_keys_derive(&bad, &skeyseed, bni, bnr, spii, spir, &k), IKE_CRYPTO_EINVAL);
	CHECK_RC(ike_skeyseed(s.prf, (struct ike_buf){ni, 0}, bnr, (struct ike_buf){gir, 256},
			      &skeyseed),
		 IKE_CRYPTO_EINVAL);
	CHECK_RC(ike_skeyseed(s.prf, (struct ike_buf){gir, 257}, bnr, (struct ike_buf){gir, 256},
			      &skeyseed),
		 IKE_CRYPTO_EINVAL);
	CHECK_RC(ike_child_keys_derive(s.prf, &k.d, IKE_ENCR_CHACHA20_POLY1305, 128, IKE_INTEG_NONE,
				       (struct ike_buf){NULL, 0}, bni, bnr, &ck),
		 IKE_CRYPTO_EINVAL);
	CHECK(ike_encr_keymat_len(IKE_ENCR_CHACHA20_POLY1305, 0) == 36);
	CHECK(ike_encr_keymat_len(IKE_ENCR_AES_GCM_8, 192) == 28);
	CHECK(ike_encr_keymat_len(IKE_ENCR_AES_CBC, 256) == 32);
	CHECK(ike_encr_keymat_len(IKE_ENCR_AES_CBC, 0) == 0);
	ike_sa_keys_wipe(&k);
	ike_child_keys_wipe(&ck);
	ike_key_wipe(&skeyseed);
}

/* ---------------------------------------------------------------- Diffie-Hellman */

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

static void test_dh_known(void)
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
static void test_dh_modp(void)
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

/* ---------------------------------------------------------------- SK payload */

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
	return integ == IKE_INTEG_HMAC_SHA1_96 ? EVP_sha1() : integ == IKE_INTEG_HMAC_SHA2_256_128 ? EVP_sha256()
			: integ == IKE_INTEG_HMAC_SHA2_384_192 ? EVP_sha384() : EVP_sha512();
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
	static uint8_t copy[BUF_MAX], plain[BUF_MAX];
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
	(void)copy;
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
static void test_sk_known(void)
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
static void test_sk_round_trip(void)
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

static void test_sk_bad_keys(void)
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
static void test_sk_directions(void)
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

/* ---------------------------------------------------------------- AUTH */

/*
 * Made with Python's hmac (PRF-HMAC-SHA2-256):
 *   real = b'IKE_SA_INIT request bytes stand-in'; nonce = bytes(range(0xc0, 0xe0))
 *   sk_pi = bytes(range(0x30, 0x50)); id_body = 01000000c0000201
 *   maced = prf(sk_pi, id_body); octets = real + nonce + maced
 *   auth = prf(prf(b'secgw test psk', b'Key Pad for IKEv2'), octets)
 */
static void test_auth_psk(void)
{
	static const char real[] = "IKE_SA_INIT request bytes stand-in";
	static const char psk[] = "secgw test psk";
	static const char maced[] =
		"c89207b0d4cc716f8cce9220d4594bd76c1b25e6d6e034f502e40849837c6e6d";
	static const char want[] = "e694fbf670278a81a53fa00c5da5f7e9f48259f888dfd0094c7577f480461794";
	uint8_t nonce[32], id_body[8], octets[128], auth[IKE_PRF_MAX];
	struct ike_key sk_pi = {.len = 32};
	size_t n = 0;
	const size_t real_len = sizeof(real) - 1;

	for (int i = 0; i < 32; i++) {
		nonce[i] = (uint8_t)(0xc0 + i);
		sk_pi.b[i] = (uint8_t)(0x30 + i);
	}
	unhex("01000000c0000201", id_body, sizeof(id_body));
	const struct ike_buf r = {(const uint8_t *)real, real_len}, nb = {nonce, 32};
	const struct ike_buf idb = {id_body, 8}, sb = {(const uint8_t *)psk, sizeof(psk) - 1};

	CHECK_RC(ike_auth_octets(IKE_PRF_HMAC_SHA2_256, r, nb, &sk_pi, idb, octets, sizeof(octets), &n),
		 IKE_CRYPTO_OK);
	CHECK(n == real_len + 32 + 32 && memcmp(octets, real, real_len) == 0 &&
	      memcmp(octets + real_len, nonce, 32) == 0);
	CHECK_BYTES(octets + real_len + 32, 32, maced);
	CHECK_RC(ike_auth_octets(IKE_PRF_HMAC_SHA2_256, r, nb, &sk_pi, idb, octets, n - 1, &n),
		 IKE_CRYPTO_EINVAL);

	const struct ike_buf ob = {octets, real_len + 64};

	CHECK_RC(ike_auth_psk(IKE_PRF_HMAC_SHA2_256, sb, ob, auth), IKE_CRYPTO_OK);
	CHECK_BYTES(auth, 32, want);
	CHECK_RC(ike_auth_psk_verify(IKE_PRF_HMAC_SHA2_256, sb, ob, (struct ike_buf){auth, 32}),
		 IKE_CRYPTO_OK);
	CHECK_RC(ike_auth_psk_verify(IKE_PRF_HMAC_SHA2_256, sb, ob, (struct ike_buf){auth, 31}),
		 IKE_CRYPTO_EAUTH);
	CHECK_RC(ike_auth_psk_verify(IKE_PRF_HMAC_SHA2_256, (struct ike_buf){sb.p, sb.len - 1}, ob,
				     (struct ike_buf){auth, 32}),
		 IKE_CRYPTO_EAUTH);
	auth[31] ^= 1;
	CHECK_RC(ike_auth_psk_verify(IKE_PRF_HMAC_SHA2_256, sb, ob, (struct ike_buf){auth, 32}),
		 IKE_CRYPTO_EAUTH);
	CHECK_RC(ike_auth_psk_verify(IKE_PRF_HMAC_SHA2_256, sb, ob, (struct ike_buf){NULL, 0}),
		 IKE_CRYPTO_EAUTH);
	CHECK_RC(ike_auth_psk(IKE_PRF_HMAC_SHA2_256, (struct ike_buf){NULL, 0}, ob, auth),
		 IKE_CRYPTO_EINVAL);
}

int main(void)
{
	test_prf_rfc4868();
	test_integ_rfc4868();
	test_prf_plus_model();
	test_kdf_cavp();
	test_keys_python();
	test_dh_known();
	test_dh_modp();
	test_sk_known();
	test_sk_round_trip();
	test_sk_bad_keys();
	test_sk_directions();
	test_auth_psk();
	printf("%d checks, %d failures\n", checks, failures);
	return failures == 0 ? 0 : 1;
}
