/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CREATE_CHILD_SA beyond a plain Child SA rekey, two of our SAs in memory:
 * - PFS Child SA rekeys with a MODP, an ECP and the X25519 group: both sides
 *   derive the same keys, and they are not the keys without g^ir (§2.17);
 *   INVALID_KE_PAYLOAD answered and retried with the group asked for;
 * - IKE SA rekeys by either side (§1.3.2, §2.18): new SPIs and keys, the
 *   Child SA carried over unchanged, message IDs from 0, the old IKE SA
 *   deleted, then Child and IKE rekeys on the new one;
 * - simultaneous Child SA and IKE SA rekeys (§2.8): both sides keep the same
 *   single new SA, for either outcome of the nonce comparison; TEMPORARY_FAILURE
 *   only while a switch is in its Delete phase (§2.25);
 * - damaged IKE SA rekey messages are dropped without effect.
 */
#include "ike_msg.h"
#include "ike_pair.h"
#include "ike_sa_int.h" /* keys, nonces and collision state to compare */

#define IKE_GCM "aes128gcm16-prfsha256-x25519"

/* Up to four IKE SAs of one side, found by the SPIs of a message (as the
 * daemon's table does). */
struct side {
	struct ike_sa *sa[4];
	size_t n;
	uint32_t ip;
};

static void side_add(struct side *s, struct ike_sa *sa)
{
	CHECK(s->n < 4);
	if (s->n < 4)
		s->sa[s->n++] = sa;
}

static void side_free(struct side *s)
{
	for (size_t i = 0; i < s->n; i++)
		ike_sa_free(s->sa[i]);
	s->n = 0;
}

/* Hand d to the SA of side `to` its SPIs name, from the address of `from`. */
static int route(struct pair *p, const struct side *from, struct side *to,
		 const struct ike_dgram *d, struct ike_dgram *out)
{
	size_t len;
	const uint8_t *m = msg_of(d, &len);
	struct ike_hdr h;

	CHECK(ike_hdr_decode(m, len, &h) == IKE_MSG_E_OK);
	for (size_t i = 0; i < to->n; i++) {
		struct ike_sa *sa = to->sa[i];

		if (ike_sa_spi_i(sa) == h.ispi && ike_sa_spi_r(sa) == h.rspi) {
			int rc = ike_sa_input(sa, m, len, from->ip, d->local_port, d->remote_port,
					      p->now, out);
			struct ike_sa *n;
			while ((n = ike_sa_take_successor(sa)) != NULL)
				side_add(to, n);
			return rc;
		}
	}
	CHECK(!"a message for no SA of this side");
	return -1;
}

/* The one ESTABLISHED, not replaced IKE SA of a side. */
static struct ike_sa *live(const struct side *s)
{
	struct ike_sa *found = NULL;
	size_t k = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (ike_sa_state(s->sa[i]) == IKE_SA_ESTABLISHED && !ike_sa_rekeyed(s->sa[i])) {
			found = s->sa[i];
			k++;
		}
	}
	CHECK(k == 1);
	return found;
}

static size_t dead(const struct side *s)
{
	size_t k = 0;

	for (size_t i = 0; i < s->n; i++)
		k += ike_sa_state(s->sa[i]) == IKE_SA_DEAD;
	return k;
}

/* The pair's SAs become the two sides' tables. */
static void sides_of(struct pair *p, struct side *si, struct side *sr)
{
	*si = (struct side){{p->i}, 1, p->ci.local_ip};
	*sr = (struct side){{p->r}, 1, p->cr.local_ip};
	p->i = p->r = NULL;
}

/* ... and back: the live SAs are the pair again, the rest is freed. */
static void pair_of(struct pair *p, struct side *si, struct side *sr)
{
	p->i = live(si);
	p->r = live(sr);
	for (size_t i = 0; i < si->n; i++)
		if (si->sa[i] != p->i)
			ike_sa_free(si->sa[i]);
	for (size_t i = 0; i < sr->n; i++)
		if (sr->sa[i] != p->r)
			ike_sa_free(sr->sa[i]);
	si->n = sr->n = 0;
}

