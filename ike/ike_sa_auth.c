/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKE_AUTH (RFC 7296 §1.2, §2.15) with a pre-shared key or certificates
 * (ike_sa_cert.c), carrying the first Child SA: ESP proposals with our inbound
 * SPI, TSi/TSr narrowed to what the connection allows (§2.9), KEYMAT without PFS (§2.17).  A Child SA that cannot
 * be agreed leaves the IKE SA up without one (§1.2: NO_PROPOSAL_CHOSEN,
 * TS_UNACCEPTABLE); failed authentication kills it.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "ike_cert.h"
#include "ike_msg_be.h"
#include "ike_msg_bld.h"
#include "ike_sa_int.h"

#define OCTETS_MAX (IKE_MSG_BUF_MAX + IKE_NONCE_MAX + IKE_PRF_MAX)
#define ESP_SPI_MIN 256 /* RFC 4303: 1..255 reserved */

/* Octets to sign: §2.15, by the side whose AUTH it is. */
static int auth_octets(struct ike_sa *sa, bool initiators, struct ike_buf id_body,
		       uint8_t *oct, size_t *oct_len)
{
	const struct ike_stored *real = initiators ? &sa->init_req : &sa->init_resp;
	struct ike_buf nonce = initiators ? (struct ike_buf){sa->nr, sa->nr_len}
					  : (struct ike_buf){sa->ni, sa->ni_len};
	const struct ike_key *skp = initiators ? &sa->keys.pi : &sa->keys.pr;

	return ike_auth_octets(sa->suite.prf, (struct ike_buf){real->buf, real->len}, nonce, skp,
			       id_body, oct, OCTETS_MAX, oct_len) == IKE_CRYPTO_OK
		       ? 0
		       : -1;
}

/* Append ID (type), and AUTH for our side (after our CERTs) to the chain b. */
static void build_id_auth(struct ike_sa *sa, struct ike_build *b, uint8_t id_type)
{
	uint8_t oct[OCTETS_MAX], auth[IKE_PRF_MAX];
	size_t oct_len, start = b->len;
	bool init = sa->role == IKE_ROLE_INITIATOR;

	ike_build_id(b, id_type,
		     &(struct ike_id){sa->cfg.local_id.type,
				      {sa->cfg.local_id.data, sa->cfg.local_id.len}});
	if (b->err != IKE_MSG_E_OK)
		return;
	struct ike_buf body = {b->buf + start + IKE_PLD_HDR_LEN, b->len - start - IKE_PLD_HDR_LEN};
	if (auth_octets(sa, init, body, oct, &oct_len) < 0) {
		ike_build_fail(b, IKE_MSG_E_BAD_ARG);
		return;
	}
	if (sa->cfg.cred != NULL) {
		ike_sa_cert_build_auth(sa, b, (struct ike_buf){oct, oct_len});
		return;
	}
	if (ike_auth_psk(sa->suite.prf, (struct ike_buf){sa->cfg.psk, sa->cfg.psk_len},
			 (struct ike_buf){oct, oct_len}, auth) != IKE_CRYPTO_OK) {
		ike_build_fail(b, IKE_MSG_E_BAD_ARG);
		return;
	}
	ike_build_auth(b, &(struct ike_auth){IKE_AUTH_SHARED_KEY_MIC,
					     {auth, ike_prf_len(sa->suite.prf)}});
	OPENSSL_cleanse(auth, sizeof(auth));
}

/* The peer's ID is the one configured and its AUTH verifies. */
static bool peer_authenticates(struct ike_sa *sa, uint8_t id_type)
{
	const struct ike_pld *id = ike_msg_find(&sa->m, id_type, NULL);
	const struct ike_pld *au = ike_msg_find(&sa->m, IKE_PLD_AUTH, NULL);
	const struct ike_idv *want = &sa->cfg.remote_id;
	uint8_t oct[OCTETS_MAX];
	size_t oct_len;

	if (id == NULL || au == NULL || !id->inner)
		return false;
	if (id->u.id.type != want->type ||
	    !ike_id_equal(want->type, (struct ike_buf){want->data, want->len},
			  (struct ike_buf){id->u.id.data.ptr, id->u.id.data.len})) {
		ike_sa_log(sa, 1, "peer ID does not match remote_id");
		return false;
	}
	if ((au->u.auth.method == IKE_AUTH_SHARED_KEY_MIC) != (sa->cfg.cred == NULL)) {
		ike_sa_log(sa, 1, "peer authenticates with method %u, not ours", au->u.auth.method);
		return false;
	}
	/* The signed ID is the payload body as received, reserved octets included. */
	struct ike_buf body = {sa->plain + id->off + IKE_PLD_HDR_LEN, id->len - IKE_PLD_HDR_LEN};
	if (auth_octets(sa, sa->role == IKE_ROLE_RESPONDER, body, oct, &oct_len) < 0)
		return false;
	if (sa->cfg.cred != NULL)
		return ike_sa_cert_peer_ok(sa, id, au, (struct ike_buf){oct, oct_len});
	return ike_auth_psk_verify(sa->suite.prf, (struct ike_buf){sa->cfg.psk, sa->cfg.psk_len},
				   (struct ike_buf){oct, oct_len},
				   (struct ike_buf){au->u.auth.data.ptr, au->u.auth.data.len}) ==
		       IKE_CRYPTO_OK;
}

