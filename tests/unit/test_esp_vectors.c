/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Published test vectors for every ESP algorithm, through the data path's own
 * code: sad_add() (sa_xform_build, rte_ipsec SA, crypto session), then
 * rte_ipsec_pkt_crypto_prepare -> cryptodev -> rte_ipsec_pkt_crypto_group ->
 * rte_ipsec_pkt_process as dataplane/ipsec_stage.c drives them, on
 * crypto_aesni_mb and crypto_openssl.
 *
 * Every embedded vector is first recomputed with OpenSSL, so a mistyped byte
 * fails instead of being trusted; round trips check what rte_ipsec emits
 * (ICV with ESN, AEAD AAD, padding) against OpenSSL too.
 */
#include <ctype.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <rte_cryptodev.h>
#include <rte_ip.h>
#include <rte_ipsec.h>
#include <rte_mbuf.h>

#include "esp_vectors.h"
#include "sa_xform.h"
#include "sad.h"
#include "unit_eal.h"

#define MAX_BYTES 256
#define OUTER_LEN sizeof(struct rte_ipv4_hdr)
#define ESP_HDR_LEN 8
#define AEAD_TAG_LEN 16
#define DEQ_SPINS 1000000u

struct pmd {
	const char *vdev;
	uint8_t dev;
	unsigned int checked; /* vectors and round trips run on it */
	unsigned int refused; /* algorithms it lacks, refused in sad_add's words */
};

static struct pmd pmds[] = {{.vdev = "crypto_aesni_mb0"}, {.vdev = "crypto_openssl0"}};
static struct rte_mempool *mbufs, *cops, *sessions;
static struct sad *sad;
static int checks, failures;

#define CHECK(cond, ...)                                                         \
	do {                                                                     \
		checks++;                                                        \
		if (!(cond)) {                                                   \
			failures++;                                              \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);     \
			fprintf(stderr, __VA_ARGS__);                            \
			fputc('\n', stderr);                                     \
		}                                                                \
	} while (0)

struct bytes {
	uint8_t b[MAX_BYTES];
	size_t n;
};

static struct bytes
unhex(const char *hex)
{
	struct bytes r = {.n = 0};
	unsigned int v;

	for (; *hex != '\0'; hex++) {
		if (*hex == ' ')
			continue;
		if (r.n == MAX_BYTES || !isxdigit((unsigned char)hex[0]) ||
		    !isxdigit((unsigned char)hex[1]) || sscanf(hex, "%2x", &v) != 1) {
			fprintf(stderr, "malformed hex in a vector near \"%.16s\"\n", hex);
			abort();
		}
		r.b[r.n++] = (uint8_t)v;
		hex++;
	}
	return r;
}

static struct bytes
pattern(size_t n, uint8_t seed)
{
	struct bytes r = {.n = n};
	size_t i;

	for (i = 0; i < n; i++)
		r.b[i] = (uint8_t)(seed + 7 * i);
	return r;
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t
rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) << 32 | rd32(p + 4);
}

static void
wr32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* ---- independent computations (OpenSSL) -------------------------------- */

static const EVP_CIPHER *
ossl_cipher(enum cfg_cipher c)
{
	switch (c) {
	case CFG_CIPHER_AES_128_GCM: return EVP_aes_128_gcm();
	case CFG_CIPHER_AES_192_GCM: return EVP_aes_192_gcm();
	case CFG_CIPHER_AES_256_GCM: return EVP_aes_256_gcm();
	case CFG_CIPHER_AES_128_CBC: return EVP_aes_128_cbc();
	case CFG_CIPHER_AES_192_CBC: return EVP_aes_192_cbc();
	case CFG_CIPHER_AES_256_CBC: return EVP_aes_256_cbc();
	case CFG_CIPHER_AES_128_CTR: return EVP_aes_128_ctr();
	case CFG_CIPHER_AES_192_CTR: return EVP_aes_192_ctr();
	case CFG_CIPHER_AES_256_CTR: return EVP_aes_256_ctr();
	case CFG_CIPHER_CHACHA20_POLY1305: return EVP_chacha20_poly1305();
	default: return NULL;
	}
}

/* GMAC is GCM with nothing to encrypt. */
static const EVP_CIPHER *
ossl_gmac(enum cfg_integ i)
{
	switch (i) {
	case CFG_INTEG_AES_128_GMAC: return EVP_aes_128_gcm();
	case CFG_INTEG_AES_192_GMAC: return EVP_aes_192_gcm();
	case CFG_INTEG_AES_256_GMAC: return EVP_aes_256_gcm();
	default: return NULL;
	}
}

static const EVP_MD *
ossl_md(enum cfg_integ i)
{
	switch (i) {
	case CFG_INTEG_HMAC_SHA1_96: return EVP_sha1();
	case CFG_INTEG_HMAC_SHA256_128: return EVP_sha256();
	case CFG_INTEG_HMAC_SHA384_192: return EVP_sha384();
	case CFG_INTEG_HMAC_SHA512_256: return EVP_sha512();
	default: return NULL;
	}
}

