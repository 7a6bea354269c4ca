/* SPDX-License-Identifier: BSD-3-Clause */
/* secgwctl ike ... (ike_cmds.h): one request, one reply, rendered as tables or JSON. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli_out.h"
#include "ike_cmds.h"
#include "iked_ctl_proto.h"

#define MAX_PAIRS 32
#define STATS_MAX 48
#define REPLY_TIMEOUT_S 5

int ike_reply_split(char *line, char **kind, char **keys, char **vals, size_t cap)
{
	size_t n = 0;
	char *save = NULL, *tok = strtok_r(line, " ", &save);

	if (tok == NULL)
		return -1;
	*kind = tok;
	while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
		char *eq = strchr(tok, '=');

		if (eq == NULL || eq == tok || n == cap)
			return -1;
		*eq = '\0';
		keys[n] = tok;
		vals[n] = eq + 1;
		n++;
	}
	return (int)n;
}

/* One request, its reply in buf (NUL-terminated); -1 with a message. */
static int exchange(const char *path, const char *req, char *buf, size_t cap)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = REPLY_TIMEOUT_S};

	if (strlen(path) >= sizeof(a.sun_path)) {
		err_msg("socket path too long: %s", path);
		return -1;
	}
	strcpy(a.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		err_msg("cannot connect to secgw-ike at %s: %s (is it running with --dp or --ctl?)",
			path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ssize_t n = send(fd, req, strlen(req), MSG_NOSIGNAL);
	if (n >= 0)
		n = recv(fd, buf, cap - 1, 0);
	int e = errno;
	close(fd);
	if (n <= 0) {
		err_msg("no reply from secgw-ike: %s", n == 0 ? "connection closed" : strerror(e));
		return -1;
	}
	buf[n] = '\0';
	if (strncmp(buf, "ok\n", 3) == 0)
		return 0;
	char *nl = strchr(buf, '\n');
	if (nl != NULL)
		*nl = '\0';
	sanitize(buf);
	err_msg("%s", strncmp(buf, "error ", 6) == 0 ? buf + 6 : buf);
	return -1;
}

static const char *get(char **keys, char **vals, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (strcmp(keys[i], key) == 0)
			return vals[i];
	return "-";
}

static bool numeric(const char *key)
{
	static const char *const keys[] = {"msg_out", "msg_in", "retransmits", "dpd",
					   "frag_out", "frag_in", "frag_reasm"};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(key, keys[i]) == 0)
			return true;
	return false;
}

static void json_pairs(char **keys, char **vals, int n)
{
	for (int i = 0; i < n; i++) {
		printf("%s", i > 0 ? ", " : "");
		json_string(keys[i]);
		printf(": ");
		if (numeric(keys[i]) && strspn(vals[i], "0123456789") == strlen(vals[i]) &&
		    vals[i][0] != '\0')
			printf("%s", vals[i]);
		else
			json_string(vals[i]);
	}
}

static void cell(struct table *t, size_t row, int col, const char *s)
{
	snprintf(t->cells[row][col], TABLE_CELL_MAX, "%s", s);
}

