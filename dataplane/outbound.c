/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Protected side -> unprotected side: SPD lookup, then bypass, discard or
 * ESP tunnel encapsulation.
 */
#include <rte_esp.h>
#include <rte_ip.h>

#include "dp.h"
#include "ipfam.h"

/* RFC 4301 §5.1.2.1: DSCP and ECN copied from the inner header, DF too. */
static inline void
outer4_finish(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *h = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	const struct dp_pkt_meta *meta = dp_meta(m);
	const struct rte_esp_hdr *esp = (const struct rte_esp_hdr *)(h + 1);

	h->type_of_service = meta->tos;
	h->fragment_offset = meta->df ? rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG) : 0;
	/* unique per SA and packet while the sequence number is (RFC 6864) */
	h->packet_id = rte_cpu_to_be_16((uint16_t)rte_be_to_cpu_32(esp->seq));
	h->hdr_checksum = 0;
	h->hdr_checksum = rte_ipv4_cksum(h);
}

static void
protect(struct dp_worker *w, struct rte_mbuf *pkts[], struct sa *sas[], uint16_t n)
{
	struct rte_mbuf *out[DP_MAX_BURST];
	struct sa *out_sa[DP_MAX_BURST];
	uint16_t i, k;

	k = dp_ipsec_burst(w, pkts, sas, n, out, out_sa, CFG_DIR_OUT);
	w->cnt.c[DPC_out_protect] += k;
	for (i = 0; i < k; i++) {
		outer4_finish(out[i]);
		dp_forward4(w, out[i]);
	}
}

void
dp_outbound_burst(struct dp_worker *w, struct rte_mbuf *pkts[], uint16_t n)
{
	const struct spd_entry *res[DP_MAX_BURST];
	struct rte_mbuf *prot[DP_MAX_BURST];
	struct sa *psa[DP_MAX_BURST];
	uint16_t i, np = 0;

	dp_spd_lookup(dp_spd(), CFG_DIR_OUT, pkts, n, res);

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct rte_ipv4_hdr *h = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
		struct dp_pkt_meta *meta;

		if (res[i] == NULL) {
			dp_drop(w, m, DPC_drop_no_policy);
			continue;
		}
		if (res[i]->action == CFG_SP_DISCARD) {
			dp_drop(w, m, DPC_drop_policy_discard);
			continue;
		}
		if (!dp_ttl_dec(m)) {
			dp_drop(w, m, DPC_drop_ttl);
			continue;
		}
		if (res[i]->action == CFG_SP_BYPASS) {
			w->cnt.c[DPC_out_bypass]++;
			dp_forward(w, m);
			continue;
		}
		psa[np] = sad_slot(dp.sad, res[i]->sa_idx);
		if (unlikely(__atomic_load_n(&psa[np]->expired, __ATOMIC_RELAXED))) {
			dp_drop(w, m, DPC_drop_sa_expired);
			continue;
		}
		meta = dp_meta(m);
		meta->inner_len = rte_pktmbuf_pkt_len(m);
		meta->tos = h->type_of_service;
		meta->df = (h->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)) != 0;
		prot[np++] = m;
	}
	protect(w, prot, psa, np);
}
