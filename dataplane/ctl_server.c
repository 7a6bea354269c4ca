/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control channel server (protocol and rationale in control/ctl_proto.h).
 * Runs on the main lcore between ARP and reclamation; never blocks.  Every
 * request is validated field by field: the client is another process and
 * may be buggy or hostile.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_proto.h"
#include "ctl_server.h"
#include "dp.h"
#include "events.h"
#include "policy_store.h"
#include "reclaim.h"

#define CTL_MAX_CLIENTS 8
#define CTL_MSGS_PER_POLL 256 /* also the largest batch of policy edits per SPD build */

static int ctl_fd = -1; /* the listener */
static int clients[CTL_MAX_CLIENTS];
static uint16_t n_clients;
static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static uint8_t req_buf[CTL_MSG_MAX];
static uint8_t rep_buf[CTL_MSG_MAX];

int
dp_ctl_open(char *err, size_t len)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	snprintf(sock_path, sizeof(sock_path), CTL_SOCK_FMT, dp.cfg->file_prefix);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, len, "control socket: %s", strerror(errno));
		return -1;
	}
	unlink(sock_path); /* a previous run that died left it behind */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || chmod(sock_path, 0600) != 0 ||
	    listen(fd, CTL_MAX_CLIENTS) != 0) {
		snprintf(err, len, "control socket %s: %s", sock_path, strerror(errno));
		close(fd);
		return -1;
	}
	ctl_fd = fd;
	return 0;
}

void
dp_ctl_close(void)
{
	while (n_clients > 0)
		close(clients[--n_clients]);
	if (ctl_fd >= 0) {
		close(ctl_fd);
		unlink(sock_path);
	}
	ctl_fd = -1;
}

static bool
terminated(const char *s, size_t max)
{
	return memchr(s, '\0', max) != NULL;
}

static int __rte_format_printf(3, 4)
refuse(struct ctl_reply *r, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	r->status = status;
	return status;
}

static int
check_sa(const struct cfg_sa *s, struct ctl_reply *r)
{
	const struct cfg_alg_info *ci, *ii;

	if (!terminated(s->name, sizeof(s->name)) || s->dir > CFG_DIR_IN ||
	    s->proto > CFG_SA_AH || s->mode > CFG_MODE_TRANSPORT ||
	    s->cipher >= CFG_CIPHER__COUNT || s->integ >= CFG_INTEG__COUNT ||
	    (s->family != AF_INET && s->family != AF_INET6) || s->df > CFG_DF_CLEAR ||
	    s->lookup > CFG_LOOKUP_SPI_DST_SRC)
		return refuse(r, -EINVAL, "malformed SA record");
	ci = cfg_cipher_info(s->cipher);
	ii = cfg_integ_info(s->integ);
	if (s->spi < 256)
		return refuse(r, -EINVAL, "SPI %u is reserved (RFC 4303 §2.1)", s->spi);
	if (s->key_len != ci->key_len || s->auth_key_len > sizeof(s->auth_key) ||
	    (s->integ != CFG_INTEG_NONE && s->auth_key_len != ii->key_len + ii->salt_len))
		return refuse(r, -EINVAL, "SA 0x%08x: key lengths do not match %s/%s", s->spi,
			      ci->name, ii->name);
	if (ci->aead == (s->integ != CFG_INTEG_NONE) && s->cipher != CFG_CIPHER_NULL)
		return refuse(r, -EINVAL, "SA 0x%08x: %s %s an integrity algorithm", s->spi,
			      ci->name, ci->aead ? "takes no" : "needs");
	if (s->replay_window > 4096)
		return refuse(r, -EINVAL, "SA 0x%08x: replay window above 4096", s->spi);
	if (s->mode == CFG_MODE_TUNNEL &&
	    (s->tun_src.family != s->tun_dst.family ||
	     (s->tun_src.family != AF_INET && s->tun_src.family != AF_INET6)))
		return refuse(r, -EINVAL, "SA 0x%08x: tunnel endpoints missing", s->spi);
	if (s->mode != CFG_MODE_TUNNEL && s->tfc_pad != 0)
		return refuse(r, -EINVAL, "SA 0x%08x: TFC padding needs tunnel mode", s->spi);
	if (s->lookup != CFG_LOOKUP_SPI && (s->mode != CFG_MODE_TUNNEL || s->dir != CFG_DIR_IN))
		return refuse(r, -EINVAL, "SA 0x%08x: address lookup needs an inbound tunnel SA",
			      s->spi);
	return 0;
}

