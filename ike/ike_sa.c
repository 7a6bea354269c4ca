/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKE SA core: lifecycle, the one state-change function, message ID checks
 * (window 1), retransmission of our requests and replay of our cached
 * response, and the dispatch of a received message to its exchange.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ike_msg_be.h"
#include "ike_msg_bld.h"
#include "ike_natt.h"
#include "ike_sa_frag.h"
#include "ike_sa_int.h"

static const char *const state_names[] = {
#define IKE_SA_STATE_NAME(id, name) name,
	IKE_SA_STATES(IKE_SA_STATE_NAME)
#undef IKE_SA_STATE_NAME
};

static const char *const drop_names[] = {
#define IKE_SA_DROP_NAME(id, name) name,
	IKE_SA_DROPS(IKE_SA_DROP_NAME)
#undef IKE_SA_DROP_NAME
};

const char *ike_sa_state_name(enum ike_sa_state s)
{
	return (size_t)s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s]
									 : "unknown";
}

const char *ike_sa_drop_name(enum ike_sa_drop d)
{
	return (size_t)d < IKE_SA_DROP_COUNT ? drop_names[d] : "unknown";
}

void ike_sa_log(struct ike_sa *sa, int level, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	if (sa->env.log == NULL)
		return;
	int n = snprintf(line, sizeof(line), "%s[%016llx/%016llx]: ", sa->cfg.name,
			 (unsigned long long)sa->spi_i, (unsigned long long)sa->spi_r);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	sa->env.log(sa->env.ctx, level, line);
}

/*
 * Valid transitions: forward through the exchange of our role, or to DEAD
 * from anywhere.  Anything else is a bug in an exchange file, refused here
 * so that it cannot silently skip authentication.
 */
static bool transition_ok(const struct ike_sa *sa, enum ike_sa_state from, enum ike_sa_state to)
{
	enum ike_role role = sa->role;

	if (to == IKE_SA_DEAD)
		return true;
	/* An IKE SA made by a rekey (ike_sa_rekey_ike.c) starts authenticated. */
	if (sa->from_rekey)
		return from == IKE_SA_IDLE && to == IKE_SA_ESTABLISHED;
	if (role == IKE_ROLE_INITIATOR)
		return (from == IKE_SA_IDLE && to == IKE_SA_INIT_SENT) ||
		       (from == IKE_SA_INIT_SENT && to == IKE_SA_INIT_SENT) || /* INVALID_KE, COOKIE */
		       (from == IKE_SA_INIT_SENT && to == IKE_SA_AUTH_SENT) ||
		       (from == IKE_SA_AUTH_SENT && to == IKE_SA_ESTABLISHED);
	return (from == IKE_SA_IDLE && to == IKE_SA_INIT_DONE) ||
	       (from == IKE_SA_INIT_DONE && to == IKE_SA_ESTABLISHED);
}

void ike_sa_set_state(struct ike_sa *sa, enum ike_sa_state to)
{
	if (!transition_ok(sa, sa->state, to)) {
		ike_sa_log(sa, 0, "refused state change %s -> %s", ike_sa_state_name(sa->state),
			   ike_sa_state_name(to));
		to = IKE_SA_DEAD;
	}
	if (to != sa->state)
		ike_sa_log(sa, 1, "%s -> %s", ike_sa_state_name(sa->state), ike_sa_state_name(to));
	sa->state = to;
	if (to == IKE_SA_DEAD)
		sa->req_pending = false;
}

int ike_sa_drop(struct ike_sa *sa, enum ike_sa_drop why)
{
	sa->drops[why]++;
	ike_sa_log(sa, 2, "dropped: %s", ike_sa_drop_name(why));
	return -1;
}

int ike_sa_random(struct ike_sa *sa, uint8_t *buf, size_t len)
{
	if (sa->env.rand != NULL)
		return sa->env.rand(sa->env.ctx, buf, len) == 0 ? 0 : -1;
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

int ike_sa_new(const struct ike_sa_cfg *cfg, enum ike_role role, const struct ike_env *env,
	       struct ike_sa **out)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));

	*out = NULL;
	if (sa == NULL)
		return IKE_CRYPTO_EINTERNAL;
	sa->cfg = *cfg;
	sa->cfg.name[IKE_SA_NAME_MAX - 1] = '\0';
	if (sa->cfg.retx_base_ms == 0) {
		sa->cfg.retx_base_ms = IKE_RETX_BASE_MS;
		sa->cfg.retx_tries = IKE_RETX_TRIES;
	}
	if (env != NULL)
		sa->env = *env;
	sa->role = role;
	sa->state = IKE_SA_IDLE;
	sa->remote_ip = cfg->remote_ip;
	sa->local_port = IKE_PORT;
	sa->remote_port = IKE_PORT;
	*out = sa;
	return IKE_CRYPTO_OK;
}

