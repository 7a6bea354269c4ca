/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Payloads with a fixed head and one variable field: KE, IDi/IDr, CERT/CERTREQ, AUTH,
 * Nonce, Notify, Delete, Vendor ID and EAP (RFC 7296 3.4-3.12, 3.16).
 */
#include "ike_msg_be.h"
#include "ike_msg_dec.h"
#include "ike_msg_rules.h"

#define KE_HEAD 4u     /* DH group, reserved */
#define ID_HEAD 4u     /* ID type, 3 reserved octets */
#define CERT_HEAD 1u   /* encoding */
#define AUTH_HEAD 4u   /* method, 3 reserved octets */
#define NOTIFY_HEAD 4u /* protocol ID, SPI size, type */
#define DELETE_HEAD 4u /* protocol ID, SPI size, number of SPIs */

/* The bytes of body after a head of n octets (the caller checked body.len >= n). */
static struct ike_view after(struct ike_view body, size_t n)
{
	return (struct ike_view){body.ptr + n, body.len - n};
}

static enum ike_msg_err decode_notify(struct ike_dec *d, struct ike_notify *n,
				      struct ike_view body)
{
	if (body.len < NOTIFY_HEAD)
		return ike_dec_fail(d, body.ptr, IKE_MSG_E_BAD_NOTIFY);
	size_t spi_size = body.ptr[1];
	if (!ike_rule_spi_size(spi_size) || spi_size > body.len - NOTIFY_HEAD)
		return ike_dec_fail(d, body.ptr, IKE_MSG_E_BAD_NOTIFY);
	n->proto = body.ptr[0];
	n->type = ike_get16(body.ptr + 2);
	n->spi = (struct ike_view){body.ptr + NOTIFY_HEAD, spi_size};
	n->data = after(body, NOTIFY_HEAD + spi_size);
	return IKE_MSG_E_OK;
}

static enum ike_msg_err decode_delete(struct ike_dec *d, struct ike_delete *del,
				      struct ike_view body)
{
	if (body.len < DELETE_HEAD)
		return ike_dec_fail(d, body.ptr, IKE_MSG_E_BAD_DELETE);
	del->proto = body.ptr[0];
	del->spi_size = body.ptr[1];
	del->n_spi = ike_get16(body.ptr + 2);
	del->spis = after(body, DELETE_HEAD);
	if (!ike_rule_delete(del->proto, del->spi_size, del->n_spi, del->spis.len))
		return ike_dec_fail(d, body.ptr, IKE_MSG_E_BAD_DELETE);
	return IKE_MSG_E_OK;
}

enum ike_msg_err ike_dec_simple(struct ike_dec *d, struct ike_pld *pld, struct ike_view body)
{
	switch (pld->type) {
	case IKE_PLD_KE:
		if (body.len <= KE_HEAD)
			return ike_dec_fail(d, body.ptr, IKE_MSG_E_BAD_KE);
		pld->u.ke = (struct ike_ke){ike_get16(body.ptr), after(body, KE_HEAD)};
		return IKE_MSG_E_OK;
	case IKE_PLD_IDI:
	case IKE_PLD_IDR:
		if (body.len < ID_HEAD || !ike_rule_id(body.ptr[0], body.len - ID_HEAD))
			return ike_dec_fail(d, body.ptr, IKE_MSG_E_BAD_ID);
		pld->u.id = (struct ike_id){body.ptr[0], after(body, ID_HEAD)};
		return IKE_MSG_E_OK;
	case IKE_PLD_CERT:
	case IKE_PLD_CERTREQ:
		if (body.len < CERT_HEAD)
			return ike_dec_fail(d, body.ptr, IKE_MSG_E_BAD_PAYLOAD_LENGTH);
		pld->u.cert = (struct ike_cert){body.ptr[0], after(body, CERT_HEAD)};
		return IKE_MSG_E_OK;
	case IKE_PLD_AUTH:
		if (body.len <= AUTH_HEAD)
			return ike_dec_fail(d, body.ptr, IKE_MSG_E_BAD_AUTH);
		pld->u.auth = (struct ike_auth){body.ptr[0], after(body, AUTH_HEAD)};
		return IKE_MSG_E_OK;
	case IKE_PLD_NONCE:
		if (!ike_rule_nonce_len(body.len))
			return ike_dec_fail(d, body.ptr, IKE_MSG_E_BAD_NONCE_LENGTH);
		pld->u.data = body;
		return IKE_MSG_E_OK;
	case IKE_PLD_NOTIFY:
		return decode_notify(d, &pld->u.notify, body);
	case IKE_PLD_DELETE:
		return decode_delete(d, &pld->u.del, body);
	case IKE_PLD_EAP:
		if (!ike_rule_eap(body.ptr, body.len))
			return ike_dec_fail(d, body.ptr, IKE_MSG_E_BAD_EAP);
		pld->u.data = body;
		return IKE_MSG_E_OK;
	case IKE_PLD_VENDOR: /* opaque */
	default:
		pld->u.data = body;
		return IKE_MSG_E_OK;
	}
}