/* AEAD encryption with a 12-byte nonce; ct gets n bytes, tag 16. */
static bool
ossl_seal(const EVP_CIPHER *c, const uint8_t *key, const uint8_t nonce[12],
	  const uint8_t *aad, size_t aad_len, const uint8_t *pt, size_t n, uint8_t *ct,
	  uint8_t tag[AEAD_TAG_LEN])
{
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	int len;
	bool ok;

	ok = x != NULL && EVP_EncryptInit_ex(x, c, NULL, NULL, NULL) == 1 &&
	     EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) == 1 &&
	     EVP_EncryptInit_ex(x, NULL, NULL, key, nonce) == 1 &&
	     EVP_EncryptUpdate(x, NULL, &len, aad, (int)aad_len) == 1 &&
	     (n == 0 || EVP_EncryptUpdate(x, ct, &len, pt, (int)n) == 1) &&
	     EVP_EncryptFinal_ex(x, ct + n, &len) == 1 &&
	     EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, AEAD_TAG_LEN, tag) == 1;
	EVP_CIPHER_CTX_free(x);
	return ok;
}

/* Unpadded block or stream cipher (CBC, CTR) in one direction. */
static bool
ossl_crypt(const EVP_CIPHER *c, bool encrypt, const uint8_t *key, const uint8_t *iv,
	   const uint8_t *in, size_t n, uint8_t *out)
{
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	int len, fin;
	bool ok;

	ok = x != NULL && EVP_CipherInit_ex(x, c, NULL, key, iv, encrypt) == 1 &&
	     EVP_CIPHER_CTX_set_padding(x, 0) == 1 &&
	     EVP_CipherUpdate(x, out, &len, in, (int)n) == 1 &&
	     EVP_CipherFinal_ex(x, out + len, &fin) == 1 && (size_t)(len + fin) == n;
	EVP_CIPHER_CTX_free(x);
	return ok;
}

/* RFC 3686 §4: nonce || IV || block counter starting at 1. */
static void
ctr_block(uint8_t blk[16], const uint8_t nonce[4], const uint8_t iv[8])
{
	memcpy(blk, nonce, 4);
	memcpy(blk + 4, iv, 8);
	wr32(blk + 12, 1);
}

static bool
ossl_hmac(enum cfg_integ i, const struct bytes *key, const uint8_t *data, size_t n,
	  uint8_t *icv)
{
	uint8_t full[EVP_MAX_MD_SIZE];
	unsigned int len;

	if (HMAC(ossl_md(i), key->b, (int)key->n, data, n, full, &len) == NULL)
		return false;
	memcpy(icv, full, cfg_integ_info(i)->icv_len);
	return true;
}

/* SPI || sequence number, with the high half first when ESN is on (RFC 4106 §5). */
static size_t
esp_aad(uint8_t *aad, const uint8_t spi[4], uint64_t seq, bool esn)
{
	memcpy(aad, spi, 4);
	if (!esn) {
		wr32(aad + 4, (uint32_t)seq);
		return 8;
	}
	wr32(aad + 4, (uint32_t)(seq >> 32));
	wr32(aad + 8, (uint32_t)seq);
	return 12;
}

/* payload || 1, 2, 3, .. || pad length || next header (RFC 4303 §2.4-2.6) */
static size_t
esp_plain(uint8_t *out, const uint8_t *payload, size_t n, size_t align, uint8_t nh)
{
	size_t pad = (align - (n + 2) % align) % align, i;

	memcpy(out, payload, n);
	for (i = 0; i < pad; i++)
		out[n + i] = (uint8_t)(i + 1);
	out[n + pad] = (uint8_t)pad;
	out[n + pad + 1] = nh;
	return n + pad + 2;
}

/* ---- SAs and packets through the data path's code ----------------------- */

static void
sa_cfg(struct cfg_sa *c, enum cfg_cipher cipher, enum cfg_integ integ,
       enum cfg_direction dir, uint32_t spi)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s/%s", cfg_cipher_info(cipher)->name,
		 cfg_integ_info(integ)->name);
	c->spi = spi;
	c->dir = dir;
	c->cipher = cipher;
	c->integ = integ;
	c->replay_window = 64;
	c->tun_src.family = c->tun_dst.family = AF_INET;
	c->tun_src.v4 = htonl(0xc0000201);
	c->tun_dst.v4 = htonl(0xc0000202);
}

/* key: cipher key || salt; auth: integrity key (|| salt for GMAC), as the config holds them. */
static void
set_keys(struct cfg_sa *c, const struct bytes *key, const struct bytes *auth)
{
	const struct cfg_alg_info *ci = cfg_cipher_info(c->cipher);

	c->key_len = ci->key_len;
	memcpy(c->key, key->b, ci->key_len);
	memcpy(c->salt, key->b + ci->key_len, ci->salt_len);
	c->auth_key_len = (uint8_t)auth->n;
	memcpy(c->auth_key, auth->b, auth->n);
}

