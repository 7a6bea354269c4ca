/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Several Child SAs per IKE SA (RFC 7296 §1.3.1, ike/ike_sa_children.c), two
 * of our SAs in memory: a connection with two selector pairs gets its second
 * Child SA by CREATE_CHILD_SA after IKE_AUTH (from either end), both ends
 * hold both with mirrored keys and selectors; each rekeys on its own (make
 * before break) while the other stays untouched; a Delete of one leaves the
 * other; a Child SA beyond the configured pairs is refused NO_ADDITIONAL_SAS;
 * simultaneous rekeys of one or of two Child SAs; an IKE SA rekey carries
 * both over.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "ike_pair.h"
#include "ike_sa.h"
#include "ike_sa_int.h" /* the peer Delete entry point */

#define IKE_P "aes128gcm16-prfsha256-x25519"
#define ESP_P "aes128-sha256"

/* Both ends' Child SA n: present, mirrored SPIs, keys and selectors. */
static void check_child(struct pair *p, size_t n)
{
	const struct ike_child_sa *ci = ike_sa_child_n(p->i, n), *cr = ike_sa_child_n(p->r, n);

	CHECK(ci != NULL && cr != NULL);
	if (ci == NULL || cr == NULL)
		return;
	CHECK(ci->spi_in == cr->spi_out && ci->spi_out == cr->spi_in);
	CHECK(key_eq(&ci->encr_out, &cr->encr_in) && key_eq(&ci->encr_in, &cr->encr_out));
	CHECK(key_eq(&ci->integ_out, &cr->integ_in) && key_eq(&ci->integ_in, &cr->integ_out));
	CHECK(memcmp(&ci->ts_local, &cr->ts_remote, sizeof(ci->ts_local)) == 0);
	CHECK(memcmp(&ci->ts_remote, &cr->ts_local, sizeof(ci->ts_local)) == 0);
}

/* A connection pair (i, r) with the second selector pairs 10.99.16/24 <-> 10.99.17/24
 * on n_i / n_r further pairs (the third: 10.99.26/24 <-> 10.99.27/24, or with
 * dup the second's again). */
static void two_pairs(struct pair *p, size_t n_i, size_t n_r, bool dup)
{
	struct ike_sa_cfg ci = conn(true, IKE_P, ESP_P), cr = conn(false, IKE_P, ESP_P);
	static const char *const l[] = {"10.99.16.0", "10.99.26.0"};
	static const char *const r[] = {"10.99.17.0", "10.99.27.0"};

	if (dup) {
		ci.more_local[1] = ts(l[0], 24);
		ci.more_remote[1] = ts(r[0], 24);
	}

	for (size_t k = 0; k < n_i && !(dup && k == 1); k++) {
		ci.more_local[k] = ts(l[k], 24);
		ci.more_remote[k] = ts(r[k], 24);
	}
	ci.n_more = n_i;
	for (size_t k = 0; k < n_r; k++) {
		cr.more_local[k] = ts(r[k], 24);
		cr.more_remote[k] = ts(l[k], 24);
	}
	cr.n_more = n_r;
	pair_init(p, ci, cr);
	CHECK(run(p));
	CHECK(ike_sa_child_n(p->i, 1) == NULL && ike_sa_child_n(p->r, 1) == NULL);
}

/* me asks for its next configured Child SA; the peer answers. */
static void next_child(struct pair *p, struct ike_sa *me)
{
	static struct ike_dgram a, b, c;

	CHECK(ike_sa_next_child(me, p->now, &a) == 1);
	CHECK(ike_sa_next_child(me, p->now, &b) != 1); /* one request at a time */
	CHECK(deliver(p, me, &a, &b) == 1);
	CHECK(deliver(p, me == p->i ? p->r : p->i, &b, &c) == 0);
}

