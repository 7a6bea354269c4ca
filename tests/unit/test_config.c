/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the YAML config loader (configs/).
 *
 *   test_config TESTS_CONFIGS_DIR DEMO_DIR
 *
 * 1. every *.yaml in TESTS_CONFIGS_DIR/good and DEMO_DIR loads, and the values
 *    of the known ones are spot-checked (bytes of keys and salts, byte order of
 *    addresses, defaults);
 * 2. every file in TESTS_CONFIGS_DIR/bad fails with exactly the message in
 *    bad_cases[] (and every file there has an entry, and every entry a file);
 * 3. in-memory cases for what is awkward to keep in a file (NUL bytes, depth);
 * 4. a fixed-seed mutation loop over the good configs: the loader must never
 *    crash, and must either accept or fail with "NAME:LINE:COL: FIELD: msg".
 *
 * Run under ASan/UBSan/LSan: every error path must free what it allocated.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"

#include "check.h"

#define CHECK_STR(got, want)                                                            \
	do {                                                                            \
		checks++;                                                               \
		if (strcmp((got), (want)) != 0) {                                       \
			failures++;                                                     \
			fprintf(stderr, "%s:%d: got '%s', want '%s'\n", __FILE__, __LINE__, \
				(got), (want));                                         \
		}                                                                       \
	} while (0)

/* ---- helpers ------------------------------------------------------------ */

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)size + 1);
		if (buf != NULL && fread(buf, 1, (size_t)size, f) != (size_t)size) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)size;
	}
	fclose(f);
	return buf;
}

/* snprintf that refuses to cut: a cut path would test the wrong file. */
__attribute__((format(printf, 3, 4)))
static void format(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		fprintf(stderr, "path too long: %s\n", out);
		exit(2);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the *.yaml files in dir; returns the count, -1 if unreadable. */
static int list_yaml(const char *dir, char *names[], int max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL && n < max) {
		size_t len = strlen(e->d_name);

		if (len > 5 && strcmp(e->d_name + len - 5, ".yaml") == 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
	return n;
}

static void free_names(char *names[], int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
}

static uint32_t ip4(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a.s_addr;
}

static bool is_ip6(const struct cfg_addr *a, const char *s)
{
	uint8_t b[16];

	return a->family == AF_INET6 && inet_pton(AF_INET6, s, b) == 1 &&
	       memcmp(a->v6, b, 16) == 0;
}

static bool is_ip4(const struct cfg_addr *a, const char *s)
{
	return a->family == AF_INET && a->v4 == ip4(s);
}

static bool bytes_are(const uint8_t *got, size_t len, const char *hex)
{
	if (strlen(hex) != 2 * len)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1 || got[i] != v)
			return false;
	}
	return true;
}

/* ---- 1. good configs ---------------------------------------------------- */

static void check_minimal(const struct secgw_config *c)
{
	/* every default in config.h */
	CHECK_STR(c->file_prefix, "secgw");
	CHECK(c->main_lcore == 0);
	CHECK(c->n_workers == 1 && c->workers[0] == 1);
	CHECK(c->cpu_main == -1 && c->cpu_workers[0] == -1);
	CHECK(c->hugepages);
	CHECK(c->memory_mb == 512 && c->mbufs == 16384 && c->burst == 32);
	CHECK(c->idle_polls == 256 && c->idle_sleep_us == 100);
	CHECK(c->crypto_driver == CFG_CRYPTO_AESNI_MB);
	CHECK(c->n_ports == 2 && c->n_routes == 0 && c->n_policies == 0 && c->n_sas == 0);
	CHECK(c->routes == NULL && c->policies == NULL && c->sas == NULL);
	CHECK(c->max_sas == 1024 && c->max_policies == 1024);
	CHECK(c->fragment == CFG_FRAG_PRE && c->icmp_rate == 1000 && c->icmp_burst == 50);
	CHECK(c->reasm_flows == 256 && c->reasm_timeout_ms == 1000);
	CHECK_STR(c->ports[0].name, "lan");
	CHECK(c->ports[0].role == CFG_PORT_PROTECTED && c->ports[1].role == CFG_PORT_UNPROTECTED);
	CHECK(c->ports[0].mtu == 1500 && c->ports[0].n_neighbors == 0);
	CHECK(is_ip4(&c->ports[1].address.addr, "192.0.2.1") && c->ports[1].address.len == 24);
	CHECK(c->ports[0].line == 3);
}

static void check_full_dataplane(const struct secgw_config *c)
{
	CHECK_STR(c->file_prefix, "gw_full-1");
	CHECK(c->n_workers == 2 && c->workers[0] == 1 && c->workers[1] == 2);
	CHECK(c->cpu_main == 0 && c->cpu_workers[0] == 1 && c->cpu_workers[1] == 1);
	CHECK(c->memory_mb == 1024 && c->mbufs == 32768 && c->burst == 64);
	CHECK(c->idle_polls == 0 && c->idle_sleep_us == 0);
	CHECK(c->max_sas == 2048 && c->max_policies == 4096);
	CHECK(c->fragment == CFG_FRAG_NEVER && c->icmp_rate == 10 && c->icmp_burst == 5);
	CHECK(c->reasm_flows == 64 && c->reasm_timeout_ms == 500);
	CHECK(c->crypto_driver == CFG_CRYPTO_OPENSSL);
	CHECK_STR(c->ports[0].devargs, "net_af_packet0,iface=veth0,qpairs=1");
	CHECK_STR(c->ports[1].devargs, "net_memif0,role=server,socket=/run/secgw/memif0.sock");
	CHECK(c->ports[0].mtu == 9000 && c->ports[0].n_neighbors == 2);
	CHECK(is_ip4(&c->ports[0].neighbors[1].ip, "10.10.1.3"));
	CHECK(bytes_are(c->ports[0].neighbors[1].mac, 6, "02aabbccdd03"));
	/* an interface address keeps its host bits */
	CHECK(is_ip4(&c->ports[1].address.addr, "198.51.100.7") && c->ports[1].address.len == 24);
	CHECK(c->n_routes == 4);
	CHECK(is_ip4(&c->routes[0].dst.addr, "10.20.0.0") && c->routes[0].dst.len == 16);
	/* network byte order: the first octet is the first byte in memory */
	CHECK(((const uint8_t *)&c->routes[0].dst.addr.v4)[0] == 10);
	CHECK(is_ip4(&c->routes[0].via, "198.51.100.2") && c->routes[0].port == 1);
	CHECK(c->routes[1].via.family == 0 && c->routes[1].port == 0);
	CHECK(c->routes[2].dst.len == 0 && c->routes[2].dst.addr.v4 == 0);
	CHECK(is_ip4(&c->routes[3].dst.addr, "10.30.0.9") && c->routes[3].dst.len == 32);
}

