/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reassembly of fragments addressed to the gateway (ESP, ESP in UDP and AH
 * that a path fragmented on the way), before decryption: RFC 4303 §3.4.1 has
 * the receiver reassemble before ESP processing.  Transit fragments are never
 * reassembled; they are forwarded as they came.
 *
 * rte_ip_frag does the work, one table per worker (its RX queues see every
 * fragment of a flow only if RSS keeps them together -- the virtual ports here
 * have one queue per worker and no RSS, and a real NIC hashes fragments on
 * addresses only).  Bounds, from the config: reassembly_flows packets in
 * progress per worker, each of at most CFG_REASM_FRAGS_PER_FLOW fragments, for
 * at most reassembly_timeout_ms from its first fragment: a worker never holds
 * more than flows x 8 mbufs, and the loader keeps all workers' share under half
 * the pool.
 *
 * rte_ip_frag hands back a chain of the fragments' mbufs; the rest of the
 * pipeline (rte_ipsec's checks, the parsers) needs one contiguous mbuf, so the
 * chain is folded into the first fragment's tailroom.  That holds the default
 * data room (2048 bytes) minus the first fragment's offset, about 2030 bytes of
 * IP packet; a longer reassembled packet is dropped (drop_reasm_too_big).
 *
 * The library frees what it drops onto a death row; which counter a freed
 * fragment lands in is read from what the call added to it (see account()).
 */
#include <rte_cycles.h>
#include <rte_ip_frag.h>

#include "dp.h"
#include "ipfam.h"
#include "mtu.h"

/* Hash associativity of the table (power of two); two candidate buckets each. */
#define REASM_BUCKET_ENTRIES 16
/* One call frees at most a stale packet's fragments, the current packet's and m. */
#define REASM_CALL_MAX_FREE (2 * RTE_LIBRTE_IP_FRAG_MAX_FRAG + 1)

_Static_assert(CFG_REASM_FRAGS_PER_FLOW == RTE_LIBRTE_IP_FRAG_MAX_FRAG,
	       "the config's bound on held fragments is rte_ip_frag's");

struct reasm {
	struct rte_ip_frag_tbl *tbl;
	struct rte_ip_frag_death_row dr;
} __rte_cache_aligned;

static struct reasm reasm[CFG_MAX_WORKERS];

int
dp_reasm_setup(char *err, size_t len)
{
	const struct secgw_config *cfg = dp.cfg;
	uint64_t cycles = (rte_get_tsc_hz() + 999) / 1000 * cfg->reasm_timeout_ms;
	uint32_t buckets = (cfg->reasm_flows + REASM_BUCKET_ENTRIES - 1) / REASM_BUCKET_ENTRIES;
	uint16_t i;

	for (i = 0; i < dp.n_workers; i++) {
		reasm[i].tbl = rte_ip_frag_table_create(buckets, REASM_BUCKET_ENTRIES,
							cfg->reasm_flows, cycles, rte_socket_id());
		if (reasm[i].tbl == NULL) {
			snprintf(err, len, "cannot create the reassembly table of worker %u (%u flows)",
				 i, cfg->reasm_flows);
			return -1;
		}
		reasm[i].dr.cnt = 0;
	}
	return 0;
}

/* After the workers stopped: frees what the tables still hold. */
void
dp_reasm_teardown(void)
{
	uint16_t i;

	for (i = 0; i < RTE_DIM(reasm); i++) {
		if (reasm[i].tbl == NULL)
			continue;
		rte_ip_frag_free_death_row(&reasm[i].dr, 0);
		rte_ip_frag_table_destroy(reasm[i].tbl);
		reasm[i].tbl = NULL;
	}
}

bool
dp_is_fragment(const struct rte_mbuf *m)
{
	if (dp_is_ip6(m))
		/* rte_ip_frag takes only a fragment header right after the IPv6 one */
		return rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *)->proto == IPPROTO_FRAGMENT;
	return rte_ipv4_frag_pkt_is_fragmented(rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *));
}

/*
 * A fragment the library can take: some payload, all but the last a multiple
 * of 8 bytes (RFC 791 §3.2, RFC 8200 §4.5), and no byte beyond 65535.
 */
static inline bool
frag_ok(uint32_t ofs, uint32_t flen, bool more, uint32_t hlen)
{
	return flen != 0 && (!more || flen % 8 == 0) && ofs + flen + hlen <= UINT16_MAX;
}

/*
 * Which counter the mbufs the last call put on the death row (from index
 * before) go to.  m itself among them: the call refused m -- alone, the table
 * had no room for a new packet; with others, m clashed with the fragments held
 * (overlap, duplicate, a ninth fragment) and the whole packet went.  Freed
 * mbufs without m are a timed-out packet whose slot was taken over.
 */
static void
account(struct dp_worker *w, const struct reasm *r, uint32_t before, const struct rte_mbuf *m,
	bool done)
{
	uint32_t i, n = r->dr.cnt - before;
	bool refused = false;

	if (n == 0)
		return;
	for (i = before; !done && i < r->dr.cnt; i++)
		refused = refused || r->dr.row[i] == m;
	if (!refused)
		w->cnt.c[DPC_drop_reasm_timeout] += n;
	else if (n == 1)
		w->cnt.c[DPC_drop_reasm_table_full]++;
	else
		w->cnt.c[DPC_drop_reasm_invalid] += n;
}

