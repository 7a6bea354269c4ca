/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secgwctl: operator CLI for a running secgw-dp.
 *
 *   secgwctl [-p FILE_PREFIX | -s SOCKET_PATH] [--json] stats [--all] | sa list | ports
 *   secgwctl [-p FILE_PREFIX] sa add 'YAML' | sa del SPI in|out
 *   secgwctl [-p FILE_PREFIX] [--json] policy add 'YAML' | policy del NAME | policy list
 *   secgwctl [-p FILE_PREFIX] batch [--window N] [--stats]  < commands
 *
 * It speaks the DPDK telemetry v2 protocol over plain sockets (no DPDK linked):
 * connect a SOCK_SEQPACKET UNIX socket at <runtime dir>/dpdk/<prefix>/dpdk_telemetry.v2,
 * read the hello ({"version": .., "pid": .., "max_output_len": N}), write the
 * command ("/secgw/stats"), read one message {"/secgw/stats": {...}}.  The reply
 * shapes are those of dataplane/CONTRACT.md.  Exit 0 on success, 1 on any error
 * (bad usage, no socket, data plane not running, unknown command, malformed
 * reply), with one message on stderr.
 *
 * The commands that change SAs and policies (and policy list) use the data
 * plane's control socket instead (ctl_proto.h, via ctl_client.c); their YAML
 * argument is one entry of a config file's sas: / policies:, checked here by
 * the config loader before it is sent.  They print "ok" and exit 0, or exit 1
 * with the data plane's refusal on stderr.
 *
 * batch reads such edits from stdin, one per line ("sa add {...}",
 * "sa del 0x3001 out", "policy add {...}", "policy del NAME"; blank lines and
 * # comments skipped) and pipelines them over one connection, up to --window
 * in flight, matching replies by seq.  Each refused line prints
 * "line N: why" on stderr and makes the exit status 1; the rest go on.
 * --stats prints counts, elapsed time, ops/s and the median and 99th
 * percentile of the send-to-reply latency.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "ctl_client.h"
#include "json_mini.h"

#define TELEMETRY_SOCKET "dpdk_telemetry.v2"
#define DEFAULT_PREFIX "secgw"
#define HELLO_MAX 4096
#define REPLY_DEFAULT_MAX (16 * 1024)  /* DPDK 22.11 MAX_OUTPUT_LEN */
#define REPLY_LIMIT (64 * 1024 * 1024) /* refuse a hello asking for more */
#define IO_TIMEOUT_S 5
#define FIELD_MAX 128                  /* RTE_TEL_MAX_STRING_LEN */
#define TABLE_MAX_ROWS 65536
#define BATCH_WINDOW_DEFAULT 64
#define BATCH_WINDOW_MAX 4096
#define BATCH_LINE_MAX (256 * 1024)

static const char *prog = "secgwctl";

static void __attribute__((format(printf, 1, 2)))
err_msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
short_usage(void)
{
	fprintf(stderr,
		"usage: %s [-p FILE_PREFIX | -s SOCKET_PATH] [--json] stats [--all] | sa list | ports\n"
		"       %s [-p FILE_PREFIX] [--json] sa add YAML | sa del SPI in|out |\n"
		"                 policy add YAML | policy del NAME | policy list\n"
		"       %s [-p FILE_PREFIX] batch [--window N] [--stats] < COMMANDS\n"
		"(%s --help for more)\n",
		prog, prog, prog, prog);
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: %s [-p FILE_PREFIX | -s SOCKET_PATH] [--json] COMMAND\n"
		"commands:\n"
		"  stats [--all]   data-plane counters (non-zero ones unless --all)\n"
		"  sa list         security associations with their counters\n"
		"  ports           ports with their counters\n"
		"  sa add YAML     install an SA, e.g. '{spi: 0x3001, direction: out, src: ..,\n"
		"                  dst: .., cipher: aes-128-gcm, key: 0x..}' (fields as in sas:)\n"
		"  sa del SPI DIR  remove the SA with SPI (hex 0x.. or decimal), DIR in or out\n"
		"  policy add YAML add a named policy (fields as in policies:, name required)\n"
		"  policy del NAME remove a policy (config ones too, e.g. 'policies[2]')\n"
		"  policy list     policies in the running SPD\n"
		"  batch           sa add/del and policy add/del commands from stdin, one a\n"
		"                  line (as above without \"secgwctl\"), pipelined\n"
		"options:\n"
		"  -p, --prefix P  DPDK file prefix of the data plane (default \"%s\")\n"
		"  -s, --socket S  telemetry socket path (overrides -p; not for add/del/policy)\n"
		"  -j, --json      print the reply object as received\n"
		"  -a, --all       with stats: print zero counters too\n"
		"  -w, --window N  with batch: requests in flight (1-%d, default %d)\n"
		"  -S, --stats     with batch: print counts, ops/s and latency at the end\n"
		"  -h, --help      this text\n",
		prog, DEFAULT_PREFIX, BATCH_WINDOW_MAX, BATCH_WINDOW_DEFAULT);
}

/* ---- telemetry client ---------------------------------------------------- */

/* The EAL's runtime directory: $RUNTIME_DIRECTORY, /var/run for root, else
 * $XDG_RUNTIME_DIR or /tmp; the socket is <dir>/dpdk/<prefix>/dpdk_telemetry.v2. */
