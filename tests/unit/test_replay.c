/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Anti-replay window against a reference model: a set of every number
 * accepted and the highest one.  Random traffic (in order, reordered, exact
 * duplicates, too old, jumps ahead) for windows 0, 64, 1024 and 4096, with
 * and without ESN, starting just below 2^32 so the ESN runs cross the wrap.
 *
 * The receiver sees only the low 32 bits.  When the window infers a different
 * full number than the sender used, the real ICV (over the high half) would
 * fail: the test then records nothing, as the AH/ESP code does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

#define STEPS 200000
#define SET_BITS 20
#define SET_SIZE (1u << SET_BITS)

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Open-addressing set of accepted numbers (0 is never accepted). */
static uint64_t set[SET_SIZE];

static bool
set_has(uint64_t v)
{
	uint32_t i = (uint32_t)((v * 0x9e3779b97f4a7c15ULL) >> (64 - SET_BITS));

	for (; set[i] != 0; i = (i + 1) & (SET_SIZE - 1))
		if (set[i] == v)
			return true;
	return false;
}

static void
set_add(uint64_t v)
{
	uint32_t i = (uint32_t)((v * 0x9e3779b97f4a7c15ULL) >> (64 - SET_BITS));

	while (set[i] != 0)
		i = (i + 1) & (SET_SIZE - 1);
	set[i] = v;
}

struct model {
	uint64_t top;
	uint32_t size;
};

static bool
model_accepts(const struct model *m, uint64_t s)
{
	if (m->size == 0)
		return true;
	if (s == 0)
		return false;
	return s > m->top || (m->top - s < m->size && !set_has(s));
}

/* The next number the sender uses, relative to the receiver's top. */
static uint64_t
next_sqn(const struct model *m, uint64_t last_sent, uint32_t size, bool esn)
{
	uint32_t span = size ? size : 1024;
	uint64_t r = rnd() % 100, back = rnd() % (span + span / 2 + 1), s;

	if (r < 40)
		s = last_sent + 1;
	else if (r < 60)
		s = m->top > back ? m->top - back : 1;     /* in or just behind */
	else if (r < 70)
		s = last_sent;                              /* duplicate */
	else if (r < 75)
		s = m->top + 1 + rnd() % (4 * span);        /* jump ahead */
	else
		s = m->top + 1 + rnd() % 8;
	if (!esn && (s == 0 || s > UINT32_MAX)) /* a non-ESN sender stops at 2^32 - 1 */
		s = 1 + rnd() % UINT32_MAX;
	return s;
}

static int
run(uint32_t size, bool esn, uint64_t start)
{
	struct replay_window *rw = malloc(replay_mem_size(size));
	struct model m = {.top = start, .size = size};
	uint64_t sent = start, s, inferred;
	int failures = 0, accepted = 0, i;
	bool want, got;

	memset(set, 0, sizeof(set));
	if (rw == NULL || replay_init(rw, size, esn, start) != 0) {
		fprintf(stderr, "FAIL init window %u\n", size);
		free(rw);
		return 1;
	}
	for (i = 0; i < STEPS; i++) {
		s = next_sqn(&m, sent, size, esn);
		sent = s > sent ? s : sent;
		want = model_accepts(&m, s);
		got = replay_check(rw, (uint32_t)s, &inferred) == 0 &&
		      inferred == s && /* else the ICV over the high half fails */
		      replay_update(rw, inferred) == 0;
		if (want != got && failures++ < 10)
			fprintf(stderr, "FAIL window %u esn %d step %d: sqn %#llx top %#llx: "
				"model %d, window %d\n", size, esn, i, (unsigned long long)s,
				(unsigned long long)m.top, want, got);
		if (want) {
			accepted++;
			if (m.size != 0)
				set_add(s);
			if (s > m.top)
				m.top = s;
		}
		/* the second step alone must refuse what was just recorded */
		if (got && size != 0 && replay_update(rw, s) == 0 && failures++ < 10)
			fprintf(stderr, "FAIL window %u: update accepted %#llx twice\n", size,
				(unsigned long long)s);
	}
	printf("window %4u esn %d start %#llx: %d of %d accepted, top %#llx\n", size, esn,
	       (unsigned long long)start, accepted, STEPS, (unsigned long long)m.top);
	free(rw);
	return failures != 0;
}

int
main(void)
{
	static const uint32_t sizes[] = {0, 64, 1024, 4096};
	struct replay_window *rw = malloc(replay_mem_size(4096));
	int failed = 0;
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		failed += run(sizes[i], false, 0);
		failed += run(sizes[i], true, 0);
		/* ESN across 2^32 (and, with big windows, the window spanning it) */
		failed += run(sizes[i], true, (1ULL << 32) - 3 * sizes[i] - 100);
		failed += run(sizes[i], true, (5ULL << 32) - 10);
	}
	/* window sizes outside 0 and 64..4096 are refused */
	failed += rw == NULL || replay_init(rw, 63, false, 0) == 0 ||
		  replay_init(rw, 4097, false, 0) == 0;
	free(rw);
	printf("%s\n", failed ? "FAILED" : "all passed");
	return failed != 0;
}
