/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a UDP datagram on port 4500 carries (RFC 3948 2.2, 2.3; RFC 7296 2.23): an IKE message
 * behind a 4-octet zero non-ESP marker, a one-octet 0xFF NAT keepalive, or ESP (a non-zero
 * SPI first).  Stateless; safe from any thread.
 */
#ifndef SECGW_IKE_NATT_H
#define SECGW_IKE_NATT_H

#include <stddef.h>
#include <stdint.h>

#define IKE_NON_ESP_MARKER_LEN 4u

enum ike_udp4500_kind {
	IKE_UDP4500_IKE,       /* IKE message at payload + IKE_NON_ESP_MARKER_LEN */
	IKE_UDP4500_KEEPALIVE, /* drop silently */
	IKE_UDP4500_ESP,       /* ESP header at payload */
	IKE_UDP4500_INVALID,   /* too short for any of these */
};

/* Classify the UDP payload p[0..len-1] of a datagram received on port 4500. */
enum ike_udp4500_kind ike_udp4500_classify(const uint8_t *p, size_t len);

#endif
