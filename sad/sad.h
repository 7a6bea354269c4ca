/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Security Association Database.
 *
 * SA slots live in DPDK memory; inbound lookup is by SPI (rte_hash, lock-free
 * readers).  Each slot holds the rte_ipsec SA, its crypto session and the few
 * fields the workers need; the YAML/control view stays in struct cfg_sa.
 *
 * Concurrency: one writer (the main lcore), many lock-free readers (workers).
 * Removal is in two steps: sad_unlink() makes the SA unreachable by lookup;
 * once every worker has passed a quiescent state (rte_rcu_qsbr) the writer
 * calls sad_reclaim(), which frees the session and wipes the keys.  Until then
 * the slot is not reused, so a worker still holding the SA stays safe.
 */
#ifndef SECGW_SAD_H
#define SECGW_SAD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_cryptodev.h>
#include <rte_ipsec.h>

#include "config.h"

#define SAD_ERR_MAX 256

/* Crypto ops carry the per-packet IV / counter block right after the sym op. */
#define SA_IV_OFFSET (sizeof(struct rte_crypto_op) + sizeof(struct rte_crypto_sym_op))
#define SA_COP_PRIV_SIZE 16

/* Per-worker, per-SA counters: each worker writes only its own array. */
struct sa_counters {
	uint64_t packets;
	uint64_t bytes;
	uint64_t drop_replay;
	uint64_t drop_icv;
};

struct ah_sa;

struct sa {
	struct rte_ipsec_session ss; /* first: workers touch it per burst; ESP only */
	struct ah_sa *ah;  /* proto AH: the SA for ah.h (rte_ipsec has no AH) */
	uint8_t proto;     /* enum cfg_sa_proto: which of ss / ah serves the SA */
	uint32_t idx;
	rte_be32_t spi;
	enum cfg_direction dir;
	uint16_t overhead; /* worst-case bytes added outbound (MTU check) */
	uint8_t encap_len; /* outer IP (+ UDP) header bytes in front of ESP */
	uint8_t family;    /* AF_INET/AF_INET6 of the packets it protects */
	uint8_t outer_family;
	bool tunnel;
	bool udp_encap;    /* ESP in UDP (RFC 3948) */
	uint8_t iv_len;
	uint8_t icv_len;
	uint8_t pad_align;
	/* copies of the cfg fields workers read per packet: cfg itself is cold */
	uint8_t lookup;    /* enum cfg_sa_lookup */
	uint8_t df;        /* enum cfg_df_mode */
	bool copy_dscp;
	bool ecn;
	uint16_t tfc_pad;
	bool esn;
	bool live;
	bool expired;      /* hard lifetime reached: set by the main lcore, read by workers */
	bool soft_fired;   /* soft lifetime event already raised */
	bool dying;        /* unlinked, waiting for readers to pass (RCU) */
	uint64_t installed_tsc;
	struct sa_counters cnt_base; /* counters of earlier SAs in this slot */
	struct cfg_sa cfg; /* control view, keys included; wiped on delete */
} __rte_cache_aligned;

/* what a worker reads of an SA per packet fits in its first two cache lines */
_Static_assert(offsetof(struct sa, installed_tsc) <= 2 * RTE_CACHE_LINE_SIZE, "hot SA fields");

struct sad;

struct sad *sad_create(const char *name, uint32_t capacity, int socket);
void sad_destroy(struct sad *sad);

/*
 * Build the rte_ipsec SA and the crypto session for cfg on device cdev_id and
 * install it.  sqn_atomic: outbound sequence numbers are shared by several
 * workers.  Returns the slot index, or -1 with a message in err.
 */
int sad_add(struct sad *sad, const struct cfg_sa *cfg, uint8_t cdev_id,
	    struct rte_mempool *sess_pool, bool sqn_atomic, char err[SAD_ERR_MAX]);
/* Step one of removal; returns the hash position to give sad_reclaim(). */
int32_t sad_unlink(struct sad *sad, uint32_t idx);
/* Step two, after a grace period: frees the session, wipes keys. */
void sad_reclaim(struct sad *sad, uint32_t idx, int32_t pos);
/* Both steps at once, when no reader can exist (setup failures, shutdown). */
void sad_del(struct sad *sad, uint32_t idx);

uint32_t sad_capacity(const struct sad *sad);
struct sa *sad_slot(const struct sad *sad, uint32_t idx);

/* Control-path lookup of an SA by SPI (host order) and direction; -1 if none. */
int sad_find(const struct sad *sad, uint32_t spi, enum cfg_direction dir);

/*
 * Inbound lookup for a burst: spi[] in network order; sa[i] is NULL for an
 * unknown SPI.  Lock-free; safe on workers.
 */
void sad_lookup_in_bulk(const struct sad *sad, const rte_be32_t spi[],
			uint16_t n, struct sa *sa[]);

#endif
