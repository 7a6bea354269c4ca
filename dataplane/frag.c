/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packets bigger than the link they must leave by.
 *
 * - An IPv4 packet without DF is fragmented (RFC 791 §3.2), unless
 *   dataplane.fragment is "never".  When it is to be protected this happens
 *   before encryption (RFC 4301 §8.1 pre-fragmentation): each fragment is its
 *   own ESP packet, and the peer needs no reassembly of ESP.
 * - Otherwise (DF set, IPv6, or fragment: never) the packet is dropped and the
 *   sender told the MTU it can use: ICMP fragmentation needed (RFC 792,
 *   RFC 1191 next-hop MTU) or ICMPv6 packet too big (RFC 4443 §3.2).  For a
 *   protected packet that MTU is the egress port's minus what the SA adds
 *   (RFC 4301 §8.2.1: the gateway reports the MTU usable inside the tunnel).
 *
 * The fragments are our own copies, each in one direct mbuf with the pool's
 * headroom: rte_ipv4_fragment_packet() makes indirect mbufs that share the
 * original's buffer, which ESP, encrypting in place and appending its trailer,
 * must not write to.
 *
 * ICMP errors are rate-limited with a token bucket per worker, counted in TSC
 * cycles (no syscalls, no shared state).
 */
#include <rte_cycles.h>
#include <rte_esp.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "dp.h"
#include "ipfam.h"
#include "mtu.h"
#include "route.h"

/* RFC 1812 §4.3.2.3: an ICMP error holds as much of the packet as fits in 576 bytes. */
#define ICMP4_QUOTE_MAX (576 - sizeof(struct rte_ipv4_hdr) - sizeof(struct rte_icmp_hdr))
/* RFC 4443 §2.4 (c): as much as fits in the minimum IPv6 MTU. */
#define IP6_MIN_MTU 1280
#define ICMP6_QUOTE_MAX (IP6_MIN_MTU - sizeof(struct rte_ipv6_hdr) - sizeof(struct rte_icmp_hdr))
#define ICMP_DEST_UNREACH 3
#define ICMP_FRAG_NEEDED 4
#define ICMP6_PACKET_TOO_BIG 2
#define ICMP_ERROR_TTL 64
#define IPTOS_INTERNETCONTROL 0xc0 /* RFC 1812 §4.3.2.5: ICMP errors use precedence 6 */
#define IP4_OPT_COPIED 0x80        /* RFC 791: option copied into every fragment */

struct icmp_bucket {
	uint64_t credit; /* sending allowance in TSC cycles, at most icmp_cap */
	uint64_t last;   /* TSC of the last refill */
	uint16_t ip_id;
} __rte_cache_aligned;

static struct icmp_bucket buckets[CFG_MAX_WORKERS];
static uint64_t icmp_cost; /* cycles per ICMP error; 0: ICMP errors off */
static uint64_t icmp_cap;
static uint16_t mtu_floor; /* smallest port MTU: what fits it fits everywhere */

void
dp_frag_setup(void)
{
	const struct secgw_config *cfg = dp.cfg;
	uint64_t hz = rte_get_tsc_hz(), now = rte_rdtsc();
	uint16_t i;

	icmp_cost = cfg->icmp_rate == 0 ? 0 : RTE_MAX(hz / cfg->icmp_rate, (uint64_t)1);
	icmp_cap = icmp_cost * cfg->icmp_burst;
	for (i = 0; i < RTE_DIM(buckets); i++) {
		buckets[i].credit = icmp_cap;
		buckets[i].last = now;
	}
	mtu_floor = UINT16_MAX;
	for (i = 0; i < dp.n_ports; i++)
		mtu_floor = RTE_MIN(mtu_floor, dp.ports[i].mtu);
}

static bool
icmp_allowed(struct dp_worker *w)
{
	struct icmp_bucket *b = &buckets[w->idx];
	uint64_t now = rte_rdtsc();

	if (icmp_cost == 0)
		return false;
	b->credit = RTE_MIN(b->credit + (now - b->last), icmp_cap);
	b->last = now;
	if (b->credit < icmp_cost) {
		w->cnt.c[DPC_icmp_ratelimited]++;
		return false;
	}
	b->credit -= icmp_cost;
	return true;
}

/* ---- ICMP errors ----------------------------------------------------------- */

static inline uint16_t
ip4_hdr_cksum(const struct rte_ipv4_hdr *h, uint32_t ihl)
{
	uint16_t c = rte_raw_cksum(h, ihl);

	return c == 0xffff ? c : (uint16_t)~c;
}

