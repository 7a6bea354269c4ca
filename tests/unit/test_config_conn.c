/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "connections:" loader: a full connection read back field by field,
 * defaults, and one broken file per error with the exact FILE:LINE:COL: FIELD
 * prefix; the PSK never appears in a message.  IDs of each type; auth: pubkey
 * with certificates made at test time (cert_gen.c), each file error naming
 * the field and the file.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "cert_gen.h"
#include "check.h"
#include "config_conn.h"
#include "ike_proto.h"

#define GOOD                                                                                 \
	"dataplane: {file_prefix: x}\n"                                                      \
	"connections:\n"                                                                     \
	"  - name: site-b\n"                                                                 \
	"    local_addr: 10.99.5.1\n"                                                        \
	"    remote_addr: 10.99.5.2\n"                                                       \
	"    local_id: gw-a.example\n"                                                       \
	"    psk: \"a long shared secret\"\n"                                                \
	"    ike: [aes128gcm16-prfsha256-x25519, aes128-sha256-modp2048]\n"                   \
	"    esp: aes128gcm16\n"                                                             \
	"    local_ts: 10.99.6.0/24\n"                                                       \
	"    remote_ts: 10.99.7.0/25\n"                                                      \
	"    start: initiate\n"

static void test_good(void)
{
	struct cfg_conn *c;
	size_t n;
	char err[CFG_ERR_MAX];

	CHECK(config_conn_load_buffer("t.yaml", GOOD, strlen(GOOD), &c, &n, err) == 0);
	CHECK(n == 1);
	if (n != 1)
		return;
	const struct ike_sa_cfg *k = &c[0].ike;
	CHECK(strcmp(k->name, "site-b") == 0);
	CHECK(k->local_ip == inet_addr("10.99.5.1") && k->remote_ip == inet_addr("10.99.5.2"));
	CHECK(k->local_id.type == 2 && k->local_id.len == 12 &&
	      memcmp(k->local_id.data, "gw-a.example", 12) == 0);
	/* remote_id defaults to the address, as ID_IPV4_ADDR */
	CHECK(k->remote_id.type == 1 && k->remote_id.len == 4 &&
	      memcmp(k->remote_id.data, &k->remote_ip, 4) == 0);
	CHECK(k->psk_len == 20 && memcmp(k->psk, "a long shared secret", 20) == 0);
	CHECK(k->n_ike == 2 && k->ike[0].dh == 31 && k->ike[1].dh == 14 && k->ike[1].prf == 5);
	CHECK(k->n_esp == 1 && k->esp[0].encr == 20 && k->esp[0].integ == 0);
	CHECK(k->local_ts.start == 0x0a630600 && k->local_ts.end == 0x0a6306ff);
	CHECK(k->remote_ts.start == 0x0a630700 && k->remote_ts.end == 0x0a63077f);
	CHECK(k->remote_ts.port_lo == 0 && k->remote_ts.port_hi == 65535);
	CHECK(c[0].initiate);
	CHECK(c[0].rekey_time == 3600); /* the default */
	CHECK(k->retx_base_ms == IKE_RETX_BASE_MS && k->retx_tries == IKE_RETX_TRIES);
	CHECK(c[0].child_life.soft_packets == 0 && c[0].child_life.hard_bytes == 0);
	CHECK(c[0].ike_rekey_time == 14400);
	CHECK(k->n_more == 0);
	config_conn_free(c, n);

	/* retransmission schedule and volume limits; hard limits 10 % (at least 1) above */
	static const char more[] = GOOD "    retransmit_timeout: 500\n    retransmit_tries: 3\n"
					"    life_packets: 200\n    life_bytes: 5\n";
	CHECK(config_conn_load_buffer("t.yaml", more, strlen(more), &c, &n, err) == 0 && n == 1);
	if (n == 1) {
		CHECK(c[0].ike.retx_base_ms == 500 && c[0].ike.retx_tries == 3);
		CHECK(c[0].child_life.soft_packets == 200 && c[0].child_life.hard_packets == 220);
		CHECK(c[0].child_life.soft_bytes == 5 && c[0].child_life.hard_bytes == 6);
	}
	config_conn_free(c, n);

	/* PFS: an ESP proposal with a DH group; our own IKE SA rekey interval */
	char text[2048];
	const char *esp = strstr(GOOD, "    esp: aes128gcm16\n");
	snprintf(text, sizeof(text), "%.*s    esp: [aes128gcm16-ecp256, aes128-sha256-x25519]\n"
		 "    ike_rekey_time: 600\n%s", (int)(esp - GOOD), GOOD,
		 esp + strlen("    esp: aes128gcm16\n"));
	CHECK(config_conn_load_buffer("t.yaml", text, strlen(text), &c, &n, err) == 0 && n == 1);
	if (n == 1) {
		CHECK(c[0].ike.n_esp == 2 && c[0].ike.esp[0].dh == 19 && c[0].ike.esp[1].dh == 31);
		CHECK(c[0].ike.esp[1].integ == 12 && c[0].ike_rekey_time == 600);
	}
	config_conn_free(c, n);

	/* several Child SAs: the first pair in local_ts/remote_ts, the others in more_* */
	const char *ts = strstr(GOOD, "    local_ts:");
	snprintf(text, sizeof(text), "%.*s    children:\n"
		 "      - {local_ts: 10.99.6.0/24, remote_ts: 10.99.7.0/24}\n"
		 "      - {local_ts: 10.99.16.0/24, remote_ts: 10.99.17.0/25}\n"
		 "    start: initiate\n", (int)(ts - GOOD), GOOD);
	CHECK(config_conn_load_buffer("t.yaml", text, strlen(text), &c, &n, err) == 0 && n == 1);
	if (n == 1) {
		const struct ike_sa_cfg *m = &c[0].ike;
		CHECK(m->n_more == 1 && m->local_ts.start == 0x0a630600 &&
		      m->remote_ts.end == 0x0a6307ff);
		CHECK(m->more_local[0].start == 0x0a631000 && m->more_local[0].end == 0x0a6310ff);
		CHECK(m->more_remote[0].start == 0x0a631100 && m->more_remote[0].end == 0x0a63117f);
	}
	config_conn_free(c, n);

	/* no section: nothing, no error */
	CHECK(config_conn_load_buffer("t.yaml", "ports: []\n", 10, &c, &n, err) == 0 && n == 0);
	config_conn_free(c, n);
}

