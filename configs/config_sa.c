/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "sas" and "policies" sections: algorithm tables, key lengths, SPI
 * uniqueness and the policy -> SA references.
 *
 * Keys are hex-decoded straight into the SA (or a stack buffer wiped after
 * the split into key and salt); config_free() wipes the SA array.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"
#include "config_internal.h"
#include "config_value.h"
#include "config_yaml.h"

/* RFC 4303 2.1: SPIs 1..255 are reserved by IANA, 0 is for local use. */
#define SPI_MIN 256u

static const struct cfg_alg_info cipher_info[CFG_CIPHER__COUNT] = {
	/*                                    key salt iv block icv aead */
	[CFG_CIPHER_NULL] = { "null", 0, 0, 0, 4, 0, false },
	[CFG_CIPHER_AES_128_GCM] = { "aes-128-gcm", 16, 4, 8, 4, 16, true },
	[CFG_CIPHER_AES_192_GCM] = { "aes-192-gcm", 24, 4, 8, 4, 16, true },
	[CFG_CIPHER_AES_256_GCM] = { "aes-256-gcm", 32, 4, 8, 4, 16, true },
	[CFG_CIPHER_AES_128_CBC] = { "aes-128-cbc", 16, 0, 16, 16, 0, false },
	[CFG_CIPHER_AES_192_CBC] = { "aes-192-cbc", 24, 0, 16, 16, 0, false },
	[CFG_CIPHER_AES_256_CBC] = { "aes-256-cbc", 32, 0, 16, 16, 0, false },
	[CFG_CIPHER_AES_128_CTR] = { "aes-128-ctr", 16, 4, 8, 4, 0, false },
	[CFG_CIPHER_AES_192_CTR] = { "aes-192-ctr", 24, 4, 8, 4, 0, false },
	[CFG_CIPHER_AES_256_CTR] = { "aes-256-ctr", 32, 4, 8, 4, 0, false },
	[CFG_CIPHER_CHACHA20_POLY1305] = { "chacha20-poly1305", 32, 4, 8, 4, 16, true },
};

static const struct cfg_alg_info integ_info[CFG_INTEG__COUNT] = {
	/*                                        key salt iv block icv aead */
	[CFG_INTEG_NONE] = { "none", 0, 0, 0, 0, 0, false },
	[CFG_INTEG_HMAC_SHA1_96] = { "hmac-sha1-96", 20, 0, 0, 0, 12, false },
	[CFG_INTEG_HMAC_SHA256_128] = { "hmac-sha256-128", 32, 0, 0, 0, 16, false },
	[CFG_INTEG_HMAC_SHA384_192] = { "hmac-sha384-192", 48, 0, 0, 0, 24, false },
	[CFG_INTEG_HMAC_SHA512_256] = { "hmac-sha512-256", 64, 0, 0, 0, 32, false },
	[CFG_INTEG_AES_128_GMAC] = { "aes-128-gmac", 16, 4, 8, 0, 16, false },
	[CFG_INTEG_AES_192_GMAC] = { "aes-192-gmac", 24, 4, 8, 0, 16, false },
	[CFG_INTEG_AES_256_GMAC] = { "aes-256-gmac", 32, 4, 8, 0, 16, false },
};

_Static_assert(CFG_KEY_MAX >= 32, "sa.key holds the largest cipher key");
_Static_assert(CFG_AUTH_KEY_MAX + 4 >= 64, "sa.auth_key holds the largest integrity key");

const struct cfg_alg_info *cfg_cipher_info(enum cfg_cipher c)
{
	return (unsigned)c < CFG_CIPHER__COUNT ? &cipher_info[c] : NULL;
}

const struct cfg_alg_info *cfg_integ_info(enum cfg_integ i)
{
	return (unsigned)i < CFG_INTEG__COUNT ? &integ_info[i] : NULL;
}

static bool integ_is_gmac(enum cfg_integ i)
{
	return i == CFG_INTEG_AES_128_GMAC || i == CFG_INTEG_AES_192_GMAC ||
	       i == CFG_INTEG_AES_256_GMAC;
}

