/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Builder core: the IKE header, payload chaining and length upkeep, and the SK/SKF
 * envelope whose inner chain the payload encoders fill.
 */
#include <string.h>

#include "ike_msg_be.h"
#include "ike_msg_bld.h"
#include "ike_msg_rules.h"

/* np_off values that are not offsets: the next type goes to first_np (chain mode), or no
 * payload may be linked any more (raw inner bytes hide the last next-payload field). */
#define NP_TO_FIRST SIZE_MAX
#define NP_CLOSED (SIZE_MAX - 1)
#define HDR_NP_OFF 16u
#define HDR_LEN_OFF 24u
#define SKF_HEAD 4u /* fragment number, total fragments */
#define PAD_LEN_OCTET 1u

enum ike_msg_err ike_build_fail(struct ike_build *b, enum ike_msg_err err)
{
	if (b->err == IKE_MSG_E_OK)
		b->err = err;
	return b->err;
}

static void set_length(struct ike_build *b)
{
	if (b->has_hdr)
		ike_put32(b->buf + HDR_LEN_OFF, (uint32_t)b->len);
}

void ike_build_init(struct ike_build *b, uint8_t *buf, size_t cap, const struct ike_hdr *h)
{
	*b = (struct ike_build){.buf = buf, .cap = cap, .np_off = HDR_NP_OFF, .has_hdr = true};
	if (cap < IKE_HDR_LEN) {
		b->err = IKE_MSG_E_NO_SPACE;
		return;
	}
	ike_put64(buf, h->ispi);
	ike_put64(buf + 8, h->rspi);
	buf[HDR_NP_OFF] = IKE_PLD_NONE;
	buf[17] = IKE_VERSION_2_0;
	buf[18] = h->exchange;
	buf[19] = h->flags;
	ike_put32(buf + 20, h->msg_id);
	b->len = IKE_HDR_LEN;
	set_length(b);
}

void ike_build_init_chain(struct ike_build *b, uint8_t *buf, size_t cap)
{
	*b = (struct ike_build){.buf = buf, .cap = cap, .np_off = NP_TO_FIRST};
}

uint8_t *ike_build_reserve(struct ike_build *b, uint8_t type, size_t body_len)
{
	if (b->err != IKE_MSG_E_OK)
		return NULL;
	if (b->sealed || b->np_off == NP_CLOSED) {
		ike_build_fail(b, IKE_MSG_E_BAD_STATE);
		return NULL;
	}
	if (body_len > UINT16_MAX - IKE_PLD_HDR_LEN) {
		ike_build_fail(b, IKE_MSG_E_BAD_ARG);
		return NULL;
	}
	size_t plen = IKE_PLD_HDR_LEN + body_len;
	if (plen > b->cap - b->len) {
		ike_build_fail(b, IKE_MSG_E_NO_SPACE);
		return NULL;
	}
	uint8_t *g = b->buf + b->len;
	g[0] = IKE_PLD_NONE;
	g[1] = 0; /* critical bit clear: we only send payloads RFC 7296 defines */
	ike_put16(g + 2, (uint16_t)plen);
	if (b->np_off == NP_TO_FIRST)
		b->first_np = type;
	else
		b->buf[b->np_off] = type;
	b->np_off = b->len;
	b->len += plen;
	set_length(b);
	return g + IKE_PLD_HDR_LEN;
}

/* Open SK or SKF with a head of head_len octets (fragment fields) and the IV reserved. */
static uint8_t *sk_open(struct ike_build *b, uint8_t type, size_t head_len, size_t iv_len)
{
	/* An inner chain cannot hold SK, and there is one SK per message. */
	if (!b->has_hdr || b->sk_open) {
		ike_build_fail(b, IKE_MSG_E_BAD_STATE);
		return NULL;
	}
	if (iv_len > UINT16_MAX) {
		ike_build_fail(b, IKE_MSG_E_BAD_ARG);
		return NULL;
	}
	uint8_t *body = ike_build_reserve(b, type, head_len + iv_len);
	if (body == NULL)
		return NULL;
	memset(body, 0, head_len + iv_len);
	b->sk_open = true;
	b->sk_off = b->np_off;
	b->sk_iv_off = (size_t)(body - b->buf) + head_len;
	b->sk_iv_len = iv_len;
	return body;
}

