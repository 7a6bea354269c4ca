/* SPDX-License-Identifier: BSD-3-Clause */
/* Loader of the "connections:" section (config_conn.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "config_conn.h"
#include "config_value.h"
#include "config_yaml.h"
#include "ike_cert.h"
#include "ike_prop_parse.h"
#include "ike_proto.h"

#define CONN_FILE_MAX (1u << 20)
#define PATH_MAX_LEN 4096
/* Child SA rekeying: strongSwan's default; under 2 s a rekey could not finish
 * (one round trip plus the Delete) before the next one is due. */
#define REKEY_DEFAULT_S 3600u
#define REKEY_MIN_S 2u
#define REKEY_MAX_S (366u * 24 * 3600)
/* Retransmissions: at most 30 s * 2^10 (about 8.5 h) before giving up. */
#define RETX_MIN_MS 100u
#define RETX_MAX_MS 30000u
#define RETX_MAX_TRIES 10u
/* Volume limits: the hard limit (10 % above) must stay countable. */
#define LIFE_MAX (UINT64_MAX / 2)

#define IKE_REKEY_DEFAULT_S 14400u /* strongSwan's IKE SA rekey_time */

static const char *const conn_keys[] = {
	"name", "local_addr", "remote_addr", "local_id", "remote_id", "psk", "ike", "esp",
	"local_ts", "remote_ts", "start", "dpd_delay", "keepalive", "rekey_time",
	"fragmentation", "fragment_size", "retransmit_timeout", "retransmit_tries", "life_bytes",
	"life_packets", "ike_rekey_time", "auth", "cert", "key", "ca", "intermediates", "children", NULL,
};
static const char *const child_keys[] = {"local_ts", "remote_ts", NULL};

/* strongSwan's default life_* over rekey_*: 10 % (at least 1) for the rekey
 * to finish before the data plane refuses the old SA; 0 stays "no limit". */
static uint64_t hard_limit(uint64_t soft)
{
	return soft == 0 ? 0 : soft + (soft / 10 > 0 ? soft / 10 : 1);
}

static int read_v4(const struct cfg_obj *o, const char *key, uint32_t *ip)
{
	struct cfg_addr a;
	int rc = obj_addr(o, key, &a);

	if (rc <= 0)
		return rc < 0 ? -1 : obj_missing(o, key, NULL);
	if (a.family != AF_INET)
		return obj_fail(o, key, "only IPv4 is supported for now");
	*ip = a.v4;
	return 0;
}

static void set_id(struct ike_idv *id, uint8_t type, const void *data, size_t len)
{
	id->type = type;
	id->len = (uint8_t)len;
	memcpy(id->data, data, len);
}

/* An IP address becomes ID_IPV4_ADDR / ID_IPV6_ADDR, text with '=' a
 * distinguished name (ID_DER_ASN1_DN, "C=CH, O=secgw, CN=gw"), with '@' an
 * ID_RFC822_ADDR, anything else an ID_FQDN; absent: the connection's address. */
static int read_id(const struct cfg_obj *o, const char *key, uint32_t dflt, struct ike_idv *id)
{
	const struct ynode *n = obj_get(o, key);
	uint8_t a[16];
	size_t len;

	if (n == NULL) {
		set_id(id, IKE_ID_IPV4_ADDR, &dflt, 4);
		return 0;
	}
	if (!ynode_is_text(n) || n->len > IKE_ID_MAX)
		return obj_fail(o, key, "expected an IP address, a name, an e-mail address or a "
					"distinguished name of 1..255 characters");
	if (inet_pton(AF_INET, n->str, a) == 1) {
		set_id(id, IKE_ID_IPV4_ADDR, a, 4);
		return 0;
	}
	if (inet_pton(AF_INET6, n->str, a) == 1) {
		set_id(id, IKE_ID_IPV6_ADDR, a, 16);
		return 0;
	}
	if (strchr(n->str, '=') != NULL) {
		if (ike_id_dn_from_text(n->str, id->data, IKE_ID_MAX, &len) < 0)
			return obj_fail(o, key, "expected a distinguished name like "
						"\"C=CH, O=secgw, CN=gw\" (at most 255 octets in DER)");
		id->type = IKE_ID_DER_ASN1_DN;
		id->len = (uint8_t)len;
		return 0;
	}
	for (size_t i = 0; i < n->len; i++)
		if (n->str[i] <= ' ' || n->str[i] > '~')
			return obj_fail(o, key, "expected printable characters without spaces");
	set_id(id, strchr(n->str, '@') != NULL ? IKE_ID_RFC822_ADDR : IKE_ID_FQDN, n->str, n->len);
	return 0;
}

