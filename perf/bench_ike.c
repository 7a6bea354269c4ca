/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench-ike: what an IKE SA costs the control plane, per suite, on one core.
 *
 * Two SAs of the IKE library (ike/ike_sa.h) talk in memory, as secgw-ike
 * would with a peer but without sockets: IKE_SA_INIT and IKE_AUTH (PSK, the
 * first Child SA), then Child SA rekeys (CREATE_CHILD_SA + INFORMATIONAL
 * Delete of the old pair).  Each side's calls are timed separately, so the
 * responder's figure is what one core of a gateway spends per IKE SA a peer
 * sets up (the DH key pair, the shared secret, SKEYSEED and the keys, the
 * AUTH payloads and the SK envelopes), and 1 / that figure is its setup rate
 * per core.  Randomness is OpenSSL's, as in the daemon.
 *
 *   bench-ike [-d SECONDS per suite] [-o results.json] [suite ...]
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ike_natt.h"
#include "ike_prop_parse.h"
#include "ike_proto.h"
#include "ike_sa.h"

static const char *const default_suites[] = {
	"aes128gcm16-prfsha256-x25519", "aes128gcm16-prfsha256-ecp256",
	"aes256gcm16-prfsha384-ecp384", "aes128-sha256-modp2048",
	"aes256-sha512-modp4096",       "chacha20poly1305-prfsha256-x25519",
};

struct result {
	const char *suite;
	unsigned handshakes, rekeys;
	double init_us, resp_us, rekey_us, wall_s; /* per handshake / per rekey */
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t now_ms(void)
{
	return (uint64_t)(now_s() * 1000.0);
}

static int conn(struct ike_sa_cfg *c, bool init, const char *suite)
{
	char err[128];

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", init ? "bench-i" : "bench-r");
	c->local_ip = inet_addr(init ? "198.19.0.1" : "198.19.0.2");
	c->remote_ip = inet_addr(init ? "198.19.0.2" : "198.19.0.1");
	c->local_id = (struct ike_idv){.type = 1, .len = 4};
	memcpy(c->local_id.data, &c->local_ip, 4);
	c->remote_id = (struct ike_idv){.type = 1, .len = 4};
	memcpy(c->remote_id.data, &c->remote_ip, 4);
	memcpy(c->psk, "bench pre-shared key", 20);
	c->psk_len = 20;
	c->n_ike = c->n_esp = 1;
	c->local_ts = (struct ike_tsv){0, 0, 65535, init ? 0xc6120100u : 0xc6120200u,
				       init ? 0xc61201ffu : 0xc61202ffu};
	c->remote_ts = (struct ike_tsv){0, 0, 65535, init ? 0xc6120200u : 0xc6120100u,
					init ? 0xc61202ffu : 0xc61201ffu};
	if (ike_prop_parse(suite, false, &c->ike[0], err, sizeof(err)) < 0 ||
	    ike_prop_parse("aes128gcm16", true, &c->esp[0], err, sizeof(err)) < 0) {
		fprintf(stderr, "bench-ike: %s: %s\n", suite, err);
		return -1;
	}
	return 0;
}

/* Hand datagram d to sa (as from the other side's address), timing the call
 * into *acc.  Returns what ike_sa_input() returns. */
static int deliver(struct ike_sa *sa, const struct ike_dgram *d, uint32_t from,
		   struct ike_dgram *out, double *acc)
{
	size_t off = d->local_port == IKE_NATT_PORT ? IKE_NON_ESP_MARKER_LEN : 0;
	double t = now_s();
	int rc = ike_sa_input(sa, d->buf + off, d->len - off, from, d->local_port, d->remote_port,
			      now_ms(), out);

	*acc += now_s() - t;
	return rc;
}

/* One IKE SA set up; the pair stays established for the rekeys. */
static int handshake(const struct ike_sa_cfg *ci, const struct ike_sa_cfg *cr, struct ike_sa **i,
		     struct ike_sa **r, double *ti, double *tr)
{
	static struct ike_dgram a, b;
	double t = now_s();

	if (ike_sa_new(ci, IKE_ROLE_INITIATOR, NULL, i) != 0 || ike_sa_start(*i, now_ms(), &a) != 1)
		return -1;
	*ti += now_s() - t;
	t = now_s();
	if (ike_sa_new(cr, IKE_ROLE_RESPONDER, NULL, r) != 0)
		return -1;
	*tr += now_s() - t;
	if (deliver(*r, &a, ci->local_ip, &b, tr) != 1 || deliver(*i, &b, cr->local_ip, &a, ti) != 1 ||
	    deliver(*r, &a, ci->local_ip, &b, tr) != 1 || deliver(*i, &b, cr->local_ip, &a, ti) < 0)
		return -1;
	return ike_sa_state(*i) == IKE_SA_ESTABLISHED && ike_sa_state(*r) == IKE_SA_ESTABLISHED
		       ? 0
		       : -1;
}

/* One Child SA rekey by the initiator: CREATE_CHILD_SA, then its Delete of the old pair. */
static int rekey(const struct ike_sa_cfg *ci, const struct ike_sa_cfg *cr, struct ike_sa *i,
		 struct ike_sa *r)
{
	static struct ike_dgram a, b;
	double unused = 0;