/*
 * A device without the algorithm must say so in sa_xform_build's words; only
 * crypto_openssl may lack one of secgw's algorithms.
 */
static void
note_refusal(struct pmd *p, const struct cfg_sa *c, const char *err)
{
	char want_c[SAD_ERR_MAX], want_i[SAD_ERR_MAX];
	struct rte_cryptodev_info info;

	rte_cryptodev_info_get(p->dev, &info);
	snprintf(want_c, sizeof(want_c), "crypto device %s cannot do %s", info.driver_name,
		 cfg_cipher_info(c->cipher)->name);
	snprintf(want_i, sizeof(want_i), "crypto device %s cannot do %s", info.driver_name,
		 cfg_integ_info(c->integ)->name);
	CHECK(strcmp(err, want_c) == 0 || strcmp(err, want_i) == 0, "%s: refusal reads \"%s\"",
	      p->vdev, err);
	CHECK(p != &pmds[0], "%s must do every ESP algorithm: %s", p->vdev, err);
	printf("%s: %s (refused)\n", p->vdev, err);
	p->refused++;
}

static struct sa *
install(struct pmd *p, const struct cfg_sa *c)
{
	char err[SAD_ERR_MAX];
	int idx = sad_add(sad, c, p->dev, sessions, false, err);

	if (idx >= 0)
		return sad_slot(sad, idx);
	if (strstr(err, "cannot do") != NULL)
		note_refusal(p, c, err);
	else
		CHECK(false, "%s: sad_add: %s", p->vdev, err);
	return NULL;
}

static struct rte_mbuf *
mbuf_with(const void *head, size_t head_len, const uint8_t *data, size_t n)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mbufs);
	uint8_t *d;

	if (m == NULL || (d = (uint8_t *)rte_pktmbuf_append(m, head_len + n)) == NULL) {
		fprintf(stderr, "mbuf allocation failed\n");
		abort();
	}
	if (head_len != 0)
		memcpy(d, head, head_len);
	memcpy(d + head_len, data, n);
	return m;
}

/* An ESP packet (SPI .. ICV) behind an outer IPv4 header, as inbound receives it. */
static struct rte_mbuf *
inbound_mbuf(const uint8_t *esp, size_t n)
{
	struct rte_ipv4_hdr ip = {
		.version_ihl = RTE_IPV4_VHL_DEF,
		.total_length = htons(OUTER_LEN + n),
		.time_to_live = 64,
		.next_proto_id = IPPROTO_ESP,
		.src_addr = htonl(0xc0000202),
		.dst_addr = htonl(0xc0000201),
	};
	struct rte_mbuf *m = mbuf_with(&ip, sizeof(ip), esp, n);

	m->l2_len = 0;
	m->l3_len = OUTER_LEN;
	return m;
}

/* Enqueue one prepared op on queue pair 0 and wait for it; its status, or -1. */
static int
crypto_once(const struct pmd *p, struct rte_crypto_op **op)
{
	uint32_t spins;

	if (rte_cryptodev_enqueue_burst(p->dev, 0, op, 1) != 1)
		return -1;
	for (spins = 0; rte_cryptodev_dequeue_burst(p->dev, 0, op, 1) == 0; spins++)
		if (spins == DEQ_SPINS)
			return -1;
	return (*op)->status;
}

/*
 * The ESP stage's crypto half for one packet: prepare, device, group (which
 * marks a failed op on the mbuf for rte_ipsec_pkt_process).  The op status,
 * or -1 when rte_ipsec refused to prepare the packet.
 */
static int
esp_crypto(const struct pmd *p, struct sa *s, struct rte_mbuf *m)
{
	struct rte_crypto_op *op;
	struct rte_ipsec_group g;
	int status = -1;

	if (rte_crypto_op_bulk_alloc(cops, RTE_CRYPTO_OP_TYPE_SYMMETRIC, &op, 1) != 1)
		return -1;
	if (rte_ipsec_pkt_crypto_prepare(&s->ss, &m, &op, 1) == 1) {
		status = crypto_once(p, &op);
		if (status >= 0)
			rte_ipsec_pkt_crypto_group((const struct rte_crypto_op **)&op, &m, &g, 1);
	}
	rte_crypto_op_free(op);
	return status;
}

/* payload out through a new outbound SA made from c: the ESP packet, or NULL. */
static struct rte_mbuf *
send_one(struct pmd *p, const struct cfg_sa *c, const struct bytes *payload)
{
	struct sa *s = install(p, c);
	struct rte_mbuf *m;
	bool ok;

	if (s == NULL)
		return NULL;
	m = mbuf_with(NULL, 0, payload->b, payload->n);
	m->l2_len = 0;
	ok = esp_crypto(p, s, m) == RTE_CRYPTO_OP_STATUS_SUCCESS &&
	     rte_ipsec_pkt_process(&s->ss, &m, 1) == 1;
	CHECK(ok, "%s on %s: outbound failed", c->name, p->vdev);
	sad_del(sad, s->idx);
	if (ok)
		return m;
	rte_pktmbuf_free(m);
	return NULL;
}

