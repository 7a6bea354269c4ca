/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * YAML text -> struct ynode tree, with libyaml's event API.
 *
 * The event API (rather than yaml_parser_load) lets us refuse aliases before
 * they are expanded, catch duplicate keys while we still know the path that
 * leads to them, and keep our own node positions.
 */
#include "config_yaml.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct builder {
	const char *name;
	char *err;
	struct ynode *root;
	/* open lists and mappings; stack[i + 1] is the last kid of stack[i] */
	struct ynode *stack[YNODE_MAX_DEPTH];
	int depth;
	bool seen_document;
};

int yverr(char err[CFG_ERR_MAX], const char *name, int line, int col, const char *field,
	  const char *fmt, va_list ap)
{
	int k = snprintf(err, CFG_ERR_MAX, "%s:%d:%d: %s: ", name, line, col, field);

	if (k >= 0 && k < CFG_ERR_MAX)
		vsnprintf(err + k, CFG_ERR_MAX - (size_t)k, fmt, ap);
	/* Scalars and file names may carry newlines or escapes: keep one line. */
	for (char *p = err; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	return -1;
}

int yerr(char err[CFG_ERR_MAX], const char *name, int line, int col, const char *field,
	 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	yverr(err, name, line, col, field, fmt, ap);
	va_end(ap);
	return -1;
}

static int mark_to_int(size_t v)
{
	return v >= (size_t)INT_MAX ? INT_MAX : (int)v + 1;
}

__attribute__((format(printf, 3, 4)))
static int berr(struct builder *b, const yaml_mark_t *mark, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	yverr(b->err, b->name, mark_to_int(mark->line), mark_to_int(mark->column), "yaml", fmt,
	      ap);
	va_end(ap);
	return -1;
}

/* Position of byte offset off in buf, for reader errors that carry no mark. */
static void offset_to_line_col(const char *buf, size_t len, size_t off, int *line, int *col)
{
	size_t l = 0, c = 0;

	if (off > len)
		off = len;
	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			l++;
			c = 0;
		} else {
			c++;
		}
	}
	*line = mark_to_int(l);
	*col = mark_to_int(c);
}

static void report_parser_error(struct builder *b, const yaml_parser_t *p, const char *buf,
				size_t len)
{
	int line, col;
	const char *problem = p->problem != NULL ? p->problem : "cannot parse";

	if (p->error == YAML_MEMORY_ERROR) {
		yerr(b->err, b->name, 1, 1, "yaml", "out of memory");
		return;
	}
	if (p->error == YAML_READER_ERROR) {
		offset_to_line_col(buf, len, p->problem_offset, &line, &col);
		yerr(b->err, b->name, line, col, "yaml", "%s", problem);
		return;
	}
	line = mark_to_int(p->problem_mark.line);
	col = mark_to_int(p->problem_mark.column);
	if (p->context != NULL)
		yerr(b->err, b->name, line, col, "yaml", "%s (%s at %d:%d)", problem, p->context,
		     mark_to_int(p->context_mark.line), mark_to_int(p->context_mark.column));
	else
		yerr(b->err, b->name, line, col, "yaml", "%s", problem);
}

static void node_free(struct ynode *n, int depth)
{
	if (n == NULL)
		return;
	/* The tree is at most YNODE_MAX_DEPTH deep, so recursion is bounded. */
	for (size_t i = 0; i < n->n_kids; i++)
		node_free(n->kids[i], depth + 1);
	free(n->kids);
	if (n->str != NULL) {
		explicit_bzero(n->str, n->len);
		free(n->str);
	}
	free(n);
}

void ytree_free(struct ynode *root)
{
	node_free(root, 0);
}

const struct ynode *ymap_get(const struct ynode *map, const char *key)
{
	for (size_t i = 0; i < ymap_size(map); i++) {
		if (strcmp(ymap_key(map, i)->str, key) == 0)
			return ymap_value(map, i);
	}
	return NULL;
}

