/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 routes: longest-prefix match (rte_lpm) to a next hop (port, gateway).
 * Each port's own subnet is an on-link route.
 *
 * Concurrency: built before workers start, read-only afterwards.
 */
#ifndef SECGW_ROUTE_H
#define SECGW_ROUTE_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_lpm.h>

#include "config.h"

struct dp_nexthop {
	uint16_t port;  /* index in dp.ports */
	rte_be32_t gw;  /* 0: the destination itself is on the link */
};

struct dp_routes {
	struct rte_lpm *lpm;
	uint32_t n_nh;
	struct dp_nexthop nh[];
};

struct dp_routes *routes_build(const struct secgw_config *cfg, char *err, size_t errlen);
void routes_free(struct dp_routes *r);

/* Next hop for dst, or NULL when there is no route. */
static inline const struct dp_nexthop *
route4_lookup(const struct dp_routes *r, rte_be32_t dst)
{
	uint32_t id;

	if (rte_lpm_lookup(r->lpm, rte_be_to_cpu_32(dst), &id) != 0)
		return NULL;
	return &r->nh[id];
}

#endif
