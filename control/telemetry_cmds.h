/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secgwctl's read-only commands over the DPDK telemetry socket (tel_client.h):
 * stats (/secgw/stats) and ports (/secgw/ports), printed as aligned tables,
 * or with json the reply object as received.  (sa list goes over the control
 * socket, edit_cmds.h: a telemetry reply holds a few dozen SAs at most.)  The
 * reply shapes are those of dataplane/CONTRACT.md; anything else is a
 * "malformed reply".
 *
 * Concurrency: none; single-threaded, writes to stdout/stderr.
 */
#ifndef SECGW_TELEMETRY_CMDS_H
#define SECGW_TELEMETRY_CMDS_H

enum tel_command { TEL_STATS, TEL_PORTS };

/*
 * Run cmd against the telemetry socket at sock, or when sock is NULL at the
 * one of the data plane with file prefix prefix, and print the result (all:
 * zero counters too, for TEL_STATS).  Returns 0, or -1 with one message on
 * stderr.  The caller flushes stdout.
 */
int tel_command(enum tel_command cmd, const char *sock, const char *prefix, int json, int all);

#endif