static const char *dir_name(enum cfg_direction d)
{
	return d == CFG_DIR_IN ? "in" : "out";
}

/* A required enum field ("direction: in|out" and friends). */
static int read_required_enum(const struct cfg_obj *o, const char *key, const char *const names[],
			      size_t n, int *v)
{
	int rc = obj_enum(o, key, names, n, v);

	if (rc == 0)
		return obj_missing(o, key, NULL);
	return rc < 0 ? -1 : 0;
}

static int read_direction(const struct cfg_obj *o, enum cfg_direction *dir)
{
	static const char *const names[] = { "out", "in" };
	_Static_assert(CFG_DIR_OUT == 0 && CFG_DIR_IN == 1, "direction names");
	int v;

	if (read_required_enum(o, "direction", names, 2, &v) < 0)
		return -1;
	*dir = (enum cfg_direction)v;
	return 0;
}

/* ---- sas ---------------------------------------------------------------- */

static const char *const sa_keys[] = {
	"name", "spi", "direction", "proto", "mode", "src", "dst", "cipher", "integ", "key",
	"auth_key", "replay_window", "esn", "initial_seq", "udp_encap", "udp_sport",
	"udp_dport", "lifetime", "family", "copy_dscp", "ecn", "df", "tfc_pad", "lookup", NULL,
};

static int read_sa_lifetime(const struct cfg_obj *sa_obj, struct cfg_sa *sa)
{
	static const char *const keys[] = {
		"soft_bytes", "hard_bytes", "soft_packets", "hard_packets",
		"soft_seconds", "hard_seconds", NULL,
	};
	struct cfg_lifetime *l = &sa->life;
	char path[YPATH_MAX];
	struct cfg_obj o;
	uint64_t soft_s = 0, hard_s = 0;

	obj_field(sa_obj, "lifetime", path);
	if (obj_open(sa_obj->w, obj_get(sa_obj, "lifetime"), sa_obj->at, path, keys, &o) < 0 ||
	    obj_u64(&o, "soft_bytes", 0, UINT64_MAX, &l->soft_bytes) < 0 ||
	    obj_u64(&o, "hard_bytes", 0, UINT64_MAX, &l->hard_bytes) < 0 ||
	    obj_u64(&o, "soft_packets", 0, UINT64_MAX, &l->soft_packets) < 0 ||
	    obj_u64(&o, "hard_packets", 0, UINT64_MAX, &l->hard_packets) < 0 ||
	    obj_u64(&o, "soft_seconds", 0, UINT32_MAX, &soft_s) < 0 ||
	    obj_u64(&o, "hard_seconds", 0, UINT32_MAX, &hard_s) < 0)
		return -1;
	l->soft_seconds = (uint32_t)soft_s;
	l->hard_seconds = (uint32_t)hard_s;
	/* a soft limit at or past the hard one would never give time to rekey */
	if (l->hard_bytes && l->soft_bytes >= l->hard_bytes)
		return obj_fail(&o, "soft_bytes", "must be below hard_bytes (%llu)",
				(unsigned long long)l->hard_bytes);
	if (l->hard_packets && l->soft_packets >= l->hard_packets)
		return obj_fail(&o, "soft_packets", "must be below hard_packets (%llu)",
				(unsigned long long)l->hard_packets);
	if (l->hard_seconds && l->soft_seconds >= l->hard_seconds)
		return obj_fail(&o, "soft_seconds", "must be below hard_seconds (%u)",
				l->hard_seconds);
	return 0;
}

static int read_sa_endpoints(const struct cfg_obj *o, struct cfg_sa *sa)
{
	static const char *const keys[] = { "src", "dst" };
	struct cfg_addr *addrs[] = { &sa->tun_src, &sa->tun_dst };

	for (int i = 0; i < 2; i++) {
		int rc;

		if (sa->mode == CFG_MODE_TRANSPORT) {
			/* transport mode keeps the packet's own addresses */
			if (obj_get(o, keys[i]) != NULL)
				return obj_forbidden(o, keys[i], "in transport mode");
			continue;
		}
		rc = obj_addr(o, keys[i], addrs[i]);
		if (rc <= 0)
			return rc < 0 ? -1 : obj_missing(o, keys[i], "tunnel mode needs both endpoints");
	}
	if (sa->mode == CFG_MODE_TUNNEL && sa->tun_src.family != sa->tun_dst.family)
		return obj_fail(o, "dst", "%s address but src is %s, expected the same family",
				cfg_family_name(sa->tun_dst.family),
				cfg_family_name(sa->tun_src.family));
	return 0;
}