void ike_sa_free(struct ike_sa *sa)
{
	if (sa == NULL)
		return;
	ike_dh_free(sa->dh);
	ike_frag_free(sa);
	ike_rekey_ike_free(sa);
	ike_sa_keys_wipe(&sa->keys);
	/* The whole object holds the PSK, nonces, keys and decrypted messages. */
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
}

int ike_sa_emit(const struct ike_sa *sa, const uint8_t *msg, size_t len, struct ike_dgram *out)
{
	size_t off = sa->local_port == IKE_NATT_PORT ? IKE_NON_ESP_MARKER_LEN : 0;

	if (len > sizeof(out->buf) - off)
		return -1;
	memset(out->buf, 0, off);
	memcpy(out->buf + off, msg, len);
	out->len = off + len;
	out->remote_ip = sa->remote_ip;
	out->local_port = sa->local_port;
	out->remote_port = sa->remote_port;
	return 1;
}

void ike_sa_hdr(const struct ike_sa *sa, uint8_t exchange, bool response, uint32_t msg_id,
		struct ike_hdr *h)
{
	*h = (struct ike_hdr){
		.ispi = sa->spi_i,
		.rspi = sa->spi_r,
		.exchange = exchange,
		.flags = (uint8_t)((sa->role == IKE_ROLE_INITIATOR ? IKE_FLAG_INITIATOR : 0) |
				   (response ? IKE_FLAG_RESPONSE : 0)),
		.msg_id = msg_id,
	};
}

int ike_sa_send_request(struct ike_sa *sa, const uint8_t *msg, size_t len, uint64_t now,
			struct ike_dgram *out)
{
	if (len > sizeof(sa->req.buf))
		return ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
	ike_frag_forget(sa, false);
	memcpy(sa->req.buf, msg, len);
	sa->req.len = len;
	sa->req_id = ike_get32(msg + 20);
	sa->req_pending = true;
	sa->req_slot = sa->cur_slot;
	sa->retx_n = 0;
	sa->retx_at = now + sa->cfg.retx_base_ms;
	return ike_sa_emit(sa, msg, len, out);
}

int ike_sa_send_response(struct ike_sa *sa, const uint8_t *msg, size_t len,
			 struct ike_dgram *out)
{
	if (len > sizeof(sa->resp.buf))
		return ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
	ike_frag_forget(sa, true);
	memcpy(sa->resp.buf, msg, len);
	sa->resp.len = len;
	sa->resp_valid = true;
	memcpy(sa->resp_to, sa->cur_req, sizeof(sa->resp_to));
	sa->peer_next++;
	return ike_sa_emit(sa, msg, len, out);
}

int ike_sa_start(struct ike_sa *sa, uint64_t now_ms, struct ike_dgram *out)
{
	if (sa->role != IKE_ROLE_INITIATOR || sa->state != IKE_SA_IDLE)
		return -1;
	return ike_init_start(sa, now_ms, out);
}

int ike_sa_timer(struct ike_sa *sa, uint64_t now_ms, struct ike_dgram *out)
{
	if (!sa->req_pending)
		return ike_sa_dpd_timer(sa, now_ms, out);
	if (now_ms < sa->retx_at)
		return 0;
	if (sa->retx_n >= sa->cfg.retx_tries) {
		ike_sa_drop(sa, IKE_SA_DROP_TIMEOUT);
		ike_sa_log(sa, 1, "no response after %u retransmissions%s", sa->retx_n,
			   ike_sa_dpd_pending(sa) ? ": dead peer" : "");
		ike_sa_set_state(sa, IKE_SA_DEAD);
		return 0;
	}
	sa->retx_n++;
	sa->retx_at = now_ms + ((uint64_t)sa->cfg.retx_base_ms << sa->retx_n);
	ike_sa_log(sa, 2, "retransmit %u of request %u", sa->retx_n, sa->req_id);
	ike_frag_replay(sa, false);
	return ike_sa_emit(sa, sa->req.buf, sa->req.len, out);
}

uint64_t ike_sa_next_timer(const struct ike_sa *sa)
{
	return sa->req_pending ? sa->retx_at : ike_sa_dpd_next(sa);
}

/* §2.5: an authenticated request with a payload we do not know marked
 * critical is rejected with UNSUPPORTED_CRITICAL_PAYLOAD naming its type. */
static int answer_critical(struct ike_sa *sa, uint8_t exch, uint32_t msg_id, struct ike_dgram *out)
{
	uint8_t chain[32], type = sa->m.bad_type;
	struct ike_build b;

	ike_build_init_chain(&b, chain, sizeof(chain));
	ike_build_notify(&b, &(struct ike_notify){.type = IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD,
						  .data = {&type, 1}});
	ike_sa_log(sa, 1, "request %u refused: unsupported critical payload %u", msg_id, type);
	return ike_sa_send_sealed(sa, &b, exch, true, msg_id, 0, out);
}

