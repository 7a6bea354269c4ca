/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to the config loader: typed reads of the fields of one YAML mapping.
 *
 * A struct cfg_obj is one mapping being read ("ports[1]", "dataplane").  Opening
 * it rejects unknown keys; each obj_* getter then reads one field, checks its
 * type and range, and on failure writes "FILE:LINE:COL: ports[1].mtu: ..." to
 * the walk's error buffer.
 *
 * Every getter returns 1 when the field was present and stored, 0 when it is
 * absent (the output is left untouched, so callers set defaults first), and
 * -1 on error.
 *
 * Concurrency: none.
 */
#ifndef SECGW_CONFIG_VALUE_H
#define SECGW_CONFIG_VALUE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "config_yaml.h"

struct cfg_walk {
	const char *name; /* file name as given, first part of every message */
	char *err;        /* CFG_ERR_MAX bytes */
};

struct cfg_obj {
	struct cfg_walk *w;
	const struct ynode *map; /* NULL when the mapping is absent or empty */
	const struct ynode *at;  /* where "missing required field" points */
	char path[YPATH_MAX];    /* "" for the top level */
};

/* Report an error at node `at` for field path `field`.  Returns -1. */
int cfg_fail(struct cfg_walk *w, const struct ynode *at, const char *field, const char *fmt,
	     ...) __attribute__((format(printf, 4, 5)));

/*
 * Open node as a mapping allowed to hold only keys[] (NULL-terminated).
 * node may be NULL or a YAML null: the mapping is then empty and `at` is used
 * for messages.  Returns 0 or -1.
 */
int obj_open(struct cfg_walk *w, const struct ynode *node, const struct ynode *at,
	     const char *path, const char *const keys[], struct cfg_obj *o);
/* printf into a field path buffer; long paths are cut, which only shortens messages */
void cfg_pathf(char out[YPATH_MAX], const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "ports[1]" + "mtu" -> "ports[1].mtu" */
void obj_field(const struct cfg_obj *o, const char *key, char field[YPATH_MAX]);
const struct ynode *obj_get(const struct cfg_obj *o, const char *key);
/* "FIELD: missing required field[: why]" pointing at the mapping.  Returns -1. */
int obj_missing(const struct cfg_obj *o, const char *key, const char *why);
/* "FIELD: not allowed <why>" pointing at the field.  Returns -1. */
int obj_forbidden(const struct cfg_obj *o, const char *key, const char *why);
/* Report an error about an existing field, at the field's value.  Returns -1. */
int obj_fail(const struct cfg_obj *o, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Decimal or 0x-hex integer in lo..hi (for list items, which have no key). */
int node_u64(struct cfg_walk *w, const struct ynode *n, const char *field, uint64_t lo,
	     uint64_t hi, uint64_t *v);
/* Decimal or 0x-hex integer in lo..hi. */
int obj_u64(const struct cfg_obj *o, const char *key, uint64_t lo, uint64_t hi, uint64_t *v);
int obj_u32(const struct cfg_obj *o, const char *key, uint32_t lo, uint32_t hi, uint32_t *v);
int obj_u16(const struct cfg_obj *o, const char *key, uint16_t lo, uint16_t hi, uint16_t *v);
int obj_bool(const struct cfg_obj *o, const char *key, bool *v);
/* One of names[0..n); stores the index. */
int obj_enum(const struct cfg_obj *o, const char *key, const char *const names[], size_t n,
	     int *v);
/* 1..size-1 characters of [A-Za-z0-9_-]. */
int obj_name(const struct cfg_obj *o, const char *key, char *out, size_t size);
/* 1..size-1 printable characters, no spaces. */
int obj_word(const struct cfg_obj *o, const char *key, char *out, size_t size);
int obj_addr(const struct cfg_obj *o, const char *key, struct cfg_addr *a);
/*
 * "addr/len".  A missing "/len" means a host prefix unless len_required;
 * host bits set are an error unless host_bits_ok (interface addresses).
 */
int obj_prefix(const struct cfg_obj *o, const char *key, bool len_required, bool host_bits_ok,
	       struct cfg_prefix *p);
/* Exactly `want` bytes of hex ("0x" optional); alg names what sets the length. */
int obj_hex(const struct cfg_obj *o, const char *key, size_t want, const char *alg,
	    uint8_t *out);
int obj_mac(const struct cfg_obj *o, const char *key, uint8_t mac[6]);
/* An integer, "N" or "N-M" (N <= M), within 0..65535. */
int obj_port_range(const struct cfg_obj *o, const char *key, uint16_t *lo, uint16_t *hi);
/* A list (a YAML null counts as absent). */
int obj_list(const struct cfg_obj *o, const char *key, const struct ynode **list);

/* Helpers for messages and cross-checks. */
bool ynode_is_text(const struct ynode *n); /* a scalar that is not null */
/* "'text'" (cut after 40 characters), or "a list" / "a mapping" / "an empty value". */
#define YQUOTE_MAX 48
const char *ynode_quote(const struct ynode *n, char buf[YQUOTE_MAX]);
bool cfg_prefix_contains(const struct cfg_prefix *p, const struct cfg_addr *a);
bool cfg_addr_equal(const struct cfg_addr *a, const struct cfg_addr *b);
const char *cfg_family_name(uint8_t family);

#endif
