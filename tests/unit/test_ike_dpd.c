/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dead peer detection (ike/ike_sa_dpd.c): two SAs in memory reach
 * ESTABLISHED; after dpd_delay of silence the initiator sends an empty
 * INFORMATIONAL request.  A peer that answers keeps the SA up (and the next
 * check waits another dpd_delay); a peer that stopped answering is declared
 * dead after the retransmission schedule (1+2+4+8+16+32 s), not before.
 * A connection's own schedule (retx_base_ms, retx_tries) replaces the default.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "ike_msg.h"
#include "ike_natt.h"
#include "ike_prop_parse.h"
#include "ike_sa.h"

static int verbose;

static int rng_fill(void *ctx, uint8_t *buf, size_t len)
{
	uint32_t *x = ctx;

	for (size_t i = 0; i < len; i++) {
		*x = *x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(*x >> 16);
	}
	return 0;
}

static void log_fn(void *ctx, int level, const char *msg)
{
	(void)ctx;
	if (verbose || level == 0)
		fprintf(stderr, "  [%d] %s\n", level, msg);
}

static struct ike_sa_cfg conn(bool init, uint32_t dpd)
{
	struct ike_sa_cfg c;
	char err[128];

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", init ? "init" : "resp");
	inet_pton(AF_INET, init ? "10.99.5.1" : "10.99.5.2", &c.local_ip);
	inet_pton(AF_INET, init ? "10.99.5.2" : "10.99.5.1", &c.remote_ip);
	c.local_id = (struct ike_idv){.type = 1, .len = 4};
	memcpy(c.local_id.data, &c.local_ip, 4);
	c.remote_id = (struct ike_idv){.type = 1, .len = 4};
	memcpy(c.remote_id.data, &c.remote_ip, 4);
	memcpy(c.psk, "a shared secret!", 16);
	c.psk_len = 16;
	CHECK(ike_prop_parse("aes128gcm16-prfsha256-x25519", false, &c.ike[0], err,
			     sizeof(err)) == 0);
	c.n_ike = 1;
	CHECK(ike_prop_parse("aes128gcm16", true, &c.esp[0], err, sizeof(err)) == 0);
	c.n_esp = 1;
	uint32_t a = init ? 0x0a630600u : 0x0a630700u, b = init ? 0x0a630700u : 0x0a630600u;
	c.local_ts = (struct ike_tsv){0, 0, 65535, a, a | 0xff};
	c.remote_ts = (struct ike_tsv){0, 0, 65535, b, b | 0xff};
	c.dpd_delay_s = dpd;
	return c;
}

struct pair {
	struct ike_sa *i, *r;
	uint32_t ri, rr;
	struct ike_env ei, er;
	struct ike_sa_cfg ci, cr;
};

static int deliver(struct ike_sa *to, const struct ike_sa_cfg *from, const struct ike_dgram *d,
		   uint64_t now, struct ike_dgram *out)
{
	size_t off = d->local_port == IKE_NATT_PORT ? IKE_NON_ESP_MARKER_LEN : 0;

	return ike_sa_input(to, d->buf + off, d->len - off, from->local_ip, d->local_port,
			    d->remote_port, now, out);
}

static void establish(struct pair *p, uint32_t dpd, uint32_t dpd_r)
{
	static struct ike_dgram a, b;

	memset(p, 0, sizeof(*p));
	p->ri = 1;
	p->rr = 2;
	p->ei = (struct ike_env){rng_fill, log_fn, &p->ri};
	p->er = (struct ike_env){rng_fill, log_fn, &p->rr};
	p->ci = conn(true, dpd);
	p->cr = conn(false, dpd_r);
	CHECK(ike_sa_new(&p->ci, IKE_ROLE_INITIATOR, &p->ei, &p->i) == 0);
	CHECK(ike_sa_new(&p->cr, IKE_ROLE_RESPONDER, &p->er, &p->r) == 0);
	CHECK(ike_sa_start(p->i, 0, &a) == 1);
	CHECK(deliver(p->r, &p->ci, &a, 0, &b) == 1);
	CHECK(deliver(p->i, &p->cr, &b, 0, &a) == 1);
	CHECK(deliver(p->r, &p->ci, &a, 0, &b) == 1);
	CHECK(deliver(p->i, &p->cr, &b, 0, &a) == 0);
	CHECK(ike_sa_state(p->i) == IKE_SA_ESTABLISHED);
	CHECK(ike_sa_state(p->r) == IKE_SA_ESTABLISHED);
}

/* DPD off: an idle SA has no timer at all. */
static void test_off(void)
{
	struct pair p;
	struct ike_dgram d;

	establish(&p, 0, 0);
	CHECK(ike_sa_next_timer(p.i) == UINT64_MAX);
	CHECK(ike_sa_timer(p.i, 1000000, &d) == 0);
	CHECK(ike_sa_state(p.i) == IKE_SA_ESTABLISHED);
	ike_sa_free(p.i);
	ike_sa_free(p.r);
}

