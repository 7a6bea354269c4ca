/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the two exchanges negotiate: proposals (RFC 7296 §3.3), traffic
 * selectors (§2.9), NAT detection hashes (§2.23) and Child SA keys (§2.17).
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ike_msg_be.h"
#include "ike_sa_int.h"

#define ESN_NONE 0

static void add_xf(struct ike_transform *xf, size_t *n, uint8_t type, uint16_t id,
		   uint16_t key_len)
{
	xf[(*n)++] = (struct ike_transform){.type = type, .id = id, .key_len = key_len};
}

size_t ike_props_encode(const struct ike_prop *cfg, size_t n, bool esp, const uint8_t *spi,
			struct ike_proposal *p, struct ike_transform *xf, size_t *n_xf)
{
	return ike_props_encode_spi(cfg, n, esp ? IKE_PROTO_ESP : IKE_PROTO_IKE,
				    (struct ike_view){spi, esp ? 4 : 0}, false, p, xf, n_xf);
}

size_t ike_props_encode_spi(const struct ike_prop *cfg, size_t n, uint8_t proto,
			    struct ike_view spi, bool esp_dh, struct ike_proposal *p,
			    struct ike_transform *xf, size_t *n_xf)
{
	bool esp = proto == IKE_PROTO_ESP;
	size_t k = 0;

	for (size_t i = 0; i < n && i < IKE_CFG_MAX_PROPS; i++) {
		const struct ike_prop *c = &cfg[i];
		size_t first = k;

		add_xf(xf, &k, IKE_XF_ENCR, c->encr, c->encr_key_bits);
		if (!esp)
			add_xf(xf, &k, IKE_XF_PRF, c->prf, 0);
		if (c->integ != IKE_INTEG_NONE)
			add_xf(xf, &k, IKE_XF_INTEG, c->integ, 0);
		/* §1.2: ESP proposals in IKE_AUTH carry no DH; in CREATE_CHILD_SA
		 * the group asks for PFS. */
		if (!esp || (esp_dh && c->dh != 0))
			add_xf(xf, &k, IKE_XF_DH, c->dh, 0);
		if (esp)
			add_xf(xf, &k, IKE_XF_ESN, ESN_NONE, 0);
		p[i] = (struct ike_proposal){
			.num = (uint8_t)(i + 1),
			.proto = proto,
			.spi = spi,
			.xf_first = (uint16_t)first,
			.xf_n = (uint16_t)(k - first),
		};
	}
	*n_xf = k;
	return n < IKE_CFG_MAX_PROPS ? n : IKE_CFG_MAX_PROPS;
}

/* Does proposal p offer a transform of type with id (and key length)?  A type
 * the proposal does not list at all matches want_absent. */
static bool offers(const struct ike_msg *m, const struct ike_proposal *p, uint8_t type,
		   uint16_t id, uint16_t key_len, bool want_absent)
{
	bool listed = false;

	for (uint16_t i = 0; i < p->xf_n; i++) {
		const struct ike_transform *t = &m->xf[p->xf_first + i];

		if (t->type != type)
			continue;
		listed = true;
		/* §3.3.6: an attribute we do not know makes the transform unusable. */
		if (t->id == id && t->key_len == key_len && t->n_unknown_attrs == 0)
			return true;
	}
	return !listed && want_absent;
}

/* §3.3.6: every transform type must be one we understand for the protocol. */
static bool known_types(const struct ike_msg *m, const struct ike_proposal *p, bool esp)
{
	for (uint16_t i = 0; i < p->xf_n; i++) {
		uint8_t t = m->xf[p->xf_first + i].type;

		if (esp ? (t != IKE_XF_ENCR && t != IKE_XF_INTEG && t != IKE_XF_ESN && t != IKE_XF_DH)
			: (t != IKE_XF_ENCR && t != IKE_XF_PRF && t != IKE_XF_INTEG && t != IKE_XF_DH))
			return false;
	}
	return true;
}

static bool prop_matches(const struct ike_msg *m, const struct ike_proposal *p, bool esp,
			 const struct ike_prop *c)
{
	if (!known_types(m, p, esp) || !offers(m, p, IKE_XF_ENCR, c->encr, c->encr_key_bits, false))
		return false;
	/* AEAD: no integrity transform, or "NONE" (§3.3.3). */
	if (c->integ == IKE_INTEG_NONE) {
		if (!offers(m, p, IKE_XF_INTEG, IKE_INTEG_NONE, 0, true))
			return false;
	} else if (!offers(m, p, IKE_XF_INTEG, c->integ, 0, false)) {
		return false;
	}
	if (esp) {
		/* No ESN here (strongSwan's libipsec has none either). */
		if (!offers(m, p, IKE_XF_ESN, ESN_NONE, 0, true))
			return false;
		/* §1.2: IKE_AUTH has no KE, so a DH transform there means nothing
		 * (a peer should send none; one that lists its PFS group anyway is
		 * not refused for it); in CREATE_CHILD_SA the groups must agree. */
		if (m->hdr.exchange == IKE_EXCH_AUTH)
			return true;
		if (c->dh == 0)
			return offers(m, p, IKE_XF_DH, 0, 0, true);
		return offers(m, p, IKE_XF_DH, c->dh, 0, false);
	}
	return offers(m, p, IKE_XF_PRF, c->prf, 0, false) && offers(m, p, IKE_XF_DH, c->dh, 0, false);
}

