/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sa add/del/list and policy add/del/list over the control socket
 * (edit_cmds.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_out.h"
#include "config.h"
#include "ctl_client.h"
#include "edit_cmds.h"

static const char *
proto_str(int proto, char *buf, size_t cap)
{
	static const struct { int n; const char *name; } names[] = {
		{ -1, "any" }, { 1, "icmp" }, { 6, "tcp" }, { 17, "udp" }, { 50, "esp" },
		{ 51, "ah" }, { 58, "icmpv6" }, { 132, "sctp" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].n == proto)
			return names[i].name;
	snprintf(buf, cap, "%d", proto);
	return buf;
}

static void
prefix_str(const struct cfg_prefix *p, char *buf, size_t cap)
{
	char a[64];

	if (cfg_addr_str(&p->addr, a, sizeof(a)) == NULL)
		snprintf(a, sizeof(a), "?");
	snprintf(buf, cap, "%s/%u", a, p->len);
}

static void
range_str(uint16_t lo, uint16_t hi, char *buf, size_t cap)
{
	if (lo == 0 && hi == 65535)
		snprintf(buf, cap, "any");
	else if (lo == hi)
		snprintf(buf, cap, "%u", lo);
	else
		snprintf(buf, cap, "%u-%u", lo, hi);
}

static const char *
dir_str(enum cfg_direction d)
{
	return d == CFG_DIR_IN ? "in" : "out";
}

static const char *
action_str(enum cfg_sp_action a)
{
	static const char *const names[] = {"bypass", "discard", "protect", "trap"};

	return (size_t)a < sizeof(names) / sizeof(names[0]) ? names[a] : "?";
}

static int
print_policies(struct cfg_policy *pol, size_t n, int json)
{
	struct table t = {
		.ncols = 10,
		.head = { "NAME", "DIR", "PRIORITY", "SRC", "DST", "PROTO", "SPORT", "DPORT",
			  "ACTION", "SA" },
		.right = { [2] = true },
	};
	char src[80], dst[80], sp[16], dp[16], pb[8];

	if (json) {
		printf("{");
		for (size_t i = 0; i < n; i++) {
			struct cfg_policy *p = &pol[i];

			p->name[sizeof(p->name) - 1] = '\0';
			prefix_str(&p->src, src, sizeof(src));
			prefix_str(&p->dst, dst, sizeof(dst));
			range_str(p->sport_lo, p->sport_hi, sp, sizeof(sp));
			range_str(p->dport_lo, p->dport_hi, dp, sizeof(dp));
			printf("%s", i ? ", " : "");
			json_string(p->name);
			printf(": {\"direction\": \"%s\", \"priority\": %u, \"src\": \"%s\", "
			       "\"dst\": \"%s\", \"proto\": \"%s\", \"sport\": \"%s\", "
			       "\"dport\": \"%s\", \"action\": \"%s\"",
			       dir_str(p->dir), p->priority, src, dst,
			       proto_str(p->proto, pb, sizeof(pb)), sp, dp, action_str(p->action));
			if (p->action == CFG_SP_PROTECT)
				printf(", \"sa\": %u", p->spi);
			printf("}");
		}
		printf("}\n");
		return 0;
	}
	if (table_alloc(&t, n) < 0) {
		table_free(&t);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct cfg_policy *p = &pol[i];
		char (*cell)[TABLE_CELL_MAX] = t.cells[i];

		p->name[sizeof(p->name) - 1] = '\0';
		snprintf(cell[0], sizeof(cell[0]), "%s", p->name);
		sanitize(cell[0]);
		snprintf(cell[1], sizeof(cell[1]), "%s", dir_str(p->dir));
		snprintf(cell[2], sizeof(cell[2]), "%u", p->priority);
		prefix_str(&p->src, cell[3], sizeof(cell[3]));
		prefix_str(&p->dst, cell[4], sizeof(cell[4]));
		snprintf(cell[5], sizeof(cell[5]), "%s", proto_str(p->proto, pb, sizeof(pb)));
		range_str(p->sport_lo, p->sport_hi, cell[6], sizeof(cell[6]));
		range_str(p->dport_lo, p->dport_hi, cell[7], sizeof(cell[7]));
		snprintf(cell[8], sizeof(cell[8]), "%s", action_str(p->action));
		if (p->action == CFG_SP_PROTECT)
			snprintf(cell[9], sizeof(cell[9]), "0x%08x", p->spi);
		else
			snprintf(cell[9], sizeof(cell[9]), "-");
		/* outbound first, then by priority, then as the data plane lists them */
		t.sort_key[i] = ((uint64_t)(p->dir == CFG_DIR_IN) << 32) | p->priority;
	}
	table_show(&t, n, "no policies");
	table_free(&t);
	return 0;
}

/* Outbound first, then by SPI: (SPI, direction) is unique, so the order is total. */
static int
sa_cmp(const void *a, const void *b)
{
	const struct cfg_sa *x = &((const struct ctl_sa_info *)a)->sa;
	const struct cfg_sa *y = &((const struct ctl_sa_info *)b)->sa;
	uint64_t kx = ((uint64_t)(x->dir == CFG_DIR_IN) << 32) | x->spi;
	uint64_t ky = ((uint64_t)(y->dir == CFG_DIR_IN) << 32) | y->spi;

	return (kx > ky) - (kx < ky);
}

/* The enums index name tables: check them before anything is printed. */
static int
sa_check(struct ctl_sa_info *e)
{
	const struct cfg_sa *s = &e->sa;

	e->sa.name[sizeof(e->sa.name) - 1] = '\0';
	if (s->dir > CFG_DIR_IN || s->mode > CFG_MODE_TRANSPORT ||
	    cfg_cipher_info(s->cipher) == NULL || cfg_integ_info(s->integ) == NULL) {
		err_msg("malformed reply: SA 0x%08x has an unknown direction, mode or algorithm",
			s->spi);
		return -1;
	}
	return 0;
}

static const char *
mode_str(enum cfg_sa_mode m)
{
	return m == CFG_MODE_TUNNEL ? "tunnel" : "transport";
}

/* The table row of one SA; formatted twice (sizing, printing) to hold no table. */
static void
sa_cells(const struct ctl_sa_info *e, char cell[][TABLE_CELL_MAX])
{
	const struct cfg_sa *s = &e->sa;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	uint64_t drops = e->drop_replay > UINT64_MAX - e->drop_icv ? UINT64_MAX /* saturate */
								    : e->drop_replay + e->drop_icv;

	snprintf(cell[0], TABLE_CELL_MAX, "0x%08x", s->spi);
	snprintf(cell[1], TABLE_CELL_MAX, "%s", s->name[0] != '\0' ? s->name : "-");
	sanitize(cell[1]);
	snprintf(cell[2], TABLE_CELL_MAX, "%s", dir_str(s->dir));
	snprintf(cell[3], TABLE_CELL_MAX, "%s", mode_str(s->mode));
	if (s->integ == CFG_INTEG_NONE)
		snprintf(cell[4], TABLE_CELL_MAX, "%s", cfg_cipher_info(s->cipher)->name);
	else
		snprintf(cell[4], TABLE_CELL_MAX, "%s/%s", cfg_cipher_info(s->cipher)->name,
			 cfg_integ_info(s->integ)->name);
	if (s->tun_src.family == 0 && s->tun_dst.family == 0)
		snprintf(cell[5], TABLE_CELL_MAX, "-");
	else
		snprintf(cell[5], TABLE_CELL_MAX, "%s -> %s",
			 cfg_addr_str(&s->tun_src, src, sizeof(src)),
			 cfg_addr_str(&s->tun_dst, dst, sizeof(dst)));
	snprintf(cell[6], TABLE_CELL_MAX, "%" PRIu64, e->packets);
	snprintf(cell[7], TABLE_CELL_MAX, "%" PRIu64, e->bytes);
	snprintf(cell[8], TABLE_CELL_MAX, "%" PRIu64, drops);
}

/*
 * JSON: an object keyed "0x%08x/out" or "0x%08x/in" (an inbound and an
 * outbound SA may share an SPI), each value the fields of the telemetry
 * command /secgw/sa/list (dataplane/CONTRACT.md).
 */
static void
print_sa_json(const struct ctl_sa_info *e, bool first)
{
	const struct cfg_sa *s = &e->sa;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

	printf("%s\"0x%08x/%s\": {\"name\": ", first ? "" : ", ", s->spi, dir_str(s->dir));
	json_string(s->name);
	printf(", \"spi\": %u, \"direction\": \"%s\", \"mode\": \"%s\", \"cipher\": \"%s\", "
	       "\"integ\": \"%s\", \"src\": \"%s\", \"dst\": \"%s\", \"packets\": %" PRIu64
	       ", \"bytes\": %" PRIu64 ", \"drop_replay\": %" PRIu64 ", \"drop_icv\": %" PRIu64
	       ", \"state\": \"%s\"}",
	       s->spi, dir_str(s->dir), mode_str(s->mode), cfg_cipher_info(s->cipher)->name,
	       cfg_integ_info(s->integ)->name, cfg_addr_str(&s->tun_src, src, sizeof(src)),
	       cfg_addr_str(&s->tun_dst, dst, sizeof(dst)), e->packets, e->bytes,
	       e->drop_replay, e->drop_icv, e->expired ? "expired" : "live");
}

/*
 * A gateway may hold hundreds of thousands of SAs: rows are formatted as they
 * print (struct table's rows, 2.6 kB each, are for short lists) and the sort
 * is qsort, not table_print's insertion sort.
 */
static int
print_sas(struct ctl_sa_info *sas, size_t n, int json)
{
	struct table t = {
		.ncols = 9,
		.head = { "SPI", "NAME", "DIR", "MODE", "ALGORITHM", "TUNNEL", "PACKETS", "BYTES",
			  "DROPS" },
		.right = { [6] = true, [7] = true, [8] = true },
	};
	char cell[9][TABLE_CELL_MAX];

	for (size_t i = 0; i < n; i++)
		if (sa_check(&sas[i]) < 0)
			return -1;
	if (n > 0)
		qsort(sas, n, sizeof(*sas), sa_cmp);
	if (json) {
		printf("{");
		for (size_t i = 0; i < n; i++)
			print_sa_json(&sas[i], i == 0);
		printf("}\n");
		return 0;
	}
	if (n == 0) {
		printf("no SAs\n");
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		sa_cells(&sas[i], cell);
		table_fit(&t, (const char (*)[TABLE_CELL_MAX])cell);
	}
	table_head(&t);
	for (size_t i = 0; i < n; i++) {
		sa_cells(&sas[i], cell);
		table_row(&t, (const char (*)[TABLE_CELL_MAX])cell);
	}
	return 0;
}

static int
parse_spi(const char *s, uint32_t *spi)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (s[0] < '0' || s[0] > '9')
		return -1;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || v > UINT32_MAX)
		return -1;
	*spi = (uint32_t)v;
	return 0;
}

