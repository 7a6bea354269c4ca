/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secgwctl batch: SA and policy edits from stdin, one per line ("sa add {...}",
 * "sa del 0x3001 out", "policy add {...}", "policy del NAME"; blank lines and
 * # comments skipped), each checked by parse_edit() (edit_cmds.h) and
 * pipelined over one control connection (ctl_client.h ctl_send/ctl_recv), up
 * to window in flight, replies matched by seq.  With stats: counts, elapsed
 * time, ops/s and the median and 99th percentile send-to-reply latency.
 *
 * Concurrency: none; single-threaded, one connection, stdin and the socket
 * multiplexed with poll().
 */
#ifndef SECGW_CTL_BATCH_H
#define SECGW_CTL_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#define BATCH_WINDOW_DEFAULT 64
#define BATCH_WINDOW_MAX 4096

/*
 * secgwctl batch: edits from stdin, one per line, up to window of them in
 * flight on one connection.  A refused or malformed command prints
 * "line N: why" and makes the exit status 1; the others go on.  A broken
 * channel (no reply within CTL_CLIENT_TIMEOUT_S, a reply we cannot trust,
 * the data plane gone) ends the batch: the commands not yet answered count
 * neither as ok nor as failed.
 */
int cmd_batch(const char *prefix, uint32_t window, bool stats);

#endif