static void check_full_policies(const struct secgw_config *c)
{
	const struct cfg_policy *p = c->policies;

	CHECK(c->n_policies == 6);
	CHECK_STR(p[0].name, "web-out");
	CHECK(p[0].dir == CFG_DIR_OUT && p[0].proto == 6 && p[0].action == CFG_SP_PROTECT);
	CHECK(p[0].sport_lo == 1024 && p[0].sport_hi == 65535);
	CHECK(p[0].dport_lo == 443 && p[0].dport_hi == 443);
	CHECK(p[0].spi == 0x100 && p[0].priority == 5);
	CHECK(p[1].dir == CFG_DIR_IN && p[1].proto == 17 && p[1].dport_lo == 500);
	CHECK(p[1].sport_lo == 0 && p[1].sport_hi == 65535 && p[1].priority == 0);
	/* a missing src is the any-prefix of dst's family */
	CHECK(p[1].src.addr.family == AF_INET && p[1].src.len == 0 && p[1].src.addr.v4 == 0);
	CHECK(is_ip4(&p[1].dst.addr, "198.51.100.7") && p[1].dst.len == 32);
	CHECK_STR(p[2].name, "policies[2]");
	CHECK(p[2].proto == 47 && p[2].action == CFG_SP_DISCARD && p[2].priority == 2147483647);
	CHECK(p[3].proto == 1 && p[3].spi == 4096 && p[3].priority == 1000);
	/* neither src nor dst: IPv4 any to any */
	CHECK(p[4].proto == -1 && p[4].src.addr.family == AF_INET && p[4].dst.len == 0);
	CHECK(p[4].spi == 0xabcdef01);
	CHECK(p[5].proto == 132 && p[5].sport_lo == 9 && p[5].sport_hi == 9);
}

static void check_full_sas(const struct secgw_config *c)
{
	const struct cfg_sa *s = c->sas;

	CHECK(c->n_sas == 7);
	CHECK_STR(s[0].name, "cbc-out");
	CHECK(s[0].spi == 256 && s[0].dir == CFG_DIR_OUT && s[0].proto == CFG_SA_ESP);
	CHECK(s[0].mode == CFG_MODE_TUNNEL && s[0].cipher == CFG_CIPHER_AES_256_CBC);
	CHECK(s[0].integ == CFG_INTEG_HMAC_SHA512_256 && s[0].key_len == 32);
	CHECK(bytes_are(s[0].key, 32, "000102030405060708090a0b0c0d0e0f"
					  "101112131415161718191a1b1c1d1e1f"));
	CHECK(s[0].auth_key_len == 64 && s[0].auth_key[0] == 0x40 && s[0].auth_key[63] == 0x7f);
	CHECK(is_ip4(&s[0].tun_src, "198.51.100.7") && is_ip4(&s[0].tun_dst, "198.51.100.2"));
	CHECK(s[0].replay_window == 1024 && !s[0].esn && !s[0].udp_encap);
	CHECK(s[0].udp_sport == 4500 && s[0].udp_dport == 4500);
	/* key || salt: the last 4 bytes go to the salt */
	CHECK(s[1].cipher == CFG_CIPHER_AES_128_CTR && s[1].key_len == 16);
	CHECK(bytes_are(s[1].key, 16, "00112233445566778899aabbccddeeff"));
	CHECK(bytes_are(s[1].salt, 4, "deadbeef"));
	CHECK(s[1].integ == CFG_INTEG_HMAC_SHA1_96 && s[1].auth_key_len == 20);
	CHECK(s[1].replay_window == 4096 && s[1].esn);
	CHECK(s[2].cipher == CFG_CIPHER_CHACHA20_POLY1305 && s[2].integ == CFG_INTEG_NONE);
	CHECK(bytes_are(s[2].salt, 4, "cafef00d") && s[2].auth_key_len == 0);
	CHECK(s[2].udp_encap && s[2].udp_sport == 4500 && s[2].udp_dport == 14500);
	CHECK(s[3].cipher == CFG_CIPHER_NULL && s[3].key_len == 0);
	CHECK(s[3].integ == CFG_INTEG_AES_256_GMAC && s[3].auth_key_len == 36);
	CHECK(bytes_are(s[3].auth_key + 32, 4, "01020304") && s[3].replay_window == 0);
	CHECK(s[4].proto == CFG_SA_AH && s[4].mode == CFG_MODE_TRANSPORT);
	CHECK(s[4].cipher == CFG_CIPHER_NULL && s[4].tun_src.family == 0);
	CHECK(s[4].auth_key_len == 32 && s[4].auth_key[31] == 1);
	CHECK_STR(s[5].name, "sa[5]");
	CHECK(s[5].spi == 0x100 && s[5].dir == CFG_DIR_IN && s[5].key_len == 24);
	CHECK(bytes_are(s[5].salt, 4, "a0a1a2a3") && s[5].key[23] == 0x17);
	CHECK(s[5].esn && s[5].initial_seq == 0x1ffffffffULL && s[5].replay_window == 32);
	CHECK(s[6].spi == 0xffffffffu && s[6].integ == CFG_INTEG_HMAC_SHA384_192);
	CHECK(s[6].auth_key_len == 48 && s[6].initial_seq == 0xffffffffu);
	/* same SPI, other direction: a different SA */
	CHECK(cfg_sa_by_spi(c, 0x100, CFG_DIR_OUT) == &s[0]);
	CHECK(cfg_sa_by_spi(c, 0x100, CFG_DIR_IN) == &s[5]);
	CHECK(cfg_sa_by_spi(c, 0x1000, CFG_DIR_OUT) == NULL);
	CHECK(s[0].line > 0 && s[1].line > s[0].line);
}

static void check_full(const struct secgw_config *c)
{
	check_full_dataplane(c);
	check_full_policies(c);
	check_full_sas(c);
	CHECK(cfg_port_by_name(c, "outside") == 1 && cfg_port_by_name(c, "nope") == -1);
}

static void check_ipv6(const struct secgw_config *c)
{
	char buf[64];

	CHECK(c->hugepages == false && c->memory_mb == 64);
	CHECK(is_ip6(&c->ports[0].address.addr, "2001:db8:1::1") && c->ports[0].address.len == 64);
	CHECK(c->ports[0].mtu == 1280 && is_ip6(&c->ports[0].neighbors[0].ip, "2001:db8:1::2"));
	/* an IPv6 "address" is the port's IPv6 address */
	CHECK(cfg_port_prefix(&c->ports[0], AF_INET6) == &c->ports[0].address);
	CHECK(cfg_port_prefix(&c->ports[0], AF_INET) == NULL);
	CHECK(is_ip6(&c->routes[1].dst.addr, "::") && c->routes[1].dst.len == 0);
	CHECK_STR(cfg_addr_str(&c->routes[0].via, buf, sizeof(buf)), "2001:db8:ff::2");
	CHECK(c->policies[0].src.addr.family == AF_INET6 && c->policies[0].src.len == 0);
	CHECK(is_ip6(&c->policies[0].dst.addr, "2001:db8:2::") && c->policies[0].dst.len == 48);
	CHECK(c->policies[1].proto == 58 && c->policies[2].proto == 50);
	CHECK(c->policies[2].src.addr.family == AF_INET);
	CHECK(is_ip6(&c->sas[0].tun_dst, "2001:db8:ff::2"));
}