/* Child SA n rekeyed by me; every other Child SA keeps its SPIs. */
static void rekey_n(struct pair *p, struct ike_sa *me, size_t n)
{
	static struct ike_dgram a, b, d, e;
	struct ike_sa *peer = me == p->i ? p->r : p->i;
	uint32_t before[IKE_CHILDREN_MAX] = {0};
	uint32_t old_in = ike_sa_child_n(me, n)->spi_in;

	for (size_t k = 0; k < IKE_CHILDREN_MAX; k++)
		if (ike_sa_child_n(me, k) != NULL)
			before[k] = ike_sa_child_n(me, k)->spi_in;
	CHECK(ike_sa_rekey_child_n(me, n, p->now, &a) == 1);
	CHECK(deliver(p, me, &a, &b) == 1);
	CHECK(ike_sa_old_child_n(peer, n) != NULL && !ike_sa_rekey_ours_n(peer, n));
	CHECK(deliver(p, peer, &b, &d) == 1); /* out: our Delete of the old pair */
	CHECK(ike_sa_old_child_n(me, n) != NULL && ike_sa_old_child_n(me, n)->spi_in == old_in);
	CHECK(ike_sa_rekey_ours_n(me, n));
	CHECK(deliver(p, me, &d, &e) == 1);
	CHECK(ike_sa_old_child_n(peer, n) == NULL);
	CHECK(deliver(p, peer, &e, &a) == 0);
	CHECK(ike_sa_old_child_n(me, n) == NULL);
	CHECK(ike_sa_child_n(me, n)->spi_in != old_in);
	for (size_t k = 0; k < IKE_CHILDREN_MAX; k++) {
		const struct ike_child_sa *c = ike_sa_child_n(me, k);

		CHECK((c != NULL) == (before[k] != 0));
		if (k != n && c != NULL)
			CHECK(c->spi_in == before[k]);
		if (c != NULL)
			check_child(p, k);
	}
}

static void test_second_child(void)
{
	for (int by_i = 1; by_i >= 0; by_i--) {
		struct pair p;

		two_pairs(&p, 1, 1, false);
		struct ike_sa *me = by_i ? p.i : p.r;
		next_child(&p, me);
		CHECK(ike_sa_next_child(me, 0, &(struct ike_dgram){0}) == 0); /* no more */
		check_child(&p, 0);
		check_child(&p, 1);
		const struct ike_child_sa *c = ike_sa_child_n(me, 1);
		struct ike_tsv want = ts(by_i ? "10.99.16.0" : "10.99.17.0", 24);
		CHECK(c != NULL && memcmp(&c->ts_local, &want, sizeof(want)) == 0);
		CHECK(ike_sa_child_n(p.i, 0)->spi_in != ike_sa_child_n(p.i, 1)->spi_in);
		CHECK(!key_eq(&ike_sa_child_n(p.i, 0)->encr_out, &ike_sa_child_n(p.i, 1)->encr_out));
		/* each rekeys on its own, by either end */
		rekey_n(&p, p.i, 1);
		rekey_n(&p, p.r, 1);
		rekey_n(&p, p.i, 0);
		rekey_n(&p, p.r, 0);
		rekey_n(&p, me, 1);
		CHECK(ike_sa_child_rekeys(p.i) == 5 && ike_sa_child_rekeys(p.r) == 5);
		pair_free(&p);
	}
}

/* The peer's Delete of the second Child SA's SPI takes it alone; then of the first. */
static void test_delete_one(void)
{
	struct pair p;
	uint32_t ours;

	two_pairs(&p, 1, 1, false);
	next_child(&p, p.i);
	const struct ike_child_sa c0 = *ike_sa_child_n(p.r, 0), c1 = *ike_sa_child_n(p.r, 1);
	CHECK(ike_children_peer_delete(p.r, c1.spi_out, &ours) && ours == c1.spi_in);
	CHECK(ike_sa_child_n(p.r, 1) == NULL);
	CHECK(ike_sa_child_n(p.r, 0) != NULL && ike_sa_child_n(p.r, 0)->spi_in == c0.spi_in);
	CHECK(!ike_children_peer_delete(p.r, c1.spi_out, &ours)); /* gone */
	CHECK(ike_children_peer_delete(p.r, c0.spi_out, &ours) && ours == c0.spi_in);
	CHECK(ike_sa_child_n(p.r, 0) == NULL);
	pair_free(&p);
}

/* A Child SA for a pair the responder does not have, or a second one for a
 * pair that holds one, is refused NO_ADDITIONAL_SAS; both keep what they had. */
static void test_beyond_config(void)
{
	for (int dup = 0; dup < 2; dup++) {
		struct pair p;
		static struct ike_dgram a, b, c;

		two_pairs(&p, 2, 1, dup);
		next_child(&p, p.i);
		uint64_t drops = ike_sa_drops(p.r)[IKE_SA_DROP_NO_PROPOSAL];
		CHECK(ike_sa_next_child(p.i, 0, &a) == 1); /* the third pair */
		CHECK(to_r(&p, &a, &b) == 1);
		CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_NO_PROPOSAL] == drops + 1);
		CHECK(to_i(&p, &b, &c) == -1); /* the refusal, counted */
		CHECK(ike_sa_child_n(p.i, 2) == NULL && ike_sa_child_n(p.r, 2) == NULL);
		CHECK(ike_sa_next_child(p.i, 0, &a) == 0); /* one try each */
		check_child(&p, 0);
		check_child(&p, 1);
		CHECK(ike_sa_state(p.i) == IKE_SA_ESTABLISHED &&
		      ike_sa_state(p.r) == IKE_SA_ESTABLISHED);
		pair_free(&p);
	}
}

