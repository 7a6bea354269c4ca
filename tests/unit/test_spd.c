/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SPD against a reference model: random IPv4 policies (overlapping prefixes,
 * protocols, port ranges, equal and distinct priorities) and random packets;
 * the rte_acl classification must equal a linear scan that applies the rule
 * the config documents: lowest priority value wins, then the first listed.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_memory.h>

#include "spd.h"

#define N_POLICIES 300
#define N_PACKETS 20000
#define ROUNDS 6

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

/* Addresses from a small space so that prefixes overlap and packets hit them. */
static uint32_t
rnd_addr(void)
{
	return 0x0a000000u | (rnd() % 4) << 16 | (rnd() % 4) << 8 | (rnd() % 8);
}

static void
rnd_prefix(struct cfg_prefix *p)
{
	static const uint8_t lens[] = {0, 8, 16, 22, 24, 30, 32};
	uint8_t len = lens[rnd() % sizeof(lens)];
	uint32_t mask = len ? ~0u << (32 - len) : 0;

	p->addr.family = AF_INET;
	p->addr.v4 = htonl(rnd_addr() & mask);
	p->len = len;
}

static void
rnd_range(uint16_t *lo, uint16_t *hi)
{
	uint16_t a = rnd() % 64, b = rnd() % 64;

	if (rnd() % 3 == 0) {
		*lo = 0;
		*hi = 65535;
		return;
	}
	*lo = a < b ? a : b;
	*hi = a < b ? b : a;
}

static void
rnd_policy(struct cfg_policy *p, uint32_t i)
{
	static const int protos[] = {-1, IPPROTO_UDP, IPPROTO_TCP, IPPROTO_ICMP};

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "p%u", i);
	p->dir = rnd() % 2 ? CFG_DIR_IN : CFG_DIR_OUT;
	rnd_prefix(&p->src);
	rnd_prefix(&p->dst);
	p->proto = protos[rnd() % 4];
	p->sport_lo = 0;
	p->sport_hi = 65535;
	p->dport_lo = 0;
	p->dport_hi = 65535;
	if (p->proto == IPPROTO_UDP || p->proto == IPPROTO_TCP) {
		rnd_range(&p->sport_lo, &p->sport_hi);
		rnd_range(&p->dport_lo, &p->dport_hi);
	}
	p->action = rnd() % 3;
	p->spi = 1000 + i;
	p->priority = rnd() % 20; /* many ties: order must decide them */
}

static bool
in_prefix(uint32_t a, const struct cfg_prefix *p)
{
	uint32_t mask = p->len ? ~0u << (32 - p->len) : 0;

	return (a & mask) == ntohl(p->addr.v4);
}

static int
model_match(const struct cfg_policy *pol, uint32_t n, enum cfg_direction dir,
	    const struct spd4_key *k)
{
	uint16_t sp = ntohs(k->sport), dp = ntohs(k->dport);
	int best = -1;
	uint32_t i;

	for (i = 0; i < n; i++) {
		const struct cfg_policy *p = &pol[i];

		if (p->dir != dir || !in_prefix(ntohl(k->src), &p->src) ||
		    !in_prefix(ntohl(k->dst), &p->dst) ||
		    (p->proto >= 0 && p->proto != k->proto) || sp < p->sport_lo ||
		    sp > p->sport_hi || dp < p->dport_lo || dp > p->dport_hi)
			continue;
		if (best < 0 || p->priority < pol[best].priority)
			best = (int)i;
	}
	return best;
}

static int
fake_sa(void *arg, uint32_t spi, enum cfg_direction dir)
{
	(void)arg;
	(void)dir;
	return (int)(spi - 1000);
}

static void
rnd_key(struct spd4_key *k)
{
	static const uint8_t protos[] = {IPPROTO_UDP, IPPROTO_TCP, IPPROTO_ICMP, IPPROTO_ESP};

	memset(k, 0, sizeof(*k));
	k->proto = protos[rnd() % 4];
	k->src = htonl(rnd_addr());
	k->dst = htonl(rnd_addr());
	if (k->proto == IPPROTO_UDP || k->proto == IPPROTO_TCP) {
		k->sport = htons(rnd() % 70);
		k->dport = htons(rnd() % 70);
	}
}

static int
run_round(int round)
{
	static struct cfg_policy pol[N_POLICIES];
	struct spd4_key keys[64];
	const struct spd4_key *kp[64];
	const struct spd_entry *res[64];
	char err[SPD_ERR_MAX], name[32];
	uint32_t i, n = round == 0 ? 1 : N_POLICIES, done, errors = 0, hits = 0;
	struct spd *spd;
	uint16_t j, m;
	int dir, want;

	for (i = 0; i < n; i++)
		rnd_policy(&pol[i], i);
	snprintf(name, sizeof(name), "t%d", round);
	spd = spd_build(name, pol, n, fake_sa, NULL, SOCKET_ID_ANY, err);
	if (spd == NULL) {
		fprintf(stderr, "round %d: spd_build: %s\n", round, err);
		return 1;
	}
	for (done = 0; done < N_PACKETS; done += m) {
		m = 1 + rnd() % 64;
		dir = rnd() % 2;
		for (j = 0; j < m; j++) {
			rnd_key(&keys[j]);
			kp[j] = &keys[j];
		}
		spd_classify4(spd, dir, kp, m, res);
		for (j = 0; j < m; j++) {
			want = model_match(pol, n, dir, &keys[j]);
			hits += want >= 0;
			if ((want < 0) != (res[j] == NULL) ||
			    (want >= 0 && (res[j]->policy_idx != (uint32_t)want ||
					   res[j]->action != pol[want].action ||
					   (pol[want].action == CFG_SP_PROTECT &&
					    res[j]->sa_idx != (int)want)))) {
				if (errors++ < 5)
					fprintf(stderr,
						"round %d: key proto %u %08x->%08x %u->%u dir %d: "
						"model %d, spd %d\n",
						round, keys[j].proto, ntohl(keys[j].src),
						ntohl(keys[j].dst), ntohs(keys[j].sport),
						ntohs(keys[j].dport), dir, want,
						res[j] ? (int)res[j]->policy_idx : -1);
			}
		}
	}
	spd_free(spd);
	printf("round %d: %u policies, %u lookups, %u matched, %u mismatches\n", round, n,
	       done, hits, errors);
	/* a model that never matches would prove nothing */
	if (round > 0 && hits < done / 10) {
		fprintf(stderr, "round %d: too few matches to be meaningful\n", round);
		return 1;
	}
	return errors != 0;
}

int
main(void)
{
	char *args[] = {"test_spd", "--no-huge", "-m", "256", "--no-pci", "--file-prefix=test_spd",
			"--no-telemetry", "--log-level=error", NULL};
	int r, fails = 0;

	if (rte_eal_init(8, args) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	for (r = 0; r < ROUNDS; r++)
		fails += run_round(r);
	rte_eal_cleanup();
	printf("%d passed, %d failed\n", ROUNDS - fails, fails);
	return fails != 0;
}
