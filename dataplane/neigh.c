/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_malloc.h>

#include "neigh.h"

#define TAG_USED (1ULL << 63)
#define MAC_VALID (1ULL << 63)

struct neigh_slot {
	uint64_t tag;           /* port | TAG_USED once addr is written; 0: empty */
	struct neigh_addr addr; /* immutable once the tag is published */
	uint64_t mac;           /* 48-bit MAC | MAC_VALID */
};

struct neigh_table {
	uint32_t mask;
	uint64_t *last_request; /* writer-only: TSC of the last ARP request / NS */
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
make_tag(uint16_t port)
{
	return (uint64_t)port | TAG_USED;
}

static inline uint32_t
slot_of(const struct neigh_table *t, uint16_t port, const struct neigh_addr *a)
{
	uint64_t hi, lo;

	memcpy(&hi, a->b, sizeof(hi));
	memcpy(&lo, &a->b[8], sizeof(lo));
	return (uint32_t)(((hi * 0x9E3779B97F4A7C15ULL) ^ lo ^ port) * 0xC2B2AE3D27D4EB4FULL >> 40) &
	       t->mask;
}

/* Index of the key's slot, or of the empty slot where it would go; -1 if full. */
static int64_t
find(const struct neigh_table *t, uint16_t port, const struct neigh_addr *a)
{
	uint32_t i, s = slot_of(t, port, a);
	uint64_t tag, want = make_tag(port);

	for (i = 0; i <= t->mask; i++, s = (s + 1) & t->mask) {
		tag = __atomic_load_n(&t->slots[s].tag, __ATOMIC_ACQUIRE);
		if (tag == 0 ||
		    (tag == want && memcmp(&t->slots[s].addr, a, sizeof(*a)) == 0))
			return s;
	}
	return -1;
}

static inline bool
slot_used(const struct neigh_table *t, int64_t s)
{
	return s >= 0 && __atomic_load_n(&t->slots[s].tag, __ATOMIC_ACQUIRE) != 0;
}

bool
neigh_lookup(const struct neigh_table *t, uint16_t port, const struct neigh_addr *a,
	     struct rte_ether_addr *mac)
{
	int64_t s = find(t, port, a);
	uint64_t m;

	if (!slot_used(t, s))
		return false;
	m = __atomic_load_n(&t->slots[s].mac, __ATOMIC_RELAXED);
	if (!(m & MAC_VALID))
		return false;
	memcpy(mac->addr_bytes, &m, RTE_ETHER_ADDR_LEN);
	return true;
}

/* The slot of (port, a), claimed if it was empty; -1 if the table is full. */
static int64_t
insert(struct neigh_table *t, uint16_t port, const struct neigh_addr *a)
{
	int64_t s = find(t, port, a);

	if (s >= 0 && t->slots[s].tag == 0) {
		t->slots[s].addr = *a;
		__atomic_store_n(&t->slots[s].tag, make_tag(port), __ATOMIC_RELEASE);
	}
	return s;
}

int
neigh_set(struct neigh_table *t, uint16_t port, const struct neigh_addr *a,
	  const struct rte_ether_addr *mac)
{
	int64_t s = find(t, port, a);
	uint64_t m = 0;

	if (s < 0)
		return -1;
	memcpy(&m, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	/* MAC first, so a reader that finds a new slot's tag finds a valid MAC */
	__atomic_store_n(&t->slots[s].mac, m | MAC_VALID, __ATOMIC_RELEASE);
	insert(t, port, a);
	return 0;
}

bool
neigh_known(const struct neigh_table *t, uint16_t port, const struct neigh_addr *a)
{
	return slot_used(t, find(t, port, a));
}

bool
neigh_may_request(struct neigh_table *t, uint16_t port, const struct neigh_addr *a,
		  uint64_t now, uint64_t interval)
{
	int64_t s = insert(t, port, a);

	if (s < 0 || (t->last_request[s] != 0 && now - t->last_request[s] < interval))
		return false;
	t->last_request[s] = now;
	return true;
}
