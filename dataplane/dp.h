/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secgw-dp shared state: ports, workers, crypto device, tables.
 *
 * Concurrency: everything here is built by the main lcore before the workers
 * start and is read-only afterwards, except
 *  - struct dp_worker: owned and written by its worker only (counters, TX
 *    buffers); telemetry reads the counters with relaxed loads;
 *  - the neighbor table (neigh.h), single writer (main lcore), lock-free readers;
 *  - dp.stop, set by the signal handler.
 */
#ifndef SECGW_DP_H
#define SECGW_DP_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "config.h"
#include "counters.h"
#include "neigh.h"
#include "sad.h"
#include "spd.h"

#define DP_MAX_BURST 64
#define DP_MAX_PORTS CFG_MAX_PORTS
#define DP_TX_BUF 64
#define DP_PORT_INVALID UINT16_MAX

/* Per-packet metadata in the mbuf private area (the pool is ours). */
struct dp_pkt_meta {
	uint32_t inner_len; /* outbound: plaintext IP length (SA bytes); inbound: length
			     * handed to rte_ipsec, to tell its refusals apart */
	uint8_t tos;        /* inner TOS, copied to the outer header */
	uint8_t df;         /* inner DF bit, copied to the outer header */
	uint8_t auth_failed;
	uint8_t ipsec_proto; /* inbound: IPPROTO_ESP (also in UDP) or IPPROTO_AH */
	uint8_t punt;       /* enum dp_punt_kind of a frame on the punt ring */
	uint16_t out_port;  /* for frames the main lcore injects or holds */
	struct neigh_addr nh; /* next hop of a frame held for ARP / ND */
};

static inline struct dp_pkt_meta *
dp_meta(struct rte_mbuf *m)
{
	return (struct dp_pkt_meta *)rte_mbuf_to_priv(m);
}

struct dp_port {
	uint16_t port_id;
	enum cfg_port_role role;
	struct rte_ether_addr mac;
	rte_be32_t addr;   /* our IPv4 address on this port */
	rte_be32_t mask;
	bool has_addr6;    /* IPv6 enabled: addr6 and ll6 are ours */
	uint8_t addr6[16]; /* our IPv6 address on this port */
	uint8_t ll6[16];   /* our link-local address, fe80::/64 + EUI-64 of mac */
	uint16_t mtu;
	char name[CFG_NAME_MAX];
};

struct dp_txq {
	uint16_t n;
	struct rte_mbuf *m[DP_TX_BUF];
};

/* Packets that leave the pipeline without TX: freed in one place per loop. */
struct dp_drops {
	uint16_t n;
	struct rte_mbuf *m[DP_MAX_BURST * 2];
};

struct dp_worker {
	struct dp_counters cnt;
	struct sa_counters *sa_cnt; /* [sad capacity], this worker's share */
	unsigned int lcore;
	uint16_t idx;      /* queue index on every port and crypto qp */
	uint32_t idle;     /* consecutive empty polls */
	uint64_t last_acquire; /* TSC of the last trapped packet punted (acquire.h) */
	struct dp_txq txq[DP_MAX_PORTS];
	struct dp_drops drops;
} __rte_cache_aligned;

struct dp {
	struct secgw_config *cfg;
	struct dp_port ports[DP_MAX_PORTS];
	uint16_t n_ports;
	uint16_t port_of_id[RTE_MAX_ETHPORTS]; /* DPDK port id -> index in ports[] */
	struct dp_worker *workers;
	uint16_t n_workers;
	struct dp_counters mgmt_cnt; /* written by the main lcore only */

	uint8_t cdev_id;
	struct rte_mempool *mbuf_pool;
	struct rte_mempool *cop_pool;
	struct rte_mempool *sess_pool;

	struct sad *sad;
	struct spd *spd;            /* published generation; RCU-protected */
	struct cfg_policy *policies;/* the SPD's source, main lcore only */
	uint32_t n_policies;
	uint32_t spd_gen;
	struct rte_rcu_qsbr *qsv;
	struct rte_rcu_qsbr_dq *defer;
	struct dp_routes *routes;
	struct neigh_table *neigh;

	struct rte_ring *punt_ring;   /* worker -> main: ARP, neighbor discovery, IKE */
	struct rte_ring *resolve_ring;/* worker -> main: frames waiting for ARP / ND */
	struct rte_ring *inject_ring; /* main -> worker 0: ARP / ND frames, IKE packets to send */

	volatile bool stop;
};

extern struct dp dp;

/* What a worker hands the main lcore: a frame for ARP / ND, or an IKE packet or a
 * trapped packet (acquire.h), both without L2. */
