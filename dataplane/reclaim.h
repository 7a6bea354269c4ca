/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Deferred reclamation (RCU QSBR): every worker reports a quiescent state once
 * per poll loop; what the main lcore unpublishes (SAs, SPD generations) is
 * freed only after all workers have passed one.
 *
 * Concurrency: workers call dp_rcu_quiescent() on their own thread id; every
 * other function runs on the main lcore only.
 */
#ifndef SECGW_RECLAIM_H
#define SECGW_RECLAIM_H

#include <stddef.h>
#include <stdint.h>

#include <rte_rcu_qsbr.h>

#include "spd.h"

int dp_rcu_setup(char *err, size_t len);
void dp_rcu_teardown(void);

void dp_rcu_worker_online(uint16_t worker);
void dp_rcu_worker_offline(uint16_t worker);

/* Unlinked SA slot idx (hash position pos) and an unpublished SPD. */
void dp_defer_sa(uint32_t idx, int32_t pos);
void dp_defer_spd(struct spd *old);
/* Free what every worker has stopped seeing. */
void dp_reclaim_poll(void);

#endif
