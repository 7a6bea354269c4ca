/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * json_mini: a small, strict, bounds-checked JSON reader for the replies of the
 * DPDK telemetry socket (flat dicts and dicts of dicts, see dataplane/CONTRACT.md).
 *
 * json_parse() validates the whole text (RFC 8259 grammar, strings with valid
 * escapes and no raw control characters, nesting at most JSON_MAX_DEPTH, no
 * trailing garbage) and records every value as a node in a caller-supplied
 * array; nothing is allocated and nothing is copied.  Nodes point into the text
 * by offset, so the text must outlive the document.  Node 0 is the root.
 * Objects and arrays link their children in document order through `first`
 * and `next`; an object's children carry their member name in key_start/key_end.
 *
 * The input is a (pointer, length) pair and need not be NUL-terminated; the
 * reader never looks past text[len - 1].  A document needs at most len / 2 + 1
 * nodes (every value but the last takes at least a digit and a separator).
 *
 * Concurrency: none; a parsed document is read-only and may be shared.
 */
#ifndef SECGW_JSON_MINI_H
#define SECGW_JSON_MINI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 32
#define JSON_NONE UINT32_MAX /* "no node": end of a child list, key not found */

enum json_type {
	JSON_NULL,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json_node {
	enum json_type type;
	uint32_t first;   /* first child (arrays, objects), else JSON_NONE */
	uint32_t next;    /* next sibling, JSON_NONE for the last one */
	uint32_t count;   /* number of children */
	size_t start;     /* value text is text[start, end); strings include the quotes */
	size_t end;
	size_t key_start; /* object members: the name between the quotes, still escaped */
	size_t key_end;
};

struct json_doc {
	const char *text;
	size_t len;
	struct json_node *nodes;
	uint32_t cap;     /* entries in nodes[] */
	uint32_t n;       /* entries used */
	const char *err;  /* after a failed parse: what went wrong ... */
	size_t err_pos;   /* ... and the byte offset where */
};

/* Parse text[0, len) into nodes[0, cap).  Returns 0, or -1 with doc->err/err_pos set. */
int json_parse(struct json_doc *doc, const char *text, size_t len,
	       struct json_node *nodes, uint32_t cap);

static inline const struct json_node *
json_node(const struct json_doc *doc, uint32_t idx)
{
	return idx < doc->n ? &doc->nodes[idx] : NULL;
}

/* The type of a node, or JSON_NULL for JSON_NONE / out-of-range indexes. */
enum json_type json_type_of(const struct json_doc *doc, uint32_t idx);

/* Children of an object or array in document order: first, then next; JSON_NONE ends. */
uint32_t json_first(const struct json_doc *doc, uint32_t idx);
uint32_t json_next(const struct json_doc *doc, uint32_t idx);

/* The member of object `obj` named `key` (first match), or JSON_NONE. */
uint32_t json_get(const struct json_doc *doc, uint32_t obj, const char *key);

/*
 * A number node as an unsigned / signed 64-bit integer: only plain integers
 * (no fraction, no exponent) in range; -1 otherwise (not a number, negative for
 * u64, out of range).
 */
int json_u64(const struct json_doc *doc, uint32_t idx, uint64_t *out);
int json_i64(const struct json_doc *doc, uint32_t idx, int64_t *out);

/*
 * Decode a string node (json_str) or a member's name (json_key) into out[0, cap)
 * as UTF-8, NUL-terminated.  Returns the decoded length, or -1 when the node is
 * not a string / not an object member or the result does not fit in cap - 1
 * bytes (out then holds a truncated, terminated prefix when cap > 0).  A decoded
 * "\u0000" is kept as a 0 byte inside the returned length.
 */
long json_str(const struct json_doc *doc, uint32_t idx, char *out, size_t cap);
long json_key(const struct json_doc *doc, uint32_t idx, char *out, size_t cap);

/* Raw text of any value, e.g. to print a sub-object exactly as received. */
static inline size_t
json_raw(const struct json_doc *doc, uint32_t idx, const char **p)
{
	const struct json_node *n = json_node(doc, idx);

	if (n == NULL) {
		*p = "";
		return 0;
	}
	*p = doc->text + n->start;
	return n->end - n->start;
}

#endif