/*
 * rte_ipsec fixes an SA's next header (tunnel: 4 or 41) and header handling
 * (transport) at creation, so an SA carries one family of packets.
 */
static int read_sa_family(const struct cfg_obj *o, struct cfg_sa *sa)
{
	static const char *const names[] = { "ipv4", "ipv6" };
	int v = sa->mode == CFG_MODE_TUNNEL && sa->tun_src.family == AF_INET6;

	if (obj_enum(o, "family", names, 2, &v) < 0)
		return -1;
	sa->family = v ? AF_INET6 : AF_INET;
	return 0;
}

static int read_cipher(const struct cfg_obj *o, struct cfg_sa *sa)
{
	const char *names[CFG_CIPHER__COUNT];
	int v = CFG_CIPHER_NULL, rc;

	for (int i = 0; i < CFG_CIPHER__COUNT; i++)
		names[i] = cipher_info[i].name;
	rc = obj_enum(o, "cipher", names, CFG_CIPHER__COUNT, &v);
	if (rc < 0)
		return -1;
	if (sa->proto == CFG_SA_AH && v != CFG_CIPHER_NULL)
		return obj_fail(o, "cipher", "expected null with proto ah (AH does not encrypt), "
				"got '%s'", names[v]);
	if (sa->proto == CFG_SA_ESP && rc == 0)
		return obj_missing(o, "cipher", NULL);
	sa->cipher = (enum cfg_cipher)v;
	return 0;
}

/* Which integrity algorithm goes with which cipher (RFC 4106, 4543, 8221). */
static int read_integ(const struct cfg_obj *o, struct cfg_sa *sa)
{
	const char *names[CFG_INTEG__COUNT];
	const struct cfg_alg_info *ci = &cipher_info[sa->cipher];
	char need[64];
	int v = CFG_INTEG_NONE, rc;

	for (int i = 0; i < CFG_INTEG__COUNT; i++)
		names[i] = integ_info[i].name;
	rc = obj_enum(o, "integ", names, CFG_INTEG__COUNT, &v);
	if (rc < 0)
		return -1;
	sa->integ = (enum cfg_integ)v;
	if (ci->aead && sa->integ != CFG_INTEG_NONE)
		return obj_fail(o, "integ", "not allowed with aead cipher %s (it has its own ICV), "
				"got '%s'", ci->name, names[v]);
	if (ci->aead)
		return 0;
	if (sa->proto == CFG_SA_AH)
		snprintf(need, sizeof(need), "proto ah needs an integrity algorithm");
	else
		snprintf(need, sizeof(need), "cipher %s needs an integrity algorithm", ci->name);
	if (sa->integ == CFG_INTEG_NONE && rc == 0)
		return obj_missing(o, "integ", need);
	if (sa->integ == CFG_INTEG_NONE)
		return obj_fail(o, "integ", "%s, got 'none'", need);
	if (integ_is_gmac(sa->integ) && sa->proto == CFG_SA_ESP && sa->cipher != CFG_CIPHER_NULL)
		return obj_fail(o, "integ", "%s is only allowed with cipher null (RFC 4543), got "
				"cipher %s", names[v], ci->name);
	return 0;
}

