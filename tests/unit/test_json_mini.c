/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit test of control/json_mini: table-driven accept/reject cases, the
 * telemetry reply shapes of dataplane/CONTRACT.md, accessors, and hostile input
 * (every truncation of valid documents, deep nesting, huge numbers, random
 * mutations).  Every input is copied into a malloc'd buffer of exactly its
 * length with no terminator, so a build with -fsanitize=address catches any
 * read past the end.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_mini.h"

static int failures;

#define CHECK(cond)                                                                 \
	do {                                                                        \
		if (!(cond)) {                                                      \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__,      \
				__LINE__, #cond);                                   \
			failures++;                                                 \
		}                                                                   \
	} while (0)

#define NODES 4096
static struct json_node nodes[NODES];

/* Parse an exact-size heap copy of text[0, len).  *copy must be freed by the caller. */
static int
parse_exact(struct json_doc *d, const char *text, size_t len, char **copy, uint32_t cap)
{
	*copy = malloc(len ? len : 1);
	if (*copy == NULL)
		abort();
	memcpy(*copy, text, len);
	return json_parse(d, *copy, len, nodes, cap);
}

/* Structural invariants of a successfully parsed document. */
static void
check_invariants(const struct json_doc *d)
{
	for (uint32_t i = 0; i < d->n; i++) {
		const struct json_node *n = &d->nodes[i];
		uint32_t cnt = 0;

		CHECK(n->start < n->end && n->end <= d->len);
		CHECK(n->key_start <= n->key_end && n->key_end <= d->len);
		for (uint32_t c = n->first; c != JSON_NONE; c = d->nodes[c].next) {
			CHECK(c > i && c < d->n);
			if (c <= i || c >= d->n)
				break;
			CHECK(d->nodes[c].start >= n->start && d->nodes[c].end <= n->end);
			cnt++;
		}
		CHECK(cnt == n->count);
		if (n->type != JSON_ARRAY && n->type != JSON_OBJECT)
			CHECK(n->first == JSON_NONE);
	}
}

struct vcase {
	const char *text;
	int ok;
};

