/* SPDX-License-Identifier: BSD-3-Clause */
/* The poll loop of a worker lcore: RX, sort by ethertype, one direction per port role. */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_pause.h>
#include <netinet/icmp6.h>

#include "dp.h"
#include "ipfam.h"
#include "mtu.h"
#include "reclaim.h"

void
dp_punt(struct dp_worker *w, struct rte_mbuf *m, enum dp_punt_kind kind)
{
	dp_meta(m)->punt = kind;
	if (rte_ring_mp_enqueue(dp.punt_ring, m) != 0) {
		dp_drop(w, m, DPC_drop_punt_full);
		return;
	}
	w->cnt.c[DPC_punt]++;
}

static inline bool
ip6_is_multicast(const uint8_t a[16])
{
	return a[0] == 0xff;
}

static inline bool
ip6_is_link_local(const uint8_t a[16])
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

static inline bool
ip6_is_unspecified(const uint8_t a[16])
{
	static const uint8_t zero[16];

	return memcmp(a, zero, sizeof(zero)) == 0;
}

/*
 * ICMPv6 neighbor discovery (RFC 4861 §4: router and neighbor solicitations and
 * advertisements, redirects) to one of our addresses or to a multicast group:
 * the main lcore's.  m is a validated IPv6 packet.
 */
static bool
is_nd(const struct rte_mbuf *m)
{
	const struct rte_ipv6_hdr *h = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);
	struct ip6_upper u;
	uint8_t type;

	if (!ip6_upper_of(m, &u) || u.proto != IPPROTO_ICMPV6 || u.later_frag ||
	    rte_pktmbuf_data_len(m) <= u.off)
		return false;
	type = *rte_pktmbuf_mtod_offset(m, const uint8_t *, u.off);
	return type >= ND_ROUTER_SOLICIT && type <= ND_REDIRECT &&
	       (ip6_is_multicast(h->dst_addr) || dp_is_local6(h->dst_addr));
}

/* Multicast, link-local and unspecified addresses never leave their link
 * through a router (RFC 4291 §2.5.2, §2.5.6, §2.7). */
static bool
ip6_scope_ok(const struct rte_mbuf *m)
{
	const struct rte_ipv6_hdr *h = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);

	return !ip6_is_multicast(h->dst_addr) && !ip6_is_link_local(h->dst_addr) &&
	       !ip6_is_multicast(h->src_addr) && !ip6_is_link_local(h->src_addr) &&
	       !ip6_is_unspecified(h->src_addr);
}

/* An IPv6 frame: ND to the main lcore (Ethernet kept), routable packets to ip[]. */
static bool
sort_ip6(struct dp_worker *w, struct rte_mbuf *m)
{
	rte_pktmbuf_adj(m, sizeof(struct rte_ether_hdr));
	if (unlikely(!ip6_validate(m))) {
		dp_drop(w, m, DPC_drop_malformed);
		return false;
	}
	if (unlikely(is_nd(m))) {
		rte_pktmbuf_prepend(m, sizeof(struct rte_ether_hdr));
		dp_punt(w, m, DP_PUNT_L2);
		return false;
	}
	if (unlikely(!ip6_scope_ok(m))) {
		dp_drop(w, m, DPC_drop_ip6_scope);
		return false;
	}
	return true;
}

/* Strip Ethernet from IPv4 and IPv6 frames into ip[]; ARP and ND go to the main lcore. */
static uint16_t
sort_l2(struct dp_worker *w, struct rte_mbuf *pkts[], uint16_t n, struct rte_mbuf *ip[])
{
	uint16_t i, k = 0;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct rte_ether_hdr *eth;

		if (i + 3 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 3], void *));
		if (unlikely(rte_pktmbuf_data_len(m) < sizeof(*eth))) {
			dp_drop(w, m, DPC_drop_malformed);
			continue;
		}
		eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		switch (eth->ether_type) {
		case RTE_BE16(RTE_ETHER_TYPE_IPV4):
			rte_pktmbuf_adj(m, sizeof(*eth));
			if (unlikely(!ip4_validate(m)))
				dp_drop(w, m, DPC_drop_malformed);
			else
				ip[k++] = m;
			break;
		case RTE_BE16(RTE_ETHER_TYPE_IPV6):
			if (sort_ip6(w, m))
				ip[k++] = m;
			break;
		case RTE_BE16(RTE_ETHER_TYPE_ARP):
			dp_punt(w, m, DP_PUNT_L2);
			break;
		default:
			dp_drop(w, m, DPC_drop_not_ip);
		}
	}
	return k;
}

/* Packets to the gateway itself have no service on the protected side yet. */
static uint16_t
drop_local(struct dp_worker *w, struct rte_mbuf *pkts[], uint16_t n)
{
	uint16_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (dp_is_local(pkts[i]))
			dp_drop(w, pkts[i], DPC_drop_to_gateway);
		else
			pkts[k++] = pkts[i];
	}
	return k;
}

static uint16_t
send_injected(struct dp_worker *w)
{
	struct rte_mbuf *m[DP_MAX_BURST];
	uint16_t i, n;

	n = rte_ring_sc_dequeue_burst(dp.inject_ring, (void **)m, DP_MAX_BURST, NULL);
	for (i = 0; i < n; i++) {
		if (dp_meta(m[i])->out_port == DP_INJECT_ROUTE)
			dp_forward(w, m[i]);
		else
			dp_tx_frame(w, dp_meta(m[i])->out_port, m[i]);
	}
	return n;
}

static void
idle_backoff(struct dp_worker *w, uint16_t got)
{
	const struct secgw_config *cfg = dp.cfg;

	if (got != 0) {
		w->idle = 0;
		return;
	}
	if (++w->idle < cfg->idle_polls || cfg->idle_sleep_us == 0)
		rte_pause();
	else
		rte_delay_us_sleep(cfg->idle_sleep_us);
}

int
dp_worker_main(void *arg)
{
	struct dp_worker *w = arg;
	struct rte_mbuf *pkts[DP_MAX_BURST], *ip[DP_MAX_BURST];
	uint16_t burst = dp.cfg->burst, p, n, k, got;

	dp_rcu_worker_online(w->idx);
	while (!__atomic_load_n(&dp.stop, __ATOMIC_RELAXED)) {
		got = 0;
		for (p = 0; p < dp.n_ports; p++) {
			n = rte_eth_rx_burst(dp.ports[p].port_id, w->idx, pkts, burst);
			if (n == 0)
				continue;
			got += n;
			w->cnt.c[DPC_rx_packets] += n;
			k = sort_l2(w, pkts, n, ip);
			if (dp.ports[p].role == CFG_PORT_PROTECTED)
				dp_outbound_burst(w, ip, drop_local(w, ip, k));
			else
				dp_inbound_burst(w, ip, k);
		}
		if (w->idx == 0)
			got += send_injected(w);
		dp_tx_flush(w);
		dp_drops_flush(w);
		dp_reasm_poll(w);
		/* nothing from earlier SPD generations or deleted SAs is held now */
		rte_rcu_qsbr_quiescent(dp.qsv, w->idx);
		idle_backoff(w, got);
	}
	dp_rcu_worker_offline(w->idx);
	return 0;
}
