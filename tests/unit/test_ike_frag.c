/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKE fragmentation (RFC 7383) between two of our SAs in memory: negotiated in
 * IKE_SA_INIT, IKE_AUTH both ways in SKF fragments that fit fragment_size,
 * delivered out of order, duplicated and corrupted (dropped and counted, the
 * retransmission of all fragments completes the exchange); a retransmitted
 * first fragment gets the whole cached response again; too many fragments, a
 * reassembly too big and fragments on an SA that did not negotiate them are
 * refused.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ike_msg.h"
#include "ike_pair.h"
#include "ike_sa.h"
#include "ike_sa_int.h" /* forged fragments are sealed with the SA's keys */

#define FRAG_SIZE 300
#define SUITE "aes128-sha256-modp2048"
#define MAXF 40

struct burst {
	size_t n;
	struct ike_dgram d[MAXF];
};

/* What one call produced: its out and whatever ike_sa_next_out() adds. */
static void drain(struct ike_sa *sa, int rc, struct burst *b, const struct ike_dgram *first)
{
	b->n = 0;
	if (rc != 1)
		return;
	b->d[b->n++] = *first;
	while (b->n < MAXF && ike_sa_next_out(sa, &b->d[b->n]) == 1)
		b->n++;
}

static struct ike_sa_cfg frag_conn(bool init)
{
	struct ike_sa_cfg c = conn(init, SUITE, "aes128-sha256");

	/* Long identities make IKE_AUTH (and its answer) need a few fragments. */
	memset(c.local_id.data, init ? 'i' : 'r', 250);
	memset(c.remote_id.data, init ? 'r' : 'i', 250);
	c.local_id.len = c.remote_id.len = 250;
	c.fragmentation = true;
	c.fragment_size = FRAG_SIZE;
	return c;
}

/* Each datagram of b is one SKF fragment i+1 of b->n, within FRAG_SIZE. */
static void check_fragments(const struct burst *b, uint8_t first_np)
{
	struct ike_msg *m = calloc(1, sizeof(*m));

	CHECK(m != NULL && b->n >= 2);
	for (size_t i = 0; m != NULL && i < b->n; i++) {
		size_t len;
		const uint8_t *msg = msg_of(&b->d[i], &len);

		CHECK(b->d[i].len + 28 <= FRAG_SIZE); /* IPv4 + UDP + marker + fragment */
		CHECK(ike_msg_decode(msg, len, m) == IKE_MSG_E_OK);
		CHECK(m->n_pld == 1 && m->pld[0].type == IKE_PLD_SKF);
		CHECK(m->pld[0].u.sk.frag_num == i + 1 && m->pld[0].u.sk.frag_total == b->n);
		CHECK(m->pld[0].u.sk.inner_np == (i == 0 ? first_np : IKE_PLD_NONE));
	}
	free(m);
}

static bool has_frag_notify(const struct ike_dgram *d)
{
	struct ike_msg *m = calloc(1, sizeof(*m));
	bool found = m != NULL && ike_msg_decode(d->buf, d->len, m) == IKE_MSG_E_OK &&
		     ike_msg_find_notify(m, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED) != NULL;

	free(m);
	return found;
}

static struct ike_sa_info info(const struct ike_sa *sa)
{
	struct ike_sa_info in;

	ike_sa_query(sa, &in);
	return in;
}

static void test_fragmented_auth(void)
{
	static struct burst req, req2, resp, resp2;
	static struct ike_dgram a, b, bad;
	struct pair p;

	pair_init(&p, frag_conn(true), frag_conn(false));
	p.nat_port = 31000; /* IKE_AUTH on 4500, with the marker, as with strongSwan */
	CHECK(ike_sa_start(p.i, 0, &a) == 1);
	CHECK(has_frag_notify(&a));
	CHECK(to_r(&p, &a, &b) == 1);
	CHECK(has_frag_notify(&b));
	drain(p.i, to_i(&p, &b, &a), &req, &a);
	check_fragments(&req, IKE_PLD_IDI);

	/* Out of order, the last one twice, a corrupted first one: nothing completes. */
	CHECK(to_r(&p, &req.d[req.n - 1], &b) == 0);
	CHECK(to_r(&p, &req.d[req.n - 1], &b) == -1);
	CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_FRAG_DUP] == 1);
	bad = req.d[0];
	bad.buf[bad.len - 1] ^= 0x40;
	CHECK(to_r(&p, &bad, &b) == -1);
	CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_ICV] == 1);
	for (size_t i = req.n - 1; i-- > 1;)
		CHECK(to_r(&p, &req.d[i], &b) == 0);
	CHECK(ike_sa_state(p.r) == IKE_SA_INIT_DONE);

	/* The initiator's retransmission is every fragment again, byte for byte. */
	p.now = 1000;
	drain(p.i, ike_sa_timer(p.i, p.now, &a), &req2, &a);
	CHECK(req2.n == req.n);
	for (size_t i = 0; i < req.n && i < req2.n; i++)
		CHECK(req2.d[i].len == req.d[i].len &&
		      memcmp(req2.d[i].buf, req.d[i].buf, req.d[i].len) == 0);
	int rc = -1;
	for (size_t i = req2.n; i-- > 0;) {
		rc = to_r(&p, &req2.d[i], &b);
		if (i > 0)
			CHECK(rc == -1); /* held already */
	}
	drain(p.r, rc, &resp, &b);
	CHECK(ike_sa_state(p.r) == IKE_SA_ESTABLISHED);
	CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_FRAG_DUP] == req.n);
	check_fragments(&resp, IKE_PLD_IDR);
	for (size_t i = 0; i < resp.n; i++)
		CHECK(to_i(&p, &resp.d[i], &a) == 0);
	CHECK(ike_sa_state(p.i) == IKE_SA_ESTABLISHED);
	check_children(&p, true);

	/* §2.6.1: the answer to a retransmitted first fragment is all of ours again;
	 * the request's other fragments get nothing. */
	drain(p.r, to_r(&p, &req.d[0], &b), &resp2, &b);
	CHECK(resp2.n == resp.n);
	CHECK(to_r(&p, &req.d[1], &b) == -1);
	CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_RETRANSMIT_ANSWERED] == 1);

	struct ike_sa_info ii = info(p.i), ir = info(p.r);
	CHECK(ii.frag && ir.frag);
	CHECK(ii.frag_sent == 2 * req.n && ii.frag_rcvd == resp.n && ii.frag_reasm == 1);
	CHECK(ir.frag_sent == 2 * resp.n && ir.frag_reasm == 1);
	CHECK(ir.frag_rcvd == req.n); /* the duplicates and the corrupted one not kept */
	pair_free(&p);
}

