/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal to the decoder: the per-payload body decoders called by the chain walk. */
#ifndef SECGW_IKE_MSG_DEC_H
#define SECGW_IKE_MSG_DEC_H

#include "ike_msg.h"

/* One decode run: the message being filled and the buffer offsets are counted from. */
struct ike_dec {
	struct ike_msg *m;
	const uint8_t *base;
};

/* Record where decoding failed and pass err through. */
static inline enum ike_msg_err ike_dec_fail(struct ike_dec *d, const uint8_t *at,
					    enum ike_msg_err err)
{
	d->m->err_off = (size_t)(at - d->base);
	return err;
}

/* Each fills pld->u from body (the payload after its generic header). */
enum ike_msg_err ike_dec_sa(struct ike_dec *d, struct ike_pld *pld, struct ike_view body);
enum ike_msg_err ike_dec_ts(struct ike_dec *d, struct ike_pld *pld, struct ike_view body);
enum ike_msg_err ike_dec_cp(struct ike_dec *d, struct ike_pld *pld, struct ike_view body);
/* KE, IDi/IDr, CERT/CERTREQ, AUTH, Nonce, Notify, Delete, Vendor ID, EAP. */
enum ike_msg_err ike_dec_simple(struct ike_dec *d, struct ike_pld *pld, struct ike_view body);

#endif
