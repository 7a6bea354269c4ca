/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packets and MTUs: what the data plane does with a packet bigger than the
 * link it must leave by (frag.c), and with fragments addressed to the gateway
 * (reasm.c).  The rules and the config fields are in configs/README.md, "MTU
 * and fragments".
 *
 * Concurrency: each worker owns its ICMP token bucket and its reassembly table
 * (indexed by dp_worker.idx): no locks, no syscalls.  Setup and teardown run on
 * the main lcore while no worker polls.
 */
#ifndef SECGW_MTU_H
#define SECGW_MTU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dp.h"

/* Fragments one packet may become.  A packet in one mbuf is at most ~2 KB and
 * the smallest usable MTU (576 minus the largest SA overhead) takes more than
 * 400 bytes of it per fragment, so 16 is never the limit in practice. */
#define DP_FRAG_MAX 16

/* Set up the ICMP token buckets and the smallest port MTU (main lcore, once). */
void dp_frag_setup(void);

/*
 * Outbound, before encapsulation: does inner packet m (data at its IP header,
 * validated, TTL already decremented) fit the egress MTU of SA s once
 * encapsulated?  Returns
 *   0  it fits; m is untouched;
 *   n  m was an IPv4 packet without DF and is now the n fragments in frags[],
 *      each of which fits once encapsulated (m is freed);
 *  -1  m was dropped (counted) and, when the rules allow, answered with ICMP
 *      fragmentation needed / ICMPv6 packet too big carrying the SA's usable MTU.
 */
int dp_mtu_protect(struct dp_worker *w, struct rte_mbuf *m, const struct sa *s,
		   struct rte_mbuf *frags[DP_FRAG_MAX]);

/*
 * Any packet bigger than mtu, the MTU of its egress port (forward.c): returns
 * the number of fragments in frags[] to send instead of m (m freed), or 0 when
 * m was dropped (and answered as in dp_mtu_protect).
 */
uint16_t dp_mtu_exceeded(struct dp_worker *w, struct rte_mbuf *m, uint16_t mtu,
			 struct rte_mbuf *frags[DP_FRAG_MAX]);

/* reasm.c: one rte_ip_frag table per worker, sized from the config. */
int dp_reasm_setup(char *err, size_t len);
void dp_reasm_teardown(void);

/* Is m (addressed to the gateway, validated) an IPv4 or IPv6 fragment? */
bool dp_is_fragment(const struct rte_mbuf *m);

/*
 * Take fragment m for reassembly.  Returns the complete packet -- one
 * contiguous, validated mbuf -- when m completed it, else NULL (m is held, or
 * was dropped and counted).
 */
struct rte_mbuf *dp_reasm(struct dp_worker *w, struct rte_mbuf *m);

/* Once per poll loop: time out stale packets and free what reassembly dropped. */
void dp_reasm_poll(struct dp_worker *w);

#endif
