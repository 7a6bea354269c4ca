/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKE_SA_INIT (RFC 7296 §1.2): SA, KE, Ni/Nr and the NAT detection notifies
 * (§2.23); INVALID_KE_PAYLOAD (§1.3) and NO_PROPOSAL_CHOSEN answers.  Ends with
 * the IKE SA keys derived (§2.14) and, for the initiator, the IKE_AUTH request.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "ike_msg_be.h"
#include "ike_msg_bld.h"
#include "ike_sa_frag.h"
#include "ike_sa_int.h"

#define NATD_LEN 20

static int new_dh(struct ike_sa *sa, uint16_t group)
{
	ike_dh_free(sa->dh);
	sa->dh = NULL;
	sa->ke_group = group;
	return ike_dh_new(group, &sa->dh) == IKE_CRYPTO_OK ? 0 : ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
}

/* Append NAT_DETECTION_SOURCE_IP and _DESTINATION_IP for the addresses this
 * message travels between.  The SPIs are those in the header (SPIr 0 in the
 * request). */
static void build_natd(struct ike_sa *sa, struct ike_build *b, uint64_t spi_r,
		       uint32_t dst_ip, uint16_t dst_port)
{
	uint8_t src[NATD_LEN], dst[NATD_LEN];

	if (ike_natd_hash(sa->spi_i, spi_r, sa->cfg.local_ip, sa->local_port, src) < 0 ||
	    ike_natd_hash(sa->spi_i, spi_r, dst_ip, dst_port, dst) < 0) {
		ike_build_fail(b, IKE_MSG_E_BAD_ARG);
		return;
	}
	ike_build_notify(b, &(struct ike_notify){.type = IKE_N_NAT_DETECTION_SOURCE_IP,
						  .data = {src, NATD_LEN}});
	ike_build_notify(b, &(struct ike_notify){.type = IKE_N_NAT_DETECTION_DESTINATION_IP,
						  .data = {dst, NATD_LEN}});
}

/*
 * Compare the peer's NAT detection notifies with what we see: a source hash
 * that matches none means the peer is behind a NAT; a destination hash that
 * differs means we are.  No notifies at all: the peer does not do NAT-T.
 */
static void check_natd(struct ike_sa *sa, uint32_t src_ip, uint16_t src_port,
		       uint16_t dst_port)
{
	uint8_t want[NATD_LEN];
	const struct ike_pld *p = NULL;
	bool any_src = false, src_ok = false;
	uint64_t spi_r = sa->m.hdr.rspi;

	while ((p = ike_msg_find(&sa->m, IKE_PLD_NOTIFY, p)) != NULL) {
		const struct ike_notify *n = &p->u.notify;

		if (n->type == IKE_N_NAT_DETECTION_SOURCE_IP) {
			any_src = true;
			if (ike_natd_hash(sa->spi_i, spi_r, src_ip, src_port, want) == 0 &&
			    n->data.len == NATD_LEN &&
			    CRYPTO_memcmp(want, n->data.ptr, NATD_LEN) == 0)
				src_ok = true;
		} else if (n->type == IKE_N_NAT_DETECTION_DESTINATION_IP) {
			if (ike_natd_hash(sa->spi_i, spi_r, sa->cfg.local_ip, dst_port, want) != 0 ||
			    n->data.len != NATD_LEN ||
			    CRYPTO_memcmp(want, n->data.ptr, NATD_LEN) != 0)
				sa->nat_local = true;
		}
	}
	sa->nat_remote = any_src && !src_ok;
	if (sa->nat_local || sa->nat_remote)
		ike_sa_log(sa, 1, "NAT detected (%s%s)", sa->nat_local ? "local" : "",
			   sa->nat_remote ? (sa->nat_local ? ", remote" : "remote") : "");
}