static int
socket_path_for_prefix(const char *prefix, char *out, size_t cap)
{
	const char *dir = getenv("RUNTIME_DIRECTORY");
	int n;

	if (dir == NULL || dir[0] == '\0') {
		if (getuid() == 0) {
			dir = "/var/run";
		} else {
			dir = getenv("XDG_RUNTIME_DIR");
			if (dir == NULL || dir[0] == '\0')
				dir = "/tmp";
		}
	}
	if (strchr(prefix, '/') != NULL || prefix[0] == '\0') {
		err_msg("invalid file prefix '%s'", prefix);
		return -1;
	}
	n = snprintf(out, cap, "%s/dpdk/%s/%s", dir, prefix, TELEMETRY_SOCKET);
	if (n < 0 || (size_t)n >= cap) {
		err_msg("socket path for prefix '%s' is too long", prefix);
		return -1;
	}
	return 0;
}

static int
tel_connect(const char *path, const char *prefix)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		err_msg("socket path too long: %s", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err_msg("socket: %s", strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0) {
		err_msg("setsockopt: %s", strerror(errno));
		goto err;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		if (e == ENOENT && prefix != NULL)
			err_msg("no data plane with file prefix '%s' (no socket %s); is secgw-dp running?",
				prefix, path);
		else if (e == ENOENT)
			err_msg("no telemetry socket %s; is secgw-dp running?", path);
		else if (e == ECONNREFUSED)
			err_msg("data plane not running (stale socket %s)", path);
		else if (e == EACCES || e == EPERM)
			err_msg("cannot connect to %s: %s (the data plane runs as root)",
				path, strerror(e));
		else if (e == EPROTOTYPE || e == ENOTSOCK)
			err_msg("%s is not a telemetry v2 socket", path);
		else
			err_msg("cannot connect to %s: %s", path, strerror(e));
		goto err;
	}
	return fd;
err:
	close(fd);
	return -1;
}

/*
 * Receive one message into buf[0, cap); MSG_TRUNC makes the kernel report the
 * full length, so an oversize message is an error, never a silent cut.
 */
static long
tel_recv(int fd, char *buf, size_t cap, const char *what)
{
	ssize_t n;

	do {
		n = recv(fd, buf, cap, MSG_TRUNC);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			err_msg("timed out waiting for the %s from the data plane", what);
		else
			err_msg("reading the %s: %s", what, strerror(errno));
		return -1;
	}
	if (n == 0) {
		err_msg("data plane closed the connection before the %s%s", what,
			strcmp(what, "reply") != 0 ? " (too many telemetry clients?)" : "");
		return -1;
	}
	if ((size_t)n > cap) {
		err_msg("malformed reply: %s of %zd bytes exceeds the announced %zu", what, n, cap);
		return -1;
	}
	return (long)n;
}

struct reply {
	char *buf;
	size_t len;
	struct json_node *nodes;
	struct json_doc doc;
	uint32_t data; /* the inner object */
};

static void
reply_free(struct reply *r)
{
	free(r->buf);
	free(r->nodes);
	memset(r, 0, sizeof(*r));
}

/* Parse r->buf[0, r->len) into freshly allocated nodes (len / 2 + 1 always suffice). */
static int
reply_parse(struct reply *r, const char *what)
{
	size_t cap = r->len / 2 + 1;

	r->nodes = calloc(cap, sizeof(*r->nodes));
	if (r->nodes == NULL) {
		err_msg("out of memory");
		return -1;
	}
	if (json_parse(&r->doc, r->buf, r->len, r->nodes, (uint32_t)cap) < 0) {
		err_msg("malformed reply: %s is not valid JSON: %s at byte %zu", what,
			r->doc.err, r->doc.err_pos);
		return -1;
	}
	return 0;
}

/* Receive one message of at most cap bytes and parse it. */
static int
reply_read(int fd, size_t cap, struct reply *r, const char *what)
{
	long n;

	r->buf = malloc(cap);
	if (r->buf == NULL) {
		err_msg("out of memory");
		return -1;
	}
	n = tel_recv(fd, r->buf, cap, what);
	if (n < 0)
		return -1;
	r->len = (size_t)n;
	return reply_parse(r, what);
}

/* Run one telemetry command; on success r->data is the inner object of the reply. */
static int
tel_query(int fd, const char *cmd, struct reply *r)
{
	struct reply hello = { 0 };
	uint64_t max_len = REPLY_DEFAULT_MAX;
	uint32_t v;
	ssize_t w;

	memset(r, 0, sizeof(*r));
	if (reply_read(fd, HELLO_MAX, &hello, "hello message") < 0)
		goto err_hello;
	v = json_get(&hello.doc, 0, "max_output_len");
	if (v != JSON_NONE && (json_u64(&hello.doc, v, &max_len) < 0 || max_len == 0 ||
			       max_len > REPLY_LIMIT)) {
		err_msg("malformed reply: bad max_output_len in the hello message");
		goto err_hello;
	}
	reply_free(&hello);

	do {
		w = send(fd, cmd, strlen(cmd), MSG_NOSIGNAL);
	} while (w < 0 && errno == EINTR);
	if (w < 0 || (size_t)w != strlen(cmd)) {
		err_msg("sending %s: %s", cmd, w < 0 ? strerror(errno) : "short write");
		return -1;
	}

	if (reply_read(fd, (size_t)max_len, r, "reply") < 0)
		return -1;
	if (json_type_of(&r->doc, 0) != JSON_OBJECT || r->doc.nodes[0].count != 1) {
		err_msg("malformed reply: expected {\"%s\": ...}", cmd);
		return -1;
	}
	r->data = json_get(&r->doc, 0, cmd);
	if (r->data == JSON_NONE) {
		err_msg("malformed reply: the reply is not for %s", cmd);
		return -1;
	}
	if (json_type_of(&r->doc, r->data) == JSON_NULL) {
		err_msg("the data plane does not know %s (is it secgw-dp, and the same version?)",
			cmd);
		return -1;
	}
	if (json_type_of(&r->doc, r->data) != JSON_OBJECT) {
		err_msg("malformed reply: %s did not return an object", cmd);
		return -1;
	}
	return 0;
err_hello:
	reply_free(&hello);
	return -1;
}

