/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SPD against a reference model.  A random sequence of policy adds and deletes
 * (IPv4 and IPv6 mixed: overlapping prefixes of every length, /0 to /32 and
 * /128, protocols any or given, port ranges, many equal priorities) is compiled
 * after each batch of edits, and random packets of both families are
 * classified: the result must equal a linear scan applying the documented rule
 * (lowest priority value wins, then the first listed; a key only matches
 * policies of its own family).  Then the build time of large IPv6 SPDs.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "spd.h"

#define MAX_POLICIES 400
#define STEPS 40
#define LOOKUPS_PER_STEP 1500 /* per family */
#define BURST 64

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

/* A packet of either family; addresses are bytes in network order. */
struct pkt {
	uint8_t af;
	uint8_t proto;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
};

static const uint8_t *
prefix_bytes(const struct cfg_prefix *p)
{
	return p->addr.family == AF_INET ? (const uint8_t *)&p->addr.v4 : p->addr.v6;
}

static bool
bit(const uint8_t *a, unsigned int b)
{
	return (a[b / 8] >> (7 - b % 8)) & 1;
}

static void
set_bit(uint8_t *a, unsigned int b, bool v)
{
	a[b / 8] = (uint8_t)((a[b / 8] & ~(0x80u >> b % 8)) | (v ? 0x80u >> b % 8 : 0));
}

static bool
in_prefix(const uint8_t *a, const struct cfg_prefix *p)
{
	unsigned int b;

	for (b = 0; b < p->len; b++)
		if (bit(a, b) != bit(prefix_bytes(p), b))
			return false;
	return true;
}

/*
 * Addresses come from a small space so that prefixes overlap and packets hit
 * them: a base (for IPv6 also the v4-mapped form of the IPv4 space, which must
 * not match IPv4 keys) with a few variable bits, on both sides of each 32-bit
 * word boundary since rte_acl sees an IPv6 address as four fields.
 */
static const unsigned int var_bits4[] = {8, 15, 16, 22, 23, 24, 29, 30, 31};
static const unsigned int var_bits6[] = {3, 31, 32, 50, 63, 64, 95, 96, 110, 126, 127};

static const unsigned int *
var_bits(uint8_t af, unsigned int *n)
{
	*n = af == AF_INET ? RTE_DIM(var_bits4) : RTE_DIM(var_bits6);
	return af == AF_INET ? var_bits4 : var_bits6;
}

static unsigned int
addr_bits(uint8_t af)
{
	return af == AF_INET ? 32 : 128;
}

static void
rnd_addr(uint8_t af, uint8_t a[16])
{
	static const uint8_t doc6[16] = {0x20, 0x01, 0x0d, 0xb8};
	static const uint8_t mapped6[16] = {[10] = 0xff, [11] = 0xff, [12] = 10};
	unsigned int i, n;
	const unsigned int *vb = var_bits(af, &n);

	memset(a, 0, 16);
	if (af == AF_INET)
		a[0] = 10;
	else
		memcpy(a, rnd() % 2 ? doc6 : mapped6, 16);
	for (i = 0; i < n; i++)
		set_bit(a, vb[i], rnd() % 2);
}

static void
rnd_prefix(uint8_t af, struct cfg_prefix *p)
{
	unsigned int bits = addr_bits(af), b;
	uint8_t a[16];

	/* every length, with the edges /0 and /max weighted up */
	switch (rnd() % 4) {
	case 0:
		p->len = rnd() % 2 ? 0 : bits;
		break;
	default:
		p->len = rnd() % (bits + 1);
	}
	rnd_addr(af, a);
	for (b = p->len; b < bits; b++)
		set_bit(a, b, false);
	memset(&p->addr, 0, sizeof(p->addr));
	p->addr.family = af;
	memcpy(af == AF_INET ? (uint8_t *)&p->addr.v4 : p->addr.v6, a, bits / 8);
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
rnd_policy(struct cfg_policy *p, uint8_t af, uint32_t serial)
{
	const int protos[] = {-1, IPPROTO_UDP, IPPROTO_TCP,
			      af == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6};

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "p%u", serial);
	p->dir = rnd() % 2 ? CFG_DIR_IN : CFG_DIR_OUT;
	rnd_prefix(af, &p->src);
	rnd_prefix(af, &p->dst);
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
	p->spi = serial; /* fake_sa maps it back, so a wrong sa_idx shows */
	p->priority = rnd() % 20; /* many ties: order must decide them */
}

