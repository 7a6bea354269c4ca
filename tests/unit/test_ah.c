/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AH engine against known answers from independent implementations (scapy
 * for AH and HMAC, python3-cryptography for AES-GMAC; see gen_ah_vectors.py),
 * on crypto_aesni_mb and crypto_openssl (where it has the algorithm):
 *  - outbound output equals the reference bytes for the same sequence number;
 *  - the reference packets verify and strip to the exact original;
 *  - every single-bit change of an immutable byte fails (payload, ICV and
 *    addresses as an ICV failure); changes of mutable fields still verify;
 *  - duplicates (also within one burst) and too-old numbers are refused;
 *  - truncated AH and every wrong Payload Length are refused, never read
 *    beyond the packet (ASan);
 *  - a non-ESN SA stops at 2^32 - 1 with EOVERFLOW; ESN SAs cross 2^32 in
 *    one burst and still match;
 *  - sad_add() builds AH SAs and sad_del() frees them.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_cryptodev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "ah.h"
#include "ah_vectors.h"
#include "sad.h"

#define BURST 8
#define NB_VECTORS (sizeof(ah_vectors) / sizeof(ah_vectors[0]))

static struct rte_mempool *mbuf_pool, *op_pool, *sess_pool;
static int failures, checks;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		checks++;                                                      \
		if (!(cond) && failures++ < 20) {                              \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);   \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
		}                                                              \
	} while (0)

static void
make_cfg(struct cfg_sa *c, const struct ah_vector *v, enum cfg_direction dir,
	 uint32_t window, uint64_t initial_seq)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "ah-%x", v->spi);
	c->spi = v->spi;
	c->dir = dir;
	c->proto = CFG_SA_AH;
	c->mode = v->tunnel ? CFG_MODE_TUNNEL : CFG_MODE_TRANSPORT;
	c->cipher = CFG_CIPHER_NULL;
	c->integ = v->integ;
	memcpy(c->auth_key, v->key, v->key_len);
	c->auth_key_len = v->key_len;
	c->replay_window = window;
	c->esn = v->esn;
	c->initial_seq = initial_seq;
	if (v->tunnel) {
		c->tun_src.family = c->tun_dst.family = v->tun6 ? AF_INET6 : AF_INET;
		memcpy(c->tun_src.v6, v->tun_src, v->tun6 ? 16 : 4);
		memcpy(c->tun_dst.v6, v->tun_dst, v->tun6 ? 16 : 4);
	}
}

static struct ah_sa *
make_sa(const struct ah_vector *v, uint8_t dev, enum cfg_direction dir, uint32_t window,
	uint64_t initial_seq)
{
	char err[SAD_ERR_MAX] = "";
	struct cfg_sa c;
	struct ah_sa *sa;

	make_cfg(&c, v, dir, window, initial_seq);
	sa = ah_sa_create(&c, dev, sess_pool, false, err);
	CHECK(sa != NULL, "%s: %s", v->name, err);
	explicit_bzero(&c, sizeof(c));
	return sa;
}

static struct rte_mbuf *
make_mbuf(const uint8_t *data, uint16_t len, uint16_t l3_len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mbuf_pool);

	memcpy(rte_pktmbuf_append(m, len), data, len);
	m->l3_len = l3_len;
	return m;
}

static bool
same(const struct rte_mbuf *m, const uint8_t *data, uint16_t len)
{
	return rte_pktmbuf_pkt_len(m) == len &&
	       memcmp(rte_pktmbuf_mtod(m, const uint8_t *), data, len) == 0;
}

/* prepare -> device -> process, as the worker stage does; returns the good count */
static uint16_t
run(struct ah_sa *sa, uint8_t dev, bool inbound, struct rte_mbuf *mb[], uint16_t n,
    enum ah_err err[])
{
	struct rte_crypto_op *cop[BURST];
	uint16_t k, enq, deq = 0, i, good;
	uint32_t spins = 0;

