/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_acl.h>
#include <rte_malloc.h>

#include "spd.h"

#define SPD_CLASSIFY_MAX 64

enum spd_family { SPD_V4, SPD_V6, SPD_FAMILIES };

/*
 * Where a family's selectors sit in its key.  rte_acl fields are at most 4
 * bytes wide for prefix matching, so an address is addr_words 32-bit fields.
 * ACL field order: proto, src words, dst words, sport, dport.
 */
struct family_layout {
	uint8_t af;
	char tag; /* ACL context names: "<name>_out4" */
	uint8_t addr_words;
	uint32_t proto_off, src_off, dst_off, sport_off, dport_off;
};

static const struct family_layout layouts[SPD_FAMILIES] = {
	[SPD_V4] = {AF_INET, '4', 1, offsetof(struct spd4_key, proto),
		    offsetof(struct spd4_key, src), offsetof(struct spd4_key, dst),
		    offsetof(struct spd4_key, sport), offsetof(struct spd4_key, dport)},
	[SPD_V6] = {AF_INET6, '6', 4, offsetof(struct spd6_key, proto),
		    offsetof(struct spd6_key, src), offsetof(struct spd6_key, dst),
		    offsetof(struct spd6_key, sport), offsetof(struct spd6_key, dport)},
};

#define SPD_FIELDS_MAX (3 + 2 * 4)

static uint32_t
field_src(uint32_t word)
{
	return 1 + word;
}

static uint32_t
field_dst(const struct family_layout *l, uint32_t word)
{
	return 1 + l->addr_words + word;
}

static uint32_t
field_sport(const struct family_layout *l)
{
	return 1 + 2u * l->addr_words;
}

static uint32_t
num_fields(const struct family_layout *l)
{
	return field_sport(l) + 2;
}

RTE_ACL_RULE_DEF(spd_rule, SPD_FIELDS_MAX);

/*
 * rte_acl consumes the first field as one byte and every later input_index as
 * one group of 4 consecutive key bytes: each address word is its own group and
 * the two ports share one.
 */
static void
field_defs(const struct family_layout *l, struct rte_acl_field_def defs[SPD_FIELDS_MAX])
{
	uint32_t w, sp = field_sport(l);

	defs[0] = (struct rte_acl_field_def){.type = RTE_ACL_FIELD_TYPE_BITMASK, .size = 1,
					     .field_index = 0, .input_index = 0,
					     .offset = l->proto_off};
	for (w = 0; w < l->addr_words; w++) {
		defs[field_src(w)] = (struct rte_acl_field_def){
			.type = RTE_ACL_FIELD_TYPE_MASK, .size = 4,
			.field_index = field_src(w), .input_index = field_src(w),
			.offset = l->src_off + 4 * w};
		defs[field_dst(l, w)] = (struct rte_acl_field_def){
			.type = RTE_ACL_FIELD_TYPE_MASK, .size = 4,
			.field_index = field_dst(l, w), .input_index = field_dst(l, w),
			.offset = l->dst_off + 4 * w};
	}
	defs[sp] = (struct rte_acl_field_def){.type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
					      .field_index = sp, .input_index = sp,
					      .offset = l->sport_off};
	defs[sp + 1] = (struct rte_acl_field_def){.type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
						  .field_index = sp + 1, .input_index = sp,
						  .offset = l->dport_off};
}

struct spd_table {
	struct rte_acl_ctx *acl;   /* NULL when no policy has this direction and family */
	struct spd_entry *entries; /* indexed by ACL userdata - 1 */
};

struct spd {
	struct spd_table table[2][SPD_FAMILIES]; /* [direction][family] */
};

/* Ranks policies so that ACL priorities are unique and follow config order. */
struct rank {
	uint32_t prio;
	uint32_t idx;
};

