/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secgw control channel: how a control process (secgwctl, secgw-ike) changes
 * a running data plane's SAs and policies.
 *
 * Transport: a SOCK_SEQPACKET UNIX socket at CTL_SOCK_FMT, served by the data
 * plane's main lcore.  One request datagram, one reply datagram, in order.
 * Why a socket and not a DPDK secondary process: it works when the data plane
 * runs without hugepages (--no-huge memory cannot be shared), a crashing or
 * killed control process can corrupt nothing in the data plane's memory, and
 * the kernel tells the data plane when the peer is gone.  The cost is two
 * system calls per command on the main lcore, never on a worker.
 *
 * Messages are C structs in host byte order (both ends run on the same host
 * and are built from the same header); CTL_VERSION changes with any layout.
 * Keys travel only in CTL_SA_ADD requests; replies never carry key material.
 */
#ifndef SECGW_CTL_PROTO_H
#define SECGW_CTL_PROTO_H

#include <stdint.h>

#include "config.h"

#define CTL_VERSION 3
/* in the EAL runtime directory of a data plane run as root, beside its telemetry socket */
#define CTL_SOCK_NAME "secgw.ctl"
#define CTL_SOCK_FMT "/var/run/dpdk/%s/" CTL_SOCK_NAME
#define CTL_MSG_MAX 65536
#define CTL_ERR_LEN 200

enum ctl_op {
	CTL_SA_ADD = 1,     /* body: struct cfg_sa */
	CTL_SA_DEL,         /* body: struct ctl_sa_ref */
	CTL_SA_LIST,        /* body: struct ctl_list_req; reply: struct ctl_sa_info[] */
	CTL_POLICY_ADD,     /* body: struct cfg_policy (name required, unique) */
	CTL_POLICY_DEL,     /* body: struct ctl_policy_ref */
	CTL_POLICY_LIST,    /* body: struct ctl_list_req; reply: struct cfg_policy[] */
	CTL_EVENTS,         /* body: struct ctl_list_req (cursor = next event number);
			     * reply: struct ctl_event[], next_cursor = the number after */
};

struct ctl_hdr {
	uint16_t version;
	uint16_t op;
	uint32_t seq;  /* echoed in the reply */
	uint32_t len;  /* bytes of body after this header */
};

struct ctl_sa_ref {
	uint32_t spi;
	uint32_t dir; /* enum cfg_direction */
};

struct ctl_policy_ref {
	char name[CFG_NAME_MAX];
};

struct ctl_list_req {
	uint32_t cursor; /* 0 to start; then the reply's next_cursor */
};

struct ctl_reply {
	struct ctl_hdr hdr;
	int32_t status;          /* 0, or a negative errno */
	char error[CTL_ERR_LEN]; /* what went wrong, for people */
	uint32_t count;          /* list entries after this struct */
	uint32_t next_cursor;    /* 0 when the list is complete */
};

struct ctl_sa_info {
	struct cfg_sa sa; /* key fields zeroed */
	uint64_t packets, bytes, drop_replay, drop_icv;
	uint32_t expired; /* 1 once past a hard lifetime: the SA refuses traffic */
};

/* ACQUIRE: outbound traffic hit a trap policy (CFG_SP_TRAP); spi/dir/limit are
 * 0 and the selector fields say which traffic wants an SA. */
enum ctl_event_kind { CTL_EV_SOFT_EXPIRE = 1, CTL_EV_HARD_EXPIRE, CTL_EV_ACQUIRE };
enum ctl_event_limit { CTL_LIMIT_BYTES = 1, CTL_LIMIT_PACKETS, CTL_LIMIT_SECONDS };

/* Lifetime events, numbered from 1; the data plane keeps the last few
 * thousand, so a control process that polls at least every few seconds
 * misses none. */
struct ctl_event {
	uint64_t number;
	uint32_t spi;
	uint32_t dir;   /* enum cfg_direction */
	uint32_t kind;  /* enum ctl_event_kind */
	uint32_t limit; /* enum ctl_event_limit */
	/* CTL_EV_ACQUIRE: the trapped packet's selector (ports in host order) */
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t proto;
	uint16_t sport, dport;
	uint8_t src[16], dst[16]; /* IPv4: the first 4 octets */
	uint8_t pad[2];
};
_Static_assert(sizeof(struct ctl_event) == 64, "struct ctl_event is wire format");

#endif
