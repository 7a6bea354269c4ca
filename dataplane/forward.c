/* SPDX-License-Identifier: BSD-3-Clause */
/* Route (IPv4 or IPv6), resolve the next hop, add Ethernet and queue for TX. */
#include <rte_ethdev.h>

#include "dp.h"
#include "ipfam.h"
#include "mtu.h"
#include "neigh.h"
#include "route.h"

static void
txq_flush(struct dp_worker *w, uint16_t p)
{
	struct dp_txq *q = &w->txq[p];
	uint16_t sent;

	if (q->n == 0)
		return;
	sent = rte_eth_tx_burst(dp.ports[p].port_id, w->idx, q->m, q->n);
	w->cnt.c[DPC_tx_packets] += sent;
	if (unlikely(sent < q->n)) {
		w->cnt.c[DPC_tx_drop] += q->n - sent;
		rte_pktmbuf_free_bulk(&q->m[sent], q->n - sent);
	}
	q->n = 0;
}

void
dp_tx_flush(struct dp_worker *w)
{
	uint16_t p;

	for (p = 0; p < dp.n_ports; p++)
		txq_flush(w, p);
}

/* The main lcore holds the frame while it asks ARP or ND (RFC 1122 §2.3.2.2,
 * RFC 4861 §7.2.2). */
static void
hold_for_resolution(struct dp_worker *w, struct rte_mbuf *m, uint16_t port,
		    const struct neigh_addr *nh)
{
	struct dp_pkt_meta *meta = dp_meta(m);

	meta->out_port = port;
	meta->nh = *nh;
	if (rte_ring_mp_enqueue(dp.resolve_ring, m) != 0)
		dp_drop(w, m, DPC_drop_no_neighbor);
	else
		w->cnt.c[DPC_arp_hold]++;
}

/* A packet that fits the port's MTU: Ethernet, neighbor (ip), TX. */
static void
send_frame(struct dp_worker *w, struct rte_mbuf *m, const struct dp_nexthop *nh,
	   const struct neigh_addr *ip, uint16_t ether_type)
{
	const struct dp_port *port = &dp.ports[nh->port];
	struct rte_ether_hdr *eth;

	eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eth));
	if (unlikely(eth == NULL)) {
		dp_drop(w, m, DPC_drop_encap);
		return;
	}
	if (unlikely(!neigh_lookup(dp.neigh, nh->port, ip, &eth->dst_addr))) {
		hold_for_resolution(w, m, nh->port, ip);
		return;
	}
	rte_ether_addr_copy(&port->mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(ether_type);
	m->l2_len = sizeof(*eth);

	dp_tx_frame(w, nh->port, m);
}

/* Both families after the route lookup (nh NULL: none): MTU, then send_frame. */
static void
send_to_nexthop(struct dp_worker *w, struct rte_mbuf *m, const struct dp_nexthop *nh,
		const struct neigh_addr *dst, uint16_t ether_type)
{
	struct rte_mbuf *frags[DP_FRAG_MAX];
	const struct neigh_addr *ip;
	uint16_t i, n;

	if (unlikely(nh == NULL)) {
		dp_drop(w, m, DPC_drop_no_route);
		return;
	}
	ip = nh->on_link ? dst : &nh->gw;
	if (unlikely(rte_pktmbuf_pkt_len(m) > dp.ports[nh->port].mtu)) {
		/* fragments (IPv4 without DF), or dropped and answered with ICMP */
		n = dp_mtu_exceeded(w, m, dp.ports[nh->port].mtu, frags);
		for (i = 0; i < n; i++)
			send_frame(w, frags[i], nh, ip, ether_type);
		return;
	}
	send_frame(w, m, nh, ip, ether_type);
}

void
dp_forward4(struct dp_worker *w, struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *h = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	struct neigh_addr dst = neigh_addr4(h->dst_addr);

	send_to_nexthop(w, m, route4_lookup(dp.routes, h->dst_addr), &dst, RTE_ETHER_TYPE_IPV4);
}

void
dp_forward6(struct dp_worker *w, struct rte_mbuf *m)
{
	const struct rte_ipv6_hdr *h = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);
	struct neigh_addr dst = neigh_addr6(h->dst_addr);

	send_to_nexthop(w, m, route6_lookup(dp.routes, h->dst_addr), &dst, RTE_ETHER_TYPE_IPV6);
}

void
dp_forward(struct dp_worker *w, struct rte_mbuf *m)
{
	if (dp_is_ip6(m))
		dp_forward6(w, m);
	else
		dp_forward4(w, m);
}

void
dp_tx_frame(struct dp_worker *w, uint16_t p, struct rte_mbuf *m)
{
	struct dp_txq *q = &w->txq[p];

	q->m[q->n++] = m;
	if (q->n == DP_TX_BUF)
		txq_flush(w, p);
}