struct bad {
	const char *from, *to; /* replace in GOOD */
	const char *want;      /* message prefix */
};

static void test_bad(void)
{
	static const struct bad cases[] = {
		{"    start: initiate\n", "    start: now\n",
		 "t.yaml:12:12: connections[0].start: expected one of wait, initiate, trap"},
		{"    start: initiate\n", "    start: initiate\n    rekey_time: 1\n",
		 "t.yaml:13:17: connections[0].rekey_time: expected 0 (never) or 2..31622400"},
		{"    start: initiate\n", "    start: initiate\n    rekey_time: -5\n",
		 "t.yaml:13:17: connections[0].rekey_time"},
		{"    esp: aes128gcm16\n", "    esp: aes128gcm16-prfsha256\n",
		 "t.yaml:9:10: connections[0].esp: ESP takes no prf"},
		{"    start: initiate\n", "    start: initiate\n    ike_rekey_time: 1\n",
		 "t.yaml:13:21: connections[0].ike_rekey_time: expected 0 (never) or 2..31622400"},
		{"[aes128gcm16-prfsha256-x25519, ", "[aes128gcm16-prfsha256-x25519, aes999, ",
		 "t.yaml:8:41: connections[0].ike[1]: unknown algorithm 'aes999'"},
		{"    local_addr: 10.99.5.1\n", "    local_addr: \"2001:db8::1\"\n",
		 "t.yaml:4:17: connections[0].local_addr: only IPv4"},
		{"    remote_addr: 10.99.5.2\n", "",
		 "t.yaml:3:5: connections[0].remote_addr: missing required field"},
		{"    psk: \"a long shared secret\"\n", "    psk: short\n",
		 "t.yaml:7:10: connections[0].psk: expected a string of 8..256 characters"},
		{"    remote_ts: 10.99.7.0/25\n", "    remote_ts: 10.99.7.1/25\n",
		 "t.yaml:11:16: connections[0].remote_ts:"},
		{"    start: initiate\n", "    start: initiate\n    rekey: 5\n",
		 "t.yaml:13:5: connections[0].rekey: unknown field"},
		{"    esp: aes128gcm16\n", "    esp: []\n", "t.yaml:9:10: connections[0].esp: expected 1..8"},
		{"    start: initiate\n", "    start: initiate\n    dpd_delay: -1\n",
		 "t.yaml:13:"},
		{"    start: initiate\n", "    start: initiate\n    keepalive: 100000\n",
		 "t.yaml:13:"},
		{"    start: initiate\n", "    start: initiate\n    auth: cert\n",
		 "t.yaml:13:11: connections[0].auth: expected one of psk, pubkey"},
		{"    start: initiate\n", "    start: initiate\n    auth: pubkey\n",
		 "t.yaml:7:10: connections[0].psk: not allowed with auth: pubkey"},
		{"    start: initiate\n", "    start: initiate\n    cert: /etc/x.pem\n",
		 "t.yaml:13:11: connections[0].cert: not allowed with auth: psk"},
		{"    local_id: gw-a.example\n", "    local_id: \"C=CH, O\"\n",
		 "t.yaml:6:15: connections[0].local_id: expected a distinguished name"},
		{"    local_id: gw-a.example\n", "    local_id: \"a b\"\n",
		 "t.yaml:6:15: connections[0].local_id: expected printable characters"},
		{"    start: initiate\n", "    start: initiate\n    retransmit_timeout: 50\n",
		 "t.yaml:13:25: connections[0].retransmit_timeout"},
		{"    start: initiate\n", "    start: initiate\n    retransmit_tries: 11\n",
		 "t.yaml:13:23: connections[0].retransmit_tries"},
		{"    start: initiate\n", "    start: initiate\n    life_packets: -1\n",
		 "t.yaml:13:"},
		{"    local_ts: 10.99.6.0/24\n    remote_ts: 10.99.7.0/25\n",
		 "    children: [{local_ts: 10.99.6.0/24, remote_ts: 10.99.7.0/24}, "
		 "{local_ts: 10.99.16.0/24}]\n",
		 "t.yaml:10:67: connections[0].children[1].remote_ts: missing required field"},
		{"    local_ts: 10.99.6.0/24\n    remote_ts: 10.99.7.0/25\n",
		 "    children: [{local_ts: 10.99.6.0/24, remote_ts: 10.99.7.0/24, x: 1}]\n",
		 "t.yaml:10:66: connections[0].children[0].x: unknown field"},
		{"    local_ts: 10.99.6.0/24\n    remote_ts: 10.99.7.0/25\n",
		 "    local_ts: 10.99.6.0/24\n    children: [{local_ts: 10.99.6.0/24, "
		 "remote_ts: 10.99.7.0/24}]\n",
		 "t.yaml:10:15: connections[0].local_ts: not allowed with children"},
		{"    local_ts: 10.99.6.0/24\n    remote_ts: 10.99.7.0/25\n", "    children: []\n",
		 "t.yaml:10:15: connections[0].children: expected a list of 1..8"},
		{"    local_ts: 10.99.6.0/24\n    remote_ts: 10.99.7.0/25\n",
		 "    children: [{local_ts: 10.99.6.0/24, remote_ts: 10.99.7.1/24}]\n",
		 "t.yaml:10:52: connections[0].children[0].remote_ts: host bits"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[2048], err[CFG_ERR_MAX];
		const char *at = strstr(GOOD, cases[i].from);
		struct cfg_conn *c;
		size_t n;

		if (at == NULL) {
			CHECK(!"test case does not apply");
			continue;
		}
		snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - GOOD), GOOD, cases[i].to,
			 at + strlen(cases[i].from));
		int rc = config_conn_load_buffer("t.yaml", text, strlen(text), &c, &n, err);
		CHECK(rc == -1 && c == NULL);
		bool ok = strncmp(err, cases[i].want, strlen(cases[i].want)) == 0;
		CHECK(ok);
		if (!ok)
			fprintf(stderr, "  case %zu: got '%s'\n  wanted '%s...'\n", i, err, cases[i].want);
		CHECK(strstr(err, "shared secret") == NULL);
	}

	/* two connections to one peer */
	char text[4096], err[CFG_ERR_MAX];
	struct cfg_conn *c;
	size_t n;
	const char *item = strstr(GOOD, "  - name");
	snprintf(text, sizeof(text), "%s%s", GOOD, item);
	CHECK(config_conn_load_buffer("t.yaml", text, strlen(text), &c, &n, err) == -1);
	CHECK(strstr(err, "connections[1].name: duplicate connection name 'site-b'") != NULL);
}

