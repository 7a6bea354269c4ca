/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbor cache of both families (ARP and IPv6 neighbor discovery), keyed by
 * (port, address).  An IPv4 address is kept as the IPv4-mapped IPv6 address
 * ::ffff:a.b.c.d (RFC 4291 §2.5.5.2), so one table and one code path serve both.
 *
 * Concurrency: one writer (the main lcore, which runs ARP and ND), lock-free
 * readers (workers).  The writer fills a slot's address before it publishes the
 * slot's tag (release), and publishes the MAC word before the tag of a new
 * slot; entries are never removed and a published address never changes, so a
 * reader that sees a tag sees the address and a MAC that belong to it (possibly
 * an older MAC, which is fine for a neighbor that just moved).
 */
#ifndef SECGW_NEIGH_H
#define SECGW_NEIGH_H

#include <stdbool.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#include "config.h"

struct neigh_addr {
	uint8_t b[16];
};

static inline struct neigh_addr
neigh_addr4(rte_be32_t ip)
{
	struct neigh_addr a = {.b = {[10] = 0xff, [11] = 0xff}};

	memcpy(&a.b[12], &ip, sizeof(ip));
	return a;
}

static inline struct neigh_addr
neigh_addr6(const uint8_t ip[16])
{
	struct neigh_addr a;

	memcpy(a.b, ip, sizeof(a.b));
	return a;
}

/* A configured address (next hop, static neighbor) of either family. */
static inline struct neigh_addr
neigh_addr_cfg(const struct cfg_addr *a)
{
	return a->family == AF_INET6 ? neigh_addr6(a->v6) : neigh_addr4(a->v4);
}

/* True for an IPv4 next hop (::ffff:0:0/96); its address is then in *ip. */
static inline bool
neigh_addr_is4(const struct neigh_addr *a, rte_be32_t *ip)
{
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};

	if (memcmp(a->b, mapped, sizeof(mapped)) != 0)
		return false;
	memcpy(ip, &a->b[12], sizeof(*ip));
	return true;
}

struct neigh_table;

struct neigh_table *neigh_create(uint32_t size_pow2);
void neigh_free(struct neigh_table *t);

/* Worker side. */
bool neigh_lookup(const struct neigh_table *t, uint16_t port, const struct neigh_addr *a,
		  struct rte_ether_addr *mac);

/* Writer side (main lcore only). */
int neigh_set(struct neigh_table *t, uint16_t port, const struct neigh_addr *a,
	      const struct rte_ether_addr *mac);
/* True if (port, a) has an entry (resolved or not). */
bool neigh_known(const struct neigh_table *t, uint16_t port, const struct neigh_addr *a);
/* Rate limit for ARP requests and neighbor solicitations: true if one may go out now. */
bool neigh_may_request(struct neigh_table *t, uint16_t port, const struct neigh_addr *a,
		       uint64_t now, uint64_t interval);

#endif