int ike_child_new_spi(struct ike_sa *sa)
{
	uint8_t b[4];

	do {
		if (ike_sa_random(sa, b, sizeof(b)) < 0)
			return -1;
		sa->child_spi_in = ike_get32(b);
	} while (sa->child_spi_in < ESP_SPI_MIN);
	return 0;
}

static void set_child_alg(struct ike_sa *sa, const struct ike_prop *c, uint32_t spi_out)
{
	sa->child.encr = c->encr;
	sa->child.encr_key_bits = c->encr_key_bits;
	sa->child.integ = c->integ;
	sa->child.dh = c->dh;
	sa->child.spi_out = spi_out;
}

int ike_auth_start(struct ike_sa *sa, uint64_t now, struct ike_dgram *out)
{
	uint8_t chain[IKE_MSG_BUF_MAX], spi[4];
	struct ike_proposal p[IKE_CFG_MAX_PROPS];
	struct ike_transform xf[IKE_CFG_MAX_PROPS * 5];
	struct ike_ts tsi, tsr;
	struct ike_build b;
	size_t n_xf;

	if (ike_child_new_spi(sa) < 0)
		return ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
	ike_put32(spi, sa->child_spi_in);
	ike_build_init_chain(&b, chain, sizeof(chain));
	build_id_auth(sa, &b, IKE_PLD_IDI);
	size_t n = ike_props_encode(sa->cfg.esp, sa->cfg.n_esp, true, spi, p, xf, &n_xf);
	ike_build_sa(&b, p, n, xf);
	ike_ts_to_wire(&sa->cfg.local_ts, &tsi);
	ike_ts_to_wire(&sa->cfg.remote_ts, &tsr);
	ike_build_ts(&b, IKE_PLD_TSI, &tsi, 1);
	ike_build_ts(&b, IKE_PLD_TSR, &tsr, 1);
	ike_sa_set_state(sa, IKE_SA_AUTH_SENT);
	return ike_sa_send_sealed(sa, &b, IKE_EXCH_AUTH, false, sa->req_next, now, out);
}

uint16_t ike_child_agree_resp(struct ike_sa *sa, const uint8_t spi[4], struct ike_proposal *p,
				struct ike_transform *xf, struct ike_ts *tsi, struct ike_ts *tsr)
{
	const struct ike_pld *sap = ike_msg_find(&sa->m, IKE_PLD_SA, NULL);
	const struct ike_pld *ip = ike_msg_find(&sa->m, IKE_PLD_TSI, NULL);
	const struct ike_pld *rp = ike_msg_find(&sa->m, IKE_PLD_TSR, NULL);
	const struct ike_proposal *peer;
	struct ike_prop chosen;
	size_t n_xf;

	if (sap == NULL || ip == NULL || rp == NULL) {
		sa->drops[IKE_SA_DROP_MISSING_PAYLOAD]++;
		return IKE_N_INVALID_SYNTAX;
	}
	if (ike_props_select(&sa->m, sap->u.sa.first, sap->u.sa.n, IKE_PROTO_ESP, sa->cfg.esp,
			     sa->cfg.n_esp, &chosen, &peer) < 0) {
		sa->drops[IKE_SA_DROP_NO_PROPOSAL]++;
		return IKE_N_NO_PROPOSAL_CHOSEN;
	}
	if (ike_get32(peer->spi.ptr) < ESP_SPI_MIN) {
		sa->drops[IKE_SA_DROP_MALFORMED]++;
		return IKE_N_INVALID_SYNTAX;
	}
	/* TSi is the initiator's side: our remote_ts. */
	if (!ike_ts_narrow(&sa->m, ip->u.ts.first, ip->u.ts.n, &sa->cfg.remote_ts,
			   &sa->child.ts_remote) ||
	    !ike_ts_narrow(&sa->m, rp->u.ts.first, rp->u.ts.n, &sa->cfg.local_ts,
			   &sa->child.ts_local)) {
		sa->drops[IKE_SA_DROP_TS_UNACCEPTABLE]++;
		return IKE_N_TS_UNACCEPTABLE;
	}
	set_child_alg(sa, &chosen, ike_get32(peer->spi.ptr));
	ike_props_encode_spi(&chosen, 1, IKE_PROTO_ESP, (struct ike_view){spi, 4}, true, p, xf,
			     &n_xf);
	p->num = peer->num; /* §3.3.1: the accepted proposal keeps its number */
	ike_ts_to_wire(&sa->child.ts_remote, tsi);
	ike_ts_to_wire(&sa->child.ts_local, tsr);
	return 0;
}

