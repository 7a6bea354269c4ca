/* SPDX-License-Identifier: BSD-3-Clause */
/* Lifetime events from the data plane (iked_events.h). */
#include "iked_events.h"

#define PAGE_MAX ((CTL_MSG_MAX - sizeof(struct ctl_reply)) / sizeof(struct ctl_event))
/* Bounds one call: the data plane keeps 4096 events, a page holds about 2700. */
#define PAGES_MAX 4

int iked_events_poll(struct ctl_client *ctl, struct iked_events *st, iked_event_fn fn,
		     void *ctx)
{
	static struct ctl_event ev[PAGE_MAX];

	for (int page = 0; page < PAGES_MAX; page++) {
		struct ctl_list_req q = {.cursor = st->cursor};
		struct ctl_reply r;

		if (ctl_request(ctl, CTL_EVENTS, &q, sizeof(q), &r, ev, sizeof(ev[0]), PAGE_MAX) < 0)
			return -1;
		for (uint32_t i = 0; i < r.count; i++)
			fn(ctx, &ev[i]);
		if (r.count == 0 || r.next_cursor == st->cursor)
			break;
		st->cursor = r.next_cursor;
	}
	return 0;
}

const char *iked_event_limit_name(uint32_t limit)
{
	switch (limit) {
	case CTL_LIMIT_BYTES: return "bytes";
	case CTL_LIMIT_PACKETS: return "packets";
	case CTL_LIMIT_SECONDS: return "seconds";
	}
	return "unknown";
}

const char *iked_event_kind_name(uint32_t kind)
{
	return kind == CTL_EV_SOFT_EXPIRE ? "soft" : kind == CTL_EV_HARD_EXPIRE ? "hard" : "unknown";
}
