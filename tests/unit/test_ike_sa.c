/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKE SA state machine: two of our SAs (initiator and responder) talking in
 * memory.  They must reach ESTABLISHED with mirrored Child SAs and equal keys
 * for every suite; INVALID_KE_PAYLOAD and NO_PROPOSAL_CHOSEN round trips;
 * retransmission and duplicate requests; and a hostile peer (every
 * truncation, byte flips, wrong SPIs, a wrong PSK, no proposal) is dropped or
 * answered with the right notify, never crashes (run under ASan/UBSan).
 * With certificates (ECDSA, RSA; made at test time by cert_gen.c) they
 * authenticate each other; a certificate from another CA or one that does not
 * hold the peer's ID is refused with AUTHENTICATION_FAILED, counted.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert_gen.h"
#include "check.h"
#include "ike_msg.h"
#include "ike_msg_build.h"
#include "ike_natt.h"
#include "ike_pair.h"
#include "ike_prop_parse.h"
#include "ike_sa.h"
#include "ike_pair.h"
#include "ike_sa_int.h" /* the rekey tests forge a REKEY_SA SPI */

static void test_suites(void)
{
	static const char *const suites[][2] = {
		{"aes128gcm16-prfsha256-x25519", "aes128gcm16"},
		{"aes128-sha256-modp2048", "aes128-sha256"},
		{"aes256-sha512-ecp384", "aes256-sha1"},
		{"chacha20poly1305-prfsha384-ecp256", "chacha20poly1305"},
		{"aes256gcm16-prfsha512-modp3072", "aes256gcm16"},
	};
	for (size_t s = 0; s < sizeof(suites) / sizeof(suites[0]); s++) {
		for (int nat = 0; nat < 2; nat++) {
			struct pair p;

			pair_init(&p, conn(true, suites[s][0], suites[s][1]),
				  conn(false, suites[s][0], suites[s][1]));
			p.nat_port = nat ? 31000 : 500;
			bool ok = run(&p);
			CHECK(ok);
			if (!ok)
				fprintf(stderr, "  suite %s/%s nat=%d\n", suites[s][0], suites[s][1], nat);
			else
				check_children(&p, nat);
			pair_free(&p);
		}
	}
}

/* Our KE guesses x25519, the responder only takes modp2048: one round trip. */
static void test_invalid_ke(void)
{
	struct pair p;
	struct ike_sa_cfg ci = conn(true, "aes128gcm16-prfsha256-x25519", "aes128gcm16");

	prop(&ci.ike[1], "aes128-sha256-modp2048", false);
	ci.n_ike = 2;
	pair_init(&p, ci, conn(false, "aes128-sha256-modp2048", "aes128gcm16"));
	CHECK(run(&p));
	CHECK(ike_sa_suite(p.i)->dh == 14 && ike_sa_suite(p.i)->encr == 12);
	check_children(&p, false);
	pair_free(&p);
}

static void test_no_proposal(void)
{
	struct pair p;
	struct ike_dgram a, b;

	pair_init(&p, conn(true, "aes128gcm16-prfsha256-x25519", "aes128gcm16"),
		  conn(false, "aes256-sha512-modp2048", "aes128gcm16"));
	CHECK(ike_sa_start(p.i, 0, &a) == 1);
	CHECK(to_r(&p, &a, &b) == 1);
	CHECK(ike_sa_state(p.r) == IKE_SA_DEAD);
	CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_NO_PROPOSAL] == 1);
	CHECK(to_i(&p, &b, &a) == -1);
	CHECK(ike_sa_state(p.i) == IKE_SA_DEAD);
	CHECK(ike_sa_drops(p.i)[IKE_SA_DROP_NO_PROPOSAL] == 1);
	pair_free(&p);

	/* ESP mismatch: the IKE SA stands, without a Child SA (§1.2). */
	pair_init(&p, conn(true, "aes128gcm16-prfsha256-x25519", "aes128gcm16"),
		  conn(false, "aes128gcm16-prfsha256-x25519", "aes128-sha256"));
	CHECK(run(&p));
	CHECK(ike_sa_child(p.i) == NULL && ike_sa_child(p.r) == NULL);
	CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_NO_PROPOSAL] == 1);
	CHECK(ike_sa_drops(p.i)[IKE_SA_DROP_NO_PROPOSAL] == 1);
	pair_free(&p);
}