/* A rekey interval: 0 (never) or REKEY_MIN_S..REKEY_MAX_S seconds. */
static int read_rekey(const struct cfg_obj *o, const char *key, uint32_t dflt, uint32_t *out)
{
	*out = dflt;
	if (obj_u32(o, key, 0, REKEY_MAX_S, out) < 0)
		return -1;
	if (*out != 0 && *out < REKEY_MIN_S)
		return obj_fail(o, key, "expected 0 (never) or %u..%u seconds", REKEY_MIN_S,
				REKEY_MAX_S);
	return 0;
}

/* One proposal string or a list of them. */
static int read_props(const struct cfg_obj *o, const char *key, bool esp, struct ike_prop *p,
		      size_t *n)
{
	const struct ynode *v = obj_get(o, key);
	char field[YPATH_MAX], why[128];

	if (v == NULL)
		return obj_missing(o, key, NULL);
	size_t cnt = v->kind == YNODE_LIST ? v->n_kids : 1;
	if (cnt == 0 || cnt > IKE_CFG_MAX_PROPS)
		return obj_fail(o, key, "expected 1..%d proposals", IKE_CFG_MAX_PROPS);
	for (size_t i = 0; i < cnt; i++) {
		const struct ynode *s = v->kind == YNODE_LIST ? v->kids[i] : v;

		obj_field(o, key, field);
		if (v->kind == YNODE_LIST) {
			size_t l = strlen(field);
			snprintf(field + l, sizeof(field) - l, "[%zu]", i);
		}
		if (!ynode_is_text(s))
			return cfg_fail(o->w, s, field, "expected a proposal like %s, got %s",
					esp ? "aes128gcm16" : "aes128gcm16-prfsha256-x25519",
					ynode_kind_name(s));
		if (ike_prop_parse(s->str, esp, &p[i], why, sizeof(why)) < 0)
			return cfg_fail(o->w, s, field, "%s", why);
	}
	*n = cnt;
	return 0;
}

static int read_ts(const struct cfg_obj *o, const char *key, struct ike_tsv *t)
{
	struct cfg_prefix p;
	int rc = obj_prefix(o, key, false, false, &p);

	if (rc <= 0)
		return rc < 0 ? -1 : obj_missing(o, key, NULL);
	if (p.addr.family != AF_INET)
		return obj_fail(o, key, "only IPv4 selectors are supported for now");
	uint32_t a = ntohl(p.addr.v4);
	uint32_t mask = p.len == 0 ? 0 : ~0u << (32 - p.len);
	*t = (struct ike_tsv){.proto = 0, .port_lo = 0, .port_hi = 65535,
			      .start = a & mask, .end = (a & mask) | ~mask};
	return 0;
}

/* A file named by key: as written, or relative to the config file's directory. */
/* The connection's Child SAs: `children:`, a list of local_ts/remote_ts pairs,
 * or local_ts/remote_ts of the connection itself (one Child SA). */
