/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Responder COOKIEs and half-open limits (RFC 7296 §2.6): the cookie binds
 * Ni, the address and SPIi; a wrong one or one of a secret two rotations old
 * is refused, one a rotation old still accepted; admission demands cookies
 * from cookie_threshold half-open SAs on and drops beyond the per-source and
 * global limits, each counted; our initiator (ike_sa_init.c echo_cookie)
 * completes against our responder with cookies always demanded; a half-open
 * responder SA dies after IKE_HALF_OPEN_MS.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ike_cookie.h"
#include "ike_msg.h"
#include "ike_pair.h"
#include "iked_admit.h"

#define SUITE "aes128gcm16-prfsha256-x25519"

static void test_cookie_math(void)
{
	struct ike_cookie_jar j;
	struct rng r = {7};
	uint8_t ni[32], c[IKE_COOKIE_LEN], c2[IKE_COOKIE_LEN];
	uint32_t a = ip("192.0.2.1");

	memset(ni, 0x5a, sizeof(ni));
	CHECK(ike_cookie_init(&j, 0, 1000, rng_fill, &r) == 0);
	CHECK(ike_cookie_make(&j, ni, sizeof(ni), a, 42, c) == 0);
	CHECK(ike_cookie_verify(&j, c, sizeof(c), ni, sizeof(ni), a, 42));
	/* bound to every input, and to its exact length */
	CHECK(!ike_cookie_verify(&j, c, sizeof(c), ni, sizeof(ni), a, 43));
	CHECK(!ike_cookie_verify(&j, c, sizeof(c), ni, sizeof(ni), ip("192.0.2.2"), 42));
	CHECK(!ike_cookie_verify(&j, c, sizeof(c), ni, sizeof(ni) - 1, a, 42));
	CHECK(!ike_cookie_verify(&j, c, sizeof(c) - 1, ni, sizeof(ni), a, 42));
	memcpy(c2, c, sizeof(c));
	c2[IKE_COOKIE_LEN - 1] ^= 1;
	CHECK(!ike_cookie_verify(&j, c2, sizeof(c2), ni, sizeof(ni), a, 42));
	c2[IKE_COOKIE_LEN - 1] ^= 1;
	c2[0] ^= 0x80; /* an unknown secret version */
	CHECK(!ike_cookie_verify(&j, c2, sizeof(c2), ni, sizeof(ni), a, 42));
	/* not yet due: same secret; one rotation: the old cookie still good, a new one differs */
	CHECK(ike_cookie_rotate(&j, 999) == 0 && j.version == 0);
	CHECK(ike_cookie_rotate(&j, 1000) == 0 && j.version == 1);
	CHECK(ike_cookie_verify(&j, c, sizeof(c), ni, sizeof(ni), a, 42));
	CHECK(ike_cookie_make(&j, ni, sizeof(ni), a, 42, c2) == 0);
	CHECK(memcmp(c, c2, sizeof(c)) != 0);
	CHECK(ike_cookie_verify(&j, c2, sizeof(c2), ni, sizeof(ni), a, 42));
	/* two rotations: the first secret is gone */
	CHECK(ike_cookie_rotate(&j, 2000) == 0 && j.version == 2);
	CHECK(!ike_cookie_verify(&j, c, sizeof(c), ni, sizeof(ni), a, 42));
	CHECK(ike_cookie_verify(&j, c2, sizeof(c2), ni, sizeof(ni), a, 42));
	/* after two periods without a rotation, no cookie of before is good */
	CHECK(ike_cookie_rotate(&j, 4000) == 0 && j.version == 3);
	CHECK(!ike_cookie_verify(&j, c2, sizeof(c2), ni, sizeof(ni), a, 42));
	ike_cookie_wipe(&j);
}