	for (i = 0; i < n; i++)
		cop[i] = rte_crypto_op_alloc(op_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC);
	k = inbound ? ah_inb_prepare(sa, mb, cop, n, err) : ah_outb_prepare(sa, mb, cop, n, err);
	enq = rte_cryptodev_enqueue_burst(dev, 0, cop, k);
	while (deq < enq && spins++ < 10000000)
		deq += rte_cryptodev_dequeue_burst(dev, 0, cop + deq, enq - deq);
	CHECK(enq == k && deq == k, "device took %u of %u ops, returned %u", enq, k, deq);
	for (i = 0; i < deq; i++)
		CHECK(cop[i]->sym->m_src == mb[i], "device reordered the ops");
	good = inbound ? ah_inb_process(sa, mb, cop, deq, err) :
			 ah_outb_process(sa, mb, cop, deq, err);
	for (i = 0; i < n; i++)
		rte_crypto_op_free(cop[i]);
	return good;
}

/* One packet through a direction; returns its reason (AH_OK: m holds the output). */
static enum ah_err
run_one(struct ah_sa *sa, uint8_t dev, bool inbound, struct rte_mbuf *m)
{
	enum ah_err err[1];

	run(sa, dev, inbound, &m, 1, err);
	return err[0];
}

static void
check_known_answers(const struct ah_vector *v, uint8_t dev)
{
	struct ah_sa *out = make_sa(v, dev, CFG_DIR_OUT, 0, v->sqn - 1);
	struct ah_sa *in = make_sa(v, dev, CFG_DIR_IN, 64, v->sqn - 1);
	struct rte_mbuf *m, *pair[2];
	enum ah_err err[2];

	m = make_mbuf(v->plain, v->plain_len, v->plain_l3_len);
	CHECK(run_one(out, dev, false, m) == AH_OK && same(m, v->prot, v->prot_len),
	      "%s: outbound differs from the reference", v->name);
	rte_pktmbuf_free(m);

	m = make_mbuf(v->prot, v->prot_len, v->prot_l3_len);
	CHECK(run_one(in, dev, true, m) == AH_OK && same(m, v->plain, v->plain_len),
	      "%s: inbound does not give back the original", v->name);
	rte_pktmbuf_free(m);
	m = make_mbuf(v->prot, v->prot_len, v->prot_l3_len);
	CHECK(run_one(in, dev, true, m) == AH_ERR_REPLAY && same(m, v->prot, v->prot_len),
	      "%s: replay not refused, or the packet changed", v->name);
	rte_pktmbuf_free(m);
	ah_sa_free(in);

	/* two copies in one burst: both pass the pre-check, one gets through */
	in = make_sa(v, dev, CFG_DIR_IN, 64, v->sqn - 1);
	pair[0] = make_mbuf(v->prot, v->prot_len, v->prot_l3_len);
	pair[1] = make_mbuf(v->prot, v->prot_len, v->prot_l3_len);
	CHECK(run(in, dev, true, pair, 2, err) == 1 && err[1] == AH_ERR_REPLAY,
	      "%s: duplicate within a burst", v->name);
	rte_pktmbuf_free_bulk(pair, 2);
	ah_sa_free(in);

	/* too old: far behind the window's top (with ESN it lands in the next 2^32 block) */
	in = make_sa(v, dev, CFG_DIR_IN, 64, v->sqn + 64 + 5);
	m = make_mbuf(v->prot, v->prot_len, v->prot_l3_len);
	CHECK(run_one(in, dev, true, m) == (v->esn ? AH_ERR_ICV : AH_ERR_REPLAY),
	      "%s: too old not refused", v->name);
	rte_pktmbuf_free(m);
	ah_sa_free(in);
	ah_sa_free(out);
}

enum flip_expect { FLIP_FAILS, FLIP_ICV, FLIP_VERIFIES, FLIP_ANY };

/*
 * What a bit change at byte i of v->prot must do.  Mutable per RFC 4302:
 * IPv4 TOS, flags/offset DF bit, TTL, checksum, whole mutable options; IPv6
 * traffic class, flow label, hop limit, data of "may change" options; and
 * the AH padding, which counts as zero.
 */
