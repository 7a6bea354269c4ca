/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secgw-ike's control requests (iked/iked_ctl.c): every well-formed request
 * parses to its operation and name; malformed ones (empty, unknown verbs,
 * extra or missing arguments, long or odd names, NUL bytes, every prefix of
 * a valid request and random bytes) are refused with a reason, never read
 * out of bounds (run under ASan/UBSan).  The reply builder truncates rather
 * than overflows.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "iked_ctl.h"

static int parse(const char *s, size_t len, struct iked_ctl_req *r)
{
	char err[128];

	err[0] = '\0';
	int rc = iked_ctl_parse(s, len, r, err, sizeof(err));
	CHECK(rc == 0 || err[0] != '\0');
	return rc;
}

static void test_good(void)
{
	struct iked_ctl_req r;

	CHECK(parse("list", 4, &r) == 0 && r.op == IKED_CTL_LIST);
	CHECK(parse("list\n", 5, &r) == 0 && r.op == IKED_CTL_LIST);
	CHECK(parse("initiate sw", 11, &r) == 0 && r.op == IKED_CTL_INITIATE &&
	      strcmp(r.name, "sw") == 0);
	CHECK(parse("terminate site-b.1_x\n", 21, &r) == 0 && r.op == IKED_CTL_TERMINATE &&
	      strcmp(r.name, "site-b.1_x") == 0);
	char name31[64];
	snprintf(name31, sizeof(name31), "initiate %031d", 7);
	CHECK(parse(name31, strlen(name31), &r) == 0 && strlen(r.name) == 31);
}

static void test_bad(void)
{
	static const char *const bad[] = {
		"", "\n", "lis", "lists", "list ", "list x", "LIST", " list", "initiate",
		"initiate ", "initiate  sw", "initiate sw ", "initiate s w", "initiate s/w",
		"terminate ../x", "terminate \xff", "delete sw", "initiatesw",
	};
	struct iked_ctl_req r;
	char name32[64];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(parse(bad[i], strlen(bad[i]), &r) == -1);
	CHECK(parse("list\0x", 6, &r) == -1);
	CHECK(parse("initiate s\0w", 12, &r) == -1);
	snprintf(name32, sizeof(name32), "initiate %032d", 7);
	CHECK(parse(name32, strlen(name32), &r) == -1);
	/* every prefix of a request up to its name */
	const char *full = "terminate sw";
	for (size_t n = 0; n <= strlen("terminate "); n++)
		CHECK(parse(full, n, &r) == -1);
	/* random bytes: refused or a valid parse, never a crash */
	uint32_t x = 1;
	for (int k = 0; k < 20000; k++) {
		char buf[80];
		size_t len = (size_t)(x % sizeof(buf));
		for (size_t i = 0; i < len; i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = (char)(k & 1 ? "listinaermw -\n\0"[(x >> 16) % 15] : (int)(x >> 16));
		}
		x = x * 1103515245u + 12345u;
		if (parse(buf, len, &r) == 0)
			CHECK(r.op != IKED_CTL_LIST || len <= 5);
	}
}

static void test_reply(void)
{
	static struct iked_ctl_reply r;

	iked_ctl_printf(&r, "ok\n");
	CHECK(r.len == 3 && !r.truncated);
	for (int i = 0; i < 10000; i++)
		iked_ctl_printf(&r, "%s\n", "0123456789abcdef0123456789abcdef");
	CHECK(r.truncated && r.len < sizeof(r.buf));
	CHECK(strlen(r.buf) == r.len);
}

int main(void)
{
	test_good();
	test_bad();
	test_reply();
	printf("%d checks, %d failures\n", checks, failures);
	return failures != 0;
}
