/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Routes of both families: longest-prefix match (rte_lpm for IPv4, rte_lpm6 for
 * IPv6) to a next hop (port, gateway) in one next-hop array.  Each port's own
 * subnets are on-link routes.
 *
 * Concurrency: built before workers start, read-only afterwards.
 */
#ifndef SECGW_ROUTE_H
#define SECGW_ROUTE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_lpm.h>
#include <rte_lpm6.h>

#include "config.h"
#include "neigh.h"

struct dp_nexthop {
	uint16_t port;         /* index in dp.ports */
	bool on_link;          /* the destination itself is on the link */
	struct neigh_addr gw;  /* else the gateway to resolve */
};

/* rte_lpm6 takes no /0 rule, so ::/0 is kept beside it */
#define ROUTE_NO_DEFAULT UINT32_MAX

struct dp_routes {
	struct rte_lpm *lpm;
	struct rte_lpm6 *lpm6;   /* NULL when no IPv6 is configured */
	uint32_t default6; /* next hop of ::/0, or ROUTE_NO_DEFAULT */
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

static inline const struct dp_nexthop *
route6_lookup(const struct dp_routes *r, const uint8_t dst[16])
{
	uint32_t id;

	if (r->lpm6 != NULL && rte_lpm6_lookup(r->lpm6, dst, &id) == 0)
		return &r->nh[id];
	return r->default6 != ROUTE_NO_DEFAULT ? &r->nh[r->default6] : NULL;
}

#endif