/*
 * RFC 1812 §4.3.2.7: no ICMP error about an ICMP error, a non-first fragment,
 * a packet to a multicast or broadcast address, or from an address that is not
 * one host's (unspecified, loopback, multicast, broadcast, ours).
 */
static bool
icmp4_may_answer(const struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *h = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	uint32_t src = rte_be_to_cpu_32(h->src_addr), dst = rte_be_to_cpu_32(h->dst_addr);
	uint8_t type;

	if ((h->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK)) != 0)
		return false;
	/* 224/4 multicast and 240/4 reserved (255.255.255.255 among them) */
	if (src == 0 || (src >> 24) == 127 || (src >> 28) >= 0xe || (dst >> 28) >= 0xe ||
	    dp_is_local4(h->src_addr))
		return false;
	if (h->next_proto_id != IPPROTO_ICMP)
		return true;
	if (rte_pktmbuf_data_len(m) <= m->l3_len)
		return false;
	type = *rte_pktmbuf_mtod_offset(m, const uint8_t *, m->l3_len);
	return type != ICMP_DEST_UNREACH && type != 4 /* source quench */ &&
	       type != 5 /* redirect */ && type != 11 /* time exceeded */ &&
	       type != 12 /* parameter problem */;
}

/* RFC 4443 §2.4 (e): not about an ICMPv6 error message, nor from a non-unicast source. */
static bool
icmp6_may_answer(const struct rte_mbuf *m)
{
	static const uint8_t unspecified[16];
	const struct rte_ipv6_hdr *h = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);
	struct ip6_upper u;

	if (h->src_addr[0] == 0xff || memcmp(h->src_addr, unspecified, 16) == 0 ||
	    dp_is_local6(h->src_addr) || !ip6_upper_of(m, &u))
		return false;
	if (u.proto != IPPROTO_ICMPV6 || u.later_frag)
		return true;
	if (rte_pktmbuf_data_len(m) <= u.off)
		return false;
	return *rte_pktmbuf_mtod_offset(m, const uint8_t *, u.off) >= 128; /* informational */
}

/* The port whose address an ICMP error about m comes from: the one m arrived on
 * (RFC 1812 §4.3.2.4 wants an address of the router's), else the error's egress. */
static const struct dp_port *
icmp_src_port(const struct rte_mbuf *m, const struct dp_nexthop *nh, bool v6)
{
	const struct dp_port *p = NULL;

	if (m->port < RTE_MAX_ETHPORTS && dp.port_of_id[m->port] != DP_PORT_INVALID)
		p = &dp.ports[dp.port_of_id[m->port]];
	if (p != NULL && (v6 ? p->has_addr6 : p->addr != 0))
		return p;
	p = &dp.ports[nh->port];
	return (v6 ? p->has_addr6 : p->addr != 0) ? p : NULL;
}

/*
 * Send the error back: clear onto the protected side, and through the outbound
 * SPD (so under whatever policy covers the gateway's own packets) onto the
 * unprotected side.
 */
static void
icmp_send(struct dp_worker *w, struct rte_mbuf *r, const struct dp_nexthop *nh)
{
	if (dp.ports[nh->port].role == CFG_PORT_PROTECTED)
		dp_forward(w, r);
	else
		dp_outbound_local(w, &r, 1);
}

/*
 * The quoted header as the sender sent it: every packet answered here was
 * forwarded, so its TTL / hop limit was decremented before the MTU check.
 */