static int read_sa_keys(const struct cfg_obj *o, struct cfg_sa *sa)
{
	const struct cfg_alg_info *ci = &cipher_info[sa->cipher];
	const struct cfg_alg_info *ii = &integ_info[sa->integ];
	size_t key_total = (size_t)ci->key_len + ci->salt_len;
	size_t auth_total = (size_t)ii->key_len + ii->salt_len;
	uint8_t buf[CFG_KEY_MAX + sizeof(sa->salt)];
	int rc;

	if (key_total == 0 && obj_get(o, "key") != NULL)
		return obj_forbidden(o, "key", "with cipher null (it takes no key)");
	if (key_total > 0) {
		rc = obj_hex(o, "key", key_total, ci->name, buf);
		if (rc <= 0)
			return rc < 0 ? -1 : obj_missing(o, "key", NULL);
		/* the hex is key || salt, as RFC 4106 and IKEv2's KEYMAT lay them out */
		memcpy(sa->key, buf, ci->key_len);
		memcpy(sa->salt, buf + ci->key_len, ci->salt_len);
		sa->key_len = ci->key_len;
		explicit_bzero(buf, sizeof(buf));
	}
	if (auth_total == 0 && obj_get(o, "auth_key") != NULL) {
		if (ci->aead)
			return obj_fail(o, "auth_key", "not allowed with aead cipher %s (its key "
					"covers integrity)", ci->name);
		return obj_forbidden(o, "auth_key", "with integ none");
	}
	if (auth_total > 0) {
		rc = obj_hex(o, "auth_key", auth_total, ii->name, sa->auth_key);
		if (rc <= 0)
			return rc < 0 ? -1 : obj_missing(o, "auth_key", NULL);
		sa->auth_key_len = (uint8_t)auth_total;
	}
	return 0;
}

static int read_sa_sequence(const struct cfg_obj *o, struct cfg_sa *sa)
{
	sa->replay_window = 1024;
	if (obj_u32(o, "replay_window", 0, 4096, &sa->replay_window) < 0)
		return -1;
	if (sa->replay_window > 0 && sa->replay_window < 32)
		return obj_fail(o, "replay_window", "expected 0 (disabled) or 32..4096, got %u",
				sa->replay_window);
	if (obj_bool(o, "esn", &sa->esn) < 0 ||
	    obj_u64(o, "initial_seq", 0, UINT64_MAX - 1, &sa->initial_seq) < 0)
		return -1;
	if (!sa->esn && sa->initial_seq > UINT32_MAX)
		return obj_fail(o, "initial_seq", "expected at most 4294967295 without esn: true, "
				"got %llu", (unsigned long long)sa->initial_seq);
	return 0;
}

static int read_sa_outer(const struct cfg_obj *o, struct cfg_sa *sa)
{
	static const char *const keys[] = { "copy_dscp", "ecn", "df", "tfc_pad" };
	static const char *const df_names[] = { "copy", "set", "clear" };
	_Static_assert(CFG_DF_COPY == 0 && CFG_DF_SET == 1 && CFG_DF_CLEAR == 2, "df names");
	int df = CFG_DF_COPY;

	sa->copy_dscp = true;
	sa->ecn = true;
	if (sa->mode != CFG_MODE_TUNNEL) {
		/* transport mode has no outer header: the packet keeps its own */
		for (int i = 0; i < 4; i++)
			if (obj_get(o, keys[i]) != NULL)
				return obj_forbidden(o, keys[i], "in transport mode");
		return 0;
	}
	if (obj_bool(o, "copy_dscp", &sa->copy_dscp) < 0 || obj_bool(o, "ecn", &sa->ecn) < 0 ||
	    obj_enum(o, "df", df_names, 3, &df) < 0 ||
	    obj_u16(o, "tfc_pad", 0, 9000, &sa->tfc_pad) < 0)
		return -1;
	sa->df = (enum cfg_df_mode)df;
	return 0;
}

/*
 * RFC 4301 §4.1: an inbound SA may also be found by its destination (and
 * source) address, as multicast SAs are; those are the tunnel endpoints.
 */
