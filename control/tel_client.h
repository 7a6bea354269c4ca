/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Client end of the DPDK telemetry v2 protocol over plain sockets (no DPDK
 * linked): connect a SOCK_SEQPACKET UNIX socket at
 * <runtime dir>/dpdk/<prefix>/dpdk_telemetry.v2, read the hello
 * ({"version": .., "pid": .., "max_output_len": N}), write the command
 * ("/secgw/stats"), read one message {"/secgw/stats": {...}} and check its
 * shape.  Every socket operation times out after IO_TIMEOUT_S.
 *
 * Errors are returned as -1 with one message printed (err_msg()).
 *
 * Concurrency: one connection per thread; one command per connection (the
 * hello comes first on each).
 */
#ifndef SECGW_TEL_CLIENT_H
#define SECGW_TEL_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "json_mini.h"

/* One received and parsed message; tel_reply_free() it whatever happened. */
struct tel_reply {
	char *buf;
	size_t len;
	struct json_node *nodes;
	struct json_doc doc;
	uint32_t data; /* the inner object */
};


/* The socket path for a DPDK file prefix into out[0, cap).  0 or -1. */
int tel_socket_path(const char *prefix, char *out, size_t cap);
/* Connect to path; prefix (may be NULL) only words the error messages.  fd or -1. */
int tel_connect(const char *path, const char *prefix);
/* Run one telemetry command on a fresh connection; on success r->data is the
 * inner object of the reply.  0 or -1. */
int tel_query(int fd, const char *cmd, struct tel_reply *r);
void tel_reply_free(struct tel_reply *r);

#endif