static int read_children(const struct cfg_obj *o, struct ike_sa_cfg *k)
{
	const struct ynode *v = obj_get(o, "children");
	char field[YPATH_MAX];

	if (v == NULL)
		return read_ts(o, "local_ts", &k->local_ts) < 0 ||
				       read_ts(o, "remote_ts", &k->remote_ts) < 0
			       ? -1
			       : 0;
	for (size_t i = 0; i < 2; i++)
		if (obj_get(o, child_keys[i]) != NULL)
			return obj_forbidden(o, child_keys[i], "with children");
	if (v->kind != YNODE_LIST || v->n_kids == 0 || v->n_kids > IKE_CHILDREN_MAX)
		return obj_fail(o, "children", "expected a list of 1..%d {local_ts, remote_ts}",
				IKE_CHILDREN_MAX);
	for (size_t i = 0; i < v->n_kids; i++) {
		struct cfg_obj c;

		obj_field(o, "children", field);
		size_t l = strlen(field);
		snprintf(field + l, sizeof(field) - l, "[%zu]", i);
		if (v->kids[i]->kind != YNODE_MAP)
			return cfg_fail(o->w, v->kids[i], field, "expected a mapping, got %s",
					ynode_kind_name(v->kids[i]));
		if (obj_open(o->w, v->kids[i], v->kids[i], field, child_keys, &c) < 0 ||
		    read_ts(&c, "local_ts", i == 0 ? &k->local_ts : &k->more_local[i - 1]) < 0 ||
		    read_ts(&c, "remote_ts", i == 0 ? &k->remote_ts : &k->more_remote[i - 1]) < 0)
			return -1;
	}
	k->n_more = v->n_kids - 1;
	return 0;
}

static int read_path(const struct cfg_walk *w, const struct cfg_obj *o, const char *key,
		     char out[PATH_MAX_LEN])
{
	const struct ynode *n = obj_get(o, key);
	const char *slash = strrchr(w->name, '/');

	if (n == NULL)
		return 0;
	if (!ynode_is_text(n))
		return obj_fail(o, key, "expected the path of a PEM file");
	int dir = n->str[0] != '/' && slash != NULL ? (int)(slash - w->name) + 1 : 0;
	if ((size_t)dir + n->len >= PATH_MAX_LEN)
		return obj_fail(o, key, "path too long");
	snprintf(out, PATH_MAX_LEN, "%.*s%s", dir, w->name, n->str);
	return 1;
}

/* One PEM file of the credentials, loaded now so errors name the field. */
static int read_pem(const struct cfg_walk *w, const struct cfg_obj *o, const char *key,
		    bool required, struct ike_cred *cred,
		    int (*load)(struct ike_cred *, const char *, char *, size_t))
{
	char path[PATH_MAX_LEN], why[IKE_CERT_WHY_MAX + PATH_MAX_LEN];
	int rc = read_path(w, o, key, path);

	if (rc <= 0)
		return rc < 0 || !required ? rc : obj_missing(o, key, "needed with auth: pubkey");
	if (load(cred, path, why, sizeof(why)) < 0)
		return obj_fail(o, key, "%s", why);
	return 0;
}

/* auth: psk (the default) with psk:, or pubkey with cert:, key:, ca: and
 * optionally intermediates:. */
static int read_auth(const struct cfg_walk *w, const struct cfg_obj *o, struct cfg_conn *c)
{
	static const char *const kinds[] = {"psk", "pubkey"};
	static const char *const pem_keys[] = {"cert", "key", "ca", "intermediates"};
	struct ike_sa_cfg *k = &c->ike;
	char why[IKE_CERT_WHY_MAX];
	int kind = 0;

	if (obj_enum(o, "auth", kinds, 2, &kind) < 0)
		return -1;
	if (kind == 1) {
		if (obj_get(o, "psk") != NULL)
			return obj_forbidden(o, "psk", "with auth: pubkey");
		if (ike_cred_new(&c->cred) != IKE_CRYPTO_OK)
			return obj_fail(o, "auth", "out of memory");
		if (read_pem(w, o, "cert", true, c->cred, ike_cred_set_cert) < 0 ||
		    read_pem(w, o, "key", true, c->cred, ike_cred_set_key) < 0 ||
		    read_pem(w, o, "ca", true, c->cred, ike_cred_add_cas) < 0 ||
		    read_pem(w, o, "intermediates", false, c->cred, ike_cred_add_intermediates) < 0)
			return -1;
		if (ike_cred_check(c->cred, why, sizeof(why)) < 0)
			return obj_fail(o, "cert", "%s", why);
		k->cred = c->cred;
		return 0;
	}
	for (size_t i = 0; i < sizeof(pem_keys) / sizeof(pem_keys[0]); i++)
		if (obj_get(o, pem_keys[i]) != NULL)
			return obj_forbidden(o, pem_keys[i], "with auth: psk");
	const struct ynode *psk = obj_get(o, "psk");
	if (psk == NULL)
		return obj_missing(o, "psk", NULL);
	/* Never echo the value: it is the secret. */
	if (!ynode_is_text(psk) || psk->len < 8 || psk->len > IKE_PSK_MAX)
		return obj_fail(o, "psk", "expected a string of 8..%d characters", IKE_PSK_MAX);
	memcpy(k->psk, psk->str, psk->len);
	k->psk_len = psk->len;
	return 0;
}

