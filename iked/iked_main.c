/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secgw-ike: the IKEv2 daemon.  Plain UDP sockets on 500 and 4500 of each
 * connection's local address (IPv4), or with --via-dp the data plane's ports
 * (IKE relayed by secgw-dp, iked_relay.h); the transport-free state machine
 * of ike/ike_sa.h, and the control channel to a running secgw-dp for the
 * negotiated Child SAs.
 *
 *   secgw-ike -c FILE [--dp PREFIX [--via-dp] | --dp-sock PATH] [--ctl PATH] [-v]
 *             [--debug-keys]
 *
 * One thread, one poll loop: datagrams in, the SA they belong to (by SPIs, or
 * a new responder SA for an IKE_SA_INIT request from a configured peer),
 * datagrams out; retransmission timers; state changes logged at info level
 * with the IKE SPIs.  Keys are printed only with --debug-keys (tests compare
 * them with the peer's).
 *
 * A `start: initiate` connection whose IKE SA fails or is deleted is
 * initiated again after RETRY_MS; a `start: trap` one when the data plane
 * reports traffic for it (iked_trap.h).  At exit it deletes its IKE SAs
 * (INFORMATIONAL Delete) and removes their Child SAs from the data plane.
 *
 * IKE SA rekeying (ike_rekey_time, ike/ike_sa_rekey_ike.c, by either side): the
 * new IKE SA gets a new table entry (its SPIs) and takes over the old entry's
 * installed Child SAs as they are, so the data plane never sees a change.
 *
 * Dead peer detection (dpd_delay, ike/ike_sa_dpd.c) and NAT keepalives
 * (keepalive, RFC 3948 §2.3) per connection.  The control socket for secgwctl
 * ike list/initiate/terminate (iked_ctl.h) sits beside secgw-dp's with --dp,
 * or at --ctl PATH.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "config_conn.h"
#include "config_ike.h"
#include "ctl_client.h"
#include "ike_msg.h"
#include "ike_natt.h"
#include "ike_sa.h"
#include "iked_admit.h"
#include "iked_ctl.h"
#include "iked_dp.h"
#include "iked_relay.h"
#include "iked_trap.h"

#define MAX_SOCKS 64
#define MAX_SAS 1024
#define DELETE_WAIT_MS 1500 /* for the peers' answers to our Deletes at exit */
#define REKEY_RETRY_MS 2000 /* our Child SA rekey could not start or was refused */
#define POLICY_PRIO 1000    /* the SPD's default; rekeyed Child SAs move from it */
#define PRIO_MAX 0x7fffffffu /* the config's bound */
#define RETRY_MS 10000      /* start: initiate connections without an IKE SA try again */
#define REDUNDANT_WAIT_MS 5000 /* for the peer's Delete of its redundant IKE SA (§2.8.2) */
#define EVENTS_MS 200       /* how often the data plane's events are read */

/* Drops before any SA is found, by name (the SAs count their own). */
#define IKED_DROPS(X)                                                                      \
	X(SHORT, "too_short")                                                              \
	X(BAD_HEADER, "bad_header")                                                        \
	X(ESP_ON_4500, "esp_on_4500")       /* ESP belongs to the data plane, not here */  \
	X(KEEPALIVE, "nat_keepalive")                                                      \
	X(UNKNOWN_SA, "unknown_sa")                                                        \
	X(UNKNOWN_PEER, "unknown_peer")                                                    \
	X(TABLE_FULL, "sa_table_full")

enum iked_drop {
#define IKED_DROP_ENUM(id, name) IKED_DROP_##id,
	IKED_DROPS(IKED_DROP_ENUM)
#undef IKED_DROP_ENUM
	IKED_DROP_COUNT
};
static const char *const iked_drop_names[] = {
#define IKED_DROP_NAME(id, name) name,
	IKED_DROPS(IKED_DROP_NAME)
#undef IKED_DROP_NAME
};

struct sock {
	int fd;
	uint32_t ip; /* network order */
	uint16_t port;
	bool relay;  /* the data plane's relay socket: ip and port come with each datagram */
};

/* What one Child SA of an IKE SA (ike_sa_child_n) has in the data plane. */
struct kid {
	bool installed;
	struct ike_child_sa child; /* what we installed, to remove it again */
	/* Rekeying, make before break: the replaced Child SA stays installed
	 * until the IKE SA has seen the old pair deleted on both sides. */
	bool old_installed;
	struct ike_child_sa old;
	uint32_t prio_out, prio_in; /* of child's policies (switch_child) */
	uint64_t rekey_at;         /* when we rekey child (ms), 0 never */
};

struct entry {
	struct ike_sa *sa;
	const struct cfg_conn *conn;
	struct kid kids[IKE_CHILDREN_MAX];
	uint64_t ike_rekey_at;     /* when we rekey the IKE SA (ms), 0 not armed */
	enum ike_sa_state logged;
	bool terminated;   /* by the operator: no retry */
	uint64_t ka_at;    /* next NAT keepalive */
};

static struct {
	int verbose;
	bool debug_keys;
	struct cfg_conn *conns;
	size_t n_conns;
	uint64_t *retry_at; /* per connection: when to initiate again, 0 = not due */
	struct sock socks[MAX_SOCKS];
	size_t n_socks;
	struct entry sas[MAX_SAS];
	size_t n_sas;
	struct ctl_client ctl;
	bool have_ctl;
	const char *relay_prefix; /* --via-dp: the data plane whose ports carry IKE */
	uint64_t drops[IKED_DROP_COUNT];
	uint32_t ev_cursor;  /* the data plane's next event number */
	uint64_t ev_at;      /* when to read them next */
	bool have_traps;
	/* Whether anything wants the data plane's events (traps, volume limits):
	 * reading them blocks while secgw-dp stalls, so only then. */
	bool want_events;
	struct iked_ctl ctlsock; /* secgwctl ike ... */
	bool have_ctlsock;
	bool events_ok;      /* the last read of them worked */
	struct iked_admit admit; /* new responder SAs: COOKIEs, half-open limits */
} g = {.events_ok = true};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void logf_(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(int level, const char *fmt, ...)
{
	static const char *const names[] = {"error", "info", "debug"};
	struct timespec ts;
	va_list ap;

	if (level > 1 + g.verbose)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(stderr, "%lld.%03ld secgw-ike %s: ", (long long)ts.tv_sec, ts.tv_nsec / 1000000,
		names[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

static void sa_log(void *ctx, int level, const char *msg)
{
	(void)ctx;
	logf_(level, "%s", msg);
}

static const struct ike_env env = {NULL, sa_log, NULL};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int open_sock(uint32_t ip, uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = ip};
	char s[INET_ADDRSTRLEN];

	for (size_t i = 0; i < g.n_socks; i++)
		if (g.socks[i].ip == ip && g.socks[i].port == port)
			return 0;
	if (g.n_socks == MAX_SOCKS)
		return -1;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		logf_(0, "cannot bind %s:%u: %s", inet_ntop(AF_INET, &ip, s, sizeof(s)), port,
		      strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	g.socks[g.n_socks++] = (struct sock){fd, ip, port, false};
	return 0;
}

static void send_dgram(uint32_t local_ip, const struct ike_dgram *d)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(d->remote_port),
				 .sin_addr.s_addr = d->remote_ip};

	if (g.relay_prefix != NULL) {
		if (iked_relay_send(g.socks[0].fd, g.relay_prefix, local_ip, d) < 0)
			logf_(0, "relay to the data plane: %s", strerror(errno));
		return;
	}
	for (size_t i = 0; i < g.n_socks; i++) {
		if (g.socks[i].ip == local_ip && g.socks[i].port == d->local_port) {
			if (sendto(g.socks[i].fd, d->buf, d->len, 0, (struct sockaddr *)&to,
				   sizeof(to)) < 0)
				logf_(0, "sendto: %s", strerror(errno));
			return;
		}
	}
	logf_(0, "no socket for local port %u", d->local_port);
}

/* out, and the further datagrams of the same message (IKE fragments). */
static void send_all(struct entry *e, struct ike_dgram *out)
{
	do
		send_dgram(e->conn->ike.local_ip, out);
	while (ike_sa_next_out(e->sa, out) == 1);
}

static void hexs(char *out, const struct ike_key *k)
{
	for (size_t i = 0; i < k->len; i++)
		sprintf(out + 2 * i, "%02x", k->b[i]);
	out[2 * k->len] = '\0';
}

static void log_child(const struct entry *e, const struct ike_child_sa *c)
{
	char ei[2 * IKE_KEY_MAX + 1], ai[2 * IKE_KEY_MAX + 1];
	char eo[2 * IKE_KEY_MAX + 1], ao[2 * IKE_KEY_MAX + 1];

	logf_(1, "%s: Child SA installed: spi_in 0x%08x spi_out 0x%08x encr %u/%u integ %u dh %u%s "
	      "(ports %u -> %u)", e->conn->ike.name, c->spi_in, c->spi_out, c->encr,
	      c->encr_key_bits, c->integ, c->dh, c->udp_encap ? " udp_encap" : "", c->local_port,
	      c->remote_port);
	if (!g.debug_keys)
		return;
	hexs(ei, &c->encr_in);
	hexs(ai, &c->integ_in);
	hexs(eo, &c->encr_out);
	hexs(ao, &c->integ_out);
	/* Only on request: these are live keys. */
	fprintf(stderr, "CHILD-KEYS conn=%s spi_in=%08x spi_out=%08x encr_in=%s integ_in=%s "
		"encr_out=%s integ_out=%s\n", e->conn->ike.name, c->spi_in, c->spi_out, ei, ai, eo,
		ao);
	fflush(stderr);
}

static void uninstall_old(struct entry *e, struct kid *d)
{
	if (!d->old_installed)
		return;
	iked_dp_remove(g.have_ctl ? &g.ctl : NULL, &d->old);
	logf_(1, "%s: old Child SA removed: spi_in 0x%08x spi_out 0x%08x", e->conn->ike.name,
	      d->old.spi_in, d->old.spi_out);
	OPENSSL_cleanse(&d->old, sizeof(d->old));
	d->old_installed = false;
}

static void uninstall_kid(struct entry *e, struct kid *d)
{
	uninstall_old(e, d);
	if (!d->installed)
		return;
	iked_dp_remove(g.have_ctl ? &g.ctl : NULL, &d->child);
	logf_(1, "%s: Child SA removed: spi_in 0x%08x spi_out 0x%08x", e->conn->ike.name,
	      d->child.spi_in, d->child.spi_out);
	OPENSSL_cleanse(&d->child, sizeof(d->child));
	d->installed = false;
}

static void uninstall(struct entry *e)
{
	for (size_t k = 0; k < IKE_CHILDREN_MAX; k++)
		uninstall_kid(e, &e->kids[k]);
}

/* A Child SA was installed: our rekey of it is due rekey_time from now. */
static void arm_rekey(struct entry *e, struct kid *d)
{
	d->rekey_at = e->conn->rekey_time != 0 ? now_ms() + 1000ull * e->conn->rekey_time : 0;
}

/*
 * The IKE SA switched to a new Child SA (a rekey by either side): install it
 * next to the old one, whose removal waits for the Delete (settle).  The data
 * plane accepts an inbound packet only under the policy that wins for it, so
 * the winner in each direction follows the peer: the new inbound policy
 * ranks below the old one (the peer sends on the old SA until it has our
 * Delete, or until it has sent its own) and wins when the old one goes; the
 * new outbound policy wins at once when we rekeyed (the peer's answer means
 * its new inbound SA is in), and only once the old one goes when the peer did
 * (its new inbound SA is in once our answer arrived; strongSwan does the same).
 */
static void switch_child(struct entry *e, size_t k, const struct ike_child_sa *c)
{
	char err[CFG_ERR_MAX];
	struct kid *d = &e->kids[k];
	bool ours = ike_sa_rekey_ours_n(e->sa, k);
	uint32_t p_out = ours ? (d->prio_out > 1 ? d->prio_out - 1 : d->prio_out)
			      : (d->prio_out < PRIO_MAX ? d->prio_out + 1 : d->prio_out);
	uint32_t p_in = d->prio_in < PRIO_MAX ? d->prio_in + 1 : d->prio_in;

	uninstall_old(e, d); /* a previous switch left unfinished */
	if (iked_dp_install(g.have_ctl ? &g.ctl : NULL, c, &e->conn->child_life, p_out, p_in, err,
			    sizeof(err)) < 0) {
		logf_(0, "%s: cannot install the rekeyed Child SA: %s", e->conn->ike.name, err);
		return;
	}
	d->old = d->child;
	d->old_installed = true;
	d->child = *c;
	d->prio_out = p_out;
	d->prio_in = p_in;
	log_child(e, c);
	arm_rekey(e, d);
}

/* Child SA k of e into the data plane as the IKE SA has it now. */
static void settle_kid(struct entry *e, size_t k)
{
	const struct ike_child_sa *c = ike_sa_child_n(e->sa, k);
	struct kid *d = &e->kids[k];
	char err[CFG_ERR_MAX];

	if (c != NULL && !d->installed) {
		/* A newer IKE SA of the same connection replaces the older ones' children. */
		for (size_t i = 0; k == 0 && i < g.n_sas; i++)
			if (&g.sas[i] != e && g.sas[i].conn == e->conn)
				uninstall(&g.sas[i]);
		if (iked_dp_install(g.have_ctl ? &g.ctl : NULL, c, &e->conn->child_life, POLICY_PRIO,
				    POLICY_PRIO, err, sizeof(err)) < 0) {
			logf_(0, "%s: cannot install the Child SA: %s", e->conn->ike.name, err);
		} else {
			d->child = *c;
			d->installed = true;
			d->prio_out = d->prio_in = POLICY_PRIO;
			log_child(e, c);
			arm_rekey(e, d);
		}
	} else if (c != NULL && d->installed && c->spi_in != d->child.spi_in) {
		switch_child(e, k, c);
	} else if (c == NULL && d->installed) {
		uninstall_kid(e, d);
	}
	if (d->old_installed && ike_sa_old_child_n(e->sa, k) == NULL)
		uninstall_old(e, d);
}

/* As the IKE SA's initiator, ask for the connection's further Child SAs
 * (children:) once the first is up, one at a time. */
static void more_children(struct entry *e, uint64_t now)
{
	static struct ike_dgram out;

	if (ike_sa_role(e->sa) == IKE_ROLE_INITIATOR && ike_sa_child(e->sa) != NULL &&
	    ike_sa_next_child(e->sa, now, &out) == 1)
		send_all(e, &out);
}

/* After every event: install new Child SAs, remove lost ones, free dead SAs. */
static void settle(struct entry *e)
{
	for (size_t k = 0; k < IKE_CHILDREN_MAX; k++)
		settle_kid(e, k);
	more_children(e, now_ms());
	if (e->ike_rekey_at == 0 && e->conn->ike_rekey_time != 0 &&
	    ike_sa_state(e->sa) == IKE_SA_ESTABLISHED && !ike_sa_rekeyed(e->sa))
		e->ike_rekey_at = now_ms() + 1000ull * e->conn->ike_rekey_time;
}

/* Our rekey_time elapsed: CREATE_CHILD_SA.  While the IKE SA cannot start one
 * (a request outstanding, a switch unfinished, the peer's TEMPORARY_FAILURE)
 * try again shortly; the new Child SA re-arms the timer (settle). */
static void rekey_due(struct entry *e, uint64_t now)
{
	static struct ike_dgram out;

	for (size_t k = 0; k < IKE_CHILDREN_MAX; k++) {
		struct kid *d = &e->kids[k];

		if (d->rekey_at == 0 || now < d->rekey_at || !d->installed)
			continue;
		d->rekey_at = now + REKEY_RETRY_MS;
		if (ike_sa_rekey_child_n(e->sa, k, now, &out) == 1)
			send_all(e, &out);
	}	more_children(e, now); /* one that found the SA busy */
}

/* The data plane's lifetime event for a half of a current Child SA
 * (life_bytes / life_packets): rekey it now.  At a soft limit; a hard one
 * means the old pair already refuses traffic. */
static void lifetime_event(const struct ctl_event *ev, uint64_t now)
{
	static const char *const limits[] = {"?", "bytes", "packets", "seconds"};
	bool in = ev->dir == CFG_DIR_IN;

	for (size_t i = 0; i < g.n_sas; i++) {
		for (size_t k = 0; k < IKE_CHILDREN_MAX; k++) {
			struct entry *e = &g.sas[i];
			struct kid *d = &e->kids[k];

			if (!d->installed || ev->spi != (in ? d->child.spi_in : d->child.spi_out))
				continue;
			logf_(1, "%s: Child SA spi_%s 0x%08x reached its %s %s limit: rekeying",
			      e->conn->ike.name, in ? "in" : "out", ev->spi,
			      ev->kind == CTL_EV_SOFT_EXPIRE ? "soft" : "hard",
			      limits[ev->limit <= CTL_LIMIT_SECONDS ? ev->limit : 0]);
			d->rekey_at = now;
			rekey_due(e, now);
		}
	}
}

/* Our ike_rekey_time elapsed: CREATE_CHILD_SA for the IKE SA; retried shortly
 * while the SA is busy.  The new IKE SA's entry arms its own timer.  The
 * redundant IKE SA of a collision instead waits REDUNDANT_WAIT_MS for the
 * peer's Delete: a peer that missed the collision (strongSwan when our Delete
 * of the old SA overtakes its answer) has no such SA, so it is dropped. */
static void ike_rekey_due(struct entry *e, uint64_t now)
{
	static struct ike_dgram out;

	if (ike_sa_redundant(e->sa) && ike_sa_state(e->sa) == IKE_SA_ESTABLISHED) {
		if (e->ike_rekey_at == 0 || e->ike_rekey_at > now + REDUNDANT_WAIT_MS)
			e->ike_rekey_at = now + REDUNDANT_WAIT_MS;
		if (now >= e->ike_rekey_at) {
			logf_(1, "%s: the peer never deleted its redundant IKE SA: dropped",
			      e->conn->ike.name);
			ike_sa_abort(e->sa);
		}
		return;
	}
	if (e->ike_rekey_at == 0 || now < e->ike_rekey_at)
		return;
	if (ike_sa_rekeyed(e->sa) || ike_sa_state(e->sa) != IKE_SA_ESTABLISHED) {
		e->ike_rekey_at = 0;
		return;
	}
	e->ike_rekey_at = now + REKEY_RETRY_MS;
	if (ike_sa_rekey_ike(e->sa, now, &out) == 1)
		send_all(e, &out);
}

static void reap(void)
{
	for (size_t i = 0; i < g.n_sas;) {
		struct entry *e = &g.sas[i];

		if (ike_sa_state(e->sa) != IKE_SA_DEAD) {
			i++;
			continue;
		}
		uninstall(e);
		if (e->conn->initiate && !stop && !e->terminated)
			g.retry_at[e->conn - g.conns] = now_ms() + RETRY_MS;
		const uint64_t *d = ike_sa_drops(e->sa);
		for (size_t k = 0; k < IKE_SA_DROP_COUNT; k++)
			if (d[k] != 0)
				logf_(2, "%s: %s = %llu", e->conn->ike.name, ike_sa_drop_name(k),
				      (unsigned long long)d[k]);
		ike_sa_free(e->sa);
		g.sas[i] = g.sas[--g.n_sas];
		memset(&g.sas[g.n_sas], 0, sizeof(g.sas[0]));
	}
}

/* A table entry for sa, which it owns from now on (freed when it cannot). */
static struct entry *add_entry(const struct cfg_conn *c, struct ike_sa *sa)
{
	if (g.n_sas == MAX_SAS) {
		g.drops[IKED_DROP_TABLE_FULL]++;
		ike_sa_free(sa);
		return NULL;
	}
	g.sas[g.n_sas] = (struct entry){.sa = sa, .conn = c};
	return &g.sas[g.n_sas++];
}

static struct entry *add_sa(const struct cfg_conn *c, enum ike_role role)
{
	struct ike_sa *sa;

	if (ike_sa_new(&c->ike, role, &env, &sa) != 0)
		return NULL;
	return add_entry(c, sa);
}

/*
 * The IKE SA of e was rekeyed: each new IKE SA gets its own entry (found by
 * its SPIs), and the one that holds the Child SA takes over what e installed,
 * policies and timers included, so nothing in the data plane changes.  e
 * stays until its Delete is done, with nothing installed and no retry.
 */
static void adopt_successors(struct entry *e)
{
	struct ike_sa *sa;

	while ((sa = ike_sa_take_successor(e->sa)) != NULL) {
		struct entry *n = add_entry(e->conn, sa);

		if (n == NULL)
			continue;
		/* Without the Child SA: the redundant one of a collision (§2.8), deleted soon. */
		logf_(1, "%s: IKE SA %016llx/%016llx %s %016llx/%016llx", e->conn->ike.name,
		      (unsigned long long)ike_sa_spi_i(sa), (unsigned long long)ike_sa_spi_r(sa),
		      ike_sa_child(sa) != NULL ? "replaces" : "(no Child SA) rekeys",
		      (unsigned long long)ike_sa_spi_i(e->sa),
		      (unsigned long long)ike_sa_spi_r(e->sa));
		if (ike_sa_child(sa) == NULL)
			continue;
		memcpy(n->kids, e->kids, sizeof(n->kids));
		OPENSSL_cleanse(e->kids, sizeof(e->kids));
	}
	if (ike_sa_rekeyed(e->sa))
		e->terminated = true; /* its death is not a connection failure */
}

static struct entry *find_sa(const struct ike_hdr *h, uint32_t src)
{
	for (size_t i = 0; i < g.n_sas; i++) {
		struct ike_sa *sa = g.sas[i].sa;
		uint64_t r = ike_sa_spi_r(sa);

		if (ike_sa_spi_i(sa) != h->ispi)
			continue;
		/* SPIi alone names our initiator SAs while SPIr is unknown, and a
		 * responder's retransmitted IKE_SA_INIT request (SPIr 0). */
		if (r == h->rspi || r == 0 || (h->rspi == 0 && g.sas[i].conn->ike.remote_ip == src))
			return &g.sas[i];
	}
	return NULL;
}

static const struct cfg_conn *find_conn(uint32_t local, uint32_t remote)
{
	for (size_t i = 0; i < g.n_conns; i++)
		if (g.conns[i].ike.local_ip == local && g.conns[i].ike.remote_ip == remote)
			return &g.conns[i];
	return NULL;
}

/* Responder SAs not yet established: in all, and those of peer address src. */
static size_t half_open(uint32_t src, size_t *from_src)
{
	struct ike_sa_info in;
	size_t n = 0;

	*from_src = 0;
	for (size_t i = 0; i < g.n_sas; i++) {
		enum ike_sa_state st = ike_sa_state(g.sas[i].sa);

		if (ike_sa_role(g.sas[i].sa) != IKE_ROLE_RESPONDER || st == IKE_SA_ESTABLISHED ||
		    st == IKE_SA_DEAD)
			continue;
		n++;
		ike_sa_query(g.sas[i].sa, &in);
		*from_src += in.remote_ip == src;
	}
	return n;
}

/* Whether an IKE_SA_INIT request no SA knows may have one (iked_admit.h). */
static bool admit(uint32_t local_ip, uint16_t local_port, uint32_t src, uint16_t sport,
		  const uint8_t *msg, size_t len)
{
	static struct ike_dgram reply;
	size_t from_src, n = half_open(src, &from_src);

	switch (iked_admit_check(&g.admit, msg, len, src, sport, local_port, n, from_src, now_ms(),
				 &reply)) {
	case IKED_ADMIT:
		return true;
	case IKED_COOKIE:
		send_dgram(local_ip, &reply);
		return false;
	default:
		logf_(2, "IKE_SA_INIT dropped: %zu half-open, %zu from its address", n, from_src);
		return false;
	}
}

/* One datagram from remote src:sport to our local_ip:local_port, either transport. */
static void handle(uint32_t local_ip, uint16_t local_port, uint32_t src, uint16_t sport,
		   const uint8_t *buf, size_t n)
{
	static struct ike_dgram out;
	struct ike_hdr h;
	const uint8_t *msg = buf;
	size_t len = n;

	if (local_port == IKE_NATT_PORT) {
		switch (ike_udp4500_classify(buf, len)) {
		case IKE_UDP4500_IKE:
			msg += IKE_NON_ESP_MARKER_LEN;
			len -= IKE_NON_ESP_MARKER_LEN;
			break;
		case IKE_UDP4500_KEEPALIVE:
			g.drops[IKED_DROP_KEEPALIVE]++;
			return;
		case IKE_UDP4500_ESP:
			g.drops[IKED_DROP_ESP_ON_4500]++;
			return;
		default:
			g.drops[IKED_DROP_SHORT]++;
			return;
		}
	}
	if (ike_hdr_decode(msg, len, &h) != IKE_MSG_E_OK) {
		g.drops[IKED_DROP_BAD_HEADER]++;
		return;
	}
	struct entry *e = find_sa(&h, src);
	if (e == NULL) {
		const struct cfg_conn *c = find_conn(local_ip, src);

		if (h.exchange != IKE_EXCH_SA_INIT || h.rspi != 0 ||
		    (h.flags & (IKE_FLAG_RESPONSE | IKE_FLAG_INITIATOR)) != IKE_FLAG_INITIATOR) {
			g.drops[IKED_DROP_UNKNOWN_SA]++;
			return;
		}
		if (c == NULL) {
			g.drops[IKED_DROP_UNKNOWN_PEER]++;
			logf_(2, "IKE_SA_INIT from an unknown peer dropped");
			return;
		}
		if (!admit(local_ip, local_port, src, sport, msg, len))
			return;
		e = add_sa(c, IKE_ROLE_RESPONDER);
		if (e == NULL)
			return;
	}
	int rc = ike_sa_input(e->sa, msg, len, src, sport, local_port, now_ms(), &out);
	size_t first_new = g.n_sas;
	adopt_successors(e);
	/* Install first: the peer may send on a new Child SA as soon as it has
	 * our answer (or our Delete of the old one). */
	settle(e);
	for (size_t i = first_new; i < g.n_sas; i++)
		settle(&g.sas[i]);
	if (rc == 1)
		send_all(e, &out);
}

static void receive(const struct sock *s)
{
	static uint8_t buf[IKE_DGRAM_MAX + IKE_NON_ESP_MARKER_LEN + 64];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	struct iked_relay_rx rx;

	if (s->relay) {
		if (iked_relay_recv(s->fd, buf, sizeof(buf), &rx) == 1)
			handle(rx.dst, rx.dport, rx.src, rx.sport, rx.payload, rx.len);
		return;
	}
	ssize_t n = recvfrom(s->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
	if (n <= 0)
		return;
	handle(s->ip, s->port, from.sin_addr.s_addr, ntohs(from.sin_port), buf, (size_t)n);
}

static void initiate(const struct cfg_conn *c)
{
	static struct ike_dgram out;
	struct entry *e = add_sa(c, IKE_ROLE_INITIATOR);

	if (e != NULL && ike_sa_start(e->sa, now_ms(), &out) == 1)
		send_all(e, &out);
}

/* start: initiate connections keep one IKE SA: a new one RETRY_MS after the last died. */
static void retry_due(uint64_t now)
{
	for (size_t k = 0; k < g.n_conns; k++) {
		if (g.retry_at[k] == 0 || now < g.retry_at[k])
			continue;
		bool alive = false;
		for (size_t i = 0; i < g.n_sas; i++)
			alive |= g.sas[i].conn == &g.conns[k];
		g.retry_at[k] = 0;
		if (!alive) {
			logf_(1, "%s: initiating again", g.conns[k].ike.name);
			initiate(&g.conns[k]);
		}
	}
}

/* An acquire from the data plane (start: trap): initiate, or, when the
 * connection's IKE SA is up but lost its Child SA (the peer deleted it), ask
 * it for a new one; an IKE SA still negotiating brings its Child SA itself. */
static void acquire(const struct ctl_event *ev)
{
	static struct ike_dgram out;
	const struct cfg_conn *c = iked_trap_match(g.conns, g.n_conns, ev);
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];

	if (c == NULL)
		return;
	inet_ntop(AF_INET, ev->src, src, sizeof(src));
	inet_ntop(AF_INET, ev->dst, dst, sizeof(dst));
	for (size_t i = 0; i < g.n_sas; i++) {
		struct entry *e = &g.sas[i];

		if (e->conn != c)
			continue;
		if (ike_sa_create_child(e->sa, now_ms(), &out) == 1) {
			logf_(1, "%s: acquire for %s -> %s (proto %u): new Child SA", c->ike.name,
			      src, dst, ev->proto);
			send_all(e, &out);
		}
		return;
	}
	logf_(1, "%s: acquire for %s -> %s (proto %u): initiating", c->ike.name, src, dst,
	      ev->proto);
	initiate(c);
}

static void events_due(uint64_t now)
{
	static struct ctl_event ev[CTL_EVENTS_PAGE];
	bool was_ok = g.events_ok;

	if (!g.want_events || now < g.ev_at)
		return;
	g.ev_at = now + EVENTS_MS;
	int n = ctl_events(&g.ctl, &g.ev_cursor, ev);
	g.events_ok = n >= 0;
	if (!g.events_ok && was_ok) /* one message per outage, not one per read */
		logf_(0, "reading the data plane's events: %s", g.ctl.err);
	for (int i = 0; i < n; i++) {
		if (ev[i].kind == CTL_EV_ACQUIRE)
			acquire(&ev[i]);
		else
			lifetime_event(&ev[i], now);
	}
}

/* ---- secgwctl ike ... (iked_ctl.h) ---- */

static void ctl_list(void *ctx, struct iked_ctl_reply *r)
{
	(void)ctx;
	for (size_t i = 0; i < g.n_sas; i++)
		iked_ctl_put_sa(r, g.sas[i].conn->ike.name, g.sas[i].sa);
}

static void ctl_stats(void *ctx, struct iked_ctl_reply *r)
{
	size_t from_src;

	(void)ctx;
	iked_ctl_printf(r, "stats sas=%zu half_open=%zu", g.n_sas, half_open(0, &from_src));
	for (size_t k = 0; k < IKED_ADMIT_STAT_COUNT; k++)
		iked_ctl_printf(r, " %s=%llu", iked_admit_stat_name(k),
				(unsigned long long)g.admit.stats[k]);
	for (size_t k = 0; k < IKED_DROP_COUNT; k++)
		iked_ctl_printf(r, " %s=%llu", iked_drop_names[k], (unsigned long long)g.drops[k]);
	iked_ctl_printf(r, "\n");
}

static const struct cfg_conn *conn_named(const char *name, char *err, size_t err_len)
{
	for (size_t k = 0; k < g.n_conns; k++)
		if (strcmp(g.conns[k].ike.name, name) == 0)
			return &g.conns[k];
	snprintf(err, err_len, "no connection named %s", name);
	return NULL;
}

static int ctl_initiate(void *ctx, const char *name, char *err, size_t err_len)
{
	const struct cfg_conn *c = conn_named(name, err, err_len);

	(void)ctx;
	if (c == NULL)
		return -1;
	for (size_t i = 0; i < g.n_sas; i++) {
		if (g.sas[i].conn == c && ike_sa_state(g.sas[i].sa) != IKE_SA_DEAD) {
			snprintf(err, err_len, "%s already has an IKE SA", name);
			return -1;
		}
	}
	logf_(1, "%s: initiating (secgwctl)", name);
	initiate(c);
	return 0;
}

static int ctl_terminate(void *ctx, const char *name, char *err, size_t err_len)
{
	static struct ike_dgram out;
	const struct cfg_conn *c = conn_named(name, err, err_len);
	size_t n = 0;

	(void)ctx;
	if (c == NULL)
		return -1;
	for (size_t i = 0; i < g.n_sas; i++) {
		struct entry *e = &g.sas[i];

		if (e->conn != c)
			continue;
		e->terminated = true;
		n++;
		if (ike_sa_delete(e->sa, now_ms(), &out) == 1)
			send_all(e, &out);
		else
			ike_sa_abort(e->sa);
	}
	if (n == 0) {
		snprintf(err, err_len, "%s has no IKE SA", name);
		return -1;
	}
	g.retry_at[c - g.conns] = 0;
	logf_(1, "%s: terminating (secgwctl)", name);
	return 0;
}

/* RFC 3948 §2.3: one 0xFF byte to the peer's 4500 while we are behind a NAT. */
static uint64_t keepalive(struct entry *e, uint64_t now)
{
	static struct ike_dgram ka;
	struct ike_sa_info in;

	if (e->conn->ike.keepalive_s == 0 || ike_sa_state(e->sa) != IKE_SA_ESTABLISHED)
		return UINT64_MAX;
	ike_sa_query(e->sa, &in);
	if (!in.nat_local || in.local_port != IKE_NATT_PORT)
		return UINT64_MAX;
	if (e->ka_at == 0)
		e->ka_at = now + e->conn->ike.keepalive_s * 1000ull;
	if (now >= e->ka_at) {
		ka.remote_ip = in.remote_ip;
		ka.local_port = in.local_port;
		ka.remote_port = in.remote_port;
		ka.buf[0] = 0xff;
		ka.len = 1;
		send_dgram(e->conn->ike.local_ip, &ka);
		e->ka_at = now + e->conn->ike.keepalive_s * 1000ull;
	}
	return e->ka_at;
}

static int usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s -c FILE [--dp PREFIX [--via-dp] | --dp-sock PATH] [--ctl PATH] [-v]\n"
		"          [--debug-keys]\n"
		"  -c FILE         config with a connections: section\n"
		"  --dp PREFIX     install Child SAs into the secgw-dp of this file prefix\n"
		"  --via-dp        IKE through that secgw-dp's ports, not the kernel's sockets\n"
		"  --dp-sock PATH  ... or of this control socket\n"
		"  --ctl PATH      our control socket for secgwctl ike (default with --dp:\n"
		"                  /var/run/dpdk/PREFIX/" IKED_CTL_SOCK_NAME ")\n"
		"  -v              debug logging\n"
		"  --debug-keys    print negotiated Child SA keys (tests only)\n",
		argv0);
	return 2;
}

static void loop(uint64_t until)
{
	struct pollfd pfd[MAX_SOCKS + 1 + IKED_CTL_CLIENTS];
	static struct ike_dgram out;
	static const struct iked_ctl_ops ops = {ctl_list, ctl_initiate, ctl_terminate, NULL,
						ctl_stats};

	while (until != 0 ? now_ms() < until && g.n_sas > 0 : !stop) {
		uint64_t now = now_ms(), next = UINT64_MAX;

		for (size_t i = 0; i < g.n_sas; i++) {
			struct entry *e = &g.sas[i];

			if (ike_sa_timer(e->sa, now, &out) == 1)
				send_all(e, &out);
			rekey_due(e, now);
			ike_rekey_due(e, now);
			uint64_t t = ike_sa_next_timer(e->sa);
			next = t < next ? t : next;
			t = keepalive(e, now);
			next = t < next ? t : next;
			for (size_t k = 0; k < IKE_CHILDREN_MAX; k++)
				if (e->kids[k].rekey_at != 0 && e->kids[k].rekey_at < next)
					next = e->kids[k].rekey_at;
			if (e->ike_rekey_at != 0 && e->ike_rekey_at < next)
				next = e->ike_rekey_at;
		}
		reap();
		if (until == 0) {
			retry_due(now);
			events_due(now);
			if (g.want_events && g.ev_at < next)
				next = g.ev_at;
		}
		int timeout = next == UINT64_MAX ? 1000 : next <= now ? 0 : (int)(next - now);
		for (size_t i = 0; i < g.n_socks; i++)
			pfd[i] = (struct pollfd){.fd = g.socks[i].fd, .events = POLLIN};
		size_t nc = g.have_ctlsock && until == 0
				    ? iked_ctl_pollfds(&g.ctlsock, pfd + g.n_socks,
						       sizeof(pfd) / sizeof(pfd[0]) - g.n_socks)
				    : 0;
		int n = poll(pfd, g.n_socks + nc, timeout > 1000 ? 1000 : timeout);
		if (n < 0 && errno != EINTR) {
			logf_(0, "poll: %s", strerror(errno));
			break;
		}
		for (size_t i = 0; n > 0 && i < g.n_socks; i++)
			if (pfd[i].revents & POLLIN)
				receive(&g.socks[i]);
		if (n > 0 && nc > 0)
			iked_ctl_serve(&g.ctlsock, pfd + g.n_socks, nc, &ops);
		reap();
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"dp", required_argument, NULL, 'p'},
		{"dp-sock", required_argument, NULL, 's'},
		{"debug-keys", no_argument, NULL, 'k'},
		{"via-dp", no_argument, NULL, 'r'},
		{"verbose", no_argument, NULL, 'v'},
		{"ctl", required_argument, NULL, 'C'},
		{NULL, 0, NULL, 0},
	};
	const char *cfg_path = NULL, *dp_prefix = NULL, *dp_sock = NULL, *ctl_path = NULL;
	char ctl_buf[128];
	char err[CFG_ERR_MAX];
	static struct ike_dgram out;
	bool via_dp = false;
	int o;

	while ((o = getopt_long(argc, argv, "c:v", opts, NULL)) != -1) {
		switch (o) {
		case 'c': cfg_path = optarg; break;
		case 'p': dp_prefix = optarg; break;
		case 's': dp_sock = optarg; break;
		case 'k': g.debug_keys = true; break;
		case 'r': via_dp = true; break;
		case 'v': g.verbose = 1; break;
		case 'C': ctl_path = optarg; break;
		default: return usage(argv[0]);
		}
	}
	if (cfg_path == NULL || optind != argc || (via_dp && dp_prefix == NULL))
		return usage(argv[0]);
	if (config_conn_load(cfg_path, &g.conns, &g.n_conns, err) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (g.n_conns == 0) {
		fprintf(stderr, "%s: no connections\n", cfg_path);
		return 1;
	}
	struct cfg_ike ike;
	if (config_ike_load(cfg_path, &ike, err) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	const struct iked_admit_cfg acfg = {ike.cookie_threshold, ike.half_open_per_source,
					    ike.half_open_max};
	if (iked_admit_init(&g.admit, &acfg, now_ms(), 0) < 0) {
		fprintf(stderr, "secgw-ike: no random secret for cookies\n");
		return 1;
	}
	if (dp_prefix != NULL || dp_sock != NULL) {
		int rc = dp_sock != NULL ? ctl_connect_path(&g.ctl, dp_sock)
					 : ctl_connect(&g.ctl, dp_prefix);
		if (rc < 0) {
			fprintf(stderr, "secgw-ike: %s\n", g.ctl.err);
			return 1;
		}
		g.have_ctl = true;
	}
	if (via_dp) {
		int fd = iked_relay_open(dp_prefix, err, sizeof(err));

		if (fd < 0) {
			fprintf(stderr, "secgw-ike: %s\n", err);
			return 1;
		}
		g.socks[g.n_socks++] = (struct sock){fd, 0, 0, true};
		g.relay_prefix = dp_prefix;
	} else {
		for (size_t i = 0; i < g.n_conns; i++)
			if (open_sock(g.conns[i].ike.local_ip, IKE_PORT) < 0 ||
			    open_sock(g.conns[i].ike.local_ip, IKE_NATT_PORT) < 0)
				return 1;
	}
	if (ctl_path == NULL && dp_prefix != NULL) {
		snprintf(ctl_buf, sizeof(ctl_buf), IKED_CTL_SOCK_FMT, dp_prefix);
		ctl_path = ctl_buf;
	}
	if (ctl_path != NULL) {
		if (iked_ctl_open(&g.ctlsock, ctl_path, err, sizeof(err)) < 0) {
			fprintf(stderr, "secgw-ike: %s\n", err);
			return 1;
		}
		g.have_ctlsock = true;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	logf_(1, "%zu connections, %s%s", g.n_conns,
	      via_dp ? "IKE through the data plane's ports" : "kernel UDP sockets",
	      g.have_ctl ? ", data plane connected" : ", no data plane");
	g.retry_at = calloc(g.n_conns, sizeof(*g.retry_at));
	if (g.retry_at == NULL)
		return 1;
	for (size_t i = 0; i < g.n_conns; i++)
		g.have_traps |= g.conns[i].trap;
	if (g.have_traps && !g.have_ctl)
		logf_(0, "start: trap connections wait for the peer: no data plane (--dp)");
	if (g.have_traps && g.have_ctl &&
	    iked_traps_install(&g.ctl, g.conns, g.n_conns, err, sizeof(err)) < 0) {
		logf_(0, "%s: trap connections wait for the peer", err);
		g.have_traps = false;
	}
	g.have_traps &= g.have_ctl;
	g.want_events = g.have_traps;
	for (size_t i = 0; i < g.n_conns; i++)
		g.want_events |= g.conns[i].child_life.soft_bytes != 0 ||
				 g.conns[i].child_life.soft_packets != 0;
	g.want_events &= g.have_ctl;
	for (size_t i = 0; i < g.n_conns; i++)
		if (g.conns[i].initiate)
			initiate(&g.conns[i]);
	loop(0);
	logf_(1, "stopping");
	/* Tell the peers (§1.4.1), and give their answers a moment. */
	for (size_t i = 0; i < g.n_sas; i++)
		if (ike_sa_delete(g.sas[i].sa, now_ms(), &out) == 1)
			send_all(&g.sas[i], &out);
	loop(now_ms() + DELETE_WAIT_MS);
	for (size_t i = 0; i < g.n_sas; i++) {
		uninstall(&g.sas[i]);
		ike_sa_free(g.sas[i].sa);
	}
	if (g.have_traps)
		iked_traps_remove(&g.ctl, g.conns, g.n_conns);
	for (size_t k = 0; k < IKED_DROP_COUNT; k++)
		if (g.drops[k] != 0)
			logf_(1, "dropped %s: %llu", iked_drop_names[k], (unsigned long long)g.drops[k]);
	for (size_t i = 0; i < g.n_socks; i++) {
		if (g.socks[i].relay)
			iked_relay_close(g.socks[i].fd, g.relay_prefix);
		else
			close(g.socks[i].fd);
	}
	if (g.have_ctl)
		ctl_close(&g.ctl);
	if (g.have_ctlsock)
		iked_ctl_close(&g.ctlsock);
	config_conn_free(g.conns, g.n_conns);
	iked_admit_fini(&g.admit);
	free(g.retry_at);
	return 0;
}
