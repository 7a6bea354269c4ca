/* SPDX-License-Identifier: BSD-3-Clause */
/* IKE fragmentation, RFC 7383 (ike_sa_frag.h). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ike_msg_bld.h"
#include "ike_msg_wire.h"
#include "ike_natt.h"
#include "ike_sa_frag.h"
#include "ike_sa_int.h"

#define IPV4_UDP_HDR 28u /* what fragment_size counts besides the IKE message */
#define SKF_OVERHEAD (IKE_HDR_LEN + IKE_PLD_HDR_LEN + IKE_SKF_HEAD)
/* Sealed fragments of one message: its inner bytes plus each fragment's
 * header, IV, padding and ICV. */
#define FRAG_STORE (IKE_MSG_BUF_MAX + IKE_FRAG_MAX * 128u)

/* One message of ours as sealed fragments, fragment i at buf[off[i]..+len[i]). */
struct frag_set {
	uint16_t n;
	bool valid; /* the core's stored message is our fragment 1 */
	uint16_t off[IKE_FRAG_MAX], len[IKE_FRAG_MAX];
	uint8_t buf[FRAG_STORE];
};

/* The peer's fragments of one message, by number; plaintext, ICV checked. */
struct frag_rx {
	bool active;
	bool response;
	uint32_t msg_id;
	uint16_t total, have;
	uint8_t first_np;
	uint64_t started;
	uint8_t first_digest[32]; /* of fragment 1: the core answers its retransmission */
	bool got[IKE_FRAG_MAX + 1];
	uint16_t off[IKE_FRAG_MAX + 1], len[IKE_FRAG_MAX + 1];
	size_t used;
	uint8_t buf[IKE_MSG_BUF_MAX];
};

struct ike_frag {
	struct frag_set req, resp;
	const struct frag_set *queue; /* fragments 2.. of the message just sent */
	uint16_t queue_next;
	struct frag_rx rx;
	uint64_t sent, rcvd, reasm;
};

void ike_frag_offer(struct ike_sa *sa, struct ike_build *b)
{
	if (sa->role == IKE_ROLE_INITIATOR ? sa->cfg.fragmentation : sa->frag != NULL)
		ike_build_notify(b, &(struct ike_notify){.type = IKE_N_IKEV2_FRAGMENTATION_SUPPORTED});
}

void ike_frag_learn(struct ike_sa *sa)
{
	if (!sa->cfg.fragmentation || sa->frag != NULL ||
	    ike_msg_find_notify(&sa->m, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED) == NULL)
		return;
	/* Without memory we simply do not fragment (and, as responder, do not offer). */
	sa->frag = calloc(1, sizeof(*sa->frag));
	if (sa->frag != NULL)
		ike_sa_log(sa, 2, "IKE fragmentation negotiated");
}

void ike_frag_inherit(struct ike_sa *to, const struct ike_sa *from)
{
	/* Negotiated in IKE_SA_INIT for the IKE SA and the ones that rekey it
	 * (strongSwan carries it over too); nothing in flight moves. */
	if (from->frag != NULL && to->frag == NULL)
		to->frag = calloc(1, sizeof(*to->frag));
}

void ike_frag_free(struct ike_sa *sa)
{
	if (sa->frag == NULL)
		return;
	OPENSSL_cleanse(sa->frag, sizeof(*sa->frag)); /* reassembly holds plaintext */
	free(sa->frag);
	sa->frag = NULL;
}

/* The largest IKE message one fragment may be. */
static size_t frag_msg_max(const struct ike_sa *sa)
{
	size_t size = sa->cfg.fragment_size != 0 ? sa->cfg.fragment_size : IKE_FRAG_SIZE_DEFAULT;
	size_t hdrs = IPV4_UDP_HDR + (sa->local_port == IKE_NATT_PORT ? IKE_NON_ESP_MARKER_LEN : 0);

	return size > hdrs ? size - hdrs : 0;
}

bool ike_frag_needed(struct ike_sa *sa, size_t chain_len)
{
	struct ike_sk_key k;

	if (sa->frag == NULL)
		return false;
	ike_sk_key_of(&sa->suite, &sa->keys, sa->role == IKE_ROLE_INITIATOR, &k);
	size_t body = ike_sk_body_len(&k, chain_len);
	return body != 0 && IKE_HDR_LEN + IKE_PLD_HDR_LEN + body > frag_msg_max(sa);
}

