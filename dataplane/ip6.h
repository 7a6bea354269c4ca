/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv6 header checks and edits shared by both directions (the twin of ip4.h). */
#ifndef SECGW_IP6_H
#define SECGW_IP6_H

#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "spd.h"

/* More extension headers than this is an attack, not a packet (RFC 8200 §4.1 lists 8 kinds). */
#define IP6_MAX_EXT_HDRS 8

/* Where the extension-header chain ends. */
struct ip6_upper {
	uint8_t proto;   /* upper-layer protocol (or the last Next Header value seen) */
	uint16_t off;    /* its offset from the start of the IPv6 header */
	bool later_frag; /* a non-first fragment: the upper-layer header is elsewhere */
};

/*
 * Walk the extension headers of the IPv6 packet p[0..len) (RFC 8200 §4): hop-by-hop
 * (only first), routing, fragment and destination options; stop at any other
 * Next Header value (upper layer, ESP, AH, No Next Header) or at a non-first
 * fragment.  Every header's length is checked against what remains.  False
 * when the chain is malformed or longer than IP6_MAX_EXT_HDRS.
 */
static inline bool
ip6_walk(const uint8_t *p, uint32_t len, struct ip6_upper *u)
{
	const struct rte_ipv6_hdr *h = (const struct rte_ipv6_hdr *)p;
	const struct rte_ipv6_fragment_ext *fh;
	uint32_t off = sizeof(*h), hlen;
	uint8_t nh;
	unsigned int i;

	if (len < sizeof(*h))
		return false;
	nh = h->proto;
	u->later_frag = false;
	for (i = 0; i <= IP6_MAX_EXT_HDRS; i++) {
		switch (nh) {
		case IPPROTO_HOPOPTS:
			if (off != sizeof(*h))
				return false; /* RFC 8200 §4.3: only right after the header */
			/* fallthrough */
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			if (len - off < 8)
				return false;
			hlen = (p[off + 1] + 1u) * 8;
			break;
		case IPPROTO_FRAGMENT:
			if (len - off < sizeof(*fh))
				return false;
			fh = (const struct rte_ipv6_fragment_ext *)(p + off);
			if (RTE_IPV6_GET_FO(rte_be_to_cpu_16(fh->frag_data)) != 0) {
				u->proto = fh->next_header;
				u->off = (uint16_t)(off + sizeof(*fh));
				u->later_frag = true;
				return true;
			}
			hlen = sizeof(*fh);
			break;
		default:
			u->proto = nh;
			u->off = (uint16_t)off;
			return true;
		}
		if (hlen > len - off)
			return false;
		nh = p[off];
		off += hlen;
	}
	return false;
}

/* The extension-header walk of a packet whose data starts at its IPv6 header. */
static inline bool
ip6_upper_of(const struct rte_mbuf *m, struct ip6_upper *u)
{
	return ip6_walk(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), u);
}

/*
 * Validate the IPv6 header at the start of m's data (RFC 8200 §3): version,
 * payload length within the frame (jumbograms are not supported), extension
 * headers; trim link-layer padding so that pkt_len is the IPv6 length.  Sets
 * l2_len = 0 and l3_len = the offset of the upper-layer header.  Single-segment
 * packets only.
 */
static inline bool
ip6_validate(struct rte_mbuf *m)
{
	const struct rte_ipv6_hdr *h;
	uint32_t len = rte_pktmbuf_data_len(m), tot;
	struct ip6_upper u;

	if (unlikely(m->nb_segs != 1 || len < sizeof(*h)))
		return false;
	h = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);
	tot = sizeof(*h) + rte_be_to_cpu_16(h->payload_len);
	if (unlikely((rte_be_to_cpu_32(h->vtc_flow) >> 28) != 6 || tot > len ||
		     (tot == sizeof(*h) && h->proto == IPPROTO_HOPOPTS)))
		return false;
	if (tot < len)
		rte_pktmbuf_trim(m, len - tot);
	if (unlikely(!ip6_upper_of(m, &u)))
		return false;
	m->l2_len = 0;
	m->l3_len = u.off;
	return true;
}

/* Forwarding decrements the hop limit (RFC 8200 §3); false when it expires here. */
static inline bool
ip6_hlim_dec(struct rte_ipv6_hdr *h)
{
	if (unlikely(h->hop_limits <= 1))
		return false;
	h->hop_limits--;
	return true;
}

/* Selector key of a validated packet; ports only where the first fragment has them. */
static inline void
ip6_spd_key(const struct rte_mbuf *m, struct spd6_key *k)
{
	const struct rte_ipv6_hdr *h = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);
	const rte_be16_t *ports;
	struct ip6_upper u;

	memset(k, 0, sizeof(*k));
	memcpy(k->src, h->src_addr, sizeof(k->src));
	memcpy(k->dst, h->dst_addr, sizeof(k->dst));
	if (!ip6_upper_of(m, &u))
		return; /* not validated: no protocol, so only "any" selectors match */
	k->proto = u.proto;
	if (!u.later_frag && (u.proto == IPPROTO_TCP || u.proto == IPPROTO_UDP ||
			      u.proto == IPPROTO_SCTP) &&
	    rte_pktmbuf_data_len(m) >= u.off + 4u) {
		ports = rte_pktmbuf_mtod_offset(m, const rte_be16_t *, u.off);
		k->sport = ports[0];
		k->dport = ports[1];
	}
}

#endif
