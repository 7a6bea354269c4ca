/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_esp.h>
#include <rte_jhash.h>
#include <rte_udp.h>
#include <rte_malloc.h>

#include "ah.h"
#include "sa_xform.h"
#include "sad.h"

struct sad_key {
	uint32_t spi; /* network order, as read from the packet */
	uint32_t dir;
};

struct sad {
	struct rte_hash *by_spi;
	uint32_t capacity;
	uint32_t free_hint;
	struct sa *slots;
};

struct sad *
sad_create(const char *name, uint32_t capacity, int socket)
{
	char hname[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.key_len = sizeof(struct sad_key),
		.hash_func = rte_jhash,
		.socket_id = socket,
		/* readers never block; one writer adds and deletes under traffic */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct sad *sad;

	sad = rte_zmalloc_socket("sad", sizeof(*sad), RTE_CACHE_LINE_SIZE, socket);
	if (sad == NULL)
		return NULL;
	sad->capacity = capacity;
	sad->slots = rte_zmalloc_socket("sad_slots", sizeof(struct sa) * capacity,
					RTE_CACHE_LINE_SIZE, socket);
	snprintf(hname, sizeof(hname), "%s_spi", name);
	hp.name = hname;
	hp.entries = RTE_MAX(capacity, 8u);
	sad->by_spi = rte_hash_create(&hp);
	if (sad->slots == NULL || sad->by_spi == NULL) {
		sad_destroy(sad);
		return NULL;
	}
	return sad;
}

void
sad_destroy(struct sad *sad)
{
	uint32_t i;

	if (sad == NULL)
		return;
	for (i = 0; sad->slots != NULL && i < sad->capacity; i++)
		if (sad->slots[i].live || sad->slots[i].dying)
			sad_reclaim(sad, i, sad_unlink(sad, i));
	rte_hash_free(sad->by_spi);
	rte_free(sad->slots);
	rte_free(sad);
}

uint32_t
sad_capacity(const struct sad *sad)
{
	return sad->capacity;
}

struct sa *
sad_slot(const struct sad *sad, uint32_t idx)
{
	return &sad->slots[idx];
}

static int
free_slot(struct sad *sad)
{
	uint32_t i, j;

	for (i = 0; i < sad->capacity; i++) {
		j = (sad->free_hint + i) % sad->capacity;
		if (!sad->slots[j].live && !sad->slots[j].dying) {
			sad->free_hint = j + 1;
			return (int)j;
		}
	}
	return -1;
}

int
sad_find(const struct sad *sad, uint32_t spi, enum cfg_direction dir)
{
	struct sad_key k = {.spi = rte_cpu_to_be_32(spi), .dir = dir};
	void *data;

	if (rte_hash_lookup_data(sad->by_spi, &k, &data) < 0)
		return -1;
	return (int)(uintptr_t)data;
}

void
sad_lookup_in_bulk(const struct sad *sad, const rte_be32_t spi[], uint16_t n,
		   struct sa *sa[])
{
	struct sad_key keys[RTE_HASH_LOOKUP_BULK_MAX];
	const void *kp[RTE_HASH_LOOKUP_BULK_MAX];
	void *data[RTE_HASH_LOOKUP_BULK_MAX];
	uint64_t hits;
	uint16_t i, base, m;

	for (base = 0; base < n; base += m) {
		m = RTE_MIN(n - base, RTE_HASH_LOOKUP_BULK_MAX);
		for (i = 0; i < m; i++) {
			keys[i].spi = spi[base + i];
			keys[i].dir = CFG_DIR_IN;
			kp[i] = &keys[i];
		}
		hits = 0;
		if (rte_hash_lookup_bulk_data(sad->by_spi, kp, m, &hits, data) < 0)
			hits = 0;
		for (i = 0; i < m; i++)
			sa[base + i] = (hits >> i) & 1 ?
				&sad->slots[(uintptr_t)data[i]] : NULL;
	}
}

/* The salt/nonce travels with the key material it belongs to. */
static uint32_t
sa_salt(const struct cfg_sa *cfg)
{
	const struct cfg_alg_info *ii = cfg_integ_info(cfg->integ);
	uint32_t salt = 0;

	if (ii->salt_len != 0)
		memcpy(&salt, cfg->auth_key + ii->key_len, sizeof(salt));
	else
		memcpy(&salt, cfg->salt, sizeof(salt));
	return salt;
}

static int
unsupported(const struct cfg_sa *cfg, char err[SAD_ERR_MAX])
{
	if (cfg->proto == CFG_SA_AH)
		return 0; /* tunnel (IPv4 or IPv6 outer) and transport: ah_sa_create() */
	if (cfg->udp_encap && cfg->mode != CFG_MODE_TUNNEL)
		/* rte_ipsec inserts the UDP header in tunnel mode only */
		snprintf(err, SAD_ERR_MAX, "SA %s: UDP encapsulation needs tunnel mode",
			 cfg->name);
	else if (cfg->esn && cfg_integ_info(cfg->integ)->salt_len != 0)
		/*
		 * rte_ipsec 22.11 appends the high sequence bits after the trailer
		 * instead of putting them in the GMAC AAD (RFC 4543 §3.2), so no
		 * other implementation could verify the ICV.
		 */
		snprintf(err, SAD_ERR_MAX, "SA %s: ESP with AES-GMAC cannot use ESN", cfg->name);
	else
		return 0;
	return -1;
}

/* The outer header rte_ipsec copies in front of each packet (tunnel mode). */
union outer_hdr {
	struct rte_ipv4_hdr v4;
	struct rte_ipv6_hdr v6;
};

static uint16_t
outer_hdr_build(const struct cfg_sa *cfg, union outer_hdr *h)
{
	uint8_t proto = cfg->udp_encap ? IPPROTO_UDP : IPPROTO_ESP;

	memset(h, 0, sizeof(*h));
	if (cfg->tun_src.family == AF_INET) {
		h->v4.version_ihl = RTE_IPV4_VHL_DEF;
		h->v4.time_to_live = 64;
		h->v4.next_proto_id = proto;
		h->v4.src_addr = cfg->tun_src.v4;
		h->v4.dst_addr = cfg->tun_dst.v4;
		return sizeof(h->v4);
	}
	h->v6.vtc_flow = rte_cpu_to_be_32(6u << 28);
	h->v6.proto = proto;
	h->v6.hop_limits = 64;
	memcpy(h->v6.src_addr, cfg->tun_src.v6, 16);
	memcpy(h->v6.dst_addr, cfg->tun_dst.v6, 16);
	return sizeof(h->v6);
}

static void
sa_fill_ipsec_xform(struct rte_security_ipsec_xform *ix, const struct cfg_sa *cfg)
{
	bool tunnel = cfg->mode == CFG_MODE_TUNNEL;

	ix->spi = cfg->spi;
	ix->salt = sa_salt(cfg);
	ix->direction = cfg->dir == CFG_DIR_IN ? RTE_SECURITY_IPSEC_SA_DIR_INGRESS :
						  RTE_SECURITY_IPSEC_SA_DIR_EGRESS;
	ix->proto = RTE_SECURITY_IPSEC_SA_PROTO_ESP;
	ix->mode = tunnel ? RTE_SECURITY_IPSEC_SA_MODE_TUNNEL :
			    RTE_SECURITY_IPSEC_SA_MODE_TRANSPORT;
	ix->tunnel.type = tunnel && cfg->tun_src.family == AF_INET6 ?
		RTE_SECURITY_IPSEC_TUNNEL_IPV6 : RTE_SECURITY_IPSEC_TUNNEL_IPV4;
	/*
	 * rte_ipsec 22.11 sizes its bitmap to exactly the window when that is a
	 * power-of-two number of 64-bit blocks, yet accepts window + 1 positions:
	 * the oldest and the newest then share a bit and a valid packet is lost.
	 * A spare block keeps them apart; the window grows by 64, which refuses
	 * no valid packet and accepts no duplicate.
	 */
	ix->replay_win_sz = cfg->replay_window ? cfg->replay_window + 64 : 0;
	ix->options.esn = cfg->esn;
	/*
	 * rte_ipsec sends esn.value first (0 counts as 1); config says initial_seq
	 * is the one before the first.  Inbound it is the window's top.
	 */
	ix->esn.value = cfg->dir == CFG_DIR_OUT ? cfg->initial_seq + 1 : cfg->initial_seq;
	/*
	 * Outbound only: rte_ipsec 22.11 has no inbound init for a NAT-T SA type
	 * (it would be left half set up); inbound, the data plane steps over the
	 * UDP header itself (l3_len).
	 */
	ix->options.udp_encap = cfg->udp_encap && cfg->dir == CFG_DIR_OUT;
	/* host order: rte_ipsec converts them when it writes the header template */
	ix->udp.sport = cfg->udp_sport;
	ix->udp.dport = cfg->udp_dport;
}

static int
sa_init_ipsec(struct sa *s, const struct cfg_sa *cfg, const struct sa_xforms *x,
	      bool sqn_atomic, int socket, char err[SAD_ERR_MAX])
{
	const struct cfg_alg_info *ci = cfg_cipher_info(cfg->cipher);
	const struct cfg_alg_info *ii = cfg_integ_info(cfg->integ);
	uint8_t inner = cfg->family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IPIP;
	union outer_hdr outer;
	struct rte_ipsec_sa_prm prm = {
		.flags = sqn_atomic ? RTE_IPSEC_SAFLAG_SQN_ATOM : 0,
		.crypto_xform = x->first,
	};
	struct rte_ipsec_sa *rsa;
	uint16_t hdr_len = 0;
	int size, rc;

	if (cfg->mode == CFG_MODE_TUNNEL) {
		hdr_len = outer_hdr_build(cfg, &outer);
		prm.tun.hdr = &outer;
		prm.tun.hdr_len = hdr_len;
		prm.tun.next_proto = inner;
	} else {
		prm.trs.proto = inner;
	}
	sa_fill_ipsec_xform(&prm.ipsec_xform, cfg);

	size = rte_ipsec_sa_size(&prm);
	if (size < 0) {
		snprintf(err, SAD_ERR_MAX, "SA %s: rte_ipsec rejects it: %s", cfg->name,
			 strerror(-size));
		return -1;
	}
	rsa = rte_zmalloc_socket("ipsec_sa", size, RTE_CACHE_LINE_SIZE, socket);
	if (rsa == NULL) {
		snprintf(err, SAD_ERR_MAX, "SA %s: out of memory", cfg->name);
		return -1;
	}
	rc = rte_ipsec_sa_init(rsa, &prm, size);
	if (rc < 0) {
		rte_free(rsa);
		snprintf(err, SAD_ERR_MAX, "SA %s: rte_ipsec_sa_init: %s", cfg->name,
			 strerror(-rc));
		return -1;
	}
	s->ss.sa = rsa;
	s->iv_len = ci->aead || cfg->cipher != CFG_CIPHER_NULL ? ci->iv_len : ii->iv_len;
	s->icv_len = ci->aead ? ci->icv_len : ii->icv_len;
	s->pad_align = RTE_MAX(ci->block, (uint8_t)4);
	s->encap_len = hdr_len + (cfg->udp_encap ? sizeof(struct rte_udp_hdr) : 0);
	s->overhead = s->encap_len + sizeof(struct rte_esp_hdr) + s->iv_len +
		      (s->pad_align - 1) + sizeof(struct rte_esp_tail) + s->icv_len;
	return 0;
}

int
sad_add(struct sad *sad, const struct cfg_sa *cfg, uint8_t cdev_id,
	struct rte_mempool *sess_pool, bool sqn_atomic, char err[SAD_ERR_MAX])
{
	struct sad_key k = {.spi = rte_cpu_to_be_32(cfg->spi), .dir = cfg->dir};
	struct sa_xforms x;
	struct sa *s;
	int idx, rc;

	if (unsupported(cfg, err) != 0)
		return -1;
	if (rte_hash_lookup(sad->by_spi, &k) >= 0) {
		snprintf(err, SAD_ERR_MAX, "SA %s: SPI 0x%08x already installed", cfg->name,
			 cfg->spi);
		return -1;
	}
	idx = free_slot(sad);
	if (idx < 0) {
		snprintf(err, SAD_ERR_MAX, "SA %s: SAD full (%u SAs)", cfg->name, sad->capacity);
		return -1;
	}
	s = &sad->slots[idx];
	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	s->idx = idx;
	s->spi = k.spi;
	s->dir = cfg->dir;
	s->family = cfg->family;
	s->outer_family = cfg->mode == CFG_MODE_TUNNEL ? cfg->tun_src.family : cfg->family;
	s->tunnel = cfg->mode == CFG_MODE_TUNNEL;
	s->udp_encap = cfg->udp_encap;
	s->lookup = cfg->lookup;
	s->df = cfg->df;
	s->copy_dscp = cfg->copy_dscp;
	s->ecn = cfg->ecn;
	s->tfc_pad = cfg->tfc_pad;
	s->esn = cfg->esn;
	s->proto = cfg->proto;
	if (cfg->proto == CFG_SA_AH) {
		s->ah = ah_sa_create(&s->cfg, cdev_id, sess_pool, sqn_atomic, err);
		if (s->ah == NULL)
			goto fail;
		s->overhead = ah_sa_overhead(s->ah);
		/* completed ops find their SA the way rte_ipsec's ESP ops do */
		rte_cryptodev_sym_session_opaque_data_set(ah_sa_session(s->ah),
							  (uintptr_t)&s->ss);
		goto link;
	}

	/* the transforms point at s->cfg's keys, which live as long as the SA */
	if (sa_xform_build(&s->cfg, cdev_id, &x, err) != 0)
		goto fail;
	s->ss.type = RTE_SECURITY_ACTION_TYPE_NONE;
	s->ss.crypto.dev_id = cdev_id;
	s->ss.crypto.ses = rte_cryptodev_sym_session_create(cdev_id, x.first, sess_pool);
	if (s->ss.crypto.ses == NULL) {
		snprintf(err, SAD_ERR_MAX, "SA %s: crypto session: %s", cfg->name,
			 rte_strerror(rte_errno));
		goto fail;
	}
	if (sa_init_ipsec(s, &s->cfg, &x, sqn_atomic, sess_pool->socket_id, err) != 0)
		goto fail;
	rc = rte_ipsec_session_prepare(&s->ss);
	if (rc != 0) {
		snprintf(err, SAD_ERR_MAX, "SA %s: rte_ipsec_session_prepare: %s", cfg->name,
			 strerror(-rc));
		goto fail;
	}
link:
	rc = rte_hash_add_key_data(sad->by_spi, &k, (void *)(uintptr_t)idx);
	if (rc < 0) {
		snprintf(err, SAD_ERR_MAX, "SA %s: SPI table: %s", cfg->name, strerror(-rc));
		goto fail;
	}
	s->installed_tsc = rte_get_tsc_cycles();
	s->live = true;
	return idx;
fail:
	s->live = true; /* let sad_del unwind what was built */
	sad_del(sad, idx);
	return -1;
}

int32_t
sad_unlink(struct sad *sad, uint32_t idx)
{
	struct sa *s = &sad->slots[idx];
	struct sad_key k = {.spi = s->spi, .dir = s->dir};

	if (!s->live)
		return -1;
	s->live = false;
	s->dying = true;
	/* a lock-free hash keeps the key's slot until sad_reclaim frees it */
	return rte_hash_del_key(sad->by_spi, &k);
}

void
sad_reclaim(struct sad *sad, uint32_t idx, int32_t pos)
{
	struct sa *s = &sad->slots[idx];

	if (pos >= 0)
		rte_hash_free_key_with_position(sad->by_spi, pos);
	if (s->ss.sa != NULL) {
		rte_ipsec_sa_fini(s->ss.sa);
		rte_free(s->ss.sa);
	}
	if (s->ss.crypto.ses != NULL)
		rte_cryptodev_sym_session_free(s->ss.crypto.dev_id, s->ss.crypto.ses);
	ah_sa_free(s->ah);
	explicit_bzero(&s->cfg, sizeof(s->cfg));
	memset(s, 0, sizeof(*s));
}

void
sad_del(struct sad *sad, uint32_t idx)
{
	if (sad->slots[idx].live)
		sad_reclaim(sad, idx, sad_unlink(sad, idx));
}