static int print_list(char *body, int json)
{
	struct table ike = {.ncols = 9, .head = {"NAME", "STATE", "SPI_I", "SPI_R", "LOCAL",
						  "REMOTE", "NAT", "IKE_ALG", "MSG_OUT/IN/RETX"}};
	struct table child = {.ncols = 5,
			      .head = {"NAME", "SPI_IN", "SPI_OUT", "ESP_ALG", "UDP_ENCAP"}};
	char *keys[MAX_PAIRS], *vals[MAX_PAIRS], *kind, *save = NULL, *line;
	size_t lines = 0, ni = 0, nc = 0;
	bool in_ike = false;
	int rc = -1;

	for (const char *p = body; *p != '\0'; p++)
		lines += *p == '\n';
	if (!json && (table_alloc(&ike, lines + 1) < 0 || table_alloc(&child, lines + 1) < 0))
		goto out;
	if (json)
		printf("{\"ike_sas\": [");
	for (line = strtok_r(body, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		sanitize(line);
		int n = ike_reply_split(line, &kind, keys, vals, MAX_PAIRS);
		bool is_ike = n >= 0 && strcmp(kind, "ike") == 0;
		if (n < 0 || (!is_ike && strcmp(kind, "child") != 0) || (!is_ike && !in_ike)) {
			if (json)
				printf("]}\n");
			err_msg("malformed reply from secgw-ike");
			goto out;
		}
		if (json) {
			if (is_ike)
				printf("%s{", in_ike ? "]}, " : "");
			else
				printf("%s{", ni == nc ? "" : ", ");
			json_pairs(keys, vals, n);
			printf(is_ike ? ", \"child_sas\": [" : "}");
			if (is_ike) {
				in_ike = true;
				ni = nc = 0;
			} else {
				nc++;
			}
			continue;
		}
		if (is_ike) {
			char buf[TABLE_CELL_MAX];
			cell(&ike, ni, 0, get(keys, vals, n, "name"));
			cell(&ike, ni, 1, get(keys, vals, n, "state"));
			cell(&ike, ni, 2, get(keys, vals, n, "spi_i"));
			cell(&ike, ni, 3, get(keys, vals, n, "spi_r"));
			cell(&ike, ni, 4, get(keys, vals, n, "local"));
			cell(&ike, ni, 5, get(keys, vals, n, "remote"));
			cell(&ike, ni, 6, get(keys, vals, n, "nat"));
			cell(&ike, ni, 7, get(keys, vals, n, "ike_alg"));
			snprintf(buf, sizeof(buf), "%s/%s/%s", get(keys, vals, n, "msg_out"),
				 get(keys, vals, n, "msg_in"), get(keys, vals, n, "retransmits"));
			cell(&ike, ni, 8, buf);
			ike.sort_key[ni] = ni;
			ni++;
			in_ike = true;
		} else {
			cell(&child, nc, 0, get(keys, vals, n, "name"));
			cell(&child, nc, 1, get(keys, vals, n, "spi_in"));
			cell(&child, nc, 2, get(keys, vals, n, "spi_out"));
			cell(&child, nc, 3, get(keys, vals, n, "esp_alg"));
			cell(&child, nc, 4, get(keys, vals, n, "udp_encap"));
			child.sort_key[nc] = nc;
			nc++;
		}
	}
	if (json) {
		printf("%s}\n", in_ike ? "]}]" : "]");
	} else {
		table_show(&ike, ni, "no IKE SAs");
		if (nc > 0) {
			putchar('\n');
			table_show(&child, nc, "");
		}
	}
	rc = 0;
out:
	table_free(&ike);
	table_free(&child);
	return rc;
}

/* The "stats" line: one "key value" row each, or one JSON object of numbers. */
static int print_stats(char *body, int json)
{
	char *keys[STATS_MAX], *vals[STATS_MAX], *kind;
	char *nl = strchr(body, '\n');

	if (nl != NULL)
		*nl = '\0';
	sanitize(body);
	int n = ike_reply_split(body, &kind, keys, vals, STATS_MAX);
	if (n < 0 || strcmp(kind, "stats") != 0) {
		err_msg("malformed reply from secgw-ike");
		return -1;
	}
	if (json)
		printf("{");
	for (int i = 0; i < n; i++) {
		if (!json) {
			printf("%-32s %s\n", keys[i], vals[i]);
			continue;
		}
		printf("%s", i > 0 ? ", " : "");
		json_string(keys[i]);
		printf(": %s", strspn(vals[i], "0123456789") == strlen(vals[i]) && vals[i][0] != '\0'
				       ? vals[i] : "null");
	}
	if (json)
		printf("}\n");
	return 0;
}

int ike_command(const char *prefix, const char *sock_path, int json, int argc, char **argv)
{
	static char reply[IKED_CTL_MSG_MAX + 1];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)], req[96];
	bool list = argc == 2 && (strcmp(argv[1], "list") == 0 || strcmp(argv[1], "stats") == 0);

	if (!list && !(argc == 3 && (strcmp(argv[1], "initiate") == 0 ||
				     strcmp(argv[1], "terminate") == 0))) {
		err_msg("usage: ike list | ike stats | ike initiate NAME | ike terminate NAME");
		return -1;
	}
	if (json && !list) {
		err_msg("--json applies to lists only");
		return -1;
	}
	if (!list && strlen(argv[2]) > 64) {
		err_msg("connection name too long");
		return -1;
	}
	snprintf(req, sizeof(req), "%s%s%s", argv[1], list ? "" : " ", list ? "" : argv[2]);
	int n = sock_path != NULL ? snprintf(path, sizeof(path), "%s", sock_path)
				  : snprintf(path, sizeof(path), IKED_CTL_SOCK_FMT, prefix);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		err_msg("socket path too long");
		return -1;
	}
	if (exchange(path, req, reply, sizeof(reply)) < 0)
		return -1;
	if (!list) {
		printf("ok\n");
		return 0;
	}
	return strcmp(argv[1], "stats") == 0 ? print_stats(reply + 3, json)
					      : print_list(reply + 3, json);
}