/* The IKE message in an admission reply (after the marker on 4500). */
static const struct ike_notify *cookie_of(const struct ike_dgram *d, struct ike_msg *m)
{
	size_t len;
	const uint8_t *msg = msg_of(d, &len);

	if (ike_msg_decode(msg, len, m) != IKE_MSG_E_OK || m->n_pld != 1 ||
	    m->pld[0].type != IKE_PLD_NOTIFY || m->pld[0].u.notify.type != IKE_N_COOKIE)
		return NULL;
	CHECK(m->hdr.rspi == 0 && m->hdr.exchange == IKE_EXCH_SA_INIT &&
	      (m->hdr.flags & (IKE_FLAG_RESPONSE | IKE_FLAG_INITIATOR)) == IKE_FLAG_RESPONSE);
	return &m->pld[0].u.notify;
}

/* Cookies forced on (threshold 0): our initiator gets N(COOKIE), echoes it,
 * is admitted and the SAs come up. */
static void test_initiator_against_cookies(struct iked_admit *ad, struct ike_msg *m)
{
	static struct ike_dgram a, b, reply;
	struct pair p;
	size_t len;

	pair_init(&p, conn(true, SUITE, "aes128gcm16"), conn(false, SUITE, "aes128gcm16"));
	CHECK(ike_sa_start(p.i, 0, &a) == 1);
	const uint8_t *msg = msg_of(&a, &len);
	CHECK(iked_admit_check(ad, msg, len, p.ci.local_ip, 500, 500, 0, 0, 0, &reply) ==
	      IKED_COOKIE);
	CHECK(cookie_of(&reply, m) != NULL);
	CHECK(reply.remote_ip == p.ci.local_ip && reply.remote_port == 500 && reply.local_port == 500);
	CHECK(to_i(&p, &reply, &a) == 1); /* the same request, the cookie first */
	msg = msg_of(&a, &len);
	CHECK(iked_admit_check(ad, msg, len, p.ci.local_ip, 500, 500, 0, 0, 0, &reply) ==
	      IKED_ADMIT);
	/* from another address the same cookie is worthless */
	CHECK(iked_admit_check(ad, msg, len, ip("10.99.5.9"), 500, 500, 0, 0, 0, &reply) ==
	      IKED_COOKIE);
	CHECK(to_r(&p, &a, &b) == 1);
	CHECK(to_i(&p, &b, &a) == 1);
	CHECK(to_r(&p, &a, &b) == 1);
	CHECK(to_i(&p, &b, &a) == 0);
	CHECK(ike_sa_state(p.i) == IKE_SA_ESTABLISHED && ike_sa_state(p.r) == IKE_SA_ESTABLISHED);
	CHECK(ad->stats[IKED_ADMIT_COOKIE_SENT] == 2 && ad->stats[IKED_ADMIT_COOKIE_OK] == 1 &&
	      ad->stats[IKED_ADMIT_COOKIE_BAD] == 1);
	pair_free(&p);
}

