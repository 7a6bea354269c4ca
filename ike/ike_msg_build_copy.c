/* SPDX-License-Identifier: BSD-3-Clause */
/* Re-encode a decoded payload: the decoder's structs are the builder's input. */
#include "ike_msg_bld.h"

enum ike_msg_err ike_build_copy(struct ike_build *b, const struct ike_msg *m,
				const struct ike_pld *p)
{
	switch (p->type) {
	case IKE_PLD_SA:
		return ike_build_sa(b, &m->prop[p->u.sa.first], p->u.sa.n, m->xf);
	case IKE_PLD_KE:
		return ike_build_ke(b, &p->u.ke);
	case IKE_PLD_IDI:
	case IKE_PLD_IDR:
		return ike_build_id(b, p->type, &p->u.id);
	case IKE_PLD_CERT:
	case IKE_PLD_CERTREQ:
		return ike_build_cert(b, p->type, &p->u.cert);
	case IKE_PLD_AUTH:
		return ike_build_auth(b, &p->u.auth);
	case IKE_PLD_NONCE:
		return ike_build_nonce(b, p->u.data);
	case IKE_PLD_NOTIFY:
		return ike_build_notify(b, &p->u.notify);
	case IKE_PLD_DELETE:
		return ike_build_delete(b, &p->u.del);
	case IKE_PLD_VENDOR:
		return ike_build_vendor(b, p->u.data);
	case IKE_PLD_TSI:
	case IKE_PLD_TSR:
		return ike_build_ts(b, p->type, &m->ts[p->u.ts.first], p->u.ts.n);
	case IKE_PLD_CP:
		return ike_build_cp(b, p->u.cp.cfg_type, &m->cp[p->u.cp.first], p->u.cp.n);
	case IKE_PLD_EAP:
		return ike_build_eap(b, p->u.data);
	default:
		/* SK/SKF bodies are ciphertext: only the crypto layer can rebuild them. */
		return ike_build_fail(b, IKE_MSG_E_BAD_ARG);
	}
}
