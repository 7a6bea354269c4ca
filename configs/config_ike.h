/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The top-level "ike:" section of a secgw config: secgw-ike's settings that
 * belong to no one connection (README.md, "ike").  Absent: the defaults.
 *
 * Concurrency: none.
 */
#ifndef SECGW_CONFIG_IKE_H
#define SECGW_CONFIG_IKE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define CFG_IKE_COOKIE_THRESHOLD 10
#define CFG_IKE_HALF_OPEN_PER_SOURCE 5
#define CFG_IKE_HALF_OPEN_MAX 512

struct cfg_ike {
	uint32_t cookie_threshold;     /* half-open SAs from which COOKIEs are demanded */
	uint32_t half_open_per_source; /* half-open SAs one address may hold */
	uint32_t half_open_max;        /* half-open SAs in all */
};

/* 0 with *out filled, or -1 with err set. */
int config_ike_load(const char *path, struct cfg_ike *out, char err[CFG_ERR_MAX]);
int config_ike_load_buffer(const char *name, const char *buf, size_t len, struct cfg_ike *out,
			   char err[CFG_ERR_MAX]);

#endif