static int
fake_sa(void *arg, uint32_t spi, enum cfg_direction dir)
{
	(void)arg;
	(void)dir;
	return (int)(spi % 100000);
}

static int
model_match(const struct cfg_policy *pol, uint32_t n, enum cfg_direction dir,
	    const struct pkt *k)
{
	int best = -1;
	uint32_t i;

	for (i = 0; i < n; i++) {
		const struct cfg_policy *p = &pol[i];

		if (p->dir != dir || p->src.addr.family != k->af || !in_prefix(k->src, &p->src) ||
		    !in_prefix(k->dst, &p->dst) || (p->proto >= 0 && p->proto != k->proto) ||
		    k->sport < p->sport_lo || k->sport > p->sport_hi ||
		    k->dport < p->dport_lo || k->dport > p->dport_hi)
			continue;
		if (best < 0 || p->priority < pol[best].priority)
			best = (int)i;
	}
	return best;
}

/* Random bits where a policy keeps host bits, so that long prefixes get hits too. */
static void
near_addr(const struct cfg_prefix *p, uint8_t a[16])
{
	unsigned int b, bits = addr_bits(p->addr.family);
	uint8_t r[16];

	rnd_addr(p->addr.family, r);
	memset(a, 0, 16);
	for (b = 0; b < bits; b++)
		set_bit(a, b, b < p->len ? bit(prefix_bytes(p), b) : bit(r, b));
	if (rnd() % 4 == 0) /* a near miss */
		set_bit(a, rnd() % bits, rnd() % 2);
}

static void
rnd_pkt(struct pkt *k, uint8_t af, const struct cfg_policy *pol, uint32_t n)
{
	const uint8_t protos[] = {IPPROTO_UDP, IPPROTO_TCP,
				  af == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6, IPPROTO_ESP};
	const struct cfg_policy *near = n ? &pol[rnd() % n] : NULL;

	memset(k, 0, sizeof(*k));
	k->af = af;
	k->proto = protos[rnd() % 4];
	if (near != NULL && near->src.addr.family == af && rnd() % 2) {
		near_addr(&near->src, k->src);
		near_addr(&near->dst, k->dst);
	} else {
		rnd_addr(af, k->src);
		rnd_addr(af, k->dst);
	}
	if (k->proto == IPPROTO_UDP || k->proto == IPPROTO_TCP) {
		k->sport = rnd() % 70;
		k->dport = rnd() % 70;
	}
}

static void
classify(const struct spd *spd, enum cfg_direction dir, const struct pkt *pk, uint16_t m,
	 const struct spd_entry *res[])
{
	struct spd4_key k4[BURST];
	struct spd6_key k6[BURST];
	const struct spd4_key *kp4[BURST];
	const struct spd6_key *kp6[BURST];
	uint16_t j;

	for (j = 0; j < m; j++) {
		if (pk[0].af == AF_INET) {
			memset(&k4[j], 0, sizeof(k4[j]));
			k4[j].proto = pk[j].proto;
			memcpy(&k4[j].src, pk[j].src, 4);
			memcpy(&k4[j].dst, pk[j].dst, 4);
			k4[j].sport = htons(pk[j].sport);
			k4[j].dport = htons(pk[j].dport);
			kp4[j] = &k4[j];
		} else {
			memset(&k6[j], 0, sizeof(k6[j]));
			k6[j].proto = pk[j].proto;
			memcpy(k6[j].src, pk[j].src, 16);
			memcpy(k6[j].dst, pk[j].dst, 16);
			k6[j].sport = htons(pk[j].sport);
			k6[j].dport = htons(pk[j].dport);
			kp6[j] = &k6[j];
		}
	}
	if (pk[0].af == AF_INET)
		spd_classify4(spd, dir, kp4, m, res);
	else
		spd_classify6(spd, dir, kp6, m, res);
}

