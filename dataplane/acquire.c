/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>

#include "acquire.h"
#include "events.h"
#include "ipfam.h"
#include "mgmt.h"

/* Selectors raised lately, oldest overwritten first: enough for the handful
 * of flows that wait for SAs at one time; more only raise more often. */
#define RECENT 64

static struct {
	struct ctl_event ev;
	uint64_t at;
} recent[RECENT];
static uint32_t recent_next;

void
dp_trap(struct dp_worker *w, struct rte_mbuf *m)
{
	uint64_t now = rte_get_tsc_cycles();

	if (now - w->last_acquire < rte_get_tsc_hz() / 1000 * ACQUIRE_GAP_MS) {
		dp_drop(w, m, DPC_drop_policy_trap);
		return;
	}
	w->last_acquire = now;
	w->cnt.c[DPC_drop_policy_trap]++;
	dp_punt(w, m, DP_PUNT_ACQUIRE);
}

static void
selector_of(const struct rte_mbuf *m, struct ctl_event *e)
{
	if (dp_is_ip6(m)) {
		struct spd6_key k;

		ip6_spd_key(m, &k);
		e->family = AF_INET6;
		e->proto = k.proto;
		memcpy(e->src, k.src, 16);
		memcpy(e->dst, k.dst, 16);
		e->sport = rte_be_to_cpu_16(k.sport);
		e->dport = rte_be_to_cpu_16(k.dport);
	} else {
		struct spd4_key k;

		ip4_spd_key(m, &k);
		e->family = AF_INET;
		e->proto = k.proto;
		memcpy(e->src, &k.src, 4);
		memcpy(e->dst, &k.dst, 4);
		e->sport = rte_be_to_cpu_16(k.sport);
		e->dport = rte_be_to_cpu_16(k.dport);
	}
}

/* Ports are left out: a client opening connection after connection while it
 * waits for its SA wants one SA, not an acquire per source port. */
static bool
same_flow(const struct ctl_event *a, const struct ctl_event *b)
{
	return a->family == b->family && a->proto == b->proto &&
	       memcmp(a->src, b->src, 16) == 0 && memcmp(a->dst, b->dst, 16) == 0;
}

void
dp_acquire_punted(struct rte_mbuf *m)
{
	struct ctl_event e = {.kind = CTL_EV_ACQUIRE};
	uint64_t now = rte_get_tsc_cycles();
	uint64_t repeat = rte_get_tsc_hz() / 1000 * ACQUIRE_REPEAT_MS;
	uint32_t i;

	selector_of(m, &e);
	rte_pktmbuf_free(m);
	for (i = 0; i < RECENT; i++)
		if (recent[i].at != 0 && now - recent[i].at < repeat &&
		    same_flow(&recent[i].ev, &e)) {
			mgmt_count(DPC_acquire_repeat);
			return;
		}
	recent[recent_next].ev = e;
	recent[recent_next].at = now;
	recent_next = (recent_next + 1) % RECENT;
	mgmt_count(DPC_acquire);
	dp_event_raise(&e);
}
