/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SA payload: proposals -> transforms -> attributes (RFC 7296 3.3).  Each level is a list
 * of substructures with a "last substruc" byte and its own length; both must agree with the
 * bytes the enclosing structure leaves, and every count with what was actually found.
 */
#include "ike_msg_be.h"
#include "ike_msg_dec.h"
#include "ike_msg_rules.h"

#define PROPOSAL_HDR_LEN 8u
#define TRANSFORM_HDR_LEN 8u
#define ATTR_HDR_LEN 4u
#define LAST_SUBSTRUC 0u
#define MORE_PROPOSALS 2u
#define MORE_TRANSFORMS 3u

/* Transform attributes: only Key Length is defined for IKEv2, and only in TV form. */
static enum ike_msg_err decode_attrs(struct ike_dec *d, struct ike_transform *xf,
				     const uint8_t *p, size_t rem)
{
	while (rem > 0) {
		if (rem < ATTR_HDR_LEN)
			return ike_dec_fail(d, p, IKE_MSG_E_BAD_ATTRIBUTE);
		uint16_t af_type = ike_get16(p);
		uint16_t type = af_type & (uint16_t)~IKE_ATTR_TV;
		size_t alen = ATTR_HDR_LEN;

		if (af_type & IKE_ATTR_TV) {
			if (type == IKE_ATTR_KEY_LENGTH) {
				uint16_t bits = ike_get16(p + 2);
				/* A repeated or zero key length is ambiguous: refuse it. */
				if (xf->key_len != 0 || bits == 0)
					return ike_dec_fail(d, p, IKE_MSG_E_BAD_ATTRIBUTE);
				xf->key_len = bits;
			} else if (xf->n_unknown_attrs < UINT8_MAX) {
				xf->n_unknown_attrs++;
			}
		} else {
			size_t vlen = ike_get16(p + 2);
			if (type == IKE_ATTR_KEY_LENGTH || vlen > rem - ATTR_HDR_LEN)
				return ike_dec_fail(d, p, IKE_MSG_E_BAD_ATTRIBUTE);
			alen += vlen;
			if (xf->n_unknown_attrs < UINT8_MAX)
				xf->n_unknown_attrs++;
		}
		p += alen;
		rem -= alen;
	}
	return IKE_MSG_E_OK;
}

static enum ike_msg_err decode_transforms(struct ike_dec *d, struct ike_proposal *prop,
					  const uint8_t *p, size_t rem, uint8_t claimed)
{
	struct ike_msg *m = d->m;
	uint8_t last = MORE_TRANSFORMS;

	prop->xf_first = m->n_xf;
	prop->xf_n = 0;
	while (rem > 0) {
		if (last != MORE_TRANSFORMS)
			return ike_dec_fail(d, p, IKE_MSG_E_BAD_SUBSTRUC);
		if (rem < TRANSFORM_HDR_LEN)
			return ike_dec_fail(d, p, IKE_MSG_E_BAD_TRANSFORM_LENGTH);
		last = p[0];
		size_t tlen = ike_get16(p + 2);
		if (last != LAST_SUBSTRUC && last != MORE_TRANSFORMS)
			return ike_dec_fail(d, p, IKE_MSG_E_BAD_SUBSTRUC);
		if (tlen < TRANSFORM_HDR_LEN || tlen > rem)
			return ike_dec_fail(d, p, IKE_MSG_E_BAD_TRANSFORM_LENGTH);
		if (prop->xf_n == claimed)
			return ike_dec_fail(d, p, IKE_MSG_E_BAD_TRANSFORM_COUNT);
		if (m->n_xf == IKE_MSG_MAX_TRANSFORMS)
			return ike_dec_fail(d, p, IKE_MSG_E_TOO_MANY_TRANSFORMS);
		struct ike_transform *xf = &m->xf[m->n_xf];
		xf->type = p[4];
		xf->id = ike_get16(p + 6);
		xf->key_len = 0;
		xf->n_unknown_attrs = 0;
		enum ike_msg_err err = decode_attrs(d, xf, p + TRANSFORM_HDR_LEN,
						    tlen - TRANSFORM_HDR_LEN);
		if (err != IKE_MSG_E_OK)
			return err;
		m->n_xf++;
		prop->xf_n++;
		p += tlen;
		rem -= tlen;
	}
	if (prop->xf_n != claimed)
		return ike_dec_fail(d, p, IKE_MSG_E_BAD_TRANSFORM_COUNT);
	if (prop->xf_n > 0 && last != LAST_SUBSTRUC)
		return ike_dec_fail(d, p, IKE_MSG_E_BAD_SUBSTRUC);
	return IKE_MSG_E_OK;
}

enum ike_msg_err ike_dec_sa(struct ike_dec *d, struct ike_pld *pld, struct ike_view body)
{
	struct ike_msg *m = d->m;
	const uint8_t *p = body.ptr;
	size_t rem = body.len;
	uint8_t last = MORE_PROPOSALS;

	pld->u.sa.first = m->n_prop;
	pld->u.sa.n = 0;
	if (rem == 0)
		return ike_dec_fail(d, p, IKE_MSG_E_NO_PROPOSALS);
	while (rem > 0) {
		if (last != MORE_PROPOSALS)
			return ike_dec_fail(d, p, IKE_MSG_E_BAD_SUBSTRUC);
		if (rem < PROPOSAL_HDR_LEN)
			return ike_dec_fail(d, p, IKE_MSG_E_BAD_PROPOSAL_LENGTH);
		last = p[0];
		size_t plen = ike_get16(p + 2);
		size_t spi_size = p[6];
		if (last != LAST_SUBSTRUC && last != MORE_PROPOSALS)
			return ike_dec_fail(d, p, IKE_MSG_E_BAD_SUBSTRUC);
		if (plen < PROPOSAL_HDR_LEN || plen > rem)
			return ike_dec_fail(d, p, IKE_MSG_E_BAD_PROPOSAL_LENGTH);
		if (!ike_rule_spi_size(spi_size) || spi_size > plen - PROPOSAL_HDR_LEN)
			return ike_dec_fail(d, p, IKE_MSG_E_BAD_SPI_SIZE);
		if (m->n_prop == IKE_MSG_MAX_PROPOSALS)
			return ike_dec_fail(d, p, IKE_MSG_E_TOO_MANY_PROPOSALS);
		struct ike_proposal *prop = &m->prop[m->n_prop];
		prop->num = p[4];
		prop->proto = p[5];
		prop->spi = (struct ike_view){p + PROPOSAL_HDR_LEN, spi_size};
		size_t head = PROPOSAL_HDR_LEN + spi_size;
		enum ike_msg_err err = decode_transforms(d, prop, p + head, plen - head, p[7]);
		if (err != IKE_MSG_E_OK)
			return err;
		m->n_prop++;
		pld->u.sa.n++;
		p += plen;
		rem -= plen;
	}
	if (last != LAST_SUBSTRUC)
		return ike_dec_fail(d, p, IKE_MSG_E_BAD_SUBSTRUC);
	return IKE_MSG_E_OK;
}
