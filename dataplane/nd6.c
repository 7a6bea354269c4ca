/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 neighbor discovery (RFC 4861) on the main lcore: answer solicitations
 * for our addresses (the port's IPv6 address and its link-local one), learn
 * neighbors from solicitations and advertisements, and solicit next hops that
 * frames are waiting for.  Router discovery and redirects are not ours: the
 * gateway's routes come from its config.
 */
#include <netinet/icmp6.h>

#include <rte_ip.h>

#include "dp.h"
#include "mgmt.h"

#define ND_HOP_LIMIT 255 /* RFC 4861 §7.1: proves the sender is on the link */
#define ND_MIN_LEN 24    /* ICMPv6 header, flags/reserved, target */
#define ND_OPT_LL_LEN 8  /* source / target link-layer address option for Ethernet */

/* Neighbor solicitation and advertisement share this layout (RFC 4861 §4.3, §4.4). */
struct nd_msg {
	uint8_t type;
	uint8_t code;
	rte_be16_t cksum;
	rte_be32_t flags; /* NA: R, S, O; NS: reserved */
	uint8_t target[16];
} __rte_packed;

struct nd_opt_ll {
	uint8_t type; /* ND_OPT_SOURCE_LINKADDR or ND_OPT_TARGET_LINKADDR */
	uint8_t len;  /* units of 8 bytes */
	uint8_t mac[RTE_ETHER_ADDR_LEN];
} __rte_packed;

#define NA_FLAG_ROUTER RTE_BE32(0x80000000)
#define NA_FLAG_SOLICITED RTE_BE32(0x40000000)
#define NA_FLAG_OVERRIDE RTE_BE32(0x20000000)

/* A valid message's parts that matter to us. */
struct nd_parsed {
	const struct nd_msg *msg;
	bool has_ll;               /* it carries a source/target link-layer option: */
	struct rte_ether_addr ll;
};

/* The ICMPv6 checksum over the pseudo-header (RFC 8200 §8.1), not complemented. */
static uint16_t
icmp6_sum(const struct rte_ipv6_hdr *h, const void *icmp, uint32_t len)
{
	rte_be32_t psd[2] = {rte_cpu_to_be_32(len), rte_cpu_to_be_32(IPPROTO_ICMPV6)};
	uint32_t sum;

	sum = __rte_raw_cksum(h->src_addr, sizeof(h->src_addr) + sizeof(h->dst_addr), 0);
	sum = __rte_raw_cksum(psd, sizeof(psd), sum);
	sum = __rte_raw_cksum(icmp, len, sum);
	return __rte_raw_cksum_reduce(sum);
}

static bool
is_unspecified(const uint8_t a[16])
{
	static const uint8_t zero[16];

	return memcmp(a, zero, sizeof(zero)) == 0;
}

/* ff02::1:ffXX:XXXX, the group that hears solicitations for a (RFC 4291 §2.7.1). */
static void
solicited_node(const uint8_t a[16], uint8_t group[16])
{
	static const uint8_t prefix[13] = {0xff, 0x02, [11] = 0x01, [12] = 0xff};

	memcpy(group, prefix, sizeof(prefix));
	memcpy(group + 13, a + 13, 3);
}

static bool
is_ours(const struct dp_port *port, const uint8_t a[16])
{
	return memcmp(a, port->addr6, 16) == 0 || memcmp(a, port->ll6, 16) == 0;
}

/*
 * RFC 4861 §7.1.1 / §7.1.2 checks common to NS and NA, and the link-layer
 * option of want_opt if present: hop limit 255, checksum, code 0, length, every
 * option of non-zero length inside the message, target not multicast.
 */
static bool
nd_parse(const struct rte_ipv6_hdr *h, const uint8_t *icmp, uint32_t len, uint8_t want_opt,
	 struct nd_parsed *nd)
{
	const struct nd_msg *msg = (const struct nd_msg *)icmp;
	uint32_t off, olen;

	if (h->hop_limits != ND_HOP_LIMIT || len < ND_MIN_LEN || msg->code != 0 ||
	    icmp6_sum(h, icmp, len) != 0xffff || msg->target[0] == 0xff)
		return false;
	nd->msg = msg;
	nd->has_ll = false;
	for (off = sizeof(*msg); off < len; off += olen) {
		if (len - off < 2)
			return false;
		olen = icmp[off + 1] * 8u;
		if (olen == 0 || olen > len - off)
			return false;
		if (icmp[off] == want_opt && olen == ND_OPT_LL_LEN) {
			memcpy(nd->ll.addr_bytes, ((const struct nd_opt_ll *)(icmp + off))->mac,
			       RTE_ETHER_ADDR_LEN);
			nd->has_ll = true;
		}
	}
	return true;
}

/* Fill m with an NS or NA from port p: Ethernet, IPv6 (hop limit 255), the
 * message and one link-layer address option with our MAC. */
static void
nd_fill(struct rte_mbuf *m, uint16_t p, const struct rte_ether_addr *dst_mac,
	const uint8_t src[16], const uint8_t dst[16], uint8_t type, rte_be32_t flags,
	const uint8_t target[16])
{
	const struct dp_port *port = &dp.ports[p];
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eth + 1);
	struct nd_msg *msg = (struct nd_msg *)(ip + 1);
	struct nd_opt_ll *opt = (struct nd_opt_ll *)(msg + 1);
	uint16_t len = sizeof(*msg) + sizeof(*opt);

	eth->dst_addr = *dst_mac;
	eth->src_addr = port->mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(len);
	ip->proto = IPPROTO_ICMPV6;
	ip->hop_limits = ND_HOP_LIMIT;
	memcpy(ip->src_addr, src, 16);
	memcpy(ip->dst_addr, dst, 16);
	msg->type = type;
	msg->code = 0;
	msg->cksum = 0;
	msg->flags = flags;
	memcpy(msg->target, target, 16);
	opt->type = type == ND_NEIGHBOR_SOLICIT ? ND_OPT_SOURCE_LINKADDR : ND_OPT_TARGET_LINKADDR;
	opt->len = 1;
	memcpy(opt->mac, port->mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	msg->cksum = (rte_be16_t)~icmp6_sum(ip, msg, len);
	m->data_len = m->pkt_len = sizeof(*eth) + sizeof(*ip) + len;
}

void
nd6_solicit(uint16_t p, const uint8_t target[16])
{
	const struct dp_port *port = &dp.ports[p];
	struct rte_ether_addr mac = {.addr_bytes = {0x33, 0x33, 0xff}};
	uint8_t group[16];
	const uint8_t *src;
	struct rte_mbuf *m;

	if (!port->has_addr6)
		return;
	m = rte_pktmbuf_alloc(dp.mbuf_pool);
	if (m == NULL)
		return;
	solicited_node(target, group);
	memcpy(&mac.addr_bytes[3], &target[13], 3); /* RFC 2464 §7: 33:33 + last 32 bits */
	/* a link-local target is asked from our link-local address */
	src = target[0] == 0xfe && (target[1] & 0xc0) == 0x80 ? port->ll6 : port->addr6;
	nd_fill(m, p, &mac, src, group, ND_NEIGHBOR_SOLICIT, 0, target);
	mgmt_count(DPC_nd_ns_tx);
	mgmt_tx(p, m);
}

/* A solicitation: learn its sender, and answer if the target is ours (§7.2.3, §7.2.4). */
static void
ns_input(struct rte_mbuf *m, uint16_t p, const struct rte_ipv6_hdr *h, const uint8_t *icmp,
	 uint32_t len)
{
	static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 0x01};
	static const struct rte_ether_addr all_nodes_mac = {.addr_bytes = {0x33, 0x33, 0, 0, 0, 1}};
	const struct dp_port *port = &dp.ports[p];
	uint8_t group[16], target[16], src[16];
	struct rte_ether_addr dst_mac;
	struct neigh_addr sender;
	struct nd_parsed nd;
	bool dad;

	if (!nd_parse(h, icmp, len, ND_OPT_SOURCE_LINKADDR, &nd)) {
		mgmt_count(DPC_drop_nd_invalid);
		goto out;
	}
	dad = is_unspecified(h->src_addr);
	solicited_node(nd.msg->target, group);
	/* §7.1.1: duplicate address detection goes to the solicited-node group, without SLLA */
	if (dad && (memcmp(h->dst_addr, group, 16) != 0 || nd.has_ll)) {
		mgmt_count(DPC_drop_nd_invalid);
		goto out;
	}
	mgmt_count(DPC_nd_ns_rx);
	memcpy(target, nd.msg->target, 16);
	memcpy(src, h->src_addr, 16);
	sender = neigh_addr6(src);
	if (nd.has_ll && !dad && (is_ours(port, target) || neigh_known(dp.neigh, p, &sender)))
		neigh_set(dp.neigh, p, &sender, &nd.ll);
	if (!is_ours(port, target)) {
		mgmt_count(DPC_nd_ignored);
		goto out;
	}
	if (dad) {
		/* §7.2.4: to all nodes, not solicited */
		nd_fill(m, p, &all_nodes_mac, target, all_nodes, ND_NEIGHBOR_ADVERT,
			NA_FLAG_ROUTER | NA_FLAG_OVERRIDE, target);
	} else {
		dst_mac = nd.has_ll ? nd.ll :
			  rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->src_addr;
		nd_fill(m, p, &dst_mac, target, src, ND_NEIGHBOR_ADVERT,
			NA_FLAG_ROUTER | NA_FLAG_SOLICITED | NA_FLAG_OVERRIDE, target);
	}
	mgmt_count(DPC_nd_na_tx);
	mgmt_tx(p, m);
	return;
out:
	rte_pktmbuf_free(m);
}

