/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CREATE_CHILD_SA (RFC 7296 §1.3, §2.8): rekeying the Child SA, make before
 * break, in both roles.  The rekeying side (the exchange initiator) offers a
 * new inbound SPI with N(REKEY_SA) naming the old one; both sides then hold
 * the new Child SA (sa->child) and the old one (sa->old_child) until the
 * initiator's INFORMATIONAL Delete of the old one is answered, so traffic in
 * flight on the old SPIs is still accepted while both sides move over.
 *
 * PFS when the ESP proposal has a DH group: KE payloads both ways, KEYMAT
 * from g^ir too (§2.17, ike_sa_pfs.c), INVALID_KE_PAYLOAD answered with our
 * group and, as initiator, retried once with the group the peer asks for; a
 * KE the peer sends with a proposal we choose without DH is ignored (§1.3.1).
 * One Child SA per IKE SA: a CREATE_CHILD_SA without REKEY_SA is taken only
 * when the IKE SA has none (the peer recreates a deleted one), else
 * NO_ADDITIONAL_SAS.  The peer's rekey of the SA we are rekeying is answered
 * and resolved by nonces once ours is answered (§2.8.1,
 * ike_sa_collision.c); one while a switch is unfinished (its Delete phase) or
 * the IKE SA is being rekeyed or deleted gets TEMPORARY_FAILURE (§2.25).  An
 * IKE proposal is an IKE SA rekey (ike_sa_rekey_ike.c).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "ike_msg_be.h"
#include "ike_msg_bld.h"
#include "ike_sa_int.h"

#define NONCE_MIN 16 /* §2.10 */

/* Our nonce for the exchange: fresh random of IKE_NONCE_LEN (§2.10). */
int ike_child_new_nonce(struct ike_sa *sa, uint8_t *n, size_t *len)
{
	*len = IKE_NONCE_LEN;
	return ike_sa_random(sa, n, IKE_NONCE_LEN);
}

/* The peer's nonce into n; false when absent or out of §2.10's bounds. */
bool ike_child_peer_nonce(struct ike_sa *sa, uint8_t *n, size_t *len)
{
	const struct ike_pld *p = ike_msg_find(&sa->m, IKE_PLD_NONCE, NULL);

	if (p == NULL || p->u.data.len < NONCE_MIN || p->u.data.len > IKE_NONCE_MAX)
		return false;
	memcpy(n, p->u.data.ptr, p->u.data.len);
	*len = p->u.data.len;
	return true;
}

int ike_child_refuse(struct ike_sa *sa, uint16_t type, const uint8_t *data, size_t len,
		     struct ike_dgram *out)
{
	uint8_t chain[64];
	struct ike_build b;

