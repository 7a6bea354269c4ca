/* SPDX-License-Identifier: BSD-3-Clause */
/* SA payload encoder: sizes and checks every proposal first, then writes (RFC 7296 3.3). */
#include <string.h>

#include "ike_msg_be.h"
#include "ike_msg_bld.h"
#include "ike_msg_rules.h"

#define PROPOSAL_HDR_LEN 8u
#define TRANSFORM_HDR_LEN 8u
#define KEY_LENGTH_ATTR_LEN 4u
#define LAST_SUBSTRUC 0u
#define MORE_PROPOSALS 2u
#define MORE_TRANSFORMS 3u

static size_t transform_len(const struct ike_transform *xf)
{
	return TRANSFORM_HDR_LEN + (xf->key_len != 0 ? KEY_LENGTH_ATTR_LEN : 0);
}

/* Length of proposal p, or 0 with b->err set when a field cannot be encoded. */
static size_t proposal_len(struct ike_build *b, const struct ike_proposal *p,
			   const struct ike_transform *xf)
{
	if (!ike_rule_spi_size(p->spi.len)) {
		ike_build_fail(b, IKE_MSG_E_BAD_SPI_SIZE);
		return 0;
	}
	/* The count is one octet, and the decoder's table holds IKE_MSG_MAX_TRANSFORMS. */
	if (p->xf_n > UINT8_MAX || p->xf_n > IKE_MSG_MAX_TRANSFORMS) {
		ike_build_fail(b, IKE_MSG_E_TOO_MANY_TRANSFORMS);
		return 0;
	}
	size_t len = PROPOSAL_HDR_LEN + p->spi.len;
	for (size_t i = 0; i < p->xf_n; i++)
		len += transform_len(&xf[p->xf_first + i]);
	if (len > UINT16_MAX) {
		ike_build_fail(b, IKE_MSG_E_BAD_PROPOSAL_LENGTH);
		return 0;
	}
	return len;
}

static uint8_t *write_transform(uint8_t *w, const struct ike_transform *xf, bool last)
{
	size_t len = transform_len(xf);

	w[0] = last ? LAST_SUBSTRUC : MORE_TRANSFORMS;
	w[1] = 0;
	ike_put16(w + 2, (uint16_t)len);
	w[4] = xf->type;
	w[5] = 0;
	ike_put16(w + 6, xf->id);
	if (xf->key_len != 0) {
		ike_put16(w + 8, IKE_ATTR_TV | IKE_ATTR_KEY_LENGTH);
		ike_put16(w + 10, xf->key_len);
	}
	return w + len;
}

enum ike_msg_err ike_build_sa(struct ike_build *b, const struct ike_proposal *p, size_t n,
			      const struct ike_transform *xf)
{
	if (n == 0)
		return ike_build_fail(b, IKE_MSG_E_NO_PROPOSALS);
	if (n > IKE_MSG_MAX_PROPOSALS)
		return ike_build_fail(b, IKE_MSG_E_TOO_MANY_PROPOSALS);
	size_t total = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len = proposal_len(b, &p[i], xf);
		if (len == 0)
			return b->err;
		total += len; /* at most 32 * 65535: no overflow */
	}
	uint8_t *w = ike_build_reserve(b, IKE_PLD_SA, total);
	if (w == NULL)
		return b->err;
	for (size_t i = 0; i < n; i++) {
		w[0] = i + 1 == n ? LAST_SUBSTRUC : MORE_PROPOSALS;
		w[1] = 0;
		ike_put16(w + 2, (uint16_t)proposal_len(b, &p[i], xf));
		w[4] = p[i].num;
		w[5] = p[i].proto;
		w[6] = (uint8_t)p[i].spi.len;
		w[7] = (uint8_t)p[i].xf_n;
		w += PROPOSAL_HDR_LEN;
		if (p[i].spi.len > 0)
			memcpy(w, p[i].spi.ptr, p[i].spi.len);
		w += p[i].spi.len;
		for (size_t j = 0; j < p[i].xf_n; j++)
			w = write_transform(w, &xf[p[i].xf_first + j], j + 1 == p[i].xf_n);
	}
	return IKE_MSG_E_OK;
}