static const struct vcase cases[] = {
	/* accepted */
	{ "{}", 1 },
	{ "[]", 1 },
	{ " \t\r\n{ } \n", 1 },
	{ "0", 1 },
	{ "-0", 1 },
	{ "-12.5e+3", 1 },
	{ "1E9", 1 },
	{ "true", 1 },
	{ "false", 1 },
	{ "null", 1 },
	{ "\"\"", 1 },
	{ "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", 1 },
	{ "\"\\u00e9\\u20AC\\ud83d\\ude00\"", 1 },
	{ "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"", 1 },
	{ "{\"a\":{\"b\":[1,2,{\"c\":null}]}}", 1 },
	{ "{\"\":0}", 1 },
	{ "{\"version\": \"DPDK 22.11.11\", \"pid\": 42, \"max_output_len\": 16384}", 1 },
	{ "{\"/secgw/stats\":{\"rx_packets\":18446744073709551615,\"tx_packets\":0}}", 1 },
	{ "{\"/secgw/foo\": null}", 1 },
	/* rejected */
	{ "", 0 },
	{ "   ", 0 },
	{ "{", 0 },
	{ "}", 0 },
	{ "[1,]", 0 },
	{ "[,1]", 0 },
	{ "{\"a\":1,}", 0 },
	{ "{\"a\" 1}", 0 },
	{ "{\"a\":}", 0 },
	{ "{a:1}", 0 },
	{ "{1:1}", 0 },
	{ "[1 2]", 0 },
	{ "{} {}", 0 },
	{ "{}x", 0 },
	{ "01", 0 },
	{ "-", 0 },
	{ "--1", 0 },
	{ "+1", 0 },
	{ "1.", 0 },
	{ ".5", 0 },
	{ "1e", 0 },
	{ "1e+", 0 },
	{ "0x10", 0 },
	{ "NaN", 0 },
	{ "Infinity", 0 },
	{ "tru", 0 },
	{ "nul", 0 },
	{ "True", 0 },
	{ "\"abc", 0 },
	{ "\"abc\\", 0 },
	{ "\"abc\\\"", 0 },
	{ "\"\\x41\"", 0 },
	{ "\"\\u12\"", 0 },
	{ "\"\\u12G4\"", 0 },
	{ "\"\\ud83d\"", 0 },      /* high surrogate alone */
	{ "\"\\ud83dx\"", 0 },
	{ "\"\\ud83d\\u0041\"", 0 },
	{ "\"\\ude00\"", 0 },      /* low surrogate alone */
	{ "\"a\nb\"", 0 },         /* raw control character */
	{ "\"\x01\"", 0 },
	{ "\"\xff\"", 0 },         /* invalid UTF-8 */
	{ "\"\xc0\xaf\"", 0 },     /* overlong */
	{ "\"\xe0\x80\xaf\"", 0 }, /* overlong */
	{ "\"\xed\xa0\x80\"", 0 }, /* encoded surrogate */
	{ "\"\xf4\x90\x80\x80\"", 0 }, /* above U+10FFFF */
	{ "\"\xe2\x82\"", 0 },     /* truncated sequence */
	{ "\"\xc3\"", 0 },
	{ "[\"\\", 0 },
	{ "{\"a\":1", 0 },
	{ "{\"a\"", 0 },
	{ "{\"a\":[1,{\"b\":", 0 },
};

static void
test_cases(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct json_doc d;
		char *copy;
		int rc = parse_exact(&d, cases[i].text, strlen(cases[i].text), &copy, NODES);

		if ((rc == 0) != cases[i].ok) {
			fprintf(stderr, "case %zu '%s': expected %s, got %s (%s at %zu)\n", i,
				cases[i].text, cases[i].ok ? "ok" : "error", rc ? "error" : "ok",
				d.err ? d.err : "-", d.err_pos);
			failures++;
		}
		if (rc == 0)
			check_invariants(&d);
		else
			CHECK(d.err != NULL && d.err_pos <= d.len && d.n == 0);
		free(copy);
	}
	/* an embedded NUL is not JSON */
	{
		struct json_doc d;
		char *copy;

		CHECK(parse_exact(&d, "[1,\0 2]", 7, &copy, NODES) < 0);
		free(copy);
		CHECK(parse_exact(&d, "\"a\0b\"", 5, &copy, NODES) < 0);
		free(copy);
	}
	/* NULL text with zero length */
	{
		struct json_doc d;

		CHECK(json_parse(&d, NULL, 0, nodes, NODES) < 0);
		CHECK(json_parse(&d, "{}", 2, NULL, 0) < 0);
	}
}

static const char stats_reply[] =
	"{\"/secgw/stats\": {\"rx_packets\": 1000, \"tx_packets\": 998, \"tx_drop\": 0, "
	"\"drop_no_policy\": 2, \"drop_seq_overflow\": 0}}";

static const char sa_reply[] =
	"{\"/secgw/sa/list\": {\"0x00001001\": {\"name\": \"a-to-b\", \"spi\": 4097, "
	"\"direction\": \"out\", \"mode\": \"tunnel\", \"cipher\": \"aes-128-gcm\", "
	"\"integ\": \"none\", \"src\": \"10.99.0.1\", \"dst\": \"10.99.0.2\", "
	"\"packets\": 12, \"bytes\": 1536, \"drop_replay\": 0, \"drop_icv\": 0}, "
	"\"0x00002001\": {\"name\": \"b\\u002dto\\u002da\", \"spi\": 8193, \"direction\": \"in\"}}}";

