/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Field rules the decoder enforces on what it receives and the builder on what it writes,
 * kept in one place so that everything the builder emits decodes.
 */
#ifndef SECGW_IKE_MSG_RULES_H
#define SECGW_IKE_MSG_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_msg_be.h"
#include "ike_proto.h"

/* Proposal and notify SPIs: none, ESP/AH (4) or IKE (8) (RFC 7296 3.3.1, 3.10). */
static inline bool ike_rule_spi_size(size_t size)
{
	return size == 0 || size == 4 || size == 8;
}

/* Nonce data: 16 to 256 octets (RFC 7296 3.9). */
static inline bool ike_rule_nonce_len(size_t len)
{
	return len >= 16 && len <= 256;
}

/* Address IDs carry exactly one address; the others must not be empty (RFC 7296 3.5). */
static inline bool ike_rule_id(uint8_t type, size_t len)
{
	if (type == IKE_ID_IPV4_ADDR)
		return len == 4;
	if (type == IKE_ID_IPV6_ADDR)
		return len == 16;
	return len > 0;
}

/* Delete: IKE SA with no SPI, or ESP/AH with 4-byte SPIs (RFC 7296 3.11). */
static inline bool ike_rule_delete(uint8_t proto, uint8_t spi_size, size_t n_spi, size_t spis_len)
{
	if (proto == IKE_PROTO_IKE)
		return spi_size == 0 && n_spi == 0 && spis_len == 0;
	if (proto == IKE_PROTO_ESP || proto == IKE_PROTO_AH)
		return spi_size == 4 && n_spi > 0 && spis_len == 4 * n_spi;
	return false;
}

/* Selector length of an address-range traffic selector, 0 for other types (RFC 7296 3.13.1). */
static inline size_t ike_rule_ts_len(uint8_t type)
{
	if (type == IKE_TS_IPV4_ADDR_RANGE)
		return 8 + 2 * 4;
	if (type == IKE_TS_IPV6_ADDR_RANGE)
		return 8 + 2 * 16;
	return 0;
}

/* Fragment number within 1..total (RFC 7383 2.5). */
static inline bool ike_rule_fragment(uint16_t num, uint16_t total)
{
	return num >= 1 && num <= total;
}

static inline bool ike_rule_cfg_type(uint8_t type)
{
	return type >= IKE_CFG_REQUEST && type <= IKE_CFG_ACK;
}

/* The EAP payload holds exactly one EAP packet, whose own length must agree (RFC 3748 4). */
static inline bool ike_rule_eap(const uint8_t *p, size_t len)
{
	return len >= 4 && ike_get16(p + 2) == len;
}

#endif
