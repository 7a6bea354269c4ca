/* SPDX-License-Identifier: BSD-3-Clause */
/* Trap policies and acquires for `start: trap` connections (iked_trap.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "iked_dp.h"
#include "iked_trap.h"

/* The config's largest priority: every Child SA policy ranks above the trap. */
#define TRAP_PRIO 0x7fffffffu

static void trap_name(const struct cfg_conn *c, char name[CFG_NAME_MAX])
{
	snprintf(name, CFG_NAME_MAX, "ike-trap-%.*s", CFG_NAME_MAX - 10, c->ike.name);
}

static int install_one(struct ctl_client *ctl, const struct cfg_conn *c, char *err, size_t len)
{
	char local[48], remote[48], name[CFG_NAME_MAX], text[256], cerr[CFG_ERR_MAX];
	struct cfg_policy p;

	if (iked_ts_prefix(&c->ike.local_ts, local, sizeof(local)) < 0 ||
	    iked_ts_prefix(&c->ike.remote_ts, remote, sizeof(remote)) < 0) {
		snprintf(err, len, "%s: traffic selectors are not prefixes", c->ike.name);
		return -1;
	}
	trap_name(c, name);
	snprintf(text, sizeof(text),
		 "{name: %s, direction: out, src: %s, dst: %s, action: trap, priority: %u}", name,
		 local, remote, TRAP_PRIO);
	if (config_parse_policy(text, &p, cerr) < 0) {
		snprintf(err, len, "%s: %s", c->ike.name, cerr);
		return -1;
	}
	/* A trap left by an earlier run of ours is replaced, not an error. */
	ctl_policy_del(ctl, name);
	if (ctl_policy_add(ctl, &p) < 0) {
		snprintf(err, len, "%s: trap policy: %s", c->ike.name, ctl->err);
		return -1;
	}
	return 0;
}

int iked_traps_install(struct ctl_client *ctl, const struct cfg_conn *c, size_t n, char *err,
		       size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (c[i].trap && install_one(ctl, &c[i], err, len) < 0)
			return -1;
	return 0;
}

void iked_traps_remove(struct ctl_client *ctl, const struct cfg_conn *c, size_t n)
{
	char name[CFG_NAME_MAX];

	for (size_t i = 0; i < n; i++) {
		if (!c[i].trap)
			continue;
		trap_name(&c[i], name);
		ctl_policy_del(ctl, name);
	}
}

static bool ts_holds(const struct ike_tsv *t, uint32_t addr, uint8_t proto)
{
	return addr >= t->start && addr <= t->end && (t->proto == 0 || t->proto == proto);
}

const struct cfg_conn *iked_trap_match(const struct cfg_conn *c, size_t n,
				       const struct ctl_event *ev)
{
	uint32_t src, dst;

	if (ev->kind != CTL_EV_ACQUIRE || ev->family != AF_INET)
		return NULL;
	memcpy(&src, ev->src, 4);
	memcpy(&dst, ev->dst, 4);
	src = ntohl(src);
	dst = ntohl(dst);
	for (size_t i = 0; i < n; i++)
		if (c[i].trap && ts_holds(&c[i].ike.local_ts, src, ev->proto) &&
		    ts_holds(&c[i].ike.remote_ts, dst, ev->proto))
			return &c[i];
	return NULL;
}
