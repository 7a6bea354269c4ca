/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SPD's source of truth on the main lcore: the policy list, edited by the
 * control channel.  Edits accumulate until dp_policies_commit(), which compiles
 * one new SPD generation for all of them (an ACL build costs milliseconds, so
 * building per edit would cap the rate at a few hundred per second), publishes
 * it with one pointer store and hands the old one to RCU.  A failed build puts
 * the list back as it was at the last commit.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>

#include "dp.h"
#include "policy_store.h"
#include "reclaim.h"

static int
resolve_spi(void *arg, uint32_t spi, enum cfg_direction dir)
{
	return sad_find(arg, spi, dir);
}

static int
publish(char *err, size_t len)
{
	char name[24], e[SPD_ERR_MAX];
	struct spd *next, *old;

	snprintf(name, sizeof(name), "spd%u", ++dp.spd_gen);
	next = spd_build(name, dp.policies, dp.n_policies, resolve_spi, dp.sad,
			 rte_socket_id(), e);
	if (next == NULL) {
		snprintf(err, len, "%s", e);
		return -1;
	}
	old = dp.spd;
	__atomic_store_n(&dp.spd, next, __ATOMIC_RELEASE);
	dp_defer_spd(old);
	return 0;
}

/* The list as last committed, kept while edits are pending. */
static struct cfg_policy *shadow;
static uint32_t n_shadow;
static bool dirty;

static void
begin_edit(void)
{
	if (dirty)
		return;
	memcpy(shadow, dp.policies, sizeof(*shadow) * dp.n_policies);
	n_shadow = dp.n_policies;
	dirty = true;
}

int
dp_policies_commit(char *err, size_t len)
{
	if (!dirty)
		return 0;
	dirty = false;
	if (publish(err, len) == 0)
		return 0;
	memcpy(dp.policies, shadow, sizeof(*shadow) * n_shadow);
	dp.n_policies = n_shadow;
	return -ENOMEM;
}

int
dp_policies_init(char *err, size_t len)
{
	const struct secgw_config *cfg = dp.cfg;

	dp.policies = rte_zmalloc("policies", sizeof(*dp.policies) * cfg->max_policies, 0);
	shadow = rte_zmalloc("policies_shadow", sizeof(*shadow) * cfg->max_policies, 0);
	if (dp.policies == NULL || shadow == NULL) {
		snprintf(err, len, "out of memory for %u policies", cfg->max_policies);
		return -1;
	}
	if (cfg->n_policies != 0)
		memcpy(dp.policies, cfg->policies, sizeof(*dp.policies) * cfg->n_policies);
	dp.n_policies = cfg->n_policies;
	return publish(err, len);
}

void
dp_policies_free(void)
{
	spd_free(dp.spd);
	dp.spd = NULL;
	rte_free(dp.policies);
	rte_free(shadow);
	dp.policies = NULL;
	shadow = NULL;
}

static int
find_by_name(const char *name)
{
	uint32_t i;

	for (i = 0; i < dp.n_policies; i++)
		if (strncmp(dp.policies[i].name, name, CFG_NAME_MAX) == 0)
			return (int)i;
	return -1;
}

int
dp_policy_using_sa(uint32_t spi, enum cfg_direction dir)
{
	uint32_t i;

	for (i = 0; i < dp.n_policies; i++)
		if (dp.policies[i].action == CFG_SP_PROTECT && dp.policies[i].spi == spi &&
		    dp.policies[i].dir == dir)
			return (int)i;
	return -1;
}

int
dp_policy_add(const struct cfg_policy *p, char *err, size_t len)
{
	if (find_by_name(p->name) >= 0) {
		snprintf(err, len, "policy %s already exists", p->name);
		return -EEXIST;
	}
	if (dp.n_policies == dp.cfg->max_policies) {
		snprintf(err, len, "SPD full (%u policies, dataplane.max_policies)",
			 dp.cfg->max_policies);
		return -ENOSPC;
	}
	if (p->action == CFG_SP_PROTECT) {
		int idx = sad_find(dp.sad, p->spi, p->dir);

		if (idx < 0) {
			snprintf(err, len, "policy %s: no %s SA with SPI 0x%08x", p->name,
				 p->dir == CFG_DIR_IN ? "inbound" : "outbound", p->spi);
			return -ENOENT;
		}
		/* an rte_ipsec SA carries one family (sad.h) */
		if (sad_slot(dp.sad, idx)->family != p->src.addr.family) {
			snprintf(err, len, "policy %s: SA 0x%08x carries %s packets", p->name,
				 p->spi, sad_slot(dp.sad, idx)->family == AF_INET6 ? "IPv6" : "IPv4");
			return -EINVAL;
		}
	}
	begin_edit();
	dp.policies[dp.n_policies++] = *p;
	return 0;
}

int
dp_policy_del(const char *name, char *err, size_t len)
{
	int i = find_by_name(name);

	if (i < 0) {
		snprintf(err, len, "no policy named %.*s", CFG_NAME_MAX, name);
		return -ENOENT;
	}
	begin_edit();
	/* keep the order: equal priorities are decided by it */
	memmove(&dp.policies[i], &dp.policies[i + 1],
		sizeof(*dp.policies) * (dp.n_policies - i - 1));
	dp.n_policies--;
	return 0;
}
