/* SPDX-License-Identifier: BSD-3-Clause */
/* Configuration payload (RFC 7296 3.15): a CFG type, then attributes in TLV form. */
#include "ike_msg_be.h"
#include "ike_msg_dec.h"
#include "ike_msg_rules.h"

#define CP_HEAD 4u      /* CFG type, 3 reserved octets */
#define CP_ATTR_HDR 4u  /* R bit + type, length */
#define CP_ATTR_TYPE_MASK 0x7fffu

enum ike_msg_err ike_dec_cp(struct ike_dec *d, struct ike_pld *pld, struct ike_view body)
{
	struct ike_msg *m = d->m;

	pld->u.cp.first = m->n_cp;
	pld->u.cp.n = 0;
	if (body.len < CP_HEAD || !ike_rule_cfg_type(body.ptr[0]))
		return ike_dec_fail(d, body.ptr, IKE_MSG_E_BAD_CP);
	pld->u.cp.cfg_type = body.ptr[0];
	const uint8_t *p = body.ptr + CP_HEAD;
	size_t rem = body.len - CP_HEAD;

	while (rem > 0) {
		if (rem < CP_ATTR_HDR)
			return ike_dec_fail(d, p, IKE_MSG_E_BAD_CP);
		size_t vlen = ike_get16(p + 2);
		if (vlen > rem - CP_ATTR_HDR)
			return ike_dec_fail(d, p, IKE_MSG_E_BAD_CP);
		if (m->n_cp == IKE_MSG_MAX_CP_ATTRS)
			return ike_dec_fail(d, p, IKE_MSG_E_TOO_MANY_CP_ATTRS);
		m->cp[m->n_cp] = (struct ike_cp_attr){
			.type = ike_get16(p) & CP_ATTR_TYPE_MASK,
			.value = {p + CP_ATTR_HDR, vlen},
		};
		m->n_cp++;
		pld->u.cp.n++;
		p += CP_ATTR_HDR + vlen;
		rem -= CP_ATTR_HDR + vlen;
	}
	return IKE_MSG_E_OK;
}