/* Both ends rekey at once: the same Child SA (second one) is a §2.8.1
 * collision, resolved as for a single one (one new pair survives on both);
 * different ones: each answers the other TEMPORARY_FAILURE (§2.25), nothing
 * changes, and a retry works. */
static void test_collisions(void)
{
	for (int same = 1; same >= 0; same--) {
		struct pair p;
		static struct ike_dgram ai, ar, ri, rr, di, dr, x, y;

		two_pairs(&p, 1, 1, false);
		next_child(&p, p.i);
		uint32_t c0 = ike_sa_child_n(p.i, 0)->spi_in, c1 = ike_sa_child_n(p.i, 1)->spi_in;
		CHECK(ike_sa_rekey_child_n(p.i, 1, 0, &ai) == 1);
		CHECK(ike_sa_rekey_child_n(p.r, same ? 1 : 0, 0, &ar) == 1);
		CHECK(to_r(&p, &ai, &ri) == 1); /* r answers i's request */
		CHECK(to_i(&p, &ar, &rr) == 1); /* i answers r's */
		if (same) {
			/* each gets its answer: the Deletes of §2.8.1, then their answers */
			CHECK(to_i(&p, &ri, &di) == 1);
			CHECK(to_r(&p, &rr, &dr) == 1);
			CHECK(to_r(&p, &di, &x) == 1);
			CHECK(to_i(&p, &dr, &y) == 1);
			CHECK(to_i(&p, &x, &ri) == 0);
			CHECK(to_r(&p, &y, &rr) == 0);
			CHECK(ike_sa_child_n(p.i, 1)->spi_in != c1);
			CHECK(ike_sa_old_child_n(p.i, 1) == NULL && ike_sa_old_child_n(p.r, 1) == NULL);
		} else {
			CHECK(to_i(&p, &ri, &di) == -1); /* TEMPORARY_FAILURE */
			CHECK(to_r(&p, &rr, &dr) == -1);
			CHECK(ike_sa_child_n(p.i, 1)->spi_in == c1);
			rekey_n(&p, p.r, 0);
			rekey_n(&p, p.i, 1);
		}
		CHECK(ike_sa_child_n(p.i, 0)->spi_in != c0 || same);
		check_child(&p, 0);
		check_child(&p, 1);
		pair_free(&p);
	}
}

/* An IKE SA rekey (§2.18) carries both Child SAs over unchanged. */
static void test_ike_rekey(void)
{
	struct pair p;
	static struct ike_dgram a, b, c;

	two_pairs(&p, 1, 1, false);
	next_child(&p, p.i);
	struct ike_child_sa c1 = *ike_sa_child_n(p.i, 1);
	CHECK(ike_sa_rekey_ike(p.i, 0, &a) == 1);
	CHECK(to_r(&p, &a, &b) == 1);
	CHECK(to_i(&p, &b, &c) == 1); /* out: the Delete of the old IKE SA */
	struct ike_sa *ni = ike_sa_take_successor(p.i), *nr = ike_sa_take_successor(p.r);
	CHECK(ni != NULL && nr != NULL);
	if (ni != NULL && nr != NULL) {
		const struct ike_child_sa *x = ike_sa_child_n(ni, 1), *y = ike_sa_child_n(nr, 1);
		CHECK(x != NULL && y != NULL && x->spi_in == c1.spi_in && y->spi_out == c1.spi_in);
		CHECK(x != NULL && key_eq(&x->encr_out, &c1.encr_out));
		CHECK(ike_sa_child_n(ni, 0) != NULL && ike_sa_child_n(nr, 0) != NULL);
		CHECK(ike_sa_child_n(p.i, 1) == NULL && ike_sa_child_n(p.r, 1) == NULL);
	}
	ike_sa_free(ni);
	ike_sa_free(nr);
	pair_free(&p);
}

int main(int argc, char **argv)
{
	(void)argv;
	ike_pair_verbose = argc > 1;
	test_second_child();
	test_delete_one();
	test_beyond_config();
	test_ike_rekey();
	test_collisions();
	printf("%d checks, %d failures\n", checks, failures);
	return failures != 0;
}
