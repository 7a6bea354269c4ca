/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_malloc.h>

#include "neigh.h"

#define KEY_USED (1ULL << 63)
#define MAC_VALID (1ULL << 63)

struct neigh_slot {
	uint64_t key; /* ip | port << 32 | KEY_USED */
	uint64_t mac; /* 48-bit MAC | MAC_VALID */
};

struct neigh_table {
	uint32_t mask;
	uint64_t *last_request; /* writer-only: TSC of the last ARP request */
	struct neigh_slot slots[];
};

struct neigh_table *
neigh_create(uint32_t size_pow2)
{
	struct neigh_table *t;

	t = rte_zmalloc("neigh", sizeof(*t) + size_pow2 * sizeof(t->slots[0]),
			RTE_CACHE_LINE_SIZE);
	if (t == NULL)
		return NULL;
	t->mask = size_pow2 - 1;
	t->last_request = rte_zmalloc("neigh_req", size_pow2 * sizeof(uint64_t), 0);
	if (t->last_request == NULL) {
		rte_free(t);
		return NULL;
	}
	return t;
}

void
neigh_free(struct neigh_table *t)
{
	if (t == NULL)
		return;
	rte_free(t->last_request);
	rte_free(t);
}

static inline uint64_t
make_key(uint16_t port, rte_be32_t ip)
{
	return (uint64_t)ip | (uint64_t)port << 32 | KEY_USED;
}

static inline uint32_t
slot_of(const struct neigh_table *t, uint64_t key)
{
	return (uint32_t)((key * 0x9E3779B97F4A7C15ULL) >> 40) & t->mask;
}

/* Index of key's slot, or of the empty slot where it would go; -1 if full. */
static int64_t
find(const struct neigh_table *t, uint64_t key)
{
	uint32_t i, s = slot_of(t, key);
	uint64_t k;

	for (i = 0; i <= t->mask; i++, s = (s + 1) & t->mask) {
		k = __atomic_load_n(&t->slots[s].key, __ATOMIC_ACQUIRE);
		if (k == key || k == 0)
			return s;
	}
	return -1;
}

bool
neigh_lookup(const struct neigh_table *t, uint16_t port, rte_be32_t ip,
	     struct rte_ether_addr *mac)
{
	uint64_t key = make_key(port, ip), m;
	int64_t s = find(t, key);

	if (s < 0 || __atomic_load_n(&t->slots[s].key, __ATOMIC_ACQUIRE) != key)
		return false;
	m = __atomic_load_n(&t->slots[s].mac, __ATOMIC_RELAXED);
	if (!(m & MAC_VALID))
		return false;
	memcpy(mac->addr_bytes, &m, RTE_ETHER_ADDR_LEN);
	return true;
}

static int64_t
insert(struct neigh_table *t, uint16_t port, rte_be32_t ip)
{
	uint64_t key = make_key(port, ip);
	int64_t s = find(t, key);

	if (s >= 0 && t->slots[s].key == 0)
		__atomic_store_n(&t->slots[s].key, key, __ATOMIC_RELEASE);
	return s;
}

int
neigh_set(struct neigh_table *t, uint16_t port, rte_be32_t ip,
	  const struct rte_ether_addr *mac)
{
	uint64_t m = MAC_VALID;
	uint64_t key = make_key(port, ip);
	int64_t s = find(t, key);

	if (s < 0)
		return -1;
	memcpy(&m, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	m |= MAC_VALID;
	/* MAC first, so a reader that finds the key finds a valid MAC */
	__atomic_store_n(&t->slots[s].mac, m, __ATOMIC_RELEASE);
	if (t->slots[s].key == 0)
		__atomic_store_n(&t->slots[s].key, key, __ATOMIC_RELEASE);
	return 0;
}

bool
neigh_known(const struct neigh_table *t, uint16_t port, rte_be32_t ip)
{
	uint64_t key = make_key(port, ip);
	int64_t s = find(t, key);

	return s >= 0 && t->slots[s].key == key;
}

bool
neigh_may_request(struct neigh_table *t, uint16_t port, rte_be32_t ip, uint64_t now,
		  uint64_t interval)
{
	int64_t s = insert(t, port, ip);

	if (s < 0 || (t->last_request[s] != 0 && now - t->last_request[s] < interval))
		return false;
	t->last_request[s] = now;
	return true;
}
