/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rekeying the IKE SA (RFC 7296 §1.3.2, §2.18) in both roles: CREATE_CHILD_SA
 * with an IKE proposal naming the sender's new SPI, a nonce and a KE.  The
 * new IKE SA is a new object (ike_sa_take_successor) with
 *   SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr)
 * (the old SA's PRF), SK_* from the new suite and SPIs, message IDs from 0,
 * and the Child SA moved over unchanged.  The rekey initiator deletes the old
 * SA; the responder's old SA waits for that Delete.  §2.8.2 collisions: the
 * peer's rekey answered while ours is out is held in sa->coll_ike until ours
 * is answered, then ike_lowest_nonce() picks the survivor (the redundant SA
 * is deleted by its initiator, the old one by the survivor's).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "ike_msg_be.h"
#include "ike_msg_bld.h"
#include "ike_sa_frag.h"
#include "ike_sa_int.h"

bool ike_rekey_ike_asked(const struct ike_sa *sa)
{
	const struct ike_pld *sap = ike_msg_find(&sa->m, IKE_PLD_SA, NULL);

	return sap != NULL && sap->u.sa.n > 0 &&
	       sa->m.prop[sap->u.sa.first].proto == IKE_PROTO_IKE;
}

static int new_spi(struct ike_sa *sa, uint8_t spi[8])
{
	do {
		if (ike_sa_random(sa, spi, 8) < 0)
			return -1;
	} while (ike_get64(spi) == 0);
	return 0;
}

/* The new SA's keys (sa->gir is used up). */
static int derive_new(struct ike_sa *sa, const struct ike_suite *s, struct ike_buf ni,
		      struct ike_buf nr, uint64_t spi_i, uint64_t spi_r, struct ike_sa_keys *k)
{
	struct ike_key seed = {0};
	uint8_t si[8], sr[8];

	ike_put64(si, spi_i);
	ike_put64(sr, spi_r);
	int rc = ike_skeyseed_rekey(sa->suite.prf, &sa->keys.d,
				    (struct ike_buf){sa->gir, sa->gir_len}, ni, nr, &seed);
	if (rc == IKE_CRYPTO_OK)
		rc = ike_sa_keys_derive(s, &seed, ni, nr, si, sr, k);
	ike_key_wipe(&seed);
	OPENSSL_cleanse(sa->gir, sizeof(sa->gir));
	sa->gir_len = 0;
	return rc == IKE_CRYPTO_OK ? 0 : ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
}

/* The new IKE SA: where the old one talks, ESTABLISHED at once; k is wiped. */
static struct ike_sa *successor(struct ike_sa *sa, enum ike_role role, uint64_t spi_i,
				uint64_t spi_r, const struct ike_prop *c, struct ike_sa_keys *k)
{
	struct ike_sa *n;

	if (ike_sa_new(&sa->cfg, role, &sa->env, &n) != IKE_CRYPTO_OK) {
		ike_sa_keys_wipe(k);
		ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
		return NULL;
	}
	n->spi_i = spi_i;
	n->spi_r = spi_r;
	n->suite = (struct ike_suite){c->encr, c->encr_key_bits, c->prf, c->integ, c->dh};
	n->keys = *k;
	ike_sa_keys_wipe(k);
	n->remote_ip = sa->remote_ip;
	n->local_port = sa->local_port;
	n->remote_port = sa->remote_port;
	n->nat_local = sa->nat_local;
	n->nat_remote = sa->nat_remote;
	n->last_rx = sa->last_rx;
	n->from_rekey = true;
	ike_frag_inherit(n, sa);
	ike_sa_set_state(n, IKE_SA_ESTABLISHED);
	return n;
}

/* The Child SA changes IKE SA, not keys: the data plane keeps it. */
static void move_child(struct ike_sa *from, struct ike_sa *to)
{
	to->child = from->child;
	to->child_spi_in = from->child_spi_in;
	to->has_child = from->has_child;
	to->rekeys = from->rekeys;
	ike_children_move(from, to);
	from->has_child = false;
	OPENSSL_cleanse(&from->child, sizeof(from->child));
	from->ike_rekeyed = true;
	ike_sa_log(from, 1, "IKE SA rekeyed: -> %016llx/%016llx", (unsigned long long)to->spi_i,
		   (unsigned long long)to->spi_r);
}

static void hand_over(struct ike_sa *sa, struct ike_sa *n)
{
	sa->succ[sa->n_succ++] = n;
}

/* Our request, with a KE of group. */
static int send_request(struct ike_sa *sa, uint16_t group, uint64_t now, struct ike_dgram *out)
{
	uint8_t chain[IKE_MSG_BUF_MAX], spi[8];
	struct ike_proposal p[IKE_CFG_MAX_PROPS];
	struct ike_transform xf[IKE_CFG_MAX_PROPS * 5];
	struct ike_build b;
	size_t n_xf;

	if (new_spi(sa, spi) < 0 || ike_child_new_nonce(sa, sa->ni, &sa->ni_len) < 0)
		return ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
	if (ike_pfs_new(sa, &sa->dh, group) < 0)
		return -1;
	sa->ike_rekey_spi = ike_get64(spi);
	size_t n = ike_props_encode_spi(sa->cfg.ike, sa->cfg.n_ike, IKE_PROTO_IKE,
					(struct ike_view){spi, 8}, true, p, xf, &n_xf);
	ike_build_init_chain(&b, chain, sizeof(chain));
	ike_build_sa(&b, p, n, xf);
	ike_build_nonce(&b, (struct ike_view){sa->ni, sa->ni_len});
	ike_pfs_build_ke(&b, sa->dh);
	ike_sa_log(sa, 1, "rekeying the IKE SA (DH group %u)", group);
	int rc = ike_sa_send_sealed(sa, &b, IKE_EXCH_CREATE_CHILD_SA, false, sa->req_next, now, out);
	if (rc >= 0)
		sa->ike_rekeying = true;
	return rc;
}

int ike_sa_rekey_ike(struct ike_sa *sa, uint64_t now_ms, struct ike_dgram *out)
{
	if (sa->state != IKE_SA_ESTABLISHED || sa->req_pending || ike_children_switching(sa) ||
	    sa->has_coll || sa->ike_rekeyed || sa->deleting || sa->coll_ike != NULL ||
	    sa->redundant)
		return -1;
	sa->ike_ke_retried = false;
	return send_request(sa, sa->suite.dh, now_ms, out);
}

int ike_rekey_ike_request(struct ike_sa *sa, struct ike_dgram *out)
{
	uint8_t chain[IKE_MSG_BUF_MAX], spi[8], ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX], grp[2];
	const struct ike_pld *sap = ike_msg_find(&sa->m, IKE_PLD_SA, NULL);
	const struct ike_proposal *peer;
	struct ike_prop chosen;
	struct ike_proposal p;
	struct ike_transform xf[5];
	struct ike_sa_keys k;
	struct ike_build b;
	struct ike_dh *dh = NULL;
	size_t ni_len, nr_len, n_xf;
	/* §2.8.2: both of us rekey the IKE SA; answer, decide when ours is answered. */
	bool collide = sa->ike_rekeying && sa->req_pending;

	if (ike_children_switching(sa) || sa->has_coll || sa->rekeying || sa->deleting ||
	    sa->ike_rekeyed || sa->coll_ike != NULL) {
		sa->drops[IKE_SA_DROP_REKEY_COLLISION]++;
		return ike_child_refuse(sa, IKE_N_TEMPORARY_FAILURE, NULL, 0, out);
	}
	if (ike_props_select(&sa->m, sap->u.sa.first, sap->u.sa.n, IKE_PROTO_IKE, sa->cfg.ike,
			     sa->cfg.n_ike, &chosen, &peer) < 0) {
		sa->drops[IKE_SA_DROP_NO_PROPOSAL]++;
		return ike_child_refuse(sa, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0, out);
	}
	uint64_t spi_i = ike_get64(peer->spi.ptr);
	if (spi_i == 0 || !ike_child_peer_nonce(sa, ni, &ni_len)) {
		sa->drops[IKE_SA_DROP_MALFORMED]++;
		return ike_child_refuse(sa, IKE_N_INVALID_SYNTAX, NULL, 0, out);
	}
	ike_put16(grp, chosen.dh);
	if (ike_pfs_peer_group(sa) != chosen.dh) {
		sa->drops[IKE_SA_DROP_INVALID_KE]++;
		return ike_child_refuse(sa, IKE_N_INVALID_KE_PAYLOAD, grp, 2, out);
	}
	if (new_spi(sa, spi) < 0 || ike_child_new_nonce(sa, nr, &nr_len) < 0 ||
	    ike_pfs_new(sa, &dh, chosen.dh) < 0)
		goto internal;
	uint16_t err = ike_pfs_shared(sa, dh);
	if (err != 0) {
		ike_dh_free(dh);
		return ike_child_refuse(sa, err, grp, err == IKE_N_INVALID_KE_PAYLOAD ? 2 : 0, out);
	}
	uint64_t spi_r = ike_get64(spi);
	struct ike_suite s = {chosen.encr, chosen.encr_key_bits, chosen.prf, chosen.integ,
			      chosen.dh};
	if (derive_new(sa, &s, (struct ike_buf){ni, ni_len}, (struct ike_buf){nr, nr_len}, spi_i,
		       spi_r, &k) < 0)
		goto fail;
	struct ike_sa *n = successor(sa, IKE_ROLE_RESPONDER, spi_i, spi_r, &chosen, &k);
	if (n == NULL)
		goto fail;
	ike_props_encode_spi(&chosen, 1, IKE_PROTO_IKE, (struct ike_view){spi, 8}, true, &p, xf,
			     &n_xf);
	p.num = peer->num; /* §3.3.1 */
	ike_build_init_chain(&b, chain, sizeof(chain));
	ike_build_sa(&b, &p, 1, xf);
	ike_build_nonce(&b, (struct ike_view){nr, nr_len});
	ike_pfs_build_ke(&b, dh);
	ike_dh_free(dh);
	if (collide) {
		sa->coll_ike = n;
		memcpy(sa->coll_ni, ni, ni_len);
		sa->coll_ni_len = ni_len;
		memcpy(sa->coll_nr, nr, nr_len);
		sa->coll_nr_len = nr_len;
		ike_sa_log(sa, 1, "IKE SA rekey collision: the peer's new IKE SA %016llx/%016llx "
			   "waits", (unsigned long long)spi_i, (unsigned long long)spi_r);
	} else {
		move_child(sa, n);
		hand_over(sa, n);
	}
	OPENSSL_cleanse(nr, sizeof(nr));
	return ike_sa_send_sealed(sa, &b, IKE_EXCH_CREATE_CHILD_SA, true, sa->m.hdr.msg_id, 0,
				  out);
internal:
	ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
fail:
	ike_dh_free(dh);
	return ike_child_refuse(sa, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0, out);
}

/* Both rekeys went through: keep the one §2.8.2 keeps. */
static int resolve(struct ike_sa *sa, struct ike_sa *ours, uint64_t now, struct ike_dgram *out)
{
	bool ours_redundant = ike_lowest_nonce(
		(struct ike_buf){sa->ni, sa->ni_len}, (struct ike_buf){sa->nr, sa->nr_len},
		(struct ike_buf){sa->coll_ni, sa->coll_ni_len},
		(struct ike_buf){sa->coll_nr, sa->coll_nr_len});
	struct ike_sa *theirs = sa->coll_ike;

	sa->coll_ike = NULL;
	theirs->redundant = !ours_redundant;
	move_child(sa, ours_redundant ? theirs : ours);
	hand_over(sa, theirs);
	hand_over(sa, ours);
	if (ours_redundant) {
		/* The peer deletes this old SA; we close the one we made. */
		ike_sa_log(sa, 1, "IKE SA rekey collision lost: deleting our redundant %016llx/%016llx",
			   (unsigned long long)ours->spi_i, (unsigned long long)ours->spi_r);
		return ike_sa_delete(ours, now, out);
	}
	ike_sa_log(sa, 1, "IKE SA rekey collision won");
	return ike_sa_delete(sa, now, out);
}

int ike_rekey_ike_response(struct ike_sa *sa, uint64_t now, struct ike_dgram *out)
{
	const struct ike_pld *sap = ike_msg_find(&sa->m, IKE_PLD_SA, NULL);
	uint16_t want = ike_pfs_wanted(sa, sa->cfg.ike, sa->cfg.n_ike);
	uint16_t group = sa->dh != NULL ? ike_dh_group(sa->dh) : 0;
	const struct ike_proposal *peer;
	struct ike_prop chosen;
	struct ike_sa_keys k;

	sa->ike_rekeying = false;
	if (want != 0 && want != group && !sa->ike_ke_retried && sa->coll_ike == NULL) {
		sa->ike_ke_retried = true;
		sa->drops[IKE_SA_DROP_INVALID_KE]++;
		ike_sa_log(sa, 1, "peer wants DH group %u for the IKE SA, retrying", want);
		return send_request(sa, want, now, out);
	}
	if (sap == NULL || sap->u.sa.n != 1 ||
	    ike_props_select(&sa->m, sap->u.sa.first, 1, IKE_PROTO_IKE, sa->cfg.ike, sa->cfg.n_ike,
			     &chosen, &peer) < 0 ||
	    chosen.dh != group || ike_get64(peer->spi.ptr) == 0 ||
	    !ike_child_peer_nonce(sa, sa->nr, &sa->nr_len)) {
		ike_sa_drop(sa, ike_msg_find(&sa->m, IKE_PLD_NOTIFY, NULL) != NULL
					? IKE_SA_DROP_PEER_ERROR
					: IKE_SA_DROP_NO_PROPOSAL);
		ike_sa_log(sa, 1, "IKE SA rekey failed: the answer is not acceptable");
		goto fail;
	}
	if (ike_pfs_shared(sa, sa->dh) != 0)
		goto fail;
	struct ike_suite s = {chosen.encr, chosen.encr_key_bits, chosen.prf, chosen.integ,
			      chosen.dh};
	uint64_t spi_r = ike_get64(peer->spi.ptr);
	if (derive_new(sa, &s, (struct ike_buf){sa->ni, sa->ni_len},
		       (struct ike_buf){sa->nr, sa->nr_len}, sa->ike_rekey_spi, spi_r, &k) < 0)
		goto fail;
	struct ike_sa *n = successor(sa, IKE_ROLE_INITIATOR, sa->ike_rekey_spi, spi_r, &chosen, &k);
	if (n == NULL)
		goto fail;
	ike_pfs_clear(sa);
	if (sa->coll_ike != NULL)
		return resolve(sa, n, now, out);
	move_child(sa, n);
	hand_over(sa, n);
	return ike_sa_delete(sa, now, out);
fail:
	ike_pfs_clear(sa);
	if (sa->coll_ike != NULL) {
		/* Ours failed; the peer's stands and the peer deletes this SA. */
		move_child(sa, sa->coll_ike);
		hand_over(sa, sa->coll_ike);
		sa->coll_ike = NULL;
	}
	return -1;
}

struct ike_sa *ike_sa_take_successor(struct ike_sa *sa)
{
	return sa->n_succ > 0 ? sa->succ[--sa->n_succ] : NULL;
}

bool ike_sa_rekeyed(const struct ike_sa *sa)
{
	return sa->ike_rekeyed;
}

bool ike_sa_redundant(const struct ike_sa *sa)
{
	return sa->redundant;
}

void ike_rekey_ike_free(struct ike_sa *sa)
{
	while (sa->n_succ > 0)
		ike_sa_free(sa->succ[--sa->n_succ]);
	ike_sa_free(sa->coll_ike);
	sa->coll_ike = NULL;
}