bool ynode_is_null(const struct ynode *n)
{
	if (n->kind != YNODE_SCALAR || !n->plain)
		return false;
	return n->len == 0 || strcmp(n->str, "~") == 0 || strcmp(n->str, "null") == 0 ||
	       strcmp(n->str, "Null") == 0 || strcmp(n->str, "NULL") == 0;
}

const char *ynode_kind_name(const struct ynode *n)
{
	if (n->kind == YNODE_LIST)
		return "a list";
	if (n->kind == YNODE_MAP)
		return "a mapping";
	return ynode_is_null(n) ? "an empty value" : "a scalar";
}

static struct ynode *node_new(struct builder *b, enum ynode_kind kind, const yaml_mark_t *mark)
{
	struct ynode *n = calloc(1, sizeof(*n));

	if (n == NULL) {
		berr(b, mark, "out of memory");
		return NULL;
	}
	n->kind = kind;
	n->line = mark_to_int(mark->line);
	n->col = mark_to_int(mark->column);
	return n;
}

static int kids_append(struct builder *b, struct ynode *parent, struct ynode *kid,
		       const yaml_mark_t *mark)
{
	if (parent->n_kids == parent->cap_kids) {
		size_t cap = parent->cap_kids == 0 ? 8 : parent->cap_kids * 2;
		struct ynode **kids;

		if (cap > SIZE_MAX / sizeof(*kids))
			return berr(b, mark, "too many entries");
		kids = realloc(parent->kids, cap * sizeof(*kids));
		if (kids == NULL)
			return berr(b, mark, "out of memory");
		parent->kids = kids;
		parent->cap_kids = cap;
	}
	parent->kids[parent->n_kids++] = kid;
	return 0;
}

/* Append ".key" (or "key" at the start) to path, cutting what does not fit. */
static void path_append_key(char path[YPATH_MAX], const char *key)
{
	size_t used = strnlen(path, YPATH_MAX);

	if (used + 1 < YPATH_MAX)
		snprintf(path + used, YPATH_MAX - used, used ? ".%s" : "%s", key);
}

static void path_append_index(char path[YPATH_MAX], size_t idx)
{
	size_t used = strnlen(path, YPATH_MAX);

	if (used + 1 < YPATH_MAX)
		snprintf(path + used, YPATH_MAX - used, "[%zu]", idx);
}

/* "ports[1].name": the field path of key inside the innermost open mapping. */
static void current_path(const struct builder *b, const char *key, char path[YPATH_MAX])
{
	path[0] = '\0';
	for (int i = 1; i < b->depth; i++) {
		const struct ynode *parent = b->stack[i - 1];

		if (parent->kind == YNODE_MAP)
			path_append_key(path, parent->kids[parent->n_kids - 2]->str);
		else
			path_append_index(path, parent->n_kids - 1);
	}
	path_append_key(path, key);
}

/* A new key must be a scalar that the mapping does not hold yet. */
static int check_new_key(struct builder *b, const struct ynode *map, const struct ynode *key)
{
	char path[YPATH_MAX];

	if (key->kind != YNODE_SCALAR)
		return yerr(b->err, b->name, key->line, key->col, "yaml",
			    "mapping keys must be scalars, got %s", ynode_kind_name(key));
	for (size_t i = 0; i < ymap_size(map); i++) {
		const struct ynode *old = ymap_key(map, i);

		if (strcmp(old->str, key->str) == 0) {
			current_path(b, key->str, path);
			return yerr(b->err, b->name, key->line, key->col, path,
				    "duplicate key (first given at %d:%d)", old->line, old->col);
		}
	}
	return 0;
}

/* Hang a new node under the innermost open container (or make it the root). */
static int attach(struct builder *b, struct ynode *n, const yaml_mark_t *mark)
{
	struct ynode *parent;

	if (b->depth == 0 && b->root != NULL) {
		/* cannot happen: a second document is refused at its start */
		node_free(n, 0);
		return berr(b, mark, "more than one top-level node");
	}
	if (b->depth == 0) {
		b->root = n;
		return 0;
	}
	parent = b->stack[b->depth - 1];
	if (parent->kind == YNODE_MAP && parent->n_kids % 2 == 0 &&
	    check_new_key(b, parent, n) < 0) {
		node_free(n, 0);
		return -1;
	}
	if (kids_append(b, parent, n, mark) < 0) {
		node_free(n, 0);
		return -1;
	}
	return 0;
}