/* ---- output -------------------------------------------------------------- */

/* Copy a decoded string for a terminal: non-printable bytes become '?'. */
static void
sanitize(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

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
print_json(const struct reply *r)
{
	const char *p;
	size_t n = json_raw(&r->doc, r->data, &p);

	if (fwrite(p, 1, n, stdout) != n || putchar('\n') == EOF)
		return -1;
	return 0;
}

static int
cmd_stats(const struct reply *r, int all)
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

/* A generic table: each row holds cells of text; columns are sized to fit. */
#define TABLE_MAX_COLS 10
struct table {
	int ncols;
	const char *head[TABLE_MAX_COLS];
	bool right[TABLE_MAX_COLS]; /* right-align (numbers) */
	size_t nrows;
	char (*cells)[TABLE_MAX_COLS][FIELD_MAX * 2 + 8];
	uint64_t *sort_key;
};

static void
table_print(struct table *t)
{
	size_t w[TABLE_MAX_COLS];
	size_t *order = calloc(t->nrows ? t->nrows : 1, sizeof(*order));

	for (int c = 0; c < t->ncols; c++)
		w[c] = strlen(t->head[c]);
	for (size_t r = 0; r < t->nrows; r++) {
		if (order != NULL)
			order[r] = r;
		for (int c = 0; c < t->ncols; c++)
			if (strlen(t->cells[r][c]) > w[c])
				w[c] = strlen(t->cells[r][c]);
	}
	/* insertion sort by key, stable: the tables are small */
	for (size_t i = 1; order != NULL && i < t->nrows; i++) {
		size_t x = order[i], j = i;

		while (j > 0 && t->sort_key[order[j - 1]] > t->sort_key[x]) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = x;
	}
	for (int c = 0; c < t->ncols; c++)
		printf("%s%*s%s", c ? "  " : "", t->right[c] ? (int)w[c] : -(int)w[c], t->head[c],
		       c == t->ncols - 1 ? "\n" : "");
	for (size_t i = 0; i < t->nrows; i++) {
		size_t r = order != NULL ? order[i] : i;

		for (int c = 0; c < t->ncols; c++) {
			int width = t->right[c] ? (int)w[c] : -(int)w[c];

			if (c == t->ncols - 1 && !t->right[c])
				width = 0; /* no trailing blanks */
			printf("%s%*s", c ? "  " : "", width, t->cells[r][c]);
		}
		putchar('\n');
	}
	free(order);
}

static int
table_alloc(struct table *t, size_t rows)
{
	if (rows > TABLE_MAX_ROWS) {
		err_msg("malformed reply: %zu rows is more than %d", rows, TABLE_MAX_ROWS);
		return -1;
	}
	t->cells = calloc(rows ? rows : 1, sizeof(*t->cells));
	t->sort_key = calloc(rows ? rows : 1, sizeof(*t->sort_key));
	if (t->cells == NULL || t->sort_key == NULL) {
		err_msg("out of memory");
		return -1;
	}
	return 0;
}

static void
table_free(struct table *t)
{
	free(t->cells);
	free(t->sort_key);
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
cmd_sa_list(const struct reply *r)
{
	const struct json_doc *d = &r->doc;
	struct table t = {
		.ncols = 9,
		.head = { "SPI", "NAME", "DIR", "MODE", "ALGORITHM", "TUNNEL", "PACKETS", "BYTES",
			  "DROPS" },
		.right = { [6] = true, [7] = true, [8] = true },
	};
	size_t i = 0;
	int rc = -1;

	if (table_alloc(&t, d->nodes[r->data].count) < 0)
		goto out;
	for (uint32_t c = json_first(d, r->data); c != JSON_NONE; c = json_next(d, c), i++) {
		char key[FIELD_MAX], src[FIELD_MAX], dst[FIELD_MAX], cipher[FIELD_MAX],
			integ[FIELD_MAX], dir[FIELD_MAX];
		char (*cell)[FIELD_MAX * 2 + 8] = t.cells[i];
		uint64_t spi, pkts, bytes, replay, icv;
		bool has_spi;

		if (key_of(d, c, key, sizeof(key)) < 0)
			goto out;
		if (json_type_of(d, c) != JSON_OBJECT) {
			err_msg("malformed reply: SA %s is not an object", key);
			goto out;
		}
		if (field_u64(d, c, "spi", key, &spi, &has_spi) < 0 ||
		    field_u64(d, c, "packets", key, &pkts, NULL) < 0 ||
		    field_u64(d, c, "bytes", key, &bytes, NULL) < 0 ||
		    field_u64(d, c, "drop_replay", key, &replay, NULL) < 0 ||
		    field_u64(d, c, "drop_icv", key, &icv, NULL) < 0 ||
		    field_str(d, c, "name", key, cell[1], FIELD_MAX) < 0 ||
		    field_str(d, c, "direction", key, dir, sizeof(dir)) < 0 ||
		    field_str(d, c, "mode", key, cell[3], FIELD_MAX) < 0 ||
		    field_str(d, c, "cipher", key, cipher, sizeof(cipher)) < 0 ||
		    field_str(d, c, "integ", key, integ, sizeof(integ)) < 0 ||
		    field_str(d, c, "src", key, src, sizeof(src)) < 0 ||
		    field_str(d, c, "dst", key, dst, sizeof(dst)) < 0)
			goto out;
		if (!has_spi) {
			char *end;
			unsigned long long x = strtoull(key, &end, 16);

			if (*end != '\0' || x > UINT32_MAX) {
				err_msg("malformed reply: SA %s has no spi", key);
				goto out;
			}
			spi = x;
		}
		if (spi > UINT32_MAX) {
			err_msg("malformed reply: SA %s: spi out of range", key);
			goto out;
		}
		if (replay > UINT64_MAX - icv)
			replay = UINT64_MAX - icv; /* saturate */
		snprintf(cell[0], sizeof(cell[0]), "0x%08" PRIx64, spi);
		snprintf(cell[2], sizeof(cell[2]), "%s", dir);
		if (strcmp(integ, "-") == 0 || strcmp(integ, "none") == 0)
			snprintf(cell[4], sizeof(cell[4]), "%s", cipher);
		else
			snprintf(cell[4], sizeof(cell[4]), "%s/%s", cipher, integ);
		if (strcmp(src, "-") == 0 && strcmp(dst, "-") == 0)
			snprintf(cell[5], sizeof(cell[5]), "-");
		else
			snprintf(cell[5], sizeof(cell[5]), "%s -> %s", src, dst);
		snprintf(cell[6], sizeof(cell[6]), "%" PRIu64, pkts);
		snprintf(cell[7], sizeof(cell[7]), "%" PRIu64, bytes);
		snprintf(cell[8], sizeof(cell[8]), "%" PRIu64, replay + icv);
		/* outbound first, then by SPI */
		t.sort_key[i] = ((uint64_t)(strcmp(dir, "out") != 0) << 32) | spi;
	}
	t.nrows = i;
	if (t.nrows == 0)
		printf("no SAs\n");
	else
		table_print(&t);
	rc = 0;
out:
	table_free(&t);
	return rc;
}

static int
cmd_ports(const struct reply *r)
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
		char (*cell)[FIELD_MAX * 2 + 8] = t.cells[i];
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
	t.nrows = i;
	if (t.nrows == 0)
		printf("no ports\n");
	else
		table_print(&t);
	rc = 0;
out:
	table_free(&t);
	return rc;
}

/* ---- control socket: sa add/del, policy add/del/list ----------------------- */

static void
json_string(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static const char *
proto_str(int proto, char *buf, size_t cap)
{
	static const struct { int n; const char *name; } names[] = {
		{ -1, "any" }, { 1, "icmp" }, { 6, "tcp" }, { 17, "udp" }, { 50, "esp" },
		{ 51, "ah" }, { 58, "icmpv6" }, { 132, "sctp" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].n == proto)
			return names[i].name;
	snprintf(buf, cap, "%d", proto);
	return buf;
}

static void
prefix_str(const struct cfg_prefix *p, char *buf, size_t cap)
{
	char a[64];

	if (cfg_addr_str(&p->addr, a, sizeof(a)) == NULL)
		snprintf(a, sizeof(a), "?");
	snprintf(buf, cap, "%s/%u", a, p->len);
}

static void
range_str(uint16_t lo, uint16_t hi, char *buf, size_t cap)
{
	if (lo == 0 && hi == 65535)
		snprintf(buf, cap, "any");
	else if (lo == hi)
		snprintf(buf, cap, "%u", lo);
	else
		snprintf(buf, cap, "%u-%u", lo, hi);
}

static const char *
action_str(enum cfg_sp_action a)
{
	return a == CFG_SP_PROTECT ? "protect" : a == CFG_SP_DISCARD ? "discard" : "bypass";
}

static int
print_policies(struct cfg_policy *pol, size_t n, int json)
{
	struct table t = {
		.ncols = 10,
		.head = { "NAME", "DIR", "PRIORITY", "SRC", "DST", "PROTO", "SPORT", "DPORT",
			  "ACTION", "SA" },
		.right = { [2] = true },
	};
	char src[80], dst[80], sp[16], dp[16], pb[8];

	if (json) {
		printf("{");
		for (size_t i = 0; i < n; i++) {
			struct cfg_policy *p = &pol[i];

			p->name[sizeof(p->name) - 1] = '\0';
			prefix_str(&p->src, src, sizeof(src));
			prefix_str(&p->dst, dst, sizeof(dst));
			range_str(p->sport_lo, p->sport_hi, sp, sizeof(sp));
			range_str(p->dport_lo, p->dport_hi, dp, sizeof(dp));
			printf("%s", i ? ", " : "");
			json_string(p->name);
			printf(": {\"direction\": \"%s\", \"priority\": %u, \"src\": \"%s\", "
			       "\"dst\": \"%s\", \"proto\": \"%s\", \"sport\": \"%s\", "
			       "\"dport\": \"%s\", \"action\": \"%s\"",
			       p->dir == CFG_DIR_IN ? "in" : "out", p->priority, src, dst,
			       proto_str(p->proto, pb, sizeof(pb)), sp, dp, action_str(p->action));
			if (p->action == CFG_SP_PROTECT)
				printf(", \"sa\": %u", p->spi);
			printf("}");
		}
		printf("}\n");
		return 0;
	}
	if (n == 0) {
		printf("no policies\n");
		return 0;
	}
	if (table_alloc(&t, n) < 0) {
		table_free(&t);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct cfg_policy *p = &pol[i];
		char (*cell)[FIELD_MAX * 2 + 8] = t.cells[i];

		p->name[sizeof(p->name) - 1] = '\0';
		snprintf(cell[0], sizeof(cell[0]), "%s", p->name);
		sanitize(cell[0]);
		snprintf(cell[1], sizeof(cell[1]), "%s", p->dir == CFG_DIR_IN ? "in" : "out");
		snprintf(cell[2], sizeof(cell[2]), "%u", p->priority);
		prefix_str(&p->src, cell[3], sizeof(cell[3]));
		prefix_str(&p->dst, cell[4], sizeof(cell[4]));
		snprintf(cell[5], sizeof(cell[5]), "%s", proto_str(p->proto, pb, sizeof(pb)));
		range_str(p->sport_lo, p->sport_hi, cell[6], sizeof(cell[6]));
		range_str(p->dport_lo, p->dport_hi, cell[7], sizeof(cell[7]));
		snprintf(cell[8], sizeof(cell[8]), "%s", action_str(p->action));
		if (p->action == CFG_SP_PROTECT)
			snprintf(cell[9], sizeof(cell[9]), "0x%08x", p->spi);
		else
			snprintf(cell[9], sizeof(cell[9]), "-");
		/* outbound first, then by priority, then as the data plane lists them */
		t.sort_key[i] = ((uint64_t)(p->dir == CFG_DIR_IN) << 32) | p->priority;
	}
	t.nrows = n;
	table_print(&t);
	table_free(&t);
	return 0;
}

static int
parse_spi(const char *s, uint32_t *spi)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (s[0] < '0' || s[0] > '9')
		return -1;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || v > UINT32_MAX)
		return -1;
	*spi = (uint32_t)v;
	return 0;
}

