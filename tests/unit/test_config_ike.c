/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secgw-ike's settings: the top-level "ike:" section (defaults, values,
 * refused values with their FILE:LINE prefix) and a connection's
 * fragmentation / fragment_size.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "config_conn.h"
#include "config_ike.h"

#define CONN                                                                                 \
	"connections:\n"                                                                     \
	"  - name: b\n"                                                                      \
	"    local_addr: 10.99.5.1\n"                                                        \
	"    remote_addr: 10.99.5.2\n"                                                       \
	"    psk: \"a long shared secret\"\n"                                                \
	"    ike: aes128gcm16-prfsha256-x25519\n"                                            \
	"    esp: aes128gcm16\n"                                                             \
	"    local_ts: 10.99.6.0/24\n"                                                       \
	"    remote_ts: 10.99.7.0/24\n"

static int ike_of(const char *text, struct cfg_ike *ike, char *err)
{
	return config_ike_load_buffer("t.yaml", text, strlen(text), ike, err);
}

static void test_ike_section(void)
{
	struct cfg_ike ike;
	char err[CFG_ERR_MAX];

	CHECK(ike_of(CONN, &ike, err) == 0);
	CHECK(ike.cookie_threshold == 10 && ike.half_open_per_source == 5 &&
	      ike.half_open_max == 512);
	CHECK(ike_of("ike:\n  cookie_threshold: 0\n  half_open_per_source: 2\n"
		     "  half_open_max: 9\n" CONN, &ike, err) == 0);
	CHECK(ike.cookie_threshold == 0 && ike.half_open_per_source == 2 && ike.half_open_max == 9);
	CHECK(ike_of("ike:\n  half_open_per_source: 0\n", &ike, err) == -1);
	CHECK(strstr(err, "t.yaml:2:") != NULL && strstr(err, "ike.half_open_per_source") != NULL);
	CHECK(ike_of("ike:\n  cookies: 1\n", &ike, err) == -1);
	CHECK(strstr(err, "cookies") != NULL);
	CHECK(ike_of("ike: 3\n", &ike, err) == -1);
	CHECK(ike_of("- a\n", &ike, err) == -1);
}

static int conn_of(const char *extra, struct cfg_conn **c, size_t *n, char *err)
{
	char text[1024];

	snprintf(text, sizeof(text), "%s%s", CONN, extra);
	return config_conn_load_buffer("t.yaml", text, strlen(text), c, n, err);
}

static void test_fragment_keys(void)
{
	struct cfg_conn *c;
	size_t n;
	char err[CFG_ERR_MAX];

	CHECK(conn_of("", &c, &n, err) == 0 && n == 1);
	CHECK(n == 1 && c[0].ike.fragmentation && c[0].ike.fragment_size == 1280);
	config_conn_free(c, n);
	CHECK(conn_of("    fragmentation: no\n    fragment_size: 300\n", &c, &n, err) == 0);
	CHECK(n == 1 && !c[0].ike.fragmentation && c[0].ike.fragment_size == 300);
	config_conn_free(c, n);
	CHECK(conn_of("    fragment_size: 100\n", &c, &n, err) == -1);
	CHECK(strstr(err, "connections[0].fragment_size") != NULL);
	CHECK(conn_of("    fragmentation: maybe\n", &c, &n, err) == -1);
	CHECK(strstr(err, "connections[0].fragmentation") != NULL);
}

int main(void)
{
	test_ike_section();
	test_fragment_keys();
	printf("%d checks, %d failures\n", checks, failures);
	return failures != 0;
}
