/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Keys and X.509 certificates made at test time (OpenSSL), and credentials
 * (ike_cert.h) loaded from PEM files written into a temporary directory,
 * so the certificate tests need no checked-in material that could expire.
 * Every function returns NULL on failure; callers CHECK.  What they return
 * belongs to this module until cg_cleanup() frees it all.
 */
#ifndef SECGW_TEST_CERT_GEN_H
#define SECGW_TEST_CERT_GEN_H

#include <stdbool.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ike_cert.h"

/* "rsa" (2048 bits), "P-256", "P-384" or "P-521". */
EVP_PKEY *cg_key(const char *kind);
/*
 * A certificate for key with subject "C=CH, O=secgw test, CN=<cn>" and, when
 * san is not NULL, that subjectAltName ("DNS:gw.test, IP:10.0.0.1"), valid
 * from now + from_s to now + to_s, signed by issuer/issuer_key (NULL: self-
 * signed), a CA when ca.
 */
X509 *cg_cert(EVP_PKEY *key, const char *cn, const char *san, X509 *issuer,
	      EVP_PKEY *issuer_key, long from_s, long to_s, bool ca);
/* PEM files in the test directory; the path stays valid until cg_cleanup(). */
const char *cg_write_certs(const char *name, X509 *const *certs, int n);
const char *cg_write_key(const char *name, EVP_PKEY *key);
/* Credentials from our cert and key, trusting ca, sending inter (may be NULL);
 * not ike_cred_check()ed, so a test may trust a CA that did not issue cert. */
struct ike_cred *cg_cred(const char *tag, X509 *cert, EVP_PKEY *key, X509 *ca, X509 *inter);
/* Free every key, certificate and credential made; remove the files and the directory. */
void cg_cleanup(void);

#endif
