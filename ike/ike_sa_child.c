/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CREATE_CHILD_SA (RFC 7296 §1.3, §2.8): rekeying the Child SA, make before
 * break, in both roles.  The rekeying side (the exchange initiator) offers a
 * new inbound SPI with N(REKEY_SA) naming the old one; both sides then hold
 * the new Child SA (sa->child) and the old one (sa->old_child) until the
 * initiator's INFORMATIONAL Delete of the old one is answered, so traffic in
 * flight on the old SPIs is still accepted while both sides move over.
 *
 * No PFS (the ESP proposals carry no DH, KE is not sent; a KE the peer sends
 * with a proposal we choose without DH is ignored, §1.3.1), one Child SA per
 * IKE SA: a CREATE_CHILD_SA without REKEY_SA is taken only when the IKE SA
 * has none (the peer recreates a deleted one), else NO_ADDITIONAL_SAS; one while
 * our own is outstanding or a switch is unfinished gets TEMPORARY_FAILURE
 * (§2.8: the peer retries later; the collision resolution by nonces is not
 * implemented).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "ike_msg_be.h"
#include "ike_msg_bld.h"
#include "ike_sa_int.h"

#define NONCE_MIN 16 /* §2.10 */

/* Our nonce for the exchange: fresh random of IKE_NONCE_LEN (§2.10). */
static int new_nonce(struct ike_sa *sa, uint8_t *n, size_t *len)
{
	*len = IKE_NONCE_LEN;
	return ike_sa_random(sa, n, IKE_NONCE_LEN);
}

/* The peer's nonce into n; false when absent or out of §2.10's bounds. */
static bool peer_nonce(struct ike_sa *sa, uint8_t *n, size_t *len)
{
	const struct ike_pld *p = ike_msg_find(&sa->m, IKE_PLD_NONCE, NULL);

	if (p == NULL || p->u.data.len < NONCE_MIN || p->u.data.len > IKE_NONCE_MAX)
		return false;
	memcpy(n, p->u.data.ptr, p->u.data.len);
	*len = p->u.data.len;
	return true;
}

static int answer_notify(struct ike_sa *sa, uint16_t type, struct ike_dgram *out)
{
	uint8_t chain[64];
	struct ike_build b;

	ike_build_init_chain(&b, chain, sizeof(chain));
	ike_build_notify(&b, &(struct ike_notify){.type = type});
	ike_sa_log(sa, 1, "CREATE_CHILD_SA refused: notify %u", type);
	return ike_sa_send_sealed(sa, &b, IKE_EXCH_CREATE_CHILD_SA, true, sa->m.hdr.msg_id, 0,
				  out);
}

/* The SPI N(REKEY_SA) names (the peer's inbound SPI, our outbound): 1 with
 * *spi set, 0 without the notify, -1 when it is not an ESP one. */
static int rekey_spi(struct ike_sa *sa, uint32_t *spi)
{
	const struct ike_pld *n = ike_msg_find_notify(&sa->m, IKE_N_REKEY_SA);

	*spi = 0;
	if (n == NULL)
		return 0;
	if (n->u.notify.proto != IKE_PROTO_ESP || n->u.notify.spi.len != 4)
		return -1;
	*spi = ike_get32(n->u.notify.spi.ptr);
	return 1;
}

