/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Certificate authentication pieces (ike/ike_cert.c, ike/ike_sig.c), with
 * keys and certificates made at test time:
 * - AUTH signatures round trip for RSA-2048, ECDSA P-256/P-384/P-521, under
 *   RFC 7427 (method 14, each hash) and the classic methods (1, 9, 10, 11);
 *   a peer's RSASSA-PSS signature (RFC 7427 A.4.3) verifies;
 *   a changed octet, signature or AlgorithmIdentifier, the wrong key or
 *   method, and every truncation are refused;
 * - the peer's certificate: a chain to our CA (directly or through an
 *   intermediate it sends) is accepted with each ID type it holds; a wrong CA,
 *   an expired or not yet valid certificate, a missing intermediate, an ID
 *   not in the certificate and garbage are refused;
 * - credentials: CERTREQ is SHA-1 of the CA's SubjectPublicKeyInfo, a key
 *   that is not the certificate's or a CA file without a CA is refused, and
 *   distinguished names in text become the DER of the certificate's subject and
 *   equal a peer's DN of other string types (X.509 comparison).
 */
#include <arpa/inet.h>
#include <string.h>

#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "cert_gen.h"
#include "check.h"
#include "ike_cert.h"
#include "ike_proto.h"
#include "ike_sig.h"

#define DAY (24 * 3600L)
#define DN_MAX 255

static const uint8_t octets_data[] = "RealMessage | Nonce | prf(SK_p, IDx')";
static const struct ike_buf octets = {octets_data, sizeof(octets_data) - 1};

static void sig_round_trip(const char *kind, uint8_t classic)
{
	EVP_PKEY *key = cg_key(kind), *other = cg_key(kind);
	uint8_t auth[IKE_SIG_MAX], bad[IKE_SIG_MAX], changed[64], method;
	size_t len;

	CHECK(key != NULL && other != NULL);
	if (key == NULL || other == NULL)
		return;
	/* RFC 7427 with each hash the peer may offer alone, then all of them */
	for (unsigned h = IKE_HASH_SHA2_256; h <= IKE_HASH_SHA2_512 + 1; h++) {
		unsigned peer = h <= IKE_HASH_SHA2_512 ? IKE_HASH_BIT(h) : IKE_HASHES_OURS;

		CHECK(ike_sig_sign(key, peer, octets, &method, auth, sizeof(auth), &len) ==
		      IKE_CRYPTO_OK);
		CHECK(method == IKE_AUTH_DIGITAL_SIG);
		CHECK(ike_sig_verify(key, method, octets, (struct ike_buf){auth, len}) ==
		      IKE_CRYPTO_OK);
		CHECK(ike_sig_verify(other, method, octets, (struct ike_buf){auth, len}) ==
		      IKE_CRYPTO_EAUTH);
		memcpy(changed, octets.p, octets.len);
		changed[3] ^= 1;
		CHECK(ike_sig_verify(key, method, (struct ike_buf){changed, octets.len},
				     (struct ike_buf){auth, len}) == IKE_CRYPTO_EAUTH);
		/* the AlgorithmIdentifier names another hash: the signature no longer fits */
		memcpy(bad, auth, len);
		bad[bad[0]] ^= 0x03;
		CHECK(ike_sig_verify(key, method, octets, (struct ike_buf){bad, len}) ==
		      IKE_CRYPTO_EAUTH);
		memcpy(bad, auth, len);
		bad[len - 1] ^= 0x80;
		CHECK(ike_sig_verify(key, method, octets, (struct ike_buf){bad, len}) ==
		      IKE_CRYPTO_EAUTH);
		for (size_t n = 0; n < len; n++)
			CHECK(ike_sig_verify(key, method, octets, (struct ike_buf){auth, n}) ==
			      IKE_CRYPTO_EAUTH);
	}
	/* no RFC 7427 (or only SHA-1) from the peer: the classic method for the key */
	for (unsigned peer = 0; peer <= IKE_HASH_BIT(IKE_HASH_SHA1); peer += IKE_HASH_BIT(IKE_HASH_SHA1)) {
		CHECK(ike_sig_sign(key, peer, octets, &method, auth, sizeof(auth), &len) ==
		      IKE_CRYPTO_OK);
		CHECK(method == classic);
		CHECK(ike_sig_verify(key, classic, octets, (struct ike_buf){auth, len}) ==
		      IKE_CRYPTO_OK);
		CHECK(ike_sig_verify(other, classic, octets, (struct ike_buf){auth, len}) ==
		      IKE_CRYPTO_EAUTH);
		CHECK(ike_sig_verify(key, IKE_AUTH_DIGITAL_SIG, octets, (struct ike_buf){auth, len}) ==
		      IKE_CRYPTO_EAUTH);
		CHECK(ike_sig_verify(key, IKE_AUTH_SHARED_KEY_MIC, octets,
				     (struct ike_buf){auth, len}) == IKE_CRYPTO_EAUTH);
		for (uint8_t m = IKE_AUTH_ECDSA_256; m <= IKE_AUTH_ECDSA_521; m++)
			if (m != classic)
				CHECK(ike_sig_verify(key, m, octets, (struct ike_buf){auth, len}) ==
				      IKE_CRYPTO_EAUTH);
		for (size_t n = 0; n < len; n++)
			CHECK(ike_sig_verify(key, classic, octets, (struct ike_buf){auth, n}) ==
			      IKE_CRYPTO_EAUTH);
	}
}

