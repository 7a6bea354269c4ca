/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Protected side -> unprotected side: SPD lookup, then bypass, discard or
 * ESP/AH encapsulation (tunnel or transport, either family).
 */
#include <string.h>

#include <rte_esp.h>
#include <rte_ip.h>

#include "acquire.h"
#include "dp.h"
#include "ipfam.h"
#include "mtu.h"

/*
 * RFC 4303 §2.7: traffic-flow confidentiality padding after the inner packet,
 * which the receiver drops using the inner IP length.  False if no room.
 */
static inline bool
tfc_pad(struct rte_mbuf *m, uint16_t to)
{
	uint32_t len = rte_pktmbuf_pkt_len(m);
	char *p;

	if (likely(to <= len))
		return true;
	p = rte_pktmbuf_append(m, to - len);
	if (p == NULL)
		return false;
	memset(p, 0, to - len);
	return true;
}

/* What the outer header copies; an IPv6 packet is never fragmented on the way (RFC 8200 §5). */
static inline void
inner_tos_df(const struct rte_mbuf *m, struct dp_pkt_meta *meta)
{
	const struct rte_ipv4_hdr *h4;

	if (dp_is_ip6(m)) {
		meta->tos = (uint8_t)(rte_be_to_cpu_32(rte_pktmbuf_mtod(
			m, const struct rte_ipv6_hdr *)->vtc_flow) >> RTE_IPV6_HDR_TC_SHIFT);
		meta->df = 1;
		return;
	}
	h4 = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	meta->tos = h4->type_of_service;
	meta->df = (h4->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)) != 0;
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
		esp_outb_finish(out[i], out_sa[i]);
		dp_forward(w, out[i]);
	}
}

/* forwarded: from the protected side (TTL decremented); else the gateway's own. */
static void
outbound(struct dp_worker *w, struct rte_mbuf *pkts[], uint16_t n, bool forwarded)
{
	const struct spd_entry *res[DP_MAX_BURST];
	struct rte_mbuf *prot[DP_MAX_BURST], *frags[DP_FRAG_MAX];
	struct sa *psa[DP_MAX_BURST], *sa;
	uint16_t i, np = 0;
	int j, nf;

	dp_spd_lookup(dp_spd(), CFG_DIR_OUT, pkts, n, res);

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct dp_pkt_meta *meta;

		if (res[i] == NULL) {
			dp_drop(w, m, DPC_drop_no_policy);
			continue;
		}
		if (res[i]->action == CFG_SP_DISCARD) {
			dp_drop(w, m, DPC_drop_policy_discard);
			continue;
		}
		if (res[i]->action == CFG_SP_TRAP) {
			dp_trap(w, m);
			continue;
		}
		if (forwarded && !dp_ttl_dec(m)) {
			dp_drop(w, m, DPC_drop_ttl);
			continue;
		}
		if (res[i]->action == CFG_SP_BYPASS) {
			w->cnt.c[DPC_out_bypass]++;
			dp_forward(w, m);
			continue;
		}
		sa = sad_slot(dp.sad, res[i]->sa_idx);
		if (unlikely(__atomic_load_n(&sa->expired, __ATOMIC_RELAXED))) {
			dp_drop(w, m, DPC_drop_sa_expired);
			continue;
		}
		nf = dp_mtu_protect(w, m, sa, frags);
		if (nf < 0)
			continue;
		if (nf == 0) {
			frags[0] = m;
			nf = 1;
		} else if (np != 0) {
			/* the packets before m leave first: fragments must not overtake them */
			protect(w, prot, psa, np);
			np = 0;
		}
		for (j = 0; j < nf; j++) {
			m = frags[j];
			if (np == DP_MAX_BURST) {
				protect(w, prot, psa, np);
				np = 0;
			}
			meta = dp_meta(m);
			meta->inner_len = rte_pktmbuf_pkt_len(m);
			inner_tos_df(m, meta);
			if (unlikely(!tfc_pad(m, sa->tfc_pad))) {
				dp_drop(w, m, DPC_drop_encap);
				continue;
			}
			psa[np] = sa;
			prot[np++] = m;
		}
	}
	protect(w, prot, psa, np);
}

void
dp_outbound_burst(struct dp_worker *w, struct rte_mbuf *pkts[], uint16_t n)
{
	outbound(w, pkts, n, true);
}

void
dp_outbound_local(struct dp_worker *w, struct rte_mbuf *pkts[], uint16_t n)
{
	outbound(w, pkts, n, false);
}
