/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Certificate authentication in the exchanges (RFC 7296 §1.2, §2.15, §3.6-3.8;
 * RFC 7427): SIGNATURE_HASH_ALGORITHMS and CERTREQ in IKE_SA_INIT, CERT,
 * CERTREQ and a signed AUTH in IKE_AUTH, and the check of the peer's.  Only
 * for a connection with credentials (cfg.cred); a PSK connection sends none
 * of this.
 */
#include "ike_cert.h"
#include "ike_msg_bld.h"
#include "ike_sa_int.h"
#include "ike_sig.h"

#define HASHES_MAX 8

static void build_certreq(struct ike_sa *sa, struct ike_build *b)
{
	struct ike_buf req = ike_cred_certreq(sa->cfg.cred);

	ike_build_cert(b, IKE_PLD_CERTREQ,
		       &(struct ike_cert){IKE_CERT_X509_SIG, {req.p, req.len}});
}

void ike_sa_cert_peer_hashes(struct ike_sa *sa)
{
	const struct ike_pld *n = ike_msg_find_notify(&sa->m, IKE_N_SIGNATURE_HASH_ALGORITHMS);

	sa->peer_hashes = n != NULL ? ike_sig_hashes_decode(n->u.notify.data.ptr,
							    n->u.notify.data.len)
				    : 0;
}

void ike_sa_cert_init_plds(struct ike_sa *sa, struct ike_build *b, bool response)
{
	uint8_t hashes[HASHES_MAX];

	if (sa->cfg.cred == NULL)
		return;
	if (response) {
		ike_sa_cert_peer_hashes(sa);
		build_certreq(sa, b);
		/* RFC 7427 §4: a responder only answers the initiator's notify. */
		if (sa->peer_hashes == 0)
			return;
	}
	size_t n = ike_sig_hashes_encode(hashes, sizeof(hashes));
	ike_build_notify(b, &(struct ike_notify){.type = IKE_N_SIGNATURE_HASH_ALGORITHMS,
						  .data = {hashes, n}});
}

void ike_sa_cert_build_auth(struct ike_sa *sa, struct ike_build *b, struct ike_buf octets)
{
	const struct ike_cred *c = sa->cfg.cred;
	struct ike_buf der = ike_cred_cert_der(c);
	uint8_t sig[IKE_SIG_MAX], method;
	size_t len;

	ike_build_cert(b, IKE_PLD_CERT, &(struct ike_cert){IKE_CERT_X509_SIG, {der.p, der.len}});
	for (size_t i = 0; i < ike_cred_n_intermediates(c); i++) {
		der = ike_cred_intermediate_der(c, i);
		ike_build_cert(b, IKE_PLD_CERT,
			       &(struct ike_cert){IKE_CERT_X509_SIG, {der.p, der.len}});
	}
	if (sa->role == IKE_ROLE_INITIATOR)
		build_certreq(sa, b);
	if (ike_sig_sign(ike_cred_key(c), sa->peer_hashes, octets, &method, sig, sizeof(sig),
			 &len) != IKE_CRYPTO_OK) {
		ike_sa_log(sa, 0, "cannot sign AUTH with our key");
		ike_build_fail(b, IKE_MSG_E_BAD_ARG);
		return;
	}
	ike_build_auth(b, &(struct ike_auth){method, {sig, len}});
}

bool ike_sa_cert_peer_ok(struct ike_sa *sa, const struct ike_pld *id, const struct ike_pld *au,
			 struct ike_buf octets)
{
	struct ike_buf certs[IKE_CERT_CHAIN_MAX];
	const struct ike_pld *p = NULL;
	char why[IKE_CERT_WHY_MAX];
	EVP_PKEY *key;
	size_t n = 0;

	/* §3.6: the first CERT holds the key that verifies AUTH. */
	while ((p = ike_msg_find(&sa->m, IKE_PLD_CERT, p)) != NULL && n < IKE_CERT_CHAIN_MAX)
		if (p->inner && p->u.cert.encoding == IKE_CERT_X509_SIG)
			certs[n++] = (struct ike_buf){p->u.cert.data.ptr, p->u.cert.data.len};
	if (ike_cert_verify_peer(sa->cfg.cred, certs, n, id->u.id.type,
				 (struct ike_buf){id->u.id.data.ptr, id->u.id.data.len}, &key, why,
				 sizeof(why)) != IKE_CRYPTO_OK) {
		ike_sa_log(sa, 0, "%s", why);
		return false;
	}
	bool ok = ike_sig_verify(key, au->u.auth.method, octets,
				 (struct ike_buf){au->u.auth.data.ptr, au->u.auth.data.len}) ==
		  IKE_CRYPTO_OK;
	EVP_PKEY_free(key);
	ike_sa_log(sa, ok ? 1 : 0, ok ? "peer authenticated with its certificate (AUTH method %u)"
				      : "peer's AUTH (method %u) does not verify with its certificate",
		   au->u.auth.method);
	return ok;
}
