/* SPDX-License-Identifier: BSD-3-Clause */
/* Big-endian loads and stores for the IKE codec (byte by byte: no alignment assumed). */
#ifndef SECGW_IKE_MSG_BE_H
#define SECGW_IKE_MSG_BE_H

#include <stdint.h>

static inline uint16_t ike_get16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t ike_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t ike_get64(const uint8_t *p)
{
	return (uint64_t)ike_get32(p) << 32 | ike_get32(p + 4);
}

static inline void ike_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void ike_put32(uint8_t *p, uint32_t v)
{
	ike_put16(p, (uint16_t)(v >> 16));
	ike_put16(p + 2, (uint16_t)v);
}

static inline void ike_put64(uint8_t *p, uint64_t v)
{
	ike_put32(p, (uint32_t)(v >> 32));
	ike_put32(p + 4, (uint32_t)v);
}

#endif