/* One SA or policy edit, ready to send: what parse_edit() makes of a command. */
struct edit {
	enum ctl_op op;
	uint32_t len;
	union {
		struct cfg_sa sa;
		struct ctl_sa_ref sa_ref;
		struct cfg_policy pol;
		struct ctl_policy_ref pol_ref;
	} body;
};

/*
 * Check an edit before talking to anyone: "sa add YAML", "sa del SPI DIR",
 * "policy add YAML" or "policy del NAME" (dir only for sa del).  Returns 0,
 * or -1 with the reason in err.  The caller wipes e (it may hold keys).
 */
static int
parse_edit(const char *noun, const char *verb, const char *arg, const char *dir,
	   struct edit *e, char err[CFG_ERR_MAX])
{
	bool is_sa = strcmp(noun, "sa") == 0, add = strcmp(verb, "add") == 0;

	memset(e, 0, sizeof(*e));
	if ((!is_sa && strcmp(noun, "policy") != 0) || (!add && strcmp(verb, "del") != 0)) {
		snprintf(err, CFG_ERR_MAX, "unknown command '%s %s' (sa add|del, policy add|del)",
			 noun, verb);
		return -1;
	}
	if (add && is_sa) {
		e->op = CTL_SA_ADD;
		e->len = sizeof(e->body.sa);
		return config_parse_sa(arg, &e->body.sa, err) < 0 ? -1 : 0;
	}
	if (add) {
		e->op = CTL_POLICY_ADD;
		e->len = sizeof(e->body.pol);
		if (config_parse_policy(arg, &e->body.pol, err) < 0)
			return -1;
		if (e->body.pol.name[0] == '\0') {
			snprintf(err, CFG_ERR_MAX, "policy: name: missing required field: a policy "
				 "added at run time needs a name (to delete it by)");
			return -1;
		}
		return 0;
	}
	if (is_sa) {
		e->op = CTL_SA_DEL;
		e->len = sizeof(e->body.sa_ref);
		if (dir == NULL) {
			snprintf(err, CFG_ERR_MAX, "sa del: expected SPI and direction");
			return -1;
		}
		if (parse_spi(arg, &e->body.sa_ref.spi) < 0) {
			snprintf(err, CFG_ERR_MAX, "sa del: expected an SPI (0x.. or decimal, up to "
				 "0xffffffff), got '%s'", arg);
			return -1;
		}
		if (strcmp(dir, "in") == 0) {
			e->body.sa_ref.dir = CFG_DIR_IN;
		} else if (strcmp(dir, "out") == 0) {
			e->body.sa_ref.dir = CFG_DIR_OUT;
		} else {
			snprintf(err, CFG_ERR_MAX, "sa del: expected direction in or out, got '%s'",
				 dir);
			return -1;
		}
		return 0;
	}
	e->op = CTL_POLICY_DEL;
	e->len = sizeof(e->body.pol_ref);
	if (strlen(arg) >= sizeof(e->body.pol_ref.name)) {
		snprintf(err, CFG_ERR_MAX, "policy name too long (at most %zu characters): %s",
			 sizeof(e->body.pol_ref.name) - 1, arg);
		return -1;
	}
	memcpy(e->body.pol_ref.name, arg, strlen(arg));
	return 0;
}