/* A fragment forged by the initiator's side: fragment num of total of the
 * next INFORMATIONAL request, inner_len zero octets. */
static void forge(struct pair *p, uint16_t num, uint16_t total, size_t inner_len,
		  struct ike_dgram *d)
{
	static const uint8_t zeros[IKE_DGRAM_MAX];
	struct ike_hdr h;

	ike_sa_hdr(p->i, IKE_EXCH_INFORMATIONAL, false, 2, &h); /* after IKE_AUTH's 1 */
	CHECK(ike_sa_seal(p->i, &h, zeros, inner_len, num == 1 ? IKE_PLD_NOTIFY : IKE_PLD_NONE,
			  num, total, d->buf, sizeof(d->buf), &d->len) == 0);
	d->local_port = d->remote_port = 500;
}

static void establish(struct pair *p)
{
	static struct burst out, back;
	static struct ike_dgram a, b;
	int rc = 0;

	CHECK(ike_sa_start(p->i, 0, &a) == 1);
	CHECK(to_r(p, &a, &b) == 1);
	drain(p->i, to_i(p, &b, &a), &out, &a);
	for (size_t i = 0; i < out.n; i++)
		rc = to_r(p, &out.d[i], &b);
	drain(p->r, rc, &back, &b);
	for (size_t i = 0; i < back.n; i++)
		to_i(p, &back.d[i], &a);
	CHECK(ike_sa_state(p->i) == IKE_SA_ESTABLISHED && ike_sa_state(p->r) == IKE_SA_ESTABLISHED);
}

static void test_bounds(void)
{
	static struct ike_dgram d, out;
	struct pair p;

	pair_init(&p, frag_conn(true), frag_conn(false));
	establish(&p);
	/* Total Fragments over IKE_FRAG_MAX (32): refused whatever its ICV. */
	forge(&p, 1, 33, 16, &d);
	CHECK(to_r(&p, &d, &out) == -1);
	CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_FRAG_BAD] == 1);
	/* Two genuine fragments that would reassemble to more than one message may hold. */
	forge(&p, 1, 2, 3000, &d);
	CHECK(to_r(&p, &d, &out) == 0);
	forge(&p, 2, 2, 3000, &d);
	CHECK(to_r(&p, &d, &out) == -1);
	CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_FRAG_BAD] == 2);
	/* A fragment of the older try (smaller Total Fragments) is ignored. */
	forge(&p, 1, 3, 16, &d);
	CHECK(to_r(&p, &d, &out) == 0);
	forge(&p, 2, 2, 16, &d);
	CHECK(to_r(&p, &d, &out) == -1);
	CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_FRAG_BAD] == 3);
	/* A collection left unfinished for too long starts over. */
	p.now += 31000;
	forge(&p, 2, 3, 16, &d);
	CHECK(to_r(&p, &d, &out) == 0);
	CHECK(ike_sa_state(p.r) == IKE_SA_ESTABLISHED);
	pair_free(&p);

	/* The responder does not do fragmentation: IKE_AUTH goes whole, and a
	 * fragment is refused. */
	struct ike_sa_cfg cr = frag_conn(false);
	cr.fragmentation = false;
	pair_init(&p, frag_conn(true), cr);
	CHECK(run(&p));
	CHECK(!info(p.i).frag && !info(p.r).frag);
	forge(&p, 1, 2, 16, &d);
	CHECK(to_r(&p, &d, &out) == -1);
	CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_FRAGMENT] == 1);
	pair_free(&p);
}

int main(int argc, char **argv)
{
	(void)argv;
	verbose = argc > 1;
	test_fragmented_auth();
	test_bounds();
	printf("%d checks, %d failures\n", checks, failures);
	return failures != 0;
}
