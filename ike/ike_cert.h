/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * X.509 credentials for IKEv2 certificate authentication (RFC 7296 §2.15,
 * §3.6, §3.7): our certificate, private key and intermediates, the CAs we
 * trust, and the check of a peer's certificate chain and ID.
 *
 * A struct ike_cred is filled once at config time (ike_cred_set_* each name
 * the file they failed on) and then only read: several SAs may share it.
 * Concurrency: read-only after ike_cred_check() returned 0.
 */
#ifndef SECGW_IKE_CERT_H
#define SECGW_IKE_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "ike_crypto.h"

#define IKE_CERT_CHAIN_MAX 4  /* our intermediates / the peer's CERT payloads we use */
#define IKE_CERTREQ_MAX (20 * 8) /* SHA-1 of up to 8 CA keys (§3.7) */
#define IKE_CERT_WHY_MAX 160

struct ike_cred;

int ike_cred_new(struct ike_cred **out);
void ike_cred_free(struct ike_cred *c);
/* PEM files; each returns 0, or -1 with why (the file and what is wrong). */
int ike_cred_set_cert(struct ike_cred *c, const char *path, char *why, size_t why_len);
int ike_cred_set_key(struct ike_cred *c, const char *path, char *why, size_t why_len);
int ike_cred_add_cas(struct ike_cred *c, const char *path, char *why, size_t why_len);
int ike_cred_add_intermediates(struct ike_cred *c, const char *path, char *why, size_t why_len);
/* All set, the key is the certificate's, the certificate chains to our CAs. */
int ike_cred_check(const struct ike_cred *c, char *why, size_t why_len);

/* Our private key, our certificate (DER) and intermediate i (DER) for CERT. */
EVP_PKEY *ike_cred_key(const struct ike_cred *c);
struct ike_buf ike_cred_cert_der(const struct ike_cred *c);
size_t ike_cred_n_intermediates(const struct ike_cred *c);
struct ike_buf ike_cred_intermediate_der(const struct ike_cred *c, size_t i);
/* CERTREQ data: SHA-1 of each trusted CA's SubjectPublicKeyInfo (§3.7). */
struct ike_buf ike_cred_certreq(const struct ike_cred *c);

/*
 * The peer's certificates, DER: certs[0] its own, the rest untrusted
 * intermediates.  Returns 0 with *key the end-entity's public key (the caller
 * frees it) when the chain leads to one of our CAs, is valid now, and the
 * certificate holds the peer's ID (IKE_ID_DER_ASN1_DN: the subject; FQDN,
 * RFC822, IPv4, IPv6: a subjectAltName); else IKE_CRYPTO_EAUTH with why.
 */
int ike_cert_verify_peer(const struct ike_cred *c, const struct ike_buf *certs, size_t n,
			 uint8_t id_type, struct ike_buf id, EVP_PKEY **key, char *why,
			 size_t why_len);

/* Two IDs of type are the same: distinguished names compared as X.509 does
 * (RFC 5280 §7.1: string types and case aside), other types octet for octet. */
bool ike_id_equal(uint8_t type, struct ike_buf a, struct ike_buf b);

/* "C=CH, O=secgw, CN=gw" (attributes separated by commas, no escapes) as the
 * DER of an X.501 Name, the body of an ID_DER_ASN1_DN.  0 or -1. */
int ike_id_dn_from_text(const char *text, uint8_t *out, size_t cap, size_t *len);

#endif
