/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Several Child SAs per IKE SA (RFC 7296 §1.3.1).  The first lives in the
 * IKE SA's own fields, the others in slots; an exchange about one of them
 * swaps it (and its configured selectors) into those fields, runs the
 * single-Child code of ike_sa_child.c / ike_sa_info.c, and swaps it back.
 * Our one outstanding request (window 1) remembers its Child SA (req_slot);
 * a §2.8 collision is recognised only on that one, the peer's rekey of
 * another meanwhile gets TEMPORARY_FAILURE (§2.25).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "ike_msg_be.h"
#include "ike_sa_int.h"

#define SWAP(a, b)                                                                         \
	do {                                                                               \
		__typeof__(a) t_ = (a);                                                    \
		(a) = (b);                                                                 \
		(b) = t_;                                                                  \
	} while (0)

/* Trade Child SA i (>= 1) with the one in the IKE SA's fields; again undoes it. */
static void swap_slot(struct ike_sa *sa, size_t i)
{
	struct ike_child_slot *s = &sa->slots[i - 1];

	SWAP(s->child, sa->child);
	SWAP(s->old_child, sa->old_child);
	SWAP(s->child_spi_in, sa->child_spi_in);
	SWAP(s->has_child, sa->has_child);
	SWAP(s->has_old, sa->has_old);
	SWAP(s->old_by_us, sa->old_by_us);
	SWAP(s->deleting_old, sa->deleting_old);
	SWAP(s->local_ts, sa->cfg.local_ts);
	SWAP(s->remote_ts, sa->cfg.remote_ts);
	sa->cur_slot = sa->cur_slot == 0 ? (uint8_t)i : 0;
}

static bool slot_used(const struct ike_child_slot *s)
{
	return s->has_child || s->has_old;
}

/* A free slot given the selectors of configured pair k; 0 when none. */
static size_t take_slot(struct ike_sa *sa, size_t k)
{
	for (size_t i = 1; i < IKE_CHILDREN_MAX; i++) {
		struct ike_child_slot *s = &sa->slots[i - 1];

		if (slot_used(s))
			continue;
		OPENSSL_cleanse(s, sizeof(*s));
		s->cfg_k = (uint8_t)k;
		s->local_ts = k == 0 ? sa->cfg.local_ts : sa->cfg.more_local[k - 1];
		s->remote_ts = k == 0 ? sa->cfg.remote_ts : sa->cfg.more_remote[k - 1];
		return i;
	}
	return 0;
}

/* Whether configured pair k (0: local_ts/remote_ts) holds a Child SA. */
static bool pair_held(const struct ike_sa *sa, size_t k)
{
	if (k == 0 && (sa->has_child || sa->has_old))
		return true;
	for (size_t i = 1; i < IKE_CHILDREN_MAX; i++)
		if (slot_used(&sa->slots[i - 1]) && sa->slots[i - 1].cfg_k == k && k != 0)
			return true;
	return false;
}

/* The first configured pair not holding a Child SA whose selectors the
 * request's TSi/TSr narrow into; -1 when none does. */
static int pair_for_request(struct ike_sa *sa)
{
	const struct ike_pld *ip = ike_msg_find(&sa->m, IKE_PLD_TSI, NULL);
	const struct ike_pld *rp = ike_msg_find(&sa->m, IKE_PLD_TSR, NULL);
	struct ike_tsv t;

	if (ip == NULL || rp == NULL)
		return -1;
	for (size_t k = 1; k <= sa->cfg.n_more; k++) {
		if (pair_held(sa, k))
			continue;
		/* TSi is the initiator's side: our remote selectors. */
		if (ike_ts_narrow(&sa->m, ip->u.ts.first, ip->u.ts.n, &sa->cfg.more_remote[k - 1],
				  &t) &&
		    ike_ts_narrow(&sa->m, rp->u.ts.first, rp->u.ts.n, &sa->cfg.more_local[k - 1], &t))
			return (int)k;
	}
	return -1;
}

/* The slot whose current or old Child SA has outbound SPI spi; 0 when none. */
static size_t slot_of_out_spi(const struct ike_sa *sa, uint32_t spi)
{
	for (size_t i = 1; i < IKE_CHILDREN_MAX; i++) {
		const struct ike_child_slot *s = &sa->slots[i - 1];

		if ((s->has_child && s->child.spi_out == spi) ||
		    (s->has_old && s->old_child.spi_out == spi))
			return i;
	}
	return 0;
}

/* The Child SA a CREATE_CHILD_SA request concerns: the one REKEY_SA names, or
 * for a new one a free slot of a configured pair it fits; 0 (the first)
 * otherwise, whose code answers as for a single Child SA. */
