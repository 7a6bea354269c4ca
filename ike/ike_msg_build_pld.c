/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Encoders of every payload but SA and SK: fixed head + variable data (KE, ID, CERT,
 * CERTREQ, AUTH, Nonce, Notify, Delete, Vendor ID, EAP) and the lists TSi/TSr and CP.
 * Each checks its fields with the decoder's rules before reserving room.
 */
#include <string.h>

#include "ike_msg_be.h"
#include "ike_msg_bld.h"
#include "ike_msg_rules.h"

#define TS_PLD_HEAD 4u
#define TS_HDR_LEN 4u
#define TS_ADDR_OFF 8u
#define CP_HEAD 4u
#define CP_ATTR_HDR 4u
#define CP_ATTR_TYPE_MAX 0x7fffu

/* Append a payload made of head[0..head_len-1] followed by data. */
static enum ike_msg_err head_data(struct ike_build *b, uint8_t type, const uint8_t *head,
				  size_t head_len, struct ike_view data)
{
	if (data.len > UINT16_MAX)
		return ike_build_fail(b, IKE_MSG_E_BAD_ARG);
	uint8_t *w = ike_build_reserve(b, type, head_len + data.len);
	if (w == NULL)
		return b->err;
	if (head_len > 0)
		memcpy(w, head, head_len);
	if (data.len > 0)
		memcpy(w + head_len, data.ptr, data.len);
	return IKE_MSG_E_OK;
}

enum ike_msg_err ike_build_ke(struct ike_build *b, const struct ike_ke *ke)
{
	if (ke->data.len == 0)
		return ike_build_fail(b, IKE_MSG_E_BAD_KE);
	uint8_t head[4] = {(uint8_t)(ke->group >> 8), (uint8_t)ke->group, 0, 0};
	return head_data(b, IKE_PLD_KE, head, sizeof(head), ke->data);
}

enum ike_msg_err ike_build_id(struct ike_build *b, uint8_t pld_type, const struct ike_id *id)
{
	if (pld_type != IKE_PLD_IDI && pld_type != IKE_PLD_IDR)
		return ike_build_fail(b, IKE_MSG_E_BAD_ARG);
	if (!ike_rule_id(id->type, id->data.len))
		return ike_build_fail(b, IKE_MSG_E_BAD_ID);
	uint8_t head[4] = {id->type, 0, 0, 0};
	return head_data(b, pld_type, head, sizeof(head), id->data);
}

enum ike_msg_err ike_build_cert(struct ike_build *b, uint8_t pld_type,
				const struct ike_cert *cert)
{
	if (pld_type != IKE_PLD_CERT && pld_type != IKE_PLD_CERTREQ)
		return ike_build_fail(b, IKE_MSG_E_BAD_ARG);
	uint8_t head[1] = {cert->encoding};
	return head_data(b, pld_type, head, sizeof(head), cert->data);
}

enum ike_msg_err ike_build_auth(struct ike_build *b, const struct ike_auth *auth)
{
	if (auth->data.len == 0)
		return ike_build_fail(b, IKE_MSG_E_BAD_AUTH);
	uint8_t head[4] = {auth->method, 0, 0, 0};
	return head_data(b, IKE_PLD_AUTH, head, sizeof(head), auth->data);
}

enum ike_msg_err ike_build_nonce(struct ike_build *b, struct ike_view nonce)
{
	if (!ike_rule_nonce_len(nonce.len))
		return ike_build_fail(b, IKE_MSG_E_BAD_NONCE_LENGTH);
	return head_data(b, IKE_PLD_NONCE, NULL, 0, nonce);
}

enum ike_msg_err ike_build_notify(struct ike_build *b, const struct ike_notify *n)
{
	if (!ike_rule_spi_size(n->spi.len))
		return ike_build_fail(b, IKE_MSG_E_BAD_NOTIFY);
	uint8_t head[4 + IKE_SPI_MAX] = {n->proto, (uint8_t)n->spi.len, (uint8_t)(n->type >> 8),
					 (uint8_t)n->type};
	if (n->spi.len > 0)
		memcpy(head + 4, n->spi.ptr, n->spi.len);
	return head_data(b, IKE_PLD_NOTIFY, head, 4 + n->spi.len, n->data);
}

enum ike_msg_err ike_build_delete(struct ike_build *b, const struct ike_delete *del)
{
	if (!ike_rule_delete(del->proto, del->spi_size, del->n_spi, del->spis.len))
		return ike_build_fail(b, IKE_MSG_E_BAD_DELETE);
	uint8_t head[4] = {del->proto, del->spi_size, (uint8_t)(del->n_spi >> 8),
			   (uint8_t)del->n_spi};
	return head_data(b, IKE_PLD_DELETE, head, sizeof(head), del->spis);
}