/*
 * Run one control-socket command: argv is "sa add Y", "sa del SPI DIR",
 * "policy add Y", "policy del NAME" or "policy list".  Returns 0 or -1
 * (message printed).
 */
static int
ctl_command(const char *prefix, int json, char **argv)
{
	char err[CFG_ERR_MAX];
	struct ctl_client c;
	struct cfg_policy *list = NULL;
	struct edit e;
	size_t n = 0;
	bool is_list = strcmp(argv[1], "list") == 0;
	int rc = -1;

	/* check the arguments before talking to anyone */
	memset(&e, 0, sizeof(e));
	if (!is_list && parse_edit(argv[0], argv[1], argv[2], argv[3], &e, err) < 0) {
		err_msg("%s", err);
		goto out;
	}
	if (ctl_connect(&c, prefix) < 0) {
		err_msg("%s", c.err);
		goto out;
	}
	if (is_list)
		rc = ctl_policy_list(&c, &list, &n);
	else
		rc = ctl_request(&c, e.op, &e.body, e.len, NULL, NULL, 0, 0);
	if (rc < 0) {
		sanitize(c.err);
		err_msg("%s", c.err);
	} else if (is_list) {
		rc = print_policies(list, n, json);
	} else {
		printf("ok\n");
	}
	ctl_close(&c);
out:
	explicit_bzero(&e, sizeof(e));
	free(list);
	return rc;
}

/* ---- batch: pipelined edits from stdin ------------------------------------ */