static int build_request(struct ike_sa *sa, uint64_t now, struct ike_dgram *out)
{
	uint8_t msg[IKE_MSG_BUF_MAX], pub[IKE_DH_SECRET_MAX];
	struct ike_proposal p[IKE_CFG_MAX_PROPS];
	struct ike_transform xf[IKE_CFG_MAX_PROPS * 5];
	struct ike_build b;
	struct ike_hdr h;
	size_t n_xf, len;
	size_t pub_len = ike_dh_public_len(sa->ke_group);

	if (pub_len == 0 || pub_len > sizeof(pub) ||
	    ike_dh_public(sa->dh, pub, pub_len) != IKE_CRYPTO_OK)
		return ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
	size_t n = ike_props_encode(sa->cfg.ike, sa->cfg.n_ike, false, NULL, p, xf, &n_xf);
	ike_sa_hdr(sa, IKE_EXCH_SA_INIT, false, 0, &h);
	ike_build_init(&b, msg, sizeof(msg), &h);
	/* §2.6: the cookie goes first. */
	if (sa->cookie_len > 0)
		ike_build_notify(&b, &(struct ike_notify){.type = IKE_N_COOKIE,
							  .data = {sa->cookie, sa->cookie_len}});
	ike_build_sa(&b, p, n, xf);
	ike_build_ke(&b, &(struct ike_ke){.group = sa->ke_group, .data = {pub, pub_len}});
	ike_build_nonce(&b, (struct ike_view){sa->ni, sa->ni_len});
	ike_sa_cert_init_plds(sa, &b, false);
	build_natd(sa, &b, 0, sa->remote_ip, sa->remote_port);
	ike_frag_offer(sa, &b);
	if (ike_build_finish(&b, &len) != IKE_MSG_E_OK)
		return ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
	memcpy(sa->init_req.buf, msg, len);
	sa->init_req.len = len;
	ike_sa_set_state(sa, IKE_SA_INIT_SENT);
	return ike_sa_send_request(sa, msg, len, now, out);
}

int ike_init_start(struct ike_sa *sa, uint64_t now, struct ike_dgram *out)
{
	uint8_t spi[8];

	if (sa->cfg.n_ike == 0 || ike_sa_random(sa, spi, sizeof(spi)) < 0 ||
	    ike_sa_random(sa, sa->ni, IKE_NONCE_LEN) < 0)
		return ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
	sa->spi_i = ike_get64(spi);
	if (sa->spi_i == 0)
		sa->spi_i = 1;
	sa->ni_len = IKE_NONCE_LEN;
	/* Our KE guesses the group of our first proposal (§1.2). */
	if (new_dh(sa, sa->cfg.ike[0].dh) < 0)
		return -1;
	return build_request(sa, now, out);
}

/* No state kept (§2.6's spirit: the responder commits nothing before the
 * initiator proves itself). */
int ike_init_refuse(struct ike_sa *sa, uint16_t type, const uint8_t *data, size_t data_len,
		    enum ike_sa_drop why, struct ike_dgram *out)
{
	uint8_t msg[256];
	struct ike_build b;
	struct ike_hdr h;
	size_t len;

	sa->spi_r = 0;
	ike_sa_hdr(sa, IKE_EXCH_SA_INIT, true, 0, &h);
	ike_build_init(&b, msg, sizeof(msg), &h);
	ike_build_notify(&b, &(struct ike_notify){.type = type, .data = {data, data_len}});
	sa->drops[why]++;
	if (ike_build_finish(&b, &len) != IKE_MSG_E_OK)
		return ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
	ike_sa_log(sa, 1, "IKE_SA_INIT refused: %s", ike_sa_drop_name(why));
	int rc = ike_sa_send_response(sa, msg, len, out);
	ike_sa_set_state(sa, IKE_SA_DEAD);
	return rc;
}

