/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packets for the gateway itself that arrived through a transport-mode SA
 * (host-to-host use of the gateway's addresses, RFC 4301 §4.1).  The data
 * plane has no host stack, so it serves what an operator checks a transport
 * SA with: ICMP and ICMPv6 echo.  The reply goes back through the outbound
 * SPD, so it leaves under the policy (and SA) the operator configured.
 */
#include <rte_icmp.h>
#include <rte_ip.h>

#include "dp.h"

#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129

static bool
echo4_reply(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *h = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	struct rte_icmp_hdr *icmp;
	uint32_t len = rte_pktmbuf_pkt_len(m);
	rte_be32_t a;

	if (h->next_proto_id != IPPROTO_ICMP || len < m->l3_len + sizeof(*icmp) ||
	    (h->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK |
						   RTE_IPV4_HDR_MF_FLAG)) != 0)
		return false;
	icmp = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, m->l3_len);
	if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || icmp->icmp_code != 0 ||
	    rte_raw_cksum(icmp, len - m->l3_len) != 0xffff)
		return false;
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = ~rte_raw_cksum(icmp, len - m->l3_len);
	a = h->src_addr;
	h->src_addr = h->dst_addr;
	h->dst_addr = a;
	h->time_to_live = 64;
	h->hdr_checksum = 0;
	h->hdr_checksum = rte_ipv4_cksum(h);
	return true;
}

static bool
echo6_reply(struct rte_mbuf *m)
{
	struct rte_ipv6_hdr *h = rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *);
	struct rte_icmp_hdr *icmp;
	uint8_t a[16];

	/* only the plain header: the reply must not echo routing headers back */
	if (m->l3_len != sizeof(*h) || h->proto != IPPROTO_ICMPV6 ||
	    rte_pktmbuf_pkt_len(m) < sizeof(*h) + sizeof(*icmp))
		return false;
	icmp = (struct rte_icmp_hdr *)(h + 1);
	if (icmp->icmp_type != ICMP6_ECHO_REQUEST || icmp->icmp_code != 0 ||
	    rte_ipv6_udptcp_cksum_verify(h, icmp) != 0)
		return false;
	memcpy(a, h->src_addr, 16);
	memcpy(h->src_addr, h->dst_addr, 16);
	memcpy(h->dst_addr, a, 16);
	h->hop_limits = 64;
	icmp->icmp_type = ICMP6_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = rte_ipv6_udptcp_cksum(h, icmp);
	return true;
}

void
dp_local_deliver(struct dp_worker *w, struct rte_mbuf *pkts[], uint16_t n)
{
	struct rte_mbuf *reply[DP_MAX_BURST];
	uint16_t i, k = 0;
	bool ok;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		ok = (rte_pktmbuf_mtod(m, const uint8_t *)[0] >> 4) == 4 ? echo4_reply(m) :
									   echo6_reply(m);
		if (!ok) {
			dp_drop(w, m, DPC_drop_to_gateway);
			continue;
		}
		w->cnt.c[DPC_local_echo]++;
		reply[k++] = m;
	}
	dp_outbound_local(w, reply, k);
}