static void test_narrowing(void)
{
	struct pair p;
	struct ike_sa_cfg ci = conn(true, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	struct ike_sa_cfg cr = conn(false, "aes128gcm16-prfsha256-x25519", "aes128gcm16");

	ci.local_ts = ts("10.99.0.0", 16);  /* initiator asks for more ... */
	cr.remote_ts = ts("10.99.6.0", 25); /* ... than the responder allows */
	pair_init(&p, ci, cr);
	CHECK(run(&p));
	check_children(&p, false);
	const struct ike_child_sa *c = ike_sa_child(p.i);
	CHECK(c != NULL && c->ts_local.start == ntohl(ip("10.99.6.0")) &&
	      c->ts_local.end == ntohl(ip("10.99.6.127")));
	pair_free(&p);

	/* Disjoint selectors: TS_UNACCEPTABLE, IKE SA without child. */
	cr.remote_ts = ts("10.98.0.0", 16);
	pair_init(&p, ci, cr);
	CHECK(run(&p));
	CHECK(ike_sa_child(p.i) == NULL);
	CHECK(ike_sa_drops(p.i)[IKE_SA_DROP_TS_UNACCEPTABLE] == 1);
	pair_free(&p);
}

/* Lost messages: our requests are resent with back-off; a duplicate request
 * gets the byte-identical cached response and changes nothing. */
static void test_retransmit(void)
{
	struct pair p;
	struct ike_dgram a, a2, b, b2, c, c2, d;

	pair_init(&p, conn(true, "aes128-sha256-modp2048", "aes128-sha256"),
		  conn(false, "aes128-sha256-modp2048", "aes128-sha256"));
	CHECK(ike_sa_start(p.i, 0, &a) == 1);
	CHECK(ike_sa_next_timer(p.i) == 1000);
	CHECK(ike_sa_timer(p.i, 999, &a2) == 0);
	CHECK(ike_sa_timer(p.i, 1000, &a2) == 1);
	CHECK(a2.len == a.len && memcmp(a2.buf, a.buf, a.len) == 0);
	CHECK(ike_sa_next_timer(p.i) == 3000);
	p.now = 1000;
	CHECK(to_r(&p, &a, &b) == 1);
	CHECK(to_r(&p, &a2, &b2) == 1);
	CHECK(b2.len == b.len && memcmp(b2.buf, b.buf, b.len) == 0);
	CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_RETRANSMIT_ANSWERED] == 1);
	CHECK(to_i(&p, &b, &c) == 1);
	CHECK(to_i(&p, &b2, &d) == -1); /* a second response: no request outstanding */
	CHECK(ike_sa_state(p.i) == IKE_SA_AUTH_SENT);
	CHECK(ike_sa_timer(p.i, p.now + 1000, &c2) == 1);
	CHECK(c2.len == c.len && memcmp(c2.buf, c.buf, c.len) == 0);
	CHECK(to_r(&p, &c, &b) == 1);
	CHECK(ike_sa_state(p.r) == IKE_SA_ESTABLISHED);
	CHECK(to_r(&p, &c2, &b2) == 1);
	CHECK(b2.len == b.len && memcmp(b2.buf, b.buf, b.len) == 0);
	CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_RETRANSMIT_ANSWERED] == 2);
	/* the answered ID on other bytes (forged, or damaged): no answer */
	c2.buf[c2.len - 1] ^= 1;
	CHECK(to_r(&p, &c2, &b2) == -1);
	CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_RETRANSMIT_ANSWERED] == 2);
	CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_OLD_MSG_ID] == 1);
	CHECK(to_i(&p, &b, &d) == 0);
	CHECK(ike_sa_state(p.i) == IKE_SA_ESTABLISHED);
	check_children(&p, false);
	CHECK(ike_sa_next_timer(p.i) == UINT64_MAX);
	pair_free(&p);

	/* No answer at all: 5 retransmissions, then DEAD. */
	pair_init(&p, conn(true, "aes128-sha256-modp2048", "aes128-sha256"),
		  conn(false, "aes128-sha256-modp2048", "aes128-sha256"));
	CHECK(ike_sa_start(p.i, 0, &a) == 1);
	int sent = 0;
	for (uint64_t t = 0; t < 100000 && ike_sa_state(p.i) != IKE_SA_DEAD; t += 250)
		sent += ike_sa_timer(p.i, t, &a2);
	CHECK(sent == 5);
	CHECK(ike_sa_state(p.i) == IKE_SA_DEAD);
	CHECK(ike_sa_drops(p.i)[IKE_SA_DROP_TIMEOUT] == 1);
	pair_free(&p);
}

/* Every truncation and a byte flip at every position of the IKE_AUTH request:
 * dropped without an answer, the responder still waiting; then the real one
 * completes the exchange. */
static void test_hostile_auth(void)
{
	struct pair p;
	static struct ike_dgram a, b, c, x;

	pair_init(&p, conn(true, "aes128gcm16-prfsha256-x25519", "aes128gcm16"),
		  conn(false, "aes128gcm16-prfsha256-x25519", "aes128gcm16"));
	CHECK(ike_sa_start(p.i, 0, &a) == 1);
	CHECK(to_r(&p, &a, &b) == 1);
	CHECK(to_i(&p, &b, &c) == 1);
	int answered = 0;
	for (size_t n = 0; n < c.len; n++) {
		x = c;
		x.len = n;
		answered += to_r(&p, &x, &b) == 1;
	}
	for (size_t i = 0; i < c.len; i++) {
		x = c;
		x.buf[i] ^= 0x40;
		answered += to_r(&p, &x, &b) == 1;
	}
	CHECK(answered == 0);
	CHECK(ike_sa_state(p.r) == IKE_SA_INIT_DONE);
	CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_ICV] > 0);
	CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_MALFORMED] > 0);
	CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_WRONG_SPI] > 0);
	CHECK(to_r(&p, &c, &b) == 1);
	CHECK(to_i(&p, &b, &a) == 0);
	CHECK(ike_sa_state(p.i) == IKE_SA_ESTABLISHED);
	check_children(&p, false);

	/* The responder's IKE_SA_INIT answer, truncated or flipped, to a fresh initiator. */
	pair_free(&p);
	pair_init(&p, conn(true, "aes128gcm16-prfsha256-x25519", "aes128gcm16"),
		  conn(false, "aes128gcm16-prfsha256-x25519", "aes128gcm16"));
	CHECK(ike_sa_start(p.i, 0, &a) == 1);
	CHECK(to_r(&p, &a, &b) == 1);
	for (size_t n = 0; n < b.len; n++) {
		x = b;
		x.len = n;
		CHECK(to_i(&p, &x, &c) == -1);
	}
	CHECK(ike_sa_state(p.i) == IKE_SA_INIT_SENT);
	CHECK(to_i(&p, &b, &c) == 1);
	CHECK(ike_sa_state(p.i) == IKE_SA_AUTH_SENT);
	pair_free(&p);
}