static void test_admission(void)
{
	static struct ike_dgram a, reply;
	struct iked_admit *ad = calloc(1, sizeof(*ad));
	struct ike_msg *m = calloc(1, sizeof(*m));
	struct pair p;
	size_t len;

	CHECK(ad != NULL && m != NULL);
	if (ad == NULL || m == NULL)
		goto out;
	CHECK(iked_admit_init(ad, &(struct iked_admit_cfg){0, 5, 100}, 0, 0) == 0);
	test_initiator_against_cookies(ad, m);
	iked_admit_fini(ad);

	/* Threshold 3, 2 per source, 4 in all. */
	CHECK(iked_admit_init(ad, &(struct iked_admit_cfg){3, 2, 4}, 0, 0) == 0);
	pair_init(&p, conn(true, SUITE, "aes128gcm16"), conn(false, SUITE, "aes128gcm16"));
	CHECK(ike_sa_start(p.i, 0, &a) == 1);
	const uint8_t *msg = msg_of(&a, &len);
	uint32_t src = p.ci.local_ip;
	CHECK(iked_admit_check(ad, msg, len, src, 500, 500, 2, 1, 0, &reply) == IKED_ADMIT);
	CHECK(iked_admit_check(ad, msg, len, src, 500, 500, 2, 2, 0, &reply) == IKED_DROP);
	CHECK(ad->stats[IKED_ADMIT_PER_SOURCE] == 1);
	/* from 3 half-open on, no cookie, no entry: answered statelessly, on 4500 with the marker */
	CHECK(iked_admit_check(ad, msg, len, src, 4500, 4500, 3, 0, 0, &reply) == IKED_COOKIE);
	CHECK(reply.len >= 4 && memcmp(reply.buf, "\0\0\0\0", 4) == 0);
	const struct ike_notify *n = cookie_of(&reply, m);
	CHECK(n != NULL && n->data.len == IKE_COOKIE_LEN);
	/* our initiator echoes the cookie; a forged one is counted and answered anew */
	static struct ike_dgram forged;
	CHECK(iked_admit_check(ad, msg, len, src, 500, 500, 3, 0, 0, &reply) == IKED_COOKIE);
	CHECK(to_i(&p, &reply, &forged) == 1 && forged.local_port == 500);
	len = forged.len;
	forged.buf[IKE_HDR_LEN + 12] ^= 1; /* inside the cookie's MAC */
	CHECK(iked_admit_check(ad, forged.buf, len, src, 500, 500, 3, 0, 0, &reply) == IKED_COOKIE);
	CHECK(ad->stats[IKED_ADMIT_COOKIE_BAD] == 1);
	forged.buf[IKE_HDR_LEN + 12] ^= 1;
	CHECK(iked_admit_check(ad, forged.buf, len, src, 500, 500, 3, 0, 0, &reply) == IKED_ADMIT);
	/* a good cookie does not lift the limits */
	CHECK(iked_admit_check(ad, forged.buf, len, src, 500, 500, 4, 0, 0, &reply) == IKED_DROP);
	CHECK(ad->stats[IKED_ADMIT_MAX] == 1);
	/* still good after one rotation, not after two */
	CHECK(iked_admit_check(ad, forged.buf, len, src, 500, 500, 3, 0, IKE_COOKIE_ROTATE_MS,
			       &reply) == IKED_ADMIT);
	CHECK(iked_admit_check(ad, forged.buf, len, src, 500, 500, 3, 0, 2 * IKE_COOKIE_ROTATE_MS,
			       &reply) == IKED_COOKIE);
	/* no nonce to bind a cookie to: dropped */
	CHECK(iked_admit_check(ad, forged.buf, IKE_HDR_LEN, src, 500, 500, 3, 0, 0, &reply) ==
	      IKED_DROP);
	CHECK(ad->stats[IKED_ADMIT_MALFORMED] == 1);
	pair_free(&p);
	iked_admit_fini(ad);
out:
	free(ad);
	free(m);
}

/* A responder whose initiator never sends IKE_AUTH is reaped. */
static void test_half_open_timeout(void)
{
	static struct ike_dgram a, b;
	struct pair p;

	pair_init(&p, conn(true, SUITE, "aes128gcm16"), conn(false, SUITE, "aes128gcm16"));
	p.now = 5000;
	CHECK(ike_sa_start(p.i, p.now, &a) == 1);
	CHECK(to_r(&p, &a, &b) == 1);
	CHECK(ike_sa_state(p.r) == IKE_SA_INIT_DONE);
	CHECK(ike_sa_next_timer(p.r) == 5000 + IKE_HALF_OPEN_MS);
	CHECK(ike_sa_timer(p.r, 5000 + IKE_HALF_OPEN_MS - 1, &b) == 0);
	CHECK(ike_sa_state(p.r) == IKE_SA_INIT_DONE);
	CHECK(ike_sa_timer(p.r, 5000 + IKE_HALF_OPEN_MS, &b) == 0);
	CHECK(ike_sa_state(p.r) == IKE_SA_DEAD);
	CHECK(ike_sa_drops(p.r)[IKE_SA_DROP_TIMEOUT] == 1);
	pair_free(&p);
}

int main(int argc, char **argv)
{
	(void)argv;
	verbose = argc > 1;
	test_cookie_math();
	test_admission();
	test_half_open_timeout();
	printf("%d checks, %d failures\n", checks, failures);
	return failures != 0;
}
