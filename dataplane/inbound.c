/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unprotected side -> protected side: ESP addressed to us is decrypted and
 * must then match its SA's inbound policy; clear traffic needs a bypass policy.
 */
#include <string.h>

#include <rte_esp.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "dp.h"
#include "ipfam.h"
#include "mtu.h"

/* ESP header, IV, at least the 2-byte trailer and the ICV, block aligned. */
static inline bool
esp_len_ok(const struct rte_mbuf *m, const struct sa *s)
{
	uint32_t plen = rte_pktmbuf_pkt_len(m) - m->l3_len;
	uint32_t fixed = sizeof(struct rte_esp_hdr) + s->iv_len + s->icv_len;

	return plen >= fixed + sizeof(struct rte_esp_tail) &&
	       ((plen - fixed) % s->pad_align) == 0;
}

/*
 * A decapsulated packet, checked as the family its SA carries.  Transport
 * mode hands back the original IP header with protocol and length rewritten
 * but the IPv4 checksum stale.
 */
static bool
inner_ok(struct rte_mbuf *m, const struct sa *s)
{
	struct rte_ipv4_hdr *h = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);

	if (rte_pktmbuf_data_len(m) < 1 || dp_is_ip6(m) != (s->family == AF_INET6))
		return false;
	if (s->family == AF_INET6)
		return ip6_validate(m);
	if (rte_pktmbuf_data_len(m) < sizeof(*h))
		return false;
	if (!s->tunnel) {
		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
	}
	return ip4_validate(m);
}

/* RFC 4303 §2.7: transport mode hands a dummy packet back with next header 59. */
static inline bool
is_tfc_dummy(const struct rte_mbuf *m)
{
	return dp_upper_proto(m) == IPPROTO_NONE;
}

/* RFC 4301 §4.1: an SA looked up by SPI + destination (+ source) owns only those. */
static bool
addr_match(const struct rte_mbuf *m, const struct sa *s)
{
	const struct cfg_sa *c = &s->cfg;
	const struct rte_ipv4_hdr *h4;
	const struct rte_ipv6_hdr *h6;

	if (dp_is_ip6(m) != (c->tun_dst.family == AF_INET6))
		return false;
	if (c->tun_dst.family == AF_INET) {
		h4 = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
		return h4->dst_addr == c->tun_dst.v4 &&
		       (c->lookup != CFG_LOOKUP_SPI_DST_SRC || h4->src_addr == c->tun_src.v4);
	}
	h6 = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);
	return memcmp(h6->dst_addr, c->tun_dst.v6, 16) == 0 &&
	       (c->lookup != CFG_LOOKUP_SPI_DST_SRC || memcmp(h6->src_addr, c->tun_src.v6, 16) == 0);
}

static void
decrypt(struct dp_worker *w, struct rte_mbuf *pkts[], uint16_t n)
{
	rte_be32_t spi[DP_MAX_BURST];
	struct sa *sas[DP_MAX_BURST], *osa[DP_MAX_BURST];
	struct rte_mbuf *esp[DP_MAX_BURST], *out[DP_MAX_BURST], *local[DP_MAX_BURST];
	const struct spd_entry *res[DP_MAX_BURST];
	uint16_t i, ne = 0, k, nl = 0;

	for (i = 0; i < n; i++) {
		/* the AH SPI follows next header, length and reserved (RFC 4302 §2) */
		uint32_t at = pkts[i]->l3_len + (dp_meta(pkts[i])->ipsec_proto == IPPROTO_AH ? 4 : 0);

		if (rte_pktmbuf_pkt_len(pkts[i]) < at + sizeof(rte_be32_t)) {
			dp_drop(w, pkts[i], dp_meta(pkts[i])->ipsec_proto == IPPROTO_AH ?
				DPC_drop_ah_malformed : DPC_drop_esp_malformed);
			continue;
		}
		/* copied: behind a 14-byte Ethernet header the SPI is 2 bytes off alignment */
		memcpy(&spi[ne], rte_pktmbuf_mtod_offset(pkts[i], const void *, at), sizeof(spi[ne]));
		esp[ne++] = pkts[i];
	}
	sad_lookup_in_bulk(dp.sad, spi, ne, sas);
	for (i = 0, k = 0; i < ne; i++) {
		bool ah = dp_meta(esp[i])->ipsec_proto == IPPROTO_AH;

		if (sas[i] == NULL) {
			dp_drop(w, esp[i], DPC_drop_unknown_spi);
		} else if (ah != (sas[i]->proto == CFG_SA_AH)) {
			dp_drop(w, esp[i], DPC_drop_proto_mismatch);
		} else if (sas[i]->lookup != CFG_LOOKUP_SPI && !addr_match(esp[i], sas[i])) {
			dp_drop(w, esp[i], DPC_drop_sa_addr);
		} else if (!ah && !esp_len_ok(esp[i], sas[i])) {
			dp_drop(w, esp[i], DPC_drop_esp_malformed);
		} else if (unlikely(__atomic_load_n(&sas[i]->expired, __ATOMIC_RELAXED))) {
			dp_drop(w, esp[i], DPC_drop_sa_expired);
		} else {
			esp_inb_save_outer(esp[i]);
			w->cnt.c[ah ? DPC_in_ah : DPC_in_esp]++;
			esp[k] = esp[i];
			sas[k++] = sas[i];
		}
	}

	k = dp_ipsec_burst(w, esp, sas, k, out, osa, CFG_DIR_IN);
	for (i = 0, ne = 0; i < k; i++) {
		if (!inner_ok(out[i], osa[i])) {
			/* the SA's next header named a family the plaintext is not */
			dp_drop(w, out[i], DPC_drop_decap);
		} else if (!osa[i]->tunnel && is_tfc_dummy(out[i])) {
			dp_drop(w, out[i], DPC_drop_tfc_dummy);
		} else if (osa[i]->tunnel && !esp_inb_ecn(out[i], osa[i])) {
			dp_drop(w, out[i], DPC_drop_ecn);
		} else {
			out[ne] = out[i];
			osa[ne++] = osa[i];
		}
	}
	/* RFC 4301 §5.2: the inner packet must be one its SA was made for */
	dp_spd_lookup(dp_spd(), CFG_DIR_IN, out, ne, res);
	for (i = 0; i < ne; i++) {
		if (res[i] == NULL || res[i]->action != CFG_SP_PROTECT ||
		    (res[i]->sa_idx != (int32_t)osa[i]->idx &&
		     res[i]->alt_sa_idx != (int32_t)osa[i]->idx)) {
			dp_drop(w, out[i], DPC_drop_policy_mismatch);
			continue;
		}
		if (!osa[i]->tunnel) {
			local[nl++] = out[i];
			continue;
		}
		if (!dp_ttl_dec(out[i])) {
			dp_drop(w, out[i], DPC_drop_ttl);
			continue;
		}
		dp_forward(w, out[i]);
	}
	dp_local_deliver(w, local, nl);
}

