/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPsec stage both directions share: rte_ipsec does the ESP protocol work
 * (sequence numbers, replay window, padding, headers), ah.h the AH work; this
 * file owns the crypto queue pair, the grouping by SA and the naming of every
 * failure.  ESP and AH SAs share one crypto burst.
 */
#include <netinet/in.h>

#include <rte_cryptodev.h>
#include <rte_errno.h>
#include <rte_ipsec.h>

#include "ah.h"
#include "dp.h"

/* Bounded wait for a software PMD; a hardware PMD answers well within it. */
#define CRYPTO_DEQ_SPINS 1000000u

struct sa_group {
	struct sa *sa;
	uint16_t start, cnt;
};

/* Stable partition of the burst by SA, so each rte_ipsec call sees one SA. */
static uint16_t
group_by_sa(struct rte_mbuf *pkts[], struct sa *sas[], uint16_t n,
	    struct rte_mbuf *gm[], struct sa_group grp[])
{
	uint16_t i, j, k = 0, ng = 0;
	struct sa *s;

	for (i = 0; i < n; i++) {
		if (sas[i] == NULL)
			continue;
		s = sas[i];
		grp[ng].sa = s;
		grp[ng].start = k;
		for (j = i; j < n; j++) {
			if (sas[j] == s) {
				gm[k++] = pkts[j];
				sas[j] = NULL;
			}
		}
		grp[ng].cnt = k - grp[ng].start;
		ng++;
	}
	return ng;
}

/*
 * Enqueue and wait for the n ops; returns them in cops[] in completion order,
 * ops the device refused last with an error status.  Returns how many came back.
 */
static uint16_t
crypto_run(struct dp_worker *w, struct rte_crypto_op *cops[], uint16_t n)
{
	struct rte_crypto_op *done[DP_MAX_BURST];
	uint16_t enq, deq = 0, i;
	uint32_t spins = 0;

	enq = rte_cryptodev_enqueue_burst(dp.cdev_id, w->idx, cops, n);
	for (i = enq; i < n; i++)
		cops[i]->status = RTE_CRYPTO_OP_STATUS_ERROR;
	while (deq < enq && spins++ < CRYPTO_DEQ_SPINS)
		deq += rte_cryptodev_dequeue_burst(dp.cdev_id, w->idx, done + deq, enq - deq);
	if (unlikely(deq < enq)) {
		/* the device kept them: their mbufs cannot be touched again */
		w->cnt.c[DPC_drop_crypto] += enq - deq;
	}
	for (i = enq; i < n; i++)
		done[deq + i - enq] = cops[i];
	for (i = 0; i < deq + n - enq; i++)
		cops[i] = done[i];
	return deq + n - enq;
}

static void
drop_unprepared(struct dp_worker *w, struct rte_mbuf *m[], uint16_t n, struct sa *s,
		enum cfg_direction dir, int err)
{
	enum dp_counter reason;
	uint16_t i;

	/* lengths were checked before, so an inbound refusal is the replay window */
	if (dir == CFG_DIR_IN)
		reason = DPC_drop_replay;
	else
		reason = err == EOVERFLOW ? DPC_drop_seq_overflow : DPC_drop_encap;
	for (i = 0; i < n; i++) {
		if (reason == DPC_drop_replay)
			w->sa_cnt[s->idx].drop_replay++;
		dp_drop(w, m[i], reason);
	}
}

/*
 * After a good ICV, rte_ipsec refuses a packet either for its trailer (the
 * packet is left as it was) or, having already decapsulated it, because a copy
 * moved the window earlier in this burst: the length tells which.
 */
static inline bool
refused_by_window(struct rte_mbuf *m)
{
	return rte_pktmbuf_pkt_len(m) != dp_meta(m)->inner_len;
}

/*
 * A tunnel SA refuses a trailer whose next header is not its inner family;
 * 59 there is a dummy packet (RFC 4303 §2.7), to be dropped silently.  The
 * refused packet is still whole, with the high sequence bits of ESN appended.
 */
static inline bool
is_tfc_dummy(const struct rte_mbuf *m, const struct sa *s)
{
	uint32_t tail = s->icv_len + (s->esn ? 4 : 0) + 1;
	const uint8_t *nh;
	uint8_t buf;

	if (rte_pktmbuf_pkt_len(m) < tail)
		return false;
	nh = rte_pktmbuf_read(m, rte_pktmbuf_pkt_len(m) - tail, 1, &buf);
	return nh != NULL && *nh == IPPROTO_NONE;
}

static void
drop_unprocessed(struct dp_worker *w, struct rte_mbuf *m[], uint16_t n, struct sa *s,
		 enum cfg_direction dir)
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		if (dp_meta(m[i])->auth_failed) {
			w->sa_cnt[s->idx].drop_icv++;
			dp_drop(w, m[i], DPC_drop_icv);
		} else if (m[i]->ol_flags & RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED) {
			dp_drop(w, m[i], DPC_drop_crypto);
		} else if (dir == CFG_DIR_OUT) {
			dp_drop(w, m[i], DPC_drop_encap);
		} else if (refused_by_window(m[i])) {
			w->sa_cnt[s->idx].drop_replay++;
			dp_drop(w, m[i], DPC_drop_replay);
		} else if (is_tfc_dummy(m[i], s)) {
			dp_drop(w, m[i], DPC_drop_tfc_dummy);
		} else {
			dp_drop(w, m[i], DPC_drop_decap);
		}
	}
}

