/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The config walker: YAML tree -> struct secgw_config, plus the helpers that
 * config.h declares.  Sections are read in dependency order (ports before the
 * routes naming them, SAs before the policies naming them), each field is
 * checked where it is read, and cross-field rules live next to the fields they
 * relate.  The first error wins; every error path leaves *cfg freed and wiped.
 *
 * SA-specific rules (algorithms, keys, SPIs) are in config_sa.c.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_internal.h"
#include "config_value.h"
#include "config_yaml.h"

/* DPDK's RTE_MAX_LCORE in Debian's build; lcore ids must stay below it. */
#define LCORE_LIMIT 128
/* CPU ids for pinning; glibc's cpu_set_t holds this many. */
#define CPU_LIMIT 1024
/* A config is text written by people; anything bigger is a mistake. */
#define CONFIG_FILE_MAX (64u << 20)

static const char *const top_keys[] = {
	"dataplane", "crypto", "ports", "routes", "policies", "sas",
	"connections", /* secgw-ike's (config_conn.c) */
	"ike",         /* secgw-ike's (config_ike.c) */
	NULL,
};

/* ---- dataplane ---------------------------------------------------------- */

static const char *const dataplane_keys[] = {
	"file_prefix", "main_lcore", "workers", "cpus", "hugepages", "memory_mb", "mbufs",
	"burst", "idle_polls", "idle_sleep_us", "max_sas", "max_policies", "fragment",
	"icmp_rate", "icmp_burst", "reassembly_flows", "reassembly_timeout_ms", NULL,
};

static void set_dataplane_defaults(struct secgw_config *cfg)
{
	snprintf(cfg->file_prefix, sizeof(cfg->file_prefix), "secgw");
	cfg->main_lcore = 0;
	cfg->workers[0] = 1;
	cfg->n_workers = 1;
	cfg->cpu_main = -1;
	for (unsigned i = 0; i < CFG_MAX_WORKERS; i++)
		cfg->cpu_workers[i] = -1;
	cfg->hugepages = true;
	cfg->memory_mb = 512;
	cfg->mbufs = 16384;
	cfg->burst = 32;
	cfg->idle_polls = 256;
	cfg->idle_sleep_us = 100;
	cfg->fragment = CFG_FRAG_PRE;
	cfg->icmp_rate = 1000;
	cfg->icmp_burst = 50;
	cfg->reasm_timeout_ms = 1000;
}

long cfg_read_list(const struct cfg_obj *o, const char *key, size_t lo, size_t hi,
		   const char *what, bool required, const struct ynode **list)
{
	int rc = obj_list(o, key, list);

	if (rc < 0)
		return -1;
	if (rc == 0) {
		*list = NULL;
		if (required)
			obj_missing(o, key, NULL);
		return required ? -1 : 0;
	}
	if (lo == hi && (*list)->n_kids != lo)
		return obj_fail(o, key, "expected %zu %s, got %zu", lo, what, (*list)->n_kids);
	if ((*list)->n_kids < lo || (*list)->n_kids > hi)
		return obj_fail(o, key, "expected %zu..%zu %s, got %zu", lo, hi, what,
				(*list)->n_kids);
	return (long)(*list)->n_kids;
}

static int read_workers(struct loader *ld, const struct cfg_obj *o)
{
	struct secgw_config *cfg = ld->cfg;
	const struct ynode *list;
	char field[YPATH_MAX];
	long n = cfg_read_list(o, "workers", 1, CFG_MAX_WORKERS, "lcores", false, &list);
	uint64_t v;

	if (n < 0)
		return -1;
	if (n == 0 && cfg->main_lcore == cfg->workers[0])
		return obj_missing(o, "workers", "the default [1] is the main lcore");
	if (n == 0)
		return 0; /* keep the default [1] */
	for (long i = 0; i < n; i++) {
		const struct ynode *item = list->kids[i];

		cfg_pathf(field, "%s.workers[%ld]", o->path, i);
		if (node_u64(&ld->w, item, field, 0, LCORE_LIMIT - 1, &v) < 0)
			return -1;
		if (v == cfg->main_lcore)
			return cfg_fail(&ld->w, item, field, "lcore %u is the main lcore",
					cfg->main_lcore);
		for (long j = 0; j < i; j++) {
			if (cfg->workers[j] == v)
				return cfg_fail(&ld->w, item, field,
						"lcore %llu is already listed as workers[%ld]",
						(unsigned long long)v, j);
		}
		cfg->workers[i] = (uint16_t)v;
	}
	cfg->n_workers = (uint16_t)n;
	return 0;
}

