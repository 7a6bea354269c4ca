/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SECGW_SA_XFORM_H
#define SECGW_SA_XFORM_H

#include <rte_crypto_sym.h>

#include "sad.h"

/* The transform chain for one SA; points into cfg's keys, so cfg must outlive it. */
struct sa_xforms {
	struct rte_crypto_sym_xform cipher;
	struct rte_crypto_sym_xform auth;
	struct rte_crypto_sym_xform *first;
};

/* Fill x for cfg and check device dev_id supports it; -1 with err if not. */
int sa_xform_build(const struct cfg_sa *cfg, uint8_t dev_id, struct sa_xforms *x,
		   char err[SAD_ERR_MAX]);

/*
 * The integrity transform alone, for AH: generate outbound, verify inbound;
 * points into cfg's keys.  -1 with err if device dev_id cannot do it.
 */
int sa_xform_build_auth(const struct cfg_sa *cfg, uint8_t dev_id,
			struct rte_crypto_sym_xform *a, char err[SAD_ERR_MAX]);

#endif