static enum flip_expect
flip_expect(const struct ah_vector *v, uint16_t i, uint8_t *bit)
{
	const uint8_t *p = v->prot;
	uint16_t l3 = v->prot_l3_len, off, len, ah_used;
	bool v6 = p[0] >> 4 == 6;

	*bit = 1u << (i % 8);
	ah_used = 12 + (v->integ >= CFG_INTEG_AES_128_GMAC ? 24 :
		  v->integ == CFG_INTEG_HMAC_SHA1_96 ? 12 : 16 + 8 * (v->integ - 2));
	if (i >= l3 + ah_used && i < l3 + (p[l3 + 1] + 2) * 4)
		return FLIP_VERIFIES;
	if (i >= l3 + 12 || (!v6 && i >= 12 && i < 20) || (v6 && i >= 8 && i < 40))
		return FLIP_ICV;
	if (!v6 && (i == 1 || i == 8 || i == 10 || i == 11))
		return FLIP_VERIFIES;
	if (!v6 && i == 6) {
		*bit = 0x40; /* DF */
		return FLIP_VERIFIES;
	}
	if (v6 && (i == 1 || i == 2 || i == 3 || i == 7))
		return FLIP_VERIFIES;
	if (v6 && i == 0) {
		*bit = 0x01; /* traffic class */
		return FLIP_VERIFIES;
	}
	/* options: in this reference data RR (IPv4) and option 0x3e (IPv6) are mutable */
	for (off = v6 ? 42 : 20; off < l3 && p[off] != 0; off += len) {
		len = v6 ? p[off + 1] + 2 : p[off] == 1 ? 1 : p[off + 1];
		if (i >= off && i < off + len && (p[off] == 7 || p[off] == 0x3e))
			return i >= off + 2 ? FLIP_VERIFIES : FLIP_ANY;
		if (v6 && p[off] == 1) /* PadN ends the hop-by-hop options here */
			break;
	}
	return FLIP_FAILS;
}

static void
check_bit_flips(const struct ah_vector *v, uint8_t dev)
{
	/* no window: the same number may be tried again and again */
	struct ah_sa *in = make_sa(v, dev, CFG_DIR_IN, 0, v->sqn - 1);
	enum flip_expect want;
	struct rte_mbuf *m;
	enum ah_err e;
	uint16_t i;
	uint8_t bit;

	for (i = 0; i < v->prot_len; i++) {
		want = flip_expect(v, i, &bit);
		m = make_mbuf(v->prot, v->prot_len, v->prot_l3_len);
		rte_pktmbuf_mtod(m, uint8_t *)[i] ^= bit;
		e = run_one(in, dev, true, m);
		CHECK(want == FLIP_ANY || (want == FLIP_VERIFIES) == (e == AH_OK),
		      "%s: bit %#x of byte %u: result %d", v->name, bit, i, e);
		CHECK(want != FLIP_ICV || e == AH_ERR_ICV, "%s: bit %#x of byte %u: %d, not ICV",
		      v->name, bit, i, e);
		if (want == FLIP_VERIFIES && v->tunnel)
			CHECK(same(m, v->plain, v->plain_len), "%s: byte %u", v->name, i);
		rte_pktmbuf_free(m);
	}
	ah_sa_free(in);
}

/* Set the IP length field of a copy cut to len bytes, so only AH is wrong. */
static void
fix_ip_len(uint8_t *p, uint16_t len)
{
	uint16_t l = p[0] >> 4 == 6 ? len - 40 : len;

	p[p[0] >> 4 == 6 ? 4 : 2] = l >> 8;
	p[p[0] >> 4 == 6 ? 5 : 3] = l & 0xff;
}

