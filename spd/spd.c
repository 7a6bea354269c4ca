/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_acl.h>
#include <rte_malloc.h>

#include "spd.h"

enum { F_PROTO, F_SRC, F_DST, F_SPORT, F_DPORT, F__COUNT };

#define SPD_CLASSIFY_MAX 64

RTE_ACL_RULE_DEF(spd4_rule, F__COUNT);

static const struct rte_acl_field_def spd4_fields[F__COUNT] = {
	{.type = RTE_ACL_FIELD_TYPE_BITMASK, .size = 1, .field_index = F_PROTO,
	 .input_index = 0, .offset = offsetof(struct spd4_key, proto)},
	{.type = RTE_ACL_FIELD_TYPE_MASK, .size = 4, .field_index = F_SRC,
	 .input_index = 1, .offset = offsetof(struct spd4_key, src)},
	{.type = RTE_ACL_FIELD_TYPE_MASK, .size = 4, .field_index = F_DST,
	 .input_index = 2, .offset = offsetof(struct spd4_key, dst)},
	{.type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2, .field_index = F_SPORT,
	 .input_index = 3, .offset = offsetof(struct spd4_key, sport)},
	{.type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2, .field_index = F_DPORT,
	 .input_index = 3, .offset = offsetof(struct spd4_key, dport)},
};

struct spd_dir {
	struct rte_acl_ctx *acl; /* NULL when the direction has no IPv4 policy */
	struct spd_entry *entries; /* indexed by ACL userdata - 1 */
};

struct spd {
	struct spd_dir dir[2];
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

static void
rule_from_policy(struct spd4_rule *r, const struct cfg_policy *p, int32_t prio,
		 uint32_t userdata)
{
	memset(r, 0, sizeof(*r));
	r->data.category_mask = 1;
	r->data.priority = prio;
	r->data.userdata = userdata;
	if (p->proto >= 0) {
		r->field[F_PROTO].value.u8 = (uint8_t)p->proto;
		r->field[F_PROTO].mask_range.u8 = 0xff;
	}
	r->field[F_SRC].value.u32 = rte_be_to_cpu_32(p->src.addr.v4);
	r->field[F_SRC].mask_range.u32 = p->src.len;
	r->field[F_DST].value.u32 = rte_be_to_cpu_32(p->dst.addr.v4);
	r->field[F_DST].mask_range.u32 = p->dst.len;
	r->field[F_SPORT].value.u16 = p->sport_lo;
	r->field[F_SPORT].mask_range.u16 = p->sport_hi;
	r->field[F_DPORT].value.u16 = p->dport_lo;
	r->field[F_DPORT].mask_range.u16 = p->dport_hi;
}

static int
build_dir(struct spd_dir *d, const char *name, enum cfg_direction dir,
	  const struct cfg_policy *pol, uint32_t n, spd_sa_resolver resolve, void *arg,
	  int socket, char err[SPD_ERR_MAX])
{
	char acl_name[RTE_ACL_NAMESIZE];
	struct rte_acl_param ap = {.socket_id = socket,
				   .rule_size = RTE_ACL_RULE_SZ(F__COUNT)};
	struct rte_acl_config bc = {.num_categories = 1, .num_fields = F__COUNT};
	struct rank *rk;
	struct spd4_rule rule;
	uint32_t i, m = 0;
	int rc = -1;

	rk = calloc(n ? n : 1, sizeof(*rk));
	d->entries = rte_zmalloc_socket("spd_entries", sizeof(*d->entries) * (n ? n : 1),
					RTE_CACHE_LINE_SIZE, socket);
	if (rk == NULL || d->entries == NULL) {
		snprintf(err, SPD_ERR_MAX, "out of memory for %u policies", n);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (pol[i].dir != dir || pol[i].src.addr.family != AF_INET)
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

	snprintf(acl_name, sizeof(acl_name), "%s_%s", name, dir == CFG_DIR_IN ? "in" : "out");
	ap.name = acl_name;
	ap.max_rule_num = m;
	d->acl = rte_acl_create(&ap);
	if (d->acl == NULL) {
		snprintf(err, SPD_ERR_MAX, "rte_acl_create %s failed", acl_name);
		goto out;
	}
	for (i = 0; i < m; i++) {
		const struct cfg_policy *p = &pol[rk[i].idx];
		struct spd_entry *e = &d->entries[i];

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
		rule_from_policy(&rule, p, RTE_ACL_MAX_PRIORITY - (int32_t)i, i + 1);
		if (rte_acl_add_rules(d->acl, (const struct rte_acl_rule *)&rule, 1) != 0) {
			snprintf(err, SPD_ERR_MAX, "policy %s: rejected by rte_acl", p->name);
			goto out;
		}
	}
	memcpy(bc.defs, spd4_fields, sizeof(spd4_fields));
	if (rte_acl_build(d->acl, &bc) != 0) {
		snprintf(err, SPD_ERR_MAX, "rte_acl_build %s failed", acl_name);
		goto out;
	}
	rc = 0;
out:
	free(rk);
	return rc;
}

struct spd *
spd_build(const char *name, const struct cfg_policy *pol, uint32_t n,
	  spd_sa_resolver resolve, void *arg, int socket, char err[SPD_ERR_MAX])
{
	struct spd *spd;

	spd = rte_zmalloc_socket("spd", sizeof(*spd), RTE_CACHE_LINE_SIZE, socket);
	if (spd == NULL) {
		snprintf(err, SPD_ERR_MAX, "out of memory");
		return NULL;
	}
	if (build_dir(&spd->dir[CFG_DIR_OUT], name, CFG_DIR_OUT, pol, n, resolve, arg,
		      socket, err) != 0 ||
	    build_dir(&spd->dir[CFG_DIR_IN], name, CFG_DIR_IN, pol, n, resolve, arg,
		      socket, err) != 0) {
		spd_free(spd);
		return NULL;
	}
	return spd;
}

void
spd_free(struct spd *spd)
{
	int i;

	if (spd == NULL)
		return;
	for (i = 0; i < 2; i++) {
		rte_acl_free(spd->dir[i].acl);
		rte_free(spd->dir[i].entries);
	}
	rte_free(spd);
}

void
spd_classify4(const struct spd *spd, enum cfg_direction dir,
	      const struct spd4_key *keys[], uint16_t n, const struct spd_entry *res[])
{
	const struct spd_dir *d = &spd->dir[dir];
	uint32_t ud[SPD_CLASSIFY_MAX];
	uint16_t i, base, m;

	if (d->acl == NULL) {
		for (i = 0; i < n; i++)
			res[i] = NULL;
		return;
	}
	for (base = 0; base < n; base += m) {
		m = RTE_MIN(n - base, SPD_CLASSIFY_MAX);
		rte_acl_classify(d->acl, (const uint8_t **)&keys[base], ud, m, 1);
		for (i = 0; i < m; i++)
			res[base + i] = ud[i] != 0 ? &d->entries[ud[i] - 1] : NULL;
	}
}