int ike_auth_request(struct ike_sa *sa, struct ike_dgram *out)
{
	uint8_t chain[IKE_MSG_BUF_MAX], spi[4];
	struct ike_proposal p;
	struct ike_transform xf[5];
	struct ike_ts tsi, tsr;
	struct ike_build b;
	uint32_t id = sa->m.hdr.msg_id;

	ike_build_init_chain(&b, chain, sizeof(chain));
	if (!peer_authenticates(sa, IKE_PLD_IDI)) {
		ike_sa_drop(sa, IKE_SA_DROP_AUTH_FAILED);
		ike_build_notify(&b, &(struct ike_notify){.type = IKE_N_AUTHENTICATION_FAILED});
		int rc = ike_sa_send_sealed(sa, &b, IKE_EXCH_AUTH, true, id, 0, out);
		ike_sa_set_state(sa, IKE_SA_DEAD);
		return rc;
	}
	build_id_auth(sa, &b, IKE_PLD_IDR);
	if (ike_child_new_spi(sa) < 0) {
		ike_sa_set_state(sa, IKE_SA_DEAD);
		return ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
	}
	ike_put32(spi, sa->child_spi_in);
	uint16_t err = ike_child_agree_resp(sa, spi, &p, xf, &tsi, &tsr);
	if (err != 0) {
		ike_sa_log(sa, 1, "no Child SA: notify %u", err);
		ike_build_notify(&b, &(struct ike_notify){.type = err});
	} else {
		ike_build_sa(&b, &p, 1, xf);
		ike_build_ts(&b, IKE_PLD_TSI, &tsi, 1);
		ike_build_ts(&b, IKE_PLD_TSR, &tsr, 1);
		if (ike_child_derive(sa, false) < 0) {
			ike_sa_set_state(sa, IKE_SA_DEAD);
			return -1;
		}
	}
	int rc = ike_sa_send_sealed(sa, &b, IKE_EXCH_AUTH, true, id, 0, out);
	if (rc < 0) {
		ike_sa_set_state(sa, IKE_SA_DEAD);
		return rc;
	}
	ike_sa_set_state(sa, IKE_SA_ESTABLISHED);
	return rc;
}

int ike_child_agree_init(struct ike_sa *sa)
{
	const struct ike_pld *sap = ike_msg_find(&sa->m, IKE_PLD_SA, NULL);
	const struct ike_pld *ip = ike_msg_find(&sa->m, IKE_PLD_TSI, NULL);
	const struct ike_pld *rp = ike_msg_find(&sa->m, IKE_PLD_TSR, NULL);
	const struct ike_pld *nt = NULL;
	const struct ike_proposal *peer;
	struct ike_prop chosen;

	while ((nt = ike_msg_find(&sa->m, IKE_PLD_NOTIFY, nt)) != NULL) {
		if (nt->u.notify.type < IKE_N_INITIAL_CONTACT) {
			ike_sa_log(sa, 1, "no Child SA: peer sent notify %u", nt->u.notify.type);
			return ike_sa_drop(sa, nt->u.notify.type == IKE_N_NO_PROPOSAL_CHOSEN
						       ? IKE_SA_DROP_NO_PROPOSAL
						       : nt->u.notify.type == IKE_N_TS_UNACCEPTABLE
							 ? IKE_SA_DROP_TS_UNACCEPTABLE
							 : IKE_SA_DROP_PEER_ERROR);
		}
	}
	if (sap == NULL || ip == NULL || rp == NULL)
		return ike_sa_drop(sa, IKE_SA_DROP_MISSING_PAYLOAD);
	if (sap->u.sa.n != 1 ||
	    ike_props_select(&sa->m, sap->u.sa.first, 1, IKE_PROTO_ESP, sa->cfg.esp, sa->cfg.n_esp,
			     &chosen, &peer) < 0)
		return ike_sa_drop(sa, IKE_SA_DROP_NO_PROPOSAL);
	if (ike_get32(peer->spi.ptr) < ESP_SPI_MIN)
		return ike_sa_drop(sa, IKE_SA_DROP_MALFORMED);
	if (!ike_ts_narrow(&sa->m, ip->u.ts.first, ip->u.ts.n, &sa->cfg.local_ts,
			   &sa->child.ts_local) ||
	    !ike_ts_narrow(&sa->m, rp->u.ts.first, rp->u.ts.n, &sa->cfg.remote_ts,
			   &sa->child.ts_remote))
		return ike_sa_drop(sa, IKE_SA_DROP_TS_UNACCEPTABLE);
	set_child_alg(sa, &chosen, ike_get32(peer->spi.ptr));
	return ike_child_derive(sa, sa->role == IKE_ROLE_INITIATOR || sa->rekeying);
}

int ike_auth_response(struct ike_sa *sa)
{
	const struct ike_pld *nt = ike_msg_find_notify(&sa->m, IKE_N_AUTHENTICATION_FAILED);

	if (nt != NULL || !peer_authenticates(sa, IKE_PLD_IDR)) {
		ike_sa_drop(sa, IKE_SA_DROP_AUTH_FAILED);
		ike_sa_log(sa, 0, "authentication failed%s", nt != NULL ? " (peer's notify)" : "");
		ike_sa_set_state(sa, IKE_SA_DEAD);
		return -1;
	}
	ike_child_agree_init(sa); /* failure is counted; the IKE SA stands without a child */
	ike_sa_set_state(sa, IKE_SA_ESTABLISHED);
	return 0;
}
