/* SPDX-License-Identifier: BSD-3-Clause */
/* What ah_sa.c, ah_l3.c, ah_icv.c, ah_outb.c and ah_inb.c share; not an API. */
#ifndef SECGW_AH_INTERNAL_H
#define SECGW_AH_INTERNAL_H

#include <rte_byteorder.h>

#include "ah.h"
#include "replay.h"

#define AH_FIXED_LEN 12u /* next header, payload length, reserved, SPI, sequence */
#define IPPROTO_AH_NUM 51

struct ah_hdr {
	uint8_t next_hdr;
	uint8_t payload_len; /* 32-bit words - 2 */
	rte_be16_t reserved;
	rte_be32_t spi;
	rte_be32_t seq;
	uint8_t data[];      /* [IV] ICV [padding] */
} __rte_packed;

struct ah_sa {
	void *ses;
	uint8_t dev_id;
	bool tunnel;
	bool sqn_atomic;
	bool esn;
	uint8_t iv_len;  /* GMAC: 8, carried before the ICV */
	uint8_t icv_len;
	rte_be32_t spi;
	uint8_t salt[4]; /* GMAC nonce prefix: key material, wiped */
	struct cfg_addr tun_src, tun_dst;
	uint64_t sqn;    /* outbound: last number used */
	struct replay_window rw; /* inbound; last: its bitmap follows */
};

/* Where an IP header before AH keeps its protocol / next header byte. */
struct ah_l3 {
	uint8_t version; /* 4 or 6 */
	uint16_t nh_off; /* offset of the byte that names the next protocol */
};

/*
 * Check the l3_len bytes at l3 form an IP header AH can protect, in a packet
 * of pkt_len bytes its length field agrees with, and, when zero is set, zero
 * its mutable fields (RFC 4302 §3.3.3.1).  AH_OK, or why not.
 */
enum ah_err ah_l3_walk(uint8_t *l3, uint16_t l3_len, uint32_t pkt_len, bool zero,
		       struct ah_l3 *out);
/* Set the IP header's length field for a packet of pkt_len bytes (and checksum). */
void ah_l3_set_len(uint8_t *l3, uint8_t version, uint32_t pkt_len);

/* AH length for an SA under an IP header of this version (RFC 4302 §2.2 padding). */
uint8_t ah_len_for(const struct ah_sa *sa, uint8_t version);
/* Reserve n outbound numbers; returns how many the SA still had, first in *first. */
uint16_t ah_sqn_reserve(struct ah_sa *sa, uint16_t n, uint64_t *first);

static inline struct ah_cop_priv *
ah_priv(struct rte_crypto_op *cop)
{
	return (struct ah_cop_priv *)((uint8_t *)cop + SA_IV_OFFSET);
}

/*
 * With the AH in place at l3_len (ICV field zero, IV written), save the IP
 * header, zero what is mutable, append the ESN high half and fill cop.
 * The caller has checked the room and the header.
 */
void ah_icv_prepare(const struct ah_sa *sa, struct rte_mbuf *m, struct rte_crypto_op *cop,
		    uint64_t sqn, uint8_t ah_len);
/* Undo what ah_icv_prepare changed in the packet; the ICV field stays zero. */
void ah_icv_restore(const struct ah_sa *sa, struct rte_mbuf *m, struct rte_crypto_op *cop);
/* The op's outcome as a reason. */
enum ah_err ah_cop_result(const struct rte_crypto_op *cop);
/* Good packets first in their order, the others after; returns the good count. */
uint16_t ah_partition(struct rte_mbuf *mb[], struct rte_crypto_op *cop[], enum ah_err err[],
		      uint16_t n);

#endif
