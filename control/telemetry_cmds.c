/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats and ports over the telemetry socket (telemetry_cmds.h).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli_out.h"
#include "json_mini.h"
#include "tel_client.h"
#include "telemetry_cmds.h"

static int
key_of(const struct json_doc *d, uint32_t idx, char *out, size_t cap)
{
	if (json_key(d, idx, out, cap) < 0) {
		err_msg("malformed reply: member name too long or invalid");
		return -1;
	}
	sanitize(out);
	return 0;
}

static int
print_json(const struct tel_reply *r)
{
	const char *p;
	size_t n = json_raw(&r->doc, r->data, &p);

	if (fwrite(p, 1, n, stdout) != n || putchar('\n') == EOF)
		return -1;
	return 0;
}

static int
cmd_stats(const struct tel_reply *r, int all)
{
	const struct json_doc *d = &r->doc;
	size_t wname = 0, wval = 0, shown = 0;
	char name[FIELD_MAX], val[24];

	/* first pass: validate and measure */
	for (uint32_t c = json_first(d, r->data); c != JSON_NONE; c = json_next(d, c)) {
		uint64_t v;

		if (key_of(d, c, name, sizeof(name)) < 0)
			return -1;
		if (json_u64(d, c, &v) < 0) {
			err_msg("malformed reply: counter %s is not an unsigned integer", name);
			return -1;
		}
		if (v == 0 && !all)
			continue;
		snprintf(val, sizeof(val), "%" PRIu64, v);
		if (strlen(name) > wname)
			wname = strlen(name);
		if (strlen(val) > wval)
			wval = strlen(val);
		shown++;
	}
	if (shown == 0) {
		fputs(all ? "(no counters)\n" : "all counters are zero (--all lists them)\n", stdout);
		return 0;
	}
	for (uint32_t c = json_first(d, r->data); c != JSON_NONE; c = json_next(d, c)) {
		uint64_t v = 0;

		key_of(d, c, name, sizeof(name));
		json_u64(d, c, &v);
		if (v == 0 && !all)
			continue;
		printf("%-*s  %*" PRIu64 "\n", (int)wname, name, (int)wval, v);
	}
	return 0;
}

/* Field helpers for dict-of-dicts rows; `row` names the row in error messages. */
static int
field_str(const struct json_doc *d, uint32_t obj, const char *key, const char *row,
	  char *out, size_t cap)
{
	uint32_t v = json_get(d, obj, key);

	if (v == JSON_NONE) {
		snprintf(out, cap, "-");
		return 0;
	}
	if (json_str(d, v, out, cap) < 0) {
		err_msg("malformed reply: %s.%s is not a string of at most %zu bytes", row, key,
			cap - 1);
		return -1;
	}
	sanitize(out);
	if (out[0] == '\0')
		snprintf(out, cap, "-");
	return 0;
}

static int
field_u64(const struct json_doc *d, uint32_t obj, const char *key, const char *row,
	  uint64_t *out, bool *present)
{
	uint32_t v = json_get(d, obj, key);

	*out = 0;
	if (present != NULL)
		*present = v != JSON_NONE;
	if (v == JSON_NONE)
		return 0;
	if (json_u64(d, v, out) < 0) {
		err_msg("malformed reply: %s.%s is not an unsigned integer", row, key);
		return -1;
	}
	return 0;
}

static int
cmd_ports(const struct tel_reply *r)
{
	const struct json_doc *d = &r->doc;
	struct table t = {
		.ncols = 8,
		.head = { "PORT", "ID", "ROLE", "ADDRESS", "RX", "TX", "RX_MISSED", "TX_ERRORS" },
		.right = { [1] = true, [4] = true, [5] = true, [6] = true, [7] = true },
	};
	size_t i = 0;
	int rc = -1;

	if (table_alloc(&t, d->nodes[r->data].count) < 0)
		goto out;
	for (uint32_t c = json_first(d, r->data); c != JSON_NONE; c = json_next(d, c), i++) {
		char (*cell)[TABLE_CELL_MAX] = t.cells[i];
		static const char *const counters[] = { "rx_packets", "tx_packets", "rx_missed",
							"tx_errors" };
		uint64_t id, v;
		bool has_id;

		if (key_of(d, c, cell[0], FIELD_MAX) < 0)
			goto out;
		if (json_type_of(d, c) != JSON_OBJECT) {
			err_msg("malformed reply: port %s is not an object", cell[0]);
			goto out;
		}
		if (field_u64(d, c, "port_id", cell[0], &id, &has_id) < 0 ||
		    field_str(d, c, "role", cell[0], cell[2], FIELD_MAX) < 0 ||
		    field_str(d, c, "address", cell[0], cell[3], FIELD_MAX) < 0)
			goto out;
		if (has_id)
			snprintf(cell[1], sizeof(cell[1]), "%" PRIu64, id);
		else
			snprintf(cell[1], sizeof(cell[1]), "-");
		for (int k = 0; k < 4; k++) {
			if (field_u64(d, c, counters[k], cell[0], &v, NULL) < 0)
				goto out;
			snprintf(cell[4 + k], sizeof(cell[4 + k]), "%" PRIu64, v);
		}
		t.sort_key[i] = has_id ? id : UINT64_MAX;
	}
	table_show(&t, i, "no ports");
	rc = 0;
out:
	table_free(&t);
	return rc;
}

int
tel_command(enum tel_command cmd, const char *sock, const char *prefix, int json, int all)
{
	static const char *const names[] = {
		[TEL_STATS] = "/secgw/stats",
		[TEL_PORTS] = "/secgw/ports",
	};
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 64];
	struct tel_reply r;
	int fd, rc;

	if (sock == NULL) {
		if (tel_socket_path(prefix, path, sizeof(path)) < 0)
			return -1;
		sock = path;
	}
	fd = tel_connect(sock, prefix);
	if (fd < 0)
		return -1;
	rc = tel_query(fd, names[cmd], &r);
	close(fd);
	if (rc == 0) {
		if (json)
			rc = print_json(&r);
		else if (cmd == TEL_STATS)
			rc = cmd_stats(&r, all);
		else
			rc = cmd_ports(&r);
	}
	tel_reply_free(&r);
	return rc;
}
