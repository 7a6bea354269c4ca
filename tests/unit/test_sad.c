/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SAD against a reference model: random add / unlink / reclaim / lookup
 * sequences on a small table (so it fills up), with real crypto sessions on
 * crypto_aesni_mb.  Checks bulk inbound lookup, per-direction SPIs, the
 * "table full" and "SPI exists" refusals, slot reuse only after reclaim, and
 * that reclaim wipes the keys.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_memory.h>

#include "sad.h"
#include "unit_eal.h"

#define CAP 64
#define SPI_SPACE 96 /* more SPIs than slots: adds must sometimes find it full */
#define STEPS 6000

struct model {
	int slot[2][SPI_SPACE]; /* -1: absent */
	int live;
	int pending[CAP];       /* unlinked, not reclaimed: slot -> hash position + 1 */
};

static uint64_t rng = 0x243f6a8885a308d3ULL;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static void
make_sa(struct cfg_sa *s, uint32_t spi, enum cfg_direction dir)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "sa-%u-%d", spi, dir);
	s->spi = spi;
	s->dir = dir;
	s->cipher = CFG_CIPHER_AES_128_GCM;
	s->integ = CFG_INTEG_NONE;
	s->key_len = 16;
	memset(s->key, 0xa5, 16);
	s->replay_window = 64;
	s->tun_src.family = s->tun_dst.family = AF_INET;
	s->tun_src.v4 = htonl(0x0a000001);
	s->tun_dst.v4 = htonl(0x0a000002);
}

static int failures, full_seen;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			if (failures++ < 10) {                                 \
				fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
				fprintf(stderr, __VA_ARGS__);                  \
				fputc('\n', stderr);                           \
			}                                                      \
		}                                                              \
	} while (0)

static bool
all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static void
check_lookups(const struct sad *sad, const struct model *m)
{
	rte_be32_t spi[SPI_SPACE];
	struct sa *res[SPI_SPACE];
	uint32_t i;

	for (i = 0; i < SPI_SPACE; i++)
		spi[i] = htonl(256 + i);
	sad_lookup_in_bulk(sad, spi, SPI_SPACE, res);
	for (i = 0; i < SPI_SPACE; i++) {
		int want = m->slot[CFG_DIR_IN][i];

		CHECK((want < 0) == (res[i] == NULL), "inbound SPI %u: model %d, sad %p", 256 + i,
		      want, (void *)res[i]);
		if (want >= 0 && res[i] != NULL)
			CHECK(res[i]->idx == (uint32_t)want && ntohl(res[i]->spi) == 256 + i,
			      "inbound SPI %u: slot %u, want %d", 256 + i, res[i]->idx, want);
		CHECK(sad_find(sad, 256 + i, CFG_DIR_OUT) == m->slot[CFG_DIR_OUT][i],
		      "outbound SPI %u", 256 + i);
	}
}

static void
step(struct sad *sad, struct model *m, struct rte_mempool *sp)
{
	uint32_t i = rnd() % SPI_SPACE, op = rnd() % 10;
	enum cfg_direction dir = rnd() % 2;
	char err[SAD_ERR_MAX];
	struct cfg_sa s;
	int idx, pos, j;

	if (op < 5) {
		make_sa(&s, 256 + i, dir);
		idx = sad_add(sad, &s, 0, sp, false, err);
		if (m->slot[dir][i] >= 0) {
			CHECK(idx < 0 && strstr(err, "already installed"), "dup SPI accepted");
		} else if (idx < 0) {
			int busy = m->live;

			for (j = 0; j < CAP; j++)
				busy += m->pending[j] != 0;
			CHECK(busy == CAP && strstr(err, "SAD full"), "add refused: %s", err);
		} else {
			CHECK(m->pending[idx] == 0, "slot %d reused before reclaim", idx);
			m->slot[dir][i] = idx;
			m->live++;
		}
		full_seen += idx < 0 && m->slot[dir][i] < 0;
	} else if (op < 8) {
		idx = m->slot[dir][i];
		if (idx < 0)
			return;
		pos = sad_unlink(sad, idx);
		CHECK(pos >= 0, "unlink of a live SA failed");
		m->pending[idx] = pos + 1;
		m->slot[dir][i] = -1;
		m->live--;
	} else {
		for (j = 0; j < CAP; j++) {
			if (m->pending[j] == 0)
				continue;
			sad_reclaim(sad, j, m->pending[j] - 1);
			m->pending[j] = 0;
			CHECK(all_zero(sad_slot(sad, j), sizeof(struct sa)),
			      "slot %d not wiped on reclaim", j);
		}
	}
}

int
main(void)
{
	static const char *const vdevs[] = {"crypto_aesni_mb0"};
	static struct model m;
	struct rte_mempool *sp;
	struct sad *sad;
	int i, j;

	if (unit_eal_init("test_sad", vdevs, 1) != 0)
		return 1;
	sp = unit_session_pool("test_sess", 2 * CAP);
	sad = sad_create("test_sad", CAP, SOCKET_ID_ANY);
	if (sp == NULL || sad == NULL) {
		fprintf(stderr, "pools failed\n");
		return 1;
	}
	for (i = 0; i < 2; i++)
		for (j = 0; j < SPI_SPACE; j++)
			m.slot[i][j] = -1;
	for (i = 0; i < STEPS; i++) {
		step(sad, &m, sp);
		if (i % 50 == 0)
			check_lookups(sad, &m);
	}
	check_lookups(sad, &m);
	CHECK(full_seen > 0, "the table never filled up: the test proves less than it says");
	sad_destroy(sad);
	rte_mempool_free(sp);
	unit_eal_fini();
	printf("%d steps, %d passed, %d failed\n", STEPS, failures ? 0 : 1, failures ? 1 : 0);
	return failures != 0;
}
