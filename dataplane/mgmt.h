/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Main-lcore neighbor protocols: ARP (arp.c) and IPv6 neighbor discovery
 * (nd6.c), with mgmt.c dispatching punted frames and holding frames until
 * their next hop resolves.  Main lcore only.
 */
#ifndef SECGW_MGMT_H
#define SECGW_MGMT_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "dp.h"

/* Count on the main lcore's own counters (one writer; telemetry reads them relaxed). */
static inline void
mgmt_count(enum dp_counter c)
{
	__atomic_store_n(&dp.mgmt_cnt.c[c], dp.mgmt_cnt.c[c] + 1, __ATOMIC_RELAXED);
}

/* Hand a complete frame to worker 0 for TX on port index p (consumes m). */
void mgmt_tx(uint16_t p, struct rte_mbuf *m);

/* A punted ARP frame (consumes m). */
void arp_input(struct rte_mbuf *m);
/* Send an ARP request for ip on port p (the caller rate-limits). */
void arp_request(uint16_t p, rte_be32_t ip);

/* A punted ND frame: Ethernet, then an IPv6 packet the worker validated, with
 * l3_len the offset of its ICMPv6 header (consumes m). */
void nd6_input(struct rte_mbuf *m);
/* Send a neighbor solicitation for target on port p (the caller rate-limits). */
void nd6_solicit(uint16_t p, const uint8_t target[16]);

#endif