	if (ike_sa_rekey_child(i, now_ms(), &a) != 1 || deliver(r, &a, ci->local_ip, &b, &unused) != 1 ||
	    deliver(i, &b, cr->local_ip, &a, &unused) != 1 ||
	    deliver(r, &a, ci->local_ip, &b, &unused) != 1 ||
	    deliver(i, &b, cr->local_ip, &a, &unused) < 0)
		return -1;
	return ike_sa_old_child(i) == NULL && ike_sa_old_child(r) == NULL ? 0 : -1;
}

static int run_suite(const char *suite, double seconds, struct result *res)
{
	struct ike_sa_cfg ci, cr;
	double ti = 0, tr = 0, start = now_s();

	memset(res, 0, sizeof(*res));
	res->suite = suite;
	if (conn(&ci, true, suite) < 0 || conn(&cr, false, suite) < 0)
		return -1;
	while (now_s() - start < seconds) {
		struct ike_sa *i = NULL, *r = NULL;
		int rc = handshake(&ci, &cr, &i, &r, &ti, &tr);

		if (rc == 0 && res->handshakes % 16 == 0) {
			double t = now_s();

			for (int k = 0; k < 8 && rc == 0; k++, res->rekeys++)
				rc = rekey(&ci, &cr, i, r);
			res->rekey_us += now_s() - t;
		}
		ike_sa_free(i);
		ike_sa_free(r);
		if (rc < 0) {
			fprintf(stderr, "bench-ike: %s: the exchange failed\n", suite);
			return -1;
		}
		res->handshakes++;
	}
	res->wall_s = now_s() - start;
	res->init_us = ti / res->handshakes * 1e6;
	res->resp_us = tr / res->handshakes * 1e6;
	res->rekey_us = res->rekeys ? res->rekey_us / res->rekeys * 1e6 : 0;
	return 0;
}

static void write_json(FILE *f, const struct result *r, size_t n, double seconds)
{
	fprintf(f, "{\"benchmark\": \"ike\", \"seconds_per_suite\": %.1f, \"suites\": [", seconds);
	for (size_t k = 0; k < n; k++)
		fprintf(f,
			"%s\n  {\"suite\": \"%s\", \"handshakes\": %u, \"initiator_us\": %.1f, "
			"\"responder_us\": %.1f, \"responder_setups_per_s\": %.0f, "
			"\"child_rekeys\": %u, \"child_rekey_us\": %.1f}",
			k ? "," : "", r[k].suite, r[k].handshakes, r[k].init_us, r[k].resp_us,
			1e6 / r[k].resp_us, r[k].rekeys, r[k].rekey_us);
	fprintf(f, "\n]}\n");
}

int main(int argc, char **argv)
{
	const char *const *suites = default_suites;
	size_t n = sizeof(default_suites) / sizeof(default_suites[0]);
	const char *json = NULL;
	double seconds = 2.0;
	int o;

	while ((o = getopt(argc, argv, "d:o:h")) != -1) {
		switch (o) {
		case 'd': seconds = atof(optarg); break;
		case 'o': json = optarg; break;
		default:
			fprintf(stderr, "usage: %s [-d SECONDS per suite] [-o results.json] [suite ...]\n",
				argv[0]);
			return 2;
		}
	}
	if (optind < argc) {
		suites = (const char *const *)&argv[optind];
		n = (size_t)(argc - optind);
	}
	struct result *res = calloc(n, sizeof(*res));
	if (res == NULL)
		return 1;
	printf("%-36s %10s %10s %10s %12s %12s\n", "IKE suite (PSK, ESP aes128gcm16)", "setups",
	       "init us", "resp us", "resp setup/s", "rekey us");
	for (size_t k = 0; k < n; k++) {
		if (run_suite(suites[k], seconds, &res[k]) < 0) {
			free(res);
			return 1;
		}
		printf("%-36s %10u %10.0f %10.0f %12.0f %12.0f\n", res[k].suite, res[k].handshakes,
		       res[k].init_us, res[k].resp_us, 1e6 / res[k].resp_us, res[k].rekey_us);
		fflush(stdout);
	}
	if (json != NULL) {
		FILE *f = fopen(json, "w");

		if (f == NULL) {
			perror(json);
			free(res);
			return 1;
		}
		write_json(f, res, n, seconds);
		fclose(f);
	}
	free(res);
	return 0;
}
