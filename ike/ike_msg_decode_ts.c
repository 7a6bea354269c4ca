/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic selector payloads TSi/TSr (RFC 7296 3.13): a count, then selectors that each
 * carry their own length.  Address ranges must have exactly the length of their family;
 * selectors of other types (e.g. RFC 9478 security labels) are kept raw for the policy layer.
 */
#include <string.h>

#include "ike_msg_be.h"
#include "ike_msg_dec.h"
#include "ike_msg_rules.h"

#define TS_PLD_HEAD 4u /* number of TSs, 3 reserved octets */
#define TS_HDR_LEN 4u  /* type, IP protocol, selector length */
#define TS_ADDR_OFF 8u /* after the two ports */

enum ike_msg_err ike_dec_ts(struct ike_dec *d, struct ike_pld *pld, struct ike_view body)
{
	struct ike_msg *m = d->m;

	pld->u.ts.first = m->n_ts;
	pld->u.ts.n = 0;
	if (body.len < TS_PLD_HEAD)
		return ike_dec_fail(d, body.ptr, IKE_MSG_E_BAD_TS_LENGTH);
	uint8_t claimed = body.ptr[0];
	const uint8_t *p = body.ptr + TS_PLD_HEAD;
	size_t rem = body.len - TS_PLD_HEAD;

	while (rem > 0) {
		if (rem < TS_HDR_LEN)
			return ike_dec_fail(d, p, IKE_MSG_E_BAD_TS_LENGTH);
		uint8_t type = p[0];
		size_t slen = ike_get16(p + 2);
		size_t want = ike_rule_ts_len(type);
		if (slen < TS_HDR_LEN || slen > rem || (want != 0 && slen != want))
			return ike_dec_fail(d, p, IKE_MSG_E_BAD_TS_LENGTH);
		if (pld->u.ts.n == claimed)
			return ike_dec_fail(d, p, IKE_MSG_E_BAD_TS_COUNT);
		if (m->n_ts == IKE_MSG_MAX_TS)
			return ike_dec_fail(d, p, IKE_MSG_E_TOO_MANY_TS);
		struct ike_ts *ts = &m->ts[m->n_ts];
		memset(ts, 0, sizeof(*ts));
		ts->type = type;
		ts->ip_proto = p[1];
		if (want != 0) {
			size_t alen = (want - TS_ADDR_OFF) / 2;
			ts->port_start = ike_get16(p + 4);
			ts->port_end = ike_get16(p + 6);
			memcpy(ts->addr_start, p + TS_ADDR_OFF, alen);
			memcpy(ts->addr_end, p + TS_ADDR_OFF + alen, alen);
		} else {
			ts->raw = (struct ike_view){p + TS_HDR_LEN, slen - TS_HDR_LEN};
		}
		m->n_ts++;
		pld->u.ts.n++;
		p += slen;
		rem -= slen;
	}
	if (pld->u.ts.n == 0 || pld->u.ts.n != claimed)
		return ike_dec_fail(d, p, IKE_MSG_E_BAD_TS_COUNT);
	return IKE_MSG_E_OK;
}