static int
sa_add(const struct cfg_sa *in, struct ctl_reply *r)
{
	char err[SAD_ERR_MAX];
	struct cfg_sa s = *in;
	int idx;

	if (check_sa(&s, r) != 0)
		return r->status;
	if (s.name[0] == '\0')
		snprintf(s.name, sizeof(s.name), "sa-%08x", s.spi);
	idx = sad_add(dp.sad, &s, dp.cdev_id, dp.sess_pool, dp.n_workers > 1, err);
	explicit_bzero(&s, sizeof(s));
	if (idx < 0)
		return refuse(r, -EINVAL, "%s", err);
	/* the slot may have served an earlier SA: its counters start from here */
	sad_slot(dp.sad, idx)->cnt_base = dp_sa_counters(idx);
	return 0;
}

/* The SAD slot an SA delete frees, or -1 with the reply refused. */
static int
sa_del_check(const struct ctl_sa_ref *ref, struct ctl_reply *r)
{
	int idx, p;

	if (ref->dir > CFG_DIR_IN)
		return refuse(r, -EINVAL, "malformed SA reference");
	idx = sad_find(dp.sad, ref->spi, ref->dir);
	if (idx < 0)
		return refuse(r, -ENOENT, "no %s SA with SPI 0x%08x",
			      ref->dir == CFG_DIR_IN ? "inbound" : "outbound", ref->spi);
	p = dp_policy_using_sa(ref->spi, ref->dir);
	if (p >= 0)
		return refuse(r, -EBUSY, "SA 0x%08x is used by policy %s", ref->spi,
			      dp.policies[p].name);
	return idx;
}

/*
 * SA deletes of a batch are done after its SPD commit: the published
 * generation may still point at the SA (its policy deleted earlier in the
 * batch), and the slot's RCU grace period must start only once a generation
 * without it is published.  Checked on arrival against the edits before it;
 * a later request whose outcome depends on the delete flushes the batch first
 * (sa_del_pending), so the order the client sent is what happens.
 */
static struct {
	struct ctl_reply *r;
	struct ctl_sa_ref ref;
} sa_dels[CTL_MSGS_PER_POLL];
static uint16_t n_sa_dels;

static void
sa_del(const struct ctl_sa_ref *ref, struct ctl_reply *r)
{
	if (sa_del_check(ref, r) < 0)
		return;
	sa_dels[n_sa_dels].r = r;
	sa_dels[n_sa_dels].ref = *ref;
	n_sa_dels++;
}

static void
sa_dels_run(void)
{
	uint16_t i;
	int idx;

	for (i = 0; i < n_sa_dels; i++) {
		/* again: a failed commit has put back the policies deleted before it */
		idx = sa_del_check(&sa_dels[i].ref, sa_dels[i].r);
		if (idx >= 0)
			dp_defer_sa(idx, sad_unlink(dp.sad, idx));
	}
	n_sa_dels = 0;
}

static bool
sa_del_pending(uint32_t spi, enum cfg_direction dir)
{
	uint16_t i;

	for (i = 0; i < n_sa_dels; i++)
		if (sa_dels[i].ref.spi == spi && sa_dels[i].ref.dir == dir)
			return true;
	return false;
}

static bool
prefix_ok(const struct cfg_prefix *p)
{
	return (p->addr.family == AF_INET && p->len <= 32) ||
	       (p->addr.family == AF_INET6 && p->len <= 128);
}

static int
policy_add(const struct cfg_policy *p, struct ctl_reply *r)
{
	char err[CTL_ERR_LEN];
	int rc;

	if (!terminated(p->name, sizeof(p->name)) || p->name[0] == '\0' ||
	    p->dir > CFG_DIR_IN || p->action > CFG_SP_TRAP ||
	    (p->action == CFG_SP_TRAP && p->dir != CFG_DIR_OUT) || p->proto < -1 ||
	    p->proto > 255 || p->sport_lo > p->sport_hi || p->dport_lo > p->dport_hi)
		return refuse(r, -EINVAL, "malformed policy record");
	if (!prefix_ok(&p->src) || !prefix_ok(&p->dst) || p->src.addr.family != p->dst.addr.family)
		return refuse(r, -EINVAL, "policy %s: malformed selectors", p->name);
	rc = dp_policy_add(p, err, sizeof(err));
	return rc == 0 ? 0 : refuse(r, rc, "%s", err);
}

static int
policy_del(const struct ctl_policy_ref *ref, struct ctl_reply *r)
{
	char err[CTL_ERR_LEN];
	int rc;

	if (!terminated(ref->name, sizeof(ref->name)))
		return refuse(r, -EINVAL, "malformed policy name");
	rc = dp_policy_del(ref->name, err, sizeof(err));
	return rc == 0 ? 0 : refuse(r, rc, "%s", err);
}