static void
drop_ah(struct dp_worker *w, struct rte_mbuf *m[], const enum ah_err err[], uint16_t n,
	const struct sa *s)
{
	static const enum dp_counter reason[] = {
		[AH_ERR_MALFORMED] = DPC_drop_ah_malformed,
		[AH_ERR_UNSUPPORTED] = DPC_drop_ah_unsupported,
		[AH_ERR_NOROOM] = DPC_drop_encap,
		[AH_ERR_SEQ_OVERFLOW] = DPC_drop_seq_overflow,
		[AH_ERR_REPLAY] = DPC_drop_replay,
		[AH_ERR_ICV] = DPC_drop_icv,
		[AH_ERR_CRYPTO] = DPC_drop_crypto,
	};
	uint16_t i;

	for (i = 0; i < n; i++) {
		if (err[i] == AH_ERR_REPLAY)
			w->sa_cnt[s->idx].drop_replay++;
		else if (err[i] == AH_ERR_ICV)
			w->sa_cnt[s->idx].drop_icv++;
		dp_drop(w, m[i], reason[err[i]]);
	}
}

/* rte_ipsec_pkt_crypto_prepare for either protocol; the refused are dropped. */
static uint16_t
prepare_group(struct dp_worker *w, struct sa *s, struct rte_mbuf *m[],
	      struct rte_crypto_op *cops[], uint16_t n, enum cfg_direction dir)
{
	enum ah_err err[DP_MAX_BURST];
	uint16_t k;

	if (s->proto != CFG_SA_AH) {
		k = rte_ipsec_pkt_crypto_prepare(&s->ss, m, cops, n);
		if (k < n)
			drop_unprepared(w, &m[k], n - k, s, dir, rte_errno);
		return k;
	}
	k = dir == CFG_DIR_OUT ? ah_outb_prepare(s->ah, m, cops, n, err) :
				 ah_inb_prepare(s->ah, m, cops, n, err);
	drop_ah(w, &m[k], &err[k], n - k, s);
	return k;
}

/* rte_ipsec_pkt_process for either protocol; the refused are dropped. */
static uint16_t
process_group(struct dp_worker *w, struct sa *s, struct rte_mbuf *m[],
	      struct rte_crypto_op *cops[], uint16_t n, enum cfg_direction dir)
{
	enum ah_err err[DP_MAX_BURST];
	uint16_t k;

	if (s->proto != CFG_SA_AH) {
		k = rte_ipsec_pkt_process(&s->ss, m, n);
		if (k < n)
			drop_unprocessed(w, &m[k], n - k, s, dir);
		return k;
	}
	k = dir == CFG_DIR_OUT ? ah_outb_process(s->ah, m, cops, n, err) :
				 ah_inb_process(s->ah, m, cops, n, err);
	drop_ah(w, &m[k], &err[k], n - k, s);
	return k;
}

uint16_t
dp_ipsec_burst(struct dp_worker *w, struct rte_mbuf *pkts[], struct sa *sas[], uint16_t n,
	       struct rte_mbuf *out[], struct sa *out_sa[], enum cfg_direction dir)
{
	struct rte_crypto_op *cops[DP_MAX_BURST];
	struct rte_mbuf *gm[DP_MAX_BURST], *pm[DP_MAX_BURST];
	struct sa_group grp[DP_MAX_BURST];
	struct rte_ipsec_group ig[DP_MAX_BURST];
	struct sa_counters *sc;
	uint16_t ng, nc = 0, i, j, k, nout = 0;
	struct sa *s;

	if (n == 0)
		return 0;
	ng = group_by_sa(pkts, sas, n, gm, grp);
	if (rte_crypto_op_bulk_alloc(dp.cop_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC, cops, n) == 0) {
		for (i = 0; i < n; i++)
			dp_drop(w, gm[i], DPC_drop_nomem);
		return 0;
	}

	for (i = 0; i < ng; i++) {
		s = grp[i].sa;
		k = prepare_group(w, s, &gm[grp[i].start], &cops[nc], grp[i].cnt, dir);
		for (j = 0; j < k; j++) {
			struct rte_mbuf *m = gm[grp[i].start + j];

			pm[nc + j] = m;
			dp_meta(m)->auth_failed = 0;
			if (dir == CFG_DIR_IN) /* see refused_by_window() */
				dp_meta(m)->inner_len = rte_pktmbuf_pkt_len(m);
		}
		nc += k;
	}
	if (nc < n)
		rte_mempool_put_bulk(dp.cop_pool, (void **)&cops[nc], n - nc);
	if (nc == 0)
		return 0;

	nc = crypto_run(w, cops, nc);
	for (i = 0; i < nc; i++)
		if (cops[i]->status == RTE_CRYPTO_OP_STATUS_AUTH_FAILED)
			dp_meta(cops[i]->sym->m_src)->auth_failed = 1;

	/* every op has a session, so pm[i] is cops[i]'s mbuf and groups are runs of both */
	ng = rte_ipsec_pkt_crypto_group((const struct rte_crypto_op **)cops, pm, ig, nc);

	for (i = 0; i < ng; i++) {
		s = container_of(ig[i].id.ptr, struct sa, ss);
		sc = &w->sa_cnt[s->idx];
		k = process_group(w, s, ig[i].m, &cops[ig[i].m - pm], ig[i].cnt, dir);
		for (j = 0; j < k; j++) {
			struct rte_mbuf *m = ig[i].m[j];

			sc->packets++;
			sc->bytes += dir == CFG_DIR_OUT ? dp_meta(m)->inner_len :
							  rte_pktmbuf_pkt_len(m);
			out[nout] = m;
			out_sa[nout++] = s;
		}
	}
	rte_mempool_put_bulk(dp.cop_pool, (void **)cops, nc);
	return nout;
}
