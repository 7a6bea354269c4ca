/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry v2 client (tel_client.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli_out.h"
#include "json_mini.h"
#include "tel_client.h"

#define TELEMETRY_SOCKET "dpdk_telemetry.v2"
#define HELLO_MAX 4096
#define REPLY_DEFAULT_MAX (16 * 1024)  /* DPDK 22.11 MAX_OUTPUT_LEN */
#define REPLY_LIMIT (64 * 1024 * 1024) /* refuse a hello asking for more */
#define IO_TIMEOUT_S 5

/* The EAL's runtime directory: $RUNTIME_DIRECTORY, /var/run for root, else
 * $XDG_RUNTIME_DIR or /tmp; the socket is <dir>/dpdk/<prefix>/dpdk_telemetry.v2. */
int
tel_socket_path(const char *prefix, char *out, size_t cap)
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

int
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

void
tel_reply_free(struct tel_reply *r)
{
	free(r->buf);
	free(r->nodes);
	memset(r, 0, sizeof(*r));
}

/* Parse r->buf[0, r->len) into freshly allocated nodes (len / 2 + 1 always suffice). */
static int
reply_parse(struct tel_reply *r, const char *what)
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
reply_read(int fd, size_t cap, struct tel_reply *r, const char *what)
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
int
tel_query(int fd, const char *cmd, struct tel_reply *r)
{
	struct tel_reply hello = { 0 };
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
	tel_reply_free(&hello);

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
	tel_reply_free(&hello);
	return -1;
}