static int read_cpus(struct loader *ld, const struct cfg_obj *dp)
{
	static const char *const keys[] = { "main", "workers", NULL };
	struct secgw_config *cfg = ld->cfg;
	struct cfg_obj o;
	const struct ynode *list;
	char path[YPATH_MAX], field[YPATH_MAX];
	uint64_t v = 0;
	long n;
	int rc;

	obj_field(dp, "cpus", path);
	if (obj_open(&ld->w, obj_get(dp, "cpus"), dp->at, path, keys, &o) < 0)
		return -1;
	rc = obj_u64(&o, "main", 0, CPU_LIMIT - 1, &v);
	if (rc < 0)
		return -1;
	if (rc == 1)
		cfg->cpu_main = (int)v;
	/* workers were read first, so the expected length is known */
	n = cfg_read_list(&o, "workers", cfg->n_workers, cfg->n_workers, "CPUs (one per worker)",
			  false, &list);
	if (n < 0)
		return -1;
	for (long i = 0; i < n; i++) {
		cfg_pathf(field, "%s.workers[%ld]", path, i);
		if (node_u64(&ld->w, list->kids[i], field, 0, CPU_LIMIT - 1, &v) < 0)
			return -1;
		cfg->cpu_workers[i] = (int)v;
	}
	return 0;
}

/*
 * MTU handling and reassembly (read after mbufs and workers, which bound the
 * reassembly table): fragments held for reassembly are mbufs taken from the
 * pool RX needs too, so all workers' tables together may hold at most half of it.
 */
static int read_mtu_fields(struct loader *ld, const struct cfg_obj *o)
{
	static const char *const frag[] = { "pre", "never" };
	_Static_assert(CFG_FRAG_PRE == 0 && CFG_FRAG_NEVER == 1, "fragment names");
	struct secgw_config *cfg = ld->cfg;
	uint32_t per_flow = CFG_REASM_FRAGS_PER_FLOW * cfg->n_workers;
	uint32_t max_flows = cfg->mbufs / 2 / per_flow;
	int v = CFG_FRAG_PRE;

	if (obj_enum(o, "fragment", frag, 2, &v) < 0 ||
	    obj_u32(o, "icmp_rate", 0, 1000000, &cfg->icmp_rate) < 0 ||
	    obj_u32(o, "icmp_burst", 1, 100000, &cfg->icmp_burst) < 0 ||
	    obj_u32(o, "reassembly_timeout_ms", 10, 60000, &cfg->reasm_timeout_ms) < 0)
		return -1;
	cfg->fragment = (enum cfg_fragment)v;
	if (obj_get(o, "reassembly_flows") == NULL) {
		cfg->reasm_flows = max_flows < 256 ? max_flows : 256;
		return 0;
	}
	if (obj_u32(o, "reassembly_flows", 1, 65536, &cfg->reasm_flows) < 0)
		return -1;
	if (cfg->reasm_flows > max_flows)
		return obj_fail(o, "reassembly_flows",
				"expected at most %u (flows x %u fragments x %u workers may hold "
				"half of the %u mbufs), got %u",
				max_flows, CFG_REASM_FRAGS_PER_FLOW, cfg->n_workers, cfg->mbufs,
				cfg->reasm_flows);
	return 0;
}

