/* SPDX-License-Identifier: BSD-3-Clause */
/* X.509 credentials and the check of a peer's certificate (ike_cert.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ike_cert.h"
#include "ike_proto.h"
#include "ike_sig.h"

#define CA_MAX (IKE_CERTREQ_MAX / SHA_DIGEST_LENGTH)
#define DN_TEXT_MAX 512

struct der {
	uint8_t *p;
	size_t len;
};

struct ike_cred {
	X509 *cert;
	struct der cert_der;
	EVP_PKEY *key;
	X509_STORE *store;
	size_t n_cas;
	uint8_t certreq[IKE_CERTREQ_MAX];
	STACK_OF(X509) *inter;
	struct der inter_der[IKE_CERT_CHAIN_MAX];
};

static int fail(char *why, size_t why_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* why gets the message and OpenSSL's reason, if it has one. */
static int fail(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;
	unsigned long e = ERR_peek_last_error();

	va_start(ap, fmt);
	int n = vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
	if (e != 0 && n >= 0 && (size_t)n < why_len && ERR_reason_error_string(e) != NULL)
		snprintf(why + n, why_len - (size_t)n, " (%s)", ERR_reason_error_string(e));
	ERR_clear_error();
	return -1;
}

int ike_cred_new(struct ike_cred **out)
{
	struct ike_cred *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return IKE_CRYPTO_EINTERNAL;
	c->store = X509_STORE_new();
	c->inter = sk_X509_new_null();
	if (c->store == NULL || c->inter == NULL) {
		ike_cred_free(c);
		return IKE_CRYPTO_EINTERNAL;
	}
	*out = c;
	return IKE_CRYPTO_OK;
}

void ike_cred_free(struct ike_cred *c)
{
	if (c == NULL)
		return;
	X509_free(c->cert);
	OPENSSL_free(c->cert_der.p);
	EVP_PKEY_free(c->key);
	X509_STORE_free(c->store);
	sk_X509_pop_free(c->inter, X509_free);
	for (size_t i = 0; i < IKE_CERT_CHAIN_MAX; i++)
		OPENSSL_free(c->inter_der[i].p);
	free(c);
}

static int to_der(X509 *x, struct der *d)
{
	unsigned char *p = NULL;
	int n = i2d_X509(x, &p);

	if (n <= 0)
		return -1;
	d->p = p;
	d->len = (size_t)n;
	return 0;
}

/* Every certificate of a PEM file, in order; 0 certificates is an error. */
static STACK_OF(X509) *read_certs(const char *path, char *why, size_t why_len)
{
	FILE *f = fopen(path, "re");
	STACK_OF(X509) *sk = NULL;
	X509 *x;

	if (f == NULL) {
		fail(why, why_len, "%s: cannot open", path);
		return NULL;
	}
	sk = sk_X509_new_null();
	while (sk != NULL && (x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
		if (sk_X509_push(sk, x) == 0) {
			X509_free(x);
			break;
		}
	}
	fclose(f);
	/* PEM_read_X509 ends the file with "no start line": not an error. */
	ERR_clear_error();
	if (sk == NULL || sk_X509_num(sk) == 0) {
		sk_X509_pop_free(sk, X509_free);
		fail(why, why_len, "%s: no PEM certificate", path);
		return NULL;
	}
	return sk;
}

int ike_cred_set_cert(struct ike_cred *c, const char *path, char *why, size_t why_len)
{
	STACK_OF(X509) *sk = read_certs(path, why, why_len);

	if (sk == NULL)
		return -1;
	if (sk_X509_num(sk) != 1 || c->cert != NULL) {
		sk_X509_pop_free(sk, X509_free);
		return fail(why, why_len, "%s: expected exactly one certificate", path);
	}
	c->cert = sk_X509_shift(sk);
	sk_X509_free(sk);
	if (to_der(c->cert, &c->cert_der) < 0)
		return fail(why, why_len, "%s: cannot encode the certificate", path);
	return 0;
}

int ike_cred_set_key(struct ike_cred *c, const char *path, char *why, size_t why_len)
{
	FILE *f = fopen(path, "re");

	if (f == NULL)
		return fail(why, why_len, "%s: cannot open", path);
	EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (k == NULL)
		return fail(why, why_len, "%s: no PEM private key", path);
	if (!ike_sig_key_ok(k) ||
	    (EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA && EVP_PKEY_get_bits(k) < 2048)) {
		EVP_PKEY_free(k);
		return fail(why, why_len,
			    "%s: expected an RSA (>= 2048 bits) or ECDSA P-256/P-384/P-521 key",
			    path);
	}
	EVP_PKEY_free(c->key);
	c->key = k;
	return 0;
}

/* SHA-1 of the SubjectPublicKeyInfo, as a CERTREQ names a CA (§3.7). */
static int spki_sha1(X509 *x, uint8_t out[SHA_DIGEST_LENGTH])
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(X509_get0_pubkey(x), &der);

	if (n <= 0)
		return -1;
	SHA1(der, (size_t)n, out);
	OPENSSL_free(der);
	return 0;
}

