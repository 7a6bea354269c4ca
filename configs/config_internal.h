/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to the config loader: state shared by the section readers in
 * config.c (dataplane, crypto, ports, routes) and config_sa.c (sas, policies).
 *
 * Concurrency: none; one loader lives for one config_load_buffer() call.
 */
#ifndef SECGW_CONFIG_INTERNAL_H
#define SECGW_CONFIG_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "config_value.h"

/* One SA in the (direction, SPI) order that policy references are resolved in. */
struct spi_ref {
	uint32_t spi;
	uint32_t idx; /* into secgw_config.sas */
	uint8_t dir;
};

struct loader {
	struct cfg_walk w;
	struct secgw_config *cfg;
	struct cfg_obj dataplane; /* kept for the capacity checks made at the end */
	struct spi_ref *spis;     /* cfg->n_sas entries, sorted; NULL without SAs */
};

/* A list item that must be a mapping holding only keys[]. */
int cfg_open_item(struct loader *ld, const struct ynode *item, const char *path,
		  const char *const keys[], struct cfg_obj *o);
/*
 * The list under key with lo..hi items ("expected lo..hi WHAT, got n"); returns
 * its length, 0 when absent and not required, or -1.
 */
long cfg_read_list(const struct cfg_obj *o, const char *key, size_t lo, size_t hi,
		   const char *what, bool required, const struct ynode **list);

/*
 * One entry of "sas:" / "policies:", shared by the file loader and the
 * snippet parsers (config_snippet.c).  path is the entry's field path
 * ("sas[2]", or "" for a snippet); the caller sets the default name first.
 * A policy's "sa:" is resolved against ld's SAs, or not at all when ld is NULL.
 */
int cfg_read_sa_entry(struct cfg_walk *w, const struct ynode *item, const char *path,
		      struct cfg_sa *sa);
int cfg_read_policy_entry(struct cfg_walk *w, struct loader *ld, const struct ynode *item,
			  const char *path, struct cfg_policy *p);

int cfg_read_sas(struct loader *ld, const struct cfg_obj *top);
int cfg_read_policies(struct loader *ld, const struct cfg_obj *top);
void cfg_loader_release(struct loader *ld);

#endif