int ike_child_request(struct ike_sa *sa, struct ike_dgram *out)
{
	uint8_t chain[IKE_MSG_BUF_MAX], spi[4], nr[IKE_NONCE_MAX], ni[IKE_NONCE_MAX];
	struct ike_proposal p;
	struct ike_transform xf[5];
	struct ike_ts tsi, tsr;
	struct ike_build b;
	size_t ni_len, nr_len;
	uint32_t old_out;
	int rekey = rekey_spi(sa, &old_out);

	if (rekey < 0) {
		sa->drops[IKE_SA_DROP_MALFORMED]++;
		return answer_notify(sa, IKE_N_INVALID_SYNTAX, out);
	}
	/* Without REKEY_SA: a new Child SA, which we take only in place of a
	 * deleted one (a peer recreating it after a hard expiry); one per IKE SA. */
	if (rekey == 0 && (sa->has_child || sa->has_old)) {
		sa->drops[IKE_SA_DROP_NO_PROPOSAL]++;
		return answer_notify(sa, IKE_N_NO_ADDITIONAL_SAS, out);
	}
	if (rekey == 1 && (!sa->has_child || sa->child.spi_out != old_out)) {
		sa->drops[IKE_SA_DROP_CHILD_NOT_FOUND]++;
		return answer_notify(sa, IKE_N_CHILD_SA_NOT_FOUND, out);
	}
	if (sa->req_pending || sa->has_old) {
		sa->drops[IKE_SA_DROP_REKEY_COLLISION]++;
		return answer_notify(sa, IKE_N_TEMPORARY_FAILURE, out);
	}
	if (!peer_nonce(sa, ni, &ni_len)) {
		sa->drops[IKE_SA_DROP_MISSING_PAYLOAD]++;
		return answer_notify(sa, IKE_N_INVALID_SYNTAX, out);
	}
	/* Agree into sa->child; on failure the old one is put back untouched. */
	struct ike_child_sa old = sa->child;
	uint32_t old_spi_in = sa->child_spi_in;
	if (ike_child_new_spi(sa) < 0 || new_nonce(sa, nr, &nr_len) < 0)
		return ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
	ike_put32(spi, sa->child_spi_in);
	uint16_t err = ike_child_agree_resp(sa, spi, &p, xf, &tsi, &tsr);
	if (err == 0) {
		memcpy(sa->ni, ni, ni_len);
		sa->ni_len = ni_len;
		memcpy(sa->nr, nr, nr_len);
		sa->nr_len = nr_len;
		if (ike_child_derive(sa, false) < 0)
			err = IKE_N_NO_PROPOSAL_CHOSEN;
	}
	bool replaces = rekey == 1;
	if (err != 0) {
		sa->child = old;
		sa->child_spi_in = old_spi_in;
		sa->has_child = replaces;
		OPENSSL_cleanse(&old, sizeof(old));
		return answer_notify(sa, err, out);
	}
	ike_build_init_chain(&b, chain, sizeof(chain));
	ike_build_sa(&b, &p, 1, xf);
	ike_build_nonce(&b, (struct ike_view){nr, nr_len});
	ike_build_ts(&b, IKE_PLD_TSI, &tsi, 1);
	ike_build_ts(&b, IKE_PLD_TSR, &tsr, 1);
	OPENSSL_cleanse(nr, sizeof(nr));
	if (!replaces) {
		OPENSSL_cleanse(&old, sizeof(old));
		ike_sa_log(sa, 1, "new Child SA 0x%08x/0x%08x by the peer", sa->child.spi_in,
			   sa->child.spi_out);
		return ike_sa_send_sealed(sa, &b, IKE_EXCH_CREATE_CHILD_SA, true,
					  sa->m.hdr.msg_id, 0, out);
	}
	sa->old_child = old;
	sa->has_old = true;
	sa->old_by_us = false;
	sa->rekeys++;
	OPENSSL_cleanse(&old, sizeof(old));
	ike_sa_log(sa, 1, "Child SA rekeyed by the peer: 0x%08x/0x%08x -> 0x%08x/0x%08x",
		   sa->old_child.spi_in, sa->old_child.spi_out, sa->child.spi_in,
		   sa->child.spi_out);
	return ike_sa_send_sealed(sa, &b, IKE_EXCH_CREATE_CHILD_SA, true, sa->m.hdr.msg_id, 0,
				  out);
}

int ike_sa_rekey_child(struct ike_sa *sa, uint64_t now_ms, struct ike_dgram *out)
{
	uint8_t chain[IKE_MSG_BUF_MAX], spi[4], old[4];
	struct ike_proposal p[IKE_CFG_MAX_PROPS];
	struct ike_transform xf[IKE_CFG_MAX_PROPS * 5];
	struct ike_ts tsi, tsr;
	struct ike_build b;
	size_t n_xf;

	if (sa->state != IKE_SA_ESTABLISHED || !sa->has_child || sa->has_old || sa->req_pending)
		return -1;
	uint32_t cur_spi_in = sa->child_spi_in;
	if (ike_child_new_spi(sa) < 0 || new_nonce(sa, sa->ni, &sa->ni_len) < 0) {
		sa->child_spi_in = cur_spi_in;
		return ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
	}
	sa->rekey_spi_in = sa->child_spi_in;
	sa->child_spi_in = cur_spi_in;
	ike_put32(spi, sa->rekey_spi_in);
	/* §1.3.3: REKEY_SA names the SPI we expect inbound on the old SA. */
	ike_put32(old, sa->child.spi_in);
	ike_build_init_chain(&b, chain, sizeof(chain));
	ike_build_notify(&b, &(struct ike_notify){.proto = IKE_PROTO_ESP,
						  .type = IKE_N_REKEY_SA,
						  .spi = {old, 4}});
	size_t n = ike_props_encode(sa->cfg.esp, sa->cfg.n_esp, true, spi, p, xf, &n_xf);
	ike_build_sa(&b, p, n, xf);
	ike_build_nonce(&b, (struct ike_view){sa->ni, sa->ni_len});
	/* The narrowed selectors of the SA we replace: the peer agreed to them. */
	ike_ts_to_wire(&sa->child.ts_local, &tsi);
	ike_ts_to_wire(&sa->child.ts_remote, &tsr);
	ike_build_ts(&b, IKE_PLD_TSI, &tsi, 1);
	ike_build_ts(&b, IKE_PLD_TSR, &tsr, 1);
	ike_sa_log(sa, 1, "rekeying Child SA 0x%08x/0x%08x", sa->child.spi_in, sa->child.spi_out);
	int rc = ike_sa_send_sealed(sa, &b, IKE_EXCH_CREATE_CHILD_SA, false, sa->req_next, now_ms,
				    out);
	if (rc >= 0)
		sa->rekeying = true;
	return rc;
}