/* Exchange datagrams until both sides are quiet: q holds (from side, dgram). */
static void pump(struct pair *p, struct side *si, struct side *sr, struct ike_dgram *q,
		 bool *q_from_i, size_t nq)
{
	static struct ike_dgram out;

	for (size_t guard = 0; nq > 0 && guard < 32; guard++) {
		struct ike_dgram d = q[0];
		bool from_i = q_from_i[0];

		memmove(q, q + 1, (nq - 1) * sizeof(*q));
		memmove(q_from_i, q_from_i + 1, (nq - 1) * sizeof(*q_from_i));
		nq--;
		int rc = from_i ? route(p, si, sr, &d, &out) : route(p, sr, si, &d, &out);
		if (rc == 1 && nq < 8) {
			q[nq] = out;
			q_from_i[nq++] = !from_i;
		}
	}
	CHECK(nq == 0);
}

static void child_keys_equal(const struct ike_child_sa *a, const struct ike_child_sa *b)
{
	CHECK(a->spi_in == b->spi_out && a->spi_out == b->spi_in);
	CHECK(key_eq(&a->encr_out, &b->encr_in) && key_eq(&a->encr_in, &b->encr_out));
	CHECK(key_eq(&a->integ_out, &b->integ_in) && key_eq(&a->integ_in, &b->integ_out));
}

/* ---- PFS ---- */

static void test_pfs_groups(void)
{
	static const char *const esp[] = {"aes128gcm16-modp2048", "aes128gcm16-ecp256",
					  "aes128-sha256-x25519"};
	static const uint16_t group[] = {IKE_DH_MODP_2048, IKE_DH_ECP_256, IKE_DH_CURVE25519};

	for (size_t k = 0; k < 3; k++) {
		struct pair p;

		pair_init(&p, conn(true, IKE_GCM, esp[k]), conn(false, IKE_GCM, esp[k]));
		CHECK(run(&p));
		/* §1.2: IKE_AUTH's Child SA has no DH, whatever the proposal says */
		CHECK(ike_sa_child(p.i)->dh == 0 && ike_sa_child(p.r)->dh == 0);
		for (int n = 0; n < 2; n++) {
			struct ike_sa *me = n == 0 ? p.i : p.r;

			rekey_once(&p, me);
			const struct ike_child_sa *c = ike_sa_child(me);
			CHECK(c->dh == group[k] && ike_sa_child(n == 0 ? p.r : p.i)->dh == group[k]);
			/* the keys are not those of the same exchange without g^ir */
			struct ike_child_keys nopfs;
			CHECK(ike_child_keys_derive(me->suite.prf, &me->keys.d, c->encr,
						    c->encr_key_bits, c->integ,
						    (struct ike_buf){NULL, 0},
						    (struct ike_buf){me->ni, me->ni_len},
						    (struct ike_buf){me->nr, me->nr_len},
						    &nopfs) == IKE_CRYPTO_OK);
			CHECK(!key_eq(&c->encr_out, &nopfs.ei) && !key_eq(&c->encr_out, &nopfs.er));
			ike_child_keys_wipe(&nopfs);
			CHECK(me->dh == NULL && me->gir_len == 0);
		}
		CHECK(ike_sa_drops(p.i)[IKE_SA_DROP_INVALID_KE] == 0);
		pair_free(&p);
	}
}

/* Our first ESP proposal's group is not the peer's: INVALID_KE_PAYLOAD names
 * the peer's, and the rekey goes through on the retry. */
