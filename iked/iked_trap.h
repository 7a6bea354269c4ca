/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `start: trap` connections: an outbound trap policy local_ts -> remote_ts in
 * the data plane, below any Child SA's policies, so the traffic that finds no
 * Child SA raises an acquire event (dataplane/acquire.h) which tells secgw-ike
 * to initiate.  The trap stays while Child SAs come and go: when the last
 * one is removed, the next packet raises the next acquire.
 *
 * Concurrency: one thread (the daemon's loop).
 */
#ifndef SECGW_IKED_TRAP_H
#define SECGW_IKED_TRAP_H

#include <stddef.h>

#include "config_conn.h"
#include "ctl_client.h"

/* Install (or remove) the trap policies of every `start: trap` connection.
 * 0, or -1 with err set. */
int iked_traps_install(struct ctl_client *ctl, const struct cfg_conn *c, size_t n, char *err,
		       size_t len);
void iked_traps_remove(struct ctl_client *ctl, const struct cfg_conn *c, size_t n);

/* The `start: trap` connection whose selectors hold the acquire event ev, or NULL. */
const struct cfg_conn *iked_trap_match(const struct cfg_conn *c, size_t n,
				       const struct ctl_event *ev);

#endif