struct in_flight {
	bool used;
	enum ctl_op op;
	uint32_t seq;
	unsigned long line;
	uint64_t sent_ns;
};

struct batch {
	struct ctl_client c;
	uint32_t window, n_flight;
	struct in_flight *flight; /* by seq % window: at most window consecutive seqs fly */
	uint64_t commands, ok, failed;
	uint64_t *lat_ns;         /* send to reply, one per answered command */
	size_t n_lat, cap_lat;
	/* stdin, read in pieces so that replies are read while it trickles */
	char *in;
	size_t in_len, in_cap;
	bool eof, skipping;       /* skipping: the rest of an over-long line */
	unsigned long line_no;
	/* the next edit, parsed, waiting for room in the window or the socket */
	bool have_next;
	struct edit next;
	unsigned long next_line;
	bool send_blocked;
	uint64_t last_ns; /* last reply, or the send that ended a time with none in flight */
};

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
batch_refused(struct batch *b, unsigned long line, const char *why)
{
	fprintf(stderr, "line %lu: ", line);
	for (; *why != '\0'; why++) /* as sanitize() does */
		fputc((unsigned char)*why < 0x20 || *why == 0x7f ? '?' : *why, stderr);
	fputc('\n', stderr);
	b->failed++;
}

/* Split one line into an edit; blank lines and comments are not commands. */
static void
batch_parse_line(struct batch *b, char *line)
{
	char err[CFG_ERR_MAX], *noun, *verb, *arg, *dir = NULL, *end;

	b->line_no++;
	end = line + strlen(line);
	while (end > line && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	line += strspn(line, " \t");
	if (line[0] == '\0' || line[0] == '#')
		return;
	b->commands++;
	noun = line;
	verb = noun + strcspn(noun, " \t");
	if (*verb != '\0')
		*verb++ = '\0';
	verb += strspn(verb, " \t");
	arg = verb + strcspn(verb, " \t");
	if (*arg != '\0')
		*arg++ = '\0';
	arg += strspn(arg, " \t");
	if (strcmp(verb, "del") == 0 && *arg != '\0') {
		/* SPI DIR or NAME: words, nothing more */
		dir = arg + strcspn(arg, " \t");
		if (*dir != '\0')
			*dir++ = '\0';
		dir += strspn(dir, " \t");
		if (strcmp(noun, "sa") == 0 ? dir[0] == '\0' || strpbrk(dir, " \t") != NULL
					    : dir[0] != '\0') {
			batch_refused(b, b->line_no, strcmp(noun, "sa") == 0
				      ? "expected: sa del SPI in|out" : "expected: policy del NAME");
			return;
		}
	}
	if (*arg == '\0') {
		batch_refused(b, b->line_no, "expected: sa add YAML | sa del SPI DIR | "
			      "policy add YAML | policy del NAME");
		return;
	}
	if (parse_edit(noun, verb, arg, dir, &b->next, err) < 0) {
		explicit_bzero(&b->next, sizeof(b->next));
		batch_refused(b, b->line_no, err);
		return;
	}
	b->have_next = true;
	b->next_line = b->line_no;
}

/* Parse buffered lines until there is an edit to send or no whole line left. */
static void
batch_take_lines(struct batch *b)
{
	while (!b->have_next) {
		char *nl = b->in_len > 0 ? memchr(b->in, '\n', b->in_len) : NULL;
		size_t used;

		if (nl == NULL && !(b->eof && b->in_len > 0)) {
			if (b->in_len >= BATCH_LINE_MAX) { /* no end in sight: drop it */
				b->in_len = 0;
				if (!b->skipping) {
					b->line_no++;
					b->commands++;
					batch_refused(b, b->line_no, "line too long");
				}
				b->skipping = true;
			}
			return;
		}
		if (nl == NULL)
			nl = b->in + b->in_len; /* the last line, without its newline */
		*nl = '\0';
		used = (size_t)(nl - b->in) + (nl < b->in + b->in_len ? 1 : 0);
		if (b->skipping)
			b->skipping = false;
		else
			batch_parse_line(b, b->in);
		explicit_bzero(b->in, used); /* lines hold keys */
		memmove(b->in, b->in + used, b->in_len - used);
		b->in_len -= used;
	}
}

static int
batch_read_stdin(struct batch *b)
{
	ssize_t n;

	if (b->in_cap - b->in_len < 4096) {
		size_t ncap = b->in_cap ? b->in_cap * 2 : 65536;
		char *p = malloc(ncap + 1);

		if (p == NULL) {
			err_msg("out of memory");
			return -1;
		}
		if (b->in_len > 0)
			memcpy(p, b->in, b->in_len);
		if (b->in != NULL)
			explicit_bzero(b->in, b->in_cap);
		free(b->in);
		b->in = p;
		b->in_cap = ncap;
	}
	n = read(STDIN_FILENO, b->in + b->in_len, b->in_cap - b->in_len);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n < 0) {
		err_msg("reading stdin: %s", strerror(errno));
		return -1;
	}
	if (n == 0)
		b->eof = true;
	b->in_len += (size_t)n;
	return 0;
}

/* Send b->next if the window and the socket have room; -1 on a broken channel. */
static int
batch_send(struct batch *b)
{
	struct in_flight *f;
	uint32_t seq;
	int rc;

	if (!b->have_next || b->n_flight == b->window)
		return 0;
	rc = ctl_send(&b->c, b->next.op, &b->next.body, b->next.len, &seq);
	b->send_blocked = rc == 1;
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	f = &b->flight[seq % b->window];
	if (f->used) {
		err_msg("internal error: seq %u sent while %u is in flight", seq, f->seq);
		return -1;
	}
	*f = (struct in_flight){ .used = true, .op = b->next.op, .seq = seq,
				 .line = b->next_line, .sent_ns = mono_ns() };
	if (b->n_flight++ == 0)
		b->last_ns = f->sent_ns;
	explicit_bzero(&b->next, sizeof(b->next));
	b->have_next = false;
	return 0;
}