static size_t
sa_list(const struct ctl_list_req *q, struct ctl_reply *r)
{
	struct ctl_sa_info *out = (struct ctl_sa_info *)(r + 1);
	size_t room = (sizeof(rep_buf) - sizeof(*r)) / sizeof(*out);
	uint32_t i, cap = sad_capacity(dp.sad);
	struct sa_counters c;

	for (i = q->cursor; i < cap && r->count < room; i++) {
		const struct sa *s = sad_slot(dp.sad, i);
		struct ctl_sa_info *e = &out[r->count];

		if (!s->live)
			continue;
		memset(e, 0, sizeof(*e));
		e->sa = s->cfg;
		explicit_bzero(e->sa.key, sizeof(e->sa.key));
		explicit_bzero(e->sa.salt, sizeof(e->sa.salt));
		explicit_bzero(e->sa.auth_key, sizeof(e->sa.auth_key));
		c = dp_sa_usage(s);
		e->packets = c.packets;
		e->bytes = c.bytes;
		e->drop_replay = c.drop_replay;
		e->drop_icv = c.drop_icv;
		e->expired = s->expired;
		r->count++;
	}
	r->next_cursor = i < cap ? i : 0;
	return r->count * sizeof(*out);
}

static size_t
policy_list(const struct ctl_list_req *q, struct ctl_reply *r)
{
	struct cfg_policy *out = (struct cfg_policy *)(r + 1);
	size_t room = (sizeof(rep_buf) - sizeof(*r)) / sizeof(*out);
	uint32_t i;

	for (i = q->cursor; i < dp.n_policies && r->count < room; i++)
		out[r->count++] = dp.policies[i];
	r->next_cursor = i < dp.n_policies ? i : 0;
	return r->count * sizeof(*out);
}

static size_t
events_list(const struct ctl_list_req *q, struct ctl_reply *r)
{
	struct ctl_event *out = (struct ctl_event *)(r + 1);
	size_t room = (sizeof(rep_buf) - sizeof(*r)) / sizeof(*out);

	r->count = dp_events_read(q->cursor, out, room);
	r->next_cursor = r->count ? (uint32_t)(out[r->count - 1].number + 1) : q->cursor;
	return r->count * sizeof(*out);
}

static const size_t body_size[] = {
	[CTL_SA_ADD] = sizeof(struct cfg_sa),
	[CTL_SA_DEL] = sizeof(struct ctl_sa_ref),
	[CTL_SA_LIST] = sizeof(struct ctl_list_req),
	[CTL_POLICY_ADD] = sizeof(struct cfg_policy),
	[CTL_POLICY_DEL] = sizeof(struct ctl_policy_ref),
	[CTL_POLICY_LIST] = sizeof(struct ctl_list_req),
	[CTL_EVENTS] = sizeof(struct ctl_list_req),
};

/* Request bodies, copied out of the datagram so each is properly aligned. */
union ctl_body {
	struct cfg_sa sa;
	struct ctl_sa_ref sa_ref;
	struct cfg_policy policy;
	struct ctl_policy_ref policy_ref;
	struct ctl_list_req list;
};

/* Handle one request datagram; returns the reply's length. */
static size_t
handle(const uint8_t *req, size_t n, struct ctl_reply *r)
{
	static union ctl_body body;
	struct ctl_hdr h;
	size_t extra = 0;

	memset(r, 0, sizeof(*r));
	r->hdr.version = CTL_VERSION;
	if (n < sizeof(h)) {
		refuse(r, -EBADMSG, "request shorter than its header");
		return sizeof(*r);
	}
	memcpy(&h, req, sizeof(h));
	r->hdr.op = h.op;
	r->hdr.seq = h.seq;
	if (h.version != CTL_VERSION) {
		refuse(r, -EPROTO, "protocol version %u, this data plane speaks %u", h.version,
		       CTL_VERSION);
		return sizeof(*r);
	}
	if (h.op == 0 || h.op >= RTE_DIM(body_size) || h.len != n - sizeof(h) ||
	    h.len != body_size[h.op]) {
		refuse(r, -EBADMSG, "malformed request (op %u, %zu bytes)", h.op, n);
		return sizeof(*r);
	}
	memcpy(&body, req + sizeof(h), h.len);
	switch (h.op) {
	case CTL_SA_ADD:
		sa_add(&body.sa, r);
		break;
	case CTL_SA_DEL:
		sa_del(&body.sa_ref, r);
		break;
	case CTL_SA_LIST:
		extra = sa_list(&body.list, r);
		break;
	case CTL_POLICY_ADD:
		policy_add(&body.policy, r);
		break;
	case CTL_POLICY_DEL:
		policy_del(&body.policy_ref, r);
		break;
	case CTL_POLICY_LIST:
		extra = policy_list(&body.list, r);
		break;
	case CTL_EVENTS:
		extra = events_list(&body.list, r);
		break;
	}
	explicit_bzero(&body, sizeof(body)); /* SA keys */
	r->hdr.len = sizeof(*r) - sizeof(r->hdr) + extra;
	return sizeof(*r) + extra;
}

