/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Trap policies (CFG_SP_TRAP): outbound traffic that needs an SA the IKE
 * daemon has not negotiated yet.  A worker drops every trapped packet
 * (drop_policy_trap) and punts at most one per ACQUIRE_GAP_MS to the main
 * lcore, which turns it into an acquire event (events.h) with the packet's
 * selector; the same addresses and protocol raise again only after
 * ACQUIRE_REPEAT_MS, so a flow that waits for its SA costs the daemon one event a second and the
 * punt ring, which also carries ARP, ND and the IKE exchange itself, a few
 * slots.
 */
#ifndef SECGW_ACQUIRE_H
#define SECGW_ACQUIRE_H

#include "dp.h"

#define ACQUIRE_GAP_MS 10
#define ACQUIRE_REPEAT_MS 1000

/* Worker: m matched a trap policy; m is consumed. */
void dp_trap(struct dp_worker *w, struct rte_mbuf *m);
/* Main lcore: a packet dp_trap() punted; m is consumed. */
void dp_acquire_punted(struct rte_mbuf *m);

#endif