static void
test_contract_shapes(void)
{
	struct json_doc d;
	char *copy, buf[64];
	uint32_t data, sa, v;
	uint64_t u;
	const char *raw;
	size_t rawlen;

	CHECK(parse_exact(&d, stats_reply, strlen(stats_reply), &copy, NODES) == 0);
	check_invariants(&d);
	CHECK(json_type_of(&d, 0) == JSON_OBJECT && d.nodes[0].count == 1);
	data = json_get(&d, 0, "/secgw/stats");
	CHECK(json_type_of(&d, data) == JSON_OBJECT && d.nodes[data].count == 5);
	v = json_get(&d, data, "tx_packets");
	CHECK(json_u64(&d, v, &u) == 0 && u == 998);
	CHECK(json_get(&d, data, "tx_packet") == JSON_NONE);
	CHECK(json_get(&d, data, "tx_packetsx") == JSON_NONE);
	CHECK(json_get(&d, v, "x") == JSON_NONE); /* not an object */
	v = json_first(&d, data);
	CHECK(json_key(&d, v, buf, sizeof(buf)) == 10 && strcmp(buf, "rx_packets") == 0);
	v = json_next(&d, v);
	CHECK(json_key(&d, v, buf, sizeof(buf)) == 10 && strcmp(buf, "tx_packets") == 0);
	rawlen = json_raw(&d, data, &raw);
	CHECK(rawlen > 2 && raw[0] == '{' && raw[rawlen - 1] == '}');
	CHECK(json_key(&d, 0, buf, sizeof(buf)) == -1); /* the root has no name */
	free(copy);

	CHECK(parse_exact(&d, sa_reply, strlen(sa_reply), &copy, NODES) == 0);
	check_invariants(&d);
	data = json_get(&d, 0, "/secgw/sa/list");
	CHECK(d.nodes[data].count == 2);
	sa = json_get(&d, data, "0x00002001");
	CHECK(json_str(&d, json_get(&d, sa, "name"), buf, sizeof(buf)) == 6 &&
	      strcmp(buf, "b-to-a") == 0);
	CHECK(json_get(&d, sa, "packets") == JSON_NONE);
	sa = json_get(&d, data, "0x00001001");
	CHECK(json_u64(&d, json_get(&d, sa, "spi"), &u) == 0 && u == 0x1001);
	CHECK(json_str(&d, json_get(&d, sa, "spi"), buf, sizeof(buf)) == -1); /* not a string */
	CHECK(json_u64(&d, json_get(&d, sa, "name"), &u) == -1);             /* not a number */
	free(copy);
}

static void
test_numbers(void)
{
	static const struct {
		const char *text;
		int u_ok;
		uint64_t u;
		int i_ok;
		int64_t i;
	} nums[] = {
		{ "0", 1, 0, 1, 0 },
		{ "-0", 1, 0, 1, 0 },
		{ "42", 1, 42, 1, 42 },
		{ "-42", 0, 0, 1, -42 },
		{ "18446744073709551615", 1, UINT64_MAX, 0, 0 },
		{ "18446744073709551616", 0, 0, 0, 0 },
		{ "99999999999999999999999999999999999999", 0, 0, 0, 0 },
		{ "9223372036854775807", 1, 9223372036854775807ULL, 1, INT64_MAX },
		{ "9223372036854775808", 1, 9223372036854775808ULL, 0, 0 },
		{ "-9223372036854775808", 0, 0, 1, INT64_MIN },
		{ "-9223372036854775809", 0, 0, 0, 0 },
		{ "1.0", 0, 0, 0, 0 },
		{ "1e3", 0, 0, 0, 0 },
		{ "1e99999999999999999999", 0, 0, 0, 0 },
	};
	char big[2000];

	for (size_t k = 0; k < sizeof(nums) / sizeof(nums[0]); k++) {
		struct json_doc d;
		char *copy;
		uint64_t u = 7;
		int64_t i = 7;

		CHECK(parse_exact(&d, nums[k].text, strlen(nums[k].text), &copy, NODES) == 0);
		CHECK((json_u64(&d, 0, &u) == 0) == nums[k].u_ok);
		if (nums[k].u_ok)
			CHECK(u == nums[k].u);
		CHECK((json_i64(&d, 0, &i) == 0) == nums[k].i_ok);
		if (nums[k].i_ok)
			CHECK(i == nums[k].i);
		free(copy);
	}
	/* a 1999-digit number parses as a number but converts to nothing */
	memset(big, '7', sizeof(big) - 1);
	{
		struct json_doc d;
		char *copy;
		uint64_t u;

		CHECK(parse_exact(&d, big, sizeof(big) - 1, &copy, NODES) == 0);
		CHECK(json_u64(&d, 0, &u) < 0);
		free(copy);
	}
	/* accessors on bad indexes */
	{
		struct json_doc d;
		char *copy, buf[8];
		uint64_t u;
		int64_t i;

		CHECK(parse_exact(&d, "[1]", 3, &copy, NODES) == 0);
		CHECK(json_u64(&d, JSON_NONE, &u) < 0 && json_i64(&d, 99, &i) < 0);
		CHECK(json_str(&d, JSON_NONE, buf, sizeof(buf)) < 0 && buf[0] == '\0');
		CHECK(json_first(&d, 5) == JSON_NONE && json_next(&d, JSON_NONE) == JSON_NONE);
		CHECK(json_type_of(&d, JSON_NONE) == JSON_NULL);
		CHECK(json_get(&d, JSON_NONE, "a") == JSON_NONE);
		free(copy);
	}
}