/* Read one reply and settle its request; -1 when the channel cannot go on. */
static int
batch_reply(struct batch *b)
{
	struct ctl_reply rep;
	struct in_flight *f;

	if (ctl_recv(&b->c, &rep) < 0)
		return -1;
	f = &b->flight[rep.hdr.seq % b->window];
	if (!f->used || f->seq != rep.hdr.seq) {
		snprintf(b->c.err, sizeof(b->c.err),
			 "malformed reply: seq %u answers no request in flight", rep.hdr.seq);
		return -1;
	}
	if (ctl_reply_result(&b->c, &rep, f->op, f->seq) < 0) {
		if (b->c.status == 0)
			return -1; /* not a refusal: a reply we cannot trust */
		batch_refused(b, f->line, b->c.err);
	} else {
		b->ok++;
	}
	if (b->n_lat == b->cap_lat) {
		size_t ncap = b->cap_lat ? b->cap_lat * 2 : 4096;
		uint64_t *p = realloc(b->lat_ns, ncap * sizeof(*p));

		if (p == NULL) {
			snprintf(b->c.err, sizeof(b->c.err), "out of memory");
			return -1;
		}
		b->lat_ns = p;
		b->cap_lat = ncap;
	}
	b->last_ns = mono_ns();
	b->lat_ns[b->n_lat++] = b->last_ns - f->sent_ns;
	f->used = false;
	b->n_flight--;
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
batch_print_stats(struct batch *b, double elapsed)
{
	double med = 0, p99 = 0;

	if (b->n_lat > 0) {
		qsort(b->lat_ns, b->n_lat, sizeof(*b->lat_ns), cmp_u64);
		med = (double)b->lat_ns[(b->n_lat - 1) / 2] / 1e3;
		p99 = (double)b->lat_ns[(b->n_lat * 99 + 99) / 100 - 1] / 1e3;
	}
	printf("commands %" PRIu64 "\nok %" PRIu64 "\nfailed %" PRIu64 "\nelapsed_s %.3f\n"
	       "ops_per_s %.0f\nlatency_median_us %.1f\nlatency_p99_us %.1f\n",
	       b->commands, b->ok, b->failed, elapsed,
	       elapsed > 0 ? (double)(b->ok + b->failed) / elapsed : 0.0, med, p99);
}

/*
 * secgwctl batch: edits from stdin, one per line, up to window of them in
 * flight on one connection.  A refused or malformed command prints
 * "line N: why" and makes the exit status 1; the others go on.  A broken
 * channel (no reply within CTL_CLIENT_TIMEOUT_S, a reply we cannot trust,
 * the data plane gone) ends the batch: the commands not yet answered count
 * neither as ok nor as failed.
 */
static int
cmd_batch(const char *prefix, uint32_t window, bool stats)
{
	struct batch b = { .window = window };
	uint64_t t0 = mono_ns();
	bool broken = false;
	int rc;

	b.flight = calloc(window, sizeof(*b.flight));
	if (b.flight == NULL) {
		err_msg("out of memory");
		return -1;
	}
	if (ctl_connect(&b.c, prefix) < 0) {
		err_msg("%s", b.c.err);
		free(b.flight);
		return -1;
	}
	for (;;) {
		struct pollfd pfd[2] = { { .fd = b.c.fd }, { .fd = STDIN_FILENO } };
		int timeout = -1;

		batch_take_lines(&b);
		if (batch_send(&b) < 0) {
			broken = true;
			break;
		}
		if (!b.have_next)
			batch_take_lines(&b);
		if (b.have_next && b.n_flight < b.window && !b.send_blocked)
			continue; /* more to send right away */
		if (b.eof && !b.have_next && b.in_len == 0 && b.n_flight == 0)
			break;
		if (b.n_flight > 0) {
			pfd[0].events |= POLLIN;
			timeout = CTL_CLIENT_TIMEOUT_S * 1000;
		}
		if (b.have_next && b.send_blocked && b.n_flight < b.window)
			pfd[0].events |= POLLOUT;
		if (!b.have_next && !b.eof)
			pfd[1].events = POLLIN;
		else
			pfd[1].fd = -1;
		rc = poll(pfd, 2, timeout);
		if (rc < 0 && errno != EINTR) {
			snprintf(b.c.err, sizeof(b.c.err), "poll: %s", strerror(errno));
			broken = true;
			break;
		}
		if (b.n_flight > 0 &&
		    mono_ns() - b.last_ns >= (uint64_t)CTL_CLIENT_TIMEOUT_S * 1000000000u) {
			snprintf(b.c.err, sizeof(b.c.err), "no reply from the data plane within %d s",
				 CTL_CLIENT_TIMEOUT_S);
			broken = true;
			break;
		}
		if (rc <= 0)
			continue;
		if (b.n_flight == 0 && (pfd[0].revents & (POLLHUP | POLLERR))) {
			snprintf(b.c.err, sizeof(b.c.err), "the data plane closed the connection");
			broken = true;
			break;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			/* every reply that is there, without waiting for more */
			do {
				if (batch_reply(&b) < 0) {
					broken = true;
					break;
				}
			} while (b.n_flight > 0 &&
				 poll(&(struct pollfd){ .fd = b.c.fd, .events = POLLIN }, 1, 0) > 0);
			if (broken)
				break;
		}
		if (pfd[0].revents & POLLOUT)
			b.send_blocked = false;
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR) && batch_read_stdin(&b) < 0) {
			snprintf(b.c.err, sizeof(b.c.err), "cannot read the commands");
			broken = true;
			break;
		}
	}
	if (broken) {
		sanitize(b.c.err);
		err_msg("%s (%u commands unanswered)", b.c.err, b.n_flight + (b.have_next ? 1 : 0));
	}
	ctl_close(&b.c);
	if (stats)
		batch_print_stats(&b, (double)(mono_ns() - t0) / 1e9);
	explicit_bzero(&b.next, sizeof(b.next));
	if (b.in != NULL)
		explicit_bzero(b.in, b.in_cap);
	free(b.in);
	free(b.flight);
	free(b.lat_ns);
	return broken || b.failed > 0 ? -1 : 0;
}

