/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "connections:" section of a secgw config: the IKE peers secgw-ike
 * negotiates with (README.md, "connections[]").  The same file may hold the
 * data plane's sections; this loader reads only "connections" and leaves the
 * rest to config_load().  Errors read "FILE:LINE:COL: connections[1].psk: ..."
 * like the rest of the loader; the PSK is never echoed.
 *
 * Concurrency: none.
 */
#ifndef SECGW_CONFIG_CONN_H
#define SECGW_CONFIG_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "ike_sa.h"

#define CFG_MAX_CONNS 256

struct cfg_conn {
	struct ike_sa_cfg ike; /* name, addresses, IDs, PSK, proposals, selectors */
	struct ike_cred *cred; /* auth: pubkey (ike.cred points here), else NULL */
	bool initiate;         /* start: initiate (true) or wait (default) */
	bool trap;             /* start: trap: initiate on the first packet (acquire) */
	uint32_t rekey_time;   /* s after which we rekey our Child SA; 0 never */
	/* Each Child SA half's limits in the data plane: life_bytes / life_packets
	 * as soft limits (reaching one rekeys the Child SA), hard ones 10 % above. */
	struct cfg_lifetime child_life;
	uint32_t ike_rekey_time; /* s after which we rekey our IKE SA; 0 never */
	int line;
};

/* 0 with *out a calloc'ed array of *n connections (free with config_conn_free,
 * which wipes the PSKs and frees the credentials), or -1 with err set.  No
 * "connections" section: 0, n 0. */
int config_conn_load(const char *path, struct cfg_conn **out, size_t *n, char err[CFG_ERR_MAX]);
int config_conn_load_buffer(const char *name, const char *buf, size_t len, struct cfg_conn **out,
			    size_t *n, char err[CFG_ERR_MAX]);
void config_conn_free(struct cfg_conn *c, size_t n);

struct cfg_walk;
struct ynode;
/* Parse buf as a YAML document whose top is a mapping (errors as w says);
 * free with ytree_free().  NULL with w->err set. */
struct ynode *config_parse_map(struct cfg_walk *w, const char *buf, size_t len);

/* Read path (the file may hold secrets: its copy is wiped) and hand it to
 * parse; parse's result, or -1 with err set when the file cannot be read. */
int config_file_parse(const char *path, char err[CFG_ERR_MAX],
		      int (*parse)(const char *name, const char *buf, size_t len, void *ctx,
				   char err[CFG_ERR_MAX]),
		      void *ctx);

#endif
