/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_cycles.h>

#include "dp.h"
#include "events.h"
#include "lifetime.h"

#define SCAN_SLICE 1024

static uint32_t scan_pos;

static void
raise_event(const struct sa *s, enum ctl_event_kind kind, enum ctl_event_limit limit)
{
	dp_event_raise(&(struct ctl_event){
		.spi = s->cfg.spi, .dir = s->cfg.dir, .kind = kind, .limit = limit});
}

/* Which limit of the pair (soft or hard) has been reached, if any. */
static enum ctl_event_limit
reached(const struct sa *s, const struct sa_counters *c, uint64_t secs, bool hard)
{
	const struct cfg_lifetime *l = &s->cfg.life;
	uint64_t bytes = hard ? l->hard_bytes : l->soft_bytes;
	uint64_t pkts = hard ? l->hard_packets : l->soft_packets;
	uint64_t limit_s = hard ? l->hard_seconds : l->soft_seconds;

	if (bytes && c->bytes >= bytes)
		return CTL_LIMIT_BYTES;
	if (pkts && c->packets >= pkts)
		return CTL_LIMIT_PACKETS;
	if (limit_s && secs >= limit_s)
		return CTL_LIMIT_SECONDS;
	return 0;
}

static void
check_sa(struct sa *s, uint64_t now)
{
	const struct cfg_lifetime *l = &s->cfg.life;
	uint64_t secs = (now - s->installed_tsc) / rte_get_tsc_hz();
	struct sa_counters c;
	enum ctl_event_limit why;

	if (s->expired || (l->soft_bytes | l->hard_bytes | l->soft_packets | l->hard_packets |
			   l->soft_seconds | l->hard_seconds) == 0)
		return;
	c = dp_sa_usage(s);
	why = reached(s, &c, secs, true);
	if (why != 0) {
		__atomic_store_n(&s->expired, true, __ATOMIC_RELAXED);
		raise_event(s, CTL_EV_HARD_EXPIRE, why);
		return;
	}
	why = reached(s, &c, secs, false);
	if (why != 0 && !s->soft_fired) {
		s->soft_fired = true;
		raise_event(s, CTL_EV_SOFT_EXPIRE, why);
	}
}

void
dp_lifetime_poll(void)
{
	uint32_t cap = sad_capacity(dp.sad), i;
	uint64_t now = rte_get_tsc_cycles();
	struct sa *s;

	for (i = 0; i < SCAN_SLICE && i < cap; i++) {
		s = sad_slot(dp.sad, scan_pos);
		if (s->live)
			check_sa(s, now);
		scan_pos = scan_pos + 1 == cap ? 0 : scan_pos + 1;
	}
}
