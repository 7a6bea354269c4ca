/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dead peer detection (RFC 7296 §2.4): an ESTABLISHED IKE SA that heard
 * nothing from its peer for cfg.dpd_delay_s sends an empty INFORMATIONAL
 * request.  It is retransmitted on the usual schedule (ike_sa_timer); when
 * that runs out the SA goes DEAD and the caller removes its Child SA.
 *
 * A responder's half-open SA (IKE_SA_INIT answered, no IKE_AUTH) whose
 * initiator stays silent for IKE_HALF_OPEN_MS goes DEAD the same way, so that
 * a flood of IKE_SA_INIT requests holds its memory for a bounded time.
 */
#include "ike_msg_bld.h"
#include "ike_sa_int.h"

uint64_t ike_sa_dpd_next(const struct ike_sa *sa)
{
	if (sa->state == IKE_SA_INIT_DONE)
		return sa->last_rx + IKE_HALF_OPEN_MS;
	if (sa->state != IKE_SA_ESTABLISHED || sa->cfg.dpd_delay_s == 0 || sa->deleting ||
	    sa->req_pending)
		return UINT64_MAX;
	return sa->last_rx + (uint64_t)sa->cfg.dpd_delay_s * 1000u;
}

bool ike_sa_dpd_pending(const struct ike_sa *sa)
{
	return sa->req_pending && sa->dpd_out && sa->req_id == sa->dpd_id;
}

int ike_sa_dpd_timer(struct ike_sa *sa, uint64_t now_ms, struct ike_dgram *out)
{
	uint8_t chain[8];
	struct ike_build b;
	uint64_t due = ike_sa_dpd_next(sa);

	if (due == UINT64_MAX || now_ms < due)
		return 0;
	if (sa->state == IKE_SA_INIT_DONE) {
		ike_sa_log(sa, 1, "half-open: no IKE_AUTH within %u ms", IKE_HALF_OPEN_MS);
		ike_sa_drop(sa, IKE_SA_DROP_TIMEOUT);
		ike_sa_set_state(sa, IKE_SA_DEAD);
		return 0;
	}
	ike_build_init_chain(&b, chain, sizeof(chain));
	ike_sa_log(sa, 2, "liveness check: nothing from the peer for %u s", sa->cfg.dpd_delay_s);
	int rc = ike_sa_send_sealed(sa, &b, IKE_EXCH_INFORMATIONAL, false, sa->req_next, now_ms,
				    out);
	if (rc != 1)
		return 0;
	sa->dpd_out = true;
	sa->dpd_id = sa->req_id;
	sa->dpd_sent++;
	return 1;
}