/* ---- published ESP packets, inbound -------------------------------------- */

static bool
is_esn(uint64_t seq)
{
	return seq > UINT32_MAX;
}

/* The vector's ciphertext and ICV, recomputed from its key, plaintext and header. */
static void
offline_packet_vector(const struct esp_packet_vector *v)
{
	struct bytes key = unhex(v->key), pt = unhex(v->plaintext), pkt = unhex(v->packet);
	bool gmac = v->cipher == CFG_CIPHER_NULL;
	const EVP_CIPHER *c = gmac ? ossl_gmac(v->integ) : ossl_cipher(v->cipher);
	uint8_t nonce[12], aad[MAX_BYTES + 32], ct[MAX_BYTES], tag[AEAD_TAG_LEN];
	size_t klen = key.n - 4, aad_len;
	bool ok;

	CHECK(pkt.n == ESP_HDR_LEN + 8 + pt.n + AEAD_TAG_LEN, "%s: lengths", v->source);
	memcpy(nonce, key.b + klen, 4);
	memcpy(nonce + 4, pkt.b + ESP_HDR_LEN, 8);
	aad_len = esp_aad(aad, pkt.b, v->seq, is_esn(v->seq));
	if (gmac) { /* RFC 4543 §3.3: the IV and the payload are authenticated, not encrypted */
		memcpy(aad + aad_len, pkt.b + ESP_HDR_LEN, 8 + pt.n);
		ok = ossl_seal(c, key.b, nonce, aad, aad_len + 8 + pt.n, NULL, 0, ct, tag);
		CHECK(memcmp(pkt.b + ESP_HDR_LEN + 8, pt.b, pt.n) == 0, "%s: payload", v->source);
	} else {
		ok = ossl_seal(c, key.b, nonce, aad, aad_len, pt.b, pt.n, ct, tag);
		CHECK(memcmp(pkt.b + ESP_HDR_LEN + 8, ct, pt.n) == 0, "%s: ciphertext",
		      v->source);
	}
	CHECK(ok && memcmp(pkt.b + pkt.n - AEAD_TAG_LEN, tag, AEAD_TAG_LEN) == 0,
	      "%s: ICV does not match OpenSSL", v->source);
}

/*
 * Inbound decryption of the published packet gives the published plaintext;
 * a flipped ICV bit fails authentication.  rte_ipsec then accepts the packet
 * only if its Next Header is IP-in-IP: the draft-mcgrew packets carry 1, so
 * a tunnel SA must refuse them after a successful decryption.
 */
static void
run_packet_vector(struct pmd *p, const struct esp_packet_vector *v)
{
	struct bytes key = unhex(v->key), pt = unhex(v->plaintext), pkt = unhex(v->packet);
	struct bytes none = {.n = 0};
	uint8_t nh = pt.b[pt.n - 1];
	size_t inner = pt.n - pt.b[pt.n - 2] - 2;
	struct rte_mbuf *m;
	struct cfg_sa c;
	struct sa *s;
	int st;

	sa_cfg(&c, v->cipher, v->integ, CFG_DIR_IN, rd32(pkt.b));
	if (v->cipher == CFG_CIPHER_NULL)
		set_keys(&c, &none, &key);
	else
		set_keys(&c, &key, &none);
	c.esn = is_esn(v->seq);
	c.initial_seq = v->seq - 1; /* the window's top: rebuilds the ESN high half */
	s = install(p, &c);
	if (s == NULL)
		return;

	pkt.b[pkt.n - 1] ^= 0x01;
	m = inbound_mbuf(pkt.b, pkt.n);
	st = esp_crypto(p, s, m);
	CHECK(st == RTE_CRYPTO_OP_STATUS_AUTH_FAILED, "%s on %s: flipped ICV bit gave status %d",
	      v->source, p->vdev, st);
	CHECK(rte_ipsec_pkt_process(&s->ss, &m, 1) == 0, "%s on %s: forged packet accepted",
	      v->source, p->vdev);
	rte_pktmbuf_free(m);
	pkt.b[pkt.n - 1] ^= 0x01;

	m = inbound_mbuf(pkt.b, pkt.n);
	st = esp_crypto(p, s, m);
	CHECK(st == RTE_CRYPTO_OP_STATUS_SUCCESS, "%s on %s: status %d", v->source, p->vdev, st);
	CHECK(memcmp(rte_pktmbuf_mtod_offset(m, uint8_t *, OUTER_LEN + ESP_HDR_LEN + 8), pt.b,
		     pt.n) == 0, "%s on %s: decrypted payload differs", v->source, p->vdev);
	if (nh == IPPROTO_IPIP)
		CHECK(rte_ipsec_pkt_process(&s->ss, &m, 1) == 1 && m->pkt_len == inner &&
		      memcmp(rte_pktmbuf_mtod(m, uint8_t *), pt.b, inner) == 0,
		      "%s on %s: inner packet", v->source, p->vdev);
	else
		CHECK(rte_ipsec_pkt_process(&s->ss, &m, 1) == 0,
		      "%s on %s: next header %u accepted by a tunnel SA", v->source, p->vdev, nh);
	rte_pktmbuf_free(m);
	sad_del(sad, s->idx);
	p->checked++;
}

