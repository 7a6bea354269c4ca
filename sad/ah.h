/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IP Authentication Header (RFC 4302), which rte_ipsec does not provide.
 *
 * The calls mirror rte_ipsec so the IPsec stage can dispatch on the protocol:
 *   k = ah_{outb,inb}_prepare(sa, ses, mb, cop, n, err);
 *   enqueue cop[0..k) on the crypto device, dequeue them;
 *   g = ah_{outb,inb}_process(sa, mb, cop, k, err);
 * then free the ops.
 *
 * Packets: single-segment mbufs whose data starts at the IP header (no L2),
 * l2_len = 0, and
 *   outbound tunnel:    the inner IPv4/IPv6 packet (l3_len unused);
 *   outbound transport,
 *   inbound (both):     l3_len = the IP header before AH: IPv4 with options;
 *                       IPv6 fixed header + hop-by-hop / routing / destination
 *                       options headers that precede AH.
 * Outbound needs (room for outer header +) AH length of headroom; both
 * directions need 4 bytes of tailroom while ESN is on (the high half of the
 * sequence number is appended for the ICV and removed again).
 *
 * Results: each call returns how many packets went through; those are
 * mb[0..ret) in their original order; the others are mb[ret..n) with err[i]
 * saying why (err[] is parallel to mb[] after the call; err[i] = AH_OK for the
 * good ones).  cop[] is reordered with mb[].  After a failed prepare the
 * packet is as it was given; after a failed process it is as it was given to
 * prepare (outbound: with AH added).  rte_errno is set to the errno of the
 * last failure, EOVERFLOW for a sequence number that would wrap.
 *
 * Crypto ops: cop[i] must be allocated from a pool with a private area of at
 * least AH_COP_PRIV_SIZE bytes (after the sym op, where the ESP ops keep
 * their IV).  The area keeps the GMAC nonce, the ICV (computed or received:
 * the device never writes over packet bytes it is still reading), the saved
 * mutable IP header bytes and the full sequence number.  process() takes the
 * same ops in the same order as mb[] and reads them; the caller frees them.
 *
 * Concurrency: an outbound SA may be shared by workers when made with
 * sqn_atomic; an inbound SA has one worker (its replay window has one writer).
 */
#ifndef SECGW_AH_H
#define SECGW_AH_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_crypto.h>
#include <rte_mbuf.h>

#include "config.h"
#include "sad.h"

#define AH_MAX_ICV 32
/* IPv6 fixed header plus extension headers before AH, saved per packet */
#define AH_HDR_SAVE_MAX 128

enum ah_err {
	AH_OK,
	AH_ERR_MALFORMED,   /* a length or field does not parse; counted as malformed */
	AH_ERR_UNSUPPORTED, /* fragment, IPv4 option or IPv6 routing we cannot protect */
	AH_ERR_NOROOM,      /* mbuf head- or tailroom too small, or chained */
	AH_ERR_SEQ_OVERFLOW,/* outbound: the sequence number would wrap; the SA is spent */
	AH_ERR_REPLAY,      /* inbound: duplicate or older than the window */
	AH_ERR_ICV,         /* inbound: ICV did not verify */
	AH_ERR_CRYPTO,      /* the device failed the op for another reason */
};

/* Per-op scratch, at SA_IV_OFFSET in each crypto op. */
struct ah_cop_priv {
	uint8_t nonce[16];            /* GMAC: salt || IV (12 bytes used) */
	uint8_t icv[AH_MAX_ICV];      /* digest the device writes or verifies */
	uint64_t sqn;                 /* full sequence number of the packet */
	uint8_t hdr_len;              /* bytes saved in hdr[] */
	uint8_t ah_len;               /* AH bytes including IV, ICV and padding */
	uint8_t hdr[AH_HDR_SAVE_MAX]; /* IP header before mutable fields were zeroed */
};

#define AH_COP_PRIV_SIZE sizeof(struct ah_cop_priv)

struct ah_sa;

/*
 * Make the AH SA for cfg (proto ah, cipher null) with its crypto session on
 * device dev_id.  Returns NULL with a message in err.
 */
struct ah_sa *ah_sa_create(const struct cfg_sa *cfg, uint8_t dev_id,
			   struct rte_mempool *sess_pool, bool sqn_atomic,
			   char err[SAD_ERR_MAX]);
/* The SA's crypto session, for the caller's opaque data (op grouping). */
void *ah_sa_session(const struct ah_sa *sa);
/* Frees the session and wipes the keys; NULL is fine. */
void ah_sa_free(struct ah_sa *sa);
/* Worst-case bytes outbound adds (MTU check). */
uint16_t ah_sa_overhead(const struct ah_sa *sa);

uint16_t ah_outb_prepare(struct ah_sa *sa, struct rte_mbuf *mb[],
			 struct rte_crypto_op *cop[], uint16_t n, enum ah_err err[]);
uint16_t ah_outb_process(struct ah_sa *sa, struct rte_mbuf *mb[],
			 struct rte_crypto_op *cop[], uint16_t n, enum ah_err err[]);
uint16_t ah_inb_prepare(struct ah_sa *sa, struct rte_mbuf *mb[],
			struct rte_crypto_op *cop[], uint16_t n, enum ah_err err[]);
uint16_t ah_inb_process(struct ah_sa *sa, struct rte_mbuf *mb[],
			struct rte_crypto_op *cop[], uint16_t n, enum ah_err err[]);

#endif
