/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKE fragmentation (RFC 7383), internal to the IKE SA state machine.
 *
 * Negotiated in IKE_SA_INIT with IKEV2_FRAGMENTATION_SUPPORTED; from then on
 * a protected message of ours that would not fit cfg.fragment_size goes out
 * as Encrypted Fragment (SKF) payloads, each sealed on its own (§2.5).  The
 * first fragment takes the place of the whole message in the core's
 * request/response store (ike_sa.c), the others wait in sa->frag, and every
 * (re)transmission of it queues them for ike_sa_next_out().
 *
 * Received fragments of the one message ID the core accepts are checked
 * (ICV) one by one, collected, and once all are in decoded as one inner
 * chain.  Bounds: IKE_FRAG_MAX fragments, IKE_MSG_BUF_MAX reassembled bytes,
 * IKE_FRAG_REASM_MS to collect them.
 *
 * State lives in sa->frag, allocated when the peer announced support.
 */
#ifndef SECGW_IKE_SA_FRAG_H
#define SECGW_IKE_SA_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_sa.h"

struct ike_build;
struct ike_pld;

#define IKE_FRAG_MAX 32          /* fragments of one message, either way */
#define IKE_FRAG_REASM_MS 30000u /* an unfinished reassembly is dropped after this */

/* IKE_SA_INIT: add our IKEV2_FRAGMENTATION_SUPPORTED (initiator: when
 * configured; responder: when the initiator's request had it). */
void ike_frag_offer(struct ike_sa *sa, struct ike_build *b);
/* IKE_SA_INIT: the peer's message in sa->m announces support. */
void ike_frag_learn(struct ike_sa *sa);

/* Whether chain_len bytes of inner payloads need fragments. */
bool ike_frag_needed(struct ike_sa *sa, size_t chain_len);
/* Seal inner[0..len) as fragments of message h and send them like
 * ike_sa_send_request()/ike_sa_send_response(): the first into out. */
int ike_frag_send(struct ike_sa *sa, const uint8_t *inner, size_t len, uint8_t first_np,
		  uint8_t exch, bool response, uint32_t msg_id, uint64_t now,
		  struct ike_dgram *out);
/* The core stores a new request/response: forget the fragments of the old one. */
void ike_frag_forget(struct ike_sa *sa, bool response);
/* The core (re)sent the stored request/response: queue the other fragments. */
void ike_frag_replay(struct ike_sa *sa, bool response);

/* sa->m holds a message from msg[0..len) with payload skf: check and keep the
 * fragment.  0 when it completed the message (decoded into sa->m as
 * ike_sa_open() does), 1 when kept waiting for the rest, -1 when dropped. */
int ike_frag_open(struct ike_sa *sa, const uint8_t *msg, size_t len, const struct ike_pld *skf);

void ike_frag_free(struct ike_sa *sa);
/* The fragmentation fields of out (ike_sa_query()). */
void ike_frag_query(const struct ike_sa *sa, struct ike_sa_info *out);

#endif