/* ---- AES-CTR, outbound with the vector's IV ------------------------------ */

/* CTR counts from nonce || IV || 1 (RFC 3686 §4); CBC starts from the IV. */
static void
offline_cipher_vector(const struct cipher_vector *v)
{
	struct bytes key = unhex(v->key), iv = unhex(v->iv), pt = unhex(v->plaintext),
		     ct = unhex(v->ciphertext);
	const struct cfg_alg_info *ci = cfg_cipher_info(v->cipher);
	uint8_t blk[16], out[MAX_BYTES];

	if (ci->salt_len != 0)
		ctr_block(blk, key.b + ci->key_len, iv.b);
	else
		memcpy(blk, iv.b, sizeof(blk));
	CHECK(ossl_crypt(ossl_cipher(v->cipher), true, key.b, blk, pt.b, pt.n, out) &&
	      memcmp(out, ct.b, ct.n) == 0, "%s: does not match OpenSSL", v->source);
}

/*
 * rte_ipsec sends the 64-bit sequence number as the CTR IV (RFC 3686 allows
 * any unique IV), so an ESN SA whose next number is the vector's IV must
 * encrypt the vector's plaintext (the ESP payload) into its ciphertext.
 */
static void
run_ctr_vector(struct pmd *p, const struct cipher_vector *v)
{
	struct bytes key = unhex(v->key), iv = unhex(v->iv), pt = unhex(v->plaintext),
		     ct = unhex(v->ciphertext), auth = pattern(32, 0x11);
	uint64_t seq = rd64(iv.b);
	struct rte_mbuf *m;
	struct cfg_sa c;
	uint8_t *esp;

	sa_cfg(&c, v->cipher, CFG_INTEG_HMAC_SHA256_128, CFG_DIR_OUT, 0x3686);
	set_keys(&c, &key, &auth);
	c.esn = true;
	c.initial_seq = seq - 1;
	m = send_one(p, &c, &pt);
	if (m == NULL)
		return;
	esp = rte_pktmbuf_mtod_offset(m, uint8_t *, OUTER_LEN);
	CHECK(rd32(esp + 4) == (uint32_t)seq && memcmp(esp + ESP_HDR_LEN, iv.b, 8) == 0,
	      "%s on %s: sequence number %08x, IV %016llx, expected IV %016llx", v->source,
	      p->vdev, rd32(esp + 4), (unsigned long long)rd64(esp + ESP_HDR_LEN),
	      (unsigned long long)seq);
	CHECK(memcmp(esp + ESP_HDR_LEN + 8, ct.b, ct.n) == 0, "%s on %s: ciphertext differs",
	      v->source, p->vdev);
	rte_pktmbuf_free(m);
	p->checked++;
}

/* ---- HMAC and AES-CBC on raw data, through sa_xform_build's transforms ---- */

/* A session of one transform (cipher or auth) that sa_xform_build() made for c. */
static struct rte_cryptodev_sym_session *
raw_session(struct pmd *p, const struct cfg_sa *c, bool auth)
{
	struct rte_crypto_sym_xform one;
	char err[SAD_ERR_MAX];
	struct sa_xforms x;

	if (sa_xform_build(c, p->dev, &x, err) != 0) {
		note_refusal(p, c, err);
		return NULL;
	}
	one = auth ? x.auth : x.cipher;
	one.next = NULL;
	return rte_cryptodev_sym_session_create(p->dev, &one, sessions);
}

static int
raw_run(struct pmd *p, struct rte_cryptodev_sym_session *ss, struct rte_crypto_op *op,
	struct rte_mbuf *m)
{
	int st;

	rte_crypto_op_attach_sym_session(op, ss);
	op->sym->m_src = m;
	st = crypto_once(p, &op);
	rte_crypto_op_free(op);
	rte_cryptodev_sym_session_free(p->dev, ss);
	return st;
}

static void
offline_hmac_vector(const struct hmac_vector *v)
{
	struct bytes key = unhex(v->key), data = unhex(v->data), icv = unhex(v->icv);
	uint8_t out[EVP_MAX_MD_SIZE];

	CHECK(icv.n == cfg_integ_info(v->integ)->icv_len && ossl_hmac(v->integ, &key, data.b,
	      data.n, out) && memcmp(out, icv.b, icv.n) == 0, "%s: does not match OpenSSL",
	      v->source);
}