/* The chain rte_ip_frag returns, as one mbuf with a valid header; NULL if dropped. */
static struct rte_mbuf *
finish(struct dp_worker *w, struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *h;

	if (m->nb_segs > 1 && rte_pktmbuf_linearize(m) != 0) {
		dp_drop(w, m, DPC_drop_reasm_too_big);
		return NULL;
	}
	if (!dp_is_ip6(m)) {
		/* the library zeroes the checksum, leaving it to an offload we do not use */
		h = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
	}
	if (!(dp_is_ip6(m) ? ip6_validate(m) : ip4_validate(m))) {
		dp_drop(w, m, DPC_drop_malformed);
		return NULL;
	}
	w->cnt.c[DPC_in_reassembled]++;
	return m;
}

static struct rte_mbuf *
reasm4(struct dp_worker *w, struct reasm *r, struct rte_mbuf *m, uint64_t now)
{
	struct rte_ipv4_hdr *h = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	uint16_t fo = rte_be_to_cpu_16(h->fragment_offset);

	/* ip4_validate: l3_len is the header, pkt_len the total length */
	if (!frag_ok((fo & RTE_IPV4_HDR_OFFSET_MASK) * RTE_IPV4_HDR_OFFSET_UNITS,
		     rte_pktmbuf_pkt_len(m) - m->l3_len, fo & RTE_IPV4_HDR_MF_FLAG, m->l3_len)) {
		dp_drop(w, m, DPC_drop_reasm_invalid);
		return NULL;
	}
	m->l2_len = 0;
	return rte_ipv4_frag_reassemble_packet(r->tbl, &r->dr, m, now, h);
}

/*
 * RFC 6946 atomic fragment (offset 0, no more fragments): the packet itself,
 * with the fragment header taken out.
 */
static struct rte_mbuf *
strip_atomic(struct dp_worker *w, struct rte_mbuf *m)
{
	struct rte_ipv6_hdr *h = rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *);
	const struct rte_ipv6_fragment_ext *fh = (const struct rte_ipv6_fragment_ext *)(h + 1);

	h->proto = fh->next_header;
	h->payload_len = rte_cpu_to_be_16(rte_be_to_cpu_16(h->payload_len) - sizeof(*fh));
	memmove((uint8_t *)h + sizeof(*fh), h, sizeof(*h));
	rte_pktmbuf_adj(m, sizeof(*fh));
	if (!ip6_validate(m)) {
		dp_drop(w, m, DPC_drop_malformed);
		return NULL;
	}
	return m;
}

static struct rte_mbuf *
reasm6(struct dp_worker *w, struct reasm *r, struct rte_mbuf *m, uint64_t now, bool *atomic)
{
	struct rte_ipv6_hdr *h = rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *);
	struct rte_ipv6_fragment_ext *fh = (struct rte_ipv6_fragment_ext *)(h + 1);
	uint32_t plen = rte_be_to_cpu_16(h->payload_len);
	uint16_t fd;

	/* ip6_validate walked the chain: the fragment header is whole when it is first */
	if (plen < sizeof(*fh) || rte_pktmbuf_data_len(m) < sizeof(*h) + sizeof(*fh)) {
		dp_drop(w, m, DPC_drop_reasm_invalid);
		return NULL;
	}
	fd = rte_be_to_cpu_16(fh->frag_data);
	if (RTE_IPV6_GET_FO(fd) == 0 && RTE_IPV6_GET_MF(fd) == 0) {
		*atomic = true;
		return strip_atomic(w, m);
	}
	if (!frag_ok(RTE_IPV6_GET_FO(fd) * 8, plen - sizeof(*fh), RTE_IPV6_GET_MF(fd), 0)) {
		dp_drop(w, m, DPC_drop_reasm_invalid);
		return NULL;
	}
	/* the library counts the fragmentable part from the end of these two headers */
	m->l2_len = 0;
	m->l3_len = sizeof(*h) + sizeof(*fh);
	return rte_ipv6_frag_reassemble_packet(r->tbl, &r->dr, m, now, h, fh);
}

struct rte_mbuf *
dp_reasm(struct dp_worker *w, struct rte_mbuf *m)
{
	struct reasm *r = &reasm[w->idx];
	struct rte_mbuf *out;
	uint32_t before;
	bool atomic = false;

	if (r->dr.cnt > RTE_DIM(r->dr.row) - REASM_CALL_MAX_FREE)
		rte_ip_frag_free_death_row(&r->dr, 0);
	before = r->dr.cnt;
	if (dp_is_ip6(m))
		out = reasm6(w, r, m, rte_rdtsc(), &atomic);
	else
		out = reasm4(w, r, m, rte_rdtsc());
	if (atomic)
		return out;
	w->cnt.c[DPC_in_frag]++;
	account(w, r, before, m, out != NULL);
	return out != NULL ? finish(w, out) : NULL;
}

void
dp_reasm_poll(struct dp_worker *w)
{
	struct reasm *r = &reasm[w->idx];

	if (r->dr.cnt != 0)
		rte_ip_frag_free_death_row(&r->dr, 0);
	rte_ip_frag_table_del_expired_entries(r->tbl, &r->dr, rte_rdtsc());
	if (r->dr.cnt != 0) {
		w->cnt.c[DPC_drop_reasm_timeout] += r->dr.cnt;
		rte_ip_frag_free_death_row(&r->dr, 0);
	}
}
