/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Main lcore: IKE datagrams between the ports and the IKE daemon
 * (control/ike_relay_proto.h).  Punted packets go out as UNIX datagrams; the
 * daemon's datagrams become IPv4/IPv6 UDP packets that worker 0 routes.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "dp.h"
#include "ike_relay.h"
#include "ike_relay_proto.h"
#include "mgmt.h"

#define RELAY_PER_POLL 32

static int relay_fd = -1;
static struct sockaddr_un dp_addr, daemon_addr;

int
dp_ike_relay_open(char *err, size_t len)
{
	int fd;

	dp_addr.sun_family = AF_UNIX;
	daemon_addr.sun_family = AF_UNIX;
	snprintf(dp_addr.sun_path, sizeof(dp_addr.sun_path), IKE_RELAY_DP_FMT,
		 dp.cfg->file_prefix);
	snprintf(daemon_addr.sun_path, sizeof(daemon_addr.sun_path), IKE_RELAY_DAEMON_FMT,
		 dp.cfg->file_prefix);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, len, "IKE relay socket: %s", strerror(errno));
		return -1;
	}
	unlink(dp_addr.sun_path); /* a previous run that died left it behind */
	if (bind(fd, (struct sockaddr *)&dp_addr, sizeof(dp_addr)) != 0 ||
	    chmod(dp_addr.sun_path, 0600) != 0) {
		snprintf(err, len, "IKE relay socket %s: %s", dp_addr.sun_path, strerror(errno));
		close(fd);
		return -1;
	}
	relay_fd = fd;
	return 0;
}

void
dp_ike_relay_close(void)
{
	if (relay_fd < 0)
		return;
	close(relay_fd);
	unlink(dp_addr.sun_path);
	relay_fd = -1;
}

/* A punted IKE packet: IP header at the data start, l3_len = where UDP begins. */
void
dp_ike_relay_punted(struct rte_mbuf *m)
{
	uint8_t buf[sizeof(struct ike_relay_hdr) + IKE_RELAY_MAX_PAYLOAD];
	struct ike_relay_hdr *h = (struct ike_relay_hdr *)buf;
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_udp_hdr *u;
	uint32_t avail = rte_pktmbuf_data_len(m), plen;

	/* the worker checked that a UDP header follows l3_len */
	u = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, m->l3_len);
	plen = rte_be_to_cpu_16(u->dgram_len);
	if (plen < sizeof(*u) || plen > avail - m->l3_len ||
	    plen - sizeof(*u) > IKE_RELAY_MAX_PAYLOAD) {
		mgmt_count(DPC_drop_ike_malformed);
		rte_pktmbuf_free(m);
		return;
	}
	plen -= sizeof(*u);
	memset(h, 0, sizeof(*h));
	h->version = IKE_RELAY_VERSION;
	h->sport = u->src_port;
	h->dport = u->dst_port;
	if ((ip[0] >> 4) == 6) {
		h->family = AF_INET6;
		memcpy(h->src, ((const struct rte_ipv6_hdr *)ip)->src_addr, 16);
		memcpy(h->dst, ((const struct rte_ipv6_hdr *)ip)->dst_addr, 16);
	} else {
		h->family = AF_INET;
		memcpy(h->src, &((const struct rte_ipv4_hdr *)ip)->src_addr, 4);
		memcpy(h->dst, &((const struct rte_ipv4_hdr *)ip)->dst_addr, 4);
	}
	memcpy(buf + sizeof(*h), u + 1, plen);
	rte_pktmbuf_free(m);
	if (relay_fd < 0 ||
	    sendto(relay_fd, buf, sizeof(*h) + plen, MSG_DONTWAIT,
		   (const struct sockaddr *)&daemon_addr, sizeof(daemon_addr)) < 0)
		mgmt_count(DPC_drop_ike_no_daemon); /* not bound, gone, or not keeping up */
	else
		mgmt_count(DPC_ike_to_daemon);
}