static void
icmp4_frag_needed(struct dp_worker *w, const struct rte_mbuf *m, uint16_t mtu)
{
	const struct rte_ipv4_hdr *oh = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	uint32_t qlen = RTE_MIN(rte_pktmbuf_pkt_len(m), (uint32_t)ICMP4_QUOTE_MAX);
	const struct dp_nexthop *nh = route4_lookup(dp.routes, oh->src_addr);
	const struct dp_port *p;
	struct rte_ipv4_hdr *h, *q;
	struct rte_icmp_hdr *icmp;
	struct rte_mbuf *r;

	if (nh == NULL || (p = icmp_src_port(m, nh, false)) == NULL || !icmp_allowed(w))
		return;
	r = rte_pktmbuf_alloc(dp.mbuf_pool);
	if (r == NULL)
		return;
	h = (struct rte_ipv4_hdr *)rte_pktmbuf_append(r, sizeof(*h) + sizeof(*icmp) + qlen);
	if (h == NULL) {
		rte_pktmbuf_free(r);
		return;
	}
	icmp = (struct rte_icmp_hdr *)(h + 1);
	q = (struct rte_ipv4_hdr *)(icmp + 1);
	memcpy(q, oh, qlen); /* qlen >= l3_len: the header is whole (ip4_validate) */
	q->time_to_live++;
	q->hdr_checksum = 0;
	q->hdr_checksum = ip4_hdr_cksum(q, m->l3_len);

	icmp->icmp_type = ICMP_DEST_UNREACH;
	icmp->icmp_code = ICMP_FRAG_NEEDED;
	icmp->icmp_ident = 0;                     /* unused */
	icmp->icmp_seq_nb = rte_cpu_to_be_16(mtu); /* RFC 1191 §4: next-hop MTU */
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = ~rte_raw_cksum(icmp, sizeof(*icmp) + qlen);

	h->version_ihl = RTE_IPV4_VHL_DEF;
	h->type_of_service = IPTOS_INTERNETCONTROL;
	h->total_length = rte_cpu_to_be_16(rte_pktmbuf_pkt_len(r));
	h->packet_id = rte_cpu_to_be_16(++buckets[w->idx].ip_id);
	h->fragment_offset = 0;
	h->time_to_live = ICMP_ERROR_TTL;
	h->next_proto_id = IPPROTO_ICMP;
	h->src_addr = p->addr;
	h->dst_addr = oh->src_addr;
	h->hdr_checksum = 0;
	h->hdr_checksum = ip4_hdr_cksum(h, sizeof(*h));
	r->port = m->port;
	r->l2_len = 0;
	r->l3_len = sizeof(*h);
	w->cnt.c[DPC_icmp_frag_needed_tx]++;
	icmp_send(w, r, nh);
}

static void
icmp6_too_big(struct dp_worker *w, const struct rte_mbuf *m, uint32_t mtu)
{
	const struct rte_ipv6_hdr *oh = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);
	uint32_t qlen = RTE_MIN(rte_pktmbuf_pkt_len(m), (uint32_t)ICMP6_QUOTE_MAX);
	const struct dp_nexthop *nh = route6_lookup(dp.routes, oh->src_addr);
	const struct dp_port *p;
	struct rte_ipv6_hdr *h, *q;
	struct rte_icmp_hdr *icmp;
	struct rte_mbuf *r;
	rte_be32_t be_mtu = rte_cpu_to_be_32(mtu);

	if (nh == NULL || (p = icmp_src_port(m, nh, true)) == NULL || !icmp_allowed(w))
		return;
	r = rte_pktmbuf_alloc(dp.mbuf_pool);
	if (r == NULL)
		return;
	h = (struct rte_ipv6_hdr *)rte_pktmbuf_append(r, sizeof(*h) + sizeof(*icmp) + qlen);
	if (h == NULL) {
		rte_pktmbuf_free(r);
		return;
	}
	icmp = (struct rte_icmp_hdr *)(h + 1);
	q = (struct rte_ipv6_hdr *)(icmp + 1);
	memcpy(q, oh, qlen);
	q->hop_limits++;

	h->vtc_flow = rte_cpu_to_be_32(6u << 28);
	h->payload_len = rte_cpu_to_be_16(sizeof(*icmp) + qlen);
	h->proto = IPPROTO_ICMPV6;
	h->hop_limits = ICMP_ERROR_TTL;
	memcpy(h->src_addr, p->addr6, 16);
	memcpy(h->dst_addr, oh->src_addr, 16);
	icmp->icmp_type = ICMP6_PACKET_TOO_BIG;
	icmp->icmp_code = 0;
	memcpy(&icmp->icmp_ident, &be_mtu, sizeof(be_mtu)); /* the 32-bit MTU field */
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = rte_ipv6_udptcp_cksum(h, icmp);
	r->port = m->port;
	r->l2_len = 0;
	r->l3_len = sizeof(*h);
	w->cnt.c[DPC_icmp_ptb_tx]++;
	icmp_send(w, r, nh);
}

/* ---- IPv4 fragmentation ---------------------------------------------------- */

/* The options of header h (ihl bytes) that every fragment repeats (RFC 791
 * §3.1: the copied flag), padded to 4 bytes, into out; their length. */