static void check_dual_stack(const struct secgw_config *c)
{
	const struct cfg_port *in = &c->ports[0];

	CHECK(is_ip4(&in->address.addr, "10.0.1.1") && in->address.len == 24);
	CHECK(is_ip6(&in->address6.addr, "2001:db8:1::1") && in->address6.len == 64);
	CHECK(cfg_port_prefix(in, AF_INET) == &in->address);
	CHECK(cfg_port_prefix(in, AF_INET6) == &in->address6);
	CHECK(in->n_neighbors == 2 && is_ip6(&in->neighbors[1].ip, "2001:db8:1::2"));
	CHECK(c->n_routes == 3 && is_ip6(&c->routes[1].via, "2001:db8:ff::2"));
	CHECK(c->routes[2].via.family == 0 && c->routes[2].port == 0);
}

static void check_site_a(const struct secgw_config *c)
{
	char buf[64];

	CHECK_STR(c->file_prefix, "secgw-a");
	CHECK(c->hugepages == false && c->memory_mb == 256 && c->mbufs == 8192);
	CHECK(c->n_ports == 2 && c->n_routes == 1 && c->n_policies == 2 && c->n_sas == 2);
	CHECK_STR(cfg_addr_str(&c->routes[0].via, buf, sizeof(buf)), "10.99.0.2");
	CHECK(c->routes[0].dst.addr.v4 == htonl(0x0a630200) && c->routes[0].dst.len == 24);
	CHECK(c->sas[0].spi == 0x1001 && c->sas[0].cipher == CFG_CIPHER_AES_128_GCM);
	CHECK(bytes_are(c->sas[0].key, 16, "0123456789abcdef0123456789abcdef"));
	CHECK(bytes_are(c->sas[0].salt, 4, "01020304"));
	CHECK(c->policies[1].spi == 0x2001 && c->policies[1].dir == CFG_DIR_IN);
}

static const struct {
	const char *file; /* relative to the directory it is looked up in */
	void (*check)(const struct secgw_config *c);
} good_checks[] = {
	{ "minimal.yaml", check_minimal },
	{ "full.yaml", check_full },
	{ "ipv6.yaml", check_ipv6 },
	{ "dual-stack.yaml", check_dual_stack },
	{ "site-a.yaml", check_site_a },
};

#define N_GOOD_CHECKS (sizeof(good_checks) / sizeof(good_checks[0]))

static void load_good_dir(const char *dir, bool found[N_GOOD_CHECKS], int *loaded)
{
	char *names[256], path[1024], err[CFG_ERR_MAX];
	int n = list_yaml(dir, names, 256);

	CHECK(n > 0);
	for (int i = 0; i < n; i++) {
		struct secgw_config cfg;

		format(path, sizeof(path), "%s/%s", dir, names[i]);
		if (config_load(path, &cfg, err) < 0) {
			failures++;
			fprintf(stderr, "good config failed: %s\n", err);
			continue;
		}
		(*loaded)++;
		for (size_t k = 0; k < N_GOOD_CHECKS; k++) {
			if (strcmp(names[i], good_checks[k].file) == 0) {
				good_checks[k].check(&cfg);
				found[k] = true;
			}
		}
		config_free(&cfg);
		CHECK(cfg.sas == NULL && cfg.n_sas == 0); /* freed and wiped */
	}
	free_names(names, n);
}

static void test_good(const char *configs_dir, const char *demo_dir)
{
	bool found[N_GOOD_CHECKS] = { false };
	char dir[1024];
	int loaded = 0;

	format(dir, sizeof(dir), "%s/good", configs_dir);
	load_good_dir(dir, found, &loaded);
	load_good_dir(demo_dir, found, &loaded);
	for (size_t k = 0; k < N_GOOD_CHECKS; k++) {
		if (!found[k]) {
			failures++;
			fprintf(stderr, "spot-checked config %s not found\n", good_checks[k].file);
		}
	}
	printf("good: %d configs loaded\n", loaded);
}

/* Every outbound SA of `from` must be an inbound SA of `to`, bit for bit. */
static void check_sa_mirror(const struct secgw_config *from, const struct secgw_config *to)
{
	for (uint32_t i = 0; i < from->n_sas; i++) {
		const struct cfg_sa *o = &from->sas[i];
		const struct cfg_sa *in;

		if (o->dir != CFG_DIR_OUT)
			continue;
		in = cfg_sa_by_spi(to, o->spi, CFG_DIR_IN);
		CHECK(in != NULL);
		if (in == NULL)
			continue;
		CHECK(in->cipher == o->cipher && in->integ == o->integ && in->mode == o->mode);
		CHECK(in->key_len == o->key_len && memcmp(in->key, o->key, o->key_len) == 0);
		CHECK(memcmp(in->salt, o->salt, sizeof(o->salt)) == 0);
		CHECK(in->auth_key_len == o->auth_key_len &&
		      memcmp(in->auth_key, o->auth_key, o->auth_key_len) == 0);
		CHECK(in->tun_src.family == o->tun_src.family && in->tun_src.v4 == o->tun_src.v4);
		CHECK(in->tun_dst.v4 == o->tun_dst.v4);
	}
}

/* The two demo sites talk to each other: their SAs must pair up. */
static void test_demo_pair(const char *demo_dir)
{
	struct secgw_config a, b;
	char pa[1024], pb[1024], err[CFG_ERR_MAX];

	format(pa, sizeof(pa), "%s/site-a.yaml", demo_dir);
	format(pb, sizeof(pb), "%s/site-b.yaml", demo_dir);
	if (config_load(pa, &a, err) < 0)
		return; /* reported by test_good */
	if (config_load(pb, &b, err) == 0) {
		check_sa_mirror(&a, &b);
		check_sa_mirror(&b, &a);
		config_free(&b);
	}
	config_free(&a);
}

/* The full example in configs/README.md must stay a working config. */
static void test_readme_example(const char *demo_dir)
{
	char path[1024], err[CFG_ERR_MAX];
	struct secgw_config cfg;
	size_t len = 0;
	char *doc, *start, *end;

	format(path, sizeof(path), "%s/../README.md", demo_dir);
	doc = read_all(path, &len);
	CHECK(doc != NULL);
	if (doc == NULL)
		return;
	doc[len] = '\0';
	start = strstr(doc, "```yaml\n");
	end = start != NULL ? strstr(start + 8, "```") : NULL;
	CHECK(start != NULL && end != NULL);
	if (start != NULL && end != NULL) {
		if (config_load_buffer("README.md", start + 8, (size_t)(end - start - 8), &cfg,
				       err) == 0) {
			CHECK(cfg.n_policies == 4 && cfg.sas[1].esn && cfg.n_workers == 2);
			config_free(&cfg);
		} else {
			failures++;
			fprintf(stderr, "README example: %s\n", err);
		}
	}
	free(doc);
}