static int read_dataplane(struct loader *ld, const struct cfg_obj *top)
{
	struct secgw_config *cfg = ld->cfg;
	struct cfg_obj o;

	set_dataplane_defaults(cfg);
	if (obj_open(&ld->w, obj_get(top, "dataplane"), top->at, "dataplane", dataplane_keys,
		     &o) < 0)
		return -1;
	ld->dataplane = o;
	if (obj_name(&o, "file_prefix", cfg->file_prefix, sizeof(cfg->file_prefix)) < 0 ||
	    obj_u16(&o, "main_lcore", 0, LCORE_LIMIT - 1, &cfg->main_lcore) < 0 ||
	    read_workers(ld, &o) < 0 || read_cpus(ld, &o) < 0 ||
	    obj_bool(&o, "hugepages", &cfg->hugepages) < 0 ||
	    obj_u32(&o, "memory_mb", 64, 65536, &cfg->memory_mb) < 0 ||
	    obj_u32(&o, "mbufs", 1024, 4194304, &cfg->mbufs) < 0 ||
	    obj_u16(&o, "burst", 1, 64, &cfg->burst) < 0 ||
	    obj_u32(&o, "idle_polls", 0, UINT32_MAX, &cfg->idle_polls) < 0 ||
	    obj_u32(&o, "idle_sleep_us", 0, 100000, &cfg->idle_sleep_us) < 0 ||
	    obj_u32(&o, "max_sas", 1, CFG_MAX_SAS, &cfg->max_sas) < 0 ||
	    obj_u32(&o, "max_policies", 1, CFG_MAX_POLICIES, &cfg->max_policies) < 0 ||
	    read_mtu_fields(ld, &o) < 0)
		return -1;
	return 0;
}

/* Table capacities default to max(1024, count); a given one must hold the count. */
static int check_capacity(struct loader *ld, const char *key, uint32_t count, const char *what,
			  uint32_t *max)
{
	if (obj_get(&ld->dataplane, key) == NULL) {
		*max = count > 1024 ? count : 1024;
		return 0;
	}
	if (*max < count)
		return obj_fail(&ld->dataplane, key, "expected at least %u (the number of %s), got %u",
				count, what, *max);
	return 0;
}

/* ---- crypto ------------------------------------------------------------- */

static int read_crypto(struct loader *ld, const struct cfg_obj *top)
{
	static const char *const keys[] = { "driver", NULL };
	static const char *const drivers[] = { "aesni_mb", "openssl" };
	_Static_assert(CFG_CRYPTO_AESNI_MB == 0 && CFG_CRYPTO_OPENSSL == 1, "driver names");
	struct cfg_obj o;
	int v = CFG_CRYPTO_AESNI_MB;

	if (obj_open(&ld->w, obj_get(top, "crypto"), top->at, "crypto", keys, &o) < 0 ||
	    obj_enum(&o, "driver", drivers, 2, &v) < 0)
		return -1;
	ld->cfg->crypto_driver = (enum cfg_crypto_driver)v;
	return 0;
}

/* ---- ports -------------------------------------------------------------- */

static const char *const port_keys[] = {
	"name", "devargs", "role", "address", "address6", "mtu", "neighbors", NULL,
};

int cfg_open_item(struct loader *ld, const struct ynode *item, const char *path,
		  const char *const keys[], struct cfg_obj *o)
{
	if (item->kind != YNODE_MAP)
		return cfg_fail(&ld->w, item, path, "expected a mapping, got %s",
				ynode_kind_name(item));
	return obj_open(&ld->w, item, item, path, keys, o);
}

