/* SPDX-License-Identifier: BSD-3-Clause */
/* secgw-ike's transport through secgw-dp (iked_relay.h). */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ike_relay_proto.h"
#include "iked_relay.h"

static void
path_of(const char *fmt, const char *prefix, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof(a->sun_path), fmt, prefix);
}

int
iked_relay_open(const char *prefix, char *err, size_t len)
{
	struct sockaddr_un a;
	int fd;

	path_of(IKE_RELAY_DAEMON_FMT, prefix, &a);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, len, "relay socket: %s", strerror(errno));
		return -1;
	}
	unlink(a.sun_path); /* an earlier daemon that died left it behind */
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || chmod(a.sun_path, 0600) != 0) {
		snprintf(err, len, "relay socket %s: %s", a.sun_path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

void
iked_relay_close(int fd, const char *prefix)
{
	struct sockaddr_un a;

	if (fd < 0)
		return;
	close(fd);
	path_of(IKE_RELAY_DAEMON_FMT, prefix, &a);
	unlink(a.sun_path);
}

int
iked_relay_send(int fd, const char *prefix, uint32_t local_ip, const struct ike_dgram *d)
{
	uint8_t buf[sizeof(struct ike_relay_hdr) + IKE_RELAY_MAX_PAYLOAD];
	struct ike_relay_hdr *h = (struct ike_relay_hdr *)buf;
	struct sockaddr_un to;

	if (d->len > IKE_RELAY_MAX_PAYLOAD) {
		errno = EMSGSIZE;
		return -1;
	}
	memset(h, 0, sizeof(*h));
	h->version = IKE_RELAY_VERSION;
	h->family = AF_INET;
	h->sport = htons(d->local_port);
	h->dport = htons(d->remote_port);
	memcpy(h->src, &local_ip, 4);
	memcpy(h->dst, &d->remote_ip, 4);
	memcpy(buf + sizeof(*h), d->buf, d->len);
	path_of(IKE_RELAY_DP_FMT, prefix, &to);
	return sendto(fd, buf, sizeof(*h) + d->len, 0, (struct sockaddr *)&to, sizeof(to)) < 0 ?
		       -1 : 0;
}

int
iked_relay_recv(int fd, uint8_t *buf, size_t cap, struct iked_relay_rx *rx)
{
	const struct ike_relay_hdr *h = (const struct ike_relay_hdr *)buf;
	ssize_t n = recv(fd, buf, cap, 0);

	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	if ((size_t)n < sizeof(*h) || h->version != IKE_RELAY_VERSION || h->family != AF_INET)
		return 0;
	memcpy(&rx->src, h->src, 4);
	memcpy(&rx->dst, h->dst, 4);
	rx->sport = ntohs(h->sport);
	rx->dport = ntohs(h->dport);
	rx->payload = buf + sizeof(*h);
	rx->len = (size_t)n - sizeof(*h);
	return 1;
}