/* ---- 2. bad configs ----------------------------------------------------- */

/* What follows "DIR/bad/FILE:" in the error. */
static const struct {
	const char *file;
	const char *want;
} bad_cases[] = {
	{ "ah-with-cipher.yaml",
	  "17:13: sas[0].cipher: expected null with proto ah (AH does not encrypt), got "
	  "'aes-128-cbc'" },
	{ "alias.yaml", "12:5: yaml: anchors and aliases are not supported" },
	{ "auth-key-with-aead.yaml",
	  "18:15: sas[0].auth_key: not allowed with aead cipher chacha20-poly1305 (its key "
	  "covers integrity)" },
	{ "bad-hex.yaml",
	  "17:10: sas[0].key: expected hex digits, got a non-hex character at position 34" },
	{ "burst-not-int.yaml", "3:10: dataplane.burst: expected an integer in 1..64, got 'many'" },
	{ "burst-range.yaml", "3:10: dataplane.burst: expected an integer in 1..64, got '128'" },
	{ "cbc-without-integ.yaml",
	  "12:5: sas[0].integ: missing required field: cipher aes-128-cbc needs an integrity "
	  "algorithm" },
	{ "cpus-length.yaml",
	  "4:28: dataplane.cpus.workers: expected 2 CPUs (one per worker), got 1" },
	{ "duplicate-devargs.yaml",
	  "8:14: ports[1].devargs: device 'net_af_packet0' is already used by ports[0]" },
	{ "duplicate-key.yaml", "7:5: ports[0].role: duplicate key (first given at 5:5)" },
	{ "duplicate-port-name.yaml",
	  "7:11: ports[1].name: duplicate port name 'inside' (also ports[0])" },
	{ "duplicate-route.yaml",
	  "15:10: routes[1].dst: duplicate route to 10.0.2.0/24 (also routes[0])" },
	{ "duplicate-spi.yaml",
	  "24:10: sas[2].spi: duplicate SPI 0x1001 for direction out (also sas[0])" },
	{ "empty.yaml", "1:1: document: empty file" },
	{ "gcm-with-integ.yaml",
	  "17:12: sas[0].integ: not allowed with aead cipher aes-256-gcm (it has its own ICV), "
	  "got 'hmac-sha256-128'" },
	{ "gmac-with-cbc.yaml",
	  "17:12: sas[0].integ: aes-128-gmac is only allowed with cipher null (RFC 4543), got "
	  "cipher aes-128-cbc" },
	{ "initial-seq-no-esn.yaml",
	  "18:18: sas[0].initial_seq: expected at most 4294967295 without esn: true, got "
	  "4294967296" },
	{ "address6-ipv4.yaml",
	  "7:15: ports[0].address6: expected an IPv6 prefix like 2001:db8::1/64, got 10.0.9.1" },
	{ "address6-twice.yaml",
	  "7:15: ports[0].address6: port inside already has the IPv6 address 2001:db8:1::1/64" },
	{ "ipv6-mtu.yaml", "7:10: ports[0].mtu: expected an integer in 1280..9000, got '1000'" },
	{ "key-length.yaml", "17:10: sas[0].key: expected 20 bytes of hex for aes-128-gcm, got 16" },
	{ "list-for-mapping.yaml", "3:3: dataplane: expected a mapping, got a list" },
	{ "max-sas-too-small.yaml",
	  "3:12: dataplane.max_sas: expected at least 2 (the number of sas), got 1" },
	{ "missing-ports.yaml", "2:1: ports: missing required field" },
	{ "missing-role.yaml", "3:5: ports[0].role: missing required field" },
	{ "mixed-family.yaml",
	  "14:10: policies[0].dst: IPv6 prefix but src is IPv4, expected the same family" },
	{ "neighbor-mac.yaml",
	  "8:29: ports[0].neighbors[0].mac: expected a MAC address like 02:00:00:00:00:01, got "
	  "'02:00:00:00:01'" },
	{ "neighbor6-no-address6.yaml",
	  "8:14: ports[0].neighbors[0].ip: 2001:db8:1::2 is IPv6 but port inside has no IPv6 "
	  "address" },
	{ "no-unprotected-port.yaml", "3:3: ports: need at least one port with role unprotected" },
	{ "odd-hex.yaml", "17:10: sas[0].key: expected an even number of hex digits, got 39" },
	{ "prefix-garbage.yaml",
	  "13:10: policies[0].dst: expected an IPv4 or IPv6 prefix like 10.0.0.0/24, got "
	  "'10.0.300.0/24'" },
	{ "prefix-host-bits.yaml",
	  "12:10: routes[0].dst: host bits are set in 10.0.2.1/24, expected 10.0.2.0/24" },
	{ "prefix-len-33.yaml",
	  "13:10: policies[0].src: prefix length 33 is out of range for IPv4 (0..32)" },
	{ "protect-without-sa.yaml",
	  "19:5: policies[0].sa: missing required field: action protect needs an SA" },
	{ "lifetime-soft-above-hard.yaml",
	  "18:30: sas[0].lifetime.soft_packets: must be below hard_packets (100)" },
	{ "lifetime-unknown.yaml", "18:16: sas[0].lifetime.soft_minutes: unknown field" },
	{ "reassembly-flows.yaml",
	  "4:21: dataplane.reassembly_flows: expected at most 64 (flows x 8 fragments x 1 workers "
	  "may hold half of the 1024 mbufs), got 100" },
	{ "replay-window-small.yaml",
	  "18:20: sas[0].replay_window: expected 0 (disabled) or 32..4096, got 16" },
	{ "route-unknown-port.yaml",
	  "14:11: routes[0].port: no port named 'outsdie' (ports: inside, outside)" },
	{ "sa-direction-mismatch.yaml",
	  "29:9: policies[0].sa: SA 0x2001 is inbound but the policy is outbound" },
	{ "sa-unknown-spi.yaml", "23:9: policies[0].sa: no SA with SPI 0x1002" },
	{ "sa-with-bypass.yaml", "21:9: policies[0].sa: not allowed with action bypass" },
	{ "spi-overflow.yaml",
	  "12:10: sas[0].spi: expected an integer in 256..4294967295, got '99999999999'" },
	{ "spi-reserved.yaml",
	  "12:10: sas[0].spi: expected an integer in 256..4294967295, got '255'" },
	{ "sport-proto-any.yaml",
	  "14:12: policies[0].sport: only allowed with proto tcp, udp or sctp, got proto any" },
	{ "top-level-list.yaml",
	  "2:1: document: expected a mapping of dataplane, crypto, ports, routes, policies, sas, "
	  "got a list" },
	{ "transport-endpoints.yaml", "15:10: sas[0].src: not allowed in transport mode" },
	{ "two-documents.yaml", "11:1: yaml: only one document per file is supported" },
	{ "unknown-cipher.yaml",
	  "16:13: sas[0].cipher: expected one of null, aes-128-gcm, aes-192-gcm, aes-256-gcm, "
	  "aes-128-cbc, aes-192-cbc, aes-256-cbc, aes-128-ctr, aes-192-ctr, aes-256-ctr, "
	  "chacha20-poly1305, got 'aes-128-ocb'" },
	{ "unknown-field.yaml", "15:5: policies[1].prot: unknown field" },
	{ "unknown-top-level.yaml", "11:1: max_sas: unknown field" },
	{ "via-off-link.yaml",
	  "13:10: routes[0].via: 198.51.100.1 is not in the subnet of port outside "
	  "(192.0.2.1/24)" },
	{ "via6-off-link.yaml",
	  "14:10: routes[0].via: 2001:db8:fe::2 is not in the subnet of port outside "
	  "(2001:db8:ff::1/64)" },
	{ "workers-main-lcore.yaml", "4:16: dataplane.workers[1]: lcore 1 is the main lcore" },
	{ "yaml-syntax.yaml",
	  "4:6: yaml: did not find expected ',' or ']' (while parsing a flow sequence at 3:12)" },
};