static uint32_t
ip4_copied_options(const uint8_t *h, uint32_t ihl, uint8_t *out)
{
	uint32_t i = sizeof(struct rte_ipv4_hdr), n = 0, len;

	while (i < ihl) {
		uint8_t type = h[i];

		if (type == 0) /* end of options */
			break;
		if (type == 1) { /* no-operation: one byte, not copied */
			i++;
			continue;
		}
		if (ihl - i < 2 || (len = h[i + 1]) < 2 || len > ihl - i)
			break; /* a malformed option ends the list: the rest is not copied */
		if (type & IP4_OPT_COPIED) {
			memcpy(out + n, h + i, len);
			n += len;
		}
		i += len;
	}
	while (n % 4 != 0)
		out[n++] = 0;
	return n;
}

/*
 * RFC 791 §3.2: m (a validated IPv4 packet without DF) as fragments of at most
 * mtu bytes into out[].  Offsets continue m's own if m is itself a fragment,
 * and the last one keeps m's MF.  Returns the count, or 0 when m cannot be
 * fragmented that small or no mbufs are left (m is untouched then).
 */
static uint16_t
ip4_fragment(struct dp_worker *w, struct rte_mbuf *m, uint32_t mtu, struct rte_mbuf *out[])
{
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ipv4_hdr *h = (const struct rte_ipv4_hdr *)ip;
	uint8_t later[60]; /* header of the fragments after the first */
	uint32_t ihl = m->l3_len, ihl2, payload = rte_pktmbuf_pkt_len(m) - ihl;
	uint16_t fo = rte_be_to_cpu_16(h->fragment_offset);
	uint32_t base = (fo & RTE_IPV4_HDR_OFFSET_MASK) * RTE_IPV4_HDR_OFFSET_UNITS;
	uint32_t first, unit, off, n, i;

	memcpy(later, ip, sizeof(*h));
	ihl2 = sizeof(*h) + ip4_copied_options(ip, ihl, later + sizeof(*h));
	later[0] = (uint8_t)(0x40 | ihl2 / 4);
	if (mtu < ihl + 8 || mtu < ihl2 + 8)
		return 0;
	/* all but the last carry a multiple of 8 bytes (offsets count 8-byte units) */
	first = RTE_ALIGN_FLOOR(mtu - ihl, 8u);
	unit = RTE_ALIGN_FLOOR(mtu - ihl2, 8u);
	n = payload <= first ? 1 : 1 + (payload - first + unit - 1) / unit;
	if (n > DP_FRAG_MAX)
		return 0;
	if (rte_pktmbuf_alloc_bulk(dp.mbuf_pool, out, n) != 0) {
		w->cnt.c[DPC_drop_mtu_nomem]++;
		return 0;
	}
	for (i = 0, off = 0; i < n; i++) {
		uint32_t hl = i == 0 ? ihl : ihl2;
		uint32_t dlen = RTE_MIN(payload - off, i == 0 ? first : unit);
		bool mf = i + 1 < n || (fo & RTE_IPV4_HDR_MF_FLAG) != 0;
		struct rte_ipv4_hdr *fh;
		uint8_t *p = (uint8_t *)rte_pktmbuf_append(out[i], hl + dlen);

		if (p == NULL) { /* cannot happen: hl + dlen <= mtu <= a port MTU < data room */
			rte_pktmbuf_free_bulk(out, n);
			return 0;
		}
		memcpy(p, i == 0 ? ip : later, hl);
		memcpy(p + hl, ip + ihl + off, dlen);
		fh = (struct rte_ipv4_hdr *)p;
		fh->total_length = rte_cpu_to_be_16(hl + dlen);
		fh->fragment_offset = rte_cpu_to_be_16(((base + off) / RTE_IPV4_HDR_OFFSET_UNITS) |
						       (mf ? RTE_IPV4_HDR_MF_FLAG : 0));
		fh->hdr_checksum = 0;
		fh->hdr_checksum = ip4_hdr_cksum(fh, hl);
		out[i]->port = m->port;
		out[i]->l2_len = 0;
		out[i]->l3_len = hl;
		off += dlen;
	}
	return (uint16_t)n;
}

/* ---- the rules --------------------------------------------------------------- */

/*
 * m does not fit: mtu is the largest packet of m's family that would (the
 * port's MTU, or what an SA leaves of it).  Fragment (when may_fragment), or
 * drop and answer.
 */