/* An RSA AlgorithmIdentifier over an ECDSA key (and the reverse) is refused. */
static void test_sig_key_mismatch(void)
{
	EVP_PKEY *rsa = cg_key("rsa"), *ec = cg_key("P-256");
	uint8_t auth[IKE_SIG_MAX], method;
	size_t len;

	CHECK(ike_sig_sign(rsa, IKE_HASHES_OURS, octets, &method, auth, sizeof(auth), &len) == 0);
	CHECK(ike_sig_verify(ec, method, octets, (struct ike_buf){auth, len}) == IKE_CRYPTO_EAUTH);
	CHECK(ike_sig_sign(ec, IKE_HASHES_OURS, octets, &method, auth, sizeof(auth), &len) == 0);
	CHECK(ike_sig_verify(rsa, method, octets, (struct ike_buf){auth, len}) == IKE_CRYPTO_EAUTH);
	CHECK(ike_sig_verify(NULL, method, octets, (struct ike_buf){auth, len}) == IKE_CRYPTO_EAUTH);
}

/* RFC 7427 A.4.3: RSASSA-PSS, SHA-256, MGF1 with SHA-256, salt 32. */
static const uint8_t pss_sha256[] = {
	0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30,
	0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
	0x02, 0x01, 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
	0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
	0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x20};
#define PSS_MGF_HASH_AT 59 /* last octet of the MGF1 hash OID */
#define PSS_SALT_AT 66

/* A peer's RSASSA-PSS AUTH (signed here by OpenSSL) verifies; other parameters,
 * another key type and truncated AlgorithmIdentifiers do not. */