static int read_sa_lookup(const struct cfg_obj *o, struct cfg_sa *sa)
{
	static const char *const names[] = { "spi", "spi-dst", "spi-dst-src" };
	_Static_assert(CFG_LOOKUP_SPI == 0 && CFG_LOOKUP_SPI_DST == 1 &&
		       CFG_LOOKUP_SPI_DST_SRC == 2, "lookup names");
	int v = CFG_LOOKUP_SPI;

	if (obj_enum(o, "lookup", names, 3, &v) < 0)
		return -1;
	if (v != CFG_LOOKUP_SPI && sa->dir != CFG_DIR_IN)
		return obj_forbidden(o, "lookup", "on an outbound SA");
	if (v != CFG_LOOKUP_SPI && sa->mode != CFG_MODE_TUNNEL)
		return obj_forbidden(o, "lookup", "in transport mode (the addresses are the tunnel's)");
	sa->lookup = (enum cfg_sa_lookup)v;
	return 0;
}

static int read_sa_natt(const struct cfg_obj *o, struct cfg_sa *sa)
{
	static const char *const port_keys[] = { "udp_sport", "udp_dport" };

	sa->udp_sport = 4500;
	sa->udp_dport = 4500;
	if (obj_bool(o, "udp_encap", &sa->udp_encap) < 0)
		return -1;
	if (sa->udp_encap && sa->proto == CFG_SA_AH)
		return obj_forbidden(o, "udp_encap", "with proto ah (RFC 3948 carries ESP only)");
	for (int i = 0; i < 2; i++) {
		if (!sa->udp_encap && obj_get(o, port_keys[i]) != NULL)
			return obj_forbidden(o, port_keys[i], "without udp_encap: true");
	}
	if (obj_u16(o, "udp_sport", 1, 65535, &sa->udp_sport) < 0 ||
	    obj_u16(o, "udp_dport", 1, 65535, &sa->udp_dport) < 0)
		return -1;
	return 0;
}

/* A map item, or "PATH: expected a mapping" ("document" for a snippet's root). */
static int open_entry(struct cfg_walk *w, const struct ynode *item, const char *path,
		      const char *const keys[], struct cfg_obj *o)
{
	if (item->kind != YNODE_MAP)
		return cfg_fail(w, item, path[0] ? path : "document", "expected a mapping, got %s",
				ynode_kind_name(item));
	return obj_open(w, item, item, path, keys, o);
}

int cfg_read_sa_entry(struct cfg_walk *w, const struct ynode *item, const char *path,
		      struct cfg_sa *sa)
{
	static const char *const protos[] = { "esp", "ah" };
	static const char *const modes[] = { "tunnel", "transport" };
	_Static_assert(CFG_SA_ESP == 0 && CFG_SA_AH == 1, "proto names");
	_Static_assert(CFG_MODE_TUNNEL == 0 && CFG_MODE_TRANSPORT == 1, "mode names");
	struct cfg_obj o;
	int proto = CFG_SA_ESP, mode = CFG_MODE_TUNNEL, rc;

	if (open_entry(w, item, path, sa_keys, &o) < 0)
		return -1;
	sa->line = item->line;
	if (obj_name(&o, "name", sa->name, sizeof(sa->name)) < 0)
		return -1;
	if ((rc = obj_u32(&o, "spi", SPI_MIN, UINT32_MAX, &sa->spi)) <= 0)
		return rc < 0 ? -1 : obj_missing(&o, "spi", NULL);
	if (read_direction(&o, &sa->dir) < 0 || obj_enum(&o, "proto", protos, 2, &proto) < 0 ||
	    obj_enum(&o, "mode", modes, 2, &mode) < 0)
		return -1;
	sa->proto = (enum cfg_sa_proto)proto;
	sa->mode = (enum cfg_sa_mode)mode;
	if (read_sa_endpoints(&o, sa) < 0 || read_sa_family(&o, sa) < 0 || read_cipher(&o, sa) < 0 || read_integ(&o, sa) < 0 ||
	    read_sa_keys(&o, sa) < 0 || read_sa_sequence(&o, sa) < 0 || read_sa_natt(&o, sa) < 0 ||
	    read_sa_outer(&o, sa) < 0 || read_sa_lifetime(&o, sa) < 0 ||
	    read_sa_lookup(&o, sa) < 0)
		return -1;
	return 0;
}

