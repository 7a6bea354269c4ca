/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ICV computation both directions share: the packet is authenticated in
 * place with its mutable fields and its Authentication Data zeroed (RFC 4302
 * §3.3.3.1), the ESN high half appended (§3.3.3.2.1); what was zeroed is kept
 * in the op's private area and put back afterwards.
 */
#include <stddef.h>
#include <string.h>

#include <rte_errno.h>

#include "ah_internal.h"

#define PRIV_OFFSET(field) (SA_IV_OFFSET + offsetof(struct ah_cop_priv, field))

static struct ah_hdr *
ah_at(struct rte_mbuf *m, const struct ah_cop_priv *pv)
{
	return rte_pktmbuf_mtod_offset(m, struct ah_hdr *, pv->hdr_len);
}

void
ah_icv_prepare(const struct ah_sa *sa, struct rte_mbuf *m, struct rte_crypto_op *cop,
	       uint64_t sqn, uint8_t ah_len)
{
	struct ah_cop_priv *pv = ah_priv(cop);
	struct rte_crypto_sym_op *sym = cop->sym;
	uint8_t *l3 = rte_pktmbuf_mtod(m, uint8_t *);
	struct ah_hdr *ah;
	struct ah_l3 info;
	rte_be32_t hi;

	pv->sqn = sqn;
	pv->hdr_len = m->l3_len;
	pv->ah_len = ah_len;
	memcpy(pv->hdr, l3, m->l3_len);
	ah_l3_walk(l3, m->l3_len, rte_pktmbuf_pkt_len(m), true, &info);

	ah = ah_at(m, pv);
	/*
	 * The whole Authentication Data field (GMAC IV, ICV, padding) counts as
	 * zero; the GMAC IV enters through the nonce (RFC 4543 §4).
	 */
	memcpy(pv->nonce, sa->salt, sizeof(sa->salt));
	memcpy(pv->nonce + sizeof(sa->salt), ah->data, sa->iv_len);
	memcpy(pv->icv, ah->data + sa->iv_len, sa->icv_len);
	memset(ah->data, 0, ah_len - AH_FIXED_LEN);
	if (sa->esn) {
		hi = rte_cpu_to_be_32((uint32_t)(sqn >> 32));
		memcpy(rte_pktmbuf_append(m, sizeof(hi)), &hi, sizeof(hi));
	}

	rte_crypto_op_attach_sym_session(cop, sa->ses);
	sym->m_src = m;
	sym->m_dst = NULL;
	sym->auth.data.offset = 0;
	sym->auth.data.length = rte_pktmbuf_pkt_len(m);
	sym->auth.digest.data = pv->icv;
	sym->auth.digest.phys_addr = rte_crypto_op_ctophys_offset(cop, PRIV_OFFSET(icv));
}

void
ah_icv_restore(const struct ah_sa *sa, struct rte_mbuf *m, struct rte_crypto_op *cop)
{
	struct ah_cop_priv *pv = ah_priv(cop);
	struct ah_hdr *ah = ah_at(m, pv);

	if (sa->esn)
		rte_pktmbuf_trim(m, sizeof(rte_be32_t));
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), pv->hdr, pv->hdr_len);
	memcpy(ah->data, pv->nonce + sizeof(sa->salt), sa->iv_len);
	memcpy(ah->data + sa->iv_len, pv->icv, sa->icv_len);
}

enum ah_err
ah_cop_result(const struct rte_crypto_op *cop)
{
	switch (cop->status) {
	case RTE_CRYPTO_OP_STATUS_SUCCESS:
		return AH_OK;
	case RTE_CRYPTO_OP_STATUS_AUTH_FAILED:
		return AH_ERR_ICV;
	default:
		return AH_ERR_CRYPTO;
	}
}

static int
ah_errno(enum ah_err e)
{
	switch (e) {
	case AH_ERR_SEQ_OVERFLOW:
		return EOVERFLOW;
	case AH_ERR_NOROOM:
		return ENOSPC;
	case AH_ERR_UNSUPPORTED:
		return ENOTSUP;
	case AH_ERR_REPLAY:
		return EALREADY;
	case AH_ERR_ICV:
		return EBADMSG;
	case AH_ERR_CRYPTO:
		return EIO;
	default:
		return EINVAL;
	}
}

#define SWAP(a, b) do { __typeof__(a) t_ = (a); (a) = (b); (b) = t_; } while (0)

uint16_t
ah_partition(struct rte_mbuf *mb[], struct rte_crypto_op *cop[], enum ah_err err[],
	     uint16_t n)
{
	uint16_t i, good = 0;

	for (i = 0; i < n; i++) {
		if (err[i] != AH_OK) {
			rte_errno = ah_errno(err[i]);
			continue;
		}
		/* swapping forward keeps the good ones in order; bad order is free */
		if (i != good) {
			SWAP(mb[i], mb[good]);
			SWAP(err[i], err[good]);
			if (cop != NULL)
				SWAP(cop[i], cop[good]);
		}
		good++;
	}
	return good;
}
