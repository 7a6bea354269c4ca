/* SPDX-License-Identifier: BSD-3-Clause */
/* Admission of new responder SAs: COOKIEs and half-open limits (iked_admit.h). */
#include <string.h>

#include "ike_msg_build.h"
#include "ike_natt.h"
#include "iked_admit.h"

static const char *const stat_names[] = {
#define IKED_ADMIT_STAT_NAME(id, name) name,
	IKED_ADMIT_STATS(IKED_ADMIT_STAT_NAME)
#undef IKED_ADMIT_STAT_NAME
};

const char *iked_admit_stat_name(enum iked_admit_stat s)
{
	return (size_t)s < IKED_ADMIT_STAT_COUNT ? stat_names[s] : "unknown";
}

int iked_admit_init(struct iked_admit *a, const struct iked_admit_cfg *cfg, uint64_t now,
		    uint32_t rotate_ms)
{
	memset(a->stats, 0, sizeof(a->stats));
	a->cfg = *cfg;
	return ike_cookie_init(&a->jar, now, rotate_ms, NULL, NULL);
}

void iked_admit_fini(struct iked_admit *a)
{
	ike_cookie_wipe(&a->jar);
}

/* The stateless answer (§2.6): header of the request turned response, SPIr 0,
 * the one notify; with the marker when the request came to 4500. */
static int cookie_reply(struct iked_admit *a, const uint8_t cookie[IKE_COOKIE_LEN],
			uint32_t src, uint16_t sport, uint16_t dport, struct ike_dgram *out)
{
	size_t off = dport == IKE_NATT_PORT ? IKE_NON_ESP_MARKER_LEN : 0, len;
	struct ike_hdr h = {
		.ispi = a->m.hdr.ispi,
		.exchange = IKE_EXCH_SA_INIT,
		.flags = IKE_FLAG_RESPONSE,
	};
	struct ike_build b;

	memset(out->buf, 0, off);
	ike_build_init(&b, out->buf + off, sizeof(out->buf) - off, &h);
	ike_build_notify(&b, &(struct ike_notify){.type = IKE_N_COOKIE,
						  .data = {cookie, IKE_COOKIE_LEN}});
	if (ike_build_finish(&b, &len) != IKE_MSG_E_OK)
		return -1;
	out->len = off + len;
	out->remote_ip = src;
	out->remote_port = sport;
	out->local_port = dport;
	return 0;
}

/* IKED_ADMIT when the request carries our valid cookie, else the N(COOKIE)
 * answer (or a drop when there is no nonce to bind one to). */
static enum iked_verdict check_cookie(struct iked_admit *a, const uint8_t *msg, size_t len,
				      uint32_t src, uint16_t sport, uint16_t dport,
				      struct ike_dgram *reply)
{
	uint8_t cookie[IKE_COOKIE_LEN];

	if (ike_msg_decode(msg, len, &a->m) != IKE_MSG_E_OK) {
		a->stats[IKED_ADMIT_MALFORMED]++;
		return IKED_DROP;
	}
	const struct ike_pld *n = ike_msg_find(&a->m, IKE_PLD_NONCE, NULL);
	if (n == NULL) {
		a->stats[IKED_ADMIT_MALFORMED]++;
		return IKED_DROP;
	}
	const struct ike_view ni = n->u.data;
	/* §2.6: the cookie is the request's first payload. */
	const struct ike_pld *first = a->m.n_pld > 0 ? &a->m.pld[0] : NULL;
	if (first != NULL && first->type == IKE_PLD_NOTIFY && first->u.notify.type == IKE_N_COOKIE) {
		const struct ike_view c = first->u.notify.data;

		if (ike_cookie_verify(&a->jar, c.ptr, c.len, ni.ptr, ni.len, src, a->m.hdr.ispi)) {
			a->stats[IKED_ADMIT_COOKIE_OK]++;
			return IKED_ADMIT;
		}
		a->stats[IKED_ADMIT_COOKIE_BAD]++;
	}
	if (ike_cookie_make(&a->jar, ni.ptr, ni.len, src, a->m.hdr.ispi, cookie) < 0 ||
	    cookie_reply(a, cookie, src, sport, dport, reply) < 0) {
		a->stats[IKED_ADMIT_MALFORMED]++;
		return IKED_DROP;
	}
	a->stats[IKED_ADMIT_COOKIE_SENT]++;
	return IKED_COOKIE;
}

enum iked_verdict iked_admit_check(struct iked_admit *a, const uint8_t *msg, size_t len,
				   uint32_t src, uint16_t sport, uint16_t dport,
				   size_t half_open, size_t half_open_src, uint64_t now,
				   struct ike_dgram *reply)
{
	if (ike_cookie_rotate(&a->jar, now) < 0)
		return IKED_DROP;
	if (half_open >= a->cfg.cookie_threshold) {
		enum iked_verdict v = check_cookie(a, msg, len, src, sport, dport, reply);

		if (v != IKED_ADMIT)
			return v;
	}
	if (half_open_src >= a->cfg.half_open_per_source) {
		a->stats[IKED_ADMIT_PER_SOURCE]++;
		return IKED_DROP;
	}
	if (half_open >= a->cfg.half_open_max) {
		a->stats[IKED_ADMIT_MAX]++;
		return IKED_DROP;
	}
	return IKED_ADMIT;
}
