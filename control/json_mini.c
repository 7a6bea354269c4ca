/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * json_mini: strict recursive-descent JSON reader; see json_mini.h.
 *
 * Every read of the input goes through p->pos < p->len checks (or a check that
 * `len - pos` covers a fixed-size token); recursion is bounded by JSON_MAX_DEPTH
 * and the node count by the caller's capacity.
 */
#include "json_mini.h"

#include <string.h>

struct parser {
	struct json_doc *d;
	size_t pos;
	unsigned depth;
};

static int
fail(struct parser *p, const char *msg)
{
	if (p->d->err == NULL) {
		p->d->err = msg;
		p->d->err_pos = p->pos;
	}
	return -1;
}

static inline bool
at_end(const struct parser *p)
{
	return p->pos >= p->d->len;
}

static inline unsigned char
peek(const struct parser *p)
{
	return (unsigned char)p->d->text[p->pos]; /* callers check at_end() first */
}

static void
skip_ws(struct parser *p)
{
	while (!at_end(p)) {
		unsigned char c = peek(p);

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

static uint32_t
new_node(struct parser *p, enum json_type type)
{
	struct json_doc *d = p->d;
	struct json_node *n;

	if (d->n >= d->cap) {
		fail(p, "too many values for the node array");
		return JSON_NONE;
	}
	n = &d->nodes[d->n];
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->first = JSON_NONE;
	n->next = JSON_NONE;
	n->start = p->pos;
	n->end = p->pos;
	return d->n++;
}

static int
hex_val(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at s[0..3] (the caller guarantees they are in bounds). */
static long
hex4(const char *s)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		int h = hex_val((unsigned char)s[i]);

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* Length of the UTF-8 sequence starting at s[0] (avail bytes readable), or 0 if invalid. */
static size_t
utf8_seq_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* UTF-16 surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else
		return 0;
	if (avail < n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/*
 * Scan a string starting at the opening quote; on success *start and *end delimit
 * the contents (without quotes) and p->pos is past the closing quote.
 */
static int
scan_string(struct parser *p, size_t *start, size_t *end)
{
	const char *t = p->d->text;
	size_t len = p->d->len;

	p->pos++; /* opening quote, checked by the caller */
	*start = p->pos;
	for (;;) {
		unsigned char c;

		if (at_end(p))
			return fail(p, "unterminated string");
		c = peek(p);
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(p, "control character in string");
		if (c == '\\') {
			if (len - p->pos < 2)
				return fail(p, "unterminated string");
			c = (unsigned char)t[p->pos + 1];
			if (c == 'u') {
				long cp;

				if (len - p->pos < 6)
					return fail(p, "truncated \\u escape");
				cp = hex4(t + p->pos + 2);
				if (cp < 0)
					return fail(p, "bad hex digit in \\u escape");
				if (cp >= 0xdc00 && cp <= 0xdfff)
					return fail(p, "lone low surrogate in \\u escape");
				if (cp >= 0xd800 && cp <= 0xdbff) {
					long lo;

					if (len - p->pos < 12 || t[p->pos + 6] != '\\' ||
					    t[p->pos + 7] != 'u')
						return fail(p, "high surrogate without low surrogate");
					lo = hex4(t + p->pos + 8);
					if (lo < 0xdc00 || lo > 0xdfff)
						return fail(p, "high surrogate without low surrogate");
					p->pos += 6;
				}
				p->pos += 6;
			} else if (strchr("\"\\/bfnrt", c) != NULL && c != '\0') {
				p->pos += 2;
			} else {
				p->pos++;
				return fail(p, "bad escape in string");
			}
			continue;
		}
		if (c >= 0x80) {
			size_t n = utf8_seq_len((const unsigned char *)t + p->pos, len - p->pos);

			if (n == 0)
				return fail(p, "invalid UTF-8 in string");
			p->pos += n;
			continue;
		}
		p->pos++;
	}
	*end = p->pos;
	p->pos++; /* closing quote */
	return 0;
}

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int
scan_digits(struct parser *p)
{
	if (at_end(p) || !is_digit(peek(p)))
		return fail(p, "digit expected in number");
	while (!at_end(p) && is_digit(peek(p)))
		p->pos++;
	return 0;
}

static int
scan_number(struct parser *p)
{
	if (peek(p) == '-')
		p->pos++;
	if (at_end(p))
		return fail(p, "truncated number");
	if (peek(p) == '0') {
		p->pos++;
		if (!at_end(p) && is_digit(peek(p)))
			return fail(p, "leading zero in number");
	} else if (scan_digits(p) < 0) {
		return -1;
	}
	if (!at_end(p) && peek(p) == '.') {
		p->pos++;
		if (scan_digits(p) < 0)
			return -1;
	}
	if (!at_end(p) && (peek(p) == 'e' || peek(p) == 'E')) {
		p->pos++;
		if (!at_end(p) && (peek(p) == '+' || peek(p) == '-'))
			p->pos++;
		if (scan_digits(p) < 0)
			return -1;
	}
	return 0;
}

static int
scan_literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	if (p->d->len - p->pos < n || memcmp(p->d->text + p->pos, word, n) != 0)
		return fail(p, "unexpected character");
	p->pos += n;
	return 0;
}

static int parse_value(struct parser *p, uint32_t *out);

static void
link_child(struct json_doc *d, uint32_t parent, uint32_t *last, uint32_t child)
{
	if (*last == JSON_NONE)
		d->nodes[parent].first = child;
	else
		d->nodes[*last].next = child;
	*last = child;
	d->nodes[parent].count++;
}

static int
parse_container(struct parser *p, uint32_t idx, bool is_object)
{
	struct json_doc *d = p->d;
	unsigned char close = is_object ? '}' : ']';
	uint32_t last = JSON_NONE;

	if (++p->depth > JSON_MAX_DEPTH)
		return fail(p, "nesting too deep");
	p->pos++; /* '{' or '[' */
	skip_ws(p);
	if (!at_end(p) && peek(p) == close) {
		p->pos++;
		goto done;
	}
	for (;;) {
		size_t ks = 0, ke = 0;
		uint32_t child;

		skip_ws(p);
		if (is_object) {
			if (at_end(p))
				return fail(p, "truncated object");
			if (peek(p) != '"')
				return fail(p, "member name expected");
			if (scan_string(p, &ks, &ke) < 0)
				return -1;
			skip_ws(p);
			if (at_end(p) || peek(p) != ':')
				return fail(p, "':' expected after member name");
			p->pos++;
			skip_ws(p);
		}
		if (parse_value(p, &child) < 0)
			return -1;
		d->nodes[child].key_start = ks;
		d->nodes[child].key_end = ke;
		link_child(d, idx, &last, child);
		skip_ws(p);
		if (at_end(p))
			return fail(p, is_object ? "truncated object" : "truncated array");
		if (peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (peek(p) == close) {
			p->pos++;
			break;
		}
		return fail(p, is_object ? "',' or '}' expected" : "',' or ']' expected");
	}
done:
	p->depth--;
	return 0;
}

static int
parse_value(struct parser *p, uint32_t *out)
{
	uint32_t idx;
	unsigned char c;
	int rc;

	if (at_end(p))
		return fail(p, "value expected");
	c = peek(p);
	switch (c) {
	case '{':
	case '[':
		idx = new_node(p, c == '{' ? JSON_OBJECT : JSON_ARRAY);
		if (idx == JSON_NONE)
			return -1;
		rc = parse_container(p, idx, c == '{');
		break;
	case '"': {
		size_t s, e;

		idx = new_node(p, JSON_STRING);
		if (idx == JSON_NONE)
			return -1;
		rc = scan_string(p, &s, &e);
		break;
	}
	case 't':
	case 'f':
	case 'n':
		idx = new_node(p, c == 't' ? JSON_TRUE : c == 'f' ? JSON_FALSE : JSON_NULL);
		if (idx == JSON_NONE)
			return -1;
		rc = scan_literal(p, c == 't' ? "true" : c == 'f' ? "false" : "null");
		break;
	default:
		if (c != '-' && !is_digit(c))
			return fail(p, "unexpected character");
		idx = new_node(p, JSON_NUMBER);
		if (idx == JSON_NONE)
			return -1;
		rc = scan_number(p);
		break;
	}
	if (rc < 0)
		return -1;
	p->d->nodes[idx].end = p->pos;
	*out = idx;
	return 0;
}

int
json_parse(struct json_doc *doc, const char *text, size_t len,
	   struct json_node *nodes, uint32_t cap)
{
	struct parser p = { .d = doc, .pos = 0, .depth = 0 };
	uint32_t root;

	memset(doc, 0, sizeof(*doc));
	doc->text = text;
	doc->len = text != NULL ? len : 0;
	doc->nodes = nodes;
	doc->cap = nodes != NULL ? cap : 0;
	skip_ws(&p);
	if (at_end(&p))
		return fail(&p, "empty input");
	if (parse_value(&p, &root) < 0)
		goto err;
	skip_ws(&p);
	if (!at_end(&p)) {
		fail(&p, "trailing characters after the value");
		goto err;
	}
	return 0;
err:
	doc->n = 0; /* no half-built document escapes */
	return -1;
}

enum json_type
json_type_of(const struct json_doc *doc, uint32_t idx)
{
	const struct json_node *n = json_node(doc, idx);

	return n != NULL ? n->type : JSON_NULL;
}

uint32_t
json_first(const struct json_doc *doc, uint32_t idx)
{
	const struct json_node *n = json_node(doc, idx);

	return n != NULL ? n->first : JSON_NONE;
}

uint32_t
json_next(const struct json_doc *doc, uint32_t idx)
{
	const struct json_node *n = json_node(doc, idx);

	return n != NULL ? n->next : JSON_NONE;
}

static void
put_utf8(uint32_t cp, unsigned char out[4], size_t *n)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		*n = 1;
	} else if (cp < 0x800) {
		out[0] = (unsigned char)(0xc0 | (cp >> 6));
		out[1] = (unsigned char)(0x80 | (cp & 0x3f));
		*n = 2;
	} else if (cp < 0x10000) {
		out[0] = (unsigned char)(0xe0 | (cp >> 12));
		out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (unsigned char)(0x80 | (cp & 0x3f));
		*n = 3;
	} else {
		out[0] = (unsigned char)(0xf0 | (cp >> 18));
		out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		out[3] = (unsigned char)(0x80 | (cp & 0x3f));
		*n = 4;
	}
}

/*
 * Decode the next character of the escaped span text[*i, end) into out[0..3];
 * returns the number of bytes, or -1 if the span is malformed.  The span was
 * validated by the parser, but this does not rely on it.
 */
static int
next_char(const char *t, size_t *i, size_t end, unsigned char out[4])
{
	size_t n;
	unsigned char c;

	if (*i >= end)
		return -1;
	c = (unsigned char)t[*i];
	if (c != '\\') {
		out[0] = c;
		(*i)++;
		return 1;
	}
	if (end - *i < 2)
		return -1;
	c = (unsigned char)t[*i + 1];
	switch (c) {
	case '"': out[0] = '"'; break;
	case '\\': out[0] = '\\'; break;
	case '/': out[0] = '/'; break;
	case 'b': out[0] = '\b'; break;
	case 'f': out[0] = '\f'; break;
	case 'n': out[0] = '\n'; break;
	case 'r': out[0] = '\r'; break;
	case 't': out[0] = '\t'; break;
	case 'u': {
		long cp, lo;

		if (end - *i < 6 || (cp = hex4(t + *i + 2)) < 0)
			return -1;
		*i += 6;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (end - *i < 6 || t[*i] != '\\' || t[*i + 1] != 'u')
				return -1;
			lo = hex4(t + *i + 2);
			if (lo < 0xdc00 || lo > 0xdfff)
				return -1;
			*i += 6;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		} else if (cp >= 0xdc00 && cp <= 0xdfff) {
			return -1;
		}
		put_utf8((uint32_t)cp, out, &n);
		return (int)n;
	}
	default:
		return -1;
	}
	*i += 2;
	return 1;
}

static long
decode_span(const struct json_doc *doc, size_t start, size_t end, char *out, size_t cap)
{
	size_t i = start, o = 0;

	if (cap > 0)
		out[0] = '\0';
	if (start > end || end > doc->len)
		return -1;
	while (i < end) {
		unsigned char ch[4];
		int n = next_char(doc->text, &i, end, ch);

		if (n < 0 || cap == 0 || (size_t)n > cap - 1 - o) {
			if (cap > 0)
				out[o] = '\0';
			return -1;
		}
		memcpy(out + o, ch, (size_t)n);
		o += (size_t)n;
	}
	out[o] = '\0';
	return (long)o;
}

long
json_str(const struct json_doc *doc, uint32_t idx, char *out, size_t cap)
{
	const struct json_node *n = json_node(doc, idx);

	if (n == NULL || n->type != JSON_STRING || n->end - n->start < 2) {
		if (cap > 0)
			out[0] = '\0';
		return -1;
	}
	return decode_span(doc, n->start + 1, n->end - 1, out, cap);
}

long
json_key(const struct json_doc *doc, uint32_t idx, char *out, size_t cap)
{
	const struct json_node *n = json_node(doc, idx);

	if (n == NULL || n->key_end == 0) { /* a member name never ends at offset 0 */
		if (cap > 0)
			out[0] = '\0';
		return -1;
	}
	return decode_span(doc, n->key_start, n->key_end, out, cap);
}

/* Does the escaped span equal the plain string s? Compared character by character. */
static bool
span_equals(const struct json_doc *doc, size_t start, size_t end, const char *s)
{
	size_t i = start, k = 0, slen = strlen(s);

	if (end > doc->len || start > end)
		return false;
	while (i < end) {
		unsigned char ch[4];
		int n = next_char(doc->text, &i, end, ch);

		if (n < 0 || (size_t)n > slen - k || memcmp(s + k, ch, (size_t)n) != 0)
			return false;
		k += (size_t)n;
	}
	return k == slen;
}

uint32_t
json_get(const struct json_doc *doc, uint32_t obj, const char *key)
{
	if (json_type_of(doc, obj) != JSON_OBJECT)
		return JSON_NONE;
	for (uint32_t c = json_first(doc, obj); c != JSON_NONE; c = json_next(doc, c)) {
		const struct json_node *n = json_node(doc, c);

		if (n == NULL)
			break;
		if (span_equals(doc, n->key_start, n->key_end, key))
			return c;
	}
	return JSON_NONE;
}

/* Magnitude of an integer number node; *neg set for a leading '-'. */
static int
int_magnitude(const struct json_doc *doc, uint32_t idx, uint64_t *mag, bool *neg)
{
	const struct json_node *n = json_node(doc, idx);
	size_t i;
	uint64_t v = 0;

	if (n == NULL || n->type != JSON_NUMBER || n->end > doc->len || n->start >= n->end)
		return -1;
	i = n->start;
	*neg = doc->text[i] == '-';
	if (*neg)
		i++;
	if (i >= n->end)
		return -1;
	for (; i < n->end; i++) {
		unsigned char c = (unsigned char)doc->text[i];
		unsigned d;

		if (!is_digit(c))
			return -1; /* fraction or exponent */
		d = c - '0';
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*mag = v;
	return 0;
}

int
json_u64(const struct json_doc *doc, uint32_t idx, uint64_t *out)
{
	uint64_t v;
	bool neg;

	if (int_magnitude(doc, idx, &v, &neg) < 0 || (neg && v != 0))
		return -1;
	*out = v;
	return 0;
}

int
json_i64(const struct json_doc *doc, uint32_t idx, int64_t *out)
{
	uint64_t v;
	bool neg;

	if (int_magnitude(doc, idx, &v, &neg) < 0)
		return -1;
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return -1;
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	} else {
		if (v > (uint64_t)INT64_MAX)
			return -1;
		*out = (int64_t)v;
	}
	return 0;
}
