/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 neighbor (ARP) cache.
 *
 * Concurrency: one writer (the main lcore, which runs ARP), lock-free readers
 * (workers).  An entry is two 64-bit words; the writer publishes the MAC word
 * before the key word, and entries are never removed, so a reader that sees a
 * key sees a MAC that belongs to it (possibly an older one, which is fine for
 * a neighbor that just moved).
 */
#ifndef SECGW_NEIGH_H
#define SECGW_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

struct neigh_table;

struct neigh_table *neigh_create(uint32_t size_pow2);
void neigh_free(struct neigh_table *t);

/* Worker side. */
bool neigh_lookup(const struct neigh_table *t, uint16_t port, rte_be32_t ip,
		  struct rte_ether_addr *mac);

/* Writer side (main lcore only). */
int neigh_set(struct neigh_table *t, uint16_t port, rte_be32_t ip,
	      const struct rte_ether_addr *mac);
/* True if (port, ip) has an entry (resolved or not). */
bool neigh_known(const struct neigh_table *t, uint16_t port, rte_be32_t ip);
/* Rate limit for ARP requests: true if a request may go out now. */
bool neigh_may_request(struct neigh_table *t, uint16_t port, rte_be32_t ip,
		       uint64_t now, uint64_t interval);

#endif