static int read_sa(struct loader *ld, const struct ynode *item, uint32_t idx)
{
	struct cfg_sa *sa = &ld->cfg->sas[idx];
	char path[YPATH_MAX];

	cfg_pathf(path, "sas[%u]", idx);
	snprintf(sa->name, sizeof(sa->name), "sa[%u]", idx);
	return cfg_read_sa_entry(&ld->w, item, path, sa);
}

static int spi_ref_cmp(const void *a, const void *b)
{
	const struct spi_ref *x = a, *y = b;

	if (x->dir != y->dir)
		return x->dir < y->dir ? -1 : 1;
	if (x->spi != y->spi)
		return x->spi < y->spi ? -1 : 1;
	if (x->idx != y->idx)
		return x->idx < y->idx ? -1 : 1;
	return 0;
}

/*
 * SPIs are unique per direction (the inbound SAD is keyed by SPI alone).
 * Sorting finds duplicates in O(n log n); the one reported is the first
 * repeat in file order, so the message does not depend on the sort.
 */
static int check_spis(struct loader *ld, const struct cfg_obj *top, const struct ynode *list)
{
	struct secgw_config *cfg = ld->cfg;
	const struct spi_ref *dup = NULL, *orig = NULL;
	char field[YPATH_MAX];
	const struct ynode *at;

	ld->spis = calloc(cfg->n_sas, sizeof(*ld->spis));
	if (ld->spis == NULL)
		return obj_fail(top, "sas", "out of memory");
	for (uint32_t i = 0; i < cfg->n_sas; i++)
		ld->spis[i] = (struct spi_ref){ cfg->sas[i].spi, i, (uint8_t)cfg->sas[i].dir };
	qsort(ld->spis, cfg->n_sas, sizeof(*ld->spis), spi_ref_cmp);
	for (uint32_t i = 1; i < cfg->n_sas; i++) {
		const struct spi_ref *a = &ld->spis[i - 1], *b = &ld->spis[i];

		if (a->dir == b->dir && a->spi == b->spi && (dup == NULL || b->idx < dup->idx)) {
			dup = b;
			orig = a;
		}
	}
	if (dup == NULL)
		return 0;
	/* the group's first entry is the original: walk back to it */
	while (orig > ld->spis && orig[-1].dir == dup->dir && orig[-1].spi == dup->spi)
		orig--;
	cfg_pathf(field, "sas[%u].spi", dup->idx);
	at = ymap_get(list->kids[dup->idx], "spi");
	return cfg_fail(&ld->w, at, field, "duplicate SPI 0x%x for direction %s (also sas[%u])",
			dup->spi, dir_name((enum cfg_direction)dup->dir), orig->idx);
}

int cfg_read_sas(struct loader *ld, const struct cfg_obj *top)
{
	struct secgw_config *cfg = ld->cfg;
	const struct ynode *list;
	long n = cfg_read_list(top, "sas", 0, CFG_MAX_SAS, "SAs", false, &list);

	if (n <= 0)
		return (int)n;
	cfg->sas = calloc((size_t)n, sizeof(*cfg->sas));
	if (cfg->sas == NULL)
		return obj_fail(top, "sas", "out of memory");
	/* counted from the start so that config_free wipes every slot */
	cfg->n_sas = (uint32_t)n;
	for (long i = 0; i < n; i++) {
		if (read_sa(ld, list->kids[i], (uint32_t)i) < 0)
			return -1;
	}
	return check_spis(ld, top, list);
}

void cfg_loader_release(struct loader *ld)
{
	free(ld->spis);
	ld->spis = NULL;
}

/* ---- policies ----------------------------------------------------------- */

static const char *const policy_keys[] = {
	"name", "direction", "src", "dst", "proto", "sport", "dport", "action", "sa", "priority",
	NULL,
};

static const struct {
	const char *name;
	int number;
} ip_protos[] = {
	{ "any", -1 }, { "tcp", 6 },  { "udp", 17 }, { "icmp", 1 },
	{ "icmpv6", 58 }, { "esp", 50 }, { "ah", 51 }, { "sctp", 132 },
};

