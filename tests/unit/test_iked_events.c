/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secgw-ike's reader of the data plane's lifetime events (iked/iked_events.c)
 * against a scripted data plane on the other end of a socketpair: every event
 * is handed over once and in order, the cursor follows next_cursor across
 * polls and pages, an empty answer leaves it, and a refused request is an
 * error that keeps the cursor for the next try.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "iked_events.h"

/* One scripted answer: events first..first+n-1, or a refusal. */
struct answer {
	uint32_t want_cursor;
	uint64_t first;
	uint32_t n;
	int32_t status;
};

static const struct answer script[] = {
	{0, 1, 3, 0},   /* poll 1: the three kept events ... */
	{4, 0, 0, 0},   /* ... then nothing more */
	{4, 0, 0, 0},   /* poll 2: nothing new */
	{4, 0, 0, -5},  /* poll 3: refused */
	{4, 4, 2, 0},   /* poll 4: two new ones */
	{6, 0, 0, 0},
};

/* The fake data plane: answers each request from the script; exits 0 when the
 * requests were the ones expected. */
static int serve(int fd)
{
	uint8_t buf[CTL_MSG_MAX];

	for (size_t i = 0; i < sizeof(script) / sizeof(script[0]); i++) {
		const struct answer *a = &script[i];
		struct ctl_hdr h;
		struct ctl_list_req q;

		if (recv(fd, buf, sizeof(buf), 0) != (ssize_t)(sizeof(h) + sizeof(q)))
			return 1;
		memcpy(&h, buf, sizeof(h));
		memcpy(&q, buf + sizeof(h), sizeof(q));
		if (h.op != CTL_EVENTS || q.cursor != a->want_cursor)
			return 2;
		struct ctl_reply r = {.hdr = {CTL_VERSION, CTL_EVENTS, h.seq, 0},
				      .status = a->status, .count = a->n};
		struct ctl_event ev[4];
		for (uint32_t k = 0; k < a->n; k++)
			ev[k] = (struct ctl_event){.number = a->first + k,
						   .spi = 0xc0000000u + (uint32_t)(a->first + k),
						   .dir = k % 2, .kind = CTL_EV_SOFT_EXPIRE,
						   .limit = CTL_LIMIT_PACKETS};
		r.next_cursor = a->n ? (uint32_t)(a->first + a->n) : a->want_cursor;
		size_t len = sizeof(r) + a->n * sizeof(ev[0]);
		r.hdr.len = (uint32_t)(len - sizeof(r.hdr));
		memcpy(buf, &r, sizeof(r));
		memcpy(buf + sizeof(r), ev, a->n * sizeof(ev[0]));
		if (send(fd, buf, len, 0) != (ssize_t)len)
			return 3;
	}
	return 0;
}

struct seen {
	uint64_t numbers[16];
	size_t n;
};

static void collect(void *ctx, const struct ctl_event *ev)
{
	struct seen *s = ctx;

	if (s->n < 16)
		s->numbers[s->n++] = ev->number;
	CHECK(ev->spi == 0xc0000000u + (uint32_t)ev->number && ev->kind == CTL_EV_SOFT_EXPIRE);
}

int main(void)
{
	int sv[2];
	struct seen seen = {.n = 0};
	struct iked_events st = {.cursor = 0};
	struct ctl_client c = {.fd = -1};

	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		_exit(serve(sv[1]));
	}
	close(sv[1]);
	c.fd = sv[0];

	CHECK(iked_events_poll(&c, &st, collect, &seen) == 0);
	CHECK(seen.n == 3 && seen.numbers[0] == 1 && seen.numbers[2] == 3 && st.cursor == 4);
	CHECK(iked_events_poll(&c, &st, collect, &seen) == 0);
	CHECK(seen.n == 3 && st.cursor == 4);
	CHECK(iked_events_poll(&c, &st, collect, &seen) == -1);
	CHECK(c.status == -5 && st.cursor == 4 && seen.n == 3);
	CHECK(iked_events_poll(&c, &st, collect, &seen) == 0);
	CHECK(seen.n == 5 && seen.numbers[3] == 4 && seen.numbers[4] == 5 && st.cursor == 6);

	CHECK(strcmp(iked_event_limit_name(CTL_LIMIT_BYTES), "bytes") == 0);
	CHECK(strcmp(iked_event_kind_name(CTL_EV_HARD_EXPIRE), "hard") == 0);
	CHECK(strcmp(iked_event_limit_name(99), "unknown") == 0);

	int status = -1;
	close(sv[0]);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	printf("%d checks, %d failures\n", checks, failures);
	return failures != 0;
}