/* A peer that answers: the SA stays up through many checks. */
static void test_alive(void)
{
	struct pair p;
	struct ike_dgram q, a, x;
	struct ike_sa_info info;
	uint64_t now = 0;

	establish(&p, 5, 0);
	CHECK(ike_sa_next_timer(p.i) == 5000);
	CHECK(ike_sa_timer(p.i, 4999, &q) == 0);
	for (int round = 0; round < 10; round++) {
		now = ike_sa_next_timer(p.i);
		CHECK(ike_sa_timer(p.i, now, &q) == 1);
		CHECK(ike_sa_next_timer(p.i) == now + 1000); /* the retransmission */
		/* the first check of each round is lost once: resent and answered */
		CHECK(ike_sa_timer(p.i, now + 1000, &x) == 1);
		CHECK(x.len == q.len && memcmp(x.buf, q.buf, q.len) == 0);
		now += 1500;
		CHECK(deliver(p.r, &p.ci, &x, now, &a) == 1);
		CHECK(deliver(p.i, &p.cr, &a, now, &x) == 0);
		CHECK(ike_sa_state(p.i) == IKE_SA_ESTABLISHED);
		CHECK(ike_sa_state(p.r) == IKE_SA_ESTABLISHED);
		CHECK(ike_sa_next_timer(p.i) == now + 5000);
	}
	ike_sa_query(p.i, &info);
	CHECK(info.dpd_sent == 10);
	CHECK(info.last_rx_ms == now);
	CHECK(ike_sa_drops(p.i)[IKE_SA_DROP_TIMEOUT] == 0);
	/* traffic from the peer (its own check) postpones ours */
	CHECK(ike_sa_next_timer(p.i) == now + 5000);
	ike_sa_free(p.i);
	ike_sa_free(p.r);
}

/* A peer that stopped answering: dead after 5 + 1+2+4+8+16+32 s, not before;
 * as initiator and as responder (its check carries the responder's flags and
 * the initiator, had it been alive, answers it). */
static void test_dead(bool responder)
{
	struct pair p;
	struct ike_dgram q, a;
	unsigned sent = 0;
	uint64_t now = 0, t;

	establish(&p, responder ? 0 : 5, responder ? 5 : 0);
	struct ike_sa *sa = responder ? p.r : p.i;
	if (responder) {
		/* a live initiator answers the responder's check */
		CHECK(ike_sa_timer(sa, 5000, &q) == 1);
		CHECK(deliver(p.i, &p.cr, &q, 5000, &a) == 1);
		CHECK(deliver(p.r, &p.ci, &a, 5000, &q) == 0);
		CHECK(ike_sa_state(sa) == IKE_SA_ESTABLISHED);
		CHECK(ike_sa_next_timer(sa) == 10000);
		now = 5000;
	}
	uint64_t start = now;
	while ((t = ike_sa_next_timer(sa)) != UINT64_MAX && now < 1000000) {
		now = t;
		sent += (unsigned)ike_sa_timer(sa, now, &q);
		CHECK(ike_sa_state(sa) == IKE_SA_DEAD || ike_sa_child(sa) != NULL);
	}
	CHECK(ike_sa_state(sa) == IKE_SA_DEAD);
	CHECK(now - start == 5000 + 1000 + 2000 + 4000 + 8000 + 16000 + 32000);
	CHECK(sent == 1 + IKE_RETX_TRIES);
	CHECK(ike_sa_drops(sa)[IKE_SA_DROP_TIMEOUT] == 1);
	CHECK(ike_sa_child(sa) == NULL);
	ike_sa_free(p.i);
	ike_sa_free(p.r);
}

/* retx_base_ms 250, retx_tries 2: IKE_SA_INIT at 0, again at 250 and 750,
 * given up at 1750. */
static void test_retx_configured(void)
{
	struct ike_sa_cfg c = conn(true, 0);
	struct ike_env env = {rng_fill, log_fn, NULL};
	uint32_t seed = 7;
	struct ike_sa *sa;
	struct ike_dgram q;
	uint64_t at[4], t;
	unsigned sent = 0;

	env.ctx = &seed;
	c.retx_base_ms = 250;
	c.retx_tries = 2;
	CHECK(ike_sa_new(&c, IKE_ROLE_INITIATOR, &env, &sa) == 0);
	CHECK(ike_sa_start(sa, 0, &q) == 1);
	at[sent++] = 0;
	while ((t = ike_sa_next_timer(sa)) != UINT64_MAX && sent < 4) {
		if (ike_sa_timer(sa, t, &q) == 1)
			at[sent++] = t;
		else
			break;
	}
	CHECK(sent == 3 && at[1] == 250 && at[2] == 750);
	CHECK(t == 1750 && ike_sa_state(sa) == IKE_SA_DEAD);
	CHECK(ike_sa_drops(sa)[IKE_SA_DROP_TIMEOUT] == 1);
	ike_sa_free(sa);
}

int main(int argc, char **argv)
{
	(void)argv;
	verbose = argc > 1;
	test_off();
	test_alive();
	test_dead(false);
	test_dead(true);
	test_retx_configured();
	printf("%d checks, %d failures\n", checks, failures);
	return failures != 0;
}
