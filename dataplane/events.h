/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data plane's event log, read with CTL_EVENTS: SA lifetime events
 * (lifetime.c) and acquires from trap policies (acquire.c).  Numbered from 1;
 * the last EVENT_LOG are kept, so a control process that polls every few
 * seconds misses none, and several readers each keep their own cursor.
 *
 * Concurrency: main lcore only.
 */
#ifndef SECGW_EVENTS_H
#define SECGW_EVENTS_H

#include <stdint.h>

#include "ctl_proto.h"

/* Append e (its number is assigned here). */
void dp_event_raise(const struct ctl_event *e);
/* Copy events numbered >= from into out (at most max); returns how many. */
uint32_t dp_events_read(uint64_t from, struct ctl_event *out, uint32_t max);

#endif