/* An advertisement completes or refreshes an entry we have (§7.2.5, §7.2.6). */
static void
na_input(uint16_t p, const struct rte_ipv6_hdr *h, const uint8_t *icmp, uint32_t len)
{
	struct rte_ether_addr old;
	struct neigh_addr target;
	struct nd_parsed nd;

	if (!nd_parse(h, icmp, len, ND_OPT_TARGET_LINKADDR, &nd) ||
	    (h->dst_addr[0] == 0xff && (nd.msg->flags & NA_FLAG_SOLICITED))) {
		mgmt_count(DPC_drop_nd_invalid);
		return;
	}
	mgmt_count(DPC_nd_na_rx);
	target = neigh_addr6(nd.msg->target);
	if (!nd.has_ll || !neigh_known(dp.neigh, p, &target))
		return;
	/* without Override, an advertisement does not replace a known MAC */
	if ((nd.msg->flags & NA_FLAG_OVERRIDE) || !neigh_lookup(dp.neigh, p, &target, &old))
		neigh_set(dp.neigh, p, &target, &nd.ll);
}

void
nd6_input(struct rte_mbuf *m)
{
	uint16_t p = dp.port_of_id[m->port];
	const uint32_t l2 = sizeof(struct rte_ether_hdr);
	const struct rte_ipv6_hdr *h;
	const uint8_t *icmp;
	uint32_t len;

	/* the worker validated the IPv6 packet and set l3_len; the frame is whole */
	if (p == DP_PORT_INVALID || !dp.ports[p].has_addr6 ||
	    rte_pktmbuf_data_len(m) < l2 + m->l3_len + 1u) {
		mgmt_count(DPC_nd_ignored);
		rte_pktmbuf_free(m);
		return;
	}
	h = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, l2);
	icmp = rte_pktmbuf_mtod_offset(m, const uint8_t *, l2 + m->l3_len);
	len = rte_pktmbuf_data_len(m) - l2 - m->l3_len;
	switch (icmp[0]) {
	case ND_NEIGHBOR_SOLICIT:
		ns_input(m, p, h, icmp, len);
		return;
	case ND_NEIGHBOR_ADVERT:
		na_input(p, h, icmp, len);
		break;
	default:
		mgmt_count(DPC_nd_ignored);
	}
	rte_pktmbuf_free(m);
}
