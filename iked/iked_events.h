/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secgw-dp -> secgw-ike: the data plane's SA lifetime events (CTL_EVENTS,
 * control/ctl_proto.h), read with a cursor so that each is handed over once.
 * The daemon rekeys a Child SA whose half reached its soft byte or packet
 * limit (iked_dp.h struct iked_life sets them).
 *
 * The data plane keeps its last few thousand events: polling every
 * IKED_EVENTS_POLL_MS misses none.  Events from before the daemon started name
 * SPIs it does not have and are ignored by the caller.
 *
 * Concurrency: one thread (the daemon's loop).
 */
#ifndef SECGW_IKED_EVENTS_H
#define SECGW_IKED_EVENTS_H

#include "ctl_client.h"
#include "ctl_proto.h"

#define IKED_EVENTS_POLL_MS 200u

struct iked_events {
	uint32_t cursor; /* the next event number to read; 0 = from the oldest kept */
};

typedef void (*iked_event_fn)(void *ctx, const struct ctl_event *ev);

/* Hand every event since the last call to fn, in order.  0, or -1 with
 * ctl->err set (the cursor stays, so the next call retries). */
int iked_events_poll(struct ctl_client *ctl, struct iked_events *st, iked_event_fn fn,
		     void *ctx);

/* "bytes", "packets", "seconds" or "unknown"; "soft" or "hard". */
const char *iked_event_limit_name(uint32_t limit);
const char *iked_event_kind_name(uint32_t kind);

#endif