static void test_pss(void)
{
	EVP_PKEY *rsa = cg_key("rsa"), *ec = cg_key("P-256");
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	uint8_t auth[1 + sizeof(pss_sha256) + 512];
	size_t sig_len = sizeof(auth) - 1 - sizeof(pss_sha256);

	auth[0] = sizeof(pss_sha256);
	memcpy(auth + 1, pss_sha256, sizeof(pss_sha256));
	CHECK(ctx != NULL && rsa != NULL &&
	      EVP_DigestSignInit_ex(ctx, &pctx, "SHA256", NULL, NULL, rsa, NULL) == 1 &&
	      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
	      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) == 1 &&
	      EVP_DigestSign(ctx, auth + 1 + sizeof(pss_sha256), &sig_len, octets.p, octets.len) ==
		      1);
	EVP_MD_CTX_free(ctx);
	struct ike_buf a = {auth, 1 + sizeof(pss_sha256) + sig_len};
	CHECK(ike_sig_verify(rsa, IKE_AUTH_DIGITAL_SIG, octets, a) == IKE_CRYPTO_OK);
	CHECK(ike_sig_verify(ec, IKE_AUTH_DIGITAL_SIG, octets, a) == IKE_CRYPTO_EAUTH);
	auth[1 + PSS_SALT_AT] = 20;
	CHECK(ike_sig_verify(rsa, IKE_AUTH_DIGITAL_SIG, octets, a) == IKE_CRYPTO_EAUTH);
	auth[1 + PSS_SALT_AT] = 32;
	auth[1 + PSS_MGF_HASH_AT] = 0x02; /* MGF1 with SHA-384 */
	CHECK(ike_sig_verify(rsa, IKE_AUTH_DIGITAL_SIG, octets, a) == IKE_CRYPTO_EAUTH);
	auth[1 + PSS_MGF_HASH_AT] = 0x01;
	CHECK(ike_sig_verify(rsa, IKE_AUTH_DIGITAL_SIG, octets, a) == IKE_CRYPTO_OK);
	for (uint8_t n = 0; n < sizeof(pss_sha256); n++) {
		auth[0] = n;
		CHECK(ike_sig_verify(rsa, IKE_AUTH_DIGITAL_SIG, octets, a) == IKE_CRYPTO_EAUTH);
	}
}

static void test_hashes_notify(void)
{
	uint8_t buf[8];
	size_t n = ike_sig_hashes_encode(buf, sizeof(buf));
	static const uint8_t peer[] = {0, 1, 0, 2, 0, 5, 0x12, 0x34, 0};

	CHECK(n == 6 && memcmp(buf, "\0\2\0\3\0\4", 6) == 0);
	CHECK(ike_sig_hashes_decode(buf, n) == IKE_HASHES_OURS);
	/* unknown IDs kept as bits (harmless), out of range ignored, odd tail ignored */
	CHECK(ike_sig_hashes_decode(peer, sizeof(peer)) ==
	      (IKE_HASH_BIT(1) | IKE_HASH_BIT(2) | IKE_HASH_BIT(5)));
	CHECK(ike_sig_hashes_decode(NULL, 0) == 0);
}

struct pki {
	EVP_PKEY *ca_key, *other_key, *inter_key, *ee_key;
	X509 *ca, *other_ca, *inter;
	struct ike_cred *ours;
};

/* The peer's certificate as DER, with its ID checked by ike_cert_verify_peer. */
static int verify(struct pki *p, X509 *ee, X509 *inter, uint8_t id_type, const void *id,
		  size_t id_len, char *why, size_t why_len)
{
	unsigned char *der[2] = {NULL, NULL};
	struct ike_buf certs[2];
	size_t n = 0;
	EVP_PKEY *key = NULL;

	for (X509 *x = ee; x != NULL && n < 2; x = n == 1 ? inter : NULL) {
		int l = i2d_X509(x, &der[n]);
		certs[n] = (struct ike_buf){der[n], l > 0 ? (size_t)l : 0};
		n++;
	}
	int rc = ike_cert_verify_peer(p->ours, certs, n, id_type, (struct ike_buf){id, id_len},
				      &key, why, why_len);
	CHECK((rc == IKE_CRYPTO_OK) == (key != NULL));
	if (key != NULL)
		CHECK(EVP_PKEY_eq(key, X509_get0_pubkey(ee)) == 1);
	EVP_PKEY_free(key);
	OPENSSL_free(der[0]);
	OPENSSL_free(der[1]);
	return rc;
}

