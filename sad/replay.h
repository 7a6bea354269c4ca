/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Anti-replay window with extended sequence numbers (RFC 4303 §3.4.3 and
 * Appendix A, RFC 4302 §3.4.3), for any IPsec protocol.
 *
 * Two steps per packet, because the window may only move once the ICV has
 * verified:
 *   replay_check()  before crypto: infers the 64-bit number from the 32 bits
 *                   on the wire and refuses duplicates and too-old numbers;
 *   replay_update() after a good ICV: checks again (a copy earlier in the same
 *                   burst may have moved the window) and records the number.
 *
 * Concurrency: one writer (the worker that owns the inbound SA); no readers
 * elsewhere.
 */
#ifndef SECGW_REPLAY_H
#define SECGW_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REPLAY_WINDOW_MIN 64
#define REPLAY_WINDOW_MAX 4096

struct replay_window {
	uint64_t top;     /* highest number recorded (or the starting point) */
	uint32_t size;    /* 0: anti-replay off (numbers are still inferred) */
	uint32_t mask;    /* bitmap words - 1; the word count is a power of two */
	bool esn;
	uint64_t bits[];  /* bit (n % (64 * words)) set: n was recorded */
};

/* Bytes to allocate for a window of size numbers. */
size_t replay_mem_size(uint32_t size);
/*
 * size: 0 or REPLAY_WINDOW_MIN..REPLAY_WINDOW_MAX; top: the number the peer
 * starts after (0, or the SA's initial sequence number for tests of the ESN
 * wrap).  Returns 0, or -1 for a bad size.
 */
int replay_init(struct replay_window *rw, uint32_t size, bool esn, uint64_t top);
/* 0 with *sqn the inferred full number, or -1: a replay or too old. */
int replay_check(const struct replay_window *rw, uint32_t sqn_low, uint64_t *sqn);
/* 0: recorded; -1: it is a replay after all (nothing changed). */
int replay_update(struct replay_window *rw, uint64_t sqn);

#endif