#define N_BAD_CASES (sizeof(bad_cases) / sizeof(bad_cases[0]))

static void check_bad_file(const char *dir, const char *file, const char *want)
{
	struct secgw_config cfg;
	char path[1024], expect[2048], err[CFG_ERR_MAX];

	format(path, sizeof(path), "%s/%s", dir, file);
	format(expect, sizeof(expect), "%s:%s", path, want);
	memset(err, 0, sizeof(err));
	if (config_load(path, &cfg, err) == 0) {
		failures++;
		fprintf(stderr, "bad config accepted: %s\n", path);
		config_free(&cfg);
		return;
	}
	CHECK_STR(err, expect);
	/* a failed load leaves nothing to free */
	CHECK(cfg.sas == NULL && cfg.policies == NULL && cfg.routes == NULL && cfg.n_ports == 0);
}

static void test_bad(const char *configs_dir)
{
	char dir[1024], *names[256];
	int n;

	format(dir, sizeof(dir), "%s/bad", configs_dir);
	for (size_t k = 0; k < N_BAD_CASES; k++)
		check_bad_file(dir, bad_cases[k].file, bad_cases[k].want);
	/* every file in bad/ must have its expected message here */
	n = list_yaml(dir, names, 256);
	CHECK(n == (int)N_BAD_CASES);
	for (int i = 0; i < n; i++) {
		bool listed = false;

		for (size_t k = 0; k < N_BAD_CASES; k++)
			listed = listed || strcmp(names[i], bad_cases[k].file) == 0;
		if (!listed) {
			failures++;
			fprintf(stderr, "%s/%s has no entry in bad_cases[]\n", dir, names[i]);
		}
	}
	free_names(names, n);
	printf("bad: %zu configs rejected with the expected message\n", N_BAD_CASES);
}

/* ---- 3. in-memory cases ------------------------------------------------- */

#define PORTS_YAML                                                                       \
	"ports:\n"                                                                       \
	"  - {name: a, devargs: net_ring0, role: protected, address: 10.0.0.1/24}\n"     \
	"  - {name: b, devargs: net_ring1, role: unprotected, address: 10.0.1.1/24}\n"

static const struct {
	const char *text;
	size_t len; /* 0: strlen(text) */
	const char *want; /* NULL: must load */
} mem_cases[] = {
	{ "ports: [1, 2\0]\n", 15, "mem:1:13: yaml: control characters are not allowed" },
	{ "\"a\\0b\": 1\n", 0, "mem:1:1: yaml: NUL character in a scalar" },
	{ "!!map {ports: []}\n", 0,
	  "mem:1:1: yaml: tags are not supported, got 'tag:yaml.org,2002:map'" },
	{ "? [a]\n: b\n", 0, "mem:1:3: yaml: mapping keys must be scalars, got a list" },
	{ "ports: \xff\n", 0, "mem:1:8: yaml: invalid leading UTF-8 octet" },
	{ "# only a comment\n", 0, "mem:1:1: document: empty file" },
	{ "---\n", 0, "mem:1:1: document: empty file" },
	{ "dataplane:\n  burst: 0x40\n  max_policies: 65537\n" PORTS_YAML, 0,
	  "mem:3:17: dataplane.max_policies: expected an integer in 1..65536, got '65537'" },
	{ "dataplane:\n  main_lcore: 010\n" PORTS_YAML, 0,
	  "mem:2:15: dataplane.main_lcore: expected an integer in 0..127, got '010'" },
	{ "dataplane:\n  workers: [2, 2]\n" PORTS_YAML, 0,
	  "mem:2:16: dataplane.workers[1]: lcore 2 is already listed as workers[0]" },
	{ "dataplane:\n  main_lcore: 1\n" PORTS_YAML, 0,
	  "mem:2:3: dataplane.workers: missing required field: the default [1] is the main "
	  "lcore" },
	{ "dataplane:\n  hugepages: yes\n" PORTS_YAML, 0,
	  "mem:2:14: dataplane.hugepages: expected true or false, got 'yes'" },
	{ "dataplane:\n  burst:\n" PORTS_YAML, 0,
	  "mem:2:9: dataplane.burst: expected an integer in 1..64, got an empty value" },
	{ "dataplane:\n  file_prefix: a/b\n" PORTS_YAML, 0,
	  "mem:2:16: dataplane.file_prefix: expected 1..63 characters of [A-Za-z0-9_-], got "
	  "'a/b'" },
	{ "crypto: {driver: qat}\n" PORTS_YAML, 0,
	  "mem:1:18: crypto.driver: expected one of aesni_mb, openssl, got 'qat'" },
	{ "ports: {}\n", 0, "mem:1:8: ports: expected a list, got a mapping" },
	{ "ports: [inside]\n", 0, "mem:1:9: ports[0]: expected a mapping, got a scalar" },
	/* YAML nulls for optional sections mean "empty" */
	{ "dataplane:\ncrypto: ~\nroutes: null\n" PORTS_YAML, 0, NULL },
	{ PORTS_YAML "policies:\n  - {direction: in, proto: icmp, dst: 'fe80::/10', "
		     "action: bypass}\n",
	  0, "mem:5:28: policies[0].proto: icmp does not match IPv6 selectors, expected icmpv6" },
	{ PORTS_YAML "policies:\n  - {direction: in, proto: udp, dport: 20-10, action: bypass}\n",
	  0, "mem:5:40: policies[0].dport: range 20-10 is reversed, expected 10-20" },
	{ PORTS_YAML "policies:\n  - {direction: in, proto: 256, action: bypass}\n", 0,
	  "mem:5:28: policies[0].proto: expected an integer in 0..255, got '256'" },
	{ PORTS_YAML "routes:\n  - {dst: '2001:db8::/32', port: b}\n", 0,
	  "mem:5:34: routes[0].port: port b has no IPv6 address for this route" },
	{ "ports:\n  - {name: a, devargs: x, role: protected, address6: '2001:db8::1/64'}\n"
	  "  - {name: b, devargs: y, role: unprotected, address: 10.0.2.1/24}\n"
	  "routes:\n  - {dst: '2001:db8:5::/48', via: '2001:db8::fe', port: a}\n", 0, NULL },
	{ "ports:\n  - {name: a, devargs: x, role: protected, mtu: 1500}\n", 0,
	  "mem:2:5: ports[0].address: missing required field" },
	{ PORTS_YAML "routes:\n  - {dst: 10.2.0.0/16, via: '::1', port: b}\n", 0,
	  "mem:5:29: routes[0].via: IPv6 next hop for an IPv4 destination" },
	/* 2^64 + 32 must not wrap around to 32 */
	{ "dataplane:\n  burst: 18446744073709551648\n" PORTS_YAML, 0,
	  "mem:2:10: dataplane.burst: expected an integer in 1..64, got '18446744073709551648'" },
	/* prefix lengths that end inside a byte */
	{ PORTS_YAML "routes:\n  - {dst: 10.9.1.0/23, port: b}\n", 0,
	  "mem:5:11: routes[0].dst: host bits are set in 10.9.1.0/23, expected 10.9.0.0/23" },
	{ PORTS_YAML "policies:\n  - {direction: in, src: '2001:db8::1/127', action: bypass}\n", 0,
	  "mem:5:26: policies[0].src: host bits are set in 2001:db8::1/127, expected "
	  "2001:db8::/127" },
	{ PORTS_YAML "routes:\n  - {dst: 10.9.0.0/23, via: 10.0.0.254, port: b}\n", 0,
	  "mem:5:29: routes[0].via: 10.0.0.254 is not in the subnet of port b (10.0.1.1/24)" },
	{ "ports:\n  - {name: a, devargs: x, role: protected, address: 10.0.0.1/23}\n"
	  "  - {name: b, devargs: y, role: unprotected, address: 10.0.2.1/24}\n"
	  "routes:\n  - {dst: 10.9.0.0/23, via: 10.0.1.254, port: a}\n", 0, NULL },
	{ "ports:\n  - {name: a, devargs: x, role: protected, address: 10.0.0.1}\n", 0,
	  "mem:2:53: ports[0].address: expected an address with its prefix length like "
	  "10.0.0.1/24, got '10.0.0.1'" },
};

