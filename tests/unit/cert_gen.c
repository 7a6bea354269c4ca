/* SPDX-License-Identifier: BSD-3-Clause */
/* Test-time keys, certificates and credentials (cert_gen.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "cert_gen.h"

#define FILES_MAX 128
#define PATH_LEN 256

static char dir[] = "/tmp/secgw-cert-test-XXXXXX";
static bool have_dir;
static char files[FILES_MAX][PATH_LEN];
static int n_files;
static long serial = 1;

/* Everything made here, freed by cg_cleanup(). */
#define OWNED_MAX 256
static EVP_PKEY *keys[OWNED_MAX];
static X509 *certs[OWNED_MAX];
static struct ike_cred *creds[OWNED_MAX];
static int n_keys, n_certs, n_creds;

EVP_PKEY *cg_key(const char *kind)
{
	if (n_keys == OWNED_MAX)
		return NULL;
	EVP_PKEY *k = strcmp(kind, "rsa") == 0 ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048)
					       : EVP_PKEY_Q_keygen(NULL, NULL, "EC", kind);
	return keys[n_keys++] = k;
}

static bool add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;

	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	bool ok = e != NULL && X509_add_ext(x, e, -1) == 1;
	X509_EXTENSION_free(e);
	return ok;
}

X509 *cg_cert(EVP_PKEY *key, const char *cn, const char *san, X509 *issuer,
	      EVP_PKEY *issuer_key, long from_s, long to_s, bool ca)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	bool ok = x != NULL && name != NULL && key != NULL && n_certs < OWNED_MAX;

	ok = ok && X509_set_version(x, X509_VERSION_3) == 1 &&
	     ASN1_INTEGER_set(X509_get_serialNumber(x), serial++) == 1 &&
	     X509_gmtime_adj(X509_getm_notBefore(x), from_s) != NULL &&
	     X509_gmtime_adj(X509_getm_notAfter(x), to_s) != NULL &&
	     X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, (const unsigned char *)"CH", -1,
					-1, 0) == 1 &&
	     X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
					(const unsigned char *)"secgw test", -1, -1, 0) == 1 &&
	     X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1,
					-1, 0) == 1 &&
	     X509_set_subject_name(x, name) == 1 &&
	     X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : name) == 1 &&
	     X509_set_pubkey(x, key) == 1 &&
	     add_ext(x, issuer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE") &&
	     add_ext(x, issuer, NID_key_usage,
		     ca ? "critical,keyCertSign,cRLSign" : "digitalSignature") &&
	     (san == NULL || add_ext(x, issuer, NID_subject_alt_name, san)) &&
	     X509_sign(x, issuer_key != NULL ? issuer_key : key, EVP_sha256()) > 0;
	X509_NAME_free(name);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return certs[n_certs++] = x;
}

static FILE *create(const char *name, const char **path)
{
	if (!have_dir && mkdtemp(dir) == NULL)
		return NULL;
	have_dir = true;
	if (n_files == FILES_MAX)
		return NULL;
	snprintf(files[n_files], PATH_LEN, "%s/%s", dir, name);
	*path = files[n_files++];
	return fopen(*path, "we");
}

const char *cg_write_certs(const char *name, X509 *const *certs, int n)
{
	const char *path;
	FILE *f = create(name, &path);
	bool ok = f != NULL;

	for (int i = 0; ok && i < n; i++)
		ok = PEM_write_X509(f, certs[i]) == 1;
	if (f != NULL)
		ok = fclose(f) == 0 && ok;
	return ok ? path : NULL;
}

const char *cg_write_key(const char *name, EVP_PKEY *key)
{
	const char *path;
	FILE *f = create(name, &path);
	bool ok = f != NULL && PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1;

	if (f != NULL)
		ok = fclose(f) == 0 && ok;
	return ok ? path : NULL;
}

struct ike_cred *cg_cred(const char *tag, X509 *cert, EVP_PKEY *key, X509 *ca, X509 *inter)
{
	char name[64], why[IKE_CERT_WHY_MAX] = "";
	struct ike_cred *c = NULL;
	const char *p;

	if (n_creds == OWNED_MAX || ike_cred_new(&c) != IKE_CRYPTO_OK)
		return NULL;
	snprintf(name, sizeof(name), "%s-cert.pem", tag);
	bool ok = (p = cg_write_certs(name, &cert, 1)) != NULL &&
		  ike_cred_set_cert(c, p, why, sizeof(why)) == 0;
	snprintf(name, sizeof(name), "%s-key.pem", tag);
	ok = ok && (p = cg_write_key(name, key)) != NULL &&
	     ike_cred_set_key(c, p, why, sizeof(why)) == 0;
	snprintf(name, sizeof(name), "%s-ca.pem", tag);
	ok = ok && (p = cg_write_certs(name, &ca, 1)) != NULL &&
	     ike_cred_add_cas(c, p, why, sizeof(why)) == 0;
	snprintf(name, sizeof(name), "%s-inter.pem", tag);
	ok = ok && (inter == NULL || ((p = cg_write_certs(name, &inter, 1)) != NULL &&
				      ike_cred_add_intermediates(c, p, why, sizeof(why)) == 0));
	if (!ok) {
		fprintf(stderr, "  cg_cred %s: %s\n", tag, why);
		ike_cred_free(c);
		return NULL;
	}
	return creds[n_creds++] = c;
}

void cg_cleanup(void)
{
	while (n_creds > 0)
		ike_cred_free(creds[--n_creds]);
	while (n_certs > 0)
		X509_free(certs[--n_certs]);
	while (n_keys > 0)
		EVP_PKEY_free(keys[--n_keys]);
	for (int i = 0; i < n_files; i++)
		unlink(files[i]);
	n_files = 0;
	if (have_dir)
		rmdir(dir);
	have_dir = false;
	memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
}
