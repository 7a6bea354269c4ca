/* SPDX-License-Identifier: BSD-3-Clause */
/* secgw-ike's control socket (iked_ctl.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ike_prop_parse.h"
#include "iked_ctl.h"

static int fail(char *err, size_t err_len, const char *why)
{
	snprintf(err, err_len, "%s", why);
	return -1;
}

static bool name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '.' || ch == '_' || ch == '-';
}

int iked_ctl_parse(const char *buf, size_t len, struct iked_ctl_req *req, char *err,
		   size_t err_len)
{
	static const struct { const char *verb; enum iked_ctl_op op; bool arg; } verbs[] = {
		{"list", IKED_CTL_LIST, false},
		{"stats", IKED_CTL_STATS, false},
		{"initiate", IKED_CTL_INITIATE, true},
		{"terminate", IKED_CTL_TERMINATE, true},
	};
	size_t vlen = 0;

	memset(req, 0, sizeof(*req));
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len == 0)
		return fail(err, err_len, "empty request");
	if (len > 64)
		return fail(err, err_len, "request too long");
	while (vlen < len && buf[vlen] != ' ')
		vlen++;
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strlen(verbs[i].verb) != vlen || memcmp(verbs[i].verb, buf, vlen) != 0)
			continue;
		req->op = verbs[i].op;
		if (!verbs[i].arg)
			return vlen == len ? 0 : fail(err, err_len, "no argument expected");
		if (vlen == len || vlen + 1 == len)
			return fail(err, err_len, "missing connection name");
		size_t nlen = len - vlen - 1;
		if (nlen >= sizeof(req->name))
			return fail(err, err_len, "connection name too long");
		for (size_t k = 0; k < nlen; k++)
			if (!name_char(buf[vlen + 1 + k]))
				return fail(err, err_len, "bad character in connection name");
		memcpy(req->name, buf + vlen + 1, nlen);
		req->name[nlen] = '\0';
		return 0;
	}
	return fail(err, err_len, "unknown request (list, stats, initiate NAME, terminate NAME)");
}

void iked_ctl_printf(struct iked_ctl_reply *r, const char *fmt, ...)
{
	va_list ap;

	if (r->truncated)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(r->buf + r->len, sizeof(r->buf) - r->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(r->buf) - r->len) {
		r->truncated = 1;
		r->buf[r->len] = '\0';
		return;
	}
	r->len += (size_t)n;
}

void iked_ctl_put_sa(struct iked_ctl_reply *r, const char *name, const struct ike_sa *sa)
{
	const struct ike_suite *s = ike_sa_suite(sa);
	struct ike_prop p = {s->encr, s->encr_key_bits, s->prf, s->integ, s->dh};
	struct ike_sa_info in;
	char lip[INET_ADDRSTRLEN], rip[INET_ADDRSTRLEN], alg[96];

	ike_sa_query(sa, &in);
	inet_ntop(AF_INET, &in.local_ip, lip, sizeof(lip));
	inet_ntop(AF_INET, &in.remote_ip, rip, sizeof(rip));
	if (s->encr != 0)
		ike_prop_format(&p, alg, sizeof(alg));
	else
		snprintf(alg, sizeof(alg), "-");
	/* Message IDs count the exchanges: ours sent, the peer's answered. */
	iked_ctl_printf(r,
			"ike name=%s state=%s role=%s spi_i=%016llx spi_r=%016llx local=%s:%u "
			"remote=%s:%u nat=%s nat_local=%s nat_remote=%s ike_alg=%s msg_out=%u "
			"msg_in=%u retransmits=%u dpd=%llu frag=%s frag_out=%llu frag_in=%llu "
			"frag_reasm=%llu\n",
			name, ike_sa_state_name(ike_sa_state(sa)),
			ike_sa_role(sa) == IKE_ROLE_INITIATOR ? "initiator" : "responder",
			(unsigned long long)ike_sa_spi_i(sa), (unsigned long long)ike_sa_spi_r(sa),
			lip, in.local_port, rip, in.remote_port,
			in.nat_local || in.nat_remote ? "on" : "off", in.nat_local ? "yes" : "no",
			in.nat_remote ? "yes" : "no", alg,
			in.req_next + (in.req_pending ? 1u : 0u), in.peer_next, in.retx_n,
			(unsigned long long)in.dpd_sent, in.frag ? "on" : "off",
			(unsigned long long)in.frag_sent, (unsigned long long)in.frag_rcvd,
			(unsigned long long)in.frag_reasm);
	for (size_t k = 0; k < IKE_CHILDREN_MAX; k++) {
		const struct ike_child_sa *c = ike_sa_child_n(sa, k);

		if (c == NULL)
			continue;
		p = (struct ike_prop){c->encr, c->encr_key_bits, 0, c->integ, 0};
		ike_prop_format(&p, alg, sizeof(alg));
		iked_ctl_printf(r,
				"child name=%s spi_in=%08x spi_out=%08x esp_alg=%s udp_encap=%s\n",
				name, c->spi_in, c->spi_out, alg, c->udp_encap ? "on" : "off");
	}
}