int ike_cred_add_cas(struct ike_cred *c, const char *path, char *why, size_t why_len)
{
	STACK_OF(X509) *sk = read_certs(path, why, why_len);
	int rc = 0;

	if (sk == NULL)
		return -1;
	for (int i = 0; i < sk_X509_num(sk) && rc == 0; i++) {
		X509 *x = sk_X509_value(sk, i);

		if (c->n_cas == CA_MAX)
			rc = fail(why, why_len, "%s: more than %d CAs", path, CA_MAX);
		else if (X509_check_ca(x) == 0)
			rc = fail(why, why_len, "%s: certificate %d is not a CA", path, i + 1);
		else if (spki_sha1(x, c->certreq + c->n_cas * SHA_DIGEST_LENGTH) < 0 ||
			 X509_STORE_add_cert(c->store, x) != 1)
			rc = fail(why, why_len, "%s: cannot add certificate %d", path, i + 1);
		else
			c->n_cas++;
	}
	sk_X509_pop_free(sk, X509_free);
	return rc;
}

int ike_cred_add_intermediates(struct ike_cred *c, const char *path, char *why, size_t why_len)
{
	STACK_OF(X509) *sk = read_certs(path, why, why_len);
	X509 *x;
	int rc = 0;

	if (sk == NULL)
		return -1;
	while (rc == 0 && (x = sk_X509_shift(sk)) != NULL) {
		size_t i = (size_t)sk_X509_num(c->inter);

		if (i == IKE_CERT_CHAIN_MAX - 1 || sk_X509_push(c->inter, x) == 0) {
			X509_free(x);
			rc = fail(why, why_len, "%s: more than %d intermediates", path,
				  IKE_CERT_CHAIN_MAX - 1);
		} else if (to_der(x, &c->inter_der[i]) < 0) {
			rc = fail(why, why_len, "%s: cannot encode certificate %zu", path, i + 1);
		}
	}
	sk_X509_pop_free(sk, X509_free);
	return rc;
}

/* Chain x (with untrusted intermediates) to c's CAs; X509_V_OK or the error. */
static int chain_ok(const struct ike_cred *c, X509 *x, STACK_OF(X509) *untrusted)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int err = X509_V_ERR_UNSPECIFIED;

	if (ctx != NULL && X509_STORE_CTX_init(ctx, c->store, x, untrusted) == 1) {
		err = X509_verify_cert(ctx) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
		if (err == X509_V_OK && X509_STORE_CTX_get_error(ctx) != X509_V_OK)
			err = X509_STORE_CTX_get_error(ctx);
	}
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return err;
}

int ike_cred_check(const struct ike_cred *c, char *why, size_t why_len)
{
	if (c->cert == NULL || c->key == NULL || c->n_cas == 0)
		return fail(why, why_len, "certificate, key and CA are all needed");
	if (X509_check_private_key(c->cert, c->key) != 1)
		return fail(why, why_len, "the key does not belong to the certificate");
	int err = chain_ok(c, c->cert, c->inter);
	if (err != X509_V_OK)
		return fail(why, why_len, "our certificate does not chain to the CA: %s",
			    X509_verify_cert_error_string(err));
	return 0;
}

EVP_PKEY *ike_cred_key(const struct ike_cred *c)
{
	return c->key;
}

struct ike_buf ike_cred_cert_der(const struct ike_cred *c)
{
	return (struct ike_buf){c->cert_der.p, c->cert_der.len};
}

size_t ike_cred_n_intermediates(const struct ike_cred *c)
{
	return (size_t)sk_X509_num(c->inter);
}

struct ike_buf ike_cred_intermediate_der(const struct ike_cred *c, size_t i)
{
	return (struct ike_buf){c->inter_der[i].p, c->inter_der[i].len};
}

struct ike_buf ike_cred_certreq(const struct ike_cred *c)
{
	return (struct ike_buf){c->certreq, c->n_cas * SHA_DIGEST_LENGTH};
}

static X509 *from_der(struct ike_buf b)
{
	const unsigned char *p = b.p;

	if (b.p == NULL || b.len == 0 || b.len > (size_t)INT32_MAX)
		return NULL;
	X509 *x = d2i_X509(NULL, &p, (long)b.len);
	/* trailing bytes: not one certificate */
	if (x != NULL && p != b.p + b.len) {
		X509_free(x);
		x = NULL;
	}
	return x;
}

static X509_NAME *name_from_der(struct ike_buf b)
{
	const unsigned char *p = b.p;
	X509_NAME *n = b.len <= (size_t)INT32_MAX ? d2i_X509_NAME(NULL, &p, (long)b.len) : NULL;

	if (n != NULL && p != b.p + b.len) {
		X509_NAME_free(n);
		n = NULL;
	}
	return n;
}