/* Inner bytes per fragment: the most whose sealed SKF fits max. */
static size_t chunk_len(const struct ike_sk_key *k, size_t max)
{
	if (max <= SKF_OVERHEAD)
		return 0;
	size_t c = max - SKF_OVERHEAD;

	while (c > 0 && ike_sk_body_len(k, c) > max - SKF_OVERHEAD)
		c--;
	return c;
}

int ike_frag_send(struct ike_sa *sa, const uint8_t *inner, size_t len, uint8_t first_np,
		  uint8_t exch, bool response, uint32_t msg_id, uint64_t now,
		  struct ike_dgram *out)
{
	struct ike_frag *f = sa->frag;
	struct frag_set *set = response ? &f->resp : &f->req;
	struct ike_sk_key k;
	struct ike_hdr h;
	size_t used = 0;

	ike_sk_key_of(&sa->suite, &sa->keys, sa->role == IKE_ROLE_INITIATOR, &k);
	size_t chunk = chunk_len(&k, frag_msg_max(sa));
	if (chunk == 0 || (len + chunk - 1) / chunk > IKE_FRAG_MAX)
		return ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
	uint16_t n = (uint16_t)((len + chunk - 1) / chunk);
	set->valid = false; /* its fragments are about to be overwritten */
	ike_sa_hdr(sa, exch, response, msg_id, &h);
	for (uint16_t i = 0; i < n; i++) {
		size_t at = (size_t)i * chunk, sz = len - at < chunk ? len - at : chunk;
		size_t flen;

		/* §2.5: only the first fragment names the first inner payload. */
		if (ike_sa_seal(sa, &h, inner + at, sz, i == 0 ? first_np : IKE_PLD_NONE, i + 1, n,
				set->buf + used, sizeof(set->buf) - used, &flen) < 0)
			return -1;
		set->off[i] = (uint16_t)used;
		set->len[i] = (uint16_t)flen;
		used += flen;
	}
	set->n = n;
	ike_sa_log(sa, 2, "%s %u: %zu octets in %u fragments", response ? "response" : "request",
		   msg_id, len, n);
	int rc = response ? ike_sa_send_response(sa, set->buf, set->len[0], out)
			  : ike_sa_send_request(sa, set->buf, set->len[0], now, out);
	if (rc < 0)
		return rc;
	set->valid = true;
	ike_frag_replay(sa, response);
	return rc;
}

void ike_frag_forget(struct ike_sa *sa, bool response)
{
	if (sa->frag == NULL)
		return;
	(response ? &sa->frag->resp : &sa->frag->req)->valid = false;
	sa->frag->queue = NULL;
}

void ike_frag_replay(struct ike_sa *sa, bool response)
{
	struct ike_frag *f = sa->frag;

	if (f == NULL)
		return;
	const struct frag_set *set = response ? &f->resp : &f->req;
	f->queue = set->valid ? set : NULL;
	f->queue_next = 1;
	f->sent += set->valid; /* fragment 1, in the caller's out */
}

int ike_sa_next_out(struct ike_sa *sa, struct ike_dgram *out)
{
	struct ike_frag *f = sa->frag;

	if (f == NULL || f->queue == NULL || f->queue_next >= f->queue->n)
		return 0;
	uint16_t i = f->queue_next++;
	f->sent++;
	return ike_sa_emit(sa, f->queue->buf + f->queue->off[i], f->queue->len[i], out);
}

static void rx_reset(struct frag_rx *rx)
{
	OPENSSL_cleanse(rx->buf, rx->used);
	memset(rx, 0, offsetof(struct frag_rx, buf));
}

/* Start collecting the message of sa->m's header unless we are at it. */
static int rx_begin(struct ike_sa *sa, struct frag_rx *rx, uint16_t total)
{
	const struct ike_hdr *h = &sa->m.hdr;
	bool response = (h->flags & IKE_FLAG_RESPONSE) != 0;
	bool same = rx->active && rx->msg_id == h->msg_id && rx->response == response &&
		    sa->now - rx->started <= IKE_FRAG_REASM_MS;

	/* §2.6.2: a larger Total Fragments means the peer fragmented again
	 * (smaller): start over; a smaller one belongs to the older try. */
	if (same && total < rx->total)
		return ike_sa_drop(sa, IKE_SA_DROP_FRAG_BAD);
	if (same && total == rx->total)
		return 0;
	if (rx->active)
		ike_sa_log(sa, 2, "reassembly of message %u abandoned", rx->msg_id);
	rx_reset(rx);
	rx->active = true;
	rx->response = response;
	rx->msg_id = h->msg_id;
	rx->total = total;
	rx->started = sa->now;
	return 0;
}

