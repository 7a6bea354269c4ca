/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Typed field reads for the config walker: integers, booleans, names,
 * addresses, prefixes, hex keys.  Each check happens before any conversion,
 * and messages quote what was given (except key material, which is never
 * echoed).
 */
#include "config_value.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>


int cfg_fail(struct cfg_walk *w, const struct ynode *at, const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	yverr(w->err, w->name, at->line, at->col, field, fmt, ap);
	va_end(ap);
	return -1;
}

const char *ynode_quote(const struct ynode *n, char buf[YQUOTE_MAX])
{
	if (n->kind != YNODE_SCALAR || ynode_is_null(n))
		return ynode_kind_name(n);
	if (n->len > YQUOTE_MAX - 8)
		snprintf(buf, YQUOTE_MAX, "'%.*s...'", YQUOTE_MAX - 8, n->str);
	else
		snprintf(buf, YQUOTE_MAX, "'%s'", n->str);
	return buf;
}

bool ynode_is_text(const struct ynode *n)
{
	return n->kind == YNODE_SCALAR && !ynode_is_null(n);
}

static bool key_allowed(const char *key, const char *const keys[])
{
	for (size_t i = 0; keys[i] != NULL; i++) {
		if (strcmp(keys[i], key) == 0)
			return true;
	}
	return false;
}

void cfg_pathf(char out[YPATH_MAX], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, YPATH_MAX, fmt, ap);
	va_end(ap);
}

void obj_field(const struct cfg_obj *o, const char *key, char field[YPATH_MAX])
{
	if (o->path[0] == '\0')
		cfg_pathf(field, "%s", key);
	else
		cfg_pathf(field, "%s.%s", o->path, key);
}

int obj_open(struct cfg_walk *w, const struct ynode *node, const struct ynode *at,
	     const char *path, const char *const keys[], struct cfg_obj *o)
{
	char field[YPATH_MAX];

	memset(o, 0, sizeof(*o));
	o->w = w;
	o->at = node != NULL ? node : at;
	cfg_pathf(o->path, "%s", path);
	if (node == NULL || ynode_is_null(node))
		return 0;
	if (node->kind != YNODE_MAP)
		return cfg_fail(w, node, path[0] ? path : "document", "expected a mapping, got %s",
				ynode_kind_name(node));
	o->map = node;
	for (size_t i = 0; i < ymap_size(node); i++) {
		const struct ynode *k = ymap_key(node, i);

		if (!key_allowed(k->str, keys)) {
			obj_field(o, k->str, field);
			return cfg_fail(w, k, field, "unknown field");
		}
	}
	return 0;
}

const struct ynode *obj_get(const struct cfg_obj *o, const char *key)
{
	return o->map != NULL ? ymap_get(o->map, key) : NULL;
}

int obj_missing(const struct cfg_obj *o, const char *key, const char *why)
{
	char field[YPATH_MAX];

	obj_field(o, key, field);
	if (why != NULL)
		return cfg_fail(o->w, o->at, field, "missing required field: %s", why);
	return cfg_fail(o->w, o->at, field, "missing required field");
}

int obj_forbidden(const struct cfg_obj *o, const char *key, const char *why)
{
	return obj_fail(o, key, "not allowed %s", why);
}

int obj_fail(const struct cfg_obj *o, const char *key, const char *fmt, ...)
{
	char field[YPATH_MAX];
	const struct ynode *n = obj_get(o, key);
	va_list ap;

	obj_field(o, key, field);
	va_start(ap, fmt);
	yverr(o->w->err, o->w->name, n != NULL ? n->line : o->at->line,
	      n != NULL ? n->col : o->at->col, field, fmt, ap);
	va_end(ap);
	return -1;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Strict unsigned integer: "0", "123" (no leading zeros) or "0x1f".  0 or -1. */
static int parse_u64(const char *s, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && s[1] != '\0') {
		return -1; /* YAML 1.1 would read it as octal: refuse to guess */
	}
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		int d = hex_digit(*s);

		if (d < 0 || (unsigned)d >= base)
			return -1;
		if (v > (UINT64_MAX - (unsigned)d) / base)
			return -1;
		v = v * base + (unsigned)d;
	}
	*out = v;
	return 0;
}