/* A port address of the family of a, with a inside its subnet (next hops, neighbors). */
static int check_on_link(const struct cfg_obj *o, const char *key, const struct cfg_port *port,
			 const struct cfg_addr *a)
{
	const struct cfg_prefix *net = cfg_port_prefix(port, a->family);
	char ip[INET6_ADDRSTRLEN], text[INET6_ADDRSTRLEN];

	cfg_addr_str(a, ip, sizeof(ip));
	if (net == NULL)
		return obj_fail(o, key, "%s is %s but port %s has no %s address", ip,
				cfg_family_name(a->family), port->name,
				cfg_family_name(a->family));
	cfg_addr_str(&net->addr, text, sizeof(text));
	if (!cfg_prefix_contains(net, a))
		return obj_fail(o, key, "%s is not in the subnet of port %s (%s/%u)", ip,
				port->name, text, net->len);
	return 0;
}

static int read_neighbor(struct loader *ld, const struct ynode *item, const char *path,
			 struct cfg_port *port)
{
	static const char *const keys[] = { "ip", "mac", NULL };
	struct cfg_neighbor *nb = &port->neighbors[port->n_neighbors];
	struct cfg_obj o;
	char ip[INET6_ADDRSTRLEN];
	int rc;

	if (cfg_open_item(ld, item, path, keys, &o) < 0)
		return -1;
	rc = obj_addr(&o, "ip", &nb->ip);
	if (rc <= 0)
		return rc < 0 ? -1 : obj_missing(&o, "ip", NULL);
	if (check_on_link(&o, "ip", port, &nb->ip) < 0)
		return -1;
	for (unsigned j = 0; j < port->n_neighbors; j++) {
		if (cfg_addr_equal(&port->neighbors[j].ip, &nb->ip))
			return obj_fail(&o, "ip", "duplicate neighbor %s (also neighbors[%u])",
					cfg_addr_str(&nb->ip, ip, sizeof(ip)), j);
	}
	rc = obj_mac(&o, "mac", nb->mac);
	if (rc <= 0)
		return rc < 0 ? -1 : obj_missing(&o, "mac", NULL);
	port->n_neighbors++;
	return 0;
}

static int read_neighbors(struct loader *ld, const struct cfg_obj *o, struct cfg_port *port)
{
	const struct ynode *list;
	char path[YPATH_MAX];
	long n = cfg_read_list(o, "neighbors", 0, CFG_MAX_NEIGHBORS, "neighbors", false,
				&list);

	for (long i = 0; i < n; i++) {
		cfg_pathf(path, "%s.neighbors[%ld]", o->path, i);
		if (read_neighbor(ld, list->kids[i], path, port) < 0)
			return -1;
	}
	return n < 0 ? -1 : 0;
}

/* Names and devices must be unique: "net_af_packet0" of "net_af_packet0,iface=x". */
static int check_port_unique(struct loader *ld, const struct cfg_obj *o, unsigned idx)
{
	const struct cfg_port *p = &ld->cfg->ports[idx];
	size_t dev_len = strcspn(p->devargs, ",");

	for (unsigned j = 0; j < idx; j++) {
		const struct cfg_port *q = &ld->cfg->ports[j];

		if (strcmp(p->name, q->name) == 0)
			return obj_fail(o, "name", "duplicate port name '%s' (also ports[%u])",
					p->name, j);
		if (strcspn(q->devargs, ",") == dev_len &&
		    strncmp(p->devargs, q->devargs, dev_len) == 0)
			return obj_fail(o, "devargs", "device '%.*s' is already used by ports[%u]",
					(int)dev_len, p->devargs, j);
	}
	return 0;
}

/*
 * An interface address: host bits are the point, the length gives the subnet.
 * "address" is of either family; "address6" adds IPv6 to an IPv4 port (dual stack).
 */
static int read_port_addresses(const struct cfg_obj *o, struct cfg_port *p)
{
	char text[INET6_ADDRSTRLEN];
	int rc, rc6;

	if ((rc = obj_prefix(o, "address", true, true, &p->address)) < 0 ||
	    (rc6 = obj_prefix(o, "address6", true, true, &p->address6)) < 0)
		return -1;
	if (rc == 0 && rc6 == 0)
		return obj_missing(o, "address", NULL);
	if (rc6 == 0)
		return 0;
	if (p->address6.addr.family != AF_INET6)
		return obj_fail(o, "address6", "expected an IPv6 prefix like 2001:db8::1/64, got %s",
				cfg_addr_str(&p->address6.addr, text, sizeof(text)));
	if (p->address.addr.family == AF_INET6)
		return obj_fail(o, "address6", "port %s already has the IPv6 address %s/%u",
				p->name, cfg_addr_str(&p->address.addr, text, sizeof(text)),
				p->address.len);
	return 0;
}

