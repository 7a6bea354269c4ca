/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Client end of the control channel; see ctl_client.h and ctl_proto.h.
 *
 * A reply is checked before any field of it is used: at least a struct
 * ctl_reply, not truncated, the version we speak, our op and seq echoed,
 * hdr.len equal to what arrived, and count entries filling the rest exactly
 * (count * entry_size computed without overflow).
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl_client.h"

/* pages of a list we follow before deciding the cursor is going round in circles */
#define CTL_LIST_MAX_PAGES (1u << 20)

static int __attribute__((format(printf, 2, 3)))
fail(struct ctl_client *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return -1;
}

int ctl_connect_path(struct ctl_client *c, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(path);

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (len >= sizeof(sa.sun_path))
		return fail(c, "control socket path too long: %s", path);
	memcpy(sa.sun_path, path, len + 1);
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return fail(c, "socket: %s", strerror(errno));
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;

		close(c->fd);
		c->fd = -1;
		return fail(c, "cannot connect to %s: %s (is secgw-dp running?)", path,
			    strerror(e));
	}
	/* seq starts somewhere arbitrary so that a stale reply cannot match */
	c->seq = (uint32_t)getpid() * 2654435761u ^ (uint32_t)time(NULL);
	return 0;
}

int ctl_connect(struct ctl_client *c, const char *prefix)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int n;

	if (prefix[0] == '\0' || strchr(prefix, '/') != NULL) {
		memset(c, 0, sizeof(*c));
		c->fd = -1;
		return fail(c, "invalid file prefix '%s'", prefix);
	}
	n = snprintf(path, sizeof(path), CTL_SOCK_FMT, prefix);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		memset(c, 0, sizeof(*c));
		c->fd = -1;
		return fail(c, "control socket path for prefix '%s' is too long", prefix);
	}
	return ctl_connect_path(c, path);
}