static int
too_big(struct dp_worker *w, struct rte_mbuf *m, uint32_t mtu, bool may_fragment,
	struct rte_mbuf *frags[])
{
	const struct rte_ipv4_hdr *h4 = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	uint16_t n;

	if (dp_is_ip6(m)) {
		/*
		 * RFC 8201 §4: hosts never go below 1280, so a smaller figure is
		 * no help; a packet of 1280 or less that does not fit is the
		 * config's mistake (README: an IPv6 SA needs a port MTU of
		 * 1280 + its overhead) and is only dropped.
		 */
		if (rte_pktmbuf_pkt_len(m) > IP6_MIN_MTU && icmp6_may_answer(m))
			icmp6_too_big(w, m, RTE_MAX(mtu, (uint32_t)IP6_MIN_MTU));
		dp_drop(w, m, DPC_drop_mtu);
		return -1;
	}
	if ((h4->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)) == 0 &&
	    dp.cfg->fragment == CFG_FRAG_PRE && may_fragment) {
		n = ip4_fragment(w, m, mtu, frags);
		if (n != 0) {
			w->cnt.c[DPC_out_fragmented]++;
			w->cnt.c[DPC_out_fragments] += n;
			rte_pktmbuf_free(m);
			return n;
		}
		/* no mbufs (counted) or an MTU below 28 bytes: drop, nothing to tell */
		dp_drop(w, m, DPC_drop_mtu);
		return -1;
	}
	if (icmp4_may_answer(m))
		icmp4_frag_needed(w, m, (uint16_t)RTE_MIN(mtu, (uint32_t)UINT16_MAX));
	dp_drop(w, m, DPC_drop_mtu);
	return -1;
}

/* MTU of the port the SA's packets leave by; UINT16_MAX without a route (forward counts it).
 * Only for packets near the MTU, so reading the tunnel address from the cold cfg is fine. */
static uint16_t
sa_egress_mtu(const struct sa *s, const struct rte_mbuf *m)
{
	const struct dp_nexthop *nh;

	if (s->tunnel && s->outer_family == AF_INET)
		nh = route4_lookup(dp.routes, s->cfg.tun_dst.v4);
	else if (s->tunnel)
		nh = route6_lookup(dp.routes, s->cfg.tun_dst.v6);
	else if (dp_is_ip6(m))
		nh = route6_lookup(dp.routes,
				   rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *)->dst_addr);
	else
		nh = route4_lookup(dp.routes,
				   rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *)->dst_addr);
	return nh != NULL ? dp.ports[nh->port].mtu : UINT16_MAX;
}

/*
 * The longest inner packet SA s carries in mtu bytes.  Tunnel-mode ESP exactly:
 * outer header (+ UDP), ESP header, IV, the inner packet and the 2-byte trailer
 * padded to the cipher's alignment (RFC 4303 §2.4, as rte_ipsec pads), ICV.
 * AH and transport mode by their worst-case overhead.
 */
static uint32_t
sa_inner_mtu(const struct sa *s, uint32_t mtu)
{
	uint32_t fixed;

	if (s->proto == CFG_SA_ESP && s->tunnel) {
		fixed = s->encap_len + sizeof(struct rte_esp_hdr) + s->iv_len + s->icv_len;
		if (mtu < fixed + s->pad_align)
			return 0;
		return (mtu - fixed) / s->pad_align * s->pad_align - sizeof(struct rte_esp_tail);
	}
	return mtu > s->overhead ? mtu - s->overhead : 0;
}

int
dp_mtu_protect(struct dp_worker *w, struct rte_mbuf *m, const struct sa *s,
	       struct rte_mbuf *frags[DP_FRAG_MAX])
{
	uint32_t len = RTE_MAX(rte_pktmbuf_pkt_len(m), (uint32_t)s->tfc_pad), inner;

	if (likely(len + s->overhead <= mtu_floor))
		return 0; /* fits the smallest port: no route lookup */
	inner = sa_inner_mtu(s, sa_egress_mtu(s, m));
	if (len <= inner)
		return 0;
	/* RFC 4303 §3.1.1: transport mode protects whole datagrams, never fragments */
	return too_big(w, m, inner, s->tunnel, frags);
}

uint16_t
dp_mtu_exceeded(struct dp_worker *w, struct rte_mbuf *m, uint16_t mtu,
		struct rte_mbuf *frags[DP_FRAG_MAX])
{
	int n = too_big(w, m, mtu, true, frags);

	return n > 0 ? (uint16_t)n : 0;
}
