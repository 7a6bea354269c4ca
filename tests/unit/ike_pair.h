/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit test harness: two of our IKE SAs (initiator and responder) talking in
 * memory, with deterministic randomness, shared by the IKE SA tests.  Include
 * after check.h, in one test program each.
 */
#ifndef SECGW_TEST_IKE_PAIR_H
#define SECGW_TEST_IKE_PAIR_H

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ike_natt.h"
#include "ike_prop_parse.h"
#include "ike_sa.h"

#define IP_I "10.99.5.1"
#define IP_R "10.99.5.2"

/* Deterministic randomness per SA, so failures reproduce. */
struct rng {
	uint32_t x;
};

static inline int rng_fill(void *ctx, uint8_t *buf, size_t len)
{
	struct rng *r = ctx;

	for (size_t i = 0; i < len; i++) {
		r->x = r->x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(r->x >> 16);
	}
	return 0;
}

static int verbose;

static inline void log_fn(void *ctx, int level, const char *msg)
{
	(void)ctx;
	if (verbose || level == 0)
		fprintf(stderr, "  [%d] %s\n", level, msg);
}

static inline uint32_t ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

static inline void prop(struct ike_prop *p, const char *s, bool esp)
{
	char err[128];

	CHECK(ike_prop_parse(s, esp, p, err, sizeof(err)) == 0);
}

static inline struct ike_tsv ts(const char *net, int len)
{
	uint32_t a = ntohl(ip(net));
	uint32_t mask = len == 0 ? 0 : ~0u << (32 - len);

	return (struct ike_tsv){0, 0, 65535, a & mask, (a & mask) | ~mask};
}

static inline void idv(struct ike_idv *id, const char *fqdn)
{
	id->type = 2; /* FQDN */
	id->len = (uint8_t)strlen(fqdn);
	memcpy(id->data, fqdn, id->len);
}

/* A connection from our side (initiator "i") or the peer's side ("r"). */
static inline struct ike_sa_cfg conn(bool init, const char *ike, const char *esp)
{
	struct ike_sa_cfg c;

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", init ? "init" : "resp");
	c.local_ip = ip(init ? IP_I : IP_R);
	c.remote_ip = ip(init ? IP_R : IP_I);
	idv(&c.local_id, init ? "i.test" : "r.test");
	idv(&c.remote_id, init ? "r.test" : "i.test");
	memcpy(c.psk, "a shared secret!", 16);
	c.psk_len = 16;
	prop(&c.ike[0], ike, false);
	c.n_ike = 1;
	prop(&c.esp[0], esp, true);
	c.n_esp = 1;
	c.local_ts = init ? ts("10.99.6.0", 24) : ts("10.99.7.0", 24);
	c.remote_ts = init ? ts("10.99.7.0", 24) : ts("10.99.6.0", 24);
	return c;
}

struct pair {
	struct ike_sa *i, *r;
	struct rng ri, rr;
	struct ike_env ei, er;
	struct ike_sa_cfg ci, cr;
	uint16_t nat_port; /* the initiator's source port as the responder sees it */
	uint64_t now;
};

static inline void pair_init(struct pair *p, struct ike_sa_cfg ci, struct ike_sa_cfg cr)
{
	memset(p, 0, sizeof(*p));
	p->ri.x = 1;
	p->rr.x = 2;
	p->ei = (struct ike_env){rng_fill, log_fn, &p->ri};
	p->er = (struct ike_env){rng_fill, log_fn, &p->rr};
	p->ci = ci;
	p->cr = cr;
	p->nat_port = 500;
	CHECK(ike_sa_new(&p->ci, IKE_ROLE_INITIATOR, &p->ei, &p->i) == 0);
}

static inline void pair_free(struct pair *p)
{
	ike_sa_free(p->i);
	ike_sa_free(p->r);
}

