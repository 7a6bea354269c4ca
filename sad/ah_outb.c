/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Outbound AH: tunnel mode puts an outer IP header and AH in front of the
 * inner packet; transport mode inserts AH after the IP header (RFC 4302 §3.1).
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_ip.h>

#include "ah_internal.h"

#define OUTER_TTL 64

static void
ah_write(const struct ah_sa *sa, struct ah_hdr *ah, uint8_t next_hdr, uint8_t ah_len,
	 uint64_t sqn)
{
	rte_be64_t iv = rte_cpu_to_be_64(sqn);

	ah->next_hdr = next_hdr;
	ah->payload_len = ah_len / 4 - 2;
	ah->reserved = 0;
	ah->spi = sa->spi;
	ah->seq = rte_cpu_to_be_32((uint32_t)sqn);
	/* the sequence number never repeats under one key: a unique GMAC IV */
	memcpy(ah->data, &iv, sa->iv_len);
	memset(ah->data + sa->iv_len, 0, ah_len - AH_FIXED_LEN - sa->iv_len);
}

/*
 * The outer IPv4 ID is the low half of the sequence number: distinct for
 * consecutive packets should the outer packet be fragmented, and covered by
 * the ICV like every immutable field.
 */
static void
outer_write(const struct ah_sa *sa, uint8_t *p, uint32_t pkt_len, uint64_t sqn)
{
	struct rte_ipv4_hdr *ip4 = (struct rte_ipv4_hdr *)p;
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)p;

	if (sa->tun_src.family == AF_INET6) {
		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip6->proto = IPPROTO_AH_NUM;
		ip6->hop_limits = OUTER_TTL;
		memcpy(ip6->src_addr, sa->tun_src.v6, sizeof(ip6->src_addr));
		memcpy(ip6->dst_addr, sa->tun_dst.v6, sizeof(ip6->dst_addr));
		ah_l3_set_len(p, 6, pkt_len);
		return;
	}
	memset(ip4, 0, sizeof(*ip4));
	ip4->version_ihl = RTE_IPV4_VHL_DEF;
	ip4->packet_id = rte_cpu_to_be_16((uint16_t)sqn);
	ip4->time_to_live = OUTER_TTL;
	ip4->next_proto_id = IPPROTO_AH_NUM;
	ip4->src_addr = sa->tun_src.v4;
	ip4->dst_addr = sa->tun_dst.v4;
	ah_l3_set_len(p, 4, pkt_len);
}

/* Headroom for add bytes, and a length the IP header can still say. */
static bool
room_for(const struct rte_mbuf *m, uint16_t add)
{
	return rte_pktmbuf_headroom(m) >= add && rte_pktmbuf_pkt_len(m) + add <= UINT16_MAX;
}

static enum ah_err
outb_tun_prepare(const struct ah_sa *sa, struct rte_mbuf *m, uint64_t sqn, uint8_t *ah_len)
{
	uint8_t outer_v = sa->tun_src.family == AF_INET6 ? 6 : 4;
	uint16_t outer_len = outer_v == 6 ? sizeof(struct rte_ipv6_hdr) :
					    sizeof(struct rte_ipv4_hdr);
	uint8_t inner_v, *p;

	if (rte_pktmbuf_pkt_len(m) == 0)
		return AH_ERR_MALFORMED;
	inner_v = *rte_pktmbuf_mtod(m, uint8_t *) >> 4;
	if (inner_v != 4 && inner_v != 6)
		return AH_ERR_MALFORMED;
	*ah_len = ah_len_for(sa, outer_v);
	if (!room_for(m, outer_len + *ah_len))
		return AH_ERR_NOROOM;
	p = (uint8_t *)rte_pktmbuf_prepend(m, outer_len + *ah_len);
	outer_write(sa, p, rte_pktmbuf_pkt_len(m), sqn);
	ah_write(sa, (struct ah_hdr *)(p + outer_len),
		 inner_v == 4 ? IPPROTO_IPIP : IPPROTO_IPV6, *ah_len, sqn);
	m->l3_len = outer_len;
	return AH_OK;
}

static enum ah_err
outb_trs_prepare(const struct ah_sa *sa, struct rte_mbuf *m, uint64_t sqn, uint8_t *ah_len)
{
	uint16_t l3_len = m->l3_len;
	struct ah_l3 info;
	enum ah_err e;
	uint8_t *p, nh;

	e = ah_l3_walk(rte_pktmbuf_mtod(m, uint8_t *), l3_len, rte_pktmbuf_pkt_len(m),
		       false, &info);
	if (e != AH_OK)
		return e;
	*ah_len = ah_len_for(sa, info.version);
	if (!room_for(m, *ah_len))
		return AH_ERR_NOROOM;
	p = (uint8_t *)rte_pktmbuf_prepend(m, *ah_len);
	memmove(p, p + *ah_len, l3_len);
	nh = p[info.nh_off];
	p[info.nh_off] = IPPROTO_AH_NUM;
	ah_write(sa, (struct ah_hdr *)(p + l3_len), nh, *ah_len, sqn);
	ah_l3_set_len(p, info.version, rte_pktmbuf_pkt_len(m));
	return AH_OK;
}

uint16_t
ah_outb_prepare(struct ah_sa *sa, struct rte_mbuf *mb[], struct rte_crypto_op *cop[],
		uint16_t n, enum ah_err err[])
{
	uint64_t first;
	uint16_t i, avail;
	uint8_t ah_len = 0;

	avail = ah_sqn_reserve(sa, n, &first);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = mb[i];

		if (i >= avail)
			err[i] = AH_ERR_SEQ_OVERFLOW;
		else if (!rte_pktmbuf_is_contiguous(m) ||
			 (sa->esn && rte_pktmbuf_tailroom(m) < sizeof(rte_be32_t)))
			err[i] = AH_ERR_NOROOM;
		else if (sa->tunnel)
			err[i] = outb_tun_prepare(sa, m, first + i, &ah_len);
		else
			err[i] = outb_trs_prepare(sa, m, first + i, &ah_len);
		if (err[i] == AH_OK)
			ah_icv_prepare(sa, m, cop[i], first + i, ah_len);
	}
	return ah_partition(mb, cop, err, n);
}

uint16_t
ah_outb_process(struct ah_sa *sa, struct rte_mbuf *mb[], struct rte_crypto_op *cop[],
		uint16_t n, enum ah_err err[])
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		ah_icv_restore(sa, mb[i], cop[i]);
		err[i] = ah_cop_result(cop[i]);
	}
	return ah_partition(mb, cop, err, n);
}