int iked_ctl_open(struct iked_ctl *c, const char *path, char *err, size_t err_len)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};

	c->lfd = -1;
	for (size_t i = 0; i < IKED_CTL_CLIENTS; i++)
		c->cfd[i] = -1;
	if (strlen(path) >= sizeof(a.sun_path) || strlen(path) >= sizeof(c->path)) {
		snprintf(err, err_len, "control socket path too long: %s", path);
		return -1;
	}
	strcpy(a.sun_path, path);
	strcpy(c->path, path);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, err_len, "socket: %s", strerror(errno));
		return -1;
	}
	unlink(path);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 8) < 0) {
		snprintf(err, err_len, "control socket %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	c->lfd = fd;
	return 0;
}

void iked_ctl_close(struct iked_ctl *c)
{
	if (c->lfd < 0)
		return;
	for (size_t i = 0; i < IKED_CTL_CLIENTS; i++)
		if (c->cfd[i] >= 0)
			close(c->cfd[i]);
	close(c->lfd);
	unlink(c->path);
	c->lfd = -1;
}

size_t iked_ctl_pollfds(const struct iked_ctl *c, struct pollfd *p, size_t cap)
{
	size_t n = 0;

	if (c->lfd < 0 || cap < 1 + IKED_CTL_CLIENTS)
		return 0;
	p[n++] = (struct pollfd){.fd = c->lfd, .events = POLLIN};
	for (size_t i = 0; i < IKED_CTL_CLIENTS; i++)
		p[n++] = (struct pollfd){.fd = c->cfd[i], .events = POLLIN}; /* -1: ignored */
	return n;
}

static void serve_one(int fd, const struct iked_ctl_ops *ops)
{
	static struct iked_ctl_reply r;
	char buf[128], err[160];
	struct iked_ctl_req req;

	ssize_t n = recv(fd, buf, sizeof(buf), MSG_TRUNC);
	if (n <= 0)
		return;
	r.len = 0;
	r.truncated = 0;
	if ((size_t)n > sizeof(buf)) {
		iked_ctl_printf(&r, "error request too long\n");
	} else if (iked_ctl_parse(buf, (size_t)n, &req, err, sizeof(err)) < 0) {
		iked_ctl_printf(&r, "error %s\n", err);
	} else if (req.op == IKED_CTL_LIST || req.op == IKED_CTL_STATS) {
		iked_ctl_printf(&r, "ok\n");
		(req.op == IKED_CTL_LIST ? ops->list : ops->stats)(ops->ctx, &r);
		if (r.truncated) {
			r.len = 0;
			r.truncated = 0;
			iked_ctl_printf(&r, "error too many SAs for one reply\n");
		}
	} else {
		int rc = req.op == IKED_CTL_INITIATE
				 ? ops->initiate(ops->ctx, req.name, err, sizeof(err))
				 : ops->terminate(ops->ctx, req.name, err, sizeof(err));
		if (rc < 0)
			iked_ctl_printf(&r, "error %s\n", err);
		else
			iked_ctl_printf(&r, "ok\n");
	}
	(void)send(fd, r.buf, r.len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

void iked_ctl_serve(struct iked_ctl *c, const struct pollfd *p, size_t n,
		    const struct iked_ctl_ops *ops)
{
	for (size_t i = 1; i < n && i <= IKED_CTL_CLIENTS; i++) {
		if (p[i].fd < 0 || p[i].revents == 0)
			continue;
		if (p[i].revents & POLLIN)
			serve_one(p[i].fd, ops);
		if (p[i].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			close(c->cfd[i - 1]);
			c->cfd[i - 1] = -1;
		}
	}
	if (n == 0 || !(p[0].revents & POLLIN))
		return;
	int fd = accept4(c->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	for (size_t i = 0; i < IKED_CTL_CLIENTS; i++) {
		if (c->cfd[i] < 0) {
			c->cfd[i] = fd;
			return;
		}
	}
	close(fd); /* busy: the client sees the connection closed */
}