#define N_MEM_CASES (sizeof(mem_cases) / sizeof(mem_cases[0]))

static void test_mem_cases(void)
{
	for (size_t k = 0; k < N_MEM_CASES; k++) {
		struct secgw_config cfg;
		char err[CFG_ERR_MAX] = "";
		size_t len = mem_cases[k].len ? mem_cases[k].len : strlen(mem_cases[k].text);
		int rc = config_load_buffer("mem", mem_cases[k].text, len, &cfg, err);

		if (mem_cases[k].want == NULL) {
			if (rc != 0) {
				failures++;
				fprintf(stderr, "mem_cases[%zu] failed: %s\n", k, err);
			}
			CHECK(rc != 0 || (cfg.n_ports == 2 && cfg.burst == 32));
		} else {
			CHECK(rc == -1);
			CHECK_STR(err, mem_cases[k].want);
		}
		if (rc == 0)
			config_free(&cfg);
	}
}

/* ---- snippets: one SA / one policy for the control channel -------------- */

#define GCM_KEY "0x00112233445566778899aabbccddeeff01020304"

static const struct {
	bool policy; /* else an SA */
	const char *text;
	const char *want; /* NULL: must parse */
} snippet_cases[] = {
	{ false, "{spi: 0x3001, direction: out, src: 10.99.0.1, dst: 10.99.0.2, "
		 "cipher: aes-128-gcm, key: " GCM_KEY "}", NULL },
	{ false, "spi: 0x3002\ndirection: in\nsrc: 10.99.0.2\ndst: 10.99.0.1\n"
		 "cipher: aes-128-cbc\ninteg: hmac-sha256-128\n"
		 "key: 00112233445566778899aabbccddeeff\n"
		 "auth_key: 000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f\n",
	  NULL },
	{ false, "{spi: 0x3001, direction: out, src: 10.99.0.1, dst: 10.99.0.2, "
		 "cipher: aes-128-gcm, key: 0x00112233445566778899aabbccddeeff}",
	  "sa:1:89: key: expected 20 bytes of hex for aes-128-gcm, got 16" },
	{ false, "{spi: 255, direction: out, mode: transport, cipher: null, "
		 "integ: hmac-sha1-96, auth_key: 0x0011223344556677889900112233445566778899}",
	  "sa:1:7: spi: expected an integer in 256..4294967295, got '255'" },
	{ false, "{spi: 0x3001, direction: sideways}",
	  "sa:1:26: direction: expected one of out, in, got 'sideways'" },
	{ false, "{spi: 0x3001, direction: out, cipher: aes-128-gcm, key: " GCM_KEY "}",
	  "sa:1:1: src: missing required field: tunnel mode needs both endpoints" },
	{ false, "{spi: 0x3001, direction: out, bogus: 1}", "sa:1:31: bogus: unknown field" },
	{ false, "{spi: 0x3001, direction: out",
	  "sa:2:1: yaml: did not find expected ',' or '}' (while parsing a flow mapping at 1:1)" },
	{ false, "[1, 2]", "sa:1:1: document: expected a mapping of SA fields, got a list" },
	{ false, "", "sa:1:1: document: empty file" },
	{ false, "just-a-word", "sa:1:1: document: expected a mapping of SA fields, got a scalar" },
	{ true, "{name: web-out, direction: out, src: 10.1.0.0/16, dst: 10.2.0.0/16, proto: udp, "
		"dport: 5000-5999, action: protect, sa: 0x3001, priority: 10}", NULL },
	{ true, "{direction: in, action: bypass}", NULL },
	{ true, "{name: p, direction: out, action: protect}",
	  "policy:1:1: sa: missing required field: action protect needs an SA" },
	{ true, "{name: 'a b', direction: out, action: bypass}",
	  "policy:1:8: name: expected 1..31 characters of [A-Za-z0-9_-], got 'a b'" },
	{ true, "name: p\ndirection: out\nsrc: 10.1.0.0/16\ndst: '2001:db8::/32'\naction: bypass\n",
	  "policy:4:6: dst: IPv6 prefix but src is IPv4, expected the same family" },
	{ true, "{name: p, direction: out, action: discard, sa: 0x3001}",
	  "policy:1:48: sa: not allowed with action discard" },
	{ true, "{name: p, direction: out, proto: icmp, dport: 80, action: bypass}",
	  "policy:1:47: dport: only allowed with proto tcp, udp or sctp, got proto icmp" },
	{ true, "{name: p, direction: in, action: protect, sa: 0x3001, spi: 3}",
	  "policy:1:55: spi: unknown field" },
};

#define N_SNIPPET_CASES (sizeof(snippet_cases) / sizeof(snippet_cases[0]))

