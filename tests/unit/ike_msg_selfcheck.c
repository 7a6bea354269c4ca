/* SPDX-License-Identifier: BSD-3-Clause */
#include "ike_msg_selfcheck.h"

#include <stdlib.h>
#include <string.h>

#include "ike_msg_build.h"

static int view_eq(struct ike_view a, struct ike_view b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static const char *sa_equal(const struct ike_msg *ma, const struct ike_pld *a,
			    const struct ike_msg *mb, const struct ike_pld *b)
{
	if (a->u.sa.n != b->u.sa.n)
		return "SA proposal count";
	for (size_t i = 0; i < a->u.sa.n; i++) {
		const struct ike_proposal *pa = &ma->prop[a->u.sa.first + i];
		const struct ike_proposal *pb = &mb->prop[b->u.sa.first + i];
		if (pa->num != pb->num || pa->proto != pb->proto || !view_eq(pa->spi, pb->spi) ||
		    pa->xf_n != pb->xf_n)
			return "SA proposal";
		for (size_t j = 0; j < pa->xf_n; j++) {
			const struct ike_transform *xa = &ma->xf[pa->xf_first + j];
			const struct ike_transform *xb = &mb->xf[pb->xf_first + j];
			if (xa->type != xb->type || xa->id != xb->id || xa->key_len != xb->key_len)
				return "SA transform";
		}
	}
	return NULL;
}

static const char *ts_equal(const struct ike_msg *ma, const struct ike_pld *a,
			    const struct ike_msg *mb, const struct ike_pld *b)
{
	if (a->u.ts.n != b->u.ts.n)
		return "TS count";
	for (size_t i = 0; i < a->u.ts.n; i++) {
		const struct ike_ts *ta = &ma->ts[a->u.ts.first + i];
		const struct ike_ts *tb = &mb->ts[b->u.ts.first + i];
		if (ta->type != tb->type || ta->ip_proto != tb->ip_proto ||
		    ta->port_start != tb->port_start || ta->port_end != tb->port_end ||
		    memcmp(ta->addr_start, tb->addr_start, sizeof(ta->addr_start)) != 0 ||
		    memcmp(ta->addr_end, tb->addr_end, sizeof(ta->addr_end)) != 0 ||
		    !view_eq(ta->raw, tb->raw))
			return "traffic selector";
	}
	return NULL;
}

static const char *cp_equal(const struct ike_msg *ma, const struct ike_pld *a,
			    const struct ike_msg *mb, const struct ike_pld *b)
{
	if (a->u.cp.cfg_type != b->u.cp.cfg_type || a->u.cp.n != b->u.cp.n)
		return "CP type or count";
	for (size_t i = 0; i < a->u.cp.n; i++) {
		const struct ike_cp_attr *ca = &ma->cp[a->u.cp.first + i];
		const struct ike_cp_attr *cb = &mb->cp[b->u.cp.first + i];
		if (ca->type != cb->type || !view_eq(ca->value, cb->value))
			return "CP attribute";
	}
	return NULL;
}

static const char *pld_equal(const struct ike_msg *ma, const struct ike_pld *a,
			     const struct ike_msg *mb, const struct ike_pld *b)
{
	if (a->type != b->type || a->inner != b->inner)
		return "payload type";
	switch (a->type) {
	case IKE_PLD_SA:
		return sa_equal(ma, a, mb, b);
	case IKE_PLD_TSI:
	case IKE_PLD_TSR:
		return ts_equal(ma, a, mb, b);
	case IKE_PLD_CP:
		return cp_equal(ma, a, mb, b);
	case IKE_PLD_KE:
		return a->u.ke.group == b->u.ke.group && view_eq(a->u.ke.data, b->u.ke.data)
			       ? NULL : "KE";
	case IKE_PLD_IDI:
	case IKE_PLD_IDR:
		return a->u.id.type == b->u.id.type && view_eq(a->u.id.data, b->u.id.data)
			       ? NULL : "ID";
	case IKE_PLD_CERT:
	case IKE_PLD_CERTREQ:
		return a->u.cert.encoding == b->u.cert.encoding &&
				       view_eq(a->u.cert.data, b->u.cert.data)
			       ? NULL : "CERT";
	case IKE_PLD_AUTH:
		return a->u.auth.method == b->u.auth.method &&
				       view_eq(a->u.auth.data, b->u.auth.data)
			       ? NULL : "AUTH";
	case IKE_PLD_NOTIFY:
		return a->u.notify.proto == b->u.notify.proto &&
				       a->u.notify.type == b->u.notify.type &&
				       view_eq(a->u.notify.spi, b->u.notify.spi) &&
				       view_eq(a->u.notify.data, b->u.notify.data)
			       ? NULL : "Notify";
	case IKE_PLD_DELETE:
		return a->u.del.proto == b->u.del.proto && a->u.del.spi_size == b->u.del.spi_size &&
				       a->u.del.n_spi == b->u.del.n_spi &&
				       view_eq(a->u.del.spis, b->u.del.spis)
			       ? NULL : "Delete";
	case IKE_PLD_SK:
	case IKE_PLD_SKF:
		return a->u.sk.inner_np == b->u.sk.inner_np &&
				       a->u.sk.frag_num == b->u.sk.frag_num &&
				       a->u.sk.frag_total == b->u.sk.frag_total
			       ? NULL : "SK";
	default: /* Nonce, Vendor ID, EAP */
		return view_eq(a->u.data, b->u.data) ? NULL : "payload data";
	}
}

const char *ike_msg_equal(const struct ike_msg *a, const struct ike_msg *b)
{
	if (a->hdr.ispi != b->hdr.ispi || a->hdr.rspi != b->hdr.rspi ||
	    a->hdr.version >> 4 != b->hdr.version >> 4 ||
	    a->hdr.exchange != b->hdr.exchange || a->hdr.flags != b->hdr.flags ||
	    a->hdr.msg_id != b->hdr.msg_id)
		return "IKE header";
	if (a->n_pld != b->n_pld)
		return "payload count";
	for (size_t i = 0; i < a->n_pld; i++) {
		const char *diff = pld_equal(a, &a->pld[i], b, &b->pld[i]);
		if (diff != NULL)
			return diff;
	}
	return NULL;
}

/* Whether the builder can write back everything a holds (it drops unknown payloads and
 * transform attributes). */
static bool lossless(const struct ike_msg *a)
{
	for (size_t i = 0; i < a->n_xf; i++)
		if (a->xf[i].n_unknown_attrs != 0)
			return false;
	return a->n_skipped == 0;
}

/* Rebuild every payload of a into b; SK/SKF get their body back as raw inner bytes. */
static enum ike_msg_err rebuild(struct ike_build *b, const struct ike_msg *a)
{
	for (size_t i = 0; i < a->n_pld; i++) {
		const struct ike_pld *p = &a->pld[i];
		struct ike_sk_layout lay;

		if (p->type == IKE_PLD_SK || p->type == IKE_PLD_SKF) {
			if (p->type == IKE_PLD_SK)
				ike_build_sk_begin(b, 0);
			else
				ike_build_skf_begin(b, p->u.sk.frag_num, p->u.sk.frag_total, 0);
			ike_build_sk_raw(b, p->u.sk.inner_np, p->u.sk.body);
			ike_build_sk_end(b, 1, 0, &lay);
		} else {
			ike_build_copy(b, a, p);
		}
	}
	return b->err;
}

const char *ike_msg_recode_check(const uint8_t *dgram, size_t len)
{
	static struct ike_msg a, b;
	struct ike_build bld;
	const char *diff = NULL;
	size_t out_len;

	if (ike_msg_decode(dgram, len, &a) != IKE_MSG_E_OK)
		return NULL;
	const struct ike_pld *last = a.n_pld ? &a.pld[a.n_pld - 1] : NULL;
	bool has_sk = last && (last->type == IKE_PLD_SK || last->type == IKE_PLD_SKF);
	/* The extra pad length octet would not fit a 16-bit payload length. */
	if (has_sk && last->len == UINT16_MAX)
		return NULL;
	uint8_t *out = malloc(len + 1);
	if (out == NULL)
		abort();
	ike_build_init(&bld, out, len + 1, &a.hdr);
	if (rebuild(&bld, &a) != IKE_MSG_E_OK || ike_build_finish(&bld, &out_len) != IKE_MSG_E_OK)
		diff = "decoded message does not re-encode";
	else if (out_len != len + has_sk && lossless(&a))
		diff = "re-encoded length";
	else if (ike_msg_decode(out, out_len, &b) != IKE_MSG_E_OK)
		diff = "re-encoded message does not decode";
	else
		diff = ike_msg_equal(&a, &b);
	if (diff == NULL && has_sk) {
		const struct ike_sk *sa = &a.pld[a.n_pld - 1].u.sk, *sb = &b.pld[b.n_pld - 1].u.sk;
		if (sb->body.len != sa->body.len + 1 ||
		    memcmp(sb->body.ptr, sa->body.ptr, sa->body.len) != 0 ||
		    sb->body.ptr[sa->body.len] != 0)
			diff = "SK body";
	}
	free(out);
	return diff;
}

const char *ike_msg_recode_inner_check(const uint8_t *plain, size_t len, uint8_t first_np)
{
	static struct ike_msg a, b;
	struct ike_build bld;
	const char *diff = NULL;
	size_t out_len;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	if (ike_msg_decode_inner(&a, plain, len, first_np) != IKE_MSG_E_OK)
		return NULL;
	uint8_t *out = malloc(len + 1);
	if (out == NULL)
		abort();
	ike_build_init_chain(&bld, out, len + 1);
	if (rebuild(&bld, &a) != IKE_MSG_E_OK || ike_build_finish(&bld, &out_len) != IKE_MSG_E_OK)
		diff = "decoded inner chain does not re-encode";
	else if (out_len != len && lossless(&a))
		diff = "re-encoded inner length";
	else if (ike_msg_decode_inner(&b, out, out_len, bld.first_np) != IKE_MSG_E_OK)
		diff = "re-encoded inner chain does not decode";
	else
		diff = ike_msg_equal(&a, &b);
	free(out);
	return diff;
}