/* Auth GENERATE over the vector's data gives its truncated authenticator. */
static void
run_hmac_vector(struct pmd *p, const struct hmac_vector *v)
{
	struct bytes key = unhex(v->key), data = unhex(v->data), icv = unhex(v->icv);
	struct bytes cipher_key = pattern(16, 0x22);
	struct rte_cryptodev_sym_session *ss;
	struct rte_crypto_op *op;
	struct rte_mbuf *m;
	struct cfg_sa c;
	uint8_t *digest;

	/* a cipher every device has, so only the integrity algorithm is in question */
	sa_cfg(&c, CFG_CIPHER_AES_128_CBC, v->integ, CFG_DIR_OUT, 0x4868);
	set_keys(&c, &cipher_key, &key);
	ss = raw_session(p, &c, true);
	if (ss == NULL)
		return;
	m = mbuf_with(NULL, 0, data.b, data.n);
	digest = (uint8_t *)rte_pktmbuf_append(m, icv.n);
	op = rte_crypto_op_alloc(cops, RTE_CRYPTO_OP_TYPE_SYMMETRIC);
	if (op == NULL || digest == NULL)
		abort();
	op->sym->auth.data.offset = 0;
	op->sym->auth.data.length = data.n;
	op->sym->auth.digest.data = digest;
	op->sym->auth.digest.phys_addr = rte_pktmbuf_iova_offset(m, data.n);
	CHECK(raw_run(p, ss, op, m) == RTE_CRYPTO_OP_STATUS_SUCCESS &&
	      memcmp(digest, icv.b, icv.n) == 0, "%s on %s: authenticator differs", v->source,
	      p->vdev);
	rte_pktmbuf_free(m);
	p->checked++;
}

/* Outbound transforms encrypt the plaintext into the ciphertext, inbound back. */
static void
run_cbc_vector(struct pmd *p, const struct cipher_vector *v, enum cfg_direction dir)
{
	struct bytes key = unhex(v->key), iv = unhex(v->iv), pt = unhex(v->plaintext),
		     ct = unhex(v->ciphertext), auth = pattern(20, 0x33);
	const struct bytes *in = dir == CFG_DIR_OUT ? &pt : &ct, *want = dir == CFG_DIR_OUT ? &ct : &pt;
	struct rte_cryptodev_sym_session *ss;
	struct rte_crypto_op *op;
	struct rte_mbuf *m;
	struct cfg_sa c;

	sa_cfg(&c, v->cipher, CFG_INTEG_HMAC_SHA1_96, dir, 0x3602);
	set_keys(&c, &key, &auth);
	ss = raw_session(p, &c, false);
	if (ss == NULL)
		return;
	m = mbuf_with(NULL, 0, in->b, in->n);
	op = rte_crypto_op_alloc(cops, RTE_CRYPTO_OP_TYPE_SYMMETRIC);
	if (op == NULL)
		abort();
	op->sym->cipher.data.offset = 0;
	op->sym->cipher.data.length = in->n;
	memcpy(rte_crypto_op_ctod_offset(op, uint8_t *, SA_IV_OFFSET), iv.b, iv.n);
	CHECK(raw_run(p, ss, op, m) == RTE_CRYPTO_OP_STATUS_SUCCESS &&
	      memcmp(rte_pktmbuf_mtod(m, uint8_t *), want->b, want->n) == 0,
	      "%s on %s (%s): output differs", v->source, p->vdev,
	      dir == CFG_DIR_OUT ? "encrypt" : "decrypt");
	rte_pktmbuf_free(m);
	p->checked++;
}

/* ---- round trips: what rte_ipsec emits, recomputed with OpenSSL ---------- */

struct round_trip {
	enum cfg_cipher cipher;
	enum cfg_integ integ;
	bool esn;
};

static const struct round_trip round_trips[] = {
	{CFG_CIPHER_AES_128_GCM, CFG_INTEG_NONE, true},
	{CFG_CIPHER_AES_256_GCM, CFG_INTEG_NONE, false},
	{CFG_CIPHER_CHACHA20_POLY1305, CFG_INTEG_NONE, true},
	{CFG_CIPHER_NULL, CFG_INTEG_HMAC_SHA256_128, false},
	{CFG_CIPHER_NULL, CFG_INTEG_AES_128_GMAC, false},
	{CFG_CIPHER_NULL, CFG_INTEG_AES_256_GMAC, false},
	{CFG_CIPHER_AES_128_CBC, CFG_INTEG_HMAC_SHA1_96, true},
	{CFG_CIPHER_AES_192_CBC, CFG_INTEG_HMAC_SHA384_192, false},
	{CFG_CIPHER_AES_256_CBC, CFG_INTEG_HMAC_SHA512_256, true},
	{CFG_CIPHER_AES_128_CTR, CFG_INTEG_HMAC_SHA256_128, true},
};