static void test_pfs_invalid_ke(void)
{
	struct pair p;
	static struct ike_dgram a, b, c, d, e;
	struct ike_sa_cfg ci = conn(true, IKE_GCM, "aes128gcm16-ecp256");

	prop(&ci.esp[1], "aes128gcm16-x25519", true);
	ci.n_esp = 2;
	pair_init(&p, ci, conn(false, IKE_GCM, "aes128gcm16-x25519"));
	CHECK(run(&p));
	uint32_t before = ike_sa_child(p.i)->spi_in;
	CHECK(ike_sa_rekey_child(p.i, 0, &a) == 1);
	CHECK(to_r(&p, &a, &b) == 1);
	CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_INVALID_KE] == 1);
	CHECK(ike_sa_old_child(p.r) == NULL);
	CHECK(to_i(&p, &b, &c) == 1); /* the retry with x25519 */
	CHECK(ike_sa_drops(p.i)[IKE_SA_DROP_INVALID_KE] == 1);
	CHECK(ike_sa_child(p.i)->spi_in == before);
	CHECK(to_r(&p, &c, &d) == 1);
	CHECK(to_i(&p, &d, &e) == 1); /* rekeyed: out is the Delete of the old pair */
	CHECK(ike_sa_child(p.i)->dh == IKE_DH_CURVE25519 && ike_sa_child(p.i)->spi_in != before);
	CHECK(to_r(&p, &e, &a) == 1 && to_i(&p, &a, &b) == 0);
	check_children(&p, false);
	/* a peer that asks for a group we never offered gets no second try */
	p.r->cfg.esp[0].dh = IKE_DH_MODP_2048;
	CHECK(ike_sa_rekey_child(p.i, 0, &a) == 1);
	CHECK(to_r(&p, &a, &b) == 1);
	CHECK(to_i(&p, &b, &c) == -1 || to_r(&p, &c, &d) != 1);
	CHECK(ike_sa_old_child(p.i) == NULL);
	pair_free(&p);
}

/* ---- IKE SA rekey ---- */

/* One IKE SA rekey started by the i side (by_i) or the r side. */
static void ike_rekey_once(struct pair *p, bool by_i)
{
	static struct ike_dgram a, b;
	struct side si, sr;
	struct ike_sa *me = by_i ? p->i : p->r;
	uint64_t spi_i = ike_sa_spi_i(me), spi_r = ike_sa_spi_r(me);
	struct ike_key sk_d = me->keys.d;
	struct ike_child_sa child = *ike_sa_child(me);
	struct ike_sa_info in;

	ike_sa_query(me, &in);
	CHECK(in.req_next + in.peer_next > 0);
	CHECK(ike_sa_rekey_ike(me, p->now, &a) == 1);
	CHECK(ike_sa_rekey_ike(me, p->now, &b) == -1);  /* one at a time */
	CHECK(ike_sa_rekey_child(me, p->now, &b) == -1);
	sides_of(p, &si, &sr);
	struct side *sm = by_i ? &si : &sr, *sp = by_i ? &sr : &si;
	bool q_from_i[8] = {by_i};
	struct ike_dgram q[8];
	q[0] = a;
	pump(p, &si, &sr, q, q_from_i, 1);
	/* both: the old SA deleted, one new with new SPIs */
	CHECK(si.n == 2 && sr.n == 2 && dead(&si) == 1 && dead(&sr) == 1);
	struct ike_sa *nm = live(sm), *np = live(sp);
	if (nm == NULL || np == NULL) {
		side_free(&si);
		side_free(&sr);
		return;
	}
	CHECK(ike_sa_spi_i(nm) == ike_sa_spi_i(np) && ike_sa_spi_r(nm) == ike_sa_spi_r(np));
	CHECK(ike_sa_spi_i(nm) != spi_i && ike_sa_spi_r(nm) != spi_r);
	/* §2.18: the rekeying side is the new SA's initiator */
	CHECK(ike_sa_role(nm) == IKE_ROLE_INITIATOR && ike_sa_role(np) == IKE_ROLE_RESPONDER);
	CHECK(!key_eq(&nm->keys.d, &sk_d) && key_eq(&nm->keys.d, &np->keys.d));
	CHECK(key_eq(&nm->keys.ei, &np->keys.ei) && key_eq(&nm->keys.ar, &np->keys.ar));
	/* the Child SA moved over as it was */
	const struct ike_child_sa *c = ike_sa_child(nm);
	CHECK(c != NULL && c->spi_in == child.spi_in && c->spi_out == child.spi_out);
	CHECK(c != NULL && key_eq(&c->encr_out, &child.encr_out));
	child_keys_equal(ike_sa_child(nm), ike_sa_child(np));
	/* message IDs restart */
	ike_sa_query(nm, &in);
	CHECK(in.req_next == 0 && in.peer_next == 0);
	ike_sa_query(np, &in);
	CHECK(in.req_next == 0 && in.peer_next == 0);
	pair_of(p, &si, &sr);
}

