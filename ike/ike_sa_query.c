/* SPDX-License-Identifier: BSD-3-Clause */
/* Read-only view of an IKE SA for operators (secgwctl ike list). */
#include <string.h>

#include "ike_sa_frag.h"
#include "ike_sa_int.h"

void ike_sa_query(const struct ike_sa *sa, struct ike_sa_info *out)
{
	memset(out, 0, sizeof(*out));
	out->local_ip = sa->cfg.local_ip;
	out->remote_ip = sa->remote_ip;
	out->local_port = sa->local_port;
	out->remote_port = sa->remote_port;
	out->nat_local = sa->nat_local;
	out->nat_remote = sa->nat_remote;
	out->req_next = sa->req_next;
	out->peer_next = sa->peer_next;
	out->req_pending = sa->req_pending;
	out->retx_n = sa->retx_n;
	out->last_rx_ms = sa->last_rx;
	out->dpd_sent = sa->dpd_sent;
	ike_frag_query(sa, out);
}

void ike_sa_abort(struct ike_sa *sa)
{
	if (sa->state == IKE_SA_DEAD)
		return;
	ike_sa_log(sa, 1, "aborted");
	sa->has_child = false;
	ike_sa_set_state(sa, IKE_SA_DEAD);
}
