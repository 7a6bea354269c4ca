/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The header edits around rte_ipsec (and AH): it copies a fixed outer header
 * from the SA's template, so the per-packet fields the RFCs ask for are set here --
 * DSCP, ECN and DF from the inner packet (RFC 4301 §5.1.2.1, RFC 6040), the
 * IPv4 identification and checksum, and the UDP length of ESP in UDP
 * (RFC 3948); on the way in, the outer ECN field is folded into the inner one.
 */
#include <rte_esp.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "dp.h"

#define ECN_MASK 0x03

static inline uint8_t
outer_tos(uint8_t inner, const struct sa *c)
{
	uint8_t dscp = c->copy_dscp ? inner & ~ECN_MASK : 0;

	/* RFC 6040 §4.1: normal mode copies ECN, compatibility mode sends Not-ECT */
	return dscp | (c->ecn ? inner & ECN_MASK : 0);
}

static inline bool
outer_df(const struct dp_pkt_meta *meta, const struct sa *c)
{
	return c->df == CFG_DF_SET || (c->df == CFG_DF_COPY && meta->df);
}

static void
finish_udp(struct rte_mbuf *m, const struct sa *s, uint16_t l3)
{
	struct rte_udp_hdr *u = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, l3);

	u->dgram_len = rte_cpu_to_be_16(rte_pktmbuf_pkt_len(m) - l3);
	u->dgram_cksum = 0;
	/* RFC 3948 §2.1: zero over IPv4; IPv6 requires a real checksum (RFC 8200 §8.1) */
	if (s->outer_family == AF_INET6)
		u->dgram_cksum = rte_ipv6_udptcp_cksum(
			rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *), u);
}

/*
 * The outer fields AH leaves out of its ICV (RFC 4302 §3.3.3.1.1.1: TOS, flags
 * and checksum are mutable), so they can be set after it; ESP sets the rest too.
 */
static void
finish_tun4(struct rte_mbuf *m, const struct sa *s)
{
	struct rte_ipv4_hdr *h = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	const struct dp_pkt_meta *meta = dp_meta(m);
	const struct rte_esp_hdr *esp;

	h->type_of_service = outer_tos(meta->tos, s);
	h->fragment_offset = outer_df(meta, s) ? rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG) : 0;
	if (s->proto != CFG_SA_AH) {
		esp = rte_pktmbuf_mtod_offset(m, const struct rte_esp_hdr *, s->encap_len);
		/* unique per SA and packet while the sequence number is (RFC 6864) */
		h->packet_id = rte_cpu_to_be_16((uint16_t)rte_be_to_cpu_32(esp->seq));
		h->total_length = rte_cpu_to_be_16(rte_pktmbuf_pkt_len(m));
		if (s->udp_encap)
			finish_udp(m, s, sizeof(*h));
	}
	h->hdr_checksum = 0;
	h->hdr_checksum = rte_ipv4_cksum(h);
}

/* Traffic class and flow label are mutable for AH too (RFC 4302 §3.3.3.1.2.1). */
static void
finish_tun6(struct rte_mbuf *m, const struct sa *s)
{
	struct rte_ipv6_hdr *h = rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *);
	uint32_t tc = outer_tos(dp_meta(m)->tos, s);

	h->vtc_flow = rte_cpu_to_be_32(6u << 28 | tc << RTE_IPV6_HDR_TC_SHIFT);
	if (s->proto == CFG_SA_AH)
		return;
	h->payload_len = rte_cpu_to_be_16(rte_pktmbuf_pkt_len(m) - sizeof(*h));
	if (s->udp_encap)
		finish_udp(m, s, sizeof(*h));
}

void
esp_outb_finish(struct rte_mbuf *m, const struct sa *s)
{
	struct rte_ipv4_hdr *h;

	if (s->tunnel) {
		if (s->outer_family == AF_INET)
			finish_tun4(m, s);
		else
			finish_tun6(m, s);
		return;
	}
	if (s->proto == CFG_SA_AH)
		return; /* ah_outb_process wrote a whole header */
	/* transport: rte_ipsec changed the protocol and length, not the checksum */
	if (s->family == AF_INET) {
		h = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
	}
}

/* The outer DSCP/ECN of an ESP packet, kept for esp_inb_ecn() after decapsulation. */
void
esp_inb_save_outer(struct rte_mbuf *m)
{
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *);

	if ((ip[0] >> 4) == 4)
		dp_meta(m)->tos = ((const struct rte_ipv4_hdr *)ip)->type_of_service;
	else
		dp_meta(m)->tos = (uint8_t)(rte_be_to_cpu_32(
			((const struct rte_ipv6_hdr *)ip)->vtc_flow) >> RTE_IPV6_HDR_TC_SHIFT);
}

/* RFC 6040 §4.2 decapsulation table: the inner ECN field to forward, -1 to drop. */
static int
ecn_decap(uint8_t inner, uint8_t outer)
{
	enum { NOT_ECT = 0, ECT1 = 1, ECT0 = 2, CE = 3 };

	if (outer == CE)
		return inner == NOT_ECT ? -1 : CE;
	if (outer == ECT1 && inner == ECT0)
		return ECT1;
	return inner;
}

/*
 * Fold the outer ECN field into a decapsulated tunnel packet; false when
 * RFC 6040 says drop.  The inner DSCP is left alone (RFC 4301 §5.1.2.1).
 */
bool
esp_inb_ecn(struct rte_mbuf *m, const struct sa *s)
{
	uint8_t *ip = rte_pktmbuf_mtod(m, uint8_t *);
	uint8_t outer = dp_meta(m)->tos & ECN_MASK;
	struct rte_ipv4_hdr *h4;
	struct rte_ipv6_hdr *h6;
	uint32_t vtc;
	int ecn;

	if (!s->ecn)
		return true;
	if ((ip[0] >> 4) == 4) {
		h4 = (struct rte_ipv4_hdr *)ip;
		ecn = ecn_decap(h4->type_of_service & ECN_MASK, outer);
		if (ecn < 0)
			return false;
		if (ecn != (h4->type_of_service & ECN_MASK)) {
			h4->type_of_service = (h4->type_of_service & ~ECN_MASK) | ecn;
			h4->hdr_checksum = 0;
			h4->hdr_checksum = rte_ipv4_cksum(h4);
		}
		return true;
	}
	h6 = (struct rte_ipv6_hdr *)ip;
	vtc = rte_be_to_cpu_32(h6->vtc_flow);
	ecn = ecn_decap(vtc >> RTE_IPV6_HDR_TC_SHIFT & ECN_MASK, outer);
	if (ecn < 0)
		return false;
	vtc = (vtc & ~((uint32_t)ECN_MASK << RTE_IPV6_HDR_TC_SHIFT)) |
	      (uint32_t)ecn << RTE_IPV6_HDR_TC_SHIFT;
	h6->vtc_flow = rte_cpu_to_be_32(vtc);
	return true;
}