static void test_bad_psk(void)
{
	struct pair p;
	struct ike_sa_cfg cr = conn(false, "aes128-sha256-modp2048", "aes128-sha256");
	struct ike_dgram a, b, c;

	cr.psk[0] ^= 1;
	pair_init(&p, conn(true, "aes128-sha256-modp2048", "aes128-sha256"), cr);
	CHECK(ike_sa_start(p.i, 0, &a) == 1);
	CHECK(to_r(&p, &a, &b) == 1);
	CHECK(to_i(&p, &b, &c) == 1);
	CHECK(to_r(&p, &c, &b) == 1); /* N(AUTHENTICATION_FAILED) */
	CHECK(ike_sa_state(p.r) == IKE_SA_DEAD);
	CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_AUTH_FAILED] == 1);
	CHECK(to_i(&p, &b, &a) == -1);
	CHECK(ike_sa_state(p.i) == IKE_SA_DEAD);
	CHECK(ike_sa_drops(p.i)[IKE_SA_DROP_AUTH_FAILED] == 1);
	pair_free(&p);

	/* Wrong identity with the right key: refused too. */
	struct ike_sa_cfg ci = conn(true, "aes128-sha256-modp2048", "aes128-sha256");
	idv(&ci.local_id, "mallory.test");
	pair_init(&p, ci, conn(false, "aes128-sha256-modp2048", "aes128-sha256"));
	CHECK(!run(&p));
	CHECK(p.r != NULL && ike_sa_drops(p.r)[IKE_SA_DROP_AUTH_FAILED] == 1);
	pair_free(&p);
}

/* Messages that fit no state: wrong SPIs, responses to nothing, old IDs. */
static void test_stray(void)
{
	struct pair p;
	static struct ike_dgram a, b, c, x;

	pair_init(&p, conn(true, "aes128gcm16-prfsha256-x25519", "aes128gcm16"),
		  conn(false, "aes128gcm16-prfsha256-x25519", "aes128gcm16"));
	CHECK(run(&p));
	/* The initiator's IKE_SA_INIT again, to the established responder: an old ID. */
	CHECK(ike_sa_start(p.i, 0, &a) == -1); /* not idle */
	struct ike_sa *i2;
	struct ike_sa_cfg ci = p.ci;
	CHECK(ike_sa_new(&ci, IKE_ROLE_INITIATOR, &p.ei, &i2) == 0);
	CHECK(ike_sa_start(i2, 0, &a) == 1);
	CHECK(ike_sa_input(p.r, a.buf, a.len, ci.local_ip, 500, 500, 0, &b) == -1);
	CHECK(ike_sa_input(p.i, a.buf, a.len, ci.local_ip, 500, 500, 0, &b) == -1);
	ike_sa_free(i2);
	/* A response with the R flag from the initiator's own SPI space. */
	x = a;
	x.buf[19] |= 0x20;
	CHECK(ike_sa_input(p.r, x.buf, x.len, ci.local_ip, 500, 500, 0, &c) == -1);
	CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_WRONG_SPI] + ike_sa_drops(p.r)[IKE_SA_DROP_OLD_MSG_ID] +
		      ike_sa_drops(p.r)[IKE_SA_DROP_WRONG_FLAGS] >= 2);
	/* Garbage. */
	uint8_t junk[64] = {0};
	CHECK(ike_sa_input(p.r, junk, sizeof(junk), ci.local_ip, 500, 500, 0, &c) == -1);
	CHECK(ike_sa_input(p.r, junk, 0, ci.local_ip, 500, 500, 0, &c) == -1);
	CHECK(ike_sa_state(p.r) == IKE_SA_ESTABLISHED && ike_sa_state(p.i) == IKE_SA_ESTABLISHED);
	pair_free(&p);
}

/* INFORMATIONAL Delete of the IKE SA from either side: the other answers and
 * both end DEAD without a Child SA; a retransmitted Delete is answered again. */