enum ike_msg_err ike_build_vendor(struct ike_build *b, struct ike_view vid)
{
	return head_data(b, IKE_PLD_VENDOR, NULL, 0, vid);
}

enum ike_msg_err ike_build_eap(struct ike_build *b, struct ike_view eap)
{
	if (!ike_rule_eap(eap.ptr, eap.len))
		return ike_build_fail(b, IKE_MSG_E_BAD_EAP);
	return head_data(b, IKE_PLD_EAP, NULL, 0, eap);
}

static size_t selector_len(const struct ike_ts *ts)
{
	size_t want = ike_rule_ts_len(ts->type);
	return want != 0 ? want : TS_HDR_LEN + ts->raw.len;
}

enum ike_msg_err ike_build_ts(struct ike_build *b, uint8_t pld_type, const struct ike_ts *ts,
			      size_t n)
{
	if (pld_type != IKE_PLD_TSI && pld_type != IKE_PLD_TSR)
		return ike_build_fail(b, IKE_MSG_E_BAD_ARG);
	if (n == 0 || n > UINT8_MAX)
		return ike_build_fail(b, IKE_MSG_E_BAD_TS_COUNT);
	if (n > IKE_MSG_MAX_TS)
		return ike_build_fail(b, IKE_MSG_E_TOO_MANY_TS);
	size_t total = TS_PLD_HEAD;
	for (size_t i = 0; i < n; i++) {
		if (ts[i].raw.len > UINT16_MAX - TS_HDR_LEN)
			return ike_build_fail(b, IKE_MSG_E_BAD_TS_LENGTH);
		total += selector_len(&ts[i]); /* at most 32 * 65535: no overflow */
	}
	uint8_t *w = ike_build_reserve(b, pld_type, total);
	if (w == NULL)
		return b->err;
	w[0] = (uint8_t)n;
	memset(w + 1, 0, 3);
	w += TS_PLD_HEAD;
	for (size_t i = 0; i < n; i++) {
		size_t slen = selector_len(&ts[i]);
		w[0] = ts[i].type;
		w[1] = ts[i].ip_proto;
		ike_put16(w + 2, (uint16_t)slen);
		if (ike_rule_ts_len(ts[i].type) != 0) {
			size_t alen = (slen - TS_ADDR_OFF) / 2;
			ike_put16(w + 4, ts[i].port_start);
			ike_put16(w + 6, ts[i].port_end);
			memcpy(w + TS_ADDR_OFF, ts[i].addr_start, alen);
			memcpy(w + TS_ADDR_OFF + alen, ts[i].addr_end, alen);
		} else if (ts[i].raw.len > 0) {
			memcpy(w + TS_HDR_LEN, ts[i].raw.ptr, ts[i].raw.len);
		}
		w += slen;
	}
	return IKE_MSG_E_OK;
}

enum ike_msg_err ike_build_cp(struct ike_build *b, uint8_t cfg_type,
			      const struct ike_cp_attr *attr, size_t n)
{
	if (!ike_rule_cfg_type(cfg_type))
		return ike_build_fail(b, IKE_MSG_E_BAD_CP);
	if (n > IKE_MSG_MAX_CP_ATTRS)
		return ike_build_fail(b, IKE_MSG_E_TOO_MANY_CP_ATTRS);
	size_t total = CP_HEAD;
	for (size_t i = 0; i < n; i++) {
		if (attr[i].type > CP_ATTR_TYPE_MAX || attr[i].value.len > UINT16_MAX)
			return ike_build_fail(b, IKE_MSG_E_BAD_CP);
		total += CP_ATTR_HDR + attr[i].value.len; /* at most 32 * 65539 */
	}
	uint8_t *w = ike_build_reserve(b, IKE_PLD_CP, total);
	if (w == NULL)
		return b->err;
	w[0] = cfg_type;
	memset(w + 1, 0, 3);
	w += CP_HEAD;
	for (size_t i = 0; i < n; i++) {
		ike_put16(w, attr[i].type);
		ike_put16(w + 2, (uint16_t)attr[i].value.len);
		if (attr[i].value.len > 0)
			memcpy(w + CP_ATTR_HDR, attr[i].value.ptr, attr[i].value.len);
		w += CP_ATTR_HDR + attr[i].value.len;
	}
	return IKE_MSG_E_OK;
}
