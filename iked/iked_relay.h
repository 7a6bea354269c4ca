/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secgw-ike's other transport: IKE datagrams through secgw-dp's ports, relayed
 * by its main lcore over UNIX datagrams (control/ike_relay_proto.h), for a
 * gateway whose addresses live on DPDK ports the kernel never sees.
 */
#ifndef SECGW_IKED_RELAY_H
#define SECGW_IKED_RELAY_H

#include <stddef.h>
#include <stdint.h>

#include "ike_sa.h"

/* One received datagram: where it came from and went to, and its UDP payload. */
struct iked_relay_rx {
	uint32_t src, dst;          /* IPv4, network order */
	uint16_t sport, dport;      /* host order */
	const uint8_t *payload;
	size_t len;
};

/* Bind the daemon's relay socket for the data plane of file prefix `prefix`;
 * the fd, or -1 with a message in err. */
int iked_relay_open(const char *prefix, char *err, size_t len);
void iked_relay_close(int fd, const char *prefix);
/* Send d from local_ip through the data plane; 0, or -1 (errno set). */
int iked_relay_send(int fd, const char *prefix, uint32_t local_ip, const struct ike_dgram *d);
/* Receive one datagram into buf; 1 with *rx filled, 0 for nothing or a datagram
 * to ignore (malformed, not IPv4), -1 on a socket error. */
int iked_relay_recv(int fd, uint8_t *buf, size_t cap, struct iked_relay_rx *rx);

#endif
