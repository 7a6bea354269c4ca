/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4 header checks and edits shared by both directions. */
#ifndef SECGW_IP4_H
#define SECGW_IP4_H

#include <netinet/in.h>
#include <stdbool.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "spd.h"

/*
 * Validate the IPv4 header at the start of m's data (RFC 1812 §5.2.2) and
 * trim link-layer padding so that pkt_len is the IP total length.  Sets
 * l2_len = 0 and l3_len.  Single-segment packets only.
 */
static inline bool
ip4_validate(struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *h;
	uint32_t len = rte_pktmbuf_data_len(m), ihl, tot;

	if (unlikely(m->nb_segs != 1 || len < sizeof(*h)))
		return false;
	h = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	ihl = (h->version_ihl & RTE_IPV4_HDR_IHL_MASK) * RTE_IPV4_IHL_MULTIPLIER;
	tot = rte_be_to_cpu_16(h->total_length);
	if (unlikely((h->version_ihl >> 4) != 4 || ihl < sizeof(*h) || tot < ihl ||
		     tot > len || rte_raw_cksum(h, ihl) != 0xffff))
		return false;
	if (tot < len)
		rte_pktmbuf_trim(m, len - tot);
	m->l2_len = 0;
	m->l3_len = ihl;
	return true;
}

/* Forwarding decrements TTL (RFC 1812 §5.3.1); false when it expires here. */
static inline bool
ip4_ttl_dec(struct rte_ipv4_hdr *h)
{
	uint32_t sum;

	if (unlikely(h->time_to_live <= 1))
		return false;
	h->time_to_live--;
	/* incremental update (RFC 1624) for a TTL decrement */
	sum = (uint32_t)h->hdr_checksum + rte_cpu_to_be_16(0x0100);
	h->hdr_checksum = (uint16_t)(sum + (sum >= 0xffff));
	return true;
}

/* Selector key of a validated packet; ports only where the first fragment has them. */
static inline void
ip4_spd_key(const struct rte_mbuf *m, struct spd4_key *k)
{
	const struct rte_ipv4_hdr *h = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	const rte_be16_t *ports;
	bool first = (h->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK)) == 0;

	k->proto = h->next_proto_id;
	k->src = h->src_addr;
	k->dst = h->dst_addr;
	k->sport = 0;
	k->dport = 0;
	if (first && (k->proto == IPPROTO_TCP || k->proto == IPPROTO_UDP ||
		      k->proto == IPPROTO_SCTP) &&
	    rte_pktmbuf_data_len(m) >= m->l3_len + 4u) {
		ports = rte_pktmbuf_mtod_offset(m, const rte_be16_t *, m->l3_len);
		k->sport = ports[0];
		k->dport = ports[1];
	}
}

#endif
