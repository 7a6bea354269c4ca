/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SK envelope of an IKE SA's messages: the codec lays out the header and
 * the SK generic header, the crypto core protects the inner chain.  Keys are
 * chosen by role: we send with our side's SK_e/SK_a and check the peer's.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "ike_msg_be.h"
#include "ike_msg_bld.h"
#include "ike_msg_wire.h"
#include "ike_sa_frag.h"
#include "ike_sa_int.h"

int ike_sa_seal(struct ike_sa *sa, const struct ike_hdr *h, const uint8_t *inner,
		size_t inner_len, uint8_t first_np, uint16_t frag_num, uint16_t frag_total,
		uint8_t *out, size_t cap, size_t *len)
{
	struct ike_sk_key k;
	struct ike_build b;
	size_t head = frag_total > 0 ? IKE_SKF_HEAD : 0;

	ike_sk_key_of(&sa->suite, &sa->keys, sa->role == IKE_ROLE_INITIATOR, &k);
	size_t body = ike_sk_body_len(&k, inner_len);
	if (body == 0)
		return ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
	ike_build_init(&b, out, cap, h);
	/* The SK body (IV | ciphertext | ICV) is the crypto core's to write; the
	 * builder only reserves it so that every length field is final (AAD). */
	uint8_t *p = ike_build_reserve(&b, head > 0 ? IKE_PLD_SKF : IKE_PLD_SK, head + body);
	if (p == NULL)
		return ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
	p[-(int)IKE_PLD_HDR_LEN] = first_np;
	if (head > 0) {
		/* RFC 7383 §2.5: the fragment fields are authenticated, not encrypted. */
		ike_put16(p, frag_num);
		ike_put16(p + 2, frag_total);
	}
	size_t aad_len = (size_t)(p - out) + head;
	if (ike_sk_encrypt(&k, out, cap, aad_len, (struct ike_buf){inner, inner_len}, len) !=
	    IKE_CRYPTO_OK)
		return ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
	return 0;
}

int ike_sa_open(struct ike_sa *sa, const uint8_t *msg, size_t len)
{
	struct ike_sk_key k;
	size_t plain_len;

	const struct ike_pld *skf = ike_msg_find(&sa->m, IKE_PLD_SKF, NULL);
	if (skf != NULL)
		return ike_frag_open(sa, msg, len, skf);
	const struct ike_pld *sk = ike_msg_find(&sa->m, IKE_PLD_SK, NULL);
	/* Everything after IKE_SA_INIT travels inside SK (RFC 7296 §3.14);
	 * the codec has already made sure SK is the last payload. */
	if (sk == NULL || sa->m.n_pld != 1)
		return ike_sa_drop(sa, IKE_SA_DROP_MISSING_PAYLOAD);
	ike_sk_key_of(&sa->suite, &sa->keys, sa->role != IKE_ROLE_INITIATOR, &k);
	int rc = ike_sk_decrypt(&k, msg, len, sk->u.sk.body_off, sa->plain, sizeof(sa->plain),
				&plain_len);
	if (rc == IKE_CRYPTO_EICV || rc == IKE_CRYPTO_ELEN)
		return ike_sa_drop(sa, IKE_SA_DROP_ICV);
	if (rc != IKE_CRYPTO_OK)
		return ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
	return ike_sa_decode_inner(sa, plain_len, sk->u.sk.inner_np);
}

int ike_sa_decode_inner(struct ike_sa *sa, size_t plain_len, uint8_t first_np)
{
	enum ike_msg_err e = ike_msg_decode_inner(&sa->m, sa->plain, plain_len, first_np);

	if (e == IKE_MSG_E_OK)
		return 0;
	OPENSSL_cleanse(sa->plain, plain_len);
	if (e != IKE_MSG_E_UNSUPPORTED_CRITICAL)
		return ike_sa_drop(sa, IKE_SA_DROP_MALFORMED);
	ike_sa_drop(sa, IKE_SA_DROP_CRITICAL);
	return IKE_SA_OPEN_CRITICAL;
}

/* Seal the chain in buf as a message of ours and send it as request/response. */
int ike_sa_send_sealed(struct ike_sa *sa, struct ike_build *b, uint8_t exch, bool response,
		       uint32_t msg_id, uint64_t now, struct ike_dgram *out)
{
	uint8_t msg[IKE_MSG_BUF_MAX];
	struct ike_hdr h;
	size_t chain_len, len;

	if (ike_build_finish(b, &chain_len) != IKE_MSG_E_OK)
		return ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
	uint8_t first_np = chain_len > 0 ? b->first_np : IKE_PLD_NONE;
	if (ike_frag_needed(sa, chain_len)) {
		int rc = ike_frag_send(sa, b->buf, chain_len, first_np, exch, response, msg_id,
				       now, out);
		OPENSSL_cleanse(b->buf, chain_len);
		return rc;
	}
	ike_sa_hdr(sa, exch, response, msg_id, &h);
	int rc = ike_sa_seal(sa, &h, b->buf, chain_len, first_np, 0, 0, msg, sizeof(msg), &len);
	OPENSSL_cleanse(b->buf, chain_len);
	if (rc < 0)
		return -1;
	return response ? ike_sa_send_response(sa, msg, len, out)
			: ike_sa_send_request(sa, msg, len, now, out);
}