static void test_snippets(void)
{
	for (size_t k = 0; k < N_SNIPPET_CASES; k++) {
		char err[CFG_ERR_MAX] = "";
		struct cfg_policy p;
		struct cfg_sa sa;
		int rc = snippet_cases[k].policy ? config_parse_policy(snippet_cases[k].text, &p, err)
						 : config_parse_sa(snippet_cases[k].text, &sa, err);

		if (snippet_cases[k].want == NULL) {
			if (rc != 0) {
				failures++;
				fprintf(stderr, "snippet_cases[%zu] failed: %s\n", k, err);
			}
			checks++;
		} else {
			CHECK(rc == -1);
			CHECK_STR(err, snippet_cases[k].want);
		}
	}
}

/* The values a snippet sets are those a config file entry would set. */
static void test_snippet_values(void)
{
	char err[CFG_ERR_MAX] = "";
	struct cfg_policy p;
	struct cfg_sa sa;

	CHECK(config_parse_sa(snippet_cases[0].text, &sa, err) == 0);
	CHECK(sa.spi == 0x3001 && sa.dir == CFG_DIR_OUT && sa.mode == CFG_MODE_TUNNEL);
	CHECK(sa.proto == CFG_SA_ESP && sa.cipher == CFG_CIPHER_AES_128_GCM);
	CHECK(sa.integ == CFG_INTEG_NONE && sa.key_len == 16 && sa.auth_key_len == 0);
	CHECK(bytes_are(sa.key, 16, "00112233445566778899aabbccddeeff"));
	CHECK(bytes_are(sa.salt, 4, "01020304"));
	CHECK(is_ip4(&sa.tun_src, "10.99.0.1") && is_ip4(&sa.tun_dst, "10.99.0.2"));
	CHECK(sa.replay_window == 1024 && !sa.esn && sa.udp_dport == 4500);
	CHECK_STR(sa.name, "");

	CHECK(config_parse_policy(snippet_cases[11].text, &p, err) == 0);
	CHECK_STR(p.name, "web-out");
	CHECK(p.dir == CFG_DIR_OUT && p.action == CFG_SP_PROTECT && p.spi == 0x3001);
	CHECK(p.priority == 10 && p.proto == 17 && p.dport_lo == 5000 && p.dport_hi == 5999);
	CHECK(p.sport_lo == 0 && p.sport_hi == 65535);
	CHECK(is_ip4(&p.src.addr, "10.1.0.0") && p.src.len == 16 && p.dst.len == 16);

	CHECK(config_parse_policy(snippet_cases[12].text, &p, err) == 0);
	CHECK_STR(p.name, "");
	CHECK(p.priority == 1000 && p.proto == -1 && p.src.addr.family == AF_INET &&
	      p.src.len == 0 && p.dst.len == 0);

	/* a failed SA parse leaves no key bytes behind */
	memset(&sa, 0xa5, sizeof(sa));
	CHECK(config_parse_sa("{spi: 0x3001, direction: out, src: 10.99.0.1, dst: 10.99.0.2, "
			      "cipher: aes-128-gcm, key: " GCM_KEY ", esn: maybe}", &sa, err) == -1);
	CHECK(sa.key[0] == 0 && sa.salt[0] == 0);
}

/* Deep nesting is refused before it can cost anything. */
static void test_depth(void)
{
	char buf[256], err[CFG_ERR_MAX];
	struct secgw_config cfg;
	size_t n = 0;

	n += (size_t)snprintf(buf, sizeof(buf), "ports: ");
	for (int i = 0; i < 40; i++)
		buf[n++] = '[';
	for (int i = 0; i < 40; i++)
		buf[n++] = ']';
	CHECK(config_load_buffer("deep", buf, n, &cfg, err) == -1);
	CHECK_STR(err, "deep:1:39: yaml: nesting deeper than 32 levels");
}

static void test_helpers(void)
{
	const struct cfg_alg_info *a;
	struct cfg_addr none = { 0 };
	char buf[8], err[CFG_ERR_MAX];
	struct secgw_config cfg;

	a = cfg_cipher_info(CFG_CIPHER_AES_256_GCM);
	CHECK(a->key_len == 32 && a->salt_len == 4 && a->iv_len == 8 && a->icv_len == 16);
	CHECK(a->block == 4 && a->aead);
	a = cfg_cipher_info(CFG_CIPHER_AES_192_CBC);
	CHECK(a->key_len == 24 && a->salt_len == 0 && a->iv_len == 16 && a->block == 16);
	CHECK(!a->aead && a->icv_len == 0);
	a = cfg_cipher_info(CFG_CIPHER_AES_128_CTR);
	CHECK(a->key_len == 16 && a->salt_len == 4 && a->iv_len == 8 && a->block == 4);
	a = cfg_cipher_info(CFG_CIPHER_CHACHA20_POLY1305);
	CHECK(a->key_len == 32 && a->salt_len == 4 && a->icv_len == 16 && a->aead);
	a = cfg_cipher_info(CFG_CIPHER_NULL);
	CHECK(a->key_len == 0 && a->iv_len == 0 && a->block == 4 && !a->aead);
	CHECK(cfg_cipher_info(CFG_CIPHER__COUNT) == NULL);
	a = cfg_integ_info(CFG_INTEG_HMAC_SHA1_96);
	CHECK(a->key_len == 20 && a->icv_len == 12);
	a = cfg_integ_info(CFG_INTEG_HMAC_SHA384_192);
	CHECK(a->key_len == 48 && a->icv_len == 24);
	a = cfg_integ_info(CFG_INTEG_AES_192_GMAC);
	CHECK(a->key_len == 24 && a->salt_len == 4 && a->iv_len == 8 && a->icv_len == 16);
	CHECK_STR(cfg_integ_info(CFG_INTEG_HMAC_SHA512_256)->name, "hmac-sha512-256");
	CHECK(cfg_integ_info(CFG_INTEG__COUNT) == NULL);
	CHECK_STR(cfg_addr_str(&none, buf, sizeof(buf)), "-");
	CHECK(config_load("/nonexistent/secgw.yaml", &cfg, err) == -1);
	CHECK_STR(err, "/nonexistent/secgw.yaml: cannot read: No such file or directory");
}

/* ---- 4. mutation loop --------------------------------------------------- */

static uint64_t rng_state = 0x5ec9a7e5eedULL;

/* xorshift64*: deterministic on every libc, unlike rand() */
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static size_t rng_below(size_t n)
{
	return n == 0 ? 0 : (size_t)(rng() % n);
}

/* Characters that steer libyaml and our parsers into their edge cases. */
static const char yaml_chars[] = ":-[]{}#&*!|>'\"%@`,? \n\t0x/.9fF";