static int
rank_cmp(const void *a, const void *b)
{
	const struct rank *x = a, *y = b;

	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

/* A prefix as 32-bit words in host order, each with its own share of the length. */
static void
prefix_fields(struct rte_acl_field *f, const struct cfg_prefix *p, uint32_t words)
{
	const uint8_t *net = p->addr.family == AF_INET ? (const uint8_t *)&p->addr.v4
						       : p->addr.v6;
	rte_be32_t be;
	uint32_t w;

	for (w = 0; w < words; w++) {
		memcpy(&be, net + 4 * w, sizeof(be));
		f[w].value.u32 = rte_be_to_cpu_32(be);
		f[w].mask_range.u32 = p->len > 32 * w ? RTE_MIN(p->len - 32 * w, 32u) : 0;
	}
}

static void
rule_from_policy(struct spd_rule *r, const struct family_layout *l,
		 const struct cfg_policy *p, int32_t prio, uint32_t userdata)
{
	uint32_t sp = field_sport(l);

	memset(r, 0, sizeof(*r));
	r->data.category_mask = 1;
	r->data.priority = prio;
	r->data.userdata = userdata;
	if (p->proto >= 0) {
		r->field[0].value.u8 = (uint8_t)p->proto;
		r->field[0].mask_range.u8 = 0xff;
	}
	prefix_fields(&r->field[field_src(0)], &p->src, l->addr_words);
	prefix_fields(&r->field[field_dst(l, 0)], &p->dst, l->addr_words);
	r->field[sp].value.u16 = p->sport_lo;
	r->field[sp].mask_range.u16 = p->sport_hi;
	r->field[sp + 1].value.u16 = p->dport_lo;
	r->field[sp + 1].mask_range.u16 = p->dport_hi;
}

static int
prefix_cmp(const struct cfg_prefix *a, const struct cfg_prefix *b)
{
	if (a->addr.family != b->addr.family)
		return a->addr.family - b->addr.family;
	if (a->len != b->len)
		return a->len - b->len;
	return memcmp(a->addr.v6, b->addr.v6, a->addr.family == AF_INET6 ? 16 : 4);
}

/* A total order on selectors (addresses compared by their family's bytes only). */
static int
sel_cmp(const struct cfg_policy *p, const struct cfg_policy *q)
{
	int c = prefix_cmp(&p->src, &q->src);

	if (c == 0)
		c = prefix_cmp(&p->dst, &q->dst);
	if (c == 0)
		c = p->proto - q->proto;
	if (c == 0)
		c = (int)p->sport_lo - q->sport_lo;
	if (c == 0)
		c = (int)p->sport_hi - q->sport_hi;
	if (c == 0)
		c = (int)p->dport_lo - q->dport_lo;
	if (c == 0)
		c = (int)p->dport_hi - q->dport_hi;
	return c;
}

struct alt_order {
	const struct cfg_policy *pol;
	const struct rank *rk;
};

/* Ranks ordered by selectors, then by rank: equal selectors end up adjacent. */
static int
alt_cmp(const void *a, const void *b, void *arg)
{
	const struct alt_order *o = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int c = sel_cmp(&o->pol[o->rk[x].idx], &o->pol[o->rk[y].idx]);

	return c != 0 ? c : (x < y ? -1 : 1);
}

/* Fill alt_sa_idx of the m entries (rank order); false when out of memory. */
static bool
link_identical(struct spd_entry *e, const struct cfg_policy *pol, const struct rank *rk,
	       uint32_t m)
{
	struct alt_order o = {pol, rk};
	uint32_t *ord = malloc(sizeof(*ord) * m), k;

	if (ord == NULL)
		return false;
	for (k = 0; k < m; k++) {
		ord[k] = k;
		e[k].alt_sa_idx = -1;
	}
	qsort_r(ord, m, sizeof(*ord), alt_cmp, &o);
	for (k = 0; k + 1 < m; k++) {
		uint32_t x = ord[k], y = ord[k + 1];

		if (e[x].action == CFG_SP_PROTECT && e[y].action == CFG_SP_PROTECT &&
		    sel_cmp(&pol[rk[x].idx], &pol[rk[y].idx]) == 0)
			e[x].alt_sa_idx = e[y].sa_idx;
	}
	free(ord);
	return true;
}

static int
build_table(struct spd_table *t, const char *name, enum cfg_direction dir,
	    const struct family_layout *l, const struct cfg_policy *pol, uint32_t n,
	    spd_sa_resolver resolve, void *arg, int socket, char err[SPD_ERR_MAX])
{
	char acl_name[RTE_ACL_NAMESIZE];
	struct rte_acl_param ap = {.socket_id = socket, .rule_size = RTE_ACL_RULE_SZ(num_fields(l))};
	struct rte_acl_config bc = {.num_categories = 1, .num_fields = num_fields(l)};
	struct rank *rk;
	struct spd_rule rule;
	uint32_t i, m = 0;
	int rc = -1;

	rk = calloc(n ? n : 1, sizeof(*rk));
	if (rk == NULL) {
		snprintf(err, SPD_ERR_MAX, "out of memory for %u policies", n);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (pol[i].dir != dir || pol[i].src.addr.family != l->af)
			continue;
		rk[m].prio = pol[i].priority;
		rk[m].idx = i;
		m++;
	}
	if (m == 0) {
		rc = 0;
		goto out;
	}
	qsort(rk, m, sizeof(*rk), rank_cmp);

	t->entries = rte_zmalloc_socket("spd_entries", sizeof(*t->entries) * m,
					RTE_CACHE_LINE_SIZE, socket);
	if (t->entries == NULL) {
		snprintf(err, SPD_ERR_MAX, "out of memory for %u policies", m);
		goto out;
	}
	/* rte_acl_create returns the existing context of a name: names must be unique */
	snprintf(acl_name, sizeof(acl_name), "%s_%s%c", name, dir == CFG_DIR_IN ? "in" : "out",
		 l->tag);
	ap.name = acl_name;
	ap.max_rule_num = m;
	t->acl = rte_acl_create(&ap);
	if (t->acl == NULL) {
		snprintf(err, SPD_ERR_MAX, "rte_acl_create %s failed", acl_name);
		goto out;
	}
	for (i = 0; i < m; i++) {
		const struct cfg_policy *p = &pol[rk[i].idx];
		struct spd_entry *e = &t->entries[i];

		e->action = p->action;
		e->policy_idx = rk[i].idx;
		e->sa_idx = -1;
		if (p->action == CFG_SP_PROTECT) {
			e->sa_idx = resolve(arg, p->spi, p->dir);
			if (e->sa_idx < 0) {
				snprintf(err, SPD_ERR_MAX, "policy %s: SA 0x%08x is not installed",
					 p->name, p->spi);
				goto out;
			}
		}
		rule_from_policy(&rule, l, p, RTE_ACL_MAX_PRIORITY - (int32_t)i, i + 1);
		if (rte_acl_add_rules(t->acl, (const struct rte_acl_rule *)&rule, 1) != 0) {
			snprintf(err, SPD_ERR_MAX, "policy %s: rejected by rte_acl", p->name);
			goto out;
		}
	}
	if (!link_identical(t->entries, pol, rk, m)) {
		snprintf(err, SPD_ERR_MAX, "out of memory for %u policies", m);
		goto out;
	}
	field_defs(l, bc.defs);
	if (rte_acl_build(t->acl, &bc) != 0) {
		snprintf(err, SPD_ERR_MAX, "rte_acl_build %s failed", acl_name);
		goto out;
	}
	rc = 0;
out:
	free(rk);
	return rc;
}

/* Policies come validated from the loader; an API caller still gets a clear refusal. */
static int
check_families(const struct cfg_policy *pol, uint32_t n, char err[SPD_ERR_MAX])
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint8_t s = pol[i].src.addr.family, d = pol[i].dst.addr.family;

		if ((s != AF_INET && s != AF_INET6) || s != d) {
			snprintf(err, SPD_ERR_MAX,
				 "policy %s: src family %u and dst family %u, expected both "
				 "IPv4 or both IPv6", pol[i].name, s, d);
			return -1;
		}
	}
	return 0;
}

