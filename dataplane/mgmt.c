/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Main-lcore duties: ARP (answer for our addresses, learn and resolve next
 * hops).  Not on the packet path: workers punt to it through rings.
 */
#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "dp.h"
#include "ctl_server.h"
#include "lifetime.h"
#include "neigh.h"
#include "reclaim.h"

#define MGMT_BURST 32

/* Worker 0 sends for us, so no device needs a queue for the main lcore. */
static void
mgmt_tx(uint16_t p, struct rte_mbuf *m)
{
	dp_meta(m)->out_port = p;
	if (rte_ring_sp_enqueue(dp.inject_ring, m) != 0)
		rte_pktmbuf_free(m);
}

static void
arp_fill(struct rte_mbuf *m, uint16_t p, uint16_t op, const struct rte_ether_addr *dst_mac,
	 const struct rte_ether_addr *tha, rte_be32_t tip)
{
	const struct dp_port *port = &dp.ports[p];
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);

	eth->dst_addr = *dst_mac;
	eth->src_addr = port->mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = sizeof(rte_be32_t);
	arp->arp_opcode = rte_cpu_to_be_16(op);
	arp->arp_data.arp_sha = port->mac;
	arp->arp_data.arp_sip = port->addr;
	arp->arp_data.arp_tha = *tha;
	arp->arp_data.arp_tip = tip;
	m->data_len = m->pkt_len = sizeof(*eth) + sizeof(*arp);
}

static void
arp_request(uint16_t p, rte_be32_t ip)
{
	static const struct rte_ether_addr bcast = {.addr_bytes = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	static const struct rte_ether_addr zero;
	struct rte_mbuf *m;

	if (dp.ports[p].addr == 0 || !neigh_may_request(dp.neigh, p, ip, rte_get_tsc_cycles(),
							rte_get_tsc_hz() / 10))
		return;
	m = rte_pktmbuf_alloc(dp.mbuf_pool);
	if (m == NULL)
		return;
	arp_fill(m, p, RTE_ARP_OP_REQUEST, &bcast, &zero, ip);
	mgmt_tx(p, m);
}

static void
arp_input(struct rte_mbuf *m)
{
	uint16_t p = dp.port_of_id[m->port];
	const struct rte_arp_hdr *arp;
	struct rte_ether_addr sha;
	rte_be32_t sip, tip;
	uint16_t op;

	if (p == DP_PORT_INVALID ||
	    rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr) + sizeof(*arp))
		goto out;
	arp = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *,
				      sizeof(struct rte_ether_hdr));
	if (arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4)
		goto out;
	op = rte_be_to_cpu_16(arp->arp_opcode);
	sha = arp->arp_data.arp_sha;
	sip = arp->arp_data.arp_sip;
	tip = arp->arp_data.arp_tip;
	if (sip == 0 || !rte_is_unicast_ether_addr(&sha))
		goto out;

	/* RFC 826: refresh what we know; learn only when it is about us */
	if (tip == dp.ports[p].addr || neigh_known(dp.neigh, p, sip))
		neigh_set(dp.neigh, p, sip, &sha);
	if (op == RTE_ARP_OP_REQUEST && tip == dp.ports[p].addr) {
		arp_fill(m, p, RTE_ARP_OP_REPLY, &sha, &sha, sip);
		mgmt_tx(p, m);
		return;
	}
out:
	rte_pktmbuf_free(m);
}

/* Next hops named in the config are resolved before traffic needs them. */
static void
resolve_configured(void)
{
	static uint64_t next;
	uint64_t now = rte_get_tsc_cycles();
	struct rte_ether_addr mac;
	uint32_t i;

	if (now < next)
		return;
	next = now + rte_get_tsc_hz();
	for (i = 0; i < dp.cfg->n_routes; i++) {
		const struct cfg_route *r = &dp.cfg->routes[i];

		if (r->via.family == AF_INET && !neigh_lookup(dp.neigh, r->port, r->via.v4, &mac))
			arp_request(r->port, r->via.v4);
	}
}

/*
 * Frames waiting for a next hop's MAC.  Bounded in count and time so that a
 * dead neighbor cannot eat the mbuf pool.
 */
#define HOLD_MAX 256
#define HOLD_TIMEOUT_MS 1000

static struct {
	struct rte_mbuf *m[HOLD_MAX];
	uint64_t since[HOLD_MAX];
	uint16_t n;
} held;

static void
hold_drop(struct rte_mbuf *m)
{
	dp.mgmt_cnt.c[DPC_drop_no_neighbor]++;
	rte_pktmbuf_free(m);
}

/* Complete the Ethernet header of a held frame and hand it to worker 0. */
static bool
hold_try_send(struct rte_mbuf *m)
{
	const struct dp_pkt_meta *meta = dp_meta(m);
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	if (!neigh_lookup(dp.neigh, meta->out_port, meta->nh_ip, &eth->dst_addr))
		return false;
	rte_ether_addr_copy(&dp.ports[meta->out_port].mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	mgmt_tx(meta->out_port, m);
	return true;
}

static void
hold_add(struct rte_mbuf *m, uint64_t now)
{
	if (hold_try_send(m))
		return;
	arp_request(dp_meta(m)->out_port, dp_meta(m)->nh_ip);
	if (held.n == HOLD_MAX) {
		hold_drop(m);
		return;
	}
	held.m[held.n] = m;
	held.since[held.n++] = now;
}

static void
hold_service(uint64_t now)
{
	uint64_t timeout = rte_get_tsc_hz() / 1000 * HOLD_TIMEOUT_MS;
	uint16_t i, k = 0;

	for (i = 0; i < held.n; i++) {
		struct rte_mbuf *m = held.m[i];

		if (hold_try_send(m))
			continue;
		if (now - held.since[i] > timeout) {
			hold_drop(m);
			continue;
		}
		arp_request(dp_meta(m)->out_port, dp_meta(m)->nh_ip);
		held.m[k] = m;
		held.since[k++] = held.since[i];
	}
	held.n = k;
}

void
dp_mgmt_poll(void)
{
	void *objs[MGMT_BURST];
	uint64_t now = rte_get_tsc_cycles();
	unsigned int n, i;

	n = rte_ring_sc_dequeue_burst(dp.punt_ring, objs, MGMT_BURST, NULL);
	for (i = 0; i < n; i++)
		arp_input(objs[i]);
	hold_service(now);
	n = rte_ring_sc_dequeue_burst(dp.resolve_ring, objs, MGMT_BURST, NULL);
	for (i = 0; i < n; i++)
		hold_add(objs[i], now);
	resolve_configured();
	dp_lifetime_poll();
	dp_ctl_poll();
	dp_reclaim_poll();
}

void
dp_mgmt_release(void)
{
	struct rte_mbuf *m;

	while (held.n > 0)
		rte_pktmbuf_free(held.m[--held.n]);
	while (dp.resolve_ring != NULL && rte_ring_dequeue(dp.resolve_ring, (void **)&m) == 0)
		rte_pktmbuf_free(m);
}
