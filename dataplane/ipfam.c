/* SPDX-License-Identifier: BSD-3-Clause */
#include "ipfam.h"

void
dp_spd_lookup(const struct spd *spd, enum cfg_direction dir, struct rte_mbuf *pkts[],
	      uint16_t n, const struct spd_entry *res[])
{
	struct spd4_key k4[DP_MAX_BURST];
	struct spd6_key k6[DP_MAX_BURST];
	const struct spd4_key *kp4[DP_MAX_BURST];
	const struct spd6_key *kp6[DP_MAX_BURST];
	const struct spd_entry *r4[DP_MAX_BURST], *r6[DP_MAX_BURST];
	uint16_t i, n4 = 0, n6 = 0;

	for (i = 0; i < n; i++) {
		if (dp_is_ip6(pkts[i])) {
			ip6_spd_key(pkts[i], &k6[n6]);
			kp6[n6] = &k6[n6];
			n6++;
		} else {
			ip4_spd_key(pkts[i], &k4[n4]);
			kp4[n4] = &k4[n4];
			n4++;
		}
	}
	if (n4 != 0)
		spd_classify4(spd, dir, kp4, n4, r4);
	if (n6 != 0)
		spd_classify6(spd, dir, kp6, n6, r6);
	/* the same pass again puts each result back at its packet's place */
	for (i = 0, n4 = 0, n6 = 0; i < n; i++)
		res[i] = dp_is_ip6(pkts[i]) ? r6[n6++] : r4[n4++];
}