static bool
source_is_ours(const struct ike_relay_hdr *h)
{
	rte_be32_t a;

	if (h->family == AF_INET6)
		return dp_is_local6(h->src);
	memcpy(&a, h->src, 4);
	return dp_is_local4(a);
}

/* The daemon's datagram as an IP/UDP packet in a new mbuf; NULL if it cannot be. */
static struct rte_mbuf *
build_packet(const uint8_t *buf, size_t n)
{
	const struct ike_relay_hdr *h = (const struct ike_relay_hdr *)buf;
	size_t plen = n - sizeof(*h);
	uint16_t l3 = h->family == AF_INET6 ? sizeof(struct rte_ipv6_hdr) :
					       sizeof(struct rte_ipv4_hdr);
	struct rte_ipv4_hdr *ip4;
	struct rte_ipv6_hdr *ip6;
	struct rte_udp_hdr *u;
	struct rte_mbuf *m;
	uint8_t *p;

	m = rte_pktmbuf_alloc(dp.mbuf_pool);
	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, l3 + sizeof(*u) + plen);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	u = (struct rte_udp_hdr *)(p + l3);
	u->src_port = h->sport;
	u->dst_port = h->dport;
	u->dgram_len = rte_cpu_to_be_16(sizeof(*u) + plen);
	u->dgram_cksum = 0;
	memcpy(u + 1, buf + sizeof(*h), plen);
	if (h->family == AF_INET6) {
		ip6 = (struct rte_ipv6_hdr *)p;
		ip6->vtc_flow = RTE_BE32(6u << 28);
		ip6->payload_len = u->dgram_len;
		ip6->proto = IPPROTO_UDP;
		ip6->hop_limits = 64;
		memcpy(ip6->src_addr, h->src, 16);
		memcpy(ip6->dst_addr, h->dst, 16);
		u->dgram_cksum = rte_ipv6_udptcp_cksum(ip6, u);
	} else {
		ip4 = (struct rte_ipv4_hdr *)p;
		memset(ip4, 0, sizeof(*ip4));
		ip4->version_ihl = RTE_IPV4_VHL_DEF;
		ip4->total_length = rte_cpu_to_be_16(l3 + sizeof(*u) + plen);
		ip4->time_to_live = 64;
		ip4->next_proto_id = IPPROTO_UDP;
		memcpy(&ip4->src_addr, h->src, 4);
		memcpy(&ip4->dst_addr, h->dst, 4);
		u->dgram_cksum = rte_ipv4_udptcp_cksum(ip4, u);
		ip4->hdr_checksum = rte_ipv4_cksum(ip4);
	}
	return m;
}

void
dp_ike_relay_poll(void)
{
	uint8_t buf[sizeof(struct ike_relay_hdr) + IKE_RELAY_MAX_PAYLOAD + 1];
	const struct ike_relay_hdr *h = (const struct ike_relay_hdr *)buf;
	struct rte_mbuf *m;
	ssize_t n;
	int i;

	for (i = 0; relay_fd >= 0 && i < RELAY_PER_POLL; i++) {
		n = recv(relay_fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			return;
		if ((size_t)n < sizeof(*h) || (size_t)n > sizeof(buf) - 1 ||
		    h->version != IKE_RELAY_VERSION ||
		    (h->family != AF_INET && h->family != AF_INET6) || !source_is_ours(h)) {
			mgmt_count(DPC_drop_ike_from_daemon);
			continue;
		}
		m = build_packet(buf, (size_t)n);
		if (m == NULL) {
			mgmt_count(DPC_drop_nomem);
			continue;
		}
		dp_meta(m)->out_port = DP_INJECT_ROUTE;
		if (rte_ring_sp_enqueue(dp.inject_ring, m) != 0) {
			rte_pktmbuf_free(m);
			mgmt_count(DPC_drop_punt_full);
			continue;
		}
		mgmt_count(DPC_ike_from_daemon);
	}
}