/* A request from the peer: window 1, so only peer_next is new and only
 * peer_next - 1 (answered from the cache) is a retransmission. */
static int input_request(struct ike_sa *sa, const uint8_t *msg, size_t len, uint32_t src_ip,
			 uint16_t src_port, uint16_t dst_port, struct ike_dgram *out)
{
	uint32_t id = sa->m.hdr.msg_id;
	uint8_t digest[sizeof(sa->resp_to)];
	unsigned int dlen = 0;

	if (EVP_Digest(msg, len, digest, &dlen, EVP_sha256(), NULL) != 1 || dlen != sizeof(digest))
		return ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
	/* Only the very request we answered gets the answer again: anyone can
	 * send a message with an old ID, and a reply to each would make us an
	 * amplifier. */
	if (sa->resp_valid && id == sa->peer_next - 1) {
		if (memcmp(digest, sa->resp_to, sizeof(digest)) != 0)
			return ike_sa_drop(sa, IKE_SA_DROP_OLD_MSG_ID);
		sa->drops[IKE_SA_DROP_RETRANSMIT_ANSWERED]++;
		ike_frag_replay(sa, true);
		return ike_sa_emit(sa, sa->resp.buf, sa->resp.len, out);
	}
	if (id != sa->peer_next)
		return ike_sa_drop(sa, id < sa->peer_next ? IKE_SA_DROP_OLD_MSG_ID
							  : IKE_SA_DROP_FUTURE_MSG_ID);
	/* ike_sa_send_response() caches its answer under this request. */
	memcpy(sa->cur_req, digest, sizeof(digest));
	switch (sa->m.hdr.exchange) {
	case IKE_EXCH_SA_INIT:
		if (sa->state != IKE_SA_IDLE || sa->role != IKE_ROLE_RESPONDER)
			return ike_sa_drop(sa, IKE_SA_DROP_UNEXPECTED);
		return ike_init_request(sa, msg, len, src_ip, src_port, dst_port, out);
	case IKE_EXCH_AUTH:
		if (sa->state != IKE_SA_INIT_DONE)
			return ike_sa_drop(sa, IKE_SA_DROP_UNEXPECTED);
		break;
	case IKE_EXCH_INFORMATIONAL:
	case IKE_EXCH_CREATE_CHILD_SA:
		if (sa->state != IKE_SA_ESTABLISHED)
			return ike_sa_drop(sa, IKE_SA_DROP_UNEXPECTED);
		break;
	default:
		return ike_sa_drop(sa, IKE_SA_DROP_UNEXPECTED);
	}
	uint8_t exch = sa->m.hdr.exchange;
	int rc = ike_sa_open(sa, msg, len);
	if (rc == IKE_SA_OPEN_CRITICAL)
		return answer_critical(sa, exch, id, out);
	if (rc != 0)
		return rc < 0 ? -1 : 0; /* a fragment kept: the rest is to come */
	/* §2.23: the peer may float (NAT) once a message authenticates. */
	sa->remote_ip = src_ip;
	sa->remote_port = src_port;
	sa->local_port = dst_port;
	if (sa->m.hdr.exchange == IKE_EXCH_AUTH)
		return ike_auth_request(sa, out);
	if (sa->m.hdr.exchange == IKE_EXCH_CREATE_CHILD_SA)
		return ike_children_request(sa, out);
	return ike_info_request(sa, out);
}

static int input_response(struct ike_sa *sa, const uint8_t *msg, size_t len, uint32_t src_ip,
			  uint16_t src_port, uint16_t dst_port, uint64_t now,
			  struct ike_dgram *out)
{
	if (!sa->req_pending || sa->m.hdr.msg_id != sa->req_id)
		return ike_sa_drop(sa, sa->m.hdr.msg_id < sa->req_next ? IKE_SA_DROP_OLD_MSG_ID
								       : IKE_SA_DROP_FUTURE_MSG_ID);
	if (sa->m.hdr.exchange != sa->req.buf[18]) /* exchange type of our request */
		return ike_sa_drop(sa, IKE_SA_DROP_UNEXPECTED);
	if (sa->state == IKE_SA_INIT_SENT)
		return ike_init_response(sa, msg, len, src_ip, src_port, dst_port, now, out);
	if (sa->state != IKE_SA_AUTH_SENT && sa->state != IKE_SA_ESTABLISHED)
		return ike_sa_drop(sa, IKE_SA_DROP_UNEXPECTED);
	int rc = ike_sa_open(sa, msg, len);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	sa->req_pending = false;
	sa->req_next++;
	if (sa->state == IKE_SA_ESTABLISHED && sa->m.hdr.exchange == IKE_EXCH_CREATE_CHILD_SA)
		return ike_children_response(sa, now, out);
	if (sa->state == IKE_SA_ESTABLISHED)
		return ike_children_info_response(sa);
	return ike_auth_response(sa) < 0 ? -1 : 0;
}

