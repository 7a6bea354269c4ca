/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * INFORMATIONAL exchanges (RFC 7296 §1.4): answering the peer's (liveness
 * checks, Delete of the Child SA or of the IKE SA) and deleting our IKE SA.
 */
#include "ike_msg_be.h"
#include "ike_msg_bld.h"
#include "ike_sa_int.h"

int ike_info_request(struct ike_sa *sa, struct ike_dgram *out)
{
	uint8_t chain[64], spi[4];
	struct ike_build b;
	const struct ike_pld *d = NULL;
	bool delete_ike = false;

	ike_build_init_chain(&b, chain, sizeof(chain));
	while ((d = ike_msg_find(&sa->m, IKE_PLD_DELETE, d)) != NULL) {
		if (d->u.del.proto == IKE_PROTO_IKE) {
			delete_ike = true;
		} else if (d->u.del.proto == IKE_PROTO_ESP && sa->has_child) {
			/* §1.4.1: answer with the SPI of our half of the pair. */
			ike_put32(spi, sa->child_spi_in);
			ike_build_delete(&b, &(struct ike_delete){IKE_PROTO_ESP, 4, 1, {spi, 4}});
			sa->has_child = false;
			ike_sa_log(sa, 1, "peer deleted the Child SA 0x%08x", sa->child_spi_in);
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
	if (sa->deleting) {
		sa->has_child = false;
		ike_sa_set_state(sa, IKE_SA_DEAD);
	}
	return 0;
}
