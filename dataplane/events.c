/* SPDX-License-Identifier: BSD-3-Clause */
#include "events.h"

#define EVENT_LOG 4096 /* power of two */

static struct ctl_event events[EVENT_LOG];
static uint64_t next_event = 1;

void
dp_event_raise(const struct ctl_event *e)
{
	struct ctl_event *slot = &events[next_event & (EVENT_LOG - 1)];

	*slot = *e;
	slot->number = next_event++;
}

uint32_t
dp_events_read(uint64_t from, struct ctl_event *out, uint32_t max)
{
	uint64_t oldest = next_event > EVENT_LOG ? next_event - EVENT_LOG : 1;
	uint32_t n = 0;

	if (from < oldest)
		from = oldest;
	for (; from < next_event && n < max; from++)
		out[n++] = events[from & (EVENT_LOG - 1)];
	return n;
}