static int read_port(struct loader *ld, const struct ynode *item, unsigned idx)
{
	static const char *const roles[] = { "protected", "unprotected" };
	_Static_assert(CFG_PORT_PROTECTED == 0 && CFG_PORT_UNPROTECTED == 1, "role names");
	struct cfg_port *p = &ld->cfg->ports[idx];
	struct cfg_obj o;
	char path[YPATH_MAX];
	int role = 0, rc;

	cfg_pathf(path, "ports[%u]", idx);
	if (cfg_open_item(ld, item, path, port_keys, &o) < 0)
		return -1;
	p->line = item->line;
	if ((rc = obj_name(&o, "name", p->name, sizeof(p->name))) <= 0)
		return rc < 0 ? -1 : obj_missing(&o, "name", NULL);
	if ((rc = obj_word(&o, "devargs", p->devargs, sizeof(p->devargs))) <= 0)
		return rc < 0 ? -1 : obj_missing(&o, "devargs", NULL);
	if (check_port_unique(ld, &o, idx) < 0)
		return -1;
	if ((rc = obj_enum(&o, "role", roles, 2, &role)) <= 0)
		return rc < 0 ? -1 : obj_missing(&o, "role", NULL);
	p->role = (enum cfg_port_role)role;
	if (read_port_addresses(&o, p) < 0)
		return -1;
	p->mtu = 1500;
	/* RFC 8200 5: IPv6 links carry at least 1280 bytes */
	if (obj_u16(&o, "mtu", cfg_port_prefix(p, AF_INET6) ? 1280 : 576, 9000, &p->mtu) < 0)
		return -1;
	return read_neighbors(ld, &o, p);
}

static int read_ports(struct loader *ld, const struct cfg_obj *top)
{
	const struct ynode *list;
	long n = cfg_read_list(top, "ports", 1, CFG_MAX_PORTS, "ports", true, &list);
	bool have[2] = { false, false };

	if (n < 0)
		return -1;
	for (long i = 0; i < n; i++) {
		if (read_port(ld, list->kids[i], (unsigned)i) < 0)
			return -1;
		ld->cfg->n_ports = (uint16_t)(i + 1);
		have[ld->cfg->ports[i].role] = true;
	}
	if (!have[CFG_PORT_PROTECTED])
		return obj_fail(top, "ports", "need at least one port with role protected");
	if (!have[CFG_PORT_UNPROTECTED])
		return obj_fail(top, "ports", "need at least one port with role unprotected");
	return 0;
}

/* ---- routes ------------------------------------------------------------- */

/* The "port" field naming one of the configured ports; returns its index or -1. */
static int read_port_ref(struct loader *ld, const struct cfg_obj *o, const char *key)
{
	const struct ynode *n = obj_get(o, key);
	int idx;

	if (n == NULL)
		return obj_missing(o, key, NULL);
	idx = ynode_is_text(n) ? cfg_port_by_name(ld->cfg, n->str) : -1;
	if (idx < 0) {
		char names[CFG_MAX_PORTS * (CFG_NAME_MAX + 2)] = "";

		for (unsigned i = 0; i < ld->cfg->n_ports; i++) {
			strcat(names, i ? ", " : "");
			strcat(names, ld->cfg->ports[i].name);
		}
		if (!ynode_is_text(n))
			return obj_fail(o, key, "expected a port name, got %s",
					ynode_kind_name(n));
		return obj_fail(o, key, "no port named '%.*s' (ports: %s)", CFG_NAME_MAX, n->str,
				names);
	}
	return idx;
}

