/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to the IKE SA state machine: the SA object and what the exchange
 * files (ike_sa_init.c, ike_sa_auth.c, ike_sa_info.c) share with the core
 * (ike_sa.c: message IDs, retransmission, state changes).
 */
#ifndef SECGW_IKE_SA_INT_H
#define SECGW_IKE_SA_INT_H

#include "ike_msg.h"
#include "ike_sa.h"

#define IKE_NONCE_LEN 32
#define IKE_COOKIE_MAX 64   /* §2.6: 1..64 octets */
#define IKE_COOKIE_TRIES 3  /* a responder that keeps asking is not answered forever */
#define IKE_MSG_BUF_MAX IKE_DGRAM_MAX
#define IKE_DH_SECRET_MAX 512 /* MODP 4096 */

/* A stored message: our last request (for retransmission) or our last response
 * (for the peer's retransmissions), without the non-ESP marker. */
struct ike_stored {
	size_t len;
	uint8_t buf[IKE_MSG_BUF_MAX];
};

/* A Child SA beyond the first with its rekey state (ike_sa_children.c): it
 * trades places with the first's fields (and the connection's selectors)
 * while an exchange works on it, so the single-Child code serves all. */
struct ike_child_slot {
	struct ike_child_sa child, old_child;
	uint32_t child_spi_in;
	bool has_child, has_old, old_by_us, deleting_old;
	uint8_t cfg_k; /* its selectors: 0 local_ts/remote_ts, k more_*[k - 1] */
	struct ike_tsv local_ts, remote_ts;
};

struct ike_sa {
	struct ike_sa_cfg cfg;
	struct ike_env env;
	enum ike_role role;
	enum ike_sa_state state;
	uint64_t spi_i, spi_r;

	/* addressing: the ports float to 4500 (RFC 7296 §2.23) */
	uint32_t remote_ip;
	uint16_t local_port, remote_port;
	bool nat_local, nat_remote; /* a NAT in front of us / of the peer */