static void test_peer_certs(void)
{
	struct pki p = {0};
	char why[IKE_CERT_WHY_MAX];
	uint8_t v4[4], v6[16], dn[DN_MAX], other_dn[DN_MAX];
	size_t dn_len, other_dn_len;

	p.ca_key = cg_key("P-256");
	p.other_key = cg_key("P-256");
	p.inter_key = cg_key("P-384");
	p.ee_key = cg_key("P-256");
	p.ca = cg_cert(p.ca_key, "Test CA", NULL, NULL, NULL, -DAY, DAY, true);
	p.other_ca = cg_cert(p.other_key, "Other CA", NULL, NULL, NULL, -DAY, DAY, true);
	p.inter = cg_cert(p.inter_key, "Sub CA", NULL, p.ca, p.ca_key, -DAY, DAY, true);
	X509 *mine = cg_cert(p.ee_key, "me.test", "DNS:me.test", p.ca, p.ca_key, -DAY, DAY, false);
	p.ours = cg_cred("ours", mine, p.ee_key, p.ca, NULL);
	CHECK(p.ours != NULL);
	if (p.ours == NULL)
		return;
	inet_pton(AF_INET, "10.99.5.2", v4);
	inet_pton(AF_INET6, "2001:db8::2", v6);
	X509 *peer = cg_cert(p.ee_key, "peer.test",
			     "DNS:peer.test, email:peer@example.com, IP:10.99.5.2, IP:2001:db8::2",
			     p.ca, p.ca_key, -DAY, DAY, false);
	X509 *via = cg_cert(p.ee_key, "via.test", "DNS:via.test", p.inter, p.inter_key, -DAY, DAY,
			    false);
	X509 *stranger = cg_cert(p.ee_key, "peer.test", "DNS:peer.test", p.other_ca, p.other_key,
				 -DAY, DAY, false);
	X509 *expired = cg_cert(p.ee_key, "peer.test", "DNS:peer.test", p.ca, p.ca_key, -2 * DAY,
				-DAY, false);
	X509 *future = cg_cert(p.ee_key, "peer.test", "DNS:peer.test", p.ca, p.ca_key, DAY,
			       2 * DAY, false);
	X509 *no_san = cg_cert(p.ee_key, "peer.test", NULL, p.ca, p.ca_key, -DAY, DAY, false);
	CHECK(peer && via && stranger && expired && future && no_san);

	CHECK(ike_id_dn_from_text("C=CH, O=secgw test, CN=peer.test", dn, sizeof(dn), &dn_len) == 0);
	CHECK(ike_id_dn_from_text("C=CH, O=secgw test, CN=other", other_dn, sizeof(other_dn),
				  &other_dn_len) == 0);
	uint8_t v4_other[4];
	memcpy(v4_other, v4, 4);
	v4_other[3] ^= 1;
	const struct {
		X509 *cert, *inter;
		uint8_t type;
		const void *id;
		size_t id_len;
		const char *why; /* NULL: accepted */
	} cases[] = {
		{peer, NULL, IKE_ID_FQDN, "peer.test", 9, NULL},
		{peer, NULL, IKE_ID_RFC822_ADDR, "peer@example.com", 16, NULL},
		{peer, NULL, IKE_ID_IPV4_ADDR, v4, 4, NULL},
		{peer, NULL, IKE_ID_IPV6_ADDR, v6, 16, NULL},
		{peer, NULL, IKE_ID_DER_ASN1_DN, dn, dn_len, NULL},
		/* through the intermediate the peer sends; without it there is no chain */
		{via, p.inter, IKE_ID_FQDN, "via.test", 8, NULL},
		{via, NULL, IKE_ID_FQDN, "via.test", 8, "unable to get local issuer certificate"},
		/* IDs the certificate does not hold (the CN is not a subjectAltName) */
		{peer, NULL, IKE_ID_FQDN, "other.test", 10, "not in its certificate"},
		{peer, NULL, IKE_ID_FQDN, "peer.test\0x", 11, "not in its certificate"},
		{peer, NULL, IKE_ID_RFC822_ADDR, "root@example.com", 16, "not in its certificate"},
		{peer, NULL, IKE_ID_IPV4_ADDR, v4_other, 4, "not in its certificate"},
		{peer, NULL, IKE_ID_IPV4_ADDR, v6, 16, "not in its certificate"},
		{peer, NULL, IKE_ID_DER_ASN1_DN, other_dn, other_dn_len, "not in its certificate"},
		{peer, NULL, IKE_ID_KEY_ID, "peer.test", 9, "not in its certificate"},
		{no_san, NULL, IKE_ID_FQDN, "peer.test", 9, "not in its certificate"},
		/* certificates that must not chain */
		{stranger, NULL, IKE_ID_FQDN, "peer.test", 9, "peer certificate refused"},
		{stranger, p.other_ca, IKE_ID_FQDN, "peer.test", 9, "peer certificate refused"},
		{expired, NULL, IKE_ID_FQDN, "peer.test", 9, "expired"},
		{future, NULL, IKE_ID_FQDN, "peer.test", 9, "not yet valid"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		int rc = verify(&p, cases[i].cert, cases[i].inter, cases[i].type, cases[i].id,
				cases[i].id_len, why, sizeof(why));
		bool ok = cases[i].why == NULL ? rc == IKE_CRYPTO_OK
					       : rc == IKE_CRYPTO_EAUTH &&
							 strstr(why, cases[i].why) != NULL;
		CHECK(ok);
		if (!ok)
			fprintf(stderr, "  peer certificate case %zu: rc %d, '%s'\n", i, rc, why);
	}

	/* garbage instead of a certificate, and none at all */
	EVP_PKEY *key = (EVP_PKEY *)1;
	static const uint8_t junk[] = {0x30, 0x82, 0x01, 0x00, 0x30};
	CHECK(ike_cert_verify_peer(p.ours, &(struct ike_buf){junk, sizeof(junk)}, 1, IKE_ID_FQDN,
				   (struct ike_buf){(const uint8_t *)"x", 1}, &key, why,
				   sizeof(why)) == IKE_CRYPTO_EAUTH && key == NULL);
	CHECK(ike_cert_verify_peer(p.ours, NULL, 0, IKE_ID_FQDN,
				   (struct ike_buf){(const uint8_t *)"x", 1}, &key, why,
				   sizeof(why)) == IKE_CRYPTO_EAUTH);
	/* a certificate with a byte changed in its signature */
	unsigned char *der = NULL;
	int l = i2d_X509(peer, &der);
	if (l > 0) {
		der[l - 2] ^= 0x01;
		CHECK(ike_cert_verify_peer(p.ours, &(struct ike_buf){der, (size_t)l}, 1, IKE_ID_FQDN,
					   (struct ike_buf){(const uint8_t *)"peer.test", 9}, &key,
					   why, sizeof(why)) == IKE_CRYPTO_EAUTH);
		for (int n = 0; n < l; n += 7)
			CHECK(ike_cert_verify_peer(p.ours, &(struct ike_buf){der, (size_t)n}, 1,
						   IKE_ID_FQDN,
						   (struct ike_buf){(const uint8_t *)"peer.test", 9},
						   &key, why, sizeof(why)) == IKE_CRYPTO_EAUTH);
	}
	OPENSSL_free(der);
}

static void test_cred(void)
{
	EVP_PKEY *ca_key = cg_key("P-384"), *key = cg_key("rsa"), *wrong = cg_key("rsa");
	X509 *ca = cg_cert(ca_key, "Test CA", NULL, NULL, NULL, -DAY, DAY, true);
	X509 *ee = cg_cert(key, "gw.test", "DNS:gw.test", ca, ca_key, -DAY, DAY, false);
	X509 *both[2] = {ca, ee};
	char why[IKE_CERT_WHY_MAX];
	uint8_t want[SHA_DIGEST_LENGTH];
	struct ike_cred *c = NULL;

	CHECK(ca != NULL && ee != NULL);
	c = cg_cred("cred", ee, key, ca, NULL);
	CHECK(c != NULL && ike_cred_check(c, why, sizeof(why)) == 0);
	if (c == NULL)
		return;
	/* CERTREQ: SHA-1 of the CA's SubjectPublicKeyInfo (RFC 7296 §3.7) */
	unsigned char *spki = NULL;
	int l = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(ca), &spki);
	CHECK(l > 0);
	SHA1(spki, (size_t)l, want);
	OPENSSL_free(spki);
	struct ike_buf req = ike_cred_certreq(c);
	CHECK(req.len == SHA_DIGEST_LENGTH && memcmp(req.p, want, sizeof(want)) == 0);
	unsigned char *der = NULL;
	l = i2d_X509(ee, &der);
	struct ike_buf mine = ike_cred_cert_der(c);
	CHECK(l > 0 && mine.len == (size_t)l && memcmp(mine.p, der, mine.len) == 0);
	OPENSSL_free(der);
	CHECK(ike_cred_n_intermediates(c) == 0);

	/* a key that is not the certificate's */
	CHECK(ike_cred_new(&c) == IKE_CRYPTO_OK);
	const char *pc = cg_write_certs("ee.pem", &ee, 1), *pk = cg_write_key("wrong.pem", wrong);
	const char *pca = cg_write_certs("ca.pem", &ca, 1), *pboth = cg_write_certs("both.pem", both, 2);
	CHECK(pc && pk && pca && pboth);
	CHECK(ike_cred_set_cert(c, pc, why, sizeof(why)) == 0);
	CHECK(ike_cred_set_key(c, pk, why, sizeof(why)) == 0);
	CHECK(ike_cred_add_cas(c, pca, why, sizeof(why)) == 0);
	CHECK(ike_cred_check(c, why, sizeof(why)) == -1);
	CHECK(strstr(why, "does not belong") != NULL);
	/* a CA file holding an end-entity certificate, two certificates as ours, junk */
	CHECK(ike_cred_add_cas(c, pboth, why, sizeof(why)) == -1);
	CHECK(strstr(why, "certificate 2 is not a CA") != NULL && strstr(why, "both.pem") != NULL);
	CHECK(ike_cred_set_cert(c, pboth, why, sizeof(why)) == -1);
	CHECK(strstr(why, "exactly one certificate") != NULL);
	CHECK(ike_cred_set_key(c, pc, why, sizeof(why)) == -1);
	CHECK(strstr(why, "no PEM private key") != NULL);
	EVP_PKEY *p224 = cg_key("P-224"), *rsa1k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	CHECK(p224 != NULL && rsa1k != NULL);
	CHECK(ike_cred_set_key(c, cg_write_key("p224.pem", p224), why, sizeof(why)) == -1);
	CHECK(strstr(why, "expected an RSA (>= 2048 bits) or ECDSA P-256/P-384/P-521 key") != NULL);
	CHECK(ike_cred_set_key(c, cg_write_key("rsa1k.pem", rsa1k), why, sizeof(why)) == -1);
	EVP_PKEY_free(rsa1k);
	CHECK(ike_cred_set_cert(c, pk, why, sizeof(why)) == -1);
	CHECK(strstr(why, "no PEM certificate") != NULL);
	CHECK(ike_cred_add_cas(c, "/nonexistent/ca.pem", why, sizeof(why)) == -1);
	CHECK(strstr(why, "/nonexistent/ca.pem: cannot open") != NULL);
	ike_cred_free(c);
	/* ours issued by an intermediate: it chains only with the intermediate loaded */
	EVP_PKEY *sub_key = cg_key("P-256");
	X509 *sub = cg_cert(sub_key, "Sub CA", NULL, ca, ca_key, -DAY, DAY, true);
	X509 *leaf = cg_cert(key, "gw.test", "DNS:gw.test", sub, sub_key, -DAY, DAY, false);
	c = cg_cred("leaf", leaf, key, ca, sub);
	CHECK(c != NULL && ike_cred_check(c, why, sizeof(why)) == 0);
	CHECK(c != NULL && ike_cred_n_intermediates(c) == 1 &&
	      ike_cred_intermediate_der(c, 0).len > 0);
	c = cg_cred("leaf-alone", leaf, key, ca, NULL);
	CHECK(c != NULL && ike_cred_check(c, why, sizeof(why)) == -1);
	CHECK(strstr(why, "does not chain") != NULL);
	/* nothing loaded */
	CHECK(ike_cred_new(&c) == IKE_CRYPTO_OK);
	CHECK(ike_cred_check(c, why, sizeof(why)) == -1);
	ike_cred_free(c);
}