struct spd *
spd_build(const char *name, const struct cfg_policy *pol, uint32_t n,
	  spd_sa_resolver resolve, void *arg, int socket, char err[SPD_ERR_MAX])
{
	struct spd *spd;
	int dir, fam;

	if (check_families(pol, n, err) != 0)
		return NULL;
	spd = rte_zmalloc_socket("spd", sizeof(*spd), RTE_CACHE_LINE_SIZE, socket);
	if (spd == NULL) {
		snprintf(err, SPD_ERR_MAX, "out of memory");
		return NULL;
	}
	for (dir = 0; dir < 2; dir++) {
		for (fam = 0; fam < SPD_FAMILIES; fam++) {
			if (build_table(&spd->table[dir][fam], name, dir, &layouts[fam], pol, n,
					resolve, arg, socket, err) != 0) {
				spd_free(spd);
				return NULL;
			}
		}
	}
	return spd;
}

void
spd_free(struct spd *spd)
{
	int dir, fam;

	if (spd == NULL)
		return;
	for (dir = 0; dir < 2; dir++) {
		for (fam = 0; fam < SPD_FAMILIES; fam++) {
			rte_acl_free(spd->table[dir][fam].acl);
			rte_free(spd->table[dir][fam].entries);
		}
	}
	rte_free(spd);
}

static void
classify(const struct spd_table *t, const uint8_t *keys[], uint16_t n,
	 const struct spd_entry *res[])
{
	uint32_t ud[SPD_CLASSIFY_MAX];
	uint16_t i, base, m;

	if (t->acl == NULL) {
		for (i = 0; i < n; i++)
			res[i] = NULL;
		return;
	}
	for (base = 0; base < n; base += m) {
		m = RTE_MIN(n - base, SPD_CLASSIFY_MAX);
		rte_acl_classify(t->acl, &keys[base], ud, m, 1);
		for (i = 0; i < m; i++)
			res[base + i] = ud[i] != 0 ? &t->entries[ud[i] - 1] : NULL;
	}
}

void
spd_classify4(const struct spd *spd, enum cfg_direction dir,
	      const struct spd4_key *keys[], uint16_t n, const struct spd_entry *res[])
{
	classify(&spd->table[dir][SPD_V4], (const uint8_t **)keys, n, res);
}

void
spd_classify6(const struct spd *spd, enum cfg_direction dir,
	      const struct spd6_key *keys[], uint16_t n, const struct spd_entry *res[])
{
	classify(&spd->table[dir][SPD_V6], (const uint8_t **)keys, n, res);
}
