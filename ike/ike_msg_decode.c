/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKE header and payload chain walk.  The walk checks each generic payload header against
 * the bytes left, hands the body to the decoder of its type, and stops at SK/SKF, which must
 * be last because their next-payload field names the first *inner* payload.
 */
#include "ike_msg_be.h"
#include "ike_msg_dec.h"
#include "ike_msg_rules.h"

enum ike_msg_err ike_hdr_decode(const uint8_t *p, size_t len, struct ike_hdr *h)
{
	if (len < IKE_HDR_LEN)
		return IKE_MSG_E_TRUNCATED_HDR;
	h->ispi = ike_get64(p);
	h->rspi = ike_get64(p + 8);
	h->next_payload = p[16];
	h->version = p[17];
	h->exchange = p[18];
	h->flags = p[19];
	h->msg_id = ike_get32(p + 20);
	h->length = ike_get32(p + 24);
	/* The minor version is ignored on receipt (RFC 7296 3.1); a major version above 2
	 * earns an INVALID_MAJOR_VERSION answer from the caller, one below 2 is IKEv1. */
	if (h->version >> 4 != IKE_VERSION_2_0 >> 4)
		return IKE_MSG_E_BAD_VERSION;
	if (h->ispi == 0)
		return IKE_MSG_E_ZERO_SPI;
	return IKE_MSG_E_OK;
}

static bool known_type(uint8_t type)
{
	return (type >= IKE_PLD_SA && type <= IKE_PLD_EAP) || type == IKE_PLD_SKF;
}

static enum ike_msg_err decode_sk(struct ike_dec *d, struct ike_pld *pld, struct ike_view body,
				  uint8_t inner_np)
{
	struct ike_sk *sk = &pld->u.sk;

	sk->inner_np = inner_np;
	sk->frag_num = 0;
	sk->frag_total = 0;
	if (pld->type == IKE_PLD_SKF) {
		if (body.len < 4)
			return ike_dec_fail(d, body.ptr, IKE_MSG_E_BAD_PAYLOAD_LENGTH);
		sk->frag_num = ike_get16(body.ptr);
		sk->frag_total = ike_get16(body.ptr + 2);
		if (!ike_rule_fragment(sk->frag_num, sk->frag_total))
			return ike_dec_fail(d, body.ptr, IKE_MSG_E_BAD_FRAGMENT);
		body.ptr += 4;
		body.len -= 4;
	}
	/* IV and ICV at least: an empty encrypted body cannot be genuine. */
	if (body.len == 0)
		return ike_dec_fail(d, body.ptr, IKE_MSG_E_BAD_PAYLOAD_LENGTH);
	sk->body = body;
	sk->body_off = (size_t)(body.ptr - d->base);
	return IKE_MSG_E_OK;
}

static enum ike_msg_err decode_body(struct ike_dec *d, struct ike_pld *pld, struct ike_view body)
{
	switch (pld->type) {
	case IKE_PLD_SA:
		return ike_dec_sa(d, pld, body);
	case IKE_PLD_TSI:
	case IKE_PLD_TSR:
		return ike_dec_ts(d, pld, body);
	case IKE_PLD_CP:
		return ike_dec_cp(d, pld, body);
	default:
		return ike_dec_simple(d, pld, body);
	}
}

/* Walk the chain in buf[off, end) starting with payload type np. */
static enum ike_msg_err decode_chain(struct ike_dec *d, size_t off, size_t end, uint8_t np,
				     bool inner)
{
	struct ike_msg *m = d->m;

	while (np != IKE_PLD_NONE) {
		const uint8_t *g = d->base + off;

		if (end - off < IKE_PLD_HDR_LEN)
			return ike_dec_fail(d, g, IKE_MSG_E_TRUNCATED_PAYLOAD);
		uint8_t next = g[0];
		bool critical = g[1] & IKE_PLD_CRITICAL;
		size_t plen = ike_get16(g + 2);
		if (plen < IKE_PLD_HDR_LEN)
			return ike_dec_fail(d, g, IKE_MSG_E_BAD_PAYLOAD_LENGTH);
		if (plen > end - off)
			return ike_dec_fail(d, g, IKE_MSG_E_TRUNCATED_PAYLOAD);
		struct ike_view body = {g + IKE_PLD_HDR_LEN, plen - IKE_PLD_HDR_LEN};

		if (!known_type(np)) {
			/* RFC 7296 3.2: reject the message only if the sender marked it critical. */
			if (critical) {
				m->bad_type = np;
				return ike_dec_fail(d, g, IKE_MSG_E_UNSUPPORTED_CRITICAL);
			}
			m->n_skipped++;
			off += plen;
			np = next;
			continue;
		}
		if (m->n_pld == IKE_MSG_MAX_PAYLOADS)
			return ike_dec_fail(d, g, IKE_MSG_E_TOO_MANY_PAYLOADS);
		struct ike_pld *pld = &m->pld[m->n_pld];
		pld->type = np;
		pld->critical = critical;
		pld->inner = inner;
		pld->off = off;
		pld->len = plen;

		if (np == IKE_PLD_SK || np == IKE_PLD_SKF) {
			if (inner)
				return ike_dec_fail(d, g, IKE_MSG_E_NESTED_SK);
			if (plen != end - off)
				return ike_dec_fail(d, g, IKE_MSG_E_SK_NOT_LAST);
			enum ike_msg_err err = decode_sk(d, pld, body, next);
			if (err != IKE_MSG_E_OK)
				return err;
			m->n_pld++;
			return IKE_MSG_E_OK;
		}
		enum ike_msg_err err = decode_body(d, pld, body);
		if (err != IKE_MSG_E_OK)
			return err;
		m->n_pld++;
		off += plen;
		np = next;
	}
	if (off != end)
		return ike_dec_fail(d, d->base + off, IKE_MSG_E_TRAILING_DATA);
	return IKE_MSG_E_OK;
}

enum ike_msg_err ike_msg_decode(const uint8_t *dgram, size_t len, struct ike_msg *m)
{
	struct ike_dec d = {m, dgram};

	m->n_pld = m->n_prop = m->n_xf = m->n_ts = m->n_cp = m->n_skipped = 0;
	m->bad_type = 0;
	m->err_off = 0;
	enum ike_msg_err err = ike_hdr_decode(dgram, len, &m->hdr);
	if (err != IKE_MSG_E_OK)
		return err;
	if (m->hdr.length != len)
		return IKE_MSG_E_BAD_LENGTH;
	return decode_chain(&d, IKE_HDR_LEN, len, m->hdr.next_payload, false);
}

enum ike_msg_err ike_msg_decode_inner(struct ike_msg *m, const uint8_t *plain, size_t len,
				      uint8_t first_np)
{
	struct ike_dec d = {m, plain};

	m->err_off = 0;
	return decode_chain(&d, 0, len, first_np, true);
}

const struct ike_pld *ike_msg_find(const struct ike_msg *m, uint8_t type,
				   const struct ike_pld *after)
{
	size_t i = after ? (size_t)(after - m->pld) + 1 : 0;

	for (; i < m->n_pld; i++)
		if (m->pld[i].type == type)
			return &m->pld[i];
	return NULL;
}

const struct ike_pld *ike_msg_find_notify(const struct ike_msg *m, uint16_t notify_type)
{
	const struct ike_pld *p = NULL;

	while ((p = ike_msg_find(m, IKE_PLD_NOTIFY, p)) != NULL)
		if (p->u.notify.type == notify_type)
			return p;
	return NULL;
}