/* Our Delete of the old Child SA: the last step of our rekey. */
static int delete_old(struct ike_sa *sa, uint64_t now, struct ike_dgram *out)
{
	uint8_t chain[32], spi[4];
	struct ike_build b;

	ike_put32(spi, sa->old_child.spi_in);
	ike_build_init_chain(&b, chain, sizeof(chain));
	ike_build_delete(&b, &(struct ike_delete){IKE_PROTO_ESP, 4, 1, {spi, 4}});
	sa->deleting_old = true;
	return ike_sa_send_sealed(sa, &b, IKE_EXCH_INFORMATIONAL, false, sa->req_next, now, out);
}

int ike_child_response(struct ike_sa *sa, uint64_t now, struct ike_dgram *out)
{
	if (!sa->rekeying)
		return ike_sa_drop(sa, IKE_SA_DROP_UNEXPECTED);
	struct ike_child_sa old = sa->child;
	uint32_t old_spi_in = sa->child_spi_in;
	const struct ike_pld *t = ike_msg_find_notify(&sa->m, IKE_N_TEMPORARY_FAILURE);
	int rc = -1;

	if (t != NULL) {
		/* §2.8: the peer is busy (its own rekey); the caller tries again later. */
		sa->drops[IKE_SA_DROP_REKEY_COLLISION]++;
		ike_sa_log(sa, 1, "rekey refused by the peer: TEMPORARY_FAILURE");
		goto out;
	}
	if (!peer_nonce(sa, sa->nr, &sa->nr_len)) {
		/* an error notify instead of the SA is counted by agree_init */
		if (ike_msg_find(&sa->m, IKE_PLD_NOTIFY, NULL) == NULL)
			ike_sa_drop(sa, IKE_SA_DROP_MISSING_PAYLOAD);
		else
			ike_sa_drop(sa, IKE_SA_DROP_PEER_ERROR);
		ike_sa_log(sa, 1, "rekey failed: no nonce in the answer");
		goto out;
	}
	sa->child_spi_in = sa->rekey_spi_in;
	if (ike_child_agree_init(sa) < 0) {
		sa->child = old;
		sa->child_spi_in = old_spi_in;
		sa->has_child = true;
		ike_sa_log(sa, 1, "rekey failed: the answer is not acceptable");
		goto out;
	}
	sa->old_child = old;
	sa->has_old = true;
	sa->old_by_us = true;
	sa->rekeys++;
	ike_sa_log(sa, 1, "Child SA rekeyed: 0x%08x/0x%08x -> 0x%08x/0x%08x", old.spi_in,
		   old.spi_out, sa->child.spi_in, sa->child.spi_out);
	sa->rekeying = false;
	rc = delete_old(sa, now, out);
out:
	sa->rekeying = false;
	OPENSSL_cleanse(&old, sizeof(old));
	return rc < 0 ? -1 : rc;
}

bool ike_child_peer_delete(struct ike_sa *sa, uint32_t peer_spi, uint32_t *ours)
{
	if (sa->has_old && sa->old_child.spi_out == peer_spi) {
		*ours = sa->old_child.spi_in;
		sa->has_old = false;
		sa->deleting_old = false;
		OPENSSL_cleanse(&sa->old_child, sizeof(sa->old_child));
		ike_sa_log(sa, 1, "peer deleted the old Child SA 0x%08x", *ours);
		return true;
	}
	if (sa->has_child && sa->child.spi_out == peer_spi) {
		*ours = sa->child_spi_in;
		sa->has_child = false;
		ike_sa_log(sa, 1, "peer deleted the Child SA 0x%08x", *ours);
		return true;
	}
	return false;
}

const struct ike_child_sa *ike_sa_old_child(const struct ike_sa *sa)
{
	return sa->state == IKE_SA_ESTABLISHED && sa->has_old ? &sa->old_child : NULL;
}

bool ike_sa_rekey_ours(const struct ike_sa *sa)
{
	return sa->old_by_us;
}

uint64_t ike_sa_child_rekeys(const struct ike_sa *sa)
{
	return sa->rekeys;
}