void ctl_close(struct ctl_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Send one request with seq c->seq + 1; c->seq advances only when it went out.
 * Returns 0, 1 when nonblocking and the socket is full (nothing sent), or -1.
 */
static int send_request(struct ctl_client *c, enum ctl_op op, const void *body, uint32_t len,
			bool nonblocking)
{
	uint8_t *msg;
	struct ctl_hdr h = { .version = CTL_VERSION, .op = (uint16_t)op, .seq = c->seq + 1,
			     .len = len };
	ssize_t k;
	int e;

	if (len > CTL_MSG_MAX - sizeof(h))
		return fail(c, "request too long (%u bytes)", len);
	msg = malloc(sizeof(h) + len);
	if (msg == NULL)
		return fail(c, "out of memory");
	memcpy(msg, &h, sizeof(h));
	if (len > 0)
		memcpy(msg + sizeof(h), body, len);
	do {
		k = send(c->fd, msg, sizeof(h) + len,
			 MSG_NOSIGNAL | (nonblocking ? MSG_DONTWAIT : 0));
	} while (k < 0 && errno == EINTR);
	e = errno;
	explicit_bzero(msg, sizeof(h) + len); /* an SA_ADD body holds keys */
	free(msg);
	if (k < 0 && nonblocking && (e == EAGAIN || e == EWOULDBLOCK))
		return 1;
	if (k < 0)
		return fail(c, "sending to the data plane: %s", strerror(e));
	if ((size_t)k != sizeof(h) + len)
		return fail(c, "sending to the data plane: short write");
	c->seq = h.seq;
	return 0;
}

/* One datagram within the deadline; returns its length (MSG_TRUNC: the real one). */
static ssize_t recv_reply(struct ctl_client *c, uint8_t *buf, size_t cap)
{
	int64_t deadline = now_ms() + CTL_CLIENT_TIMEOUT_S * 1000;

	for (;;) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		int64_t left = deadline - now_ms();
		ssize_t n;
		int rc;

		if (left <= 0)
			return fail(c, "no reply from the data plane within %d s",
				    CTL_CLIENT_TIMEOUT_S);
		rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			return fail(c, "poll: %s", strerror(errno));
		if (rc == 0)
			continue;
		n = recv(c->fd, buf, cap, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return fail(c, "receiving from the data plane: %s", strerror(errno));
		if (n == 0)
			return fail(c, "the data plane closed the connection");
		return n;
	}
}

/*
 * The checks that need no knowledge of the request: a whole reply of our
 * version whose header length is what arrived.  Copies the header to *r.
 */
static int check_frame(struct ctl_client *c, const uint8_t *buf, ssize_t n, struct ctl_reply *r)
{
	if ((size_t)n > CTL_MSG_MAX)
		return fail(c, "malformed reply: %zd bytes, more than %d", n, CTL_MSG_MAX);
	if ((size_t)n < sizeof(*r))
		return fail(c, "malformed reply: %zd bytes, shorter than a reply header", n);
	memcpy(r, buf, sizeof(*r));
	r->error[sizeof(r->error) - 1] = '\0';
	if (r->hdr.version != CTL_VERSION)
		return fail(c, "reply in protocol version %u, expected %u (secgwctl and secgw-dp "
			    "from different builds?)", r->hdr.version, CTL_VERSION);
	if (r->hdr.len != (size_t)n - sizeof(r->hdr))
		return fail(c, "malformed reply: header says %u bytes, %zu arrived", r->hdr.len,
			    (size_t)n - sizeof(r->hdr));
	return 0;
}

/* A checked frame's status, then its entries: as many as count says, exactly. */
static int check_body(struct ctl_client *c, const struct ctl_reply *r, size_t entries,
		      size_t entry_size, uint32_t max_entries)
{
	if (r->status != 0) {
		c->status = r->status;
		if (r->error[0] == '\0')
			return fail(c, "the data plane refused the request: %s",
				    strerror(-r->status));
		return fail(c, "%s", r->error);
	}
	if (entry_size == 0 ? entries != 0 || r->count != 0
			    : r->count > max_entries || entries / entry_size != r->count ||
				      entries % entry_size != 0)
		return fail(c, "malformed reply: %u entries in %zu bytes", r->count, entries);
	return 0;
}

int ctl_request(struct ctl_client *c, enum ctl_op op, const void *body, uint32_t len,
		struct ctl_reply *rep, void *out, size_t entry_size, uint32_t max_entries)
{
	struct ctl_reply r;
	uint8_t *buf;
	size_t entries;
	ssize_t n;
	int rc = -1;

	c->status = 0;
	if (c->fd < 0)
		return fail(c, "not connected");
	if (send_request(c, op, body, len, false) < 0)
		return -1;
	buf = malloc(CTL_MSG_MAX);
	if (buf == NULL)
		return fail(c, "out of memory");
	/* A reply to an earlier request that timed out may still come first:
	 * it answers nothing we wait for now. */
	do {
		n = recv_reply(c, buf, CTL_MSG_MAX);
		if (n < 0 || check_frame(c, buf, n, &r) < 0)
			goto out;
	} while ((int32_t)(c->seq - r.hdr.seq) > 0);
	if (r.hdr.op != op || r.hdr.seq != c->seq) {
		fail(c, "malformed reply: op %u seq %u, expected op %u seq %u", r.hdr.op, r.hdr.seq,
		     (unsigned)op, c->seq);
		goto out;
	}
	entries = (size_t)n - sizeof(r);
	if (check_body(c, &r, entries, entry_size, max_entries) < 0)
		goto out;
	if (out != NULL && entries > 0)
		memcpy(out, buf + sizeof(r), entries);
	if (rep != NULL)
		*rep = r;
	rc = 0;
out:
	free(buf);
	return rc;
}

int ctl_send(struct ctl_client *c, enum ctl_op op, const void *body, uint32_t len,
	     uint32_t *seq)
{
	int rc;

	if (c->fd < 0)
		return fail(c, "not connected");
	rc = send_request(c, op, body, len, true);
	if (rc == 0)
		*seq = c->seq;
	return rc;
}

int ctl_recv(struct ctl_client *c, struct ctl_reply *rep)
{
	/* a reply to a pipelined request is a bare struct ctl_reply: anything
	 * longer is malformed, and MSG_TRUNC reports its real length */
	uint8_t buf[sizeof(*rep)];
	ssize_t n;

	if (c->fd < 0)
		return fail(c, "not connected");
	n = recv_reply(c, buf, sizeof(buf));
	if (n < 0 || check_frame(c, buf, n, rep) < 0)
		return -1;
	return 0;
}

int ctl_reply_result(struct ctl_client *c, const struct ctl_reply *rep, enum ctl_op op,
		     uint32_t seq)
{
	c->status = 0;
	if (rep->hdr.op != op || rep->hdr.seq != seq)
		return fail(c, "malformed reply: op %u seq %u, expected op %u seq %u",
			    rep->hdr.op, rep->hdr.seq, (unsigned)op, seq);
	/* check_frame saw hdr.len match the datagram: the entries are what follows */
	return check_body(c, rep, rep->hdr.len - (sizeof(*rep) - sizeof(rep->hdr)), 0, 0);
}

int ctl_sa_add(struct ctl_client *c, const struct cfg_sa *sa)
{
	return ctl_request(c, CTL_SA_ADD, sa, sizeof(*sa), NULL, NULL, 0, 0);
}

int ctl_sa_del(struct ctl_client *c, uint32_t spi, enum cfg_direction dir)
{
	struct ctl_sa_ref ref = { .spi = spi, .dir = (uint32_t)dir };

	return ctl_request(c, CTL_SA_DEL, &ref, sizeof(ref), NULL, NULL, 0, 0);
}

int ctl_policy_add(struct ctl_client *c, const struct cfg_policy *p)
{
	return ctl_request(c, CTL_POLICY_ADD, p, sizeof(*p), NULL, NULL, 0, 0);
}

int ctl_policy_del(struct ctl_client *c, const char *name)
{
	struct ctl_policy_ref ref;

	memset(&ref, 0, sizeof(ref));
	if (strlen(name) >= sizeof(ref.name))
		return fail(c, "policy name too long (at most %zu characters): %s",
			    sizeof(ref.name) - 1, name);
	memcpy(ref.name, name, strlen(name));
	return ctl_request(c, CTL_POLICY_DEL, &ref, sizeof(ref), NULL, NULL, 0, 0);
}

/* Follow the cursor, appending each page to a growing array. */
static int list_all(struct ctl_client *c, enum ctl_op op, size_t entry_size, void **out,
		    size_t *n)
{
	const uint32_t page_max = (uint32_t)((CTL_MSG_MAX - sizeof(struct ctl_reply)) / entry_size);
	struct ctl_list_req q = { .cursor = 0 };
	struct ctl_reply r;
	uint8_t *all = NULL;
	size_t have = 0, cap = 0;

	*out = NULL;
	*n = 0;
	for (uint32_t page = 0;; page++) {
		if (page == CTL_LIST_MAX_PAGES) {
			free(all);
			return fail(c, "malformed reply: the list does not end");
		}
		if (cap - have < page_max) {
			size_t ncap = cap ? cap * 2 : page_max;
			uint8_t *p;

			while (ncap - have < page_max)
				ncap *= 2;
			p = realloc(all, ncap * entry_size);
			if (p == NULL) {
				free(all);
				return fail(c, "out of memory");
			}
			all = p;
			cap = ncap;
		}
		if (ctl_request(c, op, &q, sizeof(q), &r, all + have * entry_size, entry_size,
				page_max) < 0) {
			free(all);
			return -1;
		}
		have += r.count;
		if (r.next_cursor == 0)
			break;
		if (r.next_cursor <= q.cursor) {
			free(all);
			return fail(c, "malformed reply: list cursor did not advance (%u -> %u)",
				    q.cursor, r.next_cursor);
		}
		q.cursor = r.next_cursor;
	}
	*out = all;
	*n = have;
	return 0;
}

int ctl_sa_list(struct ctl_client *c, struct ctl_sa_info **out, size_t *n)
{
	void *p;
	int rc = list_all(c, CTL_SA_LIST, sizeof(**out), &p, n);

	*out = p;
	return rc;
}

int ctl_policy_list(struct ctl_client *c, struct cfg_policy **out, size_t *n)
{
	void *p;
	int rc = list_all(c, CTL_POLICY_LIST, sizeof(**out), &p, n);

	*out = p;
	return rc;
}

int ctl_events(struct ctl_client *c, uint32_t *cursor, struct ctl_event out[CTL_EVENTS_PAGE])
{
	struct ctl_list_req q = { .cursor = *cursor };
	struct ctl_reply r;

	if (ctl_request(c, CTL_EVENTS, &q, sizeof(q), &r, out, sizeof(*out),
			CTL_EVENTS_PAGE) < 0)
		return -1;
	*cursor = r.next_cursor;
	return (int)r.count;
}
