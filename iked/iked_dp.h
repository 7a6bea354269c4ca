/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secgw-ike -> secgw-dp: one negotiated Child SA becomes two SAs (outbound,
 * inbound) and two protect policies in the data plane, through the control
 * channel (ctl_client.h).  The SA and policy records are built as YAML
 * snippets and read by the config loader's own entry parsers, so they get
 * exactly the checks and defaults of a static SA in a config file.
 *
 * Concurrency: one thread (the daemon's loop).
 */
#ifndef SECGW_IKED_DP_H
#define SECGW_IKED_DP_H

#include <stdbool.h>

#include "ctl_client.h"
#include "ike_sa.h"

/* Build the outbound and inbound SA records of c, each with the lifetime
 * limits *life (NULL: none; the data plane raises a soft-expiry event,
 * iked_events.h, and refuses traffic past a hard limit).  0, or -1 with err
 * set. */
int iked_child_to_sas(const struct ike_child_sa *c, const struct cfg_lifetime *life,
		      struct cfg_sa *out, struct cfg_sa *in, char err[CFG_ERR_MAX]);
/* The two protect policies of c (names from the SPIs). */
int iked_child_to_policies(const struct ike_child_sa *c, struct cfg_policy *out,
			   struct cfg_policy *in, char err[CFG_ERR_MAX]);

/* A selector range as a prefix "a.b.c.d/len": what the SPD holds.  -1 if it is not one. */
int iked_ts_prefix(const struct ike_tsv *t, char *buf, size_t len);

/* Install / remove everything of c; ctl NULL (no data plane) does nothing.
 * The policies get priorities prio_out and prio_in: during a rekey the new
 * Child SA's policies share the old ones' selectors, and the data plane's SPD
 * lets the lower value (then the first added) win, so the caller decides by
 * priority which pair carries the traffic until the old one is removed. */
int iked_dp_install(struct ctl_client *ctl, const struct ike_child_sa *c,
		    const struct cfg_lifetime *life, uint32_t prio_out, uint32_t prio_in, char *err,
		    size_t len);
void iked_dp_remove(struct ctl_client *ctl, const struct ike_child_sa *c);

#endif