static void
test_strings(void)
{
	static const char doc[] = "{\"k\\u00e9y\\n\": \"\\u00e9\\u20ac\\ud83d\\ude00\\\"\\\\/\","
				  " \"z\": \"\\u0000x\", \"long\": \"0123456789\"}";
	struct json_doc d;
	char *copy, buf[32];
	uint32_t v;

	CHECK(parse_exact(&d, doc, strlen(doc), &copy, NODES) == 0);
	v = json_get(&d, 0, "k\xc3\xa9y\n"); /* escaped member name matches its decoding */
	CHECK(v != JSON_NONE);
	CHECK(json_key(&d, v, buf, sizeof(buf)) == 5 && strcmp(buf, "k\xc3\xa9y\n") == 0);
	CHECK(json_str(&d, v, buf, sizeof(buf)) == 12 &&
	      memcmp(buf, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"\\/", 12) == 0);
	CHECK(json_get(&d, 0, "k\xc3\xa9y") == JSON_NONE);
	v = json_get(&d, 0, "z");
	CHECK(json_str(&d, v, buf, sizeof(buf)) == 2 && buf[0] == '\0' && buf[1] == 'x');
	v = json_get(&d, 0, "long");
	CHECK(json_str(&d, v, buf, 11) == 10);
	CHECK(json_str(&d, v, buf, 10) == -1 && strlen(buf) < 10); /* too small: terminated */
	CHECK(json_str(&d, v, buf, 1) == -1 && buf[0] == '\0');
	CHECK(json_str(&d, v, NULL, 0) == -1);
	free(copy);
}

static void
test_nesting(void)
{
	size_t n = 100000;
	char *deep = malloc(2 * n);
	struct json_doc d;
	char *copy;

	/* exactly JSON_MAX_DEPTH levels are fine, one more is not */
	for (size_t depth = JSON_MAX_DEPTH; depth <= JSON_MAX_DEPTH + 1; depth++) {
		for (size_t i = 0; i < depth; i++) {
			deep[i] = '[';
			deep[depth + i] = ']';
		}
		CHECK((parse_exact(&d, deep, 2 * depth, &copy, NODES) == 0) ==
		      (depth == JSON_MAX_DEPTH));
		free(copy);
	}
	/* 100000 levels of arrays and of objects: rejected, no stack overflow */
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	CHECK(parse_exact(&d, deep, 2 * n, &copy, NODES) < 0);
	CHECK(strcmp(d.err, "nesting too deep") == 0);
	free(copy);
	for (size_t i = 0; i + 5 <= n; i += 5)
		memcpy(deep + i, "{\"a\":", 5);
	CHECK(parse_exact(&d, deep, n, &copy, NODES) < 0);
	free(copy);
	free(deep);
}