static void
check_malformed(const struct ah_vector *v, uint8_t dev)
{
	struct ah_sa *in = make_sa(v, dev, CFG_DIR_IN, 0, v->sqn - 1);
	uint16_t l3 = v->prot_l3_len, ah_len = (v->prot[l3 + 1] + 2) * 4, cut, pl;
	struct rte_mbuf *m;
	enum ah_err e;
	uint8_t *p;

	for (cut = l3; cut < v->prot_len; cut++) {
		m = make_mbuf(v->prot, cut, l3);
		fix_ip_len(rte_pktmbuf_mtod(m, uint8_t *), cut);
		e = run_one(in, dev, true, m);
		CHECK(cut < l3 + ah_len ? e == AH_ERR_MALFORMED : e == AH_ERR_ICV,
		      "%s: cut to %u bytes: %d", v->name, cut, e);
		rte_pktmbuf_free(m);
	}
	for (pl = 0; pl < 256; pl++) {
		if (pl == v->prot[l3 + 1])
			continue;
		m = make_mbuf(v->prot, v->prot_len, l3);
		p = rte_pktmbuf_mtod(m, uint8_t *);
		p[l3 + 1] = pl;
		e = run_one(in, dev, true, m);
		CHECK(e != AH_OK && (l3 + (pl + 2u) * 4 <= v->prot_len || e == AH_ERR_MALFORMED),
		      "%s: payload length %u: %d", v->name, pl, e);
		rte_pktmbuf_free(m);
	}
	ah_sa_free(in);
}

/* The n vectors' inputs as one burst through sa give exactly their outputs. */
static bool
burst_matches(struct ah_sa *sa, uint8_t dev, bool inbound, const struct ah_vector *v,
	      uint16_t n)
{
	struct rte_mbuf *mb[BURST];
	enum ah_err err[BURST];
	bool ok;
	uint16_t i;

	for (i = 0; i < n; i++)
		mb[i] = inbound ? make_mbuf(v[i].prot, v[i].prot_len, v[i].prot_l3_len) :
				  make_mbuf(v[i].plain, v[i].plain_len, v[i].plain_l3_len);
	ok = run(sa, dev, inbound, mb, n, err) == n;
	for (i = 0; i < n; i++)
		ok = ok && (inbound ? same(mb[i], v[i].plain, v[i].plain_len) :
				      same(mb[i], v[i].prot, v[i].prot_len));
	rte_pktmbuf_free_bulk(mb, n);
	return ok;
}

/* Consecutive vectors of one ESN SA across 2^32, as one burst each way. */
static void
check_group(const struct ah_vector *v, uint16_t n, uint8_t dev)
{
	struct ah_sa *out = make_sa(v, dev, CFG_DIR_OUT, 0, v->sqn - 1);
	struct ah_sa *in = make_sa(v, dev, CFG_DIR_IN, 1024, v->sqn - 1);

	CHECK(burst_matches(out, dev, false, v, n), "%s: group outbound", v->name);
	CHECK(burst_matches(in, dev, true, v, n), "%s: group inbound", v->name);
	ah_sa_free(in);
	ah_sa_free(out);
}

/* Without ESN the SA stops at 2^32 - 1: never wraps, leaves refused packets alone. */
static void
check_overflow(const struct ah_vector *v, uint8_t dev)
{
	struct ah_sa *out = make_sa(v, dev, CFG_DIR_OUT, 0, UINT32_MAX - 2);
	struct rte_mbuf *mb[3];
	enum ah_err err[3];
	uint16_t i;

	for (i = 0; i < 3; i++)
		mb[i] = make_mbuf(v->plain, v->plain_len, v->plain_l3_len);
	rte_errno = 0;
	CHECK(run(out, dev, false, mb, 3, err) == 2 && err[2] == AH_ERR_SEQ_OVERFLOW &&
	      rte_errno == EOVERFLOW && same(mb[2], v->plain, v->plain_len),
	      "overflow: burst crossing 2^32 - 1");
	CHECK(run(out, dev, false, &mb[2], 1, err) == 0 && err[0] == AH_ERR_SEQ_OVERFLOW,
	      "overflow: SA went on after 2^32 - 1");
	rte_pktmbuf_free_bulk(mb, 3);
	ah_sa_free(out);
}

static void
check_sad(const struct ah_vector *v, uint8_t dev)
{
	struct sad *sad = sad_create("test_ah_sad", 4, SOCKET_ID_ANY);
	char err[SAD_ERR_MAX] = "";
	struct cfg_sa c;
	int idx;

	make_cfg(&c, v, CFG_DIR_IN, 64, 0);
	idx = sad_add(sad, &c, dev, sess_pool, false, err);
	CHECK(idx >= 0 && sad_slot(sad, idx)->ah != NULL && sad_slot(sad, idx)->proto == CFG_SA_AH,
	      "sad_add of an AH SA: %s", err);
	if (idx >= 0) {
		sad_del(sad, idx);
		CHECK(sad_slot(sad, idx)->ah == NULL && sad_slot(sad, idx)->cfg.auth_key[0] == 0,
		      "sad_del left the AH SA");
	}
	sad_destroy(sad);
}