static void test_delete(void)
{
	for (int from_init = 0; from_init < 2; from_init++) {
		struct pair p;
		static struct ike_dgram a, b, b2;

		pair_init(&p, conn(true, "aes128gcm16-prfsha256-x25519", "aes128gcm16"),
			  conn(false, "aes128gcm16-prfsha256-x25519", "aes128gcm16"));
		CHECK(run(&p));
		struct ike_sa *me = from_init ? p.i : p.r, *peer = from_init ? p.r : p.i;
		CHECK(ike_sa_delete(me, 0, &a) == 1);
		CHECK(ike_sa_delete(me, 0, &b) == -1); /* window 1: one request at a time */
		size_t len;
		const uint8_t *m = msg_of(&a, &len);
		CHECK(ike_sa_input(peer, m, len, from_init ? p.ci.local_ip : p.cr.local_ip,
				   a.local_port, a.remote_port, 0, &b) == 1);
		CHECK(ike_sa_state(peer) == IKE_SA_DEAD && ike_sa_child(peer) == NULL);
		m = msg_of(&b, &len);
		CHECK(ike_sa_input(me, m, len, 0, b.local_port, b.remote_port, 0, &b2) == 0);
		CHECK(ike_sa_state(me) == IKE_SA_DEAD && ike_sa_child(me) == NULL);
		pair_free(&p);
	}
}


static void test_rekey(void)
{
	static const char *const esp[] = {"aes128gcm16", "aes256-sha256"};

	for (size_t k = 0; k < 2; k++) {
		struct pair p;

		pair_init(&p, conn(true, "aes128gcm16-prfsha256-x25519", esp[k]),
			  conn(false, "aes128gcm16-prfsha256-x25519", esp[k]));
		CHECK(run(&p));
		rekey_once(&p, p.i); /* the original initiator rekeys */
		rekey_once(&p, p.r); /* ... and the original responder */
		rekey_once(&p, p.r);
		rekey_once(&p, p.i);
		pair_free(&p);
	}
}

/* A REKEY_SA naming no SA of the peer's gets CHILD_SA_NOT_FOUND and changes
 * nothing; damaged CREATE_CHILD_SA messages are dropped. */
static void test_rekey_hostile(void)
{
	struct pair p;
	static struct ike_dgram a, b, x;

	pair_init(&p, conn(true, "aes128gcm16-prfsha256-x25519", "aes128gcm16"),
		  conn(false, "aes128gcm16-prfsha256-x25519", "aes128gcm16"));
	CHECK(run(&p));
	struct ike_child_sa before = *ike_sa_child(p.r);
	uint32_t real = p.i->child.spi_in;
	p.i->child.spi_in = 0x12345678; /* an SPI the responder never sent to */
	CHECK(ike_sa_rekey_child(p.i, 0, &a) == 1);
	p.i->child.spi_in = real;
	CHECK(to_r(&p, &a, &b) == 1);
	CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_CHILD_NOT_FOUND] == 1);
	CHECK(ike_sa_child(p.r)->spi_in == before.spi_in && ike_sa_old_child(p.r) == NULL);
	CHECK(to_i(&p, &b, &x) == -1); /* the refusal: no new Child SA */
	CHECK(ike_sa_child(p.i)->spi_in == real && ike_sa_old_child(p.i) == NULL);
	check_children(&p, false);
	/* REKEY_SA with SPI 0 names no SA either (it is not "no REKEY_SA") */
	p.i->child.spi_in = 0;
	CHECK(ike_sa_rekey_child(p.i, 0, &a) == 1);
	p.i->child.spi_in = real;
	CHECK(to_r(&p, &a, &b) == 1);
	CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_CHILD_NOT_FOUND] == 2);
	CHECK(to_i(&p, &b, &x) == -1);
	check_children(&p, false);
	/* every byte of a rekey request flipped in turn: dropped, never acted on */
	CHECK(ike_sa_rekey_child(p.i, 0, &a) == 1);
	for (size_t k = 0; k < a.len; k += 3) {
		static struct ike_dgram bad;

		bad = a;
		bad.buf[k] ^= 0x41;
		int rc = to_r(&p, &bad, &x);
		CHECK(rc == -1 || k < 28); /* a header flip may still look like an old ID */
		CHECK(ike_sa_child(p.r)->spi_in == before.spi_in);
	}
	for (size_t len = 0; len < a.len; len += 7) {
		static struct ike_dgram cut;

		cut = a;
		cut.len = len;
		CHECK(to_r(&p, &cut, &x) == -1);
	}
	CHECK(to_r(&p, &a, &b) == 1); /* the intact one still works */
	CHECK(ike_sa_old_child(p.r) != NULL);
	pair_free(&p);
}

/* A CREATE_CHILD_SA request of the initiator without REKEY_SA (built here with
 * the library's internals: ours always names the SA it rekeys). */