enum ike_msg_err ike_build_sk_begin(struct ike_build *b, size_t iv_len)
{
	sk_open(b, IKE_PLD_SK, 0, iv_len);
	return b->err;
}

enum ike_msg_err ike_build_skf_begin(struct ike_build *b, uint16_t frag_num,
				     uint16_t frag_total, size_t iv_len)
{
	if (!ike_rule_fragment(frag_num, frag_total))
		return ike_build_fail(b, IKE_MSG_E_BAD_FRAGMENT);
	uint8_t *body = sk_open(b, IKE_PLD_SKF, SKF_HEAD, iv_len);
	if (body != NULL) {
		ike_put16(body, frag_num);
		ike_put16(body + 2, frag_total);
	}
	return b->err;
}

enum ike_msg_err ike_build_sk_raw(struct ike_build *b, uint8_t first_np, struct ike_view data)
{
	if (b->err != IKE_MSG_E_OK)
		return b->err;
	/* Raw bytes go into an open SK, before any inner payload built here. */
	if (!b->sk_open || (b->np_off != b->sk_off && b->np_off != NP_CLOSED))
		return ike_build_fail(b, IKE_MSG_E_BAD_STATE);
	if (data.len > b->cap - b->len)
		return ike_build_fail(b, IKE_MSG_E_NO_SPACE);
	if (b->np_off == b->sk_off)
		b->buf[b->sk_off] = first_np;
	b->np_off = NP_CLOSED;
	if (data.len > 0)
		memcpy(b->buf + b->len, data.ptr, data.len);
	b->len += data.len;
	set_length(b);
	return IKE_MSG_E_OK;
}

enum ike_msg_err ike_build_sk_end(struct ike_build *b, size_t block_len, size_t icv_len,
				  struct ike_sk_layout *out)
{
	if (b->err != IKE_MSG_E_OK)
		return b->err;
	if (!b->sk_open)
		return ike_build_fail(b, IKE_MSG_E_BAD_STATE);
	/* The pad length octet must be able to express block_len - 1. */
	if (block_len == 0 || block_len > UINT8_MAX + 1 || icv_len > UINT16_MAX)
		return ike_build_fail(b, IKE_MSG_E_BAD_ARG);
	size_t plain_off = b->sk_iv_off + b->sk_iv_len;
	size_t inner = b->len - plain_off;
	size_t pad = (block_len - (inner + PAD_LEN_OCTET) % block_len) % block_len;
	size_t tail = pad + PAD_LEN_OCTET + icv_len;
	if (tail > b->cap - b->len)
		return ike_build_fail(b, IKE_MSG_E_NO_SPACE);
	if (b->len + tail - b->sk_off > UINT16_MAX)
		return ike_build_fail(b, IKE_MSG_E_BAD_ARG);
	uint8_t *t = b->buf + b->len;
	memset(t, 0, pad);
	t[pad] = (uint8_t)pad;
	memset(t + pad + PAD_LEN_OCTET, 0, icv_len);
	b->len += tail;
	ike_put16(b->buf + b->sk_off + 2, (uint16_t)(b->len - b->sk_off));
	set_length(b);
	b->sk_open = false;
	b->sealed = true;
	*out = (struct ike_sk_layout){
		.iv_off = b->sk_iv_off,
		.iv_len = b->sk_iv_len,
		.plain_off = plain_off,
		.plain_len = inner + pad + PAD_LEN_OCTET,
		.icv_off = b->len - icv_len,
		.icv_len = icv_len,
	};
	return IKE_MSG_E_OK;
}

enum ike_msg_err ike_build_finish(struct ike_build *b, size_t *len)
{
	*len = 0;
	if (b->sk_open)
		ike_build_fail(b, IKE_MSG_E_BAD_STATE);
	if (b->err == IKE_MSG_E_OK)
		*len = b->len;
	return b->err;
}
