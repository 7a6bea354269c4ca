/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How IKE reaches the IKE daemon through the data plane: secgw-dp owns the
 * ports, so IKE datagrams addressed to the gateway (UDP 500, and UDP 4500 with
 * the non-ESP marker, RFC 3948 §2.2) are punted by the workers to the main
 * lcore, which relays each one to the daemon as a UNIX datagram; the daemon's
 * replies come back the same way and leave through the data plane's routing.
 *
 * Why UNIX datagrams from the main lcore and not a shared-memory ring: the
 * daemon stays a plain process (the IKE library is DPDK-free, design.md §1), a
 * restarted daemon just binds its path again, and IKE rates are far below
 * what one syscall per message costs; the workers never make a syscall.
 *
 * Datagram = struct ike_relay_hdr + the UDP payload (on port 4500 including
 * the 4 zero bytes of the non-ESP marker).  Addresses and ports in network
 * order; for IPv4 the address is in the first 4 bytes of src/dst.
 *   secgw-dp binds IKE_RELAY_DP_FMT and sends to IKE_RELAY_DAEMON_FMT.
 *   The daemon binds IKE_RELAY_DAEMON_FMT and sends to IKE_RELAY_DP_FMT; the
 *   source of its datagrams must be one of the gateway's addresses.
 */
#ifndef SECGW_IKE_RELAY_PROTO_H
#define SECGW_IKE_RELAY_PROTO_H

#include <stdint.h>

#define IKE_RELAY_VERSION 1
#define IKE_RELAY_DP_FMT "/var/run/dpdk/%s/secgw-ike-dp.sock"
#define IKE_RELAY_DAEMON_FMT "/var/run/dpdk/%s/secgw-ike.sock"
/* the largest UDP payload relayed: an IKE message fits one mbuf (RFC 7383 fragments above) */
#define IKE_RELAY_MAX_PAYLOAD 1900

struct ike_relay_hdr {
	uint8_t version;
	uint8_t family;   /* AF_INET or AF_INET6 */
	uint16_t reserved;
	uint16_t sport, dport;
	uint8_t src[16], dst[16];
};

#endif