	/* IKE_SA_INIT results */
	struct ike_suite suite;
	struct ike_dh *dh;
	uint16_t ke_group;      /* group of our KE payload */
	bool ke_retried;        /* one INVALID_KE_PAYLOAD round trip allowed */
	uint8_t cookie[IKE_COOKIE_MAX]; /* the responder's COOKIE to echo (§2.6) */
	size_t cookie_len;
	unsigned cookie_tries;
	uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];
	size_t ni_len, nr_len;
	struct ike_sa_keys keys;
	unsigned peer_hashes;   /* RFC 7427 hashes the peer announced (IKE_HASH_BIT) */
	/* RealMessage1 / RealMessage2 for AUTH (§2.15) */
	struct ike_stored init_req, init_resp;

	/* message IDs, window 1 */
	uint32_t req_next;       /* our next request's ID */
	bool req_pending;        /* our request awaits its response */
	uint32_t req_id;         /* ... with this ID */
	struct ike_stored req;   /* ... in these bytes */
	uint64_t retx_at;        /* when to resend it */
	unsigned retx_n;
	uint32_t peer_next;      /* the peer's next request ID we accept */
	bool resp_valid;         /* resp holds our response to peer_next - 1 */
	struct ike_stored resp;
	uint8_t resp_to[32];     /* SHA-256 of the request resp answers */
	uint8_t cur_req[32];     /* ... of the request being processed */
	uint64_t last_rx;        /* when a message from the peer was last accepted */

	/* dead peer detection (ike_sa_dpd.c) */
	bool dpd_out;            /* a liveness check was sent as request dpd_id */
	uint32_t dpd_id;
	uint64_t dpd_sent;

	/* the Child SA */
	uint32_t child_spi_in;
	struct ike_child_sa child;
	bool has_child;
	bool deleting;      /* our Delete of the IKE SA is out */

	/* Child SA rekeying (CREATE_CHILD_SA, §1.3.3, §2.8): during the switch the
	 * replaced Child SA lives on in old_child until its Delete is answered. */
	struct ike_child_sa old_child;
	bool has_old;
	bool old_by_us;          /* we rekeyed: the old one is ours to delete */
	bool rekeying;           /* our CREATE_CHILD_SA request is out */
	bool deleting_old;       /* our Delete of old_child is out */
	uint32_t rekey_spi_in;   /* the inbound SPI our request offered */
	uint64_t rekeys;         /* completed rekeys, either side */
	struct ike_child_slot slots[IKE_CHILDREN_MAX - 1];
	uint8_t cur_slot;        /* the Child SA in the fields above: 0 its own, i slots[i - 1] */
	uint8_t req_slot;        /* ... when our outstanding request was sent */
	uint32_t more_tried;     /* bit k: ike_sa_next_child() asked for more_*[k - 1] */

	struct ike_frag *frag;   /* RFC 7383, once negotiated (ike_sa_frag.c) */
	uint64_t now;            /* of the ike_sa_input() call being handled */
	/* PFS (ike_sa_pfs.c): g^ir of the CREATE_CHILD_SA being completed, used
	 * once by ike_child_derive(); sa->dh is the pair of our request. */
	uint8_t gir[IKE_DH_SECRET_MAX];
	size_t gir_len;
	bool child_ke_retried;   /* one INVALID_KE_PAYLOAD round trip per rekey */

	/* §2.8 collisions (ike_sa_collision.c): the peer's rekey of what we are
	 * rekeying, answered while ours is out; held until ours is answered. */
	struct ike_child_sa coll_child;
	bool has_coll;
	/* ... and once we won, the peer's redundant one, kept only to answer its
	 * Delete (a peer that missed the collision never sends one: no harm). */
	struct ike_child_sa red_child;
	bool has_red;
	uint8_t coll_ni[IKE_NONCE_MAX], coll_nr[IKE_NONCE_MAX];
	size_t coll_ni_len, coll_nr_len;

	/* IKE SA rekeying (ike_sa_rekey_ike.c, §1.3.2, §2.18) */
	bool ike_rekeying;       /* our CREATE_CHILD_SA for the IKE SA is out */
	bool ike_ke_retried;
	bool ike_rekeyed;        /* replaced: only the Delete of this SA is left */
	bool from_rekey;         /* created by a rekey: born ESTABLISHED */
	bool redundant;          /* the peer's losing SA of a collision: it deletes it */
	uint64_t ike_rekey_spi;  /* the SPI our request offered */
	struct ike_sa *coll_ike; /* the peer's new IKE SA from a colliding rekey */
	struct ike_sa *succ[2];  /* new IKE SAs the caller has not taken yet */
	size_t n_succ;

	uint64_t drops[IKE_SA_DROP_COUNT];
	struct ike_msg m;   /* decode scratch */
	uint8_t plain[IKE_MSG_BUF_MAX];  /* decrypted SK body, m's inner views point here */
};

/* ---- core (ike_sa.c) ---- */

