/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Family-generic helpers, so that the packet paths are one code path for IPv4
 * and IPv6.
 *
 * The family of a packet is the version nibble of the IP header at the start
 * of its data, not the mbuf's packet_type: decrypted inner packets and frames
 * the main lcore re-injects never pass sort_l2, and the first byte is where the
 * packet itself says what it is.  Every packet on these paths has been through
 * ip4_validate or ip6_validate, which check that nibble.
 */
#ifndef SECGW_IPFAM_H
#define SECGW_IPFAM_H

#include "dp.h"
#include "ip4.h"
#include "ip6.h"

static inline bool
dp_is_ip6(const struct rte_mbuf *m)
{
	return (*rte_pktmbuf_mtod(m, const uint8_t *) >> 4) == 6;
}

/* Decrement IPv4 TTL or IPv6 hop limit; false when the packet expires here. */
static inline bool
dp_ttl_dec(struct rte_mbuf *m)
{
	if (dp_is_ip6(m))
		return ip6_hlim_dec(rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *));
	return ip4_ttl_dec(rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *));
}

/* Is the destination one of the gateway's addresses (v4, v6 or link-local)? */
static inline bool
dp_is_local(const struct rte_mbuf *m)
{
	if (dp_is_ip6(m))
		return dp_is_local6(rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *)->dst_addr);
	return dp_is_local4(rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *)->dst_addr);
}

/* The upper-layer protocol: IPv4 protocol, or the IPv6 Next Header after the
 * extension headers (the header at l3_len). */
static inline uint8_t
dp_upper_proto(const struct rte_mbuf *m)
{
	struct ip6_upper u;

	if (!dp_is_ip6(m))
		return rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *)->next_proto_id;
	return ip6_upper_of(m, &u) ? u.proto : IPPROTO_NONE;
}

/* Policy of each packet of a mixed IPv4/IPv6 burst (max DP_MAX_BURST), in burst order. */
void dp_spd_lookup(const struct spd *spd, enum cfg_direction dir, struct rte_mbuf *pkts[],
		   uint16_t n, const struct spd_entry *res[]);

#endif