bool ike_id_equal(uint8_t type, struct ike_buf a, struct ike_buf b)
{
	if (type != IKE_ID_DER_ASN1_DN)
		return a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
	X509_NAME *na = name_from_der(a), *nb = name_from_der(b);
	bool eq = na != NULL && nb != NULL && X509_NAME_cmp(na, nb) == 0;
	X509_NAME_free(na);
	X509_NAME_free(nb);
	ERR_clear_error();
	return eq;
}

/* The certificate holds the ID (§3.5 types; SANs only, never the CN). */
static bool id_in_cert(X509 *x, uint8_t type, struct ike_buf id)
{
	const unsigned int flags = X509_CHECK_FLAG_NEVER_CHECK_SUBJECT |
				   X509_CHECK_FLAG_NO_WILDCARDS;
	const char *s = (const char *)id.p;

	switch (type) {
	case IKE_ID_DER_ASN1_DN: {
		X509_NAME *n = name_from_der(id);
		bool ok = n != NULL && X509_NAME_cmp(n, X509_get_subject_name(x)) == 0;
		X509_NAME_free(n);
		return ok;
	}
	case IKE_ID_FQDN:
		return memchr(s, 0, id.len) == NULL && X509_check_host(x, s, id.len, flags, NULL) == 1;
	case IKE_ID_RFC822_ADDR:
		return memchr(s, 0, id.len) == NULL && X509_check_email(x, s, id.len, flags) == 1;
	case IKE_ID_IPV4_ADDR:
	case IKE_ID_IPV6_ADDR:
		return id.len == (type == IKE_ID_IPV4_ADDR ? 4u : 16u) &&
		       X509_check_ip(x, id.p, id.len, 0) == 1;
	default:
		return false;
	}
}

int ike_cert_verify_peer(const struct ike_cred *c, const struct ike_buf *certs, size_t n,
			 uint8_t id_type, struct ike_buf id, EVP_PKEY **key, char *why,
			 size_t why_len)
{
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509 *ee = n > 0 ? from_der(certs[0]) : NULL;
	int rc = IKE_CRYPTO_EAUTH;

	*key = NULL;
	if (untrusted == NULL || ee == NULL) {
		fail(why, why_len, n > 0 ? "peer certificate does not parse" : "no peer certificate");
		goto out;
	}
	for (size_t i = 1; i < n && i < IKE_CERT_CHAIN_MAX; i++) {
		X509 *x = from_der(certs[i]);

		if (x == NULL || sk_X509_push(untrusted, x) == 0) {
			X509_free(x);
			fail(why, why_len, "peer intermediate %zu does not parse", i);
			goto out;
		}
	}
	int err = chain_ok(c, ee, untrusted);
	if (err != X509_V_OK) {
		fail(why, why_len, "peer certificate refused: %s", X509_verify_cert_error_string(err));
		goto out;
	}
	if (!id_in_cert(ee, id_type, id)) {
		fail(why, why_len, "peer ID (type %u) is not in its certificate", id_type);
		goto out;
	}
	*key = X509_get_pubkey(ee);
	rc = *key != NULL ? IKE_CRYPTO_OK : IKE_CRYPTO_EINTERNAL;
out:
	X509_free(ee);
	sk_X509_pop_free(untrusted, X509_free);
	ERR_clear_error();
	return rc;
}

static char *trim(char *s)
{
	while (*s == ' ')
		s++;
	size_t l = strlen(s);
	while (l > 0 && s[l - 1] == ' ')
		s[--l] = '\0';
	return s;
}

int ike_id_dn_from_text(const char *text, uint8_t *out, size_t cap, size_t *len)
{
	char buf[DN_TEXT_MAX], *save = NULL;
	X509_NAME *name = X509_NAME_new();
	unsigned char *der = NULL;
	int rc = -1, n = 0;

	if (name == NULL || strlen(text) >= sizeof(buf))
		goto out;
	snprintf(buf, sizeof(buf), "%s", text);
	for (char *rdn = strtok_r(buf, ",", &save); rdn != NULL; rdn = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(rdn, '=');

		if (eq == NULL)
			goto out;
		*eq = '\0';
		char *k = trim(rdn), *v = trim(eq + 1);
		if (*k == '\0' || *v == '\0' ||
		    X509_NAME_add_entry_by_txt(name, k, MBSTRING_UTF8, (unsigned char *)v, -1, -1,
					       0) != 1)
			goto out;
	}
	n = i2d_X509_NAME(name, &der);
	if (X509_NAME_entry_count(name) == 0 || n <= 0 || (size_t)n > cap)
		goto out;
	memcpy(out, der, (size_t)n);
	*len = (size_t)n;
	rc = 0;
out:
	OPENSSL_free(der);
	X509_NAME_free(name);
	ERR_clear_error();
	return rc;
}