int node_u64(struct cfg_walk *w, const struct ynode *n, const char *field, uint64_t lo,
	     uint64_t hi, uint64_t *v)
{
	char buf[YQUOTE_MAX];
	uint64_t x = 0;

	if (!ynode_is_text(n) || parse_u64(n->str, &x) < 0 || x < lo || x > hi)
		return cfg_fail(w, n, field, "expected an integer in %llu..%llu, got %s",
				(unsigned long long)lo, (unsigned long long)hi, ynode_quote(n, buf));
	*v = x;
	return 1;
}

int obj_u64(const struct cfg_obj *o, const char *key, uint64_t lo, uint64_t hi, uint64_t *v)
{
	const struct ynode *n = obj_get(o, key);
	char field[YPATH_MAX];

	if (n == NULL)
		return 0;
	obj_field(o, key, field);
	return node_u64(o->w, n, field, lo, hi, v);
}

int obj_u32(const struct cfg_obj *o, const char *key, uint32_t lo, uint32_t hi, uint32_t *v)
{
	uint64_t x = 0;
	int rc = obj_u64(o, key, lo, hi, &x);

	if (rc == 1)
		*v = (uint32_t)x;
	return rc;
}

int obj_u16(const struct cfg_obj *o, const char *key, uint16_t lo, uint16_t hi, uint16_t *v)
{
	uint64_t x = 0;
	int rc = obj_u64(o, key, lo, hi, &x);

	if (rc == 1)
		*v = (uint16_t)x;
	return rc;
}

int obj_bool(const struct cfg_obj *o, const char *key, bool *v)
{
	const struct ynode *n = obj_get(o, key);
	char buf[YQUOTE_MAX];

	if (n == NULL)
		return 0;
	if (ynode_is_text(n) && strcasecmp(n->str, "true") == 0) {
		*v = true;
		return 1;
	}
	if (ynode_is_text(n) && strcasecmp(n->str, "false") == 0) {
		*v = false;
		return 1;
	}
	return obj_fail(o, key, "expected true or false, got %s", ynode_quote(n, buf));
}