static void
accept_clients(void)
{
	int fd;

	while ((fd = accept4(ctl_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (n_clients == CTL_MAX_CLIENTS) {
			close(fd); /* the client sees the connection closed */
			continue;
		}
		clients[n_clients++] = fd;
	}
}

/*
 * Policy edits and SA adds and deletes of one batch are answered together
 * after a single SPD build, so a client that pipelines its requests gets
 * thousands of edits a second.  Any other request (lists, events) first
 * flushes the batch: its answer must see the edits.
 */
static struct ctl_reply batch[CTL_MSGS_PER_POLL];
static uint16_t n_batch;

/*
 * A pipelining client can have more replies due than its socket buffer holds;
 * give it a short while to read them.  One that does not is dropped, so a
 * stuck client holds the main lcore for at most CTL_SEND_WAIT_MS.
 */
#define CTL_SEND_WAIT_MS 200

static bool
send_reply(int fd, const void *r, size_t len)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	ssize_t n;

	for (;;) {
		n = send(fd, r, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n == (ssize_t)len)
			return true;
		if (n >= 0 || (errno != EAGAIN && errno != EINTR))
			return false;
		if (poll(&p, 1, CTL_SEND_WAIT_MS) <= 0)
			return false;
	}
}

static bool
flush_batch(int fd)
{
	char err[CTL_ERR_LEN];
	bool ok = true;
	uint16_t i;

	if (dp_policies_commit(err, sizeof(err)) != 0)
		for (i = 0; i < n_batch; i++)
			if (batch[i].status == 0 && (batch[i].hdr.op == CTL_POLICY_ADD ||
						     batch[i].hdr.op == CTL_POLICY_DEL))
				refuse(&batch[i], -ENOMEM, "%s", err);
	sa_dels_run();
	for (i = 0; i < n_batch && ok; i++)
		ok = send_reply(fd, &batch[i], sizeof(batch[i]));
	n_batch = 0;
	return ok;
}

static bool
is_batched(const uint8_t *req, size_t n)
{
	const struct ctl_hdr *h = (const struct ctl_hdr *)req;

	return n >= sizeof(*h) && (h->op == CTL_POLICY_ADD || h->op == CTL_POLICY_DEL ||
				   h->op == CTL_SA_ADD || h->op == CTL_SA_DEL);
}

/* An SA add or a policy add naming an SA whose delete waits in the batch. */
static bool
depends_on_sa_del(const uint8_t *req, size_t n)
{
	const struct ctl_hdr *h = (const struct ctl_hdr *)req;
	const uint8_t *body = req + sizeof(*h);
	enum cfg_direction dir;
	uint32_t spi;

	if (n_sa_dels == 0)
		return false;
	if (h->op == CTL_SA_ADD && n == sizeof(*h) + sizeof(struct cfg_sa)) {
		memcpy(&spi, body + offsetof(struct cfg_sa, spi), sizeof(spi));
		memcpy(&dir, body + offsetof(struct cfg_sa, dir), sizeof(dir));
	} else if (h->op == CTL_POLICY_ADD && n == sizeof(*h) + sizeof(struct cfg_policy)) {
		memcpy(&spi, body + offsetof(struct cfg_policy, spi), sizeof(spi));
		memcpy(&dir, body + offsetof(struct cfg_policy, dir), sizeof(dir));
	} else {
		return false;
	}
	return sa_del_pending(spi, dir);
}

/* Serve one client; false when it has gone. */
static bool
serve(int fd)
{
	struct ctl_reply *r = (struct ctl_reply *)rep_buf;
	bool alive = true;
	ssize_t n;
	size_t len, got;
	int i;

	for (i = 0; i < CTL_MSGS_PER_POLL; i++) {
		n = recv(fd, req_buf, sizeof(req_buf), MSG_DONTWAIT | MSG_TRUNC);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			alive = false;
			break;
		}
		if (n < 0)
			break;
		got = (size_t)n > sizeof(req_buf) ? 0 : (size_t)n;
		if (is_batched(req_buf, got)) {
			if (depends_on_sa_del(req_buf, got) && !flush_batch(fd))
				alive = false;
			handle(req_buf, got, &batch[n_batch++]);
		} else {
			if (!flush_batch(fd))
				alive = false;
			len = handle(req_buf, got, r);
			if (alive && !send_reply(fd, rep_buf, len))
				alive = false;
		}
		explicit_bzero(req_buf, RTE_MIN((size_t)n, sizeof(req_buf)));
		if (!alive)
			break;
	}
	/* the edits stand even if their client left before hearing so */
	return flush_batch(fd) && alive;
}

void
dp_ctl_poll(void)
{
	uint16_t i = 0;

	if (ctl_fd < 0)
		return;
	accept_clients();
	while (i < n_clients) {
		if (serve(clients[i])) {
			i++;
			continue;
		}
		close(clients[i]);
		clients[i] = clients[--n_clients];
	}
}