static bool
device_has(const struct ah_vector *v, uint8_t dev)
{
	char err[SAD_ERR_MAX];
	struct cfg_sa c;
	struct ah_sa *sa;

	make_cfg(&c, v, CFG_DIR_OUT, 0, 0);
	sa = ah_sa_create(&c, dev, sess_pool, false, err);
	ah_sa_free(sa);
	return sa != NULL;
}

static int
setup_device(uint8_t dev)
{
	struct rte_cryptodev_config cc = {.socket_id = SOCKET_ID_ANY, .nb_queue_pairs = 1};
	struct rte_cryptodev_qp_conf qc = {.nb_descriptors = 128, .mp_session = sess_pool};

	if (rte_cryptodev_configure(dev, &cc) != 0 ||
	    rte_cryptodev_queue_pair_setup(dev, 0, &qc, SOCKET_ID_ANY) != 0)
		return -1;
	return rte_cryptodev_start(dev);
}

int
main(void)
{
	char *args[] = {"test_ah", "--no-huge", "-m", "512", "--no-pci",
			"--file-prefix=test_ah", "--vdev=crypto_aesni_mb0",
			"--vdev=crypto_openssl0", "--no-telemetry", "--log-level=error", NULL};
	uint32_t sess_size;
	uint16_t i, n, tested, skipped;
	uint8_t dev;

	if (rte_eal_init(10, args) < 0 || rte_cryptodev_count() != 2) {
		fprintf(stderr, "EAL or crypto devices failed\n");
		return 1;
	}
	sess_size = RTE_MAX(rte_cryptodev_sym_get_private_session_size(0),
			    rte_cryptodev_sym_get_private_session_size(1));
	sess_pool = rte_cryptodev_sym_session_pool_create("test_ah_sess", 64, sess_size, 0, 0,
							   SOCKET_ID_ANY);
	mbuf_pool = rte_pktmbuf_pool_create("test_ah_mbuf", 256, 0, 0,
					    RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	op_pool = rte_crypto_op_pool_create("test_ah_ops", RTE_CRYPTO_OP_TYPE_SYMMETRIC, 64, 0,
					    AH_COP_PRIV_SIZE, SOCKET_ID_ANY);
	if (sess_pool == NULL || mbuf_pool == NULL || op_pool == NULL ||
	    setup_device(0) != 0 || setup_device(1) != 0) {
		fprintf(stderr, "pools or device setup failed\n");
		return 1;
	}
	for (dev = 0; dev < 2; dev++) {
		tested = skipped = 0;
		for (i = 0; i < NB_VECTORS; i++) {
			const struct ah_vector *v = &ah_vectors[i];

			if (!device_has(v, dev)) {
				/* the reference device must do every algorithm */
				CHECK(dev != 0, "%s: crypto_aesni_mb refuses it", v->name);
				skipped++;
				continue;
			}
			tested++;
			check_known_answers(v, dev);
			check_bit_flips(v, dev);
			check_malformed(v, dev);
			if (v->group != 0 && (i == 0 || ah_vectors[i - 1].group != v->group)) {
				for (n = 1; i + n < NB_VECTORS && ah_vectors[i + n].group == v->group;)
					n++;
				check_group(v, n, dev);
			}
		}
		check_overflow(&ah_vectors[0], dev);
		check_sad(&ah_vectors[0], dev);
		printf("%s: %u vectors tested, %u skipped (algorithm not offered)\n",
		       rte_cryptodev_name_get(dev), tested, skipped);
	}
	for (dev = 0; dev < 2; dev++) {
		rte_cryptodev_stop(dev);
		rte_cryptodev_close(dev);
	}
	rte_mempool_free(op_pool);
	rte_mempool_free(mbuf_pool);
	rte_mempool_free(sess_pool);
	rte_eal_cleanup();
	printf("%d checks, %d failed\n", checks, failures);
	return failures != 0;
}
