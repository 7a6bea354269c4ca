/* SPDX-License-Identifier: BSD-3-Clause */
/* The poll loop of a worker lcore: RX, sort by ethertype, one direction per port role. */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_pause.h>

#include "dp.h"
#include "ip4.h"
#include "reclaim.h"

static void
punt(struct dp_worker *w, struct rte_mbuf *m)
{
	if (rte_ring_mp_enqueue(dp.punt_ring, m) != 0) {
		dp_drop(w, m, DPC_drop_punt_full);
		return;
	}
	w->cnt.c[DPC_punt]++;
}

/* Strip Ethernet from IPv4 frames into ip4[]; ARP goes to the main lcore. */
static uint16_t
sort_l2(struct dp_worker *w, struct rte_mbuf *pkts[], uint16_t n, struct rte_mbuf *ip4[])
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
				ip4[k++] = m;
			break;
		case RTE_BE16(RTE_ETHER_TYPE_ARP):
			punt(w, m);
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
		if (dp_is_local4(rte_pktmbuf_mtod(pkts[i], struct rte_ipv4_hdr *)->dst_addr))
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
	for (i = 0; i < n; i++)
		dp_tx_frame(w, dp_meta(m[i])->out_port, m[i]);
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
	struct rte_mbuf *pkts[DP_MAX_BURST], *ip4[DP_MAX_BURST];
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
			k = sort_l2(w, pkts, n, ip4);
			if (dp.ports[p].role == CFG_PORT_PROTECTED)
				dp_outbound_burst(w, ip4, drop_local(w, ip4, k));
			else
				dp_inbound_burst(w, ip4, k);
		}
		if (w->idx == 0)
			got += send_injected(w);
		dp_tx_flush(w);
		dp_drops_flush(w);
		/* nothing from earlier SPD generations or deleted SAs is held now */
		rte_rcu_qsbr_quiescent(dp.qsv, w->idx);
		idle_backoff(w, got);
	}
	dp_rcu_worker_offline(w->idx);
	return 0;
}