static int check_route_unique(struct loader *ld, const struct cfg_obj *o, uint32_t idx)
{
	const struct cfg_route *r = &ld->cfg->routes[idx];
	char text[INET6_ADDRSTRLEN];

	for (uint32_t j = 0; j < idx; j++) {
		const struct cfg_route *q = &ld->cfg->routes[j];

		if (q->dst.len == r->dst.len && cfg_addr_equal(&q->dst.addr, &r->dst.addr))
			return obj_fail(o, "dst", "duplicate route to %s/%u (also routes[%u])",
					cfg_addr_str(&r->dst.addr, text, sizeof(text)), r->dst.len,
					j);
	}
	return 0;
}

static int read_route(struct loader *ld, const struct ynode *item, uint32_t idx)
{
	static const char *const keys[] = { "dst", "via", "port", NULL };
	struct cfg_route *r = &ld->cfg->routes[idx];
	const struct cfg_port *port;
	struct cfg_obj o;
	char path[YPATH_MAX];
	int rc, port_idx;

	cfg_pathf(path, "routes[%u]", idx);
	if (cfg_open_item(ld, item, path, keys, &o) < 0)
		return -1;
	r->line = item->line;
	if ((rc = obj_prefix(&o, "dst", false, false, &r->dst)) <= 0)
		return rc < 0 ? -1 : obj_missing(&o, "dst", NULL);
	if (check_route_unique(ld, &o, idx) < 0)
		return -1;
	if ((port_idx = read_port_ref(ld, &o, "port")) < 0)
		return -1;
	r->port = (uint16_t)port_idx;
	port = &ld->cfg->ports[port_idx];
	if ((rc = obj_addr(&o, "via", &r->via)) < 0)
		return -1;
	if (rc == 0) {
		/* on-link: the destination itself is resolved on the port */
		if (cfg_port_prefix(port, r->dst.addr.family) == NULL)
			return obj_fail(&o, "port", "port %s has no %s address for this route",
					port->name, cfg_family_name(r->dst.addr.family));
		return 0;
	}
	if (r->via.family != r->dst.addr.family)
		return obj_fail(&o, "via", "%s next hop for an %s destination",
				cfg_family_name(r->via.family), cfg_family_name(r->dst.addr.family));
	/* the next hop is resolved with ARP/ND on the port, so it must be on its link */
	return check_on_link(&o, "via", port, &r->via);
}

static int read_routes(struct loader *ld, const struct cfg_obj *top)
{
	const struct ynode *list;
	long n = cfg_read_list(top, "routes", 0, CFG_MAX_ROUTES, "routes", false, &list);

	if (n <= 0)
		return (int)n;
	ld->cfg->routes = calloc((size_t)n, sizeof(*ld->cfg->routes));
	if (ld->cfg->routes == NULL)
		return obj_fail(top, "routes", "out of memory");
	ld->cfg->n_routes = (uint32_t)n;
	for (long i = 0; i < n; i++) {
		if (read_route(ld, list->kids[i], (uint32_t)i) < 0)
			return -1;
	}
	return 0;
}

/* ---- top level ---------------------------------------------------------- */

static int load_tree(struct loader *ld, const struct ynode *root)
{
	struct secgw_config *cfg = ld->cfg;
	struct cfg_obj top;

	if (ynode_is_null(root)) /* "---" alone, or only comments */
		return yerr(ld->w.err, ld->w.name, 1, 1, "document", "empty file");
	if (root->kind != YNODE_MAP)
		return cfg_fail(&ld->w, root, "document",
				"expected a mapping of dataplane, crypto, ports, routes, policies, "
				"sas, got %s", ynode_kind_name(root));
	if (obj_open(&ld->w, root, root, "", top_keys, &top) < 0 ||
	    read_dataplane(ld, &top) < 0 || read_crypto(ld, &top) < 0 ||
	    read_ports(ld, &top) < 0 || read_routes(ld, &top) < 0 || cfg_read_sas(ld, &top) < 0 ||
	    cfg_read_policies(ld, &top) < 0)
		return -1;
	if (check_capacity(ld, "max_sas", cfg->n_sas, "sas", &cfg->max_sas) < 0 ||
	    check_capacity(ld, "max_policies", cfg->n_policies, "policies",
			   &cfg->max_policies) < 0)
		return -1;
	return 0;
}