/*
 * The expected bytes of the ESP packet esp (SPI .. ICV) sent as sequence
 * number seq, from OpenSSL: ciphertext and ICV of an AEAD or GMAC SA (ESN high
 * half in the AAD, RFC 4106 §5 / RFC 4543 §3.3), or the decrypted body and
 * the HMAC over ESP header .. trailer || ESN high half (RFC 4303 §3.3.2.1).
 */
static void
check_sent(const struct pmd *p, const struct round_trip *rt, const struct bytes *key,
	   const struct bytes *auth, const uint8_t *esp, const uint8_t *plain, size_t plain_len,
	   uint64_t seq)
{
	const struct cfg_alg_info *ci = cfg_cipher_info(rt->cipher), *ii = cfg_integ_info(rt->integ);
	const char *name = rt->cipher == CFG_CIPHER_NULL ? ii->name : ci->name;
	size_t iv_len = rt->cipher == CFG_CIPHER_NULL ? ii->iv_len : ci->iv_len;
	const uint8_t *iv = esp + ESP_HDR_LEN, *body = iv + iv_len, *icv = body + plain_len;
	uint8_t nonce[12], aad[MAX_BYTES], out[MAX_BYTES], tag[EVP_MAX_MD_SIZE], blk[16];
	size_t aad_len = esp_aad(aad, esp, seq, rt->esn), mac_len = body + plain_len - esp;
	bool ok;

	if (ci->aead || ii->salt_len != 0) {
		memcpy(nonce, ci->aead ? key->b + ci->key_len : auth->b + ii->key_len, 4);
		memcpy(nonce + 4, iv, 8);
	}
	if (ci->aead) {
		ok = ossl_seal(ossl_cipher(rt->cipher), key->b, nonce, aad, aad_len, plain,
			       plain_len, out, tag);
		CHECK(ok && memcmp(body, out, plain_len) == 0 &&
		      memcmp(icv, tag, AEAD_TAG_LEN) == 0, "%s%s on %s: ciphertext or ICV differs",
		      name, rt->esn ? " ESN" : "", p->vdev);
		return;
	}
	if (ii->salt_len != 0) { /* GMAC */
		memcpy(aad + aad_len, iv, iv_len + plain_len);
		ok = ossl_seal(ossl_gmac(rt->integ), auth->b, nonce, aad,
			       aad_len + iv_len + plain_len, NULL, 0, out, tag);
		CHECK(ok && memcmp(body, plain, plain_len) == 0 &&
		      memcmp(icv, tag, AEAD_TAG_LEN) == 0, "%s%s on %s: ICV differs", name,
		      rt->esn ? " ESN" : "", p->vdev);
		return;
	}
	if (rt->cipher == CFG_CIPHER_NULL) {
		memcpy(out, body, plain_len);
		ok = true;
	} else if (ci->salt_len != 0) { /* CTR */
		ctr_block(blk, key->b + ci->key_len, iv);
		ok = ossl_crypt(ossl_cipher(rt->cipher), false, key->b, blk, body, plain_len, out);
	} else {
		ok = ossl_crypt(ossl_cipher(rt->cipher), false, key->b, iv, body, plain_len, out);
	}
	CHECK(ok && memcmp(out, plain, plain_len) == 0, "%s on %s: body does not decrypt",
	      ci->name, p->vdev);
	memcpy(out, esp, mac_len);
	if (rt->esn)
		wr32(out + mac_len, (uint32_t)(seq >> 32));
	CHECK(ossl_hmac(rt->integ, auth, out, mac_len + (rt->esn ? 4 : 0), tag) &&
	      memcmp(icv, tag, ii->icv_len) == 0, "%s%s on %s: ICV differs", ii->name,
	      rt->esn ? " ESN" : "", p->vdev);
}

