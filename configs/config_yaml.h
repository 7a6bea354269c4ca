/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to the config loader: a YAML document turned into a small tree of
 * scalars, lists and mappings, each node remembering where it starts (1-based
 * line and column) so that every error can point at the offending text.
 *
 * The tree builder rejects what the config format never needs (several
 * documents, anchors, aliases, explicit tags, non-scalar or duplicate mapping
 * keys, NUL bytes inside scalars) so that the walker only sees plain data.
 *
 * Concurrency: none; a tree is built, walked and freed by one thread.
 */
#ifndef SECGW_CONFIG_YAML_H
#define SECGW_CONFIG_YAML_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* Deeper nesting than this is never a config; the limit also bounds recursion. */
#define YNODE_MAX_DEPTH 32
/* Longest field path we print ("policies[65535].sport" and friends). */
#define YPATH_MAX 96

enum ynode_kind { YNODE_SCALAR, YNODE_LIST, YNODE_MAP };

struct ynode {
	enum ynode_kind kind;
	int line, col;        /* 1-based position of the node's first character */
	bool plain;           /* scalar written without quotes (only those can be null) */
	char *str;            /* scalar text, NUL-terminated, no NUL inside */
	size_t len;           /* strlen(str) */
	struct ynode **kids;  /* list: items; map: key0, value0, key1, value1, ... */
	size_t n_kids;
	size_t cap_kids;
};

/*
 * Parse buf[0..len) into a tree.  Returns the root, or NULL with err set to
 * "NAME:LINE:COL: yaml: problem" (or "document: empty file" when there is
 * no document at all).
 */
struct ynode *ytree_parse(const char *name, const char *buf, size_t len,
			  char err[CFG_ERR_MAX]);
/* Free a tree; scalar text is wiped first since it may hold keys. */
void ytree_free(struct ynode *root);

static inline size_t ymap_size(const struct ynode *map) { return map->n_kids / 2; }
static inline const struct ynode *ymap_key(const struct ynode *map, size_t i)
{
	return map->kids[2 * i];
}
static inline const struct ynode *ymap_value(const struct ynode *map, size_t i)
{
	return map->kids[2 * i + 1];
}
/* The value stored under key, or NULL. */
const struct ynode *ymap_get(const struct ynode *map, const char *key);
/* An unquoted empty, "~" or "null" scalar: YAML's way of saying nothing. */
bool ynode_is_null(const struct ynode *n);
/* "a list", "a mapping", "an empty value" or "a scalar", for messages. */
const char *ynode_kind_name(const struct ynode *n);

/*
 * Format "NAME:LINE:COL: FIELD: message" into err, forced onto one line.
 * Always returns -1 so that callers can `return yerr(...)`.
 */
int yerr(char err[CFG_ERR_MAX], const char *name, int line, int col, const char *field,
	 const char *fmt, ...) __attribute__((format(printf, 6, 7)));
int yverr(char err[CFG_ERR_MAX], const char *name, int line, int col, const char *field,
	  const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));

#endif