int ike_sa_input(struct ike_sa *sa, const uint8_t *msg, size_t len, uint32_t src_ip,
		 uint16_t src_port, uint16_t dst_port, uint64_t now_ms, struct ike_dgram *out)
{
	if (sa->state == IKE_SA_DEAD)
		return ike_sa_drop(sa, IKE_SA_DROP_UNEXPECTED);
	sa->now = now_ms;
	enum ike_msg_err e = len > IKE_MSG_BUF_MAX ? IKE_MSG_E_BAD_LENGTH
						   : ike_msg_decode(msg, len, &sa->m);
	if (e == IKE_MSG_E_UNSUPPORTED_CRITICAL && sa->role == IKE_ROLE_RESPONDER &&
	    sa->state == IKE_SA_IDLE && sa->m.hdr.exchange == IKE_EXCH_SA_INIT &&
	    sa->m.hdr.rspi == 0 && sa->m.hdr.msg_id == 0 &&
	    (sa->m.hdr.flags & (IKE_FLAG_RESPONSE | IKE_FLAG_INITIATOR)) == IKE_FLAG_INITIATOR) {
		/* §2.5, in the clear as the request came */
		uint8_t type = sa->m.bad_type;

		sa->spi_i = sa->m.hdr.ispi;
		return ike_init_refuse(sa, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, &type, 1,
				       IKE_SA_DROP_CRITICAL, out);
	}
	if (e != IKE_MSG_E_OK)
		return ike_sa_drop(sa, IKE_SA_DROP_MALFORMED);
	const struct ike_hdr *h = &sa->m.hdr;
	bool response = (h->flags & IKE_FLAG_RESPONSE) != 0;
	bool from_initiator = (h->flags & IKE_FLAG_INITIATOR) != 0;

	/* The peer's I bit says it is the original initiator, which we are not. */
	if (from_initiator != (sa->role == IKE_ROLE_RESPONDER))
		return ike_sa_drop(sa, IKE_SA_DROP_WRONG_FLAGS);
	/* A new responder learns SPIi from its first message (the caller looked
	 * up no SA for it); the responder's SPI is unknown only in the first
	 * exchange's messages. */
	bool fresh = sa->role == IKE_ROLE_RESPONDER && sa->state == IKE_SA_IDLE;
	if (!fresh && h->ispi != sa->spi_i)
		return ike_sa_drop(sa, IKE_SA_DROP_WRONG_SPI);
	if (fresh && (h->rspi != 0 || h->exchange != IKE_EXCH_SA_INIT || response))
		return ike_sa_drop(sa, IKE_SA_DROP_UNEXPECTED);
	bool rspi_open = fresh || (sa->role == IKE_ROLE_INITIATOR && sa->state == IKE_SA_INIT_SENT);
	bool init_retx = sa->role == IKE_ROLE_RESPONDER && h->exchange == IKE_EXCH_SA_INIT &&
			 h->rspi == 0 && !response;
	if (!rspi_open && !init_retx && h->rspi != sa->spi_r)
		return ike_sa_drop(sa, IKE_SA_DROP_WRONG_SPI);
	int rc = response ? input_response(sa, msg, len, src_ip, src_port, dst_port, now_ms, out)
			  : input_request(sa, msg, len, src_ip, src_port, dst_port, out);
	if (rc >= 0)
		sa->last_rx = now_ms; /* the peer is alive (DPD, ike_sa_dpd.c) */
	return rc;
}

enum ike_sa_state ike_sa_state(const struct ike_sa *sa) { return sa->state; }
enum ike_role ike_sa_role(const struct ike_sa *sa) { return sa->role; }
uint64_t ike_sa_spi_i(const struct ike_sa *sa) { return sa->spi_i; }
uint64_t ike_sa_spi_r(const struct ike_sa *sa) { return sa->spi_r; }
const struct ike_sa_cfg *ike_sa_cfg(const struct ike_sa *sa) { return &sa->cfg; }
const uint64_t *ike_sa_drops(const struct ike_sa *sa) { return sa->drops; }
const struct ike_suite *ike_sa_suite(const struct ike_sa *sa) { return &sa->suite; }

const struct ike_child_sa *ike_sa_child(const struct ike_sa *sa)
{
	return sa->state == IKE_SA_ESTABLISHED && sa->has_child ? &sa->child : NULL;
}
