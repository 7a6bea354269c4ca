/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secgwctl batch: pipelined edits from stdin (ctl_batch.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_out.h"
#include "ctl_batch.h"
#include "ctl_client.h"
#include "edit_cmds.h"

#define BATCH_LINE_MAX (256 * 1024)

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

/* See ctl_batch.h. */
int
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
