/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SA lifetimes (RFC 4301 §4.4.2.1), enforced from the main lcore: it sums the
 * workers' per-SA counters a slice of the SAD at a time, raises a soft event
 * once (events.h), and marks the SA expired at the hard limit, after which workers drop
 * its traffic (drop_sa_expired).  The hard limit is therefore exact to within
 * one scan period (well under 100 ms of traffic).
 *
 * Concurrency: main lcore only; workers only read sa->expired.
 */
#ifndef SECGW_LIFETIME_H
#define SECGW_LIFETIME_H

void dp_lifetime_poll(void);

#endif