static void test_ike_rekey(void)
{
	static const char *const ike[] = {IKE_GCM, "aes128-sha256-modp2048"};

	for (size_t k = 0; k < 2; k++) {
		struct pair p;

		pair_init(&p, conn(true, ike[k], "aes128gcm16"), conn(false, ike[k], "aes128gcm16"));
		CHECK(run(&p));
		ike_rekey_once(&p, true);
		rekey_once(&p, p.i);    /* a Child SA rekey on the new IKE SA */
		ike_rekey_once(&p, false); /* the original responder rekeys */
		rekey_once(&p, p.r);
		check_children(&p, false);
		ike_rekey_once(&p, true);
		CHECK(ike_sa_child_rekeys(p.i) == 2 && ike_sa_child_rekeys(p.r) == 2);
		pair_free(&p);
	}
}

/* The responder now wants another of our IKE groups: INVALID_KE_PAYLOAD in
 * the IKE SA rekey, and the retry with that group makes the new IKE SA. */
static void test_ike_rekey_invalid_ke(void)
{
	struct pair p;
	struct ike_sa_cfg ci = conn(true, IKE_GCM, "aes128gcm16");

	prop(&ci.ike[1], "aes128gcm16-prfsha256-ecp256", false);
	ci.n_ike = 2;
	pair_init(&p, ci, conn(false, IKE_GCM, "aes128gcm16"));
	CHECK(run(&p));
	prop(&p.r->cfg.ike[0], "aes128gcm16-prfsha256-ecp256", false);
	ike_rekey_once(&p, true);
	CHECK(ike_sa_suite(p.i)->dh == IKE_DH_ECP_256 && ike_sa_suite(p.r)->dh == IKE_DH_ECP_256);
	rekey_once(&p, p.r);
	pair_free(&p);
}

/* Every byte of an IKE SA rekey request and of its answer flipped in turn,
 * and every truncation: dropped, never a new IKE SA; the intact ones work. */
static void test_ike_rekey_hostile(void)
{
	static struct ike_dgram a, b, d, bad, x;
	struct pair p;
	struct ike_sa *n;

	pair_init(&p, conn(true, IKE_GCM, "aes128gcm16"), conn(false, IKE_GCM, "aes128gcm16"));
	CHECK(run(&p));
	CHECK(ike_sa_rekey_ike(p.i, 0, &a) == 1);
	for (size_t k = 0; k < a.len; k += 3) {
		bad = a;
		bad.buf[k] ^= 0x41;
		CHECK(to_r(&p, &bad, &x) == -1 || k < 28); /* a header flip may look old */
		CHECK(ike_sa_take_successor(p.r) == NULL && !ike_sa_rekeyed(p.r));
	}
	for (size_t len = 0; len < a.len; len += 7) {
		bad = a;
		bad.len = len;
		CHECK(to_r(&p, &bad, &x) == -1);
	}
	CHECK(to_r(&p, &a, &b) == 1);
	n = ike_sa_take_successor(p.r);
	CHECK(n != NULL && ike_sa_rekeyed(p.r));
	ike_sa_free(n);
	for (size_t k = 0; k < b.len; k += 3) {
		bad = b;
		bad.buf[k] ^= 0x41;
		CHECK(to_i(&p, &bad, &x) == -1 || k < 28);
		CHECK(ike_sa_take_successor(p.i) == NULL && !ike_sa_rekeyed(p.i));
	}
	CHECK(to_i(&p, &b, &d) == 1); /* the Delete of the old IKE SA */
	n = ike_sa_take_successor(p.i);
	CHECK(n != NULL && ike_sa_child(n) != NULL && ike_sa_child(p.i) == NULL);
	ike_sa_free(n);
	CHECK(to_r(&p, &d, &x) == 1 && ike_sa_state(p.r) == IKE_SA_DEAD);
	CHECK(to_i(&p, &x, &d) == 0 && ike_sa_state(p.i) == IKE_SA_DEAD);
	pair_free(&p);
}