/* What the lookups covered: a test that never reaches a case proves nothing about it. */
struct coverage {
	uint32_t lookups[2], hits[2]; /* [v4, v6] */
	uint32_t hit_len0, hit_len128, hit_ports, hit_proto_any, empty_v4_lookups;
};

static void
print_pkt(const char *what, const struct pkt *k, enum cfg_direction dir, int want, int got)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

	inet_ntop(k->af, k->src, s, sizeof(s));
	inet_ntop(k->af, k->dst, d, sizeof(d));
	fprintf(stderr, "%s: proto %u %s:%u -> %s:%u dir %d: model %d, spd %d\n", what, k->proto,
		s, k->sport, d, k->dport, dir, want, got);
}

static uint32_t
check_lookups(const struct spd *spd, const struct cfg_policy *pol, uint32_t n, uint8_t af,
	      struct coverage *cov, const char *what)
{
	struct pkt pk[BURST];
	const struct spd_entry *res[BURST];
	uint32_t done, errors = 0, fam = af == AF_INET6;
	uint16_t j, m;
	int want;

	for (done = 0; done < LOOKUPS_PER_STEP; done += m) {
		enum cfg_direction dir = rnd() % 2;

		m = 1 + rnd() % BURST;
		for (j = 0; j < m; j++)
			rnd_pkt(&pk[j], af, pol, n);
		classify(spd, dir, pk, m, res);
		for (j = 0; j < m; j++) {
			want = model_match(pol, n, dir, &pk[j]);
			cov->lookups[fam]++;
			if ((want < 0) != (res[j] == NULL) ||
			    (want >= 0 && (res[j]->policy_idx != (uint32_t)want ||
					   res[j]->action != pol[want].action ||
					   res[j]->sa_idx != (pol[want].action == CFG_SP_PROTECT
							      ? fake_sa(NULL, pol[want].spi, 0)
							      : -1)))) {
				if (errors++ < 5)
					print_pkt(what, &pk[j], dir, want,
						  res[j] ? (int)res[j]->policy_idx : -1);
				continue;
			}
			if (want < 0)
				continue;
			cov->hits[fam]++;
			cov->hit_len0 += pol[want].src.len == 0 || pol[want].dst.len == 0;
			cov->hit_len128 += pol[want].src.len == 128 || pol[want].dst.len == 128;
			cov->hit_ports += pol[want].sport_hi - pol[want].sport_lo < 65535 ||
					  pol[want].dport_hi - pol[want].dport_lo < 65535;
			cov->hit_proto_any += pol[want].proto < 0;
		}
	}
	return errors;
}

/*
 * Edits as the policy store makes them: adds append, deletes keep the order
 * of the others.  The first steps add IPv6 only, so the IPv4 contexts are
 * empty; the last step deletes everything.
 */
static void
edit(struct cfg_policy *pol, uint32_t *n, uint32_t step, uint32_t *serial)
{
	uint32_t edits = step == 0 ? 1 : 1 + rnd() % 30, e, i;
	unsigned int add_pct = step < STEPS / 2 ? 70 : 35;

	for (e = 0; e < edits || (step == STEPS - 1 && *n > 0); e++) {
		bool add = step < 4 || (step < STEPS - 1 && rnd() % 100 < add_pct);

		if (add && *n < MAX_POLICIES) {
			rnd_policy(&pol[*n], step < 4 || rnd() % 2 ? AF_INET6 : AF_INET, (*serial)++);
			(*n)++;
		} else if (!add && *n > 0) {
			i = rnd() % *n;
			memmove(&pol[i], &pol[i + 1], sizeof(*pol) * (*n - i - 1));
			(*n)--;
		}
	}
}