/* g^ir, SKEYSEED and SK_* from the peer's KE; the DH pair is freed after. */
static int derive_keys(struct ike_sa *sa, const struct ike_ke *ke)
{
	uint8_t gir[IKE_DH_SECRET_MAX];
	uint8_t spi_i[8], spi_r[8];
	struct ike_key skeyseed = {0};
	size_t glen = ike_dh_secret_len(sa->ke_group);
	int rc = IKE_CRYPTO_EINVAL;

	if (glen == 0 || glen > sizeof(gir))
		return ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
	rc = ike_dh_shared(sa->dh, (struct ike_buf){ke->data.ptr, ke->data.len}, gir, glen);
	if (rc == IKE_CRYPTO_EPEER)
		goto out;
	if (rc == IKE_CRYPTO_OK)
		rc = ike_skeyseed(sa->suite.prf, (struct ike_buf){sa->ni, sa->ni_len},
				  (struct ike_buf){sa->nr, sa->nr_len}, (struct ike_buf){gir, glen},
				  &skeyseed);
	ike_put64(spi_i, sa->spi_i);
	ike_put64(spi_r, sa->spi_r);
	if (rc == IKE_CRYPTO_OK)
		rc = ike_sa_keys_derive(&sa->suite, &skeyseed, (struct ike_buf){sa->ni, sa->ni_len},
					(struct ike_buf){sa->nr, sa->nr_len}, spi_i, spi_r,
					&sa->keys);
out:
	OPENSSL_cleanse(gir, sizeof(gir));
	ike_key_wipe(&skeyseed);
	ike_dh_free(sa->dh);
	sa->dh = NULL;
	if (rc == IKE_CRYPTO_EPEER)
		return ike_sa_drop(sa, IKE_SA_DROP_BAD_KE);
	return rc == IKE_CRYPTO_OK ? 0 : ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
}

static void set_suite(struct ike_sa *sa, const struct ike_prop *c)
{
	sa->suite = (struct ike_suite){
		.encr = c->encr,
		.encr_key_bits = c->encr_key_bits,
		.prf = c->prf,
		.integ = c->integ,
		.dh = c->dh,
	};
}

/* Nonce payload into ours[]; false if absent. */
static bool take_nonce(struct ike_sa *sa, uint8_t *dst, size_t *dst_len)
{
	const struct ike_pld *n = ike_msg_find(&sa->m, IKE_PLD_NONCE, NULL);

	if (n == NULL || n->u.data.len > IKE_NONCE_MAX)
		return false;
	memcpy(dst, n->u.data.ptr, n->u.data.len);
	*dst_len = n->u.data.len;
	return true;
}