int ike_props_select(const struct ike_msg *m, uint16_t sa_first, uint16_t sa_n, uint8_t proto,
		     const struct ike_prop *cfg, size_t n, struct ike_prop *chosen,
		     const struct ike_proposal **peer_prop)
{
	bool esp = proto == IKE_PROTO_ESP;

	for (uint16_t i = 0; i < sa_n; i++) {
		const struct ike_proposal *p = &m->prop[sa_first + i];

		/* An IKE proposal names the new IKE SA's SPI when it rekeys one (§1.3.2). */
		size_t spi_len = esp ? 4u : m->hdr.exchange == IKE_EXCH_CREATE_CHILD_SA ? 8u : 0u;

		if (p->proto != proto || p->spi.len != spi_len)
			continue;
		for (size_t j = 0; j < n; j++) {
			if (prop_matches(m, p, esp, &cfg[j])) {
				*chosen = cfg[j];
				if (esp && m->hdr.exchange == IKE_EXCH_AUTH)
					chosen->dh = 0; /* the first Child SA has no DH (§1.2) */
				*peer_prop = p;
				return (int)i;
			}
		}
	}
	return -1;
}

void ike_ts_to_wire(const struct ike_tsv *t, struct ike_ts *w)
{
	memset(w, 0, sizeof(*w));
	w->type = IKE_TS_IPV4_ADDR_RANGE;
	w->ip_proto = t->proto;
	w->port_start = t->port_lo;
	w->port_end = t->port_hi;
	ike_put32(w->addr_start, t->start);
	ike_put32(w->addr_end, t->end);
}

static uint32_t max32(uint32_t a, uint32_t b) { return a > b ? a : b; }
static uint32_t min32(uint32_t a, uint32_t b) { return a < b ? a : b; }

bool ike_ts_narrow(const struct ike_msg *m, uint16_t first, uint16_t n,
		   const struct ike_tsv *ours, struct ike_tsv *out)
{
	/* The first selector that overlaps ours, cut down to the overlap (§2.9). */
	for (uint16_t i = 0; i < n; i++) {
		const struct ike_ts *t = &m->ts[first + i];

		if (t->type != IKE_TS_IPV4_ADDR_RANGE)
			continue;
		if (t->ip_proto != 0 && ours->proto != 0 && t->ip_proto != ours->proto)
			continue;
		uint32_t s = max32(ike_get32(t->addr_start), ours->start);
		uint32_t e = min32(ike_get32(t->addr_end), ours->end);
		uint32_t pl = max32(t->port_start, ours->port_lo);
		uint32_t ph = min32(t->port_end, ours->port_hi);
		if (s > e || pl > ph)
			continue;
		*out = (struct ike_tsv){
			.proto = ours->proto != 0 ? ours->proto : t->ip_proto,
			.port_lo = (uint16_t)pl,
			.port_hi = (uint16_t)ph,
			.start = s,
			.end = e,
		};
		return true;
	}
	return false;
}

int ike_natd_hash(uint64_t spi_i, uint64_t spi_r, uint32_t ip, uint16_t port, uint8_t out[20])
{
	uint8_t in[8 + 8 + 4 + 2];
	unsigned int len = 0;

	ike_put64(in, spi_i);
	ike_put64(in + 8, spi_r);
	memcpy(in + 16, &ip, 4); /* already in network order */
	ike_put16(in + 20, port);
	return EVP_Digest(in, sizeof(in), out, &len, EVP_sha1(), NULL) == 1 && len == 20 ? 0 : -1;
}

int ike_child_derive(struct ike_sa *sa, bool init)
{
	struct ike_child_keys k;
	struct ike_child_sa *c = &sa->child;
	/* §2.17: with PFS, g^ir (ike_sa_pfs.c put it in sa->gir) goes in front. */
	struct ike_buf gir = {sa->gir, c->dh != 0 ? sa->gir_len : 0};

	if (c->dh != 0 && sa->gir_len == 0)
		return ike_sa_drop(sa, IKE_SA_DROP_INVALID_KE);
	int rc = ike_child_keys_derive(sa->suite.prf, &sa->keys.d, c->encr, c->encr_key_bits,
				       c->integ, gir, (struct ike_buf){sa->ni, sa->ni_len},
				       (struct ike_buf){sa->nr, sa->nr_len}, &k);
	OPENSSL_cleanse(sa->gir, sizeof(sa->gir));
	sa->gir_len = 0;
	if (rc != IKE_CRYPTO_OK) {
		ike_child_keys_wipe(&k);
		return ike_sa_drop(sa, IKE_SA_DROP_INTERNAL);
	}
	/* KEYMAT's first half protects traffic from the initiator of the exchange
	 * that created the Child SA (§2.17: IKE_AUTH or CREATE_CHILD_SA). */
	c->encr_out = init ? k.ei : k.er;
	c->integ_out = init ? k.ai : k.ar;
	c->encr_in = init ? k.er : k.ei;
	c->integ_in = init ? k.ar : k.ai;
	ike_child_keys_wipe(&k);
	c->spi_in = sa->child_spi_in;
	c->udp_encap = sa->nat_local || sa->nat_remote;
	c->local_ip = sa->cfg.local_ip;
	c->remote_ip = sa->remote_ip;
	c->local_port = sa->local_port;
	c->remote_port = sa->remote_port;
	sa->has_child = true;
	return 0;
}