	ike_build_init_chain(&b, chain, sizeof(chain));
	ike_build_notify(&b, &(struct ike_notify){.type = type, .data = {data, len}});
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

/* Busy with something §2.25 lets us refuse a rekey for: a switch in its
 * Delete phase, a collision still unresolved, the IKE SA being rekeyed or
 * deleted, or our own request of another kind than this rekey. */
static bool busy(const struct ike_sa *sa, bool collide)
{
	return sa->has_old || sa->has_coll || sa->ike_rekeying || sa->ike_rekeyed ||
	       sa->deleting || (sa->req_pending && !collide && sa->rekeying);
}

/* Responder: our pair for the peer's KE and g^ir; 0 or the notify to answer
 * (INVALID_KE_PAYLOAD carries our group). */
static uint16_t pfs_respond(struct ike_sa *sa, struct ike_dh **dh, uint8_t grp[2])
{
	uint16_t g = sa->child.dh;

	ike_put16(grp, g);
	if (ike_pfs_peer_group(sa) != g) {
		sa->drops[IKE_SA_DROP_INVALID_KE]++;
		return IKE_N_INVALID_KE_PAYLOAD;
	}
	if (ike_pfs_new(sa, dh, g) < 0)
		return IKE_N_NO_PROPOSAL_CHOSEN;
	return ike_pfs_shared(sa, *dh);
}

int ike_child_request(struct ike_sa *sa, struct ike_dgram *out)
{
	uint8_t chain[IKE_MSG_BUF_MAX], spi[4], nr[IKE_NONCE_MAX], ni[IKE_NONCE_MAX], grp[2];
	uint8_t our_ni[IKE_NONCE_MAX];
	struct ike_proposal p;
	struct ike_transform xf[5];
	struct ike_ts tsi, tsr;
	struct ike_build b;
	struct ike_dh *dh = NULL;
	size_t ni_len, nr_len, our_ni_len = sa->ni_len;
	uint32_t old_out;

	if (ike_rekey_ike_asked(sa))
		return ike_rekey_ike_request(sa, out);
	int rekey = rekey_spi(sa, &old_out);
	if (rekey < 0) {
		sa->drops[IKE_SA_DROP_MALFORMED]++;
		return ike_child_refuse(sa, IKE_N_INVALID_SYNTAX, NULL, 0, out);
	}
	/* §2.25: the SA we replace is going away already. */
	if (rekey == 1 && sa->has_old && sa->old_child.spi_out == old_out) {
		sa->drops[IKE_SA_DROP_REKEY_COLLISION]++;
		return ike_child_refuse(sa, IKE_N_TEMPORARY_FAILURE, NULL, 0, out);
	}
	/* Without REKEY_SA: a new Child SA, which we take only in place of a
	 * deleted one (a peer recreating it after a hard expiry); one per IKE SA. */
	if (rekey == 0 && (sa->has_child || sa->has_old)) {
		sa->drops[IKE_SA_DROP_NO_PROPOSAL]++;
		return ike_child_refuse(sa, IKE_N_NO_ADDITIONAL_SAS, NULL, 0, out);
	}
	if (rekey == 1 && (!sa->has_child || sa->child.spi_out != old_out)) {
		sa->drops[IKE_SA_DROP_CHILD_NOT_FOUND]++;
		return ike_child_refuse(sa, IKE_N_CHILD_SA_NOT_FOUND, NULL, 0, out);
	}
	/* §2.8.1: both of us rekey this Child SA; answer as usual, decide later. */
	bool collide = rekey == 1 && sa->req_pending && sa->rekeying && sa->req_slot == sa->cur_slot;
	if (busy(sa, collide)) {
		sa->drops[IKE_SA_DROP_REKEY_COLLISION]++;
		return ike_child_refuse(sa, IKE_N_TEMPORARY_FAILURE, NULL, 0, out);
	}
	if (!ike_child_peer_nonce(sa, ni, &ni_len)) {
		sa->drops[IKE_SA_DROP_MISSING_PAYLOAD]++;
		return ike_child_refuse(sa, IKE_N_INVALID_SYNTAX, NULL, 0, out);
	}
	/* Agree into sa->child; on failure the old one is put back untouched.
	 * sa->ni is our own request's nonce during a collision: kept aside. */
	struct ike_child_sa old = sa->child;
	uint32_t old_spi_in = sa->child_spi_in;
	memcpy(our_ni, sa->ni, sizeof(our_ni));
	if (ike_child_new_spi(sa) < 0 || ike_child_new_nonce(sa, nr, &nr_len) < 0)
		return ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
	ike_put32(spi, sa->child_spi_in);
	uint16_t err = ike_child_agree_resp(sa, spi, &p, xf, &tsi, &tsr);
	if (err == 0 && sa->child.dh != 0)
		err = pfs_respond(sa, &dh, grp);
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
		ike_dh_free(dh);
		OPENSSL_cleanse(sa->gir, sizeof(sa->gir));
		sa->gir_len = 0;
		bool ke = err == IKE_N_INVALID_KE_PAYLOAD;
		return ike_child_refuse(sa, err, ke ? grp : NULL, ke ? 2 : 0, out);
	}
	ike_build_init_chain(&b, chain, sizeof(chain));
	ike_build_sa(&b, &p, 1, xf);
	ike_build_nonce(&b, (struct ike_view){nr, nr_len});
	if (dh != NULL)
		ike_pfs_build_ke(&b, dh);
	ike_build_ts(&b, IKE_PLD_TSI, &tsi, 1);
	ike_build_ts(&b, IKE_PLD_TSR, &tsr, 1);
	ike_dh_free(dh);
	OPENSSL_cleanse(nr, sizeof(nr));
	if (!replaces) {
		OPENSSL_cleanse(&old, sizeof(old));
		ike_sa_log(sa, 1, "new Child SA 0x%08x/0x%08x by the peer", sa->child.spi_in,
			   sa->child.spi_out);
		return ike_sa_send_sealed(sa, &b, IKE_EXCH_CREATE_CHILD_SA, true,
					  sa->m.hdr.msg_id, 0, out);
	}
	if (collide) {
		/* Held aside; sa->child, its SPI and our request's nonce go back. */
		sa->coll_child = sa->child;
		sa->has_coll = true;
		memcpy(sa->coll_ni, sa->ni, sa->ni_len);
		sa->coll_ni_len = sa->ni_len;
		memcpy(sa->coll_nr, sa->nr, sa->nr_len);
		sa->coll_nr_len = sa->nr_len;
		sa->child = old;
		sa->child_spi_in = old_spi_in;
		memcpy(sa->ni, our_ni, sizeof(our_ni));
		sa->ni_len = our_ni_len;
		OPENSSL_cleanse(&old, sizeof(old));
		ike_sa_log(sa, 1, "rekey collision: the peer's new Child SA 0x%08x/0x%08x waits",
			   sa->coll_child.spi_in, sa->coll_child.spi_out);
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

/* Our CREATE_CHILD_SA request rekeying sa->child, or making a new one when
 * there is none, with a KE of group when the first ESP proposal asks for PFS
 * (group 0: its own). */
static int rekey_send(struct ike_sa *sa, uint16_t group, uint64_t now_ms, struct ike_dgram *out)
{
	uint8_t chain[IKE_MSG_BUF_MAX], spi[4], old[4];
	struct ike_proposal p[IKE_CFG_MAX_PROPS];
	struct ike_transform xf[IKE_CFG_MAX_PROPS * 5];
	struct ike_ts tsi, tsr;
	struct ike_build b;
	size_t n_xf;

	if (group == 0)
		group = sa->cfg.esp[0].dh;
	uint32_t cur_spi_in = sa->child_spi_in;
	if (ike_child_new_spi(sa) < 0 || ike_child_new_nonce(sa, sa->ni, &sa->ni_len) < 0 ||
	    (group != 0 && ike_pfs_new(sa, &sa->dh, group) < 0)) {
		sa->child_spi_in = cur_spi_in;
		return ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
	}
	sa->rekey_spi_in = sa->child_spi_in;
	sa->child_spi_in = cur_spi_in;
	ike_put32(spi, sa->rekey_spi_in);
	ike_build_init_chain(&b, chain, sizeof(chain));
	if (sa->has_child) {
		/* §1.3.3: REKEY_SA names the SPI we expect inbound on the old SA. */
		ike_put32(old, sa->child.spi_in);
		ike_build_notify(&b, &(struct ike_notify){.proto = IKE_PROTO_ESP,
							  .type = IKE_N_REKEY_SA,
							  .spi = {old, 4}});
	}
	size_t n = ike_props_encode_spi(sa->cfg.esp, sa->cfg.n_esp, IKE_PROTO_ESP,
					(struct ike_view){spi, 4}, true, p, xf, &n_xf);
	ike_build_sa(&b, p, n, xf);
	ike_build_nonce(&b, (struct ike_view){sa->ni, sa->ni_len});
	if (group != 0)
		ike_pfs_build_ke(&b, sa->dh);
	/* The narrowed selectors of the SA we replace (the peer agreed to them),
	 * else ours as in IKE_AUTH. */
	ike_ts_to_wire(sa->has_child ? &sa->child.ts_local : &sa->cfg.local_ts, &tsi);
	ike_ts_to_wire(sa->has_child ? &sa->child.ts_remote : &sa->cfg.remote_ts, &tsr);
	ike_build_ts(&b, IKE_PLD_TSI, &tsi, 1);
	ike_build_ts(&b, IKE_PLD_TSR, &tsr, 1);
	if (sa->has_child)
		ike_sa_log(sa, 1, "rekeying Child SA 0x%08x/0x%08x%s", sa->child.spi_in,
			   sa->child.spi_out, group != 0 ? " with PFS" : "");
	else
		ike_sa_log(sa, 1, "creating a Child SA%s", group != 0 ? " with PFS" : "");
	int rc = ike_sa_send_sealed(sa, &b, IKE_EXCH_CREATE_CHILD_SA, false, sa->req_next, now_ms,
				    out);
	if (rc >= 0)
		sa->rekeying = true;
	return rc;
}

int ike_sa_rekey_child(struct ike_sa *sa, uint64_t now_ms, struct ike_dgram *out)
{
	if (sa->state != IKE_SA_ESTABLISHED || !sa->has_child || sa->has_old || sa->has_coll ||
	    sa->req_pending || sa->ike_rekeyed)
		return -1;
	sa->child_ke_retried = false;
	return rekey_send(sa, 0, now_ms, out);
}

int ike_sa_create_child(struct ike_sa *sa, uint64_t now_ms, struct ike_dgram *out)
{
	if (sa->state != IKE_SA_ESTABLISHED || sa->has_child || sa->has_old || sa->has_coll ||
	    sa->req_pending || sa->ike_rekeyed)
		return -1;
	sa->child_ke_retried = false;
	return rekey_send(sa, 0, now_ms, out);
}

/* Our Delete of the old Child SA: the last step of our rekey. */
int ike_child_delete_old(struct ike_sa *sa, uint64_t now, struct ike_dgram *out)
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
	if (sa->ike_rekeying)
		return ike_rekey_ike_response(sa, now, out);
	if (!sa->rekeying)
		return ike_sa_drop(sa, IKE_SA_DROP_UNEXPECTED);
	struct ike_child_sa old = sa->child;
	uint32_t old_spi_in = sa->child_spi_in;
	bool had = sa->has_child; /* else our request made a new Child SA */
	const struct ike_pld *t = ike_msg_find_notify(&sa->m, IKE_N_TEMPORARY_FAILURE);
	uint16_t want = ike_pfs_wanted(sa, sa->cfg.esp, sa->cfg.n_esp);
	int rc = -1;

	sa->rekeying = false;
	if (want != 0 && !sa->child_ke_retried && !sa->has_coll) {
		/* §1.3: the peer wants another of our groups; same rekey, new exchange. */
		sa->child_ke_retried = true;
		sa->drops[IKE_SA_DROP_INVALID_KE]++;
		ike_sa_log(sa, 1, "peer wants DH group %u for the Child SA, retrying", want);
		rc = rekey_send(sa, want, now, out);
		goto out;
	}
	if (t != NULL) {
		/* §2.8: the peer is busy (its own rekey); the caller tries again later. */
		sa->drops[IKE_SA_DROP_REKEY_COLLISION]++;
		ike_sa_log(sa, 1, "rekey refused by the peer: TEMPORARY_FAILURE");
		goto fail;
	}
	if (!ike_child_peer_nonce(sa, sa->nr, &sa->nr_len)) {
		/* an error notify instead of the SA is counted by agree_init */
		if (ike_msg_find(&sa->m, IKE_PLD_NOTIFY, NULL) == NULL)
			ike_sa_drop(sa, IKE_SA_DROP_MISSING_PAYLOAD);
		else
			ike_sa_drop(sa, IKE_SA_DROP_PEER_ERROR);
		ike_sa_log(sa, 1, "rekey failed: no nonce in the answer");
		goto fail;
	}
	/* g^ir first when we offered a KE; the chosen proposal decides below
	 * whether it is used (ike_child_derive). */
	if (sa->dh != NULL && ike_pfs_peer_group(sa) != 0 && ike_pfs_shared(sa, sa->dh) != 0)
		goto fail;
	sa->child_spi_in = sa->rekey_spi_in;
	sa->rekeying = true; /* agree_init: we initiated this exchange */
	int agreed = ike_child_agree_init(sa);
	sa->rekeying = false;
	if (agreed < 0) {
		sa->child = old;
		sa->child_spi_in = old_spi_in;
		sa->has_child = had;
		ike_sa_log(sa, 1, "rekey failed: the answer is not acceptable");
		goto fail;
	}
	ike_pfs_clear(sa);
	if (!had) {
		ike_sa_log(sa, 1, "new Child SA 0x%08x/0x%08x%s", sa->child.spi_in,
			   sa->child.spi_out, sa->child.dh != 0 ? " (PFS)" : "");
		rc = 0;
		goto out;
	}
	if (sa->has_coll) {
		rc = ike_child_collision(sa, &old, now, out);
		goto out;
	}
	sa->old_child = old;
	sa->has_old = true;
	sa->old_by_us = true;
	sa->rekeys++;
	ike_sa_log(sa, 1, "Child SA rekeyed: 0x%08x/0x%08x -> 0x%08x/0x%08x%s", old.spi_in,
		   old.spi_out, sa->child.spi_in, sa->child.spi_out,
		   sa->child.dh != 0 ? " (PFS)" : "");
	rc = ike_child_delete_old(sa, now, out);
	goto out;
fail:
	if (sa->has_coll)
		ike_child_collision_yield(sa);
out:
	if (!sa->rekeying)
		ike_pfs_clear(sa);
	OPENSSL_cleanse(&old, sizeof(old));
	return rc < 0 ? -1 : rc;
}

/* The held pair *c (when *has) if peer_spi names it: our half into *ours, forgotten. */
static bool forget_held(struct ike_sa *sa, struct ike_child_sa *c, bool *has, uint32_t peer_spi,
			uint32_t *ours, const char *what)
{
	if (!*has || c->spi_out != peer_spi)
		return false;
	*ours = c->spi_in;
	*has = false;
	OPENSSL_cleanse(c, sizeof(*c));
	ike_sa_log(sa, 1, "peer deleted %s Child SA 0x%08x", what, *ours);
	return true;
}

bool ike_child_peer_delete(struct ike_sa *sa, uint32_t peer_spi, uint32_t *ours)
{
	/* §2.8.1: the peer closes the redundant SA it made, or gives up its
	 * colliding rekey before ours was answered. */
	if (forget_held(sa, &sa->red_child, &sa->has_red, peer_spi, ours, "the redundant") ||
	    forget_held(sa, &sa->coll_child, &sa->has_coll, peer_spi, ours, "its colliding"))
		return true;
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