/* ---- §2.8 collisions ---- */

/* Both sides rekey the Child SA at once.  Returns whether i's exchange won. */
static bool child_collision(uint32_t seed)
{
	static struct ike_dgram ai, ar, bi, br, xi, xr;
	struct pair p;

	pair_init(&p, conn(true, IKE_GCM, "aes128gcm16-x25519"),
		  conn(false, IKE_GCM, "aes128gcm16-x25519"));
	p.ri.x = seed;
	p.rr.x = seed + 1000; /* never the same stream as i (equal nonces) */
	CHECK(run(&p));
	uint32_t first = ike_sa_child(p.i)->spi_in;
	CHECK(ike_sa_rekey_child(p.i, 0, &ai) == 1);
	CHECK(ike_sa_rekey_child(p.r, 0, &ar) == 1);
	uint32_t offered_i = p.i->rekey_spi_in, offered_r = p.r->rekey_spi_in;
	CHECK(to_r(&p, &ai, &br) == 1); /* answered as usual, held */
	CHECK(to_i(&p, &ar, &bi) == 1);
	CHECK(p.i->has_coll && p.r->has_coll);
	CHECK(ike_sa_child(p.i)->spi_in == first); /* nothing decided yet */
	CHECK(to_i(&p, &br, &xi) == 1); /* each resolves when its own is answered */
	CHECK(to_r(&p, &bi, &xr) == 1);
	/* the winner keeps the loser's redundant SA only to answer its Delete, and
	 * can rekey again meanwhile */
	CHECK(p.i->has_red + p.r->has_red == 1 && !p.i->has_coll && !p.r->has_coll);
	/* the survivor is the same pair on both sides */
	child_keys_equal(ike_sa_child(p.i), ike_sa_child(p.r));
	bool i_won = ike_sa_child(p.i)->spi_in == offered_i;
	CHECK(i_won || ike_sa_child(p.r)->spi_in == offered_r);
	/* the Deletes (of the redundant pair and of the replaced one) */
	CHECK(to_r(&p, &xi, &ai) == 1);
	CHECK(to_i(&p, &xr, &ar) == 1);
	CHECK(to_i(&p, &ai, &bi) == 0 && to_r(&p, &ar, &br) == 0);
	CHECK(!p.i->has_coll && !p.r->has_coll && !p.i->has_red && !p.r->has_red);
	CHECK(ike_sa_old_child(p.i) == NULL && ike_sa_old_child(p.r) == NULL);
	CHECK(ike_sa_child_rekeys(p.i) == 1 && ike_sa_child_rekeys(p.r) == 1);
	CHECK(ike_sa_drops(p.i)[IKE_SA_DROP_REKEY_COLLISION] == 0);
	CHECK(ike_sa_child(p.i)->spi_in != first);
	check_children(&p, false);
	rekey_once(&p, p.r); /* and life goes on */
	pair_free(&p);
	return i_won;
}

/* A collision test with other nonces until each side has won once. */
static void both_outcomes(bool (*collision)(uint32_t seed))
{
	bool seen[2] = {false, false};

	for (uint32_t seed = 1; seed < 40 && !(seen[0] && seen[1]); seed++)
		seen[collision(seed)] = true;
	CHECK(seen[0] && seen[1]);
}