/* The one place states change; logs "old -> new" with the SPIs. */
void ike_sa_set_state(struct ike_sa *sa, enum ike_sa_state to);
void ike_sa_log(struct ike_sa *sa, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Count a drop and return -1 (so callers can `return ike_sa_drop(...)`). */
int ike_sa_drop(struct ike_sa *sa, enum ike_sa_drop why);
int ike_sa_random(struct ike_sa *sa, uint8_t *buf, size_t len);
/* Fill out with msg for the current addresses (port 4500: with the marker). */
int ike_sa_emit(const struct ike_sa *sa, const uint8_t *msg, size_t len, struct ike_dgram *out);
/* Queue msg[0..len) as our request (cfg.retx_* schedule) and put it in out. */
int ike_sa_send_request(struct ike_sa *sa, const uint8_t *msg, size_t len, uint64_t now,
			struct ike_dgram *out);
/* Cache msg[0..len) as our response to the peer's current request and put it in out. */
int ike_sa_send_response(struct ike_sa *sa, const uint8_t *msg, size_t len,
			 struct ike_dgram *out);
/* IKE header of our next message. */
void ike_sa_hdr(const struct ike_sa *sa, uint8_t exchange, bool response, uint32_t msg_id,
		struct ike_hdr *h);

/* ---- SK envelope (ike_sa_sk.c) ---- */

/* Seal the chain b (built with ike_build_init_chain) in a message of ours and
 * send it as a request (retransmitted) or as the response to the current request. */
struct ike_build;
int ike_sa_send_sealed(struct ike_sa *sa, struct ike_build *b, uint8_t exch, bool response,
		       uint32_t msg_id, uint64_t now, struct ike_dgram *out);
/* Build header h + SK{inner chain} into out (cap bytes), protected with our keys;
 * frag_total > 0: SKF fragment frag_num of frag_total instead (RFC 7383 §2.5). */
int ike_sa_seal(struct ike_sa *sa, const struct ike_hdr *h, const uint8_t *inner,
		size_t inner_len, uint8_t first_np, uint16_t frag_num, uint16_t frag_total,
		uint8_t *out, size_t cap, size_t *len);
/* sa->m holds a decoded message from msg[0..len) whose payload is SK: check and
 * decrypt it with the peer's keys and decode the inner chain into sa->m.  An
 * SKF fragment goes to ike_frag_open(): 1 while the message is incomplete. */
int ike_sa_open(struct ike_sa *sa, const uint8_t *msg, size_t len);
/* Decode sa->plain[0..plain_len), an authenticated inner chain, into sa->m: 0,
 * -1 (malformed, counted) or IKE_SA_OPEN_CRITICAL: a payload type we do not
 * know marked critical (counted), which a request is answered for (§2.5). */
#define IKE_SA_OPEN_CRITICAL (-2)
int ike_sa_decode_inner(struct ike_sa *sa, size_t plain_len, uint8_t first_np);

/* ---- exchanges ---- */

int ike_init_start(struct ike_sa *sa, uint64_t now, struct ike_dgram *out);
/* A one-notify answer to an IKE_SA_INIT request we refuse, counted as why; the
 * SA keeps no state and goes DEAD. */
int ike_init_refuse(struct ike_sa *sa, uint16_t type, const uint8_t *data, size_t data_len,
		    enum ike_sa_drop why, struct ike_dgram *out);
int ike_init_request(struct ike_sa *sa, const uint8_t *msg, size_t len, uint32_t src_ip,
		     uint16_t src_port, uint16_t dst_port, struct ike_dgram *out);
int ike_init_response(struct ike_sa *sa, const uint8_t *msg, size_t len, uint32_t src_ip,
		      uint16_t src_port, uint16_t dst_port, uint64_t now, struct ike_dgram *out);
int ike_auth_start(struct ike_sa *sa, uint64_t now, struct ike_dgram *out);
int ike_auth_request(struct ike_sa *sa, struct ike_dgram *out);
int ike_auth_response(struct ike_sa *sa);
int ike_info_request(struct ike_sa *sa, struct ike_dgram *out);
int ike_info_response(struct ike_sa *sa);

/* ---- certificate authentication (ike_sa_cert.c), with cfg.cred only ---- */

/* IKE_SA_INIT: our SIGNATURE_HASH_ALGORITHMS notify and, in a response, CERTREQ;
 * a response first notes the hashes of the request in sa->m. */
void ike_sa_cert_init_plds(struct ike_sa *sa, struct ike_build *b, bool response);
/* The peer's SIGNATURE_HASH_ALGORITHMS in sa->m into sa->peer_hashes. */
void ike_sa_cert_peer_hashes(struct ike_sa *sa);
/* IKE_AUTH: our CERTs, CERTREQ (initiator) and AUTH, the signature of octets. */
void ike_sa_cert_build_auth(struct ike_sa *sa, struct ike_build *b, struct ike_buf octets);
/* The peer's certificate chains to our CAs and holds its ID (payload id),
 * and AUTH (au) is its signature of octets. */
bool ike_sa_cert_peer_ok(struct ike_sa *sa, const struct ike_pld *id, const struct ike_pld *au,
			 struct ike_buf octets);

/* ---- proposals and selectors (ike_sa_prop.c) ---- */

/* Encode our proposals: IKE (spi empty) or ESP (4-byte spi, ESN none, no DH).  p/xf
 * have room for IKE_CFG_MAX_PROPS proposals of 5 transforms. */
size_t ike_props_encode(const struct ike_prop *cfg, size_t n, bool esp, const uint8_t *spi,
			struct ike_proposal *p, struct ike_transform *xf, size_t *n_xf);
/* ... of protocol proto with this SPI (IKE: 8 bytes when rekeying it); esp_dh:
 * ESP proposals carry their PFS group (CREATE_CHILD_SA). */
size_t ike_props_encode_spi(const struct ike_prop *cfg, size_t n, uint8_t proto,
			    struct ike_view spi, bool esp_dh, struct ike_proposal *p,
			    struct ike_transform *xf, size_t *n_xf);
/* The first of the peer's proposals (in its order) that one of ours matches;
 * -1 if none.  *chosen gets our matching config; *peer_prop the proposal. */
int ike_props_select(const struct ike_msg *m, uint16_t sa_first, uint16_t sa_n, uint8_t proto,
		     const struct ike_prop *cfg, size_t n, struct ike_prop *chosen,
		     const struct ike_proposal **peer_prop);
/* Intersect the peer's selectors with ours; false when nothing is left. */
bool ike_ts_narrow(const struct ike_msg *m, uint16_t first, uint16_t n,
		   const struct ike_tsv *ours, struct ike_tsv *out);
void ike_ts_to_wire(const struct ike_tsv *t, struct ike_ts *w);
/* §2.23 NAT detection hash: SHA-1(SPIi | SPIr | IP | port). */
int ike_natd_hash(uint64_t spi_i, uint64_t spi_r, uint32_t ip, uint16_t port, uint8_t out[20]);

/* Derive the Child SA keys into sa->child (spi_out, transforms already set)
 * from sa->ni/sa->nr; init: we initiated the exchange that creates it. */
int ike_child_derive(struct ike_sa *sa, bool init);

/* ---- Child SA negotiation, shared by IKE_AUTH and CREATE_CHILD_SA (ike_sa_auth.c) ---- */

/* A fresh inbound SPI (>= 256) into sa->child_spi_in. */
int ike_child_new_spi(struct ike_sa *sa);
/* Responder: agree on the Child SA of sa->m into sa->child (SPI spi[4] ours);
 * the notify to send instead when we cannot, 0 when we can. */
uint16_t ike_child_agree_resp(struct ike_sa *sa, const uint8_t spi[4], struct ike_proposal *p,
			      struct ike_transform *xf, struct ike_ts *tsi, struct ike_ts *tsr);
/* Initiator: the responder's choice must be one of ours, its selectors within
 * ours; keys derived into sa->child.  0 or -1 (counted). */
int ike_child_agree_init(struct ike_sa *sa);

/* ---- several Child SAs (ike_sa_children.c): the exchanges' entry points,
 * which put the Child SA concerned in place and call those below ---- */

int ike_children_request(struct ike_sa *sa, struct ike_dgram *out);
int ike_children_response(struct ike_sa *sa, uint64_t now, struct ike_dgram *out);
int ike_children_info_response(struct ike_sa *sa);
bool ike_children_peer_delete(struct ike_sa *sa, uint32_t peer_spi, uint32_t *ours);
/* Whether any Child SA is in a rekey's Delete phase (its old pair still held):
 * the IKE SA is not rekeyed meanwhile. */
bool ike_children_switching(const struct ike_sa *sa);
/* The IKE SA's rekey hands its further Child SAs to the new one. */
void ike_children_move(struct ike_sa *from, struct ike_sa *to);

/* ---- CREATE_CHILD_SA (ike_sa_child.c) ---- */

int ike_child_request(struct ike_sa *sa, struct ike_dgram *out);
int ike_child_response(struct ike_sa *sa, uint64_t now, struct ike_dgram *out);
/* Our Delete of sa->old_child (the end of a rekey we won). */
int ike_child_delete_old(struct ike_sa *sa, uint64_t now, struct ike_dgram *out);
/* The peer's Delete of an ESP SPI (its inbound SPI, our outbound): fills *ours
 * with our half of the pair and forgets it.  false when we hold no such SA. */
bool ike_child_peer_delete(struct ike_sa *sa, uint32_t peer_spi, uint32_t *ours);
/* Our nonce for an exchange, and the peer's from sa->m (§2.10 bounds). */
int ike_child_new_nonce(struct ike_sa *sa, uint8_t *n, size_t *len);
bool ike_child_peer_nonce(struct ike_sa *sa, uint8_t *n, size_t *len);
/* A CREATE_CHILD_SA answer of just one notify (with data, e.g. the group of
 * INVALID_KE_PAYLOAD). */
int ike_child_refuse(struct ike_sa *sa, uint16_t type, const uint8_t *data, size_t len,
		     struct ike_dgram *out);

/* ---- PFS for CREATE_CHILD_SA (ike_sa_pfs.c) ---- */

/* A fresh pair of group into *dh (freed first). 0 or -1 (counted). */
int ike_pfs_new(struct ike_sa *sa, struct ike_dh **dh, uint16_t group);
/* Append KE with the public value of dh. */
void ike_pfs_build_ke(struct ike_build *b, const struct ike_dh *dh);
/* g^ir into sa->gir from the KE of sa->m, which must be of dh's group: 0, or
 * the notify that answers why not (INVALID_KE_PAYLOAD: no KE or another
 * group; INVALID_SYNTAX: a public value we reject), counted. */
uint16_t ike_pfs_shared(struct ike_sa *sa, const struct ike_dh *dh);
/* The group of the KE in sa->m, 0 without one. */
uint16_t ike_pfs_peer_group(const struct ike_sa *sa);
/* INVALID_KE_PAYLOAD in sa->m: the group it asks for when one of props has
 * it, else 0. */
uint16_t ike_pfs_wanted(const struct ike_sa *sa, const struct ike_prop *props, size_t n);
/* Forget g^ir and our pair. */
void ike_pfs_clear(struct ike_sa *sa);

/* ---- §2.8 rekey collisions (ike_sa_collision.c) ---- */

/* Whether the exchange of nonces (ni, nr) holds the lowest of the four of
 * both exchanges (octet by octet, a prefix is lower): its SA is redundant. */
bool ike_lowest_nonce(struct ike_buf ni, struct ike_buf nr, struct ike_buf oi,
		      struct ike_buf or_);
/* Our Child SA rekey was answered (the new one in sa->child, the replaced in
 * *old) while the peer's colliding one waits in sa->coll_child: keep the one
 * §2.8.1 keeps.  Returns 1 with out filled (our Delete: of the redundant new
 * SA or of the replaced one), or -1. */
int ike_child_collision(struct ike_sa *sa, const struct ike_child_sa *old, uint64_t now,
			struct ike_dgram *out);
/* Our rekey failed while the peer's colliding one waits: the peer's stands. */
void ike_child_collision_yield(struct ike_sa *sa);

/* ---- IKE SA rekeying (ike_sa_rekey_ike.c) ---- */

/* sa->m is a CREATE_CHILD_SA request whose SA payload offers IKE. */
bool ike_rekey_ike_asked(const struct ike_sa *sa);
int ike_rekey_ike_request(struct ike_sa *sa, struct ike_dgram *out);
int ike_rekey_ike_response(struct ike_sa *sa, uint64_t now, struct ike_dgram *out);
/* Free the new IKE SAs nobody took (ike_sa_free). */
void ike_rekey_ike_free(struct ike_sa *sa);

#endif