static int reject_decorations(struct builder *b, const yaml_mark_t *mark,
			      const yaml_char_t *anchor, const yaml_char_t *tag)
{
	if (anchor != NULL)
		return berr(b, mark, "anchors and aliases are not supported");
	if (tag != NULL)
		return berr(b, mark, "tags are not supported, got '%s'", (const char *)tag);
	return 0;
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
	const yaml_mark_t *mark = &ev->start_mark;
	size_t len = ev->data.scalar.length;
	struct ynode *n;

	if (reject_decorations(b, mark, ev->data.scalar.anchor, ev->data.scalar.tag) < 0)
		return -1;
	if (memchr(ev->data.scalar.value, '\0', len) != NULL)
		return berr(b, mark, "NUL character in a scalar");
	n = node_new(b, YNODE_SCALAR, mark);
	if (n == NULL)
		return -1;
	n->str = malloc(len + 1);
	if (n->str == NULL) {
		free(n);
		return berr(b, mark, "out of memory");
	}
	memcpy(n->str, ev->data.scalar.value, len);
	n->str[len] = '\0';
	n->len = len;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	return attach(b, n, mark);
}

static int on_container_start(struct builder *b, const yaml_event_t *ev, enum ynode_kind kind)
{
	const yaml_mark_t *mark = &ev->start_mark;
	struct ynode *n;
	int rc;

	if (kind == YNODE_MAP)
		rc = reject_decorations(b, mark, ev->data.mapping_start.anchor,
					ev->data.mapping_start.tag);
	else
		rc = reject_decorations(b, mark, ev->data.sequence_start.anchor,
					ev->data.sequence_start.tag);
	if (rc < 0)
		return -1;
	if (b->depth == YNODE_MAX_DEPTH)
		return berr(b, mark, "nesting deeper than %d levels", YNODE_MAX_DEPTH);
	n = node_new(b, kind, mark);
	if (n == NULL || attach(b, n, mark) < 0)
		return -1;
	b->stack[b->depth++] = n;
	return 0;
}

/* Returns 1 at the end of the stream, 0 to go on, -1 on error. */
static int on_event(struct builder *b, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_STREAM_END_EVENT:
		return 1;
	case YAML_DOCUMENT_START_EVENT:
		if (b->seen_document)
			return berr(b, &ev->start_mark,
				    "only one document per file is supported");
		b->seen_document = true;
		return 0;
	case YAML_ALIAS_EVENT:
		return berr(b, &ev->start_mark, "anchors and aliases are not supported");
	case YAML_SCALAR_EVENT:
		return on_scalar(b, ev);
	case YAML_SEQUENCE_START_EVENT:
		return on_container_start(b, ev, YNODE_LIST);
	case YAML_MAPPING_START_EVENT:
		return on_container_start(b, ev, YNODE_MAP);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		/* libyaml pairs start and end events, so depth > 0 here */
		if (b->depth > 0)
			b->depth--;
		return 0;
	default:
		return 0;
	}
}

struct ynode *ytree_parse(const char *name, const char *buf, size_t len, char err[CFG_ERR_MAX])
{
	struct builder b = { .name = name, .err = err };
	yaml_parser_t parser;
	yaml_event_t ev;
	int rc = 0;

	if (!yaml_parser_initialize(&parser)) {
		yerr(err, name, 1, 1, "yaml", "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	while (rc == 0) {
		if (!yaml_parser_parse(&parser, &ev)) {
			report_parser_error(&b, &parser, buf, len);
			rc = -1;
			break;
		}
		rc = on_event(&b, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (rc < 0) {
		ytree_free(b.root);
		return NULL;
	}
	if (b.root == NULL)
		yerr(err, name, 1, 1, "document", "empty file");
	return b.root;
}