static void test_ids(void)
{
	static const char *const ids[] = {"\"2001:db8::1\"", "gw@example.com",
					  "\"C=CH, O=secgw, CN=gw\"", "10.1.2.3"};
	static const uint8_t types[] = {IKE_ID_IPV6_ADDR, IKE_ID_RFC822_ADDR, IKE_ID_DER_ASN1_DN,
					IKE_ID_IPV4_ADDR};
	uint8_t dn[255];
	size_t dn_len;

	CHECK(ike_id_dn_from_text("C=CH, O=secgw, CN=gw", dn, sizeof(dn), &dn_len) == 0);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		char text[2048], err[CFG_ERR_MAX];
		const char *at = strstr(GOOD, "gw-a.example");
		struct cfg_conn *c;
		size_t n;

		snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - GOOD), GOOD, ids[i], at + 12);
		CHECK(config_conn_load_buffer("t.yaml", text, strlen(text), &c, &n, err) == 0);
		if (n != 1)
			continue;
		const struct ike_idv *id = &c[0].ike.local_id;
		CHECK(id->type == types[i]);
		if (types[i] == IKE_ID_IPV6_ADDR)
			CHECK(id->len == 16 && id->data[0] == 0x20 && id->data[15] == 1);
		if (types[i] == IKE_ID_RFC822_ADDR)
			CHECK(id->len == 14 && memcmp(id->data, "gw@example.com", 14) == 0);
		if (types[i] == IKE_ID_DER_ASN1_DN)
			CHECK(id->len == dn_len && memcmp(id->data, dn, dn_len) == 0);
		if (types[i] == IKE_ID_IPV4_ADDR)
			CHECK(id->len == 4 && memcmp(id->data, "\x0a\x01\x02\x03", 4) == 0);
		config_conn_free(c, n);
	}
}