static int read_conn(struct cfg_walk *w, const struct ynode *item, size_t idx, struct cfg_conn *c)
{
	static const char *const starts[] = {"wait", "initiate", "trap"};
	static const char *const yes_no[] = {"no", "yes"};
	struct ike_sa_cfg *k = &c->ike;
	struct cfg_obj o;
	char path[YPATH_MAX];
	int start = 0;

	cfg_pathf(path, "connections[%zu]", idx);
	if (item->kind != YNODE_MAP)
		return cfg_fail(w, item, path, "expected a mapping, got %s", ynode_kind_name(item));
	if (obj_open(w, item, item, path, conn_keys, &o) < 0)
		return -1;
	c->line = item->line;
	int rc = obj_name(&o, "name", k->name, sizeof(k->name));
	if (rc <= 0)
		return rc < 0 ? -1 : obj_missing(&o, "name", NULL);
	if (read_v4(&o, "local_addr", &k->local_ip) < 0 ||
	    read_v4(&o, "remote_addr", &k->remote_ip) < 0 ||
	    read_id(&o, "local_id", k->local_ip, &k->local_id) < 0 ||
	    read_id(&o, "remote_id", k->remote_ip, &k->remote_id) < 0)
		return -1;
	if (read_auth(w, &o, c) < 0)
		return -1;
	if (read_props(&o, "ike", false, k->ike, &k->n_ike) < 0 ||
	    read_props(&o, "esp", true, k->esp, &k->n_esp) < 0 ||
	    read_children(&o, k) < 0 ||
	    obj_enum(&o, "start", starts, 3, &start) < 0)
		return -1;
	k->keepalive_s = 20;
	k->retx_base_ms = IKE_RETX_BASE_MS;
	k->retx_tries = IKE_RETX_TRIES;
	if (obj_u32(&o, "dpd_delay", 0, 86400, &k->dpd_delay_s) < 0 ||
	    obj_u32(&o, "keepalive", 0, 3600, &k->keepalive_s) < 0 ||
	    obj_u32(&o, "retransmit_timeout", RETX_MIN_MS, RETX_MAX_MS, &k->retx_base_ms) < 0 ||
	    obj_u32(&o, "retransmit_tries", 0, RETX_MAX_TRIES, &k->retx_tries) < 0 ||
	    obj_u64(&o, "life_bytes", 0, LIFE_MAX, &c->child_life.soft_bytes) < 0 ||
	    obj_u64(&o, "life_packets", 0, LIFE_MAX, &c->child_life.soft_packets) < 0)
		return -1;
	int frag = 1;
	k->fragment_size = IKE_FRAG_SIZE_DEFAULT;
	if (obj_enum(&o, "fragmentation", yes_no, 2, &frag) < 0 ||
	    obj_u16(&o, "fragment_size", IKE_FRAG_SIZE_MIN, IKE_DGRAM_MAX, &k->fragment_size) < 0)
		return -1;
	k->fragmentation = frag == 1;
	c->child_life.hard_bytes = hard_limit(c->child_life.soft_bytes);
	c->child_life.hard_packets = hard_limit(c->child_life.soft_packets);
	c->initiate = start == 1;
	c->trap = start == 2;
	if (read_rekey(&o, "rekey_time", REKEY_DEFAULT_S, &c->rekey_time) < 0 ||
	    read_rekey(&o, "ike_rekey_time", IKE_REKEY_DEFAULT_S, &c->ike_rekey_time) < 0)
		return -1;
	return 0;
}

void config_conn_free(struct cfg_conn *c, size_t n)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		ike_cred_free(c[i].cred);
	OPENSSL_cleanse(c, n * sizeof(*c));
	free(c);
}

struct ynode *config_parse_map(struct cfg_walk *w, const char *buf, size_t len)
{
	w->err[0] = '\0';
	struct ynode *root = ytree_parse(w->name, buf, len, w->err);

