/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PRF, integrity, prf+, key derivation and PSK AUTH: RFC 4868 and NIST CAVP
 * known answers, Python-made known answers, prf+ against a one-shot HMAC() model.
 */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "test_ike_crypto.h"

/* RFC 4868 §2.7.1: the RFC 4231 data, full PRF output. */
void test_prf_rfc4868(void)
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
			memset(data, v[i].data_byte, 50);
		CHECK_RC(ike_prf(v[i].prf, (struct ike_buf){key, v[i].key_len}, &d, 1, out),
			 IKE_CRYPTO_OK);
		CHECK_BYTES(out, ike_prf_len(v[i].prf), v[i].out);
	}
	/* Data split into pieces is the same message. */
	struct ike_buf parts[] = {{(const uint8_t *)"Hi", 2}, {NULL, 0}, {(const uint8_t *)" There", 6}};

	memset(key, 0x0b, 20);
	CHECK_RC(ike_prf(IKE_PRF_HMAC_SHA2_256, (struct ike_buf){key, 20}, parts, 3, out),
		 IKE_CRYPTO_OK);
	CHECK_BYTES(out, 32, v[0].out);
	CHECK_RC(ike_prf(99, (struct ike_buf){key, 20}, parts, 3, out), IKE_CRYPTO_EINVAL);
	CHECK_RC(ike_prf(IKE_PRF_HMAC_SHA2_256, (struct ike_buf){key, 0}, parts, 3, out),
		 IKE_CRYPTO_EINVAL);
}

/* RFC 4868 §2.7.2: keys of the full digest size, ICV truncated. */
void test_integ_rfc4868(void)
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

	memset(dd, 0xdd, sizeof(dd));
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

void test_prf_plus_model(void)
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

void test_kdf_cavp(void)
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
void test_keys_python(void)
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

/*
 * Made with Python's hmac (PRF-HMAC-SHA2-256):
 *   real = b'IKE_SA_INIT request bytes stand-in'; nonce = bytes(range(0xc0, 0xe0))
 *   sk_pi = bytes(range(0x30, 0x50)); id_body = 01000000c0000201
 *   maced = prf(sk_pi, id_body); octets = real + nonce + maced
 *   auth = prf(prf(b'secgw test psk', b'Key Pad for IKEv2'), octets)
 */
void test_auth_psk(void)
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
