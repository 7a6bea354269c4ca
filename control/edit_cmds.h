/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secgwctl's commands over the data plane's control socket (ctl_proto.h, via
 * ctl_client.h): sa add/del and policy add/del, whose YAML argument is one
 * entry of a config file's sas: / policies: checked here by the config loader
 * before it is sent, and sa list and policy list (a table, or JSON), which
 * page through the data plane's lists however long they are.  parse_edit() is
 * also what batch (ctl_batch.h) makes of each of its lines.
 *
 * Concurrency: none; single-threaded, writes to stdout/stderr.
 */
#ifndef SECGW_EDIT_CMDS_H
#define SECGW_EDIT_CMDS_H

#include <stdint.h>

#include "config.h"
#include "ctl_proto.h"

/* One SA or policy edit, ready to send: what parse_edit() makes of a command. */
struct edit {
	enum ctl_op op;
	uint32_t len;
	union {
		struct cfg_sa sa;
		struct ctl_sa_ref sa_ref;
		struct cfg_policy pol;
		struct ctl_policy_ref pol_ref;
	} body;
};

/*
 * Check an edit before talking to anyone: "sa add YAML", "sa del SPI DIR",
 * "policy add YAML" or "policy del NAME" (dir only for sa del).  Returns 0,
 * or -1 with the reason in err.  The caller wipes e (it may hold keys).
 */
int parse_edit(const char *noun, const char *verb, const char *arg, const char *dir,
	       struct edit *e, char err[CFG_ERR_MAX]);

/*
 * Run one control-socket command: argv is "sa add Y", "sa del SPI DIR",
 * "sa list", "policy add Y", "policy del NAME" or "policy list", sent to the
 * control socket at ctl_path, or when that is NULL to the one of the data
 * plane with file prefix prefix.  Prints "ok" or the list and returns 0, or
 * returns -1 (message printed).  The caller flushes stdout.
 */
int edit_command(const char *prefix, const char *ctl_path, int json, char **argv);

#endif