/* GOOD with auth: pubkey and these file lines instead of the PSK; loaded as dir/t.yaml. */
static int load_pubkey(const char *dir, const char *files, struct cfg_conn **c, size_t *n,
		       char err[CFG_ERR_MAX])
{
	char text[4096], name[512];
	const char *psk = strstr(GOOD, "    psk:"), *end = strchr(psk, '\n') + 1;

	snprintf(text, sizeof(text), "%.*s    auth: pubkey\n%s%s", (int)(psk - GOOD), GOOD, files,
		 end);
	snprintf(name, sizeof(name), "%s/t.yaml", dir);
	return config_conn_load_buffer(name, text, strlen(text), c, n, err);
}

static void test_pubkey(void)
{
	EVP_PKEY *ca_key = cg_key("P-256"), *key = cg_key("P-256"), *wrong = cg_key("P-256");
	X509 *ca = cg_cert(ca_key, "Test CA", NULL, NULL, NULL, -3600, 3600, true);
	X509 *ee = cg_cert(key, "gw-a.example", "DNS:gw-a.example", ca, ca_key, -3600, 3600, false);
	const char *pca = cg_write_certs("ca.pem", &ca, 1), *pee = cg_write_certs("ee.pem", &ee, 1);
	const char *pkey = cg_write_key("ee.key", key), *pwrong = cg_write_key("wrong.key", wrong);
	char dir[256], files[2048], err[CFG_ERR_MAX];
	struct cfg_conn *c;
	size_t n;

	CHECK(pca && pee && pkey && pwrong);
	if (!(pca && pee && pkey && pwrong))
		return;
	snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(pca, '/') - pca), pca);
	/* absolute paths */
	snprintf(files, sizeof(files), "    cert: %s\n    key: %s\n    ca: %s\n", pee, pkey, pca);
	CHECK(load_pubkey("/elsewhere", files, &c, &n, err) == 0 && n == 1);
	if (n == 1) {
		CHECK(c[0].cred != NULL && c[0].ike.cred == c[0].cred && c[0].ike.psk_len == 0);
		config_conn_free(c, n);
	}
	/* paths relative to the config file */
	CHECK(load_pubkey(dir, "    cert: ee.pem\n    key: ee.key\n    ca: ca.pem\n", &c, &n,
			  err) == 0 && n == 1);
	config_conn_free(c, n);

	static const struct {
		const char *files, *want;
	} bad[] = {
		{"    cert: ee.pem\n    key: ee.key\n", "t.yaml:3:5: connections[0].ca: missing "
						       "required field: needed with auth: pubkey"},
		{"    cert: nosuch.pem\n    key: ee.key\n    ca: ca.pem\n",
		 "t.yaml:8:11: connections[0].cert: "},
		{"    cert: ee.pem\n    key: ee.pem\n    ca: ca.pem\n",
		 "t.yaml:9:10: connections[0].key: "},
		{"    cert: ee.pem\n    key: ee.key\n    ca: ee.pem\n",
		 "t.yaml:10:9: connections[0].ca: "},
		{"    cert: ee.pem\n    key: wrong.key\n    ca: ca.pem\n",
		 "t.yaml:8:11: connections[0].cert: the key does not belong to the certificate"},
		{"    cert: ca.pem\n    key: ee.key\n    ca: ca.pem\n    intermediates: [a]\n",
		 "t.yaml:11:20: connections[0].intermediates: expected the path of a PEM file"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(load_pubkey(dir, bad[i].files, &c, &n, err) == -1 && c == NULL);
		bool ok = strncmp(err, dir, strlen(dir)) == 0 &&
			  strncmp(err + strlen(dir) + 1, bad[i].want, strlen(bad[i].want)) == 0;
		CHECK(ok);
		if (!ok)
			fprintf(stderr, "  pubkey case %zu: got '%s'\n  wanted '%s...'\n", i, err,
				bad[i].want);
	}
	/* the file that failed is named */
	CHECK(load_pubkey(dir, bad[1].files, &c, &n, err) == -1 &&
	      strstr(err, "nosuch.pem: cannot open") != NULL);
	CHECK(load_pubkey(dir, bad[3].files, &c, &n, err) == -1 &&
	      strstr(err, "ee.pem: certificate 1 is not a CA") != NULL);
}

int main(void)
{
	test_good();
	test_bad();
	test_ids();
	test_pubkey();
	cg_cleanup();
	printf("%d checks, %d failures\n", checks, failures);
	return failures != 0;
}
