/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secgw-ike's control socket, for `secgwctl ike list | initiate NAME |
 * terminate NAME`.
 *
 * Transport: a SOCK_SEQPACKET UNIX socket, by default beside secgw-dp's own
 * (IKED_CTL_SOCK_FMT with the --dp PREFIX), else the --ctl PATH given to
 * secgw-ike.  One request per message, text: "list", "initiate NAME",
 * "terminate NAME" (NAME a connection name, 1..31 of [A-Za-z0-9._-]).  One
 * reply per request: "ok\n" then for list one line per SA,
 *
 *   ike name=N state=S role=R spi_i=HEX16 spi_r=HEX16 local=IP:PORT remote=IP:PORT
 *       nat=on|off ike_alg=PROP msg_out=N msg_in=N retransmits=N dpd=N
 *       frag=on|off frag_out=N frag_in=N frag_reasm=N
 *   child name=N spi_in=HEX8 spi_out=HEX8 esp_alg=PROP udp_encap=on|off
 *
 * (a child line belongs to the ike line before it), or "error WHY\n".  For
 * "stats", one line of the daemon's counters: "stats half_open=N
 * cookies_sent=N ..." (iked_admit.h and the drops before any SA).  A
 * malformed request gets an error reply.
 *
 * Concurrency: none; served from secgw-ike's poll loop.
 */
#ifndef SECGW_IKED_CTL_H
#define SECGW_IKED_CTL_H

#include <poll.h>
#include <stddef.h>

#include "ike_sa.h"
#include "iked_ctl_proto.h"
#define IKED_CTL_CLIENTS 8

enum iked_ctl_op { IKED_CTL_LIST, IKED_CTL_INITIATE, IKED_CTL_TERMINATE, IKED_CTL_STATS };

struct iked_ctl_req {
	enum iked_ctl_op op;
	char name[IKE_SA_NAME_MAX];
};

/* 0 with req filled, or -1 with a reason in err. */
int iked_ctl_parse(const char *buf, size_t len, struct iked_ctl_req *req, char *err,
		   size_t err_len);

/* A reply being built: text up to IKED_CTL_MSG_MAX, truncated flag on overflow. */
struct iked_ctl_reply {
	char buf[IKED_CTL_MSG_MAX];
	size_t len;
	int truncated;
};
void iked_ctl_printf(struct iked_ctl_reply *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The ike line (and child line, if any) of one SA of connection name. */
void iked_ctl_put_sa(struct iked_ctl_reply *r, const char *name, const struct ike_sa *sa);

/* What the daemon does for the requests: 0 or -1 with err. */
struct iked_ctl_ops {
	void (*list)(void *ctx, struct iked_ctl_reply *r);
	int (*initiate)(void *ctx, const char *name, char *err, size_t err_len);
	int (*terminate)(void *ctx, const char *name, char *err, size_t err_len);
	void *ctx;
	void (*stats)(void *ctx, struct iked_ctl_reply *r);
};

struct iked_ctl {
	int lfd;
	int cfd[IKED_CTL_CLIENTS];
	char path[108];
};

/* Bind and listen at path (a stale socket file is replaced); -1 with err. */
int iked_ctl_open(struct iked_ctl *c, const char *path, char *err, size_t err_len);
void iked_ctl_close(struct iked_ctl *c);
/* Fill up to cap pollfds (listening socket and clients); returns how many. */
size_t iked_ctl_pollfds(const struct iked_ctl *c, struct pollfd *p, size_t cap);
/* Serve what poll() reported on the pollfds iked_ctl_pollfds() filled. */
void iked_ctl_serve(struct iked_ctl *c, const struct pollfd *p, size_t n,
		    const struct iked_ctl_ops *ops);

#endif