static size_t request_slot(struct ike_sa *sa)
{
	const struct ike_pld *n = ike_msg_find_notify(&sa->m, IKE_N_REKEY_SA);

	if (ike_rekey_ike_asked(sa))
		return 0;
	if (n != NULL)
		return n->u.notify.proto == IKE_PROTO_ESP && n->u.notify.spi.len == 4
			       ? slot_of_out_spi(sa, ike_get32(n->u.notify.spi.ptr))
			       : 0;
	if (!sa->has_child && !sa->has_old)
		return 0; /* in place of a deleted first Child SA */
	int k = pair_for_request(sa);
	return k < 0 ? 0 : take_slot(sa, (size_t)k);
}

int ike_children_request(struct ike_sa *sa, struct ike_dgram *out)
{
	size_t i = request_slot(sa);

	if (i == 0)
		return ike_child_request(sa, out);
	swap_slot(sa, i);
	int rc = ike_child_request(sa, out);
	swap_slot(sa, i);
	return rc;
}

int ike_children_response(struct ike_sa *sa, uint64_t now, struct ike_dgram *out)
{
	size_t i = sa->ike_rekeying ? 0 : sa->req_slot;

	if (i == 0)
		return ike_child_response(sa, now, out);
	swap_slot(sa, i);
	int rc = ike_child_response(sa, now, out);
	swap_slot(sa, i);
	return rc;
}

int ike_children_info_response(struct ike_sa *sa)
{
	size_t i = sa->deleting ? 0 : sa->req_slot;

	if (i == 0)
		return ike_info_response(sa);
	swap_slot(sa, i);
	int rc = ike_info_response(sa);
	swap_slot(sa, i);
	return rc;
}

bool ike_children_peer_delete(struct ike_sa *sa, uint32_t peer_spi, uint32_t *ours)
{
	size_t i = slot_of_out_spi(sa, peer_spi);

	if (i == 0)
		return ike_child_peer_delete(sa, peer_spi, ours);
	swap_slot(sa, i);
	bool ok = ike_child_peer_delete(sa, peer_spi, ours);
	swap_slot(sa, i);
	return ok;
}

bool ike_children_switching(const struct ike_sa *sa)
{
	for (size_t i = 1; i < IKE_CHILDREN_MAX; i++)
		if (sa->slots[i - 1].has_old)
			return true;
	return sa->has_old;
}

void ike_children_move(struct ike_sa *from, struct ike_sa *to)
{
	memcpy(to->slots, from->slots, sizeof(to->slots));
	to->more_tried = from->more_tried;
	OPENSSL_cleanse(from->slots, sizeof(from->slots));
}

const struct ike_child_sa *ike_sa_child_n(const struct ike_sa *sa, size_t i)
{
	if (i == 0)
		return ike_sa_child(sa);
	if (i >= IKE_CHILDREN_MAX || sa->state != IKE_SA_ESTABLISHED ||
	    !sa->slots[i - 1].has_child)
		return NULL;
	return &sa->slots[i - 1].child;
}

const struct ike_child_sa *ike_sa_old_child_n(const struct ike_sa *sa, size_t i)
{
	if (i == 0)
		return ike_sa_old_child(sa);
	if (i >= IKE_CHILDREN_MAX || sa->state != IKE_SA_ESTABLISHED || !sa->slots[i - 1].has_old)
		return NULL;
	return &sa->slots[i - 1].old_child;
}

bool ike_sa_rekey_ours_n(const struct ike_sa *sa, size_t i)
{
	return i == 0 ? sa->old_by_us : i < IKE_CHILDREN_MAX && sa->slots[i - 1].old_by_us;
}

int ike_sa_rekey_child_n(struct ike_sa *sa, size_t i, uint64_t now_ms, struct ike_dgram *out)
{
	if (i == 0)
		return ike_sa_rekey_child(sa, now_ms, out);
	if (i >= IKE_CHILDREN_MAX)
		return -1;
	swap_slot(sa, i);
	int rc = ike_sa_rekey_child(sa, now_ms, out);
	swap_slot(sa, i);
	return rc;
}

int ike_sa_next_child(struct ike_sa *sa, uint64_t now_ms, struct ike_dgram *out)
{
	size_t k = 1;

	while (k <= sa->cfg.n_more && (sa->more_tried & (1u << k)))
		k++;
	if (k > sa->cfg.n_more)
		return 0;
	if (sa->state != IKE_SA_ESTABLISHED || sa->req_pending || sa->has_coll ||
	    sa->ike_rekeyed)
		return -1;
	size_t i = take_slot(sa, k);
	if (i == 0)
		return 0;
	swap_slot(sa, i);
	int rc = ike_sa_create_child(sa, now_ms, out);
	swap_slot(sa, i);
	if (rc == 1)
		sa->more_tried |= 1u << k;
	return rc;
}