static void send_new_child(struct pair *p, uint32_t spi_in, struct ike_dgram *out)
{
	uint8_t chain[1024], spi[4], nonce[32];
	struct ike_proposal pr[IKE_CFG_MAX_PROPS];
	struct ike_transform xf[IKE_CFG_MAX_PROPS * 5];
	struct ike_ts tsi, tsr;
	struct ike_build b;
	size_t n_xf;

	memset(nonce, 0x5a, sizeof(nonce));
	spi[0] = (uint8_t)(spi_in >> 24);
	spi[1] = (uint8_t)(spi_in >> 16);
	spi[2] = (uint8_t)(spi_in >> 8);
	spi[3] = (uint8_t)spi_in;
	ike_build_init_chain(&b, chain, sizeof(chain));
	size_t n = ike_props_encode(p->i->cfg.esp, p->i->cfg.n_esp, true, spi, pr, xf, &n_xf);
	ike_build_sa(&b, pr, n, xf);
	ike_build_nonce(&b, (struct ike_view){nonce, sizeof(nonce)});
	ike_ts_to_wire(&p->i->cfg.local_ts, &tsi);
	ike_ts_to_wire(&p->i->cfg.remote_ts, &tsr);
	ike_build_ts(&b, IKE_PLD_TSI, &tsi, 1);
	ike_build_ts(&b, IKE_PLD_TSR, &tsr, 1);
	memcpy(p->i->ni, nonce, sizeof(nonce));
	p->i->ni_len = sizeof(nonce);
	CHECK(ike_sa_send_sealed(p->i, &b, IKE_EXCH_CREATE_CHILD_SA, false, p->i->req_next, 0,
				 out) == 1);
}

/* A new Child SA without REKEY_SA: refused (NO_ADDITIONAL_SAS) while the IKE SA
 * has one, taken in place of a deleted one (a peer recreating it). */
static void test_new_child(void)
{
	struct pair p;
	static struct ike_dgram a, b, x;

	pair_init(&p, conn(true, "aes128gcm16-prfsha256-x25519", "aes128gcm16"),
		  conn(false, "aes128gcm16-prfsha256-x25519", "aes128gcm16"));
	CHECK(run(&p));
	uint32_t had = ike_sa_child(p.r)->spi_in;
	send_new_child(&p, 0x01020304, &a);
	CHECK(to_r(&p, &a, &b) == 1);
	CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_NO_PROPOSAL] == 1);
	CHECK(ike_sa_child(p.r)->spi_in == had && ike_sa_old_child(p.r) == NULL);
	p.i->rekeying = true; /* let the initiator take the refusal as an answer */
	CHECK(to_i(&p, &b, &x) == -1);
	/* the responder's Child SA is gone (as after the peer's Delete) */
	p.r->has_child = false;
	send_new_child(&p, 0x01020305, &a);
	CHECK(to_r(&p, &a, &b) == 1);
	const struct ike_child_sa *c = ike_sa_child(p.r);
	CHECK(c != NULL && c->spi_out == 0x01020305 && c->spi_in != had);
	CHECK(ike_sa_old_child(p.r) == NULL && ike_sa_child_rekeys(p.r) == 0);
	p.i->rekeying = true;
	p.i->rekey_spi_in = 0x01020305;
	CHECK(to_i(&p, &b, &x) == 1); /* takes it as a rekey: its old pair goes */
	check_children(&p, false);
	pair_free(&p);
}

/* Random damage to every message of an exchange, fed to fresh SAs: dropped or
 * refused, never a crash, and never ESTABLISHED from a damaged IKE_AUTH. */
static void test_mutations(void)
{
	struct rng r = {12345};
	static struct ike_dgram msgs[4], x, y;

	for (int round = 0; round < 40; round++) {
		struct pair p;

		pair_init(&p, conn(true, "aes128-sha256-modp2048", "aes128-sha256"),
			  conn(false, "aes128-sha256-modp2048", "aes128-sha256"));
		/* record a clean exchange: msgs[0] INIT req, [1] INIT resp, [2] AUTH req, [3] AUTH resp */
		CHECK(ike_sa_start(p.i, 0, &msgs[0]) == 1);
		CHECK(to_r(&p, &msgs[0], &msgs[1]) == 1);
		CHECK(to_i(&p, &msgs[1], &msgs[2]) == 1);
		for (int k = 0; k < 50; k++) {
			uint8_t rb[4];
			int which = k % 3;

			x = msgs[which];
			rng_fill(&r, rb, sizeof(rb));
			size_t pos = (x.len * rb[0]) / 256;
			if (rb[1] < 64)
				x.len = pos; /* truncation */
			else
				x.buf[pos] ^= (uint8_t)(rb[2] | 1);
			if (which == 1) {
				to_i(&p, &x, &y);
			} else if (which == 0) {
				struct ike_sa *r2;
				size_t len;
				const uint8_t *m = msg_of(&x, &len);

				CHECK(ike_sa_new(&p.cr, IKE_ROLE_RESPONDER, &p.er, &r2) == 0);
				ike_sa_input(r2, m, len, p.ci.local_ip, 500, 500, 0, &y);
				ike_sa_free(r2);
			} else {
				to_r(&p, &x, &y);
				CHECK(ike_sa_state(p.r) == IKE_SA_INIT_DONE);
			}
		}
		CHECK(to_r(&p, &msgs[2], &msgs[3]) == 1);
		CHECK(ike_sa_state(p.r) == IKE_SA_ESTABLISHED);
		pair_free(&p);
	}
}

