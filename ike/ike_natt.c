/* SPDX-License-Identifier: BSD-3-Clause */
#include "ike_natt.h"

#define NATT_KEEPALIVE 0xffu
#define ESP_MIN_LEN 8u /* SPI and sequence number */

enum ike_udp4500_kind ike_udp4500_classify(const uint8_t *p, size_t len)
{
	if (len == 1 && p[0] == NATT_KEEPALIVE)
		return IKE_UDP4500_KEEPALIVE;
	if (len < IKE_NON_ESP_MARKER_LEN)
		return IKE_UDP4500_INVALID;
	/* SPI 0 is reserved (RFC 4303 2.1), which is what lets the zero marker mean IKE. */
	if ((p[0] | p[1] | p[2] | p[3]) == 0)
		return IKE_UDP4500_IKE;
	if (len < ESP_MIN_LEN)
		return IKE_UDP4500_INVALID;
	return IKE_UDP4500_ESP;
}