/* See edit_cmds.h. */
int
parse_edit(const char *noun, const char *verb, const char *arg, const char *dir,
	   struct edit *e, char err[CFG_ERR_MAX])
{
	bool is_sa = strcmp(noun, "sa") == 0, add = strcmp(verb, "add") == 0;

	memset(e, 0, sizeof(*e));
	if ((!is_sa && strcmp(noun, "policy") != 0) || (!add && strcmp(verb, "del") != 0)) {
		snprintf(err, CFG_ERR_MAX, "unknown command '%s %s' (sa add|del, policy add|del)",
			 noun, verb);
		return -1;
	}
	if (add && is_sa) {
		e->op = CTL_SA_ADD;
		e->len = sizeof(e->body.sa);
		return config_parse_sa(arg, &e->body.sa, err) < 0 ? -1 : 0;
	}
	if (add) {
		e->op = CTL_POLICY_ADD;
		e->len = sizeof(e->body.pol);
		if (config_parse_policy(arg, &e->body.pol, err) < 0)
			return -1;
		if (e->body.pol.name[0] == '\0') {
			snprintf(err, CFG_ERR_MAX, "policy: name: missing required field: a policy "
				 "added at run time needs a name (to delete it by)");
			return -1;
		}
		return 0;
	}
	if (is_sa) {
		e->op = CTL_SA_DEL;
		e->len = sizeof(e->body.sa_ref);
		if (dir == NULL) {
			snprintf(err, CFG_ERR_MAX, "sa del: expected SPI and direction");
			return -1;
		}
		if (parse_spi(arg, &e->body.sa_ref.spi) < 0) {
			snprintf(err, CFG_ERR_MAX, "sa del: expected an SPI (0x.. or decimal, up to "
				 "0xffffffff), got '%s'", arg);
			return -1;
		}
		if (strcmp(dir, "in") == 0) {
			e->body.sa_ref.dir = CFG_DIR_IN;
		} else if (strcmp(dir, "out") == 0) {
			e->body.sa_ref.dir = CFG_DIR_OUT;
		} else {
			snprintf(err, CFG_ERR_MAX, "sa del: expected direction in or out, got '%s'",
				 dir);
			return -1;
		}
		return 0;
	}
	e->op = CTL_POLICY_DEL;
	e->len = sizeof(e->body.pol_ref);
	if (strlen(arg) >= sizeof(e->body.pol_ref.name)) {
		snprintf(err, CFG_ERR_MAX, "policy name too long (at most %zu characters): %s",
			 sizeof(e->body.pol_ref.name) - 1, arg);
		return -1;
	}
	memcpy(e->body.pol_ref.name, arg, strlen(arg));
	return 0;
}