#define N_IP_PROTOS (sizeof(ip_protos) / sizeof(ip_protos[0]))

static const char *proto_name(int proto, char buf[8])
{
	for (size_t i = 0; i < N_IP_PROTOS; i++) {
		if (ip_protos[i].number == proto)
			return ip_protos[i].name;
	}
	snprintf(buf, 8, "%d", proto);
	return buf;
}

static struct cfg_prefix any_prefix(uint8_t family)
{
	struct cfg_prefix p;

	memset(&p, 0, sizeof(p));
	p.addr.family = family;
	return p;
}

static int read_selectors(const struct cfg_obj *o, struct cfg_policy *p)
{
	int rs = obj_prefix(o, "src", false, false, &p->src);
	int rd = rs < 0 ? -1 : obj_prefix(o, "dst", false, false, &p->dst);

	if (rs < 0 || rd < 0)
		return -1;
	if (rs && rd && p->src.addr.family != p->dst.addr.family)
		return obj_fail(o, "dst", "%s prefix but src is %s, expected the same family",
				cfg_family_name(p->dst.addr.family),
				cfg_family_name(p->src.addr.family));
	if (!rs)
		p->src = any_prefix(rd ? p->dst.addr.family : AF_INET);
	if (!rd)
		p->dst = any_prefix(p->src.addr.family);
	return 0;
}

static int read_ip_proto(const struct cfg_obj *o, struct cfg_policy *p)
{
	const struct ynode *n = obj_get(o, "proto");
	char buf[YQUOTE_MAX];
	uint64_t v;
	bool v6 = p->src.addr.family == AF_INET6;

	p->proto = -1;
	if (n == NULL)
		return 0;
	if (ynode_is_text(n) && n->str[0] >= '0' && n->str[0] <= '9') {
		if (obj_u64(o, "proto", 0, 255, &v) < 0)
			return -1;
		p->proto = (int)v;
	} else {
		for (size_t i = 0; i < N_IP_PROTOS && ynode_is_text(n); i++) {
			if (strcmp(n->str, ip_protos[i].name) == 0)
				p->proto = ip_protos[i].number;
		}
		if (p->proto == -1 && !(ynode_is_text(n) && strcmp(n->str, "any") == 0))
			return obj_fail(o, "proto", "expected one of any, tcp, udp, icmp, icmpv6, "
					"esp, ah, sctp or 0..255, got %s", ynode_quote(n, buf));
	}
	if (p->proto == 1 && v6)
		return obj_fail(o, "proto", "icmp does not match IPv6 selectors, expected icmpv6");
	if (p->proto == 58 && !v6)
		return obj_fail(o, "proto", "icmpv6 does not match IPv4 selectors, expected icmp");
	return 0;
}

static int read_l4_ports(const struct cfg_obj *o, struct cfg_policy *p)
{
	static const char *const keys[] = { "sport", "dport" };
	uint16_t *lo[] = { &p->sport_lo, &p->dport_lo }, *hi[] = { &p->sport_hi, &p->dport_hi };
	bool has_ports = p->proto == 6 || p->proto == 17 || p->proto == 132;
	char buf[8];

	for (int i = 0; i < 2; i++) {
		*lo[i] = 0;
		*hi[i] = 65535;
		if (obj_get(o, keys[i]) != NULL && !has_ports)
			return obj_fail(o, keys[i], "only allowed with proto tcp, udp or sctp, got "
					"proto %s", proto_name(p->proto, buf));
		if (obj_port_range(o, keys[i], lo[i], hi[i]) < 0)
			return -1;
	}
	return 0;
}

