/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv2 SA state machine (RFC 7296): IKE_SA_INIT and IKE_AUTH with a pre-shared
 * key or certificates (ike_cert.h) and the first Child SA (ESP, tunnel mode), as
 * initiator or responder.
 *
 * Transport-free: the caller hands in received IKE messages (after any non-ESP
 * marker) with their addresses and the time, and gets back a datagram to send
 * (struct ike_dgram, the UDP payload with the marker already in front when it
 * goes to port 4500; a message sent as IKE fragments, RFC 7383, has further
 * datagrams to drain with ike_sa_next_out()) and, once ESTABLISHED, a Child SA record
 * with keys for the data plane.  Time is a caller-supplied millisecond clock;
 * randomness comes from env->rand (OpenSSL's RAND_bytes when NULL), so tests
 * can make two SAs deterministic.
 *
 * Window size 1 in both directions (RFC 7296 §2.3): one outstanding request,
 * retransmitted with exponential back-off by ike_sa_timer(); a retransmitted
 * request from the peer is answered with the cached response, never processed
 * twice.
 *
 * Every datagram that is not acted on is counted by reason (IKE_SA_DROPS);
 * nothing here logs keys.
 *
 * Concurrency: none; an SA belongs to one thread.
 */
#ifndef SECGW_IKE_SA_H
#define SECGW_IKE_SA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_crypto.h"

struct ike_cred;

#define IKE_CFG_MAX_PROPS 8
#define IKE_ID_MAX 255
#define IKE_PSK_MAX 256
#define IKE_DGRAM_MAX 4096
#define IKE_SA_NAME_MAX 32

/* One proposal as configured: a single transform of each type.
 * ESP: prf is 0; dh is the PFS group of CREATE_CHILD_SA (0 none), never used
 * for the first Child SA, which IKE_AUTH makes without DH (§1.2). */
struct ike_prop {
	uint16_t encr, encr_key_bits, prf, integ, dh;
};

struct ike_idv {
	uint8_t type; /* IKE_ID_*: IPv4, IPv6, FQDN, RFC822, DER_ASN1_DN */
	uint8_t len;
	uint8_t data[IKE_ID_MAX];
};

#define IKE_CHILDREN_MAX 8 /* Child SAs per IKE SA */

/* An IPv4 traffic selector; addresses in host order, proto 0 = any. */
struct ike_tsv {
	uint8_t proto;
	uint16_t port_lo, port_hi;
	uint32_t start, end;
};

/* What one connection allows; addresses in network byte order. */
struct ike_sa_cfg {
	char name[IKE_SA_NAME_MAX];
	uint32_t local_ip, remote_ip;
	struct ike_idv local_id, remote_id;
	uint8_t psk[IKE_PSK_MAX];
	size_t psk_len;
	/* Certificates and keys (ike_cert.h), shared and outliving the SA: when set,
	 * we authenticate with signatures and the peer must too, else with psk. */
	const struct ike_cred *cred;
	struct ike_prop ike[IKE_CFG_MAX_PROPS];
	size_t n_ike;
	struct ike_prop esp[IKE_CFG_MAX_PROPS];
	size_t n_esp;
	struct ike_tsv local_ts, remote_ts;
	/* Further Child SAs of the connection (ike_sa_children.c): their
	 * selectors, after the first's in local_ts/remote_ts. */
	struct ike_tsv more_local[IKE_CHILDREN_MAX - 1], more_remote[IKE_CHILDREN_MAX - 1];
	size_t n_more;
	uint32_t dpd_delay_s; /* liveness check after this idle time, 0 = off (ike_sa_dpd.c) */
	uint32_t keepalive_s; /* NAT keepalive interval when behind a NAT, 0 = off */
	/* RFC 7383: offer IKE fragmentation; when the peer does too, protected
	 * messages whose IP datagram would exceed fragment_size octets (IPv4 +
	 * UDP headers and any non-ESP marker included, like strongSwan's
	 * charon.fragment_size; 0 = IKE_FRAG_SIZE_DEFAULT) go as fragments. */
	bool fragmentation;
	uint16_t fragment_size;
	uint32_t retx_base_ms; /* first retransmission timeout, 0 = IKE_RETX_BASE_MS */
	uint32_t retx_tries;   /* retransmissions before giving up; with retx_base_ms 0:
				* IKE_RETX_TRIES */
};
#define IKE_FRAG_SIZE_DEFAULT 1280 /* RFC 7383 §2.5.1: the IPv6 minimum MTU */
#define IKE_FRAG_SIZE_MIN 256       /* leaves ~150 octets of payload per fragment */

/* A negotiated Child SA, as the data plane needs it.  Keys: the encryption key
 * material includes the 4-byte salt for AEAD (RFC 4106 §8.1). */
struct ike_child_sa {
	uint32_t spi_in, spi_out; /* host order; spi_in is the one we chose */
	uint16_t encr, encr_key_bits, integ;
	uint16_t dh;              /* PFS group its keys came with, 0 none */
	struct ike_key encr_in, integ_in, encr_out, integ_out;
	struct ike_tsv ts_local, ts_remote;
	bool udp_encap;           /* ESP in UDP (RFC 3948): NAT detected */
	uint32_t local_ip, remote_ip; /* network order */
	uint16_t local_port, remote_port;
};

struct ike_dgram {
	uint32_t remote_ip; /* network order */
	uint16_t local_port, remote_port;
	size_t len;
	uint8_t buf[IKE_DGRAM_MAX];
};

enum ike_role { IKE_ROLE_INITIATOR, IKE_ROLE_RESPONDER };

#define IKE_SA_STATES(X)                                                                   \
	X(IDLE, "idle")                                                                    \
	X(INIT_SENT, "init_sent")     /* initiator: IKE_SA_INIT request out */             \
	X(AUTH_SENT, "auth_sent")     /* initiator: IKE_AUTH request out */                \
	X(INIT_DONE, "init_done")     /* responder: IKE_SA_INIT answered */                \
	X(ESTABLISHED, "established")                                                      \
	X(DEAD, "dead")               /* failed or deleted: the caller frees it */

enum ike_sa_state {
#define IKE_SA_STATE_ENUM(id, name) IKE_SA_##id,
	IKE_SA_STATES(IKE_SA_STATE_ENUM)
#undef IKE_SA_STATE_ENUM
};

/* Why a datagram was dropped or an exchange failed: one counter each. */
#define IKE_SA_DROPS(X)                                                                    \
	X(MALFORMED, "malformed")               /* the codec refused it */                 \
	X(CRITICAL, "unsupported_critical_payload") /* answered with the notify (§2.5) */ \
	X(WRONG_SPI, "wrong_spi")                                                          \
	X(WRONG_FLAGS, "wrong_flags")           /* I/R bits do not fit our roles */         \
	X(UNEXPECTED, "unexpected_exchange")    /* exchange not valid in this state */     \
	X(OLD_MSG_ID, "old_message_id")                                                    \
	X(FUTURE_MSG_ID, "future_message_id")                                              \
	X(RETRANSMIT_ANSWERED, "retransmit_answered") /* duplicate request, cached reply */ \
	X(ICV, "icv_failed")                                                               \
	X(FRAGMENT, "fragment_unsupported")     /* SKF while not negotiated */          \
	X(FRAG_DUP, "fragment_duplicate")                                                  \
	X(FRAG_BAD, "fragment_bad")             /* too many, too big, inconsistent */     \
	X(MISSING_PAYLOAD, "missing_payload")                                              \
	X(NO_PROPOSAL, "no_proposal_chosen")                                               \
	X(INVALID_KE, "invalid_ke_payload")                                                \
	X(BAD_KE, "bad_ke")                     /* peer public value rejected */           \
	X(AUTH_FAILED, "authentication_failed")                                            \
	X(TS_UNACCEPTABLE, "ts_unacceptable")                                              \
	X(PEER_ERROR, "peer_error_notify")                                                 \
	X(CHILD_NOT_FOUND, "child_sa_not_found") /* REKEY_SA names no SA of ours */    \
	X(REKEY_COLLISION, "rekey_collision")   /* TEMPORARY_FAILURE sent or received */ \
	X(TIMEOUT, "timeout")                                                              \
	X(INTERNAL, "internal")

enum ike_sa_drop {
#define IKE_SA_DROP_ENUM(id, name) IKE_SA_DROP_##id,
	IKE_SA_DROPS(IKE_SA_DROP_ENUM)
#undef IKE_SA_DROP_ENUM
	IKE_SA_DROP_COUNT
};

const char *ike_sa_state_name(enum ike_sa_state s);
const char *ike_sa_drop_name(enum ike_sa_drop d);

/* Logging hook: level 0 error, 1 info, 2 debug.  Messages never hold keys. */
struct ike_env {
	int (*rand)(void *ctx, uint8_t *buf, size_t len); /* 0 on success */
	void (*log)(void *ctx, int level, const char *msg);
	void *ctx;
};

struct ike_sa;

/* cfg is copied.  Returns 0 or a negative IKE_CRYPTO_* error. */
int ike_sa_new(const struct ike_sa_cfg *cfg, enum ike_role role, const struct ike_env *env,
	       struct ike_sa **out);
/* Wipes every key and nonce. */
void ike_sa_free(struct ike_sa *sa);

/* Initiator: the first IKE_SA_INIT request.  Returns 1 (out filled) or < 0. */
int ike_sa_start(struct ike_sa *sa, uint64_t now_ms, struct ike_dgram *out);

/*
 * One received IKE message msg[0..len) (no non-ESP marker) from src_ip:src_port
 * to local port dst_port (addresses in network order).  Returns 1 when out
 * holds a datagram to send, 0 when there is nothing to send, or -1 when the
 * message was dropped (the reason is counted in ike_sa_drops()).
 */
int ike_sa_input(struct ike_sa *sa, const uint8_t *msg, size_t len, uint32_t src_ip,
		 uint16_t src_port, uint16_t dst_port, uint64_t now_ms, struct ike_dgram *out);

/* After any call that returned 1: the further datagrams of that message
 * (IKE fragments, RFC 7383), one per call while it returns 1. */
int ike_sa_next_out(struct ike_sa *sa, struct ike_dgram *out);

/* Retransmission: returns 1 when out holds a retransmitted request, 0 when
 * nothing is due; after the last try the SA goes DEAD (counted as timeout). */
int ike_sa_timer(struct ike_sa *sa, uint64_t now_ms, struct ike_dgram *out);
/* When ike_sa_timer() next has work, UINT64_MAX if never. */
uint64_t ike_sa_next_timer(const struct ike_sa *sa);

/*
 * Delete an ESTABLISHED IKE SA and with it its Child SA (§1.4.1): an
 * INFORMATIONAL request with Delete; the SA goes DEAD when the answer comes or
 * the retransmissions run out.  Returns 1 (out filled), or -1 when the SA is
 * not established or a request of ours is still outstanding.
 */
int ike_sa_delete(struct ike_sa *sa, uint64_t now_ms, struct ike_dgram *out);

/*
 * Rekey the Child SA (CREATE_CHILD_SA with REKEY_SA, §1.3.3), make before
 * break: once answered, ike_sa_child() is the new Child SA and
 * ike_sa_old_child() the old one, which stays (so its inbound half keeps
 * accepting) until our Delete of it is answered.  Returns 1 (out filled), or
 * -1 when there is no Child SA, a switch is unfinished or a request of ours is
 * outstanding (try again later).
 */
int ike_sa_rekey_child(struct ike_sa *sa, uint64_t now_ms, struct ike_dgram *out);
/*
 * A new Child SA on an IKE SA that has none (the peer deleted it, or it
 * expired): CREATE_CHILD_SA without REKEY_SA for the configured selectors
 * (§1.3.1); once answered, ike_sa_child() is the new one.  Returns 1 (out
 * filled), or -1 when the IKE SA has a Child SA or a request outstanding.
 */
int ike_sa_create_child(struct ike_sa *sa, uint64_t now_ms, struct ike_dgram *out);
/* The Child SA being replaced while a rekey (ours or the peer's) finishes, else NULL. */
const struct ike_child_sa *ike_sa_old_child(const struct ike_sa *sa);
/* Whether the switch to ike_sa_child() is our rekey (true) or the peer's. */
bool ike_sa_rekey_ours(const struct ike_sa *sa);
/* Completed Child SA rekeys, by either side. */
uint64_t ike_sa_child_rekeys(const struct ike_sa *sa);

/*
 * Several Child SAs per IKE SA (§1.3.1, ike_sa_children.c): Child SA i of
 * IKE_CHILDREN_MAX, 0 being the one above (IKE_AUTH's).  The others come from
 * the peer's CREATE_CHILD_SA without REKEY_SA whose selectors narrow into one
 * of the connection's (cfg.more_*; at most one Child SA per configured pair),
 * or from ike_sa_next_child().  Each rekeys on its own like the first.
 */
const struct ike_child_sa *ike_sa_child_n(const struct ike_sa *sa, size_t i);
const struct ike_child_sa *ike_sa_old_child_n(const struct ike_sa *sa, size_t i);
bool ike_sa_rekey_ours_n(const struct ike_sa *sa, size_t i);
/* ike_sa_rekey_child() of Child SA i. */
int ike_sa_rekey_child_n(struct ike_sa *sa, size_t i, uint64_t now_ms, struct ike_dgram *out);
/* Initiator of the further configured Child SAs: CREATE_CHILD_SA for the next
 * pair of cfg.more_* this IKE SA has not tried yet (one try each).  Returns 1
 * (out filled), 0 when none is left, -1 when the SA is busy (later). */
int ike_sa_next_child(struct ike_sa *sa, uint64_t now_ms, struct ike_dgram *out);

/*
 * Rekey the IKE SA (CREATE_CHILD_SA with an IKE proposal, §1.3.2, §2.18).
 * Once answered a new IKE SA (new SPIs, keys from SK_d and a fresh DH,
 * message IDs from 0) holds the Child SA, and out is our Delete of this one.
 * The new SA is handed over by ike_sa_take_successor().  Returns 1 (out
 * filled), or -1 when not ESTABLISHED, a request of ours is out or a Child SA
 * switch is unfinished (try again later).
 */
int ike_sa_rekey_ike(struct ike_sa *sa, uint64_t now_ms, struct ike_dgram *out);
/*
 * A new IKE SA made by a rekey of sa (either side's; after a collision also
 * the redundant one, which deletes itself), now the caller's to feed and
 * free; NULL when none is waiting.  The Child SA moves to the survivor without
 * changing: the data plane keeps it.  sa itself only waits for its Delete.
 */
struct ike_sa *ike_sa_take_successor(struct ike_sa *sa);
/* Whether sa was replaced by a rekey (it lives on only until deleted). */
bool ike_sa_rekeyed(const struct ike_sa *sa);
/* Whether sa is the redundant IKE SA of a rekey collision the peer made and
 * should delete (§2.8.2); a peer that missed the collision never does, so the
 * caller drops it (ike_sa_abort) when no Delete came after a while. */
bool ike_sa_redundant(const struct ike_sa *sa);

enum ike_sa_state ike_sa_state(const struct ike_sa *sa);
enum ike_role ike_sa_role(const struct ike_sa *sa);
uint64_t ike_sa_spi_i(const struct ike_sa *sa);
uint64_t ike_sa_spi_r(const struct ike_sa *sa);
const struct ike_sa_cfg *ike_sa_cfg(const struct ike_sa *sa);
/* The Child SA once ESTABLISHED with one, else NULL. */
const struct ike_child_sa *ike_sa_child(const struct ike_sa *sa);
/* Per-reason drop counters (IKE_SA_DROP_COUNT entries). */
const uint64_t *ike_sa_drops(const struct ike_sa *sa);
/* The negotiated IKE suite (valid after IKE_SA_INIT). */
const struct ike_suite *ike_sa_suite(const struct ike_sa *sa);

/* ---- queries and dead peer detection (ike_sa_query.c, ike_sa_dpd.c) ---- */

struct ike_sa_info {
	uint32_t local_ip, remote_ip; /* network order */
	uint16_t local_port, remote_port;
	bool nat_local, nat_remote;   /* NAT in front of us / of the peer */
	uint32_t req_next, peer_next; /* message IDs: our next request, the peer's next */
	bool req_pending;
	unsigned retx_n;              /* retransmissions of the pending request */
	uint64_t last_rx_ms;          /* when the peer was last heard, 0 never */
	uint64_t dpd_sent;            /* liveness checks sent */
	bool frag;                    /* fragmentation negotiated (RFC 7383) */
	uint64_t frag_sent, frag_rcvd, frag_reasm; /* fragments out, in; messages reassembled */
};
void ike_sa_query(const struct ike_sa *sa, struct ike_sa_info *out);
/* Give up on the SA without telling the peer (one not established, or with a
 * request outstanding, that the operator terminates): it goes DEAD. */
void ike_sa_abort(struct ike_sa *sa);

/* DPD, called by ike_sa_timer(): when the SA is ESTABLISHED, idle (no request
 * of ours outstanding) and nothing came from the peer for cfg.dpd_delay_s, an
 * empty INFORMATIONAL request goes out on the usual retransmission schedule;
 * if that runs out the peer is dead and the SA goes DEAD.  Returns 1 with out
 * filled, else 0. */
int ike_sa_dpd_timer(struct ike_sa *sa, uint64_t now_ms, struct ike_dgram *out);
/* When ike_sa_dpd_timer() next has work, UINT64_MAX if never. */
uint64_t ike_sa_dpd_next(const struct ike_sa *sa);
/* True when the pending request is a liveness check (for the timeout log). */
bool ike_sa_dpd_pending(const struct ike_sa *sa);

/* A responder's SA that saw no IKE_AUTH this long after the initiator's last
 * message goes DEAD (ike_sa_dpd.c). */
#define IKE_HALF_OPEN_MS 30000u

/* Default retransmission schedule (cfg.retx_*): first timeout, doubled each
 * try, this many tries. */
#define IKE_RETX_BASE_MS 1000u
#define IKE_RETX_TRIES 5u

#endif
