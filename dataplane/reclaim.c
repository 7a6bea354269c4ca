/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "dp.h"
#include "reclaim.h"

#define DEFER_SLOTS 4096

enum defer_kind { DEFER_SA = 1, DEFER_SPD };

struct defer {
	uint32_t kind;
	int32_t pos;   /* hash position of an SA */
	uint64_t obj;  /* SA slot index, or the SPD pointer */
};

static void
free_deferred(void *p, void *e, unsigned int n)
{
	struct defer *d = e;
	unsigned int i;

	(void)p;
	for (i = 0; i < n; i++) {
		if (d[i].kind == DEFER_SA)
			sad_reclaim(dp.sad, (uint32_t)d[i].obj, d[i].pos);
		else
			spd_free((struct spd *)(uintptr_t)d[i].obj);
	}
}

int
dp_rcu_setup(char *err, size_t len)
{
	size_t sz = rte_rcu_qsbr_get_memsize(dp.n_workers);
	struct rte_rcu_qsbr_dq_parameters dqp = {
		.name = "secgw_defer",
		/* only the main lcore enqueues and reclaims */
		.flags = RTE_RCU_QSBR_DQ_MT_UNSAFE,
		.size = DEFER_SLOTS,
		.esize = sizeof(struct defer),
		.trigger_reclaim_limit = DEFER_SLOTS / 4,
		.max_reclaim_size = DEFER_SLOTS / 4,
		.free_fn = free_deferred,
	};
	uint16_t i;

	dp.qsv = rte_zmalloc("secgw_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (dp.qsv == NULL || rte_rcu_qsbr_init(dp.qsv, dp.n_workers) != 0) {
		snprintf(err, len, "cannot set up RCU for %u workers", dp.n_workers);
		return -1;
	}
	for (i = 0; i < dp.n_workers; i++)
		rte_rcu_qsbr_thread_register(dp.qsv, i);
	dqp.v = dp.qsv;
	dp.defer = rte_rcu_qsbr_dq_create(&dqp);
	if (dp.defer == NULL) {
		snprintf(err, len, "cannot create the RCU defer queue: %s",
			 rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

void
dp_rcu_teardown(void)
{
	/* workers are stopped: everything deferred can go */
	if (dp.defer != NULL) {
		rte_rcu_qsbr_dq_reclaim(dp.defer, ~0u, NULL, NULL, NULL);
		rte_rcu_qsbr_dq_delete(dp.defer);
	}
	dp.defer = NULL;
	rte_free(dp.qsv);
	dp.qsv = NULL;
}

void
dp_rcu_worker_online(uint16_t worker)
{
	rte_rcu_qsbr_thread_online(dp.qsv, worker);
}

void
dp_rcu_worker_offline(uint16_t worker)
{
	rte_rcu_qsbr_thread_offline(dp.qsv, worker);
}

static void
defer(struct defer *d)
{
	if (rte_rcu_qsbr_dq_enqueue(dp.defer, d) == 0)
		return;
	/* queue full even after reclaiming: wait out one grace period here */
	rte_rcu_qsbr_synchronize(dp.qsv, RTE_QSBR_THRID_INVALID);
	free_deferred(NULL, d, 1);
}

void
dp_defer_sa(uint32_t idx, int32_t pos)
{
	struct defer d = {.kind = DEFER_SA, .pos = pos, .obj = idx};

	defer(&d);
}

void
dp_defer_spd(struct spd *old)
{
	struct defer d = {.kind = DEFER_SPD, .obj = (uintptr_t)old};

	if (old != NULL)
		defer(&d);
}

void
dp_reclaim_poll(void)
{
	rte_rcu_qsbr_dq_reclaim(dp.defer, DEFER_SLOTS, NULL, NULL, NULL);
}
