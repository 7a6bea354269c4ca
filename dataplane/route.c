/* SPDX-License-Identifier: BSD-3-Clause */
#include <netinet/in.h>
#include <stdio.h>

#include <rte_malloc.h>

#include "route.h"

static int
add_route(struct dp_routes *r, const struct cfg_prefix *dst, uint16_t port,
	  rte_be32_t gw, char *err, size_t errlen)
{
	uint32_t mask = dst->len ? ~0u << (32 - dst->len) : 0;
	uint32_t net = rte_be_to_cpu_32(dst->addr.v4) & mask;
	int rc;

	r->nh[r->n_nh].port = port;
	r->nh[r->n_nh].gw = gw;
	rc = rte_lpm_add(r->lpm, net, dst->len, r->n_nh);
	if (rc != 0) {
		snprintf(err, errlen, "route %u.%u.%u.%u/%u: rte_lpm_add failed (%d)",
			 net >> 24, (net >> 16) & 255, (net >> 8) & 255, net & 255,
			 dst->len, rc);
		return -1;
	}
	r->n_nh++;
	return 0;
}

struct dp_routes *
routes_build(const struct secgw_config *cfg, char *err, size_t errlen)
{
	uint32_t max = cfg->n_routes + cfg->n_ports;
	struct rte_lpm_config lc = {.max_rules = max + 1, .number_tbl8s = 256};
	struct dp_routes *r;
	uint32_t i;

	r = rte_zmalloc("routes", sizeof(*r) + max * sizeof(r->nh[0]), 0);
	if (r == NULL) {
		snprintf(err, errlen, "out of memory for routes");
		return NULL;
	}
	r->lpm = rte_lpm_create("secgw_routes", SOCKET_ID_ANY, &lc);
	if (r->lpm == NULL) {
		snprintf(err, errlen, "rte_lpm_create failed");
		goto fail;
	}
	for (i = 0; i < cfg->n_ports; i++) {
		if (cfg->ports[i].address.addr.family != AF_INET)
			continue;
		if (add_route(r, &cfg->ports[i].address, i, 0, err, errlen) != 0)
			goto fail;
	}
	/* configured routes override connected ones of equal length */
	for (i = 0; i < cfg->n_routes; i++) {
		const struct cfg_route *rt = &cfg->routes[i];

		if (rt->dst.addr.family != AF_INET)
			continue;
		if (add_route(r, &rt->dst, rt->port, rt->via.family ? rt->via.v4 : 0,
			      err, errlen) != 0)
			goto fail;
	}
	return r;
fail:
	routes_free(r);
	return NULL;
}

void
routes_free(struct dp_routes *r)
{
	if (r == NULL)
		return;
	rte_lpm_free(r->lpm);
	rte_free(r);
}
