/* SPDX-License-Identifier: BSD-3-Clause */
/* AH SA setup and teardown, and the sizes every AH packet of the SA shares. */
#include <stdio.h>
#include <string.h>

#include <netinet/in.h>

#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_malloc.h>

#include "ah_internal.h"
#include "sa_xform.h"

struct ah_sa *
ah_sa_create(const struct cfg_sa *cfg, uint8_t dev_id, struct rte_mempool *sess_pool,
	     bool sqn_atomic, char err[SAD_ERR_MAX])
{
	const struct cfg_alg_info *ii = cfg_integ_info(cfg->integ);
	uint32_t window = cfg->dir == CFG_DIR_IN ? cfg->replay_window : 0;
	struct rte_crypto_sym_xform x;
	struct ah_sa *sa;

	if (ii->icv_len > AH_MAX_ICV || ii->icv_len == 0) {
		snprintf(err, SAD_ERR_MAX, "SA %s: %s cannot protect AH", cfg->name, ii->name);
		return NULL;
	}
	if (sa_xform_build_auth(cfg, dev_id, &x, err) != 0)
		return NULL;
	sa = rte_zmalloc_socket("ah_sa", sizeof(*sa) - sizeof(sa->rw) + replay_mem_size(window),
				RTE_CACHE_LINE_SIZE, sess_pool->socket_id);
	if (sa == NULL) {
		snprintf(err, SAD_ERR_MAX, "SA %s: out of memory", cfg->name);
		return NULL;
	}
	if (replay_init(&sa->rw, window, cfg->esn, cfg->initial_seq) != 0) {
		snprintf(err, SAD_ERR_MAX, "SA %s: replay window %u not in 64..4096",
			 cfg->name, window);
		ah_sa_free(sa);
		return NULL;
	}
	sa->dev_id = dev_id;
	sa->tunnel = cfg->mode == CFG_MODE_TUNNEL;
	sa->sqn_atomic = sqn_atomic;
	sa->esn = cfg->esn;
	sa->iv_len = ii->salt_len ? ii->iv_len : 0;
	sa->icv_len = ii->icv_len;
	sa->spi = rte_cpu_to_be_32(cfg->spi);
	if (ii->salt_len)
		memcpy(sa->salt, cfg->auth_key + ii->key_len, sizeof(sa->salt));
	sa->tun_src = cfg->tun_src;
	sa->tun_dst = cfg->tun_dst;
	sa->sqn = cfg->initial_seq;
	sa->ses = rte_cryptodev_sym_session_create(dev_id, &x, sess_pool);
	if (sa->ses == NULL) {
		snprintf(err, SAD_ERR_MAX, "SA %s: crypto session: %s", cfg->name,
			 rte_strerror(rte_errno));
		ah_sa_free(sa);
		return NULL;
	}
	return sa;
}

void *
ah_sa_session(const struct ah_sa *sa)
{
	return sa->ses;
}

void
ah_sa_free(struct ah_sa *sa)
{
	if (sa == NULL)
		return;
	if (sa->ses != NULL)
		rte_cryptodev_sym_session_free(sa->dev_id, sa->ses);
	explicit_bzero(sa->salt, sizeof(sa->salt));
	rte_free(sa);
}

uint8_t
ah_len_for(const struct ah_sa *sa, uint8_t version)
{
	unsigned int align = version == 6 ? 8 : 4;

	return RTE_ALIGN_CEIL(AH_FIXED_LEN + sa->iv_len + sa->icv_len, align);
}

uint16_t
ah_sa_overhead(const struct ah_sa *sa)
{
	uint16_t outer = 0;

	if (sa->tunnel)
		outer = sa->tun_src.family == AF_INET6 ? sizeof(struct rte_ipv6_hdr) :
							   sizeof(struct rte_ipv4_hdr);
	return outer + ah_len_for(sa, 6);
}

/* Without ESN the counter stops at 2^32 - 1 (RFC 4302 §3.3.2): never wrap. */
uint16_t
ah_sqn_reserve(struct ah_sa *sa, uint16_t n, uint64_t *first)
{
	uint64_t limit = sa->esn ? UINT64_MAX : UINT32_MAX;
	uint64_t cur, next;

	cur = sa->sqn_atomic ? __atomic_load_n(&sa->sqn, __ATOMIC_RELAXED) : sa->sqn;
	do {
		next = limit - cur < n ? limit : cur + n;
		if (!sa->sqn_atomic) {
			sa->sqn = next;
			break;
		}
	} while (!__atomic_compare_exchange_n(&sa->sqn, &cur, next, false,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	*first = cur + 1;
	return next - cur;
}