/* Both sides rekey the IKE SA at once.  Returns whether i's exchange won. */
static bool ike_collision(uint32_t seed)
{
	static struct ike_dgram ai, ar;
	struct pair p;
	struct side si, sr;

	pair_init(&p, conn(true, IKE_GCM, "aes128gcm16"), conn(false, IKE_GCM, "aes128gcm16"));
	p.ri.x = seed;
	p.rr.x = seed + 1000; /* never the same stream as i (equal nonces) */
	CHECK(run(&p));
	struct ike_child_sa child = *ike_sa_child(p.i);
	CHECK(ike_sa_rekey_ike(p.i, 0, &ai) == 1);
	CHECK(ike_sa_rekey_ike(p.r, 0, &ar) == 1);
	uint64_t offered_i = p.i->ike_rekey_spi;
	sides_of(&p, &si, &sr);
	struct ike_dgram q[8] = {ai, ar};
	bool from_i[8] = {true, false};
	pump(&p, &si, &sr, q, from_i, 2);
	/* each side: the old SA, the survivor, the redundant one; all but one dead */
	CHECK(si.n == 3 && sr.n == 3 && dead(&si) == 2 && dead(&sr) == 2);
	struct ike_sa *li = live(&si), *lr = live(&sr);
	bool i_won = li != NULL && ike_sa_spi_i(li) == offered_i;
	/* the winner marked the peer's new SA redundant (the peer deleted it) */
	size_t marked = 0;
	for (size_t k = 0; k < 3; k++)
		marked += ike_sa_redundant((i_won ? &si : &sr)->sa[k]) +
			  ike_sa_redundant((i_won ? &sr : &si)->sa[k]) * 10;
	CHECK(marked == 1);
	if (li != NULL && lr != NULL) {
		CHECK(ike_sa_spi_i(li) == ike_sa_spi_i(lr) && ike_sa_spi_r(li) == ike_sa_spi_r(lr));
		CHECK(ike_sa_role(li) != ike_sa_role(lr));
		CHECK(key_eq(&li->keys.d, &lr->keys.d));
		CHECK(ike_sa_child(li) != NULL && ike_sa_child(li)->spi_in == child.spi_in);
		child_keys_equal(ike_sa_child(li), ike_sa_child(lr));
	}
	pair_of(&p, &si, &sr);
	if (p.i != NULL && p.r != NULL) {
		rekey_once(&p, p.i); /* the survivor works */
		ike_rekey_once(&p, false);
	}
	pair_free(&p);
	return i_won;
}

/* A rekey request while our rekey is in its Delete phase: TEMPORARY_FAILURE
 * (§2.25), and nothing changes on either side. */
static void test_busy(void)
{
	static struct ike_dgram a, b, d, x;
	struct pair p;

	pair_init(&p, conn(true, IKE_GCM, "aes128gcm16"), conn(false, IKE_GCM, "aes128gcm16"));
	CHECK(run(&p));
	CHECK(ike_sa_rekey_child(p.i, 0, &a) == 1);
	CHECK(to_r(&p, &a, &b) == 1);
	CHECK(to_i(&p, &b, &d) == 1); /* d: i's Delete of the old pair, not yet sent */
	/* r's IKE SA rekey meets i's unfinished switch */
	p.r->has_old = false;
	CHECK(ike_sa_rekey_ike(p.r, 0, &a) == 1);
	p.r->has_old = true;
	CHECK(to_i(&p, &a, &b) == 1);
	CHECK(ike_sa_drops(p.i)[IKE_SA_DROP_REKEY_COLLISION] == 1);
	CHECK(ike_sa_take_successor(p.i) == NULL);
	CHECK(to_r(&p, &b, &x) == -1 && ike_sa_take_successor(p.r) == NULL);
	CHECK(!ike_sa_rekeyed(p.r) && ike_sa_child(p.r) != NULL);
	CHECK(to_r(&p, &d, &a) == 1 && to_i(&p, &a, &b) == 0);
	check_children(&p, false);
	ike_rekey_once(&p, false); /* later it goes through */
	pair_free(&p);
}

int main(int argc, char **argv)
{
	(void)argv;
	ike_pair_verbose = argc > 1;
	test_pfs_groups();
	test_pfs_invalid_ke();
	test_ike_rekey();
	test_ike_rekey_invalid_ke();
	test_ike_rekey_hostile();
	both_outcomes(child_collision);
	both_outcomes(ike_collision);
	test_busy();
	printf("%d checks, %d failures\n", checks, failures);
	return failures != 0;
}