int config_load_buffer(const char *name, const char *buf, size_t len, struct secgw_config *cfg,
		       char err[CFG_ERR_MAX])
{
	struct loader ld = { .w = { .name = name, .err = err }, .cfg = cfg };
	struct ynode *root;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	err[0] = '\0';
	snprintf(cfg->path, sizeof(cfg->path), "%s", name);
	root = ytree_parse(name, buf, len, err);
	if (root == NULL)
		return -1;
	rc = load_tree(&ld, root);
	cfg_loader_release(&ld);
	ytree_free(root);
	if (rc < 0)
		config_free(cfg);
	return rc;
}

/* Read a whole regular file of at most CONFIG_FILE_MAX bytes; -1 with errno. */
static char *read_file(const char *path, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode) || st.st_size < 0 || (uint64_t)st.st_size > CONFIG_FILE_MAX) {
		errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		goto fail;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL)
		goto fail;
	/* the file may shrink while we read it: stop at EOF, never past st_size */
	while (got < (size_t)st.st_size) {
		ssize_t k = read(fd, buf + got, (size_t)st.st_size - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			goto fail;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	*len = got;
	return buf;
fail:
	if (buf != NULL) {
		explicit_bzero(buf, got);
		free(buf);
	}
	close(fd);
	return NULL;
}

int config_load(const char *path, struct secgw_config *cfg, char err[CFG_ERR_MAX])
{
	size_t len = 0;
	char *buf;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	buf = read_file(path, &len);
	if (buf == NULL) {
		snprintf(err, CFG_ERR_MAX, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	rc = config_load_buffer(path, buf, len, cfg, err);
	explicit_bzero(buf, len); /* the text holds the keys */
	free(buf);
	return rc;
}

void config_free(struct secgw_config *cfg)
{
	if (cfg == NULL)
		return;
	if (cfg->sas != NULL) {
		explicit_bzero(cfg->sas, (size_t)cfg->n_sas * sizeof(*cfg->sas));
		free(cfg->sas);
	}
	free(cfg->routes);
	free(cfg->policies);
	explicit_bzero(cfg, sizeof(*cfg));
}

/* ---- helpers ------------------------------------------------------------ */

const char *cfg_addr_str(const struct cfg_addr *a, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (a->family == AF_INET)
		inet_ntop(AF_INET, &a->v4, buf, (socklen_t)len);
	else if (a->family == AF_INET6)
		inet_ntop(AF_INET6, a->v6, buf, (socklen_t)len);
	else
		snprintf(buf, len, "-");
	return buf;
}

int cfg_port_by_name(const struct secgw_config *cfg, const char *name)
{
	for (unsigned i = 0; i < cfg->n_ports; i++) {
		if (strcmp(cfg->ports[i].name, name) == 0)
			return (int)i;
	}
	return -1;
}

const struct cfg_prefix *cfg_port_prefix(const struct cfg_port *p, uint8_t family)
{
	if (p->address.addr.family == family)
		return &p->address;
	if (p->address6.addr.family == family)
		return &p->address6;
	return NULL;
}

/* Linear: for the control path and tests; the data plane has its own SAD. */
const struct cfg_sa *cfg_sa_by_spi(const struct secgw_config *cfg, uint32_t spi,
				   enum cfg_direction dir)
{
	for (uint32_t i = 0; i < cfg->n_sas; i++) {
		if (cfg->sas[i].spi == spi && cfg->sas[i].dir == dir)
			return &cfg->sas[i];
	}
	return NULL;
}
