/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * INFORMATIONAL exchanges (RFC 7296 §1.4): answering the peer's (liveness
 * checks, Delete of the Child SA or of the IKE SA) and deleting our IKE SA.
 */
#include <openssl/crypto.h>

#include "ike_msg_be.h"
#include "ike_msg_bld.h"
#include "ike_sa_int.h"

int ike_info_request(struct ike_sa *sa, struct ike_dgram *out)
{
	uint8_t chain[64], spi[4];
	uint32_t ours;
	struct ike_build b;
	const struct ike_pld *d = NULL;
	bool delete_ike = false;

	ike_build_init_chain(&b, chain, sizeof(chain));
	while ((d = ike_msg_find(&sa->m, IKE_PLD_DELETE, d)) != NULL) {
		if (d->u.del.proto == IKE_PROTO_IKE) {
			delete_ike = true;
		} else if (d->u.del.proto == IKE_PROTO_ESP && d->u.del.spi_size == 4) {
			/* §1.4.1: answer with the SPIs of our halves of the pairs; the
			 * peer names its inbound SPIs, so after a rekey it can tell the
			 * old Child SA from the new one. */
			for (uint16_t i = 0; i < d->u.del.n_spi && i < 2; i++) {
				if (!ike_children_peer_delete(sa, ike_get32(d->u.del.spis.ptr + 4u * i),
							   &ours))
					continue;
				ike_put32(spi, ours);
				ike_build_delete(&b,
						 &(struct ike_delete){IKE_PROTO_ESP, 4, 1, {spi, 4}});
			}
		}
	}
	int rc = ike_sa_send_sealed(sa, &b, IKE_EXCH_INFORMATIONAL, true, sa->m.hdr.msg_id, 0,
				    out);
	if (delete_ike) {
		ike_sa_log(sa, 1, "peer deleted the IKE SA");
		ike_sa_set_state(sa, IKE_SA_DEAD);
	}
	return rc;
}

int ike_sa_delete(struct ike_sa *sa, uint64_t now_ms, struct ike_dgram *out)
{
	uint8_t chain[16];
	struct ike_build b;

	if (sa->state != IKE_SA_ESTABLISHED || sa->req_pending)
		return -1;
	ike_build_init_chain(&b, chain, sizeof(chain));
	/* §1.4.1: deleting the IKE SA deletes its Child SAs with it. */
	ike_build_delete(&b, &(struct ike_delete){.proto = IKE_PROTO_IKE});
	ike_sa_log(sa, 1, "deleting the IKE SA");
	sa->deleting = true;
	return ike_sa_send_sealed(sa, &b, IKE_EXCH_INFORMATIONAL, false, sa->req_next, now_ms, out);
}

int ike_info_response(struct ike_sa *sa)
{
	if (sa->deleting_old) {
		/* The peer has dropped the old pair: ours goes too (make before break). */
		ike_sa_log(sa, 1, "old Child SA 0x%08x deleted", sa->old_child.spi_in);
		sa->deleting_old = false;
		sa->has_old = false;
		OPENSSL_cleanse(&sa->old_child, sizeof(sa->old_child));
	}
	if (sa->deleting) {
		sa->has_child = false;
		ike_sa_set_state(sa, IKE_SA_DEAD);
	}
	return 0;
}