/* Outbound, check every byte sent against OpenSSL, then inbound gives the payload back. */
static void
run_round_trip(struct pmd *p, const struct round_trip *rt)
{
	const struct cfg_alg_info *ci = cfg_cipher_info(rt->cipher), *ii = cfg_integ_info(rt->integ);
	struct bytes key = pattern(ci->key_len + ci->salt_len, 0x40);
	struct bytes auth = pattern(ii->key_len + ii->salt_len, 0x80);
	struct bytes payload = pattern(45, 0x05);
	/* with ESN the high half is non-zero, so leaving it out changes the ICV */
	uint64_t seq = rt->esn ? 0x0000000500000009ULL : 9;
	size_t iv_len = rt->cipher == CFG_CIPHER_NULL ? ii->iv_len : ci->iv_len;
	size_t icv_len = ci->aead ? ci->icv_len : ii->icv_len;
	uint8_t plain[MAX_BYTES], *esp;
	size_t plain_len, sent_len;
	struct rte_mbuf *m;
	struct cfg_sa c;
	struct sa *s;

	sa_cfg(&c, rt->cipher, rt->integ, CFG_DIR_OUT, 0x4303);
	set_keys(&c, &key, &auth);
	c.esn = rt->esn;
	c.initial_seq = seq - 1;
	m = send_one(p, &c, &payload);
	if (m == NULL)
		return;

	plain_len = esp_plain(plain, payload.b, payload.n, RTE_MAX(ci->block, (uint8_t)4),
			      IPPROTO_IPIP);
	sent_len = OUTER_LEN + ESP_HDR_LEN + iv_len + plain_len + icv_len;
	esp = rte_pktmbuf_mtod_offset(m, uint8_t *, OUTER_LEN);
	CHECK(m->pkt_len == sent_len && rd32(esp + 4) == (uint32_t)seq,
	      "%s/%s on %s: length %u, sequence number %u", ci->name, ii->name, p->vdev,
	      m->pkt_len, rd32(esp + 4));
	if (m->pkt_len == sent_len)
		check_sent(p, rt, &key, &auth, esp, plain, plain_len, seq);

	c.dir = CFG_DIR_IN;
	c.initial_seq = seq - 1; /* the window's top: rebuilds the ESN high half */
	s = install(p, &c);
	if (s == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	m->l2_len = 0;
	m->l3_len = OUTER_LEN;
	CHECK(esp_crypto(p, s, m) == RTE_CRYPTO_OP_STATUS_SUCCESS &&
	      rte_ipsec_pkt_process(&s->ss, &m, 1) == 1 && m->pkt_len == payload.n &&
	      memcmp(rte_pktmbuf_mtod(m, uint8_t *), payload.b, payload.n) == 0,
	      "%s/%s on %s: inbound did not give the payload back", ci->name, ii->name, p->vdev);
	rte_pktmbuf_free(m);
	sad_del(sad, s->idx);
	p->checked++;
}

/* ---- main ---------------------------------------------------------------- */

static void
offline_all(void)
{
	size_t i;

	for (i = 0; i < RTE_DIM(esp_packet_vectors); i++)
		offline_packet_vector(&esp_packet_vectors[i]);
	for (i = 0; i < RTE_DIM(ctr_vectors); i++)
		offline_cipher_vector(&ctr_vectors[i]);
	for (i = 0; i < RTE_DIM(hmac_vectors); i++)
		offline_hmac_vector(&hmac_vectors[i]);
	for (i = 0; i < RTE_DIM(cbc_vectors); i++)
		offline_cipher_vector(&cbc_vectors[i]);
}

static void
run_on(struct pmd *p)
{
	size_t i;

	for (i = 0; i < RTE_DIM(esp_packet_vectors); i++)
		run_packet_vector(p, &esp_packet_vectors[i]);
	for (i = 0; i < RTE_DIM(ctr_vectors); i++)
		run_ctr_vector(p, &ctr_vectors[i]);
	for (i = 0; i < RTE_DIM(hmac_vectors); i++)
		run_hmac_vector(p, &hmac_vectors[i]);
	for (i = 0; i < RTE_DIM(cbc_vectors); i++) {
		run_cbc_vector(p, &cbc_vectors[i], CFG_DIR_OUT);
		run_cbc_vector(p, &cbc_vectors[i], CFG_DIR_IN);
	}
	for (i = 0; i < RTE_DIM(round_trips); i++)
		run_round_trip(p, &round_trips[i]);
}

int
main(void)
{
	static const char *const vdevs[] = {"crypto_aesni_mb0", "crypto_openssl0"};
	size_t i;
	int dev;

	if (unit_eal_init("test_esp_vectors", vdevs, RTE_DIM(vdevs)) != 0)
		return 1;
	mbufs = rte_pktmbuf_pool_create("vec_mbufs", 63, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					SOCKET_ID_ANY);
	cops = rte_crypto_op_pool_create("vec_cops", RTE_CRYPTO_OP_TYPE_SYMMETRIC, 63, 0,
					 SA_COP_PRIV_SIZE, SOCKET_ID_ANY);
	sessions = unit_session_pool("vec_sess", 64);
	sad = sad_create("vec_sad", 16, SOCKET_ID_ANY);
	if (mbufs == NULL || cops == NULL || sessions == NULL || sad == NULL) {
		fprintf(stderr, "pools failed\n");
		return 1;
	}

	offline_all();
	for (i = 0; i < RTE_DIM(pmds); i++) {
		dev = rte_cryptodev_get_dev_id(pmds[i].vdev);
		CHECK(dev >= 0, "no crypto device %s", pmds[i].vdev);
		if (dev < 0)
			continue;
		pmds[i].dev = (uint8_t)dev;
		run_on(&pmds[i]);
		printf("%s: %u vectors and round trips checked, %u algorithms refused\n",
		       pmds[i].vdev, pmds[i].checked, pmds[i].refused);
	}

	sad_destroy(sad);
	rte_mempool_free(sessions);
	rte_mempool_free(cops);
	rte_mempool_free(mbufs);
	unit_eal_fini();
	printf("%d passed, %d failed\n", checks - failures, failures);
	return failures != 0;
}
