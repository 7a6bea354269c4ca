/* SPDX-License-Identifier: BSD-3-Clause */
/* ARP (RFC 826) on the main lcore: answer for our addresses, learn and resolve next hops. */
#include <rte_arp.h>

#include "dp.h"
#include "mgmt.h"

static void
arp_fill(struct rte_mbuf *m, uint16_t p, uint16_t op, const struct rte_ether_addr *dst_mac,
	 const struct rte_ether_addr *tha, rte_be32_t tip)
{
	const struct dp_port *port = &dp.ports[p];
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);

	eth->dst_addr = *dst_mac;
	eth->src_addr = port->mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = sizeof(rte_be32_t);
	arp->arp_opcode = rte_cpu_to_be_16(op);
	arp->arp_data.arp_sha = port->mac;
	arp->arp_data.arp_sip = port->addr;
	arp->arp_data.arp_tha = *tha;
	arp->arp_data.arp_tip = tip;
	m->data_len = m->pkt_len = sizeof(*eth) + sizeof(*arp);
}

void
arp_request(uint16_t p, rte_be32_t ip)
{
	static const struct rte_ether_addr bcast = {.addr_bytes = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	static const struct rte_ether_addr zero;
	struct rte_mbuf *m;

	if (dp.ports[p].addr == 0)
		return;
	m = rte_pktmbuf_alloc(dp.mbuf_pool);
	if (m == NULL)
		return;
	arp_fill(m, p, RTE_ARP_OP_REQUEST, &bcast, &zero, ip);
	mgmt_tx(p, m);
}

void
arp_input(struct rte_mbuf *m)
{
	uint16_t p = dp.port_of_id[m->port];
	const struct rte_arp_hdr *arp;
	struct rte_ether_addr sha;
	struct neigh_addr sender;
	rte_be32_t sip, tip;
	uint16_t op;

	if (p == DP_PORT_INVALID ||
	    rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr) + sizeof(*arp))
		goto out;
	arp = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *,
				      sizeof(struct rte_ether_hdr));
	if (arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4)
		goto out;
	op = rte_be_to_cpu_16(arp->arp_opcode);
	sha = arp->arp_data.arp_sha;
	sip = arp->arp_data.arp_sip;
	tip = arp->arp_data.arp_tip;
	if (sip == 0 || !rte_is_unicast_ether_addr(&sha))
		goto out;

	/* RFC 826: refresh what we know; learn only when it is about us */
	sender = neigh_addr4(sip);
	if (tip == dp.ports[p].addr || neigh_known(dp.neigh, p, &sender))
		neigh_set(dp.neigh, p, &sender, &sha);
	if (op == RTE_ARP_OP_REQUEST && tip == dp.ports[p].addr) {
		arp_fill(m, p, RTE_ARP_OP_REPLY, &sha, &sha, sip);
		mgmt_tx(p, m);
		return;
	}
out:
	rte_pktmbuf_free(m);
}
