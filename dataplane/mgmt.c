/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Main-lcore duties: ARP and IPv6 neighbor discovery (arp.c, nd6.c: answer for
 * our addresses, learn and resolve next hops), frames held until their next
 * hop resolves, control channel, lifetimes, reclamation.  Not on the packet
 * path: workers punt to it through rings.
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "dp.h"
#include "ctl_server.h"
#include "ike_relay.h"
#include "acquire.h"
#include "lifetime.h"
#include "mgmt.h"
#include "neigh.h"
#include "reclaim.h"

#define MGMT_BURST 32

/* Worker 0 sends for us, so no device needs a queue for the main lcore. */
void
mgmt_tx(uint16_t p, struct rte_mbuf *m)
{
	dp_meta(m)->out_port = p;
	if (rte_ring_sp_enqueue(dp.inject_ring, m) != 0)
		rte_pktmbuf_free(m);
}

/*
 * Ask for a next hop's MAC with ARP or ND, at most every 100 ms per neighbor:
 * the one rate limit, retry and timeout logic for both families.
 */
static void
solicit(uint16_t p, const struct neigh_addr *nh)
{
	rte_be32_t ip;

	if (!neigh_may_request(dp.neigh, p, nh, rte_get_tsc_cycles(), rte_get_tsc_hz() / 10))
		return;
	if (neigh_addr_is4(nh, &ip))
		arp_request(p, ip);
	else
		nd6_solicit(p, nh->b);
}

/* Next hops named in the config are resolved before traffic needs them. */
static void
resolve_configured(void)
{
	static uint64_t next;
	uint64_t now = rte_get_tsc_cycles();
	struct rte_ether_addr mac;
	struct neigh_addr via;
	uint32_t i;

	if (now < next)
		return;
	next = now + rte_get_tsc_hz();
	for (i = 0; i < dp.cfg->n_routes; i++) {
		const struct cfg_route *r = &dp.cfg->routes[i];

		if (r->via.family == 0)
			continue;
		via = neigh_addr_cfg(&r->via);
		if (!neigh_lookup(dp.neigh, r->port, &via, &mac))
			solicit(r->port, &via);
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
	mgmt_count(DPC_drop_no_neighbor);
	rte_pktmbuf_free(m);
}

/* Complete the Ethernet header of a held frame and hand it to worker 0. */
static bool
hold_try_send(struct rte_mbuf *m)
{
	const struct dp_pkt_meta *meta = dp_meta(m);
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	bool ip6 = (*(const uint8_t *)(eth + 1) >> 4) == 6;

	if (!neigh_lookup(dp.neigh, meta->out_port, &meta->nh, &eth->dst_addr))
		return false;
	rte_ether_addr_copy(&dp.ports[meta->out_port].mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(ip6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	mgmt_tx(meta->out_port, m);
	return true;
}

static void
hold_add(struct rte_mbuf *m, uint64_t now)
{
	if (hold_try_send(m))
		return;
	solicit(dp_meta(m)->out_port, &dp_meta(m)->nh);
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
		solicit(dp_meta(m)->out_port, &dp_meta(m)->nh);
		held.m[k] = m;
		held.since[k++] = held.since[i];
	}
	held.n = k;
}

/* Workers punt ARP and ND frames, Ethernet header included, IKE and trapped packets without. */
static void
punt_input(struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	if (dp_meta(m)->punt == DP_PUNT_IKE)
		dp_ike_relay_punted(m);
	else if (dp_meta(m)->punt == DP_PUNT_ACQUIRE)
		dp_acquire_punted(m);
	else if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV6))
		nd6_input(m);
	else
		arp_input(m);
}

void
dp_mgmt_poll(void)
{
	void *objs[MGMT_BURST];
	uint64_t now = rte_get_tsc_cycles();
	unsigned int n, i;

	n = rte_ring_sc_dequeue_burst(dp.punt_ring, objs, MGMT_BURST, NULL);
	for (i = 0; i < n; i++)
		punt_input(objs[i]);
	hold_service(now);
	n = rte_ring_sc_dequeue_burst(dp.resolve_ring, objs, MGMT_BURST, NULL);
	for (i = 0; i < n; i++)
		hold_add(objs[i], now);
	resolve_configured();
	dp_lifetime_poll();
	dp_ike_relay_poll();
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
