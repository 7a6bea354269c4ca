/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv2 message builder over a caller buffer.
 *
 * ike_build_init() writes the IKE header; each ike_build_*() call appends one payload,
 * links it into the chain (the previous payload's next-payload field) and keeps the IKE
 * header length current.  Payload fields are given in the structs the decoder fills
 * (ike_msg.h), and the builder refuses what the decoder would refuse, so every message it
 * completes decodes.  The first failure (no room, a bad field, misuse) is sticky: later calls
 * do nothing and return it, and ike_build_finish() reports it, so a caller may check once.
 *
 * Encrypted payloads: ike_build_sk_begin() (or ike_build_skf_begin()) opens SK and reserves
 * the IV; the following payloads form the inner chain; ike_build_sk_end() pads the plaintext
 * to the cipher's block size, reserves the ICV and tells the crypto layer where IV,
 * plaintext and ICV lie.  Nothing may follow SK (RFC 7296 3.14).  The AEAD associated data
 * (RFC 5282 5.1) is [0, iv_off).
 *
 * ike_build_init_chain() builds a bare payload chain (no IKE header) e.g. the plaintext to
 * split into SKF fragments; its first payload type is in first_np afterwards.
 *
 * Concurrency: none; a builder belongs to one thread.
 */
#ifndef SECGW_IKE_MSG_BUILD_H
#define SECGW_IKE_MSG_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_msg.h"

struct ike_build {
	uint8_t *buf;
	size_t cap;
	size_t len;
	size_t np_off;      /* next-payload byte the next payload's type goes to */
	size_t sk_off;      /* open SK/SKF payload */
	size_t sk_iv_off;   /* its IV */
	size_t sk_iv_len;
	uint8_t first_np;   /* chain mode: type of the first payload */
	bool has_hdr;
	bool sk_open;
	bool sealed;        /* SK closed: nothing may follow */
	enum ike_msg_err err;
};

/* Where ike_build_sk_end() put things; offsets from the start of the buffer. */
struct ike_sk_layout {
	size_t iv_off, iv_len;
	size_t plain_off, plain_len; /* inner payloads | padding | pad length octet */
	size_t icv_off, icv_len;
};

/* Start a message with header h (its next_payload and length are ignored: the builder keeps
 * them; the version written is always 2.0). */
void ike_build_init(struct ike_build *b, uint8_t *buf, size_t cap, const struct ike_hdr *h);
/* Start a bare payload chain. */
void ike_build_init_chain(struct ike_build *b, uint8_t *buf, size_t cap);

/* SA: proposals p[0..n-1], whose transforms index xf. */
enum ike_msg_err ike_build_sa(struct ike_build *b, const struct ike_proposal *p, size_t n,
			      const struct ike_transform *xf);
enum ike_msg_err ike_build_ke(struct ike_build *b, const struct ike_ke *ke);
/* pld_type: IKE_PLD_IDI or IKE_PLD_IDR. */
enum ike_msg_err ike_build_id(struct ike_build *b, uint8_t pld_type, const struct ike_id *id);
/* pld_type: IKE_PLD_CERT or IKE_PLD_CERTREQ. */
enum ike_msg_err ike_build_cert(struct ike_build *b, uint8_t pld_type,
				const struct ike_cert *cert);
enum ike_msg_err ike_build_auth(struct ike_build *b, const struct ike_auth *auth);
enum ike_msg_err ike_build_nonce(struct ike_build *b, struct ike_view nonce);
enum ike_msg_err ike_build_notify(struct ike_build *b, const struct ike_notify *n);
enum ike_msg_err ike_build_delete(struct ike_build *b, const struct ike_delete *del);
enum ike_msg_err ike_build_vendor(struct ike_build *b, struct ike_view vid);
/* pld_type: IKE_PLD_TSI or IKE_PLD_TSR; ts[0..n-1], 1 <= n <= 255. */
enum ike_msg_err ike_build_ts(struct ike_build *b, uint8_t pld_type, const struct ike_ts *ts,
			      size_t n);
enum ike_msg_err ike_build_cp(struct ike_build *b, uint8_t cfg_type,
			      const struct ike_cp_attr *attr, size_t n);
enum ike_msg_err ike_build_eap(struct ike_build *b, struct ike_view eap);

/* Append a copy of payload p of decoded message m (anything but SK/SKF), e.g. to echo a
 * COOKIE notify; the transforms, selectors and attributes come from m's tables. */
enum ike_msg_err ike_build_copy(struct ike_build *b, const struct ike_msg *m,
				const struct ike_pld *p);

/* Open SK with iv_len zero octets reserved for the IV. */
enum ike_msg_err ike_build_sk_begin(struct ike_build *b, size_t iv_len);
/* Open SKF fragment frag_num of frag_total (RFC 7383); fill it with ike_build_sk_raw(). */
enum ike_msg_err ike_build_skf_begin(struct ike_build *b, uint16_t frag_num,
				     uint16_t frag_total, size_t iv_len);
/* Append already encoded inner bytes (a chain from ike_build_init_chain(), or a fragment
 * of one) to the open SK/SKF; first_np becomes the SK's next payload unless an inner payload
 * already set it (RFC 7383 2.5: only the first fragment names it, the others carry 0). */
enum ike_msg_err ike_build_sk_raw(struct ike_build *b, uint8_t first_np, struct ike_view data);
/* Close SK: pad the plaintext to a multiple of block_len (>= 1) including the pad length
 * octet, reserve icv_len octets, fix lengths and fill *out. */
enum ike_msg_err ike_build_sk_end(struct ike_build *b, size_t block_len, size_t icv_len,
				  struct ike_sk_layout *out);

/* Total length in *len; the sticky error, or BAD_STATE while an SK is open. */
enum ike_msg_err ike_build_finish(struct ike_build *b, size_t *len);

#endif