int ike_init_request(struct ike_sa *sa, const uint8_t *msg, size_t len, uint32_t src_ip,
		     uint16_t src_port, uint16_t dst_port, struct ike_dgram *out)
{
	uint8_t resp[IKE_MSG_BUF_MAX], pub[IKE_DH_SECRET_MAX], spi[8], grp[2];
	const struct ike_pld *sap = ike_msg_find(&sa->m, IKE_PLD_SA, NULL);
	const struct ike_pld *kep = ike_msg_find(&sa->m, IKE_PLD_KE, NULL);
	const struct ike_proposal *peer;
	struct ike_prop chosen;
	struct ike_transform xf[5];
	struct ike_proposal p;
	struct ike_build b;
	struct ike_hdr h;
	size_t n_xf, rlen;

	sa->spi_i = sa->m.hdr.ispi;
	sa->remote_ip = src_ip;
	sa->remote_port = src_port;
	sa->local_port = dst_port;
	if (sap == NULL || kep == NULL || !take_nonce(sa, sa->ni, &sa->ni_len)) {
		ike_sa_set_state(sa, IKE_SA_DEAD);
		return ike_sa_drop(sa, IKE_SA_DROP_MISSING_PAYLOAD);
	}
	if (ike_props_select(&sa->m, sap->u.sa.first, sap->u.sa.n, IKE_PROTO_IKE, sa->cfg.ike,
			     sa->cfg.n_ike, &chosen, &peer) < 0)
		return ike_init_refuse(sa, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0, IKE_SA_DROP_NO_PROPOSAL,
				       out);
	if (kep->u.ke.group != chosen.dh) {
		ike_put16(grp, chosen.dh);
		return ike_init_refuse(sa, IKE_N_INVALID_KE_PAYLOAD, grp, 2, IKE_SA_DROP_INVALID_KE, out);
	}
	set_suite(sa, &chosen);
	check_natd(sa, src_ip, src_port, dst_port);
	if (ike_sa_random(sa, spi, sizeof(spi)) < 0 ||
	    ike_sa_random(sa, sa->nr, IKE_NONCE_LEN) < 0 || new_dh(sa, chosen.dh) < 0) {
		ike_sa_set_state(sa, IKE_SA_DEAD);
		return ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
	}
	sa->spi_r = ike_get64(spi) | 1; /* never 0 */
	sa->nr_len = IKE_NONCE_LEN;
	size_t pub_len = ike_dh_public_len(chosen.dh);
	if (pub_len == 0 || pub_len > sizeof(pub) ||
	    ike_dh_public(sa->dh, pub, pub_len) != IKE_CRYPTO_OK || derive_keys(sa, &kep->u.ke) < 0) {
		ike_sa_set_state(sa, IKE_SA_DEAD);
		return -1;
	}
	/* RealMessage1, signed by the initiator's AUTH. */
	memcpy(sa->init_req.buf, msg, len);
	sa->init_req.len = len;

	ike_props_encode(&chosen, 1, false, NULL, &p, xf, &n_xf);
	p.num = peer->num; /* §3.3.1: the accepted proposal keeps its number */
	ike_sa_hdr(sa, IKE_EXCH_SA_INIT, true, 0, &h);
	ike_build_init(&b, resp, sizeof(resp), &h);
	ike_build_sa(&b, &p, 1, xf);
	ike_build_ke(&b, &(struct ike_ke){.group = chosen.dh, .data = {pub, pub_len}});
	ike_build_nonce(&b, (struct ike_view){sa->nr, sa->nr_len});
	ike_sa_cert_init_plds(sa, &b, true);
	build_natd(sa, &b, sa->spi_r, src_ip, src_port);
	ike_frag_learn(sa);
	ike_frag_offer(sa, &b);
	if (ike_build_finish(&b, &rlen) != IKE_MSG_E_OK) {
		ike_sa_set_state(sa, IKE_SA_DEAD);
		return ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
	}
	memcpy(sa->init_resp.buf, resp, rlen);
	sa->init_resp.len = rlen;
	ike_sa_set_state(sa, IKE_SA_INIT_DONE);
	return ike_sa_send_response(sa, resp, rlen, out);
}

/* INVALID_KE_PAYLOAD: retry once with the group the responder asks for, if we
 * proposed it; same SPIi and nonce (§1.3 lets us, and it keeps the SA ours). */
static int retry_ke(struct ike_sa *sa, const struct ike_notify *n, uint64_t now,
		    struct ike_dgram *out)
{
	if (n->data.len != 2 || sa->ke_retried)
		goto fail;
	uint16_t g = ike_get16(n->data.ptr);
	for (size_t i = 0; i < sa->cfg.n_ike; i++) {
		if (sa->cfg.ike[i].dh == g && g != sa->ke_group) {
			ike_sa_log(sa, 1, "responder wants DH group %u, retrying", g);
			sa->ke_retried = true;
			sa->req_pending = false;
			if (new_dh(sa, g) < 0)
				goto fail;
			return build_request(sa, now, out);
		}
	}
fail:
	ike_sa_drop(sa, IKE_SA_DROP_INVALID_KE);
	ike_sa_set_state(sa, IKE_SA_DEAD);
	return -1;
}

/* §2.6: the responder wants proof that we receive at our address; send the
 * request again with its cookie in front (same SPI, nonce and KE). */