static void test_dn_text(void)
{
	uint8_t der[DN_MAX];
	size_t len;
	char text[128];

	CHECK(ike_id_dn_from_text("C=CH, O=secgw, CN=gw", der, sizeof(der), &len) == 0);
	const unsigned char *p = der;
	X509_NAME *n = d2i_X509_NAME(NULL, &p, (long)len);
	CHECK(n != NULL && p == der + len);
	CHECK(X509_NAME_entry_count(n) == 3);
	X509_NAME_oneline(n, text, sizeof(text));
	CHECK(strcmp(text, "/C=CH/O=secgw/CN=gw") == 0);
	X509_NAME_free(n);
	CHECK(ike_id_dn_from_text("CN=gw", der, sizeof(der), &len) == 0);
	CHECK(ike_id_dn_from_text("", der, sizeof(der), &len) == -1);
	CHECK(ike_id_dn_from_text("CN", der, sizeof(der), &len) == -1);
	CHECK(ike_id_dn_from_text("CN=gw,", der, sizeof(der), &len) == 0);
	CHECK(ike_id_dn_from_text("CN=gw, =x", der, sizeof(der), &len) == -1);
	CHECK(ike_id_dn_from_text("XX=gw", der, sizeof(der), &len) == -1);
	CHECK(ike_id_dn_from_text("CN=gw", der, 4, &len) == -1);

	/* a peer's DN with other string types and case is the same name */
	uint8_t ours[DN_MAX], *theirs = NULL;
	size_t ours_len;
	CHECK(ike_id_dn_from_text("C=CH, O=secgw, CN=gw", ours, sizeof(ours), &ours_len) == 0);
	n = X509_NAME_new();
	CHECK(X509_NAME_add_entry_by_txt(n, "C", V_ASN1_PRINTABLESTRING, (const unsigned char *)"CH",
					 -1, -1, 0) == 1 &&
	      X509_NAME_add_entry_by_txt(n, "O", V_ASN1_PRINTABLESTRING,
					 (const unsigned char *)"SECGW", -1, -1, 0) == 1 &&
	      X509_NAME_add_entry_by_txt(n, "CN", V_ASN1_PRINTABLESTRING,
					 (const unsigned char *)"gw", -1, -1, 0) == 1);
	int tl = i2d_X509_NAME(n, &theirs);
	X509_NAME_free(n);
	CHECK(tl > 0 && ((size_t)tl != ours_len || memcmp(theirs, ours, ours_len) != 0));
	struct ike_buf a = {ours, ours_len}, b = {theirs, tl > 0 ? (size_t)tl : 0};
	CHECK(ike_id_equal(IKE_ID_DER_ASN1_DN, a, b));
	CHECK(!ike_id_equal(IKE_ID_FQDN, a, b)); /* octets differ */
	CHECK(ike_id_equal(IKE_ID_FQDN, a, a));
	CHECK(ike_id_dn_from_text("C=CH, O=secgw, CN=gw2", der, sizeof(der), &len) == 0);
	CHECK(!ike_id_equal(IKE_ID_DER_ASN1_DN, a, (struct ike_buf){der, len}));
	CHECK(!ike_id_equal(IKE_ID_DER_ASN1_DN, a, (struct ike_buf){theirs, b.len - 1}));
	CHECK(!ike_id_equal(IKE_ID_DER_ASN1_DN, (struct ike_buf){ours, 1}, (struct ike_buf){ours, 1}));
	OPENSSL_free(theirs);
}

int main(void)
{
	sig_round_trip("rsa", IKE_AUTH_RSA_SIG);
	sig_round_trip("P-256", IKE_AUTH_ECDSA_256);
	sig_round_trip("P-384", IKE_AUTH_ECDSA_384);
	sig_round_trip("P-521", IKE_AUTH_ECDSA_521);
	test_sig_key_mismatch();
	test_pss();
	test_hashes_notify();
	test_peer_certs();
	test_cred();
	test_dn_text();
	cg_cleanup();
	printf("%d checks, %d failures\n", checks, failures);
	return failures != 0;
}