int obj_enum(const struct cfg_obj *o, const char *key, const char *const names[], size_t n_names,
	     int *v)
{
	const struct ynode *n = obj_get(o, key);
	char buf[YQUOTE_MAX], list[CFG_ERR_MAX / 2] = "";
	size_t used = 0;

	if (n == NULL)
		return 0;
	/* raw text, not ynode_is_text(): "cipher: null" names the null cipher */
	for (size_t i = 0; i < n_names; i++) {
		if (n->kind == YNODE_SCALAR && strcmp(n->str, names[i]) == 0) {
			*v = (int)i;
			return 1;
		}
	}
	for (size_t i = 0; i < n_names && used < sizeof(list); i++) {
		int k = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", names[i]);

		if (k < 0)
			break;
		used += (size_t)k;
	}
	return obj_fail(o, key, "expected one of %s, got %s", list, ynode_quote(n, buf));
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

int obj_name(const struct cfg_obj *o, const char *key, char *out, size_t size)
{
	const struct ynode *n = obj_get(o, key);
	char buf[YQUOTE_MAX];
	bool ok;

	if (n == NULL)
		return 0;
	ok = ynode_is_text(n) && n->len < size;
	for (size_t i = 0; ok && i < n->len; i++)
		ok = is_name_char(n->str[i]);
	if (!ok)
		return obj_fail(o, key, "expected 1..%zu characters of [A-Za-z0-9_-], got %s",
				size - 1, ynode_quote(n, buf));
	memcpy(out, n->str, n->len + 1);
	return 1;
}

int obj_word(const struct cfg_obj *o, const char *key, char *out, size_t size)
{
	const struct ynode *n = obj_get(o, key);
	char buf[YQUOTE_MAX];
	bool ok;

	if (n == NULL)
		return 0;
	ok = ynode_is_text(n) && n->len < size;
	for (size_t i = 0; ok && i < n->len; i++)
		ok = n->str[i] > ' ' && n->str[i] < 0x7f;
	if (!ok)
		return obj_fail(o, key, "expected 1..%zu printable characters without spaces, got %s",
				size - 1, ynode_quote(n, buf));
	memcpy(out, n->str, n->len + 1);
	return 1;
}

const char *cfg_family_name(uint8_t family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

/* Text of at most `len` bytes -> address; the family follows from a ':' in it. */
static int parse_addr(const char *s, size_t len, struct cfg_addr *a)
{
	char text[INET6_ADDRSTRLEN];
	struct cfg_addr tmp = { 0 };

	if (len == 0 || len >= sizeof(text))
		return -1;
	memcpy(text, s, len);
	text[len] = '\0';
	tmp.family = memchr(text, ':', len) != NULL ? AF_INET6 : AF_INET;
	if (inet_pton(tmp.family, text, tmp.family == AF_INET6 ? (void *)tmp.v6 : (void *)&tmp.v4) !=
	    1)
		return -1;
	*a = tmp;
	return 0;
}

int obj_addr(const struct cfg_obj *o, const char *key, struct cfg_addr *a)
{
	const struct ynode *n = obj_get(o, key);
	char buf[YQUOTE_MAX];

	if (n == NULL)
		return 0;
	if (!ynode_is_text(n) || parse_addr(n->str, n->len, a) < 0)
		return obj_fail(o, key, "expected an IPv4 or IPv6 address, got %s",
				ynode_quote(n, buf));
	return 1;
}

static uint8_t family_bits(uint8_t family)
{
	return family == AF_INET6 ? 128 : 32;
}

static const uint8_t *addr_bytes(const struct cfg_addr *a)
{
	return a->family == AF_INET6 ? a->v6 : (const uint8_t *)&a->v4;
}

/* Copy of a with every bit after the first len cleared. */
static struct cfg_addr addr_masked(const struct cfg_addr *a, uint8_t len)
{
	struct cfg_addr m = *a;
	uint8_t *b = m.family == AF_INET6 ? m.v6 : (uint8_t *)&m.v4;
	unsigned nbytes = family_bits(a->family) / 8;

	for (unsigned i = 0; i < nbytes; i++) {
		unsigned first_bit = i * 8;

		if (first_bit >= len)
			b[i] = 0;
		else if (len - first_bit < 8)
			b[i] &= (uint8_t)(0xff << (8 - (len - first_bit)));
	}
	return m;
}

bool cfg_addr_equal(const struct cfg_addr *a, const struct cfg_addr *b)
{
	return a->family == b->family &&
	       memcmp(addr_bytes(a), addr_bytes(b), family_bits(a->family) / 8) == 0;
}

bool cfg_prefix_contains(const struct cfg_prefix *p, const struct cfg_addr *a)
{
	struct cfg_addr net = addr_masked(&p->addr, p->len);
	struct cfg_addr am;

	if (a->family != p->addr.family)
		return false;
	am = addr_masked(a, p->len);
	return cfg_addr_equal(&net, &am);
}

/* "/len" text -> 0..255, digits only; -1 on anything else. */
static int parse_prefix_len(const char *s)
{
	size_t n = strlen(s);
	int v = 0;

	if (n == 0 || n > 3)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int obj_prefix(const struct cfg_obj *o, const char *key, bool len_required, bool host_bits_ok,
	       struct cfg_prefix *p)
{
	const struct ynode *n = obj_get(o, key);
	char buf[YQUOTE_MAX], text[INET6_ADDRSTRLEN];
	const char *slash;
	struct cfg_prefix tmp;
	struct cfg_addr net;
	int len;

	if (n == NULL)
		return 0;
	slash = ynode_is_text(n) ? strchr(n->str, '/') : NULL;
	if (!ynode_is_text(n) || parse_addr(n->str, slash ? (size_t)(slash - n->str) : n->len,
				      &tmp.addr) < 0)
		return obj_fail(o, key, "expected an IPv4 or IPv6 prefix like 10.0.0.0/24, got %s",
				ynode_quote(n, buf));
	if (slash == NULL && len_required)
		return obj_fail(o, key,
				"expected an address with its prefix length like 10.0.0.1/24, got %s",
				ynode_quote(n, buf));
	len = slash ? parse_prefix_len(slash + 1) : family_bits(tmp.addr.family);
	if (len < 0)
		return obj_fail(o, key, "expected a prefix length after '/', got %s",
				ynode_quote(n, buf));
	if (len > family_bits(tmp.addr.family))
		return obj_fail(o, key, "prefix length %d is out of range for %s (0..%u)", len,
				cfg_family_name(tmp.addr.family), family_bits(tmp.addr.family));
	tmp.len = (uint8_t)len;
	net = addr_masked(&tmp.addr, tmp.len);
	if (!host_bits_ok && !cfg_addr_equal(&net, &tmp.addr)) {
		inet_ntop(net.family, addr_bytes(&net), text, sizeof(text));
		return obj_fail(o, key, "host bits are set in %s, expected %s/%d", n->str, text,
				len);
	}
	*p = tmp;
	return 1;
}

int obj_hex(const struct cfg_obj *o, const char *key, size_t want, const char *alg, uint8_t *out)
{
	const struct ynode *n = obj_get(o, key);
	const char *s;
	size_t digits;

	if (n == NULL)
		return 0;
	if (!ynode_is_text(n))
		return obj_fail(o, key, "expected a hex string, got %s", ynode_kind_name(n));
	s = n->str;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	digits = strlen(s);
	/* Validate everything before converting; never echo key material. */
	for (size_t i = 0; i < digits; i++) {
		if (hex_digit(s[i]) < 0)
			return obj_fail(o, key, "expected hex digits, got a non-hex character at "
					"position %zu", (size_t)(s - n->str) + i + 1);
	}
	if (digits % 2 != 0)
		return obj_fail(o, key, "expected an even number of hex digits, got %zu", digits);
	if (digits / 2 != want)
		return obj_fail(o, key, "expected %zu bytes of hex for %s, got %zu", want, alg,
				digits / 2);
	for (size_t i = 0; i < want; i++)
		out[i] = (uint8_t)(hex_digit(s[2 * i]) << 4 | hex_digit(s[2 * i + 1]));
	return 1;
}

int obj_mac(const struct cfg_obj *o, const char *key, uint8_t mac[6])
{
	const struct ynode *n = obj_get(o, key);
	char buf[YQUOTE_MAX];
	bool ok;

	if (n == NULL)
		return 0;
	/* exactly "xx:xx:xx:xx:xx:xx" */
	ok = ynode_is_text(n) && n->len == 17;
	for (size_t i = 0; ok && i < 17; i++)
		ok = i % 3 == 2 ? n->str[i] == ':' : hex_digit(n->str[i]) >= 0;
	if (!ok)
		return obj_fail(o, key, "expected a MAC address like 02:00:00:00:00:01, got %s",
				ynode_quote(n, buf));
	for (size_t i = 0; i < 6; i++)
		mac[i] = (uint8_t)(hex_digit(n->str[3 * i]) << 4 | hex_digit(n->str[3 * i + 1]));
	return 1;
}

/* "N" -> 0..65535, digits only, at most 5 of them; -1 otherwise. */
static long parse_port(const char *s, size_t len)
{
	long v = 0;

	if (len == 0 || len > 5)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= 65535 ? v : -1;
}

int obj_port_range(const struct cfg_obj *o, const char *key, uint16_t *lo, uint16_t *hi)
{
	const struct ynode *n = obj_get(o, key);
	char buf[YQUOTE_MAX];
	const char *dash;
	long a = -1, b = -1;

	if (n == NULL)
		return 0;
	if (ynode_is_text(n)) {
		dash = strchr(n->str, '-');
		if (dash == NULL) {
			a = b = parse_port(n->str, n->len);
		} else {
			a = parse_port(n->str, (size_t)(dash - n->str));
			b = parse_port(dash + 1, strlen(dash + 1));
		}
	}
	if (a < 0 || b < 0)
		return obj_fail(o, key, "expected a port in 0..65535 or a range like 1024-65535, "
				"got %s", ynode_quote(n, buf));
	if (a > b)
		return obj_fail(o, key, "range %ld-%ld is reversed, expected %ld-%ld", a, b, b, a);
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 1;
}

int obj_list(const struct cfg_obj *o, const char *key, const struct ynode **list)
{
	const struct ynode *n = obj_get(o, key);

	if (n == NULL || ynode_is_null(n))
		return 0;
	if (n->kind != YNODE_LIST)
		return obj_fail(o, key, "expected a list, got %s", ynode_kind_name(n));
	*list = n;
	return 1;
}
