/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Whether secgw-ike creates a responder SA for an IKE_SA_INIT request that no
 * SA knows (RFC 7296 §2.6): while at least cookie_threshold SAs are half-open
 * (responder, not yet established) a request without a valid COOKIE is
 * answered with N(COOKIE), statelessly (ike_cookie.h); and a request beyond
 * half_open_per_source half-open SAs from its source address, or beyond
 * half_open_max in all, is dropped.  Every outcome but a plain admission is
 * counted (IKED_ADMIT_STATS).
 *
 * Concurrency: none; secgw-ike's poll loop.
 */
#ifndef SECGW_IKED_ADMIT_H
#define SECGW_IKED_ADMIT_H

#include <stddef.h>
#include <stdint.h>

#include "ike_cookie.h"
#include "ike_msg.h"
#include "ike_sa.h"

struct iked_admit_cfg {
	uint32_t cookie_threshold;     /* 0: always demand a cookie */
	uint32_t half_open_per_source;
	uint32_t half_open_max;
};

#define IKED_ADMIT_STATS(X)                                                                \
	X(COOKIE_SENT, "cookies_sent")                                                     \
	X(COOKIE_OK, "cookies_accepted")                                                   \
	X(COOKIE_BAD, "cookies_invalid")          /* a cookie that does not verify */      \
	X(MALFORMED, "dropped_malformed")          /* no nonce to make a cookie of */       \
	X(PER_SOURCE, "dropped_half_open_per_source")                                      \
	X(MAX, "dropped_half_open_max")

enum iked_admit_stat {
#define IKED_ADMIT_STAT_ENUM(id, name) IKED_ADMIT_##id,
	IKED_ADMIT_STATS(IKED_ADMIT_STAT_ENUM)
#undef IKED_ADMIT_STAT_ENUM
	IKED_ADMIT_STAT_COUNT
};

const char *iked_admit_stat_name(enum iked_admit_stat s);

struct iked_admit {
	struct iked_admit_cfg cfg;
	struct ike_cookie_jar jar;
	uint64_t stats[IKED_ADMIT_STAT_COUNT];
	struct ike_msg m; /* decode scratch */
};

enum iked_verdict { IKED_ADMIT, IKED_COOKIE, IKED_DROP };

/* 0, or -1 when no secret could be made.  rotate_ms 0: IKE_COOKIE_ROTATE_MS. */
int iked_admit_init(struct iked_admit *a, const struct iked_admit_cfg *cfg, uint64_t now,
		    uint32_t rotate_ms);
void iked_admit_fini(struct iked_admit *a);

/*
 * The IKE_SA_INIT request msg[0..len) (no marker) from src:sport to our port
 * dport, with half_open SAs in all and half_open_src from src.  IKED_COOKIE:
 * reply holds the N(COOKIE) datagram to send back.
 */
enum iked_verdict iked_admit_check(struct iked_admit *a, const uint8_t *msg, size_t len,
				   uint32_t src, uint16_t sport, uint16_t dport,
				   size_t half_open, size_t half_open_src, uint64_t now,
				   struct ike_dgram *reply);

#endif