/* See edit_cmds.h. */
int
edit_command(const char *prefix, const char *ctl_path, int json, char **argv)
{
	char err[CFG_ERR_MAX];
	struct ctl_client c;
	struct cfg_policy *pols = NULL;
	struct ctl_sa_info *sas = NULL;
	struct edit e;
	size_t n = 0;
	bool is_list = strcmp(argv[1], "list") == 0, is_sa = strcmp(argv[0], "sa") == 0;
	int rc = -1;

	/* check the arguments before talking to anyone */
	memset(&e, 0, sizeof(e));
	if (!is_list && parse_edit(argv[0], argv[1], argv[2], argv[3], &e, err) < 0) {
		err_msg("%s", err);
		goto out;
	}
	if ((ctl_path != NULL ? ctl_connect_path(&c, ctl_path) : ctl_connect(&c, prefix)) < 0) {
		err_msg("%s", c.err);
		goto out;
	}
	if (is_list && is_sa)
		rc = ctl_sa_list(&c, &sas, &n);
	else if (is_list)
		rc = ctl_policy_list(&c, &pols, &n);
	else
		rc = ctl_request(&c, e.op, &e.body, e.len, NULL, NULL, 0, 0);
	if (rc < 0) {
		sanitize(c.err);
		err_msg("%s", c.err);
	} else if (is_list && is_sa) {
		rc = print_sas(sas, n, json);
	} else if (is_list) {
		rc = print_policies(pols, n, json);
	} else {
		printf("ok\n");
	}
	ctl_close(&c);
out:
	explicit_bzero(&e, sizeof(e));
	free(pols);
	free(sas);
	return rc;
}
