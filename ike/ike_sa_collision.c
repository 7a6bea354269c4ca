/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Simultaneous rekeying (RFC 7296 §2.8.1, §2.8.2): when both ends rekey the
 * same SA at once, each answers the other's request as usual and, once its
 * own is answered, both hold two new SAs.  The one made by the exchange with
 * the lowest of the four nonces is redundant and is closed by the side that
 * initiated that exchange; the side that initiated the surviving one deletes
 * the replaced SA.  Both ends compare the same four nonces, so they agree.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "ike_msg_be.h"
#include "ike_msg_bld.h"
#include "ike_sa_int.h"

/* §2.8.1: "lowest" is octet by octet; a nonce that is a prefix of the other is lower. */
static int nonce_cmp(struct ike_buf a, struct ike_buf b)
{
	int c = memcmp(a.p, b.p, a.len < b.len ? a.len : b.len);

	if (c != 0)
		return c;
	return a.len < b.len ? -1 : a.len > b.len;
}

static struct ike_buf lower(struct ike_buf a, struct ike_buf b)
{
	return nonce_cmp(a, b) <= 0 ? a : b;
}

bool ike_lowest_nonce(struct ike_buf ni, struct ike_buf nr, struct ike_buf oi,
		      struct ike_buf or_)
{
	return nonce_cmp(lower(ni, nr), lower(oi, or_)) < 0;
}

/* Our Delete of the redundant Child SA our own exchange made. */
static int delete_redundant(struct ike_sa *sa, uint32_t spi_in, uint64_t now,
			    struct ike_dgram *out)
{
	uint8_t chain[32], spi[4];
	struct ike_build b;

	ike_put32(spi, spi_in);
	ike_build_init_chain(&b, chain, sizeof(chain));
	ike_build_delete(&b, &(struct ike_delete){IKE_PROTO_ESP, 4, 1, {spi, 4}});
	return ike_sa_send_sealed(sa, &b, IKE_EXCH_INFORMATIONAL, false, sa->req_next, now, out);
}

int ike_child_collision(struct ike_sa *sa, const struct ike_child_sa *old, uint64_t now,
			struct ike_dgram *out)
{
	bool ours_redundant = ike_lowest_nonce(
		(struct ike_buf){sa->ni, sa->ni_len}, (struct ike_buf){sa->nr, sa->nr_len},
		(struct ike_buf){sa->coll_ni, sa->coll_ni_len},
		(struct ike_buf){sa->coll_nr, sa->coll_nr_len});

	sa->old_child = *old;
	sa->has_old = true;
	sa->rekeys++;
	if (!ours_redundant) {
		/* Ours survives: the peer closes its new SA (kept in red_child to
		 * answer its Delete, ike_child_peer_delete), we delete the old one. */
		sa->red_child = sa->coll_child;
		sa->has_red = true;
		sa->has_coll = false;
		OPENSSL_cleanse(&sa->coll_child, sizeof(sa->coll_child));
		sa->old_by_us = true;
		ike_sa_log(sa, 1, "rekey collision won: Child SA 0x%08x/0x%08x -> 0x%08x/0x%08x",
			   old->spi_in, old->spi_out, sa->child.spi_in, sa->child.spi_out);
		return ike_child_delete_old(sa, now, out);
	}
	/* The peer's survives and the peer deletes the old one; ours goes. */
	uint32_t mine = sa->child.spi_in;
	sa->child = sa->coll_child;
	sa->child_spi_in = sa->child.spi_in;
	sa->has_coll = false;
	sa->old_by_us = false;
	OPENSSL_cleanse(&sa->coll_child, sizeof(sa->coll_child));
	ike_sa_log(sa, 1, "rekey collision lost: Child SA 0x%08x/0x%08x -> 0x%08x/0x%08x, "
		   "deleting our redundant 0x%08x", old->spi_in, old->spi_out, sa->child.spi_in,
		   sa->child.spi_out, mine);
	return delete_redundant(sa, mine, now, out);
}

void ike_child_collision_yield(struct ike_sa *sa)
{
	sa->old_child = sa->child;
	sa->has_old = true;
	sa->old_by_us = false;
	sa->child = sa->coll_child;
	sa->child_spi_in = sa->child.spi_in;
	sa->has_coll = false;
	sa->rekeys++;
	OPENSSL_cleanse(&sa->coll_child, sizeof(sa->coll_child));
	ike_sa_log(sa, 1, "our rekey failed; the peer's stands: Child SA -> 0x%08x/0x%08x",
		   sa->child.spi_in, sa->child.spi_out);
}