/* §2.6: a responder under load answers N(COOKIE); we send the same request
 * again with the cookie first, and the exchange completes. */
static void test_cookie(void)
{
	struct pair p;
	static struct ike_dgram a, a2, b, c;
	static const uint8_t cookie[] = "0123456789abcdef";
	struct ike_msg *m = calloc(1, sizeof(*m));
	struct ike_build bld;
	struct ike_hdr h;

	pair_init(&p, conn(true, "aes128gcm16-prfsha256-x25519", "aes128gcm16"),
		  conn(false, "aes128gcm16-prfsha256-x25519", "aes128gcm16"));
	CHECK(ike_sa_start(p.i, 0, &a) == 1);
	h = (struct ike_hdr){.ispi = ike_sa_spi_i(p.i), .exchange = 34, .flags = 0x20};
	ike_build_init(&bld, b.buf, sizeof(b.buf), &h);
	ike_build_notify(&bld, &(struct ike_notify){.type = IKE_N_COOKIE, .data = {cookie, 16}});
	CHECK(ike_build_finish(&bld, &b.len) == IKE_MSG_E_OK);
	b.local_port = b.remote_port = 500;
	CHECK(to_i(&p, &b, &a2) == 1);
	CHECK(m != NULL && ike_msg_decode(a2.buf, a2.len, m) == IKE_MSG_E_OK);
	if (m != NULL && m->n_pld > 0) {
		CHECK(m->pld[0].type == IKE_PLD_NOTIFY && m->pld[0].u.notify.type == IKE_N_COOKIE &&
		      m->pld[0].u.notify.data.len == 16 &&
		      memcmp(m->pld[0].u.notify.data.ptr, cookie, 16) == 0);
	}
	CHECK(a2.len == a.len + 4 + 4 + 16);
	/* our responder ignores the cookie it did not ask for: the rest goes on */
	CHECK(to_r(&p, &a2, &b) == 1);
	CHECK(to_i(&p, &b, &c) == 1);
	CHECK(to_r(&p, &c, &b) == 1);
	CHECK(to_i(&p, &b, &c) == 0);
	check_children(&p, false);
	free(m);
	pair_free(&p);
}

static void test_prop_parse(void)
{
	struct ike_prop p;
	char err[128];

	CHECK(ike_prop_parse("aes128gcm16-prfsha256-x25519", false, &p, err, sizeof(err)) == 0);
	CHECK(p.encr == 20 && p.encr_key_bits == 128 && p.prf == 5 && p.integ == 0 && p.dh == 31);
	CHECK(ike_prop_parse("aes128-sha256-modp2048", false, &p, err, sizeof(err)) == 0);
	CHECK(p.encr == 12 && p.prf == 5 && p.integ == 12 && p.dh == 14);
	CHECK(ike_prop_parse("aes128-sha256", true, &p, err, sizeof(err)) == 0);
	CHECK(ike_prop_parse("aes128gcm16-noesn", true, &p, err, sizeof(err)) == 0);
	CHECK(ike_prop_parse("aes128gcm16-prfsha256", false, &p, err, sizeof(err)) == -1);
	CHECK(strstr(err, "dh") != NULL);
	CHECK(ike_prop_parse("aes128gcm16-sha256", true, &p, err, sizeof(err)) == -1);
	CHECK(ike_prop_parse("aes128-sha256-modp2048", true, &p, err, sizeof(err)) == 0);
	CHECK(p.dh == 14 && p.prf == 0); /* PFS */
	CHECK(ike_prop_parse("aes128gcm16-prfsha256", true, &p, err, sizeof(err)) == -1);
	CHECK(ike_prop_parse("aes127", true, &p, err, sizeof(err)) == -1);
	CHECK(strstr(err, "aes127") != NULL);
	CHECK(ike_prop_parse("aes128-", true, &p, err, sizeof(err)) == -1);
	CHECK(ike_prop_parse("aes128-aes256-sha1", true, &p, err, sizeof(err)) == -1);
	CHECK(ike_prop_parse("", true, &p, err, sizeof(err)) == -1);
}

struct certs {
	EVP_PKEY *ca_key, *ki, *kr;
	X509 *ca, *xi, *xr;
	struct ike_cred *i, *r;
};

/* A CA (P-256) and the two SAs' certificates with keys of kind, for the
 * connections' IDs i.test / r.test; the responder trusts trust_r (NULL: the CA). */
static bool certs_make(struct certs *c, const char *kind, const char *san_i, X509 *trust_r)
{
	memset(c, 0, sizeof(*c));
	c->ca_key = cg_key("P-256");
	c->ki = cg_key(kind);
	c->kr = cg_key(kind);
	c->ca = cg_cert(c->ca_key, "Test CA", NULL, NULL, NULL, -3600, 3600, true);
	c->xi = cg_cert(c->ki, "i.test", san_i, c->ca, c->ca_key, -3600, 3600, false);
	c->xr = cg_cert(c->kr, "r.test", "DNS:r.test", c->ca, c->ca_key, -3600, 3600, false);
	c->i = cg_cred("i", c->xi, c->ki, c->ca, NULL);
	c->r = cg_cred("r", c->xr, c->kr, trust_r != NULL ? trust_r : c->ca, NULL);
	return c->i != NULL && c->r != NULL;
}