/* The SA a protect policy names: same SPI and same direction. */
static int resolve_sa(struct loader *ld, const struct cfg_obj *o, const struct cfg_policy *p)
{
	struct spi_ref key = { p->spi, 0, (uint8_t)p->dir };
	const struct spi_ref *hit = NULL;
	size_t lo = 0, hi = ld->spis != NULL ? ld->cfg->n_sas : 0;

	/* lower bound of (dir, spi, 0) in the sorted index */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (spi_ref_cmp(&ld->spis[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (ld->spis != NULL && lo < ld->cfg->n_sas)
		hit = &ld->spis[lo];
	if (hit != NULL && hit->spi == p->spi && hit->dir == p->dir) {
		const struct cfg_sa *sa = &ld->cfg->sas[hit->idx];

		if (sa->family != p->src.addr.family)
			return obj_fail(o, "sa", "SA %s carries %s packets but the policy is %s",
					sa->name, cfg_family_name(sa->family),
					cfg_family_name(p->src.addr.family));
		return 0;
	}
	if (cfg_sa_by_spi(ld->cfg, p->spi, !p->dir) != NULL)
		return obj_fail(o, "sa", "SA 0x%x is %sbound but the policy is %sbound", p->spi,
				dir_name(!p->dir), dir_name(p->dir));
	return obj_fail(o, "sa", "no SA with SPI 0x%x", p->spi);
}

static int read_action(struct loader *ld, const struct cfg_obj *o, struct cfg_policy *p)
{
	static const char *const actions[] = { "bypass", "discard", "protect", "trap" };
	_Static_assert(CFG_SP_BYPASS == 0 && CFG_SP_DISCARD == 1 && CFG_SP_PROTECT == 2 &&
			       CFG_SP_TRAP == 3,
		       "action names");
	int v, rc;
	char why[32];

	if (read_required_enum(o, "action", actions, 4, &v) < 0)
		return -1;
	p->action = (enum cfg_sp_action)v;
	if (p->action == CFG_SP_TRAP && p->dir != CFG_DIR_OUT)
		return obj_fail(o, "action", "trap is for outbound policies only");
	if (p->action != CFG_SP_PROTECT) {
		snprintf(why, sizeof(why), "with action %s", actions[v]);
		return obj_get(o, "sa") != NULL ? obj_forbidden(o, "sa", why) : 0;
	}
	rc = obj_u32(o, "sa", 0, UINT32_MAX, &p->spi);
	if (rc <= 0)
		return rc < 0 ? -1 : obj_missing(o, "sa", "action protect needs an SA");
	/* a snippet (no loader) leaves the reference to the data plane's SAD */
	return ld != NULL ? resolve_sa(ld, o, p) : 0;
}

int cfg_read_policy_entry(struct cfg_walk *w, struct loader *ld, const struct ynode *item,
			  const char *path, struct cfg_policy *p)
{
	struct cfg_obj o;

	if (open_entry(w, item, path, policy_keys, &o) < 0)
		return -1;
	p->line = item->line;
	p->priority = 1000;
	if (obj_name(&o, "name", p->name, sizeof(p->name)) < 0 || read_direction(&o, &p->dir) < 0 ||
	    read_selectors(&o, p) < 0 || read_ip_proto(&o, p) < 0 || read_l4_ports(&o, p) < 0 ||
	    read_action(ld, &o, p) < 0 || obj_u32(&o, "priority", 0, INT32_MAX, &p->priority) < 0)
		return -1;
	return 0;
}

static int read_policy(struct loader *ld, const struct ynode *item, uint32_t idx)
{
	struct cfg_policy *p = &ld->cfg->policies[idx];
	char path[YPATH_MAX];

	cfg_pathf(path, "policies[%u]", idx);
	snprintf(p->name, sizeof(p->name), "policies[%u]", idx);
	return cfg_read_policy_entry(&ld->w, ld, item, path, p);
}

int cfg_read_policies(struct loader *ld, const struct cfg_obj *top)
{
	struct secgw_config *cfg = ld->cfg;
	const struct ynode *list;
	long n = cfg_read_list(top, "policies", 0, CFG_MAX_POLICIES, "policies", false, &list);

	if (n <= 0)
		return (int)n;
	cfg->policies = calloc((size_t)n, sizeof(*cfg->policies));
	if (cfg->policies == NULL)
		return obj_fail(top, "policies", "out of memory");
	cfg->n_policies = (uint32_t)n;
	for (long i = 0; i < n; i++) {
		if (read_policy(ld, list->kids[i], (uint32_t)i) < 0)
			return -1;
	}
	return 0;
}
