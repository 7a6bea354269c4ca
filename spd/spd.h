/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Security Policy Database: IPv4 and IPv6 5-tuple policies compiled into one
 * rte_acl context per direction and address family.  The first-listed policy
 * wins among equal priorities (lower priority value wins), as an operator
 * reading the config expects.  A key of one family never matches a policy of
 * the other.
 *
 * Concurrency: a struct spd is immutable once built; classification is
 * lock-free and safe from any number of workers.  Changing policies means
 * building a new struct spd and publishing it (RCU, with the control channel).
 */
#ifndef SECGW_SPD_H
#define SECGW_SPD_H

#include <stdint.h>

#include <rte_byteorder.h>

#include "config.h"

#define SPD_ERR_MAX 256

/* Classification input, built per packet so IP options cannot shift the ports. */
struct spd4_key {
	uint8_t proto;
	uint8_t pad[3];
	rte_be32_t src;
	rte_be32_t dst;
	rte_be16_t sport; /* zero when the protocol has no ports or in non-first fragments */
	rte_be16_t dport;
};

struct spd6_key {
	uint8_t proto; /* the upper-layer protocol, after any extension headers */
	uint8_t pad[3];
	uint8_t src[16];
	uint8_t dst[16];
	rte_be16_t sport; /* zero when the protocol has no ports or in non-first fragments */
	rte_be16_t dport;
};

struct spd_entry {
	enum cfg_sp_action action;
	int32_t sa_idx;      /* SAD slot for protect, else -1 */
	/*
	 * The SA of the next-ranked protect policy with exactly these selectors,
	 * else -1: while a rekey replaces an SA (make before break) both pairs'
	 * inbound policies are in place, and a packet on either SA matches its
	 * SA's selectors (RFC 4301 §5.2).
	 */
	int32_t alt_sa_idx;
	uint32_t policy_idx; /* index in the config */
};

struct spd;

/* Maps a protect policy's SPI to a SAD slot; -1 if missing. */
typedef int (*spd_sa_resolver)(void *arg, uint32_t spi, enum cfg_direction dir);

/*
 * Compile the policies of both families (each policy's family is
 * pol->src.addr.family; src and dst must agree).  entry.policy_idx indexes pol.
 */
struct spd *spd_build(const char *name, const struct cfg_policy *pol, uint32_t n,
		      spd_sa_resolver resolve, void *arg, int socket, char err[SPD_ERR_MAX]);
void spd_free(struct spd *spd);

/*
 * Classify n keys in direction dir: res[i] is the matching entry, or NULL when
 * no policy matches (the caller's default is discard).
 */
void spd_classify4(const struct spd *spd, enum cfg_direction dir,
		   const struct spd4_key *keys[], uint16_t n, const struct spd_entry *res[]);
void spd_classify6(const struct spd *spd, enum cfg_direction dir,
		   const struct spd6_key *keys[], uint16_t n, const struct spd_entry *res[]);

#endif