static int
test_edit_sequence(void)
{
	static struct cfg_policy pol[MAX_POLICIES];
	struct coverage cov = {0};
	uint32_t n = 0, serial = 1, step, errors = 0, n4;
	char err[SPD_ERR_MAX], name[32], what[48];
	struct spd *spd;

	for (step = 0; step < STEPS; step++) {
		edit(pol, &n, step, &serial);
		snprintf(name, sizeof(name), "seq%u", step);
		spd = spd_build(name, pol, n, fake_sa, NULL, SOCKET_ID_ANY, err);
		if (spd == NULL) {
			fprintf(stderr, "step %u: spd_build: %s\n", step, err);
			return 1;
		}
		for (n4 = 0; n4 < n && pol[n4].src.addr.family != AF_INET; n4++)
			;
		if (n4 == n)
			cov.empty_v4_lookups += LOOKUPS_PER_STEP;
		snprintf(what, sizeof(what), "step %u (%u policies) IPv4", step, n);
		errors += check_lookups(spd, pol, n, AF_INET, &cov, what);
		snprintf(what, sizeof(what), "step %u (%u policies) IPv6", step, n);
		errors += check_lookups(spd, pol, n, AF_INET6, &cov, what);
		spd_free(spd);
	}
	printf("edit sequence: %u steps, %u policies at the end, %u/%u IPv4 and %u/%u IPv6 "
	       "lookups matched (%u with no IPv4 policy); winners: %u with a /0, %u with a "
	       "/128, %u with a port range, %u with proto any; %u mismatches\n",
	       STEPS, n, cov.hits[0], cov.lookups[0], cov.hits[1], cov.lookups[1],
	       cov.empty_v4_lookups, cov.hit_len0, cov.hit_len128, cov.hit_ports,
	       cov.hit_proto_any, errors);
	if (n != 0 || cov.empty_v4_lookups == 0 || cov.hits[0] < cov.lookups[0] / 10 ||
	    cov.hits[1] < cov.lookups[1] / 10 || cov.hit_len0 == 0 || cov.hit_len128 == 0 ||
	    cov.hit_ports == 0 || cov.hit_proto_any == 0) {
		fprintf(stderr, "edit sequence: a case was not covered, the test proves too little\n");
		return 1;
	}
	return errors != 0;
}