static void
test_capacity(void)
{
	const char *doc = "[1,2,3,[4,5]]";
	struct json_doc d;
	char *copy;

	CHECK(parse_exact(&d, doc, strlen(doc), &copy, 7) == 0 && d.n == 7);
	free(copy);
	CHECK(parse_exact(&d, doc, strlen(doc), &copy, 6) < 0);
	CHECK(strcmp(d.err, "too many values for the node array") == 0 && d.n == 0);
	free(copy);
	CHECK(parse_exact(&d, doc, strlen(doc), &copy, 0) < 0);
	free(copy);
	/* the documented bound: len / 2 + 1 nodes always suffice */
	{
		static const char *const dense[] = { "[0,0,0,0,0,0]", "[[[[0]]]]", "{\"\":0}",
						     "[[],[],[]]", "0", "[0]" };

		for (size_t i = 0; i < sizeof(dense) / sizeof(dense[0]); i++) {
			size_t len = strlen(dense[i]);

			CHECK(parse_exact(&d, dense[i], len, &copy, (uint32_t)(len / 2 + 1)) == 0);
			free(copy);
		}
	}
}

/* Every prefix of a valid document is either rejected or (whitespace) fine. */
static void
test_truncations(void)
{
	const char *docs[] = { stats_reply, sa_reply,
			       "{\"a\": [true, false, null, -1.5e-3, \"\\ud83d\\ude00\"]}" };

	for (size_t k = 0; k < sizeof(docs) / sizeof(docs[0]); k++) {
		size_t len = strlen(docs[k]);

		for (size_t cut = 0; cut < len; cut++) {
			struct json_doc d;
			char *copy;

			CHECK(parse_exact(&d, docs[k], cut, &copy, NODES) < 0);
			CHECK(d.err_pos <= cut);
			free(copy);
		}
	}
}

/* Random mutations of valid documents: any outcome is fine, but no bad reads and sane nodes. */
static void
test_mutations(void)
{
	const char *seeds[] = { stats_reply, sa_reply, "[\"\\u00e9\", {\"x\": [1, 2e5]}]" };
	static const char alphabet[] = "{}[]\":,\\u0123456789eE+-.tfnrl \x80\xc3\xff\x00";
	uint64_t state = 0x9e3779b97f4a7c15ULL;
	int accepted = 0;

	for (int iter = 0; iter < 200000; iter++) {
		const char *seed = seeds[iter % 3];
		size_t len = strlen(seed);
		char buf[512];
		struct json_doc d;
		char *copy;
		int edits;

		memcpy(buf, seed, len);
		state ^= state << 13;
		state ^= state >> 7;
		state ^= state << 17;
		edits = 1 + (int)(state % 4);
		for (int e = 0; e < edits; e++) {
			size_t at;

			state ^= state << 13;
			state ^= state >> 7;
			state ^= state << 17;
			at = (size_t)(state >> 8) % len;
			switch (state % 3) {
			case 0: /* replace */
				buf[at] = alphabet[(state >> 40) % (sizeof(alphabet) - 1)];
				break;
			case 1: /* delete */
				memmove(buf + at, buf + at + 1, len - at - 1);
				len--;
				break;
			default: /* truncate */
				len = at + 1;
				break;
			}
			if (len < 2)
				break;
		}
		if (parse_exact(&d, buf, len, &copy, NODES) == 0) {
			accepted++;
			check_invariants(&d);
			for (uint32_t i = 0; i < d.n; i++) {
				char s[600];
				uint64_t u;
				int64_t v;

				json_str(&d, i, s, sizeof(s));
				json_key(&d, i, s, sizeof(s));
				json_u64(&d, i, &u);
				json_i64(&d, i, &v);
			}
		} else {
			CHECK(d.err != NULL && d.err_pos <= len);
		}
		free(copy);
	}
	printf("mutations: %d of 200000 accepted\n", accepted);
}

int
main(void)
{
	test_cases();
	test_contract_shapes();
	test_numbers();
	test_strings();
	test_nesting();
	test_capacity();
	test_truncations();
	test_mutations();
	if (failures) {
		printf("json_mini: %d check(s) failed\n", failures);
		return 1;
	}
	printf("json_mini: all checks passed\n");
	return 0;
}
