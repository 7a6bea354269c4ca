/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inbound AH: parse with every length checked against what the packet holds,
 * refuse replays before crypto, let the device verify the ICV, move the
 * replay window only for verified packets, then strip AH (RFC 4302 §3.4).
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_ip.h>

#include "ah_internal.h"

/*
 * The AH after the IP header: room for the fixed part, a Payload Length that
 * fits the packet, holds the SA's IV and ICV and keeps the IP version's
 * alignment (RFC 4302 §2.2), and our SPI.
 */
static enum ah_err
ah_parse(const struct ah_sa *sa, const struct rte_mbuf *m, uint8_t version,
	 const struct ah_hdr **ahp, uint8_t *ah_len)
{
	uint32_t left = rte_pktmbuf_pkt_len(m) - m->l3_len;
	const struct ah_hdr *ah;
	uint32_t len;

	if (left < AH_FIXED_LEN)
		return AH_ERR_MALFORMED;
	ah = rte_pktmbuf_mtod_offset(m, const struct ah_hdr *, m->l3_len);
	len = (ah->payload_len + 2u) * 4;
	if (len > left || len < AH_FIXED_LEN + sa->iv_len + sa->icv_len ||
	    len % (version == 6 ? 8 : 4) != 0 || ah->spi != sa->spi)
		return AH_ERR_MALFORMED;
	/* tunnel mode carries a whole inner packet, of the version it names */
	if (sa->tunnel && ah->next_hdr != IPPROTO_IPIP && ah->next_hdr != IPPROTO_IPV6)
		return AH_ERR_MALFORMED;
	*ahp = ah;
	*ah_len = (uint8_t)len;
	return AH_OK;
}

static enum ah_err
inb_prepare_one(struct ah_sa *sa, struct rte_mbuf *m, struct rte_crypto_op *cop)
{
	uint8_t *l3 = rte_pktmbuf_mtod(m, uint8_t *);
	const struct ah_hdr *ah;
	struct ah_l3 info;
	enum ah_err e;
	uint8_t ah_len;
	uint64_t sqn;

	if (!rte_pktmbuf_is_contiguous(m))
		return AH_ERR_NOROOM;
	e = ah_l3_walk(l3, m->l3_len, rte_pktmbuf_pkt_len(m), false, &info);
	if (e != AH_OK)
		return e;
	if (l3[info.nh_off] != IPPROTO_AH_NUM)
		return AH_ERR_MALFORMED;
	e = ah_parse(sa, m, info.version, &ah, &ah_len);
	if (e != AH_OK)
		return e;
	if (replay_check(&sa->rw, rte_be_to_cpu_32(ah->seq), &sqn) != 0)
		return AH_ERR_REPLAY;
	if (sa->esn && rte_pktmbuf_tailroom(m) < sizeof(rte_be32_t))
		return AH_ERR_NOROOM;
	ah_icv_prepare(sa, m, cop, sqn, ah_len);
	return AH_OK;
}

uint16_t
ah_inb_prepare(struct ah_sa *sa, struct rte_mbuf *mb[], struct rte_crypto_op *cop[],
	       uint16_t n, enum ah_err err[])
{
	uint16_t i;

	for (i = 0; i < n; i++)
		err[i] = inb_prepare_one(sa, mb[i], cop[i]);
	return ah_partition(mb, cop, err, n);
}

/* Tunnel: the inner packet is what remains. */
static void
inb_tun_strip(struct rte_mbuf *m, uint8_t ah_len)
{
	rte_pktmbuf_adj(m, m->l3_len + ah_len);
	m->l3_len = 0;
}

/* Transport: the IP header moves up over AH and names AH's next header. */
static void
inb_trs_strip(struct rte_mbuf *m, uint8_t ah_len)
{
	uint8_t *l3 = rte_pktmbuf_mtod(m, uint8_t *);
	const struct ah_hdr *ah = (const struct ah_hdr *)(l3 + m->l3_len);
	struct ah_l3 info;
	uint8_t nh = ah->next_hdr;

	ah_l3_walk(l3, m->l3_len, rte_pktmbuf_pkt_len(m), false, &info);
	l3[info.nh_off] = nh;
	memmove(l3 + ah_len, l3, m->l3_len);
	l3 = (uint8_t *)rte_pktmbuf_adj(m, ah_len);
	ah_l3_set_len(l3, info.version, rte_pktmbuf_pkt_len(m));
}

uint16_t
ah_inb_process(struct ah_sa *sa, struct rte_mbuf *mb[], struct rte_crypto_op *cop[],
	       uint16_t n, enum ah_err err[])
{
	struct ah_cop_priv *pv;
	uint16_t i;

	for (i = 0; i < n; i++) {
		pv = ah_priv(cop[i]);
		ah_icv_restore(sa, mb[i], cop[i]);
		err[i] = ah_cop_result(cop[i]);
		/* a copy verified earlier in this burst may have taken the number */
		if (err[i] == AH_OK && replay_update(&sa->rw, pv->sqn) != 0)
			err[i] = AH_ERR_REPLAY;
		if (err[i] != AH_OK)
			continue;
		if (sa->tunnel)
			inb_tun_strip(mb[i], pv->ah_len);
		else
			inb_trs_strip(mb[i], pv->ah_len);
	}
	return ah_partition(mb, cop, err, n);
}
