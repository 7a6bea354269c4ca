/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IP header in front of AH: which bytes the ICV may cover as they are and
 * which are mutable in transit (RFC 4302 §3.3.3.1 and Appendix A).
 */
#include <string.h>

#include <rte_ip.h>

#include "ah_internal.h"

#define IP4_OPT_EOL 0
#define IP4_OPT_NOP 1
#define IP6_OPT_PAD1 0
#define IP6_OPT_MAY_CHANGE 0x20
#define IP6_HOPOPTS 0
#define IP6_ROUTING 43
#define IP6_FRAGMENT 44
#define IP6_DSTOPTS 60

/*
 * RFC 4302 Appendix A.1 by option number: immutable ones stay in the ICV,
 * mutable ones are zeroed whole; source routes would need the final
 * destination predicted, so those and unknown options are refused.
 */
static enum ah_err
ip4_option_class(uint8_t type, bool *mutable)
{
	switch (type & 0x1f) {
	case 2: case 5: case 6: case 20: case 21: /* security, router alert, SDMD */
		*mutable = false;
		return AH_OK;
	case 4: case 7: case 18: /* timestamp, record route, traceroute */
		*mutable = true;
		return AH_OK;
	default:
		return AH_ERR_UNSUPPORTED;
	}
}

static enum ah_err
ip4_walk(uint8_t *l3, uint16_t l3_len, bool zero)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;
	uint16_t off = sizeof(*ip), len;
	enum ah_err e;
	bool mutable;

	if (rte_ipv4_hdr_len(ip) != l3_len)
		return AH_ERR_MALFORMED;
	/* AH covers whole datagrams only: fragments are reassembled first */
	if (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
						    RTE_IPV4_HDR_OFFSET_MASK))
		return AH_ERR_UNSUPPORTED;
	while (off < l3_len && l3[off] != IP4_OPT_EOL) {
		if (l3[off] == IP4_OPT_NOP) {
			off++;
			continue;
		}
		if (off + 2 > l3_len || l3[off + 1] < 2 || off + l3[off + 1] > l3_len)
			return AH_ERR_MALFORMED;
		len = l3[off + 1];
		e = ip4_option_class(l3[off], &mutable);
		if (e != AH_OK)
			return e;
		if (zero && mutable)
			memset(l3 + off, 0, len);
		off += len;
	}
	if (zero) {
		ip->type_of_service = 0;
		ip->fragment_offset = 0;
		ip->time_to_live = 0;
		ip->hdr_checksum = 0;
	}
	return AH_OK;
}

/* Options whose "may change" bit is set have their data zeroed (§3.3.3.1.2). */
static enum ah_err
ip6_options_walk(uint8_t *p, uint16_t len, bool zero)
{
	uint16_t off = 2;

	while (off < len) {
		if (p[off] == IP6_OPT_PAD1) {
			off++;
			continue;
		}
		if (off + 2 > len || off + 2 + p[off + 1] > len)
			return AH_ERR_MALFORMED;
		if (zero && (p[off] & IP6_OPT_MAY_CHANGE))
			memset(p + off + 2, 0, p[off + 1]);
		off += 2 + p[off + 1];
	}
	return AH_OK;
}

static enum ah_err
ip6_walk(uint8_t *l3, uint16_t l3_len, bool zero, uint16_t *nh_off)
{
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)l3;
	uint16_t off = sizeof(*ip), len;
	uint8_t nh = ip->proto;
	enum ah_err e;

	*nh_off = offsetof(struct rte_ipv6_hdr, proto);
	while (off < l3_len) {
		if (off + 2 > l3_len)
			return AH_ERR_MALFORMED;
		len = (l3[off + 1] + 1) * 8;
		if (off + len > l3_len)
			return AH_ERR_MALFORMED;
		switch (nh) {
		case IP6_HOPOPTS:
			if (off != sizeof(*ip))
				return AH_ERR_MALFORMED;
			/* fall through */
		case IP6_DSTOPTS:
			e = ip6_options_walk(l3 + off, len, zero);
			if (e != AH_OK)
				return e;
			break;
		case IP6_ROUTING:
			/* addresses still to visit would have to be predicted */
			if (len < 4 || l3[off + 3] != 0)
				return AH_ERR_UNSUPPORTED;
			break;
		case IP6_FRAGMENT:
			return AH_ERR_UNSUPPORTED;
		default:
			return AH_ERR_MALFORMED;
		}
		*nh_off = off;
		nh = l3[off];
		off += len;
	}
	if (zero) { /* traffic class, flow label, hop limit */
		ip->vtc_flow &= rte_cpu_to_be_32(0xf0000000);
		ip->hop_limits = 0;
	}
	return AH_OK;
}

/* The header's own length field must describe exactly the packet. */
static bool
length_matches(const uint8_t *l3, uint8_t version, uint32_t pkt_len)
{
	const struct rte_ipv4_hdr *ip4 = (const struct rte_ipv4_hdr *)l3;
	const struct rte_ipv6_hdr *ip6 = (const struct rte_ipv6_hdr *)l3;

	if (version == 4)
		return rte_be_to_cpu_16(ip4->total_length) == pkt_len;
	return rte_be_to_cpu_16(ip6->payload_len) + sizeof(*ip6) == pkt_len;
}

enum ah_err
ah_l3_walk(uint8_t *l3, uint16_t l3_len, uint32_t pkt_len, bool zero, struct ah_l3 *out)
{
	if (l3_len > AH_HDR_SAVE_MAX)
		return AH_ERR_UNSUPPORTED;
	if (l3_len > pkt_len || l3_len < sizeof(struct rte_ipv4_hdr))
		return AH_ERR_MALFORMED;
	out->version = l3[0] >> 4;
	if ((out->version != 4 && out->version != 6) ||
	    (out->version == 6 && l3_len < sizeof(struct rte_ipv6_hdr)) ||
	    !length_matches(l3, out->version, pkt_len))
		return AH_ERR_MALFORMED;
	if (out->version == 4) {
		out->nh_off = offsetof(struct rte_ipv4_hdr, next_proto_id);
		return ip4_walk(l3, l3_len, zero);
	}
	return ip6_walk(l3, l3_len, zero, &out->nh_off);
}

void
ah_l3_set_len(uint8_t *l3, uint8_t version, uint32_t pkt_len)
{
	struct rte_ipv4_hdr *ip4 = (struct rte_ipv4_hdr *)l3;
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)l3;

	if (version == 6) {
		ip6->payload_len = rte_cpu_to_be_16(pkt_len - sizeof(*ip6));
		return;
	}
	ip4->total_length = rte_cpu_to_be_16(pkt_len);
	ip4->hdr_checksum = 0;
	ip4->hdr_checksum = rte_ipv4_cksum(ip4);
}