/* Both SAs with these credentials (NULL: the PSK); true when both reach ESTABLISHED. */
static bool cred_pair(struct pair *p, const struct ike_cred *i, const struct ike_cred *r)
{
	struct ike_sa_cfg ci = conn(true, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	struct ike_sa_cfg cr = conn(false, "aes128gcm16-prfsha256-x25519", "aes128gcm16");

	ci.cred = i;
	cr.cred = r;
	pair_init(p, ci, cr);
	return run(p);
}

static void test_certs(void)
{
	static const char *const kinds[] = {"P-256", "P-384", "rsa"};
	struct certs c;
	struct pair p;

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		CHECK(certs_make(&c, kinds[k], "DNS:i.test", NULL));
		bool ok = cred_pair(&p, c.i, c.r);
		CHECK(ok);
		if (!ok)
			fprintf(stderr, "  certificates %s\n", kinds[k]);
		else
			check_children(&p, false);
		pair_free(&p);
	}
	/* the initiator's certificate does not hold its ID */
	CHECK(certs_make(&c, "P-256", "DNS:mallory.test", NULL));
	CHECK(!cred_pair(&p, c.i, c.r));
	CHECK(p.r != NULL && ike_sa_drops(p.r)[IKE_SA_DROP_AUTH_FAILED] == 1);
	CHECK(ike_sa_state(p.i) == IKE_SA_DEAD && ike_sa_drops(p.i)[IKE_SA_DROP_AUTH_FAILED] == 1);
	pair_free(&p);
	/* the responder trusts another CA only */
	EVP_PKEY *other_key = cg_key("P-256");
	CHECK(certs_make(&c, "P-256", "DNS:i.test",
			 cg_cert(other_key, "Other CA", NULL, NULL, NULL, -3600, 3600, true)));
	CHECK(!cred_pair(&p, c.i, c.r));
	CHECK(p.r != NULL && ike_sa_drops(p.r)[IKE_SA_DROP_AUTH_FAILED] == 1);
	pair_free(&p);
	/* the initiator's certificate comes from an intermediate CA that it sends
	 * along (a second CERT payload); the responder trusts only the root */
	CHECK(certs_make(&c, "P-256", "DNS:i.test", NULL));
	EVP_PKEY *sub_key = cg_key("P-384");
	X509 *sub = cg_cert(sub_key, "Sub CA", NULL, c.ca, c.ca_key, -3600, 3600, true);
	X509 *leaf = cg_cert(c.ki, "i.test", "DNS:i.test", sub, sub_key, -3600, 3600, false);
	struct ike_cred *via = cg_cred("via", leaf, c.ki, c.ca, sub);
	CHECK(via != NULL && cred_pair(&p, via, c.r));
	pair_free(&p);
	/* a PSK initiator and a certificate responder do not mix */
	CHECK(!cred_pair(&p, NULL, c.r));
	CHECK(p.r != NULL && ike_sa_drops(p.r)[IKE_SA_DROP_AUTH_FAILED] == 1);
	pair_free(&p);
	cg_cleanup();
}

/* A Child SA lost on both sides (the peer deleted it) while the IKE SA lives:
 * the initiator asks for a new one (CREATE_CHILD_SA without REKEY_SA), both
 * agree on its keys, no old pair is left, and only then can it be rekeyed. */
static void test_create_child(void)
{
	for (int by_i = 1; by_i >= 0; by_i--) {
		struct pair p;
		static struct ike_dgram a, b, c;

		pair_init(&p, conn(true, "aes128gcm16-prfsha256-x25519", "aes128-sha256"),
			  conn(false, "aes128gcm16-prfsha256-x25519", "aes128-sha256"));
		CHECK(run(&p));
		struct ike_sa *me = by_i ? p.i : p.r;
		uint32_t had = ike_sa_child(me)->spi_in;
		CHECK(ike_sa_create_child(me, 0, &a) == -1); /* it still has one */
		p.i->has_child = p.r->has_child = false;
		CHECK(ike_sa_rekey_child(me, 0, &a) == -1); /* nothing to rekey */
		CHECK(ike_sa_create_child(me, 0, &a) == 1);
		CHECK(ike_sa_create_child(me, 0, &b) == -1); /* one request at a time */
		CHECK(deliver(&p, me, &a, &b) == 1);
		CHECK(deliver(&p, me == p.i ? p.r : p.i, &b, &c) == 0); /* no Delete to send */
		check_children(&p, false);
		CHECK(ike_sa_child(me) != NULL && ike_sa_child(me)->spi_in != had);
		CHECK(ike_sa_old_child(p.i) == NULL && ike_sa_old_child(p.r) == NULL);
		CHECK(ike_sa_child_rekeys(p.i) == 0 && ike_sa_child_rekeys(p.r) == 0);
		rekey_once(&p, me);
		pair_free(&p);
	}
}

/* The UNSUPPORTED_CRITICAL_PAYLOAD notify (type 1) in m, with the type it names; -1 if none. */
static int critical_named(const struct ike_msg *m)
{
	const struct ike_pld *n = ike_msg_find_notify(m, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD);

	return n != NULL && n->u.notify.data.len == 1 ? n->u.notify.data.ptr[0] : -1;
}

