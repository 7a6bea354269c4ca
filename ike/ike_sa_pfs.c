/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Diffie-Hellman in CREATE_CHILD_SA (RFC 7296 §1.3, §2.17, §2.18): the KE
 * payloads of a Child SA with PFS or of an IKE SA rekey, g^ir for the new
 * keys, and the INVALID_KE_PAYLOAD answer's group.  The pair of our request
 * lives in sa->dh until its answer; a responder's lives in the caller.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "ike_msg_be.h"
#include "ike_msg_bld.h"
#include "ike_sa_int.h"

int ike_pfs_new(struct ike_sa *sa, struct ike_dh **dh, uint16_t group)
{
	ike_dh_free(*dh);
	*dh = NULL;
	return ike_dh_new(group, dh) == IKE_CRYPTO_OK ? 0 : ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
}

void ike_pfs_build_ke(struct ike_build *b, const struct ike_dh *dh)
{
	uint8_t pub[IKE_DH_SECRET_MAX];
	uint16_t group = dh != NULL ? ike_dh_group(dh) : 0;
	size_t len = ike_dh_public_len(group);

	if (dh == NULL || len == 0 || len > sizeof(pub) ||
	    ike_dh_public(dh, pub, len) != IKE_CRYPTO_OK) {
		ike_build_fail(b, IKE_MSG_E_BAD_ARG);
		return;
	}
	ike_build_ke(b, &(struct ike_ke){.group = group, .data = {pub, len}});
}

uint16_t ike_pfs_peer_group(const struct ike_sa *sa)
{
	const struct ike_pld *ke = ike_msg_find(&sa->m, IKE_PLD_KE, NULL);

	return ke != NULL ? ke->u.ke.group : 0;
}

uint16_t ike_pfs_shared(struct ike_sa *sa, const struct ike_dh *dh)
{
	const struct ike_pld *ke = ike_msg_find(&sa->m, IKE_PLD_KE, NULL);
	uint16_t group = dh != NULL ? ike_dh_group(dh) : 0;
	size_t len = ike_dh_secret_len(group);

	if (ke == NULL || ke->u.ke.group != group) {
		sa->drops[IKE_SA_DROP_INVALID_KE]++;
		return IKE_N_INVALID_KE_PAYLOAD;
	}
	if (len == 0 || len > sizeof(sa->gir) ||
	    ike_dh_shared(dh, (struct ike_buf){ke->u.ke.data.ptr, ke->u.ke.data.len}, sa->gir,
			  len) != IKE_CRYPTO_OK) {
		OPENSSL_cleanse(sa->gir, sizeof(sa->gir));
		sa->drops[IKE_SA_DROP_BAD_KE]++;
		return IKE_N_INVALID_SYNTAX;
	}
	sa->gir_len = len;
	return 0;
}

uint16_t ike_pfs_wanted(const struct ike_sa *sa, const struct ike_prop *props, size_t n)
{
	const struct ike_pld *p = ike_msg_find_notify(&sa->m, IKE_N_INVALID_KE_PAYLOAD);

	if (p == NULL || p->u.notify.data.len != 2)
		return 0;
	uint16_t g = ike_get16(p->u.notify.data.ptr);
	for (size_t i = 0; i < n; i++)
		if (g != 0 && props[i].dh == g)
			return g;
	return 0;
}

void ike_pfs_clear(struct ike_sa *sa)
{
	ike_dh_free(sa->dh);
	sa->dh = NULL;
	OPENSSL_cleanse(sa->gir, sizeof(sa->gir));
	sa->gir_len = 0;
}
