/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control channel client (control/ctl_client.c) against a scripted data
 * plane on the other end of a SOCK_SEQPACKET socketpair: ctl_events() hands
 * over the events and follows next_cursor; a refusal keeps the cursor; and a
 * late reply to a request that timed out (a stalled data plane) is skipped,
 * not taken for the answer to the next request.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "ctl_client.h"

/* Queue the data plane's reply to request seq: n events from first, or a refusal. */
static void reply(int fd, uint32_t seq, uint64_t first, uint32_t n, int32_t status)
{
	uint8_t buf[sizeof(struct ctl_reply) + 4 * sizeof(struct ctl_event)];
	struct ctl_reply r = {.hdr = {CTL_VERSION, CTL_EVENTS, seq, 0}, .status = status,
			      .count = n, .next_cursor = (uint32_t)(first + n)};
	size_t len = sizeof(r) + n * sizeof(struct ctl_event);

	r.hdr.len = (uint32_t)(len - sizeof(r.hdr));
	memcpy(buf, &r, sizeof(r));
	for (uint32_t k = 0; k < n; k++) {
		struct ctl_event ev = {.number = first + k, .kind = CTL_EV_ACQUIRE, .family = 2,
				       .proto = 17, .sport = (uint16_t)(1000 + k)};
		memcpy(buf + sizeof(r) + k * sizeof(ev), &ev, sizeof(ev));
	}
	CHECK(send(fd, buf, len, 0) == (ssize_t)len);
}

/* The request the client sent: CTL_EVENTS with this cursor and seq. */
static void expect_request(int fd, uint32_t seq, uint32_t cursor)
{
	uint8_t buf[64];
	struct ctl_hdr h;
	struct ctl_list_req q;

	CHECK(recv(fd, buf, sizeof(buf), MSG_DONTWAIT) == (ssize_t)(sizeof(h) + sizeof(q)));
	memcpy(&h, buf, sizeof(h));
	memcpy(&q, buf + sizeof(h), sizeof(q));
	CHECK(h.op == CTL_EVENTS && h.seq == seq && q.cursor == cursor);
}

int main(void)
{
	static struct ctl_event ev[CTL_EVENTS_PAGE];
	struct ctl_client c = {.fd = -1};
	uint32_t cursor = 0;
	int sv[2];

	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	c.fd = sv[0];

	/* three events: handed over in order, the cursor moves past them */
	reply(sv[1], 1, 1, 3, 0);
	CHECK(ctl_events(&c, &cursor, ev) == 3);
	expect_request(sv[1], 1, 0);
	CHECK(cursor == 4 && ev[0].number == 1 && ev[2].number == 3 && ev[2].sport == 1002);
	CHECK(ev[1].kind == CTL_EV_ACQUIRE && ev[1].proto == 17);

	/* refused: an error, the cursor stays for the next try */
	reply(sv[1], 2, 4, 0, -5);
	CHECK(ctl_events(&c, &cursor, ev) == -1 && cursor == 4 && c.status == -5);
	expect_request(sv[1], 2, 4);

	/* the answer to request 3 comes late (the client gave up on it), then the
	 * answer to request 4: only the latter counts */
	c.seq = 3;
	reply(sv[1], 3, 90, 2, 0);
	reply(sv[1], 4, 4, 1, 0);
	CHECK(ctl_events(&c, &cursor, ev) == 1 && ev[0].number == 4 && cursor == 5);
	expect_request(sv[1], 4, 4);

	/* a reply from the future is not ours either */
	reply(sv[1], 9, 5, 1, 0);
	CHECK(ctl_events(&c, &cursor, ev) == -1 && cursor == 5 && strstr(c.err, "seq") != NULL);

	close(sv[0]);
	close(sv[1]);
	printf("%d checks, %d failures\n", checks, failures);
	return failures != 0;
}