static void
clear_traffic(struct dp_worker *w, struct rte_mbuf *pkts[], uint16_t n)
{
	const struct spd_entry *res[DP_MAX_BURST];
	uint16_t i;

	dp_spd_lookup(dp_spd(), CFG_DIR_IN, pkts, n, res);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (res[i] == NULL)
			dp_drop(w, m, DPC_drop_no_policy);
		else if (res[i]->action == CFG_SP_DISCARD)
			dp_drop(w, m, DPC_drop_policy_discard);
		else if (res[i]->action == CFG_SP_PROTECT)
			dp_drop(w, m, DPC_drop_clear_protected);
		else if (!dp_ttl_dec(m))
			dp_drop(w, m, DPC_drop_ttl);
		else {
			w->cnt.c[DPC_in_bypass]++;
			dp_forward(w, m);
		}
	}
}

/*
 * UDP to the gateway: port 4500 carries ESP (RFC 3948), NAT keepalives and
 * IKE behind a zero non-ESP marker; port 500 carries IKE, which goes to the
 * main lcore for the IKE daemon.  Returns true when m is ESP, with l3_len
 * moved past the UDP header.
 */
static bool
udp_to_gateway(struct dp_worker *w, struct rte_mbuf *m)
{
	const struct rte_udp_hdr *u;
	const uint8_t *p;
	uint32_t len = rte_pktmbuf_pkt_len(m) - m->l3_len;

	if (len < sizeof(*u)) {
		dp_drop(w, m, DPC_drop_malformed);
		return false;
	}
	u = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, m->l3_len);
	p = (const uint8_t *)(u + 1);
	len -= sizeof(*u);
	if (u->dst_port == RTE_BE16(4500)) {
		if (len == 1 && p[0] == 0xff) {
			dp_drop(w, m, DPC_in_natt_keepalive);
			return false;
		}
		if (len >= 4 && (p[0] | p[1] | p[2] | p[3]) != 0) {
			m->l3_len += sizeof(*u);
			return true;
		}
	} else if (u->dst_port != RTE_BE16(500)) {
		dp_drop(w, m, DPC_drop_to_gateway);
		return false;
	}
	dp_punt(w, m, DP_PUNT_IKE);
	return false;
}

void
dp_inbound_burst(struct dp_worker *w, struct rte_mbuf *pkts[], uint16_t n)
{
	struct rte_mbuf *esp[DP_MAX_BURST], *clear[DP_MAX_BURST];
	uint16_t i, ne = 0, nc = 0;

	for (i = 0; i < n; i++) {
		uint8_t proto;

		if (!dp_is_local(pkts[i])) {
			clear[nc++] = pkts[i];
			continue;
		}
		/* RFC 4303 §3.4.1: reassemble before ESP; NULL while fragments are missing */
		if (unlikely(dp_is_fragment(pkts[i])) && (pkts[i] = dp_reasm(w, pkts[i])) == NULL)
			continue;
		proto = dp_upper_proto(pkts[i]);
		if (proto == IPPROTO_UDP) {
			if (!udp_to_gateway(w, pkts[i]))
				continue;
			proto = IPPROTO_ESP;
		}
		if (proto != IPPROTO_ESP && proto != IPPROTO_AH) {
			dp_drop(w, pkts[i], DPC_drop_to_gateway);
			continue;
		}
		dp_meta(pkts[i])->ipsec_proto = proto;
		esp[ne++] = pkts[i];
	}
	decrypt(w, esp, ne);
	clear_traffic(w, clear, nc);
}