/* One random edit of buf[0..len) into out; returns the new length (<= 2 * len + 64). */
static size_t mutate(const char *buf, size_t len, char *out)
{
	size_t pos = rng_below(len), n = len;

	memcpy(out, buf, len);
	switch (rng() % 6) {
	case 0: /* flip random bytes */
		for (int i = 0; i < 1 + (int)rng_below(4); i++)
			out[rng_below(len)] = (char)rng();
		break;
	case 1: /* truncate */
		n = pos;
		break;
	case 2: /* insert a YAML-special character */
		memmove(out + pos + 1, out + pos, len - pos);
		out[pos] = yaml_chars[rng_below(sizeof(yaml_chars) - 1)];
		n = len + 1;
		break;
	case 3: { /* delete a range */
		size_t k = rng_below(64);

		if (k > len - pos)
			k = len - pos;
		memmove(out + pos, out + pos + k, len - pos - k);
		n = len - k;
		break;
	}
	case 4: { /* duplicate a range (duplicate keys, list entries) */
		size_t k = rng_below(len - pos < 64 ? len - pos + 1 : 64);

		memmove(out + pos + k, out + pos, len - pos);
		memcpy(out + pos + k, out + pos, k);
		n = len + k;
		break;
	}
	default: /* replace a digit by a big number */
		for (size_t i = pos; i < len; i++) {
			if (out[i] >= '0' && out[i] <= '9') {
				memmove(out + i + 21, out + i + 1, len - i - 1);
				memcpy(out + i, "99999999999999999999x", 21);
				n = len + 20;
				break;
			}
		}
		break;
	}
	return n;
}

/* "NAME:LINE:COL: FIELD: message", one line. */
static bool well_formed(const char *err, const char *name)
{
	size_t nl = strlen(name);
	const char *p = err + nl;
	int digits;

	if (strncmp(err, name, nl) != 0 || strchr(err, '\n') != NULL)
		return false;
	for (int part = 0; part < 2; part++) {
		if (*p++ != ':')
			return false;
		for (digits = 0; *p >= '0' && *p <= '9'; p++)
			digits++;
		if (digits == 0)
			return false;
	}
	if (p[0] != ':' || p[1] != ' ')
		return false;
	p = strstr(p + 2, ": ");
	return p != NULL && p[2] != '\0';
}

/* Naive bit-by-bit check that a prefix has no host bits, independent of the loader's. */
static bool host_bits_clear(const struct cfg_prefix *p)
{
	const uint8_t *b = p->addr.family == AF_INET6 ? p->addr.v6 : (const uint8_t *)&p->addr.v4;
	unsigned bits = p->addr.family == AF_INET6 ? 128 : 32;

	for (unsigned i = p->len; i < bits; i++) {
		if (b[i / 8] & (0x80 >> (i % 8)))
			return false;
	}
	return p->len <= bits;
}

/* What any accepted config must satisfy, whatever the text looked like. */
static bool invariants_hold(const struct secgw_config *c)
{
	bool ok = c->n_ports >= 2 && c->n_ports <= CFG_MAX_PORTS && c->n_workers >= 1 &&
		  c->max_sas >= c->n_sas && c->max_policies >= c->n_policies;

	for (unsigned i = 0; ok && i < c->n_workers; i++)
		ok = c->workers[i] != c->main_lcore;
	for (uint32_t i = 0; ok && i < c->n_routes; i++) {
		const struct cfg_route *r = &c->routes[i];

		ok = r->port < c->n_ports && host_bits_clear(&r->dst) &&
		     (r->via.family == 0 || r->via.family == r->dst.addr.family);
	}
	for (uint32_t i = 0; ok && i < c->n_policies; i++) {
		const struct cfg_policy *p = &c->policies[i];

		ok = p->src.addr.family == p->dst.addr.family && host_bits_clear(&p->src) &&
		     host_bits_clear(&p->dst) && p->sport_lo <= p->sport_hi &&
		     p->dport_lo <= p->dport_hi && p->proto >= -1 && p->proto <= 255 &&
		     (p->action != CFG_SP_PROTECT || cfg_sa_by_spi(c, p->spi, p->dir) != NULL);
	}
	for (uint32_t i = 0; ok && i < c->n_sas; i++) {
		const struct cfg_sa *s = &c->sas[i];
		const struct cfg_alg_info *ci = cfg_cipher_info(s->cipher);
		const struct cfg_alg_info *ii = cfg_integ_info(s->integ);

		ok = ci != NULL && ii != NULL && s->spi >= 256 && s->key_len == ci->key_len &&
		     s->auth_key_len == ii->key_len + ii->salt_len &&
		     (ci->aead == (s->integ == CFG_INTEG_NONE)) &&
		     cfg_sa_by_spi(c, s->spi, s->dir) == s;
	}
	return ok;
}

static void fuzz_one(const char *seed, size_t len, int iters, int *accepted, int *rejected)
{
	char *out = malloc(2 * len + 64), err[CFG_ERR_MAX];
	char *tmp = malloc(2 * len + 64);
	struct secgw_config cfg;

	for (int i = 0; i < iters; i++) {
		/* stack up to three edits so that damage compounds */
		size_t n = mutate(seed, len, out);

		for (int k = (int)rng_below(3); k > 0 && n > 0 && n <= len; k--) {
			memcpy(tmp, out, n);
			n = mutate(tmp, n, out);
		}
		memset(err, 0, sizeof(err));
		if (config_load_buffer("fuzz.yaml", out, n, &cfg, err) == 0) {
			(*accepted)++;
			if (!invariants_hold(&cfg)) {
				failures++;
				fprintf(stderr, "accepted config breaks an invariant:\n%.*s\n",
					(int)n, out);
			}
			config_free(&cfg);
		} else {
			(*rejected)++;
			if (!well_formed(err, "fuzz.yaml")) {
				failures++;
				fprintf(stderr, "malformed error: '%s'\n", err);
			}
		}
	}
	free(tmp);
	free(out);
}

static void test_fuzz(const char *configs_dir, const char *demo_dir)
{
	const char *seeds[] = { "good/full.yaml", "good/ipv6.yaml", "good/minimal.yaml", NULL };
	char path[1024];
	int accepted = 0, rejected = 0;

	for (int s = 0; s < 4; s++) {
		char *buf;
		size_t len = 0;

		if (seeds[s] != NULL)
			format(path, sizeof(path), "%s/%s", configs_dir, seeds[s]);
		else
			format(path, sizeof(path), "%s/site-a.yaml", demo_dir);
		buf = read_all(path, &len);
		CHECK(buf != NULL && len > 0);
		if (buf != NULL && len > 0)
			fuzz_one(buf, len, 2000, &accepted, &rejected);
		free(buf);
	}
	CHECK(accepted > 0 && rejected > accepted);
	printf("fuzz: %d mutations, %d accepted, %d rejected with a well-formed error\n",
	       accepted + rejected, accepted, rejected);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s TESTS_CONFIGS_DIR DEMO_CONFIGS_DIR\n", argv[0]);
		return 2;
	}
	test_helpers();
	test_good(argv[1], argv[2]);
	test_readme_example(argv[2]);
	test_demo_pair(argv[2]);
	test_bad(argv[1]);
	test_mem_cases();
	test_depth();
	test_snippets();
	test_snippet_values();
	test_fuzz(argv[1], argv[2]);
	printf("%d checks, %d failures\n", checks, failures);
	return failures == 0 ? 0 : 1;
}
