/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the IPv6 extension-header walk (dataplane/ip6.h, ip6_walk):
 * known chains give the right upper-layer protocol, offset and fragment flag;
 * malformed ones are refused; and for random chains cut at every length the
 * walk reads nothing past the end (each case is copied into a buffer of exactly
 * that length, so ASan catches any over-read) and never accepts an offset
 * beyond the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ip6.h"

#include "check.h"

/* A packet under construction: IPv6 header, then headers appended in order. */
struct pkt {
	uint8_t b[1024];
	uint32_t len;
	uint8_t *last_nh; /* Next Header field to fill with the next header's type */
};

static void
pkt_init(struct pkt *p)
{
	memset(p, 0, sizeof(*p));
	p->b[0] = 0x60;
	p->len = 40;
	p->last_nh = &p->b[6];
}

/* Append an extension header of type `type` and `bytes` (multiple of 8). */
static void
pkt_ext(struct pkt *p, uint8_t type, uint32_t bytes)
{
	*p->last_nh = type;
	p->last_nh = &p->b[p->len];
	p->b[p->len + 1] = (uint8_t)(bytes / 8 - 1);
	p->len += bytes;
}

static void
pkt_frag(struct pkt *p, uint16_t offset_units)
{
	*p->last_nh = IPPROTO_FRAGMENT;
	p->last_nh = &p->b[p->len];
	p->b[p->len + 2] = (uint8_t)(offset_units >> 5);
	p->b[p->len + 3] = (uint8_t)(offset_units << 3);
	p->len += 8;
}

static void
pkt_upper(struct pkt *p, uint8_t proto, uint32_t bytes)
{
	*p->last_nh = proto;
	p->len += bytes;
}

/* ip6_walk on an exact-size heap copy of the first len bytes. */
static bool
walk(const struct pkt *p, uint32_t len, struct ip6_upper *u)
{
	uint8_t *copy = malloc(len ? len : 1);
	bool ok;

	memcpy(copy, p->b, len);
	ok = ip6_walk(copy, len, u);
	free(copy);
	return ok;
}

static void
test_known_chains(void)
{
	struct ip6_upper u;
	struct pkt p;

	pkt_init(&p);
	pkt_upper(&p, IPPROTO_UDP, 8);
	CHECK(walk(&p, p.len, &u) && u.proto == IPPROTO_UDP && u.off == 40 && !u.later_frag);

	pkt_init(&p);
	pkt_ext(&p, IPPROTO_HOPOPTS, 8);
	pkt_ext(&p, IPPROTO_ROUTING, 24);
	pkt_ext(&p, IPPROTO_DSTOPTS, 16);
	pkt_upper(&p, IPPROTO_TCP, 20);
	CHECK(walk(&p, p.len, &u) && u.proto == IPPROTO_TCP && u.off == 88 && !u.later_frag);

	/* first fragment: walked through */
	pkt_init(&p);
	pkt_frag(&p, 0);
	pkt_upper(&p, IPPROTO_UDP, 8);
	CHECK(walk(&p, p.len, &u) && u.proto == IPPROTO_UDP && u.off == 48 && !u.later_frag);

	/* later fragment: stops there, no upper-layer header */
	pkt_init(&p);
	pkt_frag(&p, 185);
	pkt_upper(&p, IPPROTO_UDP, 8);
	CHECK(walk(&p, p.len, &u) && u.proto == IPPROTO_UDP && u.off == 48 && u.later_frag);

	/* ESP and No Next Header end the chain */
	pkt_init(&p);
	pkt_ext(&p, IPPROTO_DSTOPTS, 8);
	pkt_upper(&p, IPPROTO_ESP, 8);
	CHECK(walk(&p, p.len, &u) && u.proto == IPPROTO_ESP && u.off == 48);
	pkt_init(&p);
	pkt_upper(&p, IPPROTO_NONE, 0);
	CHECK(walk(&p, p.len, &u) && u.proto == IPPROTO_NONE && u.off == 40);
}

static void
test_malformed(void)
{
	struct ip6_upper u;
	struct pkt p;
	unsigned int i;

	/* shorter than the IPv6 header */
	pkt_init(&p);
	CHECK(!walk(&p, 39, &u));

	/* an extension header cut short, or claiming more than there is */
	pkt_init(&p);
	pkt_ext(&p, IPPROTO_DSTOPTS, 8);
	pkt_upper(&p, IPPROTO_UDP, 8);
	CHECK(!walk(&p, 44, &u));
	p.b[41] = 10; /* (10 + 1) * 8 bytes */
	CHECK(!walk(&p, p.len, &u));
	p.b[41] = 255;
	CHECK(!walk(&p, p.len, &u));

	/* a fragment header cut short */
	pkt_init(&p);
	pkt_frag(&p, 0);
	CHECK(!walk(&p, 47, &u));

	/* hop-by-hop anywhere but first */
	pkt_init(&p);
	pkt_ext(&p, IPPROTO_DSTOPTS, 8);
	pkt_ext(&p, IPPROTO_HOPOPTS, 8);
	pkt_upper(&p, IPPROTO_UDP, 8);
	CHECK(!walk(&p, p.len, &u));

	/* IP6_MAX_EXT_HDRS headers are walked, one more is refused */
	pkt_init(&p);
	for (i = 0; i < IP6_MAX_EXT_HDRS; i++)
		pkt_ext(&p, IPPROTO_DSTOPTS, 8);
	pkt_upper(&p, IPPROTO_UDP, 8);
	CHECK(walk(&p, p.len, &u) && u.off == 40 + 8 * IP6_MAX_EXT_HDRS);
	pkt_init(&p);
	for (i = 0; i <= IP6_MAX_EXT_HDRS; i++)
		pkt_ext(&p, IPPROTO_DSTOPTS, 8);
	pkt_upper(&p, IPPROTO_UDP, 8);
	CHECK(!walk(&p, p.len, &u));
}

/* Random chains with random length bytes, cut at every length. */
static void
test_hostile_lengths(void)
{
	static const uint8_t types[] = {IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_FRAGMENT,
					IPPROTO_DSTOPTS, IPPROTO_UDP, IPPROTO_ESP};
	struct ip6_upper u;
	struct pkt p;
	uint32_t len, i;
	unsigned int iter;

	srand(4861);
	for (iter = 0; iter < 3000; iter++) {
		pkt_init(&p);
		p.len = 40 + (uint32_t)(rand() % 200);
		for (i = 40; i < p.len; i++)
			p.b[i] = (uint8_t)rand();
		/* make most positions extension headers, with small length bytes */
		for (i = 40; i < p.len; i += 8) {
			p.b[i] = types[rand() % sizeof(types)];
			p.b[i + 1] = (uint8_t)(rand() % 4 == 0 ? rand() : rand() % 3);
		}
		p.b[6] = types[rand() % sizeof(types)];
		for (len = 0; len <= p.len; len++) {
			if (walk(&p, len, &u))
				CHECK(u.off <= len && u.off >= 40);
		}
	}
}

int
main(void)
{
	test_known_chains();
	test_malformed();
	test_hostile_lengths();
	printf("test_ip6: %d checks, %d failures\n", checks, failures);
	return failures != 0;
}