/* Policies of mixed families, or of no family, are refused with the policy's name. */
static int
test_bad_family(void)
{
	struct cfg_policy pol[2];
	char err[SPD_ERR_MAX];
	struct spd *spd;
	int variant, fails = 0;

	for (variant = 0; variant < 2; variant++) {
		rnd_policy(&pol[0], AF_INET6, 1);
		rnd_policy(&pol[1], AF_INET, 2);
		if (variant == 0)
			rnd_prefix(AF_INET6, &pol[1].dst);
		else
			pol[1].src.addr.family = pol[1].dst.addr.family = 0;
		err[0] = '\0';
		spd = spd_build("badfam", pol, 2, fake_sa, NULL, SOCKET_ID_ANY, err);
		if (spd != NULL || strstr(err, "policy p2: src family") == NULL) {
			fprintf(stderr, "bad family %d: spd %p, error '%s'\n", variant,
				(void *)spd, err);
			spd_free(spd);
			fails++;
		}
	}
	return fails;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static size_t
heap_used(void)
{
	struct rte_malloc_socket_stats st;
	size_t sum = 0;
	int s;

	for (s = 0; s < RTE_MAX_NUMA_NODES; s++)
		if (rte_malloc_get_socket_stats(s, &st) == 0)
			sum += st.heap_allocsz_bytes;
	return sum;
}

/* Figures, not assertions: site-to-site style selectors (/48../128, some ports). */
static int
print_build_time(uint32_t n)
{
	struct cfg_policy *pol = calloc(n, sizeof(*pol));
	char err[SPD_ERR_MAX], name[32];
	size_t heap0 = heap_used();
	struct spd *spd;
	double t0;
	uint32_t i, j;

	if (pol == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		rnd_policy(&pol[i], AF_INET6, i + 1);
		for (j = 6; j < 16; j++) {
			pol[i].src.addr.v6[j] = (uint8_t)rnd();
			pol[i].dst.addr.v6[j] = (uint8_t)rnd();
		}
		pol[i].src.len = 48 + rnd() % 81;
		pol[i].dst.len = 48 + rnd() % 81;
		for (j = pol[i].src.len; j < 128; j++)
			set_bit(pol[i].src.addr.v6, j, false);
		for (j = pol[i].dst.len; j < 128; j++)
			set_bit(pol[i].dst.addr.v6, j, false);
	}
	snprintf(name, sizeof(name), "big%u", n);
	t0 = now_ms();
	spd = spd_build(name, pol, n, fake_sa, NULL, SOCKET_ID_ANY, err);
	if (spd == NULL) {
		fprintf(stderr, "%u IPv6 policies: spd_build: %s\n", n, err);
		free(pol);
		return 1;
	}
	printf("IPv6 SPD of %u policies: built in %.1f ms, %.1f MiB of DPDK heap\n", n,
	       now_ms() - t0, (heap_used() - heap0) / 1048576.0);
	spd_free(spd);
	free(pol);
	return 0;
}

/*
 * Make before break: two protect policies with the same selectors (the old and
 * the new SA of a rekey) both accept their SA's packets: the winner names the
 * runner-up's SA as its alternative; a different selector or a bypass twin does not.
 */
static int
test_identical_selectors(void)
{
	static const uint32_t spis[] = {101, 102, 103, 104};
	struct cfg_policy pol[4];
	const struct spd_entry *res[2];
	struct pkt pk[2];
	char err[SPD_ERR_MAX];
	struct spd *spd;
	int fails = 0, i;

	for (i = 0; i < 4; i++) {
		memset(&pol[i], 0, sizeof(pol[i]));
		snprintf(pol[i].name, sizeof(pol[i].name), "twin%d", i);
		pol[i].dir = CFG_DIR_IN;
		pol[i].src.addr.family = pol[i].dst.addr.family = AF_INET;
		pol[i].src.addr.v4 = htonl(0x0a010000);
		pol[i].src.len = 16;
		pol[i].dst.addr.v4 = htonl(0x0a020000);
		pol[i].dst.len = 16;
		pol[i].proto = -1;
		pol[i].sport_hi = pol[i].dport_hi = 65535;
		pol[i].action = CFG_SP_PROTECT;
		pol[i].spi = spis[i];
		pol[i].priority = 10 * (i + 1);
	}
	pol[2].action = CFG_SP_BYPASS;   /* a twin that is not an SA */
	pol[3].dst.addr.v4 = htonl(0x0a030000); /* another destination: its own entry */
	spd = spd_build("twins", pol, 4, fake_sa, NULL, SOCKET_ID_ANY, err);
	if (spd == NULL) {
		fprintf(stderr, "identical selectors: spd_build: %s\n", err);
		return 1;
	}
	memset(pk, 0, sizeof(pk));
	for (i = 0; i < 2; i++) {
		pk[i].af = AF_INET;
		pk[i].proto = IPPROTO_UDP;
		pk[i].src[0] = 10, pk[i].src[1] = 1, pk[i].src[3] = 7;
		pk[i].dst[0] = 10, pk[i].dst[1] = (uint8_t)(i == 0 ? 2 : 3), pk[i].dst[3] = 9;
	}
	classify(spd, CFG_DIR_IN, pk, 2, res);
	if (res[0] == NULL || res[0]->sa_idx != 101 || res[0]->alt_sa_idx != 102) {
		fprintf(stderr, "identical selectors: winner %d, alternative %d (want 101, 102)\n",
			res[0] ? res[0]->sa_idx : -2, res[0] ? res[0]->alt_sa_idx : -2);
		fails++;
	}
	if (res[1] == NULL || res[1]->sa_idx != 104 || res[1]->alt_sa_idx != -1) {
		fprintf(stderr, "identical selectors: other destination %d/%d (want 104/-1)\n",
			res[1] ? res[1]->sa_idx : -2, res[1] ? res[1]->alt_sa_idx : -2);
		fails++;
	}
	spd_free(spd);
	printf("identical selectors: %s\n", fails ? "FAILED" : "winner 101 accepts 102's packets too");
	return fails;
}

int
main(void)
{
	char *args[] = {"test_spd", "--no-huge", "-m", "1024", "--no-pci",
			"--file-prefix=test_spd", "--no-telemetry", "--log-level=error", NULL};
	int fails = 0;

	if (rte_eal_init(8, args) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	fails += test_edit_sequence();
	fails += test_bad_family();
	fails += test_identical_selectors();
	fails += print_build_time(1000);
	fails += print_build_time(10000);
	rte_eal_cleanup();
	printf("%s\n", fails ? "FAILED" : "passed");
	return fails != 0;
}