	if (root != NULL && root->kind != YNODE_MAP) {
		cfg_fail(w, root, "document", "expected a mapping, got %s", ynode_kind_name(root));
		ytree_free(root);
		return NULL;
	}
	return root;
}

int config_conn_load_buffer(const char *name, const char *buf, size_t len, struct cfg_conn **out,
			    size_t *n, char err[CFG_ERR_MAX])
{
	struct cfg_walk w = {.name = name, .err = err};
	struct cfg_conn *c = NULL;
	const struct ynode *list = NULL;
	size_t cnt = 0;
	int rc = -1;

	*out = NULL;
	*n = 0;
	struct ynode *root = config_parse_map(&w, buf, len);
	if (root == NULL)
		return -1;
	list = ymap_get(root, "connections");
	if (list == NULL || ynode_is_null(list)) {
		rc = 0;
		goto out;
	}
	if (list->kind != YNODE_LIST || list->n_kids > CFG_MAX_CONNS) {
		cfg_fail(&w, list, "connections", "expected a list of 1..%d connections",
			 CFG_MAX_CONNS);
		goto out;
	}
	c = calloc(list->n_kids ? list->n_kids : 1, sizeof(*c));
	if (c == NULL) {
		cfg_fail(&w, list, "connections", "out of memory");
		goto out;
	}
	for (cnt = 0; cnt < list->n_kids; cnt++) {
		if (read_conn(&w, list->kids[cnt], cnt, &c[cnt]) < 0)
			goto out;
		for (size_t j = 0; j < cnt; j++) {
			char field[YPATH_MAX];

			cfg_pathf(field, "connections[%zu].name", cnt);
			if (strcmp(c[j].ike.name, c[cnt].ike.name) == 0) {
				cfg_fail(&w, list->kids[cnt], field,
					 "duplicate connection name '%s' (also connections[%zu])",
					 c[j].ike.name, j);
				goto out;
			}
			cfg_pathf(field, "connections[%zu].remote_addr", cnt);
			if (c[j].ike.remote_ip == c[cnt].ike.remote_ip &&
			    c[j].ike.local_ip == c[cnt].ike.local_ip) {
				cfg_fail(&w, list->kids[cnt], field,
					 "same local and remote address as connections[%zu]", j);
				goto out;
			}
		}
	}
	*out = c;
	*n = cnt;
	c = NULL;
	rc = 0;
out:
	config_conn_free(c, list != NULL && list->kind == YNODE_LIST ? list->n_kids : 0);
	ytree_free(root);
	return rc;
}

int config_file_parse(const char *path, char err[CFG_ERR_MAX],
		      int (*parse)(const char *name, const char *buf, size_t len, void *ctx,
				   char err[CFG_ERR_MAX]),
		      void *ctx)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len;
	int rc = -1;

	if (f == NULL) {
		snprintf(err, CFG_ERR_MAX, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(CONN_FILE_MAX + 1);
	if (buf == NULL) {
		snprintf(err, CFG_ERR_MAX, "%s: out of memory", path);
		goto out;
	}
	len = fread(buf, 1, CONN_FILE_MAX + 1, f);
	if (ferror(f) || len > CONN_FILE_MAX) {
		snprintf(err, CFG_ERR_MAX, "%s: %s", path, ferror(f) ? "read error" : "file too large");
		goto out;
	}
	rc = parse(path, buf, len, ctx, err);
out:
	if (buf != NULL)
		OPENSSL_cleanse(buf, CONN_FILE_MAX + 1);
	free(buf);
	fclose(f);
	return rc;
}

struct conn_out {
	struct cfg_conn **out;
	size_t *n;
};

static int parse_conns(const char *name, const char *buf, size_t len, void *ctx,
		       char err[CFG_ERR_MAX])
{
	struct conn_out *o = ctx;

	return config_conn_load_buffer(name, buf, len, o->out, o->n, err);
}

int config_conn_load(const char *path, struct cfg_conn **out, size_t *n, char err[CFG_ERR_MAX])
{
	struct conn_out o = {out, n};

	*out = NULL;
	*n = 0;
	return config_file_parse(path, err, parse_conns, &o);
}
