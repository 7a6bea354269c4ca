/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "replay.h"

/*
 * One spare word beyond the window: the oldest and the newest number of a
 * full window then never share a bit, whatever the alignment.
 */
static uint32_t
bitmap_words(uint32_t size)
{
	uint32_t w = 1;

	while (w < size / 64 + 1)
		w <<= 1;
	return size == 0 ? 0 : w;
}

size_t
replay_mem_size(uint32_t size)
{
	return sizeof(struct replay_window) + bitmap_words(size) * sizeof(uint64_t);
}

int
replay_init(struct replay_window *rw, uint32_t size, bool esn, uint64_t top)
{
	uint32_t words = bitmap_words(size);

	if (size != 0 && (size < REPLAY_WINDOW_MIN || size > REPLAY_WINDOW_MAX))
		return -1;
	rw->top = top;
	rw->size = size;
	rw->mask = words ? words - 1 : 0;
	rw->esn = esn;
	memset(rw->bits, 0, words * sizeof(uint64_t));
	return 0;
}

/*
 * RFC 4303 Appendix A2.2: place the received low half in the 2^32 block of
 * the window's top or in a neighbour block.  Without a window the number is
 * taken as the one nearest the top, so reordering up to 2^31 still works.
 */
static uint64_t
infer_esn(const struct replay_window *rw, uint32_t low)
{
	uint32_t w = rw->size ? rw->size : UINT32_C(1) << 31;
	uint32_t tl = (uint32_t)rw->top, th = (uint32_t)(rw->top >> 32);
	uint32_t bottom = tl - w + 1; /* may wrap: that is case B */

	if (tl >= w - 1)
		th += low >= bottom ? 0 : 1;
	else if (low >= bottom && th != 0)
		th -= 1;
	return (uint64_t)th << 32 | low;
}

static bool
recorded(const struct replay_window *rw, uint64_t sqn)
{
	return (rw->bits[(sqn >> 6) & rw->mask] >> (sqn & 63)) & 1;
}

int
replay_check(const struct replay_window *rw, uint32_t sqn_low, uint64_t *sqn)
{
	uint64_t s = rw->esn ? infer_esn(rw, sqn_low) : sqn_low;

	*sqn = s;
	if (rw->size == 0)
		return 0;
	if (s == 0) /* never sent: the first number is 1 */
		return -1;
	if (s > rw->top)
		return 0;
	if (rw->top - s >= rw->size || recorded(rw, s))
		return -1;
	return 0;
}

int
replay_update(struct replay_window *rw, uint64_t sqn)
{
	uint64_t tw, words, i;

	if (rw->size == 0) {
		if (sqn > rw->top)
			rw->top = sqn;
		return 0;
	}
	if (sqn == 0)
		return -1;
	if (sqn > rw->top) {
		/* words entered for the first time lose what an older lap left */
		tw = rw->top >> 6;
		words = (sqn >> 6) - tw;
		if (words > rw->mask + 1ULL)
			words = rw->mask + 1ULL;
		for (i = 1; i <= words; i++)
			rw->bits[(tw + i) & rw->mask] = 0;
		rw->top = sqn;
	} else if (rw->top - sqn >= rw->size || recorded(rw, sqn)) {
		return -1;
	}
	rw->bits[(sqn >> 6) & rw->mask] |= UINT64_C(1) << (sqn & 63);
	return 0;
}