/* §2.5: an unknown payload type marked critical makes the responder reject the
 * request with UNSUPPORTED_CRITICAL_PAYLOAD naming the type, in the clear for
 * IKE_SA_INIT and inside SK later (the IKE SA lives on); without the critical
 * bit the payload is skipped. */
static void test_unsupported_critical(void)
{
	static struct ike_dgram a, x, b, c;
	struct ike_msg *m = calloc(1, sizeof(*m));

	for (int critical = 1; critical >= 0 && m != NULL; critical--) {
		struct pair p;

		pair_init(&p, conn(true, "aes128gcm16-prfsha256-x25519", "aes128gcm16"),
			  conn(false, "aes128gcm16-prfsha256-x25519", "aes128gcm16"));
		CHECK(ike_sa_start(p.i, 0, &a) == 1);
		/* payload type 200 in front of the request's first payload */
		x = a;
		memcpy(x.buf, a.buf, 28);
		x.buf[16] = 200;
		x.buf[28] = a.buf[16];
		x.buf[29] = critical ? 0x80 : 0;
		x.buf[30] = 0;
		x.buf[31] = 8;
		memset(x.buf + 32, 0xab, 4);
		memcpy(x.buf + 36, a.buf + 28, a.len - 28);
		x.len = a.len + 8;
		x.buf[27] = (uint8_t)x.len;
		x.buf[26] = (uint8_t)(x.len >> 8);
		CHECK(to_r(&p, &x, &b) == 1);
		CHECK(ike_msg_decode(b.buf, b.len, m) == IKE_MSG_E_OK);
		if (critical) {
			CHECK(critical_named(m) == 200 && m->n_pld == 1 && m->hdr.rspi == 0);
			CHECK(ike_sa_state(p.r) == IKE_SA_DEAD);
			CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_CRITICAL] == 1);
		} else {
			CHECK(critical_named(m) == -1 && ike_msg_find(m, IKE_PLD_SA, NULL) != NULL);
			CHECK(ike_sa_state(p.r) == IKE_SA_INIT_DONE);
		}
		pair_free(&p);
	}

	struct pair p;
	uint8_t inner[8] = {0, 0x80, 0, 8, 1, 2, 3, 4};
	struct ike_hdr h;

	pair_init(&p, conn(true, "aes128gcm16-prfsha256-x25519", "aes128gcm16"),
		  conn(false, "aes128gcm16-prfsha256-x25519", "aes128gcm16"));
	CHECK(run(&p));
	/* an INFORMATIONAL request of the initiator's holding only payload 201, critical */
	ike_sa_hdr(p.i, IKE_EXCH_INFORMATIONAL, false, p.i->req_next, &h);
	CHECK(ike_sa_seal(p.i, &h, inner, sizeof(inner), 201, 0, 0, x.buf, sizeof(x.buf), &x.len) ==
	      0);
	p.i->req_next++;
	CHECK(ike_sa_input(p.r, x.buf, x.len, p.ci.local_ip, 500, 500, 0, &b) == 1);
	CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_CRITICAL] == 1);
	/* the answer is ours to open: SK{N(UNSUPPORTED_CRITICAL_PAYLOAD, 201)} */
	CHECK(ike_msg_decode(b.buf, b.len, &p.i->m) == IKE_MSG_E_OK);
	CHECK(p.i->m.hdr.msg_id == h.msg_id && (p.i->m.hdr.flags & IKE_FLAG_RESPONSE) != 0);
	CHECK(ike_sa_open(p.i, b.buf, b.len) == 0 && critical_named(&p.i->m) == 201);
	/* the request again: the same answer from the cache */
	CHECK(ike_sa_input(p.r, x.buf, x.len, p.ci.local_ip, 500, 500, 0, &c) == 1);
	CHECK(c.len == b.len && memcmp(c.buf, b.buf, b.len) == 0);
	/* the IKE SA goes on: a Delete round trip with the next message IDs */
	CHECK(ike_sa_state(p.r) == IKE_SA_ESTABLISHED);
	CHECK(ike_sa_delete(p.i, 0, &a) == 1);
	CHECK(to_r(&p, &a, &b) == 1 && ike_sa_state(p.r) == IKE_SA_DEAD);
	CHECK(to_i(&p, &b, &c) == 0 && ike_sa_state(p.i) == IKE_SA_DEAD);
	pair_free(&p);
	free(m);
}

int main(int argc, char **argv)
{
	(void)argv;
	ike_pair_verbose = argc > 1;
	test_prop_parse();
	test_suites();
	test_invalid_ke();
	test_no_proposal();
	test_narrowing();
	test_retransmit();
	test_hostile_auth();
	test_bad_psk();
	test_stray();
	test_delete();
	test_rekey();
	test_rekey_hostile();
	test_new_child();
	test_cookie();
	test_mutations();
	test_certs();
	test_unsupported_critical();
	test_create_child();
	printf("%d checks, %d failures\n", checks, failures);
	return failures != 0;
}