enum dp_punt_kind { DP_PUNT_L2, DP_PUNT_IKE, DP_PUNT_ACQUIRE };
void dp_punt(struct dp_worker *w, struct rte_mbuf *m, enum dp_punt_kind kind);
/* out_port of an injected packet that worker 0 routes itself (dp_forward) */
#define DP_INJECT_ROUTE UINT16_MAX

static inline void
dp_count(struct dp_worker *w, enum dp_counter c)
{
	w->cnt.c[c]++;
}

/* The SPD generation a worker classifies against (RCU-protected). */
static inline const struct spd *
dp_spd(void)
{
	return __atomic_load_n(&dp.spd, __ATOMIC_ACQUIRE);
}

/* Is a one of the gateway's own addresses? */
static inline bool
dp_is_local4(rte_be32_t a)
{
	uint16_t i;

	for (i = 0; i < dp.n_ports; i++)
		if (dp.ports[i].addr == a)
			return true;
	return false;
}

static inline bool
dp_is_local6(const uint8_t a[16])
{
	uint16_t i;

	for (i = 0; i < dp.n_ports; i++)
		if (dp.ports[i].has_addr6 && (memcmp(dp.ports[i].addr6, a, 16) == 0 ||
					      memcmp(dp.ports[i].ll6, a, 16) == 0))
			return true;
	return false;
}

/* Account a packet that will not be sent; freed by dp_drops_flush(). */
static inline void
dp_drop(struct dp_worker *w, struct rte_mbuf *m, enum dp_counter reason)
{
	w->cnt.c[reason]++;
	w->drops.m[w->drops.n++] = m;
	if (unlikely(w->drops.n == RTE_DIM(w->drops.m))) {
		rte_pktmbuf_free_bulk(w->drops.m, w->drops.n);
		w->drops.n = 0;
	}
}

static inline void
dp_drops_flush(struct dp_worker *w)
{
	if (w->drops.n != 0) {
		rte_pktmbuf_free_bulk(w->drops.m, w->drops.n);
		w->drops.n = 0;
	}
}

/* forward.c: route an IPv4 / IPv6 packet (data at the IP header) and queue it
 * for TX; dp_forward by the packet's version nibble. */
void dp_forward4(struct dp_worker *w, struct rte_mbuf *m);
void dp_forward6(struct dp_worker *w, struct rte_mbuf *m);
void dp_forward(struct dp_worker *w, struct rte_mbuf *m);
void dp_tx_flush(struct dp_worker *w);
/* Queue a complete frame for TX on port index p. */
void dp_tx_frame(struct dp_worker *w, uint16_t p, struct rte_mbuf *m);

/* outbound.c / inbound.c: the two directions, on a burst of IPv4 and IPv6
 * packets whose data starts at the IP header (Ethernet removed, validated by
 * ip4_validate / ip6_validate, l3_len set); ipfam.h tells the families apart. */
void dp_outbound_burst(struct dp_worker *w, struct rte_mbuf *pkts[], uint16_t n);
void dp_inbound_burst(struct dp_worker *w, struct rte_mbuf *pkts[], uint16_t n);
/* Packets the gateway itself sends (local.c replies): outbound SPD, no TTL decrement. */
void dp_outbound_local(struct dp_worker *w, struct rte_mbuf *pkts[], uint16_t n);
/* local.c: packets for the gateway that came through a transport-mode SA. */
void dp_local_deliver(struct dp_worker *w, struct rte_mbuf *pkts[], uint16_t n);

/*
 * ipsec_stage.c: ESP for a burst whose packets each have an SA (sas[i]):
 * group by SA, prepare, run through the worker's crypto queue pair and finish
 * with rte_ipsec.  Packets that come through are written to out[] with their
 * SA in out_sa[] and counted; the rest are dropped with their reason.
 */
uint16_t dp_ipsec_burst(struct dp_worker *w, struct rte_mbuf *pkts[], struct sa *sas[],
			uint16_t n, struct rte_mbuf *out[], struct sa *out_sa[],
			enum cfg_direction dir);

/* esp_hdr.c: per-packet header fields around rte_ipsec (RFC 4301 §5.1.2, RFC 6040). */
void esp_outb_finish(struct rte_mbuf *m, const struct sa *s);
void esp_inb_save_outer(struct rte_mbuf *m);
bool esp_inb_ecn(struct rte_mbuf *m, const struct sa *s);

int dp_worker_main(void *arg);

/* mgmt.c: main lcore duties */
void dp_mgmt_poll(void);
/* Free frames the main lcore still holds (shutdown). */
void dp_mgmt_release(void);

int dp_telemetry_init(void);
/* An SA slot's counters summed over workers, earlier SAs in the slot included
 * (telemetry.c); its base when an SA is installed. */
struct sa_counters dp_sa_counters(uint32_t idx);
/* What the SA in the slot has counted itself. */
struct sa_counters dp_sa_usage(const struct sa *s);

#endif