static int echo_cookie(struct ike_sa *sa, const struct ike_notify *n, uint64_t now,
		       struct ike_dgram *out)
{
	if (n->data.len == 0 || n->data.len > IKE_COOKIE_MAX ||
	    sa->cookie_tries >= IKE_COOKIE_TRIES)
		return ike_sa_drop(sa, IKE_SA_DROP_PEER_ERROR);
	sa->cookie_tries++;
	memcpy(sa->cookie, n->data.ptr, n->data.len);
	sa->cookie_len = n->data.len;
	ike_sa_log(sa, 1, "responder asks for a cookie, retrying");
	sa->req_pending = false;
	return build_request(sa, now, out);
}

int ike_init_response(struct ike_sa *sa, const uint8_t *msg, size_t len, uint32_t src_ip,
		      uint16_t src_port, uint16_t dst_port, uint64_t now, struct ike_dgram *out)
{
	const struct ike_pld *sap = ike_msg_find(&sa->m, IKE_PLD_SA, NULL);
	const struct ike_pld *kep = ike_msg_find(&sa->m, IKE_PLD_KE, NULL);
	const struct ike_pld *nt = NULL;
	const struct ike_proposal *peer;
	struct ike_prop chosen;

	/* An error notify answers the whole request (§2.21.1). */
	while ((nt = ike_msg_find(&sa->m, IKE_PLD_NOTIFY, nt)) != NULL) {
		uint16_t type = nt->u.notify.type;

		if (type == IKE_N_COOKIE && sap == NULL)
			return echo_cookie(sa, &nt->u.notify, now, out);
		if (type == IKE_N_INVALID_KE_PAYLOAD)
			return retry_ke(sa, &nt->u.notify, now, out);
		if (type < IKE_N_INITIAL_CONTACT) {
			ike_sa_log(sa, 1, "IKE_SA_INIT refused by peer: notify %u", type);
			ike_sa_set_state(sa, IKE_SA_DEAD);
			return ike_sa_drop(sa, type == IKE_N_NO_PROPOSAL_CHOSEN
						       ? IKE_SA_DROP_NO_PROPOSAL
						       : IKE_SA_DROP_PEER_ERROR);
		}
	}
	/* Anything malformed from here on is dropped and the request stays out:
	 * a forged response must not kill the SA (§2.21). */
	if (sap == NULL || kep == NULL || sa->m.hdr.rspi == 0)
		return ike_sa_drop(sa, IKE_SA_DROP_MISSING_PAYLOAD);
	/* The responder must pick exactly one of ours, whole (§3.3). */
	if (sap->u.sa.n != 1 ||
	    ike_props_select(&sa->m, sap->u.sa.first, 1, IKE_PROTO_IKE, sa->cfg.ike, sa->cfg.n_ike,
			     &chosen, &peer) < 0 ||
	    peer->xf_n != (chosen.integ != IKE_INTEG_NONE ? 4 : 3))
		return ike_sa_drop(sa, IKE_SA_DROP_NO_PROPOSAL);
	if (kep->u.ke.group != sa->ke_group || chosen.dh != sa->ke_group)
		return ike_sa_drop(sa, IKE_SA_DROP_INVALID_KE);
	if (!take_nonce(sa, sa->nr, &sa->nr_len))
		return ike_sa_drop(sa, IKE_SA_DROP_MISSING_PAYLOAD);
	sa->spi_r = sa->m.hdr.rspi;
	set_suite(sa, &chosen);
	if (derive_keys(sa, &kep->u.ke) < 0) {
		ike_sa_set_state(sa, IKE_SA_DEAD);
		return -1;
	}
	check_natd(sa, src_ip, src_port, dst_port);
	ike_frag_learn(sa);
	ike_sa_cert_peer_hashes(sa);
	memcpy(sa->init_resp.buf, msg, len);
	sa->init_resp.len = len;
	sa->req_pending = false;
	sa->req_next = 1;
	/* §2.23: with a NAT on the path, IKE_AUTH and everything after go to 4500. */
	if (sa->nat_local || sa->nat_remote) {
		sa->local_port = IKE_NATT_PORT;
		sa->remote_port = IKE_NATT_PORT;
	}
	return ike_auth_start(sa, now, out);
}
