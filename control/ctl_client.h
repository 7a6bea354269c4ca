/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Client end of the control channel (ctl_proto.h): connect to a data plane by
 * its file prefix, send one request, wait (CTL_CLIENT_TIMEOUT_S) for its reply
 * and validate it before anyone reads it: version, op and seq echoed, length
 * within the datagram, list entries exactly as many as the reply says.
 * Plain sockets, no DPDK.
 *
 * Errors are returned as -1 with a one-line message in the client's err[]
 * (either our own, e.g. "cannot connect to ...: No such file or directory", or
 * the data plane's error text when it refused the request; then status holds
 * its negative errno).
 *
 * Concurrency: one struct ctl_client per thread.  ctl_request() and the
 * helpers built on it do one request at a time; ctl_send() / ctl_recv() /
 * ctl_reply_result() pipeline SA and policy add/del requests (the data plane
 * answers them in order), and must not be mixed with ctl_request() while
 * replies are outstanding.
 */
#ifndef SECGW_CTL_CLIENT_H
#define SECGW_CTL_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "ctl_proto.h"

#define CTL_CLIENT_TIMEOUT_S 2

struct ctl_client {
	int fd;
	uint32_t seq;
	int32_t status;               /* of the last reply; 0 before one */
	char err[CTL_ERR_LEN + 160];  /* why the last call failed */
};

/* Connect to CTL_SOCK_FMT for prefix.  Returns 0, or -1 with c->err set. */
int ctl_connect(struct ctl_client *c, const char *prefix);
/* Same, to an explicit socket path (tests, non-default runtime dirs). */
int ctl_connect_path(struct ctl_client *c, const char *path);
void ctl_close(struct ctl_client *c);

/*
 * Send op with body[0..len) and wait for its reply.  On success returns 0 and,
 * when rep is not NULL, copies the reply header there; entries (count of
 * entry_size bytes each, at most max_entries) go to out when not NULL.
 * A reply with status != 0 returns -1 with the data plane's text in c->err.
 */
int ctl_request(struct ctl_client *c, enum ctl_op op, const void *body, uint32_t len,
		struct ctl_reply *rep, void *out, size_t entry_size, uint32_t max_entries);

/*
 * Pipelining.  ctl_send() sends op without waiting for its reply and stores
 * its seq in *seq; returns 0, 1 when the socket is full (nothing sent, try
 * again when it polls writable) or -1.  ctl_recv() waits (at most
 * CTL_CLIENT_TIMEOUT_S; poll c->fd first to avoid it) for the next reply, a
 * bare struct ctl_reply of our version whose lengths agree, and copies it to
 * *rep; -1 on any transport or format error.  The caller finds the request by
 * rep->hdr.seq and calls ctl_reply_result() with that request's op and seq:
 * 0, or -1 with c->err and c->status set (refused, or a reply that does not
 * match the request).
 */
int ctl_send(struct ctl_client *c, enum ctl_op op, const void *body, uint32_t len,
	     uint32_t *seq);
int ctl_recv(struct ctl_client *c, struct ctl_reply *rep);
int ctl_reply_result(struct ctl_client *c, const struct ctl_reply *rep, enum ctl_op op,
		     uint32_t seq);

/* The simple requests. */
int ctl_sa_add(struct ctl_client *c, const struct cfg_sa *sa);
int ctl_sa_del(struct ctl_client *c, uint32_t spi, enum cfg_direction dir);
int ctl_policy_add(struct ctl_client *c, const struct cfg_policy *p);
int ctl_policy_del(struct ctl_client *c, const char *name);

/*
 * Whole lists, following the cursor until next_cursor is 0.  *out is a
 * malloc'ed array of *n entries (free() it; for SAs the key fields are zero).
 */
int ctl_sa_list(struct ctl_client *c, struct ctl_sa_info **out, size_t *n);
int ctl_policy_list(struct ctl_client *c, struct cfg_policy **out, size_t *n);

/* The most events one reply holds. */
#define CTL_EVENTS_PAGE ((CTL_MSG_MAX - sizeof(struct ctl_reply)) / sizeof(struct ctl_event))
/* Events numbered >= *cursor (lifetime, acquire) into out; *cursor moves past
 * them.  Returns how many, or -1. */
int ctl_events(struct ctl_client *c, uint32_t *cursor, struct ctl_event out[CTL_EVENTS_PAGE]);

#endif
