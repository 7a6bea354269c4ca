/* SPDX-License-Identifier: BSD-3-Clause */
#include <netinet/in.h>
#include <stdio.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "route.h"

/* The prefix with its host bits cleared (an interface address keeps them). */
static struct cfg_prefix
network_of(const struct cfg_prefix *p)
{
	struct cfg_prefix net = *p;
	uint8_t *b = net.addr.family == AF_INET6 ? net.addr.v6 : (uint8_t *)&net.addr.v4;
	unsigned int i, bytes = net.addr.family == AF_INET6 ? 16 : 4;

	for (i = 0; i < bytes; i++) {
		if (i * 8 >= p->len)
			b[i] = 0;
		else if (i * 8 + 8 > p->len)
			b[i] &= (uint8_t)(0xff << (8 - (p->len - i * 8)));
	}
	return net;
}

static int
lpm_add(struct dp_routes *r, const struct cfg_prefix *net, uint32_t id)
{
	if (net->addr.family == AF_INET)
		return rte_lpm_add(r->lpm, rte_be_to_cpu_32(net->addr.v4), net->len, id);
	if (net->len == 0) {
		r->default6 = id;
		return 0;
	}
	return rte_lpm6_add(r->lpm6, net->addr.v6, net->len, id);
}

static int
add_route(struct dp_routes *r, const struct cfg_prefix *dst, uint16_t port,
	  const struct cfg_addr *via, char *err, size_t errlen)
{
	struct cfg_prefix net = network_of(dst);
	struct dp_nexthop *nh = &r->nh[r->n_nh];
	char text[INET6_ADDRSTRLEN];
	int rc;

	nh->port = port;
	nh->on_link = via->family == 0;
	if (!nh->on_link)
		nh->gw = neigh_addr_cfg(via);
	rc = lpm_add(r, &net, r->n_nh);
	if (rc != 0) {
		snprintf(err, errlen, "route %s/%u: LPM add failed (%d)",
			 cfg_addr_str(&net.addr, text, sizeof(text)), net.len, rc);
		return -1;
	}
	r->n_nh++;
	return 0;
}

/* A /128 takes up to 13 tbl8 groups below rte_lpm6's 24-bit first level. */
#define LPM6_TBL8_PER_ROUTE 13

/*
 * rte_lpm6's first level alone is 2^24 entries (64 MB), a large share of a
 * small --no-huge heap, so the IPv6 table exists only where IPv6 is configured.
 */
static int
tables_create(struct dp_routes *r, uint32_t max, uint32_t max6, char *err, size_t errlen)
{
	struct rte_lpm_config lc = {.max_rules = max + 1, .number_tbl8s = 256};
	struct rte_lpm6_config lc6 = {.max_rules = max6 + 1,
				      .number_tbl8s = (max6 + 1) * LPM6_TBL8_PER_ROUTE};

	r->lpm = rte_lpm_create("secgw_routes", SOCKET_ID_ANY, &lc);
	if (r->lpm == NULL) {
		snprintf(err, errlen, "rte_lpm_create failed");
		return -1;
	}
	if (max6 == 0)
		return 0;
	r->lpm6 = rte_lpm6_create("secgw_routes6", SOCKET_ID_ANY, &lc6);
	if (r->lpm6 == NULL) {
		snprintf(err, errlen, "rte_lpm6_create failed (%u IPv6 routes): %s", max6,
			 rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

struct dp_routes *
routes_build(const struct secgw_config *cfg, char *err, size_t errlen)
{
	static const struct cfg_addr on_link;
	uint32_t max = cfg->n_routes + 2 * cfg->n_ports, max6 = 0;
	const struct cfg_prefix *own;
	struct dp_routes *r;
	uint32_t i;

	for (i = 0; i < cfg->n_ports; i++)
		max6 += cfg_port_prefix(&cfg->ports[i], AF_INET6) != NULL;
	for (i = 0; i < cfg->n_routes; i++)
		max6 += cfg->routes[i].dst.addr.family == AF_INET6;

	r = rte_zmalloc("routes", sizeof(*r) + max * sizeof(r->nh[0]), 0);
	if (r == NULL) {
		snprintf(err, errlen, "out of memory for routes");
		return NULL;
	}
	r->default6 = ROUTE_NO_DEFAULT;
	if (tables_create(r, max, max6, err, errlen) != 0)
		goto fail;
	for (i = 0; i < cfg->n_ports; i++) {
		own = cfg_port_prefix(&cfg->ports[i], AF_INET);
		if (own != NULL && add_route(r, own, i, &on_link, err, errlen) != 0)
			goto fail;
		own = cfg_port_prefix(&cfg->ports[i], AF_INET6);
		if (own != NULL && add_route(r, own, i, &on_link, err, errlen) != 0)
			goto fail;
	}
	/* configured routes override connected ones of equal length */
	for (i = 0; i < cfg->n_routes; i++) {
		const struct cfg_route *rt = &cfg->routes[i];

		if (add_route(r, &rt->dst, rt->port, &rt->via, err, errlen) != 0)
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
	rte_lpm6_free(r->lpm6);
	rte_free(r);
}