/* The IKE message inside a datagram: after the marker when sent from 4500. */
static inline const uint8_t *msg_of(const struct ike_dgram *d, size_t *len)
{
	if (d->local_port == 4500) {
		CHECK(d->len >= 4 && ike_udp4500_classify(d->buf, d->len) == IKE_UDP4500_IKE);
		*len = d->len - 4;
		return d->buf + 4;
	}
	*len = d->len;
	return d->buf;
}

/* Deliver initiator -> responder (creating the responder on the first one). */
static inline int to_r(struct pair *p, const struct ike_dgram *d, struct ike_dgram *out)
{
	size_t len;
	const uint8_t *m = msg_of(d, &len);
	uint16_t sport = d->local_port == 4500 ? (p->nat_port == 500 ? 4500 : p->nat_port + 1)
					       : p->nat_port;

	if (p->r == NULL)
		CHECK(ike_sa_new(&p->cr, IKE_ROLE_RESPONDER, &p->er, &p->r) == 0);
	return ike_sa_input(p->r, m, len, p->ci.local_ip, sport, d->remote_port, p->now, out);
}

static inline int to_i(struct pair *p, const struct ike_dgram *d, struct ike_dgram *out)
{
	size_t len;
	const uint8_t *m = msg_of(d, &len);

	/* The NAT maps the reply back to the port the initiator sent from, which
	 * is the responder's own port number (500 or 4500). */
	return ike_sa_input(p->i, m, len, p->cr.local_ip, d->local_port, d->local_port, p->now,
			    out);
}

/* Run the four messages; returns true when both sides are ESTABLISHED. */
static inline bool run(struct pair *p)
{
	static struct ike_dgram a, b;

	if (ike_sa_start(p->i, p->now, &a) != 1)
		return false;
	for (int step = 0; step < 4; step++) {
		if (to_r(p, &a, &b) != 1)
			break;
		if (ike_sa_state(p->r) == IKE_SA_DEAD && ike_sa_spi_r(p->r) == 0) {
			/* a refusal: the responder keeps no state, a new one answers the retry */
			ike_sa_free(p->r);
			p->r = NULL;
		}
		int rc = to_i(p, &b, &a);
		if (rc != 1)
			break;
	}
	return ike_sa_state(p->i) == IKE_SA_ESTABLISHED && p->r != NULL &&
	       ike_sa_state(p->r) == IKE_SA_ESTABLISHED;
}

static inline bool key_eq(const struct ike_key *a, const struct ike_key *b)
{
	return a->len == b->len && memcmp(a->b, b->b, a->len) == 0;
}

static inline void check_children(struct pair *p, bool nat)
{
	const struct ike_child_sa *ci = ike_sa_child(p->i), *cr = ike_sa_child(p->r);

	CHECK(ci != NULL && cr != NULL);
	if (ci == NULL || cr == NULL)
		return;
	CHECK(ci->spi_in == cr->spi_out && ci->spi_out == cr->spi_in);
	CHECK(ci->spi_in >= 256 && ci->spi_out >= 256);
	CHECK(ci->encr == cr->encr && ci->integ == cr->integ);
	CHECK(key_eq(&ci->encr_out, &cr->encr_in) && key_eq(&ci->encr_in, &cr->encr_out));
	CHECK(key_eq(&ci->integ_out, &cr->integ_in) && key_eq(&ci->integ_in, &cr->integ_out));
	CHECK(ci->encr_out.len > 0 && !key_eq(&ci->encr_out, &ci->encr_in));
	CHECK(memcmp(&ci->ts_local, &cr->ts_remote, sizeof(ci->ts_local)) == 0);
	CHECK(memcmp(&ci->ts_remote, &cr->ts_local, sizeof(ci->ts_local)) == 0);
	CHECK(ci->udp_encap == nat && cr->udp_encap == nat);
	CHECK(ci->local_port == (nat ? 4500 : 500));
	CHECK(ike_sa_spi_i(p->i) == ike_sa_spi_i(p->r) && ike_sa_spi_r(p->i) == ike_sa_spi_r(p->r));
}

#endif