/* All fragments in: their plaintexts in order become the message's inner chain. */
static int rx_complete(struct ike_sa *sa, struct frag_rx *rx)
{
	size_t len = 0;

	for (uint16_t i = 1; i <= rx->total; i++) {
		memcpy(sa->plain + len, rx->buf + rx->off[i], rx->len[i]);
		len += rx->len[i];
	}
	uint8_t first_np = rx->first_np;
	memcpy(sa->cur_req, rx->first_digest, sizeof(sa->cur_req));
	rx_reset(rx);
	sa->frag->reasm++;
	ike_sa_log(sa, 2, "message %u reassembled: %zu octets", sa->m.hdr.msg_id, len);
	return ike_sa_decode_inner(sa, len, first_np);
}

int ike_frag_open(struct ike_sa *sa, const uint8_t *msg, size_t len, const struct ike_pld *skf)
{
	uint8_t plain[IKE_MSG_BUF_MAX];
	struct ike_sk_key k;
	size_t plain_len;
	uint16_t num = skf->u.sk.frag_num, total = skf->u.sk.frag_total;

	if (sa->frag == NULL)
		return ike_sa_drop(sa, IKE_SA_DROP_FRAGMENT);
	if (sa->m.n_pld != 1)
		return ike_sa_drop(sa, IKE_SA_DROP_MISSING_PAYLOAD);
	struct frag_rx *rx = &sa->frag->rx;
	if (total > IKE_FRAG_MAX)
		return ike_sa_drop(sa, IKE_SA_DROP_FRAG_BAD);
	/* Each fragment carries its own ICV, checked before it may touch the
	 * reassembly: a forged one cannot evict or replace genuine ones. */
	ike_sk_key_of(&sa->suite, &sa->keys, sa->role != IKE_ROLE_INITIATOR, &k);
	int rc = ike_sk_decrypt(&k, msg, len, skf->u.sk.body_off, plain, sizeof(plain),
				&plain_len);
	if (rc == IKE_CRYPTO_EICV || rc == IKE_CRYPTO_ELEN)
		return ike_sa_drop(sa, IKE_SA_DROP_ICV);
	if (rc != IKE_CRYPTO_OK)
		return ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
	rc = rx_begin(sa, rx, total);
	if (rc < 0 || rx->got[num]) {
		OPENSSL_cleanse(plain, plain_len);
		return rc < 0 ? -1 : ike_sa_drop(sa, IKE_SA_DROP_FRAG_DUP);
	}
	if (plain_len > sizeof(rx->buf) - rx->used) {
		/* The message would outgrow what we ever accept in one piece. */
		OPENSSL_cleanse(plain, plain_len);
		rx_reset(rx);
		return ike_sa_drop(sa, IKE_SA_DROP_FRAG_BAD);
	}
	memcpy(rx->buf + rx->used, plain, plain_len);
	OPENSSL_cleanse(plain, plain_len);
	rx->off[num] = (uint16_t)rx->used;
	rx->len[num] = (uint16_t)plain_len;
	rx->used += plain_len;
	rx->got[num] = true;
	rx->have++;
	sa->frag->rcvd++;
	if (num == 1) {
		unsigned int dlen = 0;

		rx->first_np = skf->u.sk.inner_np;
		if (EVP_Digest(msg, len, rx->first_digest, &dlen, EVP_sha256(), NULL) != 1)
			return ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
	}
	return rx->have < rx->total ? 1 : rx_complete(sa, rx);
}

void ike_frag_query(const struct ike_sa *sa, struct ike_sa_info *out)
{
	if (sa->frag == NULL)
		return;
	out->frag = true;
	out->frag_sent = sa->frag->sent;
	out->frag_rcvd = sa->frag->rcvd;
	out->frag_reasm = sa->frag->reasm;
}