/* ---- main ---------------------------------------------------------------- */

enum command { CMD_STATS, CMD_SA_LIST, CMD_PORTS };

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "prefix", required_argument, NULL, 'p' },
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ "window", required_argument, NULL, 'w' },
		{ "stats", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	const char *prefix = NULL, *sock = NULL, *tcmd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 64];
	int json = 0, all = 0, opt, fd, rc, window = -1, bstats = 0;
	char *end;
	enum command cmd;
	struct reply r;

	while ((opt = getopt_long(argc, argv, "p:s:jahw:S", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': prefix = optarg; break;
		case 's': sock = optarg; break;
		case 'j': json = 1; break;
		case 'a': all = 1; break;
		case 'h': usage(stdout); return 0;
		case 'S': bstats = 1; break;
		case 'w':
			errno = 0;
			window = (int)strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || window < 1 ||
			    window > BATCH_WINDOW_MAX) {
				err_msg("--window: expected 1 to %d, got '%s'", BATCH_WINDOW_MAX,
					optarg);
				return 1;
			}
			break;
		default: short_usage(); return 1;
		}
	}
	if (prefix != NULL && sock != NULL) {
		err_msg("-p and -s are mutually exclusive");
		return 1;
	}
	argc -= optind;
	argv += optind;
	if (argc == 1 && strcmp(argv[0], "batch") == 0) {
		if (sock != NULL || all || json) {
			err_msg("%s does not apply to batch",
				sock != NULL ? "-s" : all ? "--all" : "--json");
			return 1;
		}
		rc = cmd_batch(prefix != NULL ? prefix : DEFAULT_PREFIX,
			       window > 0 ? (uint32_t)window : BATCH_WINDOW_DEFAULT, bstats);
		if (fflush(stdout) == EOF) {
			err_msg("writing output: %s", strerror(errno));
			rc = -1;
		}
		return rc == 0 ? 0 : 1;
	}
	if (window > 0 || bstats) {
		err_msg("%s applies to batch only", bstats ? "--stats" : "--window");
		return 1;
	}
	if ((argc == 3 && strcmp(argv[0], "sa") == 0 && strcmp(argv[1], "add") == 0) ||
	    (argc == 4 && strcmp(argv[0], "sa") == 0 && strcmp(argv[1], "del") == 0) ||
	    (argc == 3 && strcmp(argv[0], "policy") == 0 &&
	     (strcmp(argv[1], "add") == 0 || strcmp(argv[1], "del") == 0)) ||
	    (argc == 2 && strcmp(argv[0], "policy") == 0 && strcmp(argv[1], "list") == 0)) {
		if (sock != NULL || all) {
			err_msg("%s applies to stats, sa list and ports only",
				sock != NULL ? "-s" : "--all");
			return 1;
		}
		if (json && strcmp(argv[1], "list") != 0) {
			err_msg("--json applies to lists only");
			return 1;
		}
		rc = ctl_command(prefix != NULL ? prefix : DEFAULT_PREFIX, json, argv);
		if (rc == 0 && fflush(stdout) == EOF) {
			err_msg("writing output: %s", strerror(errno));
			rc = -1;
		}
		return rc == 0 ? 0 : 1;
	}
	if (argc == 1 && strcmp(argv[0], "stats") == 0) {
		cmd = CMD_STATS;
		tcmd = "/secgw/stats";
	} else if (argc == 2 && strcmp(argv[0], "sa") == 0 && strcmp(argv[1], "list") == 0) {
		cmd = CMD_SA_LIST;
		tcmd = "/secgw/sa/list";
	} else if (argc == 1 && strcmp(argv[0], "ports") == 0) {
		cmd = CMD_PORTS;
		tcmd = "/secgw/ports";
	} else {
		if (argc == 0)
			err_msg("missing command");
		else
			err_msg("unknown command '%s%s%s'", argv[0], argc > 1 ? " " : "",
				argc > 1 ? argv[1] : "");
		short_usage();
		return 1;
	}
	if (all && cmd != CMD_STATS) {
		err_msg("--all applies to stats only");
		return 1;
	}

	if (sock == NULL) {
		if (prefix == NULL)
			prefix = DEFAULT_PREFIX;
		if (socket_path_for_prefix(prefix, path, sizeof(path)) < 0)
			return 1;
		sock = path;
	}
	fd = tel_connect(sock, prefix);
	if (fd < 0)
		return 1;
	rc = tel_query(fd, tcmd, &r);
	close(fd);
	if (rc == 0) {
		if (json)
			rc = print_json(&r);
		else if (cmd == CMD_STATS)
			rc = cmd_stats(&r, all);
		else if (cmd == CMD_SA_LIST)
			rc = cmd_sa_list(&r);
		else
			rc = cmd_ports(&r);
	}
	reply_free(&r);
	if (rc == 0 && fflush(stdout) == EOF) {
		err_msg("writing output: %s", strerror(errno));
		rc = -1;
	}
	return rc == 0 ? 0 : 1;
}
