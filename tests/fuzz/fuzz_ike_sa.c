/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness of the IKE SA state machine: arbitrary datagrams to an SA
 * in each state that listens (a fresh responder, an initiator waiting for its
 * IKE_SA_INIT answer, a responder waiting for IKE_AUTH, an established SA).
 * The first input byte picks the target; for all but the fresh responder the
 * SPIs of the target are written over the input's header, so the fuzzer gets
 * past the SPI check into the exchange code.  Any crash, overread or UB is a
 * bug; a message that decrypts and authenticates cannot be forged here, so the
 * SK and SKF (fragmentation is negotiated) paths are exercised up to the ICV
 * check.
 * Build and run: tests/fuzz/run-fuzz-sa.sh.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike_msg_be.h"
#include "ike_prop_parse.h"
#include "ike_sa.h"

static struct ike_sa_cfg cfg(bool init)
{
	struct ike_sa_cfg c;
	char err[128];

	memset(&c, 0, sizeof(c));
	strcpy(c.name, init ? "i" : "r");
	c.local_ip = inet_addr(init ? "10.99.5.1" : "10.99.5.2");
	c.remote_ip = inet_addr(init ? "10.99.5.2" : "10.99.5.1");
	c.local_id = (struct ike_idv){2, 6, "i.test"};
	c.remote_id = (struct ike_idv){2, 6, "r.test"};
	if (!init) {
		c.local_id.data[0] = 'r';
		c.remote_id.data[0] = 'i';
	}
	memcpy(c.psk, "fuzzing secret!!", 16);
	c.psk_len = 16;
	ike_prop_parse("aes128gcm16-prfsha256-x25519", false, &c.ike[0], err, sizeof(err));
	ike_prop_parse("aes128-sha256-modp2048", false, &c.ike[1], err, sizeof(err));
	c.n_ike = 2;
	ike_prop_parse("aes128gcm16", true, &c.esp[0], err, sizeof(err));
	ike_prop_parse("aes128-sha256", true, &c.esp[1], err, sizeof(err));
	c.n_esp = 2;
	c.local_ts = (struct ike_tsv){0, 0, 65535, 0x0a630000, 0x0a63ffff};
	c.remote_ts = c.local_ts;
	c.fragmentation = true; /* negotiated: SKF input reaches the reassembly */
	return c;
}

static struct ike_dgram d1, d2, d3, d4;

/* The initiator at INIT_SENT; with the responder at INIT_DONE (or both
 * established) when depth asks for it. */
static void setup(int depth, struct ike_sa **i, struct ike_sa **r)
{
	struct ike_sa_cfg ci = cfg(true), cr = cfg(false);

	*r = NULL;
	ike_sa_new(&ci, IKE_ROLE_INITIATOR, NULL, i);
	ike_sa_start(*i, 0, &d1);
	if (depth == 0)
		return;
	ike_sa_new(&cr, IKE_ROLE_RESPONDER, NULL, r);
	ike_sa_input(*r, d1.buf, d1.len, ci.local_ip, 500, 500, 0, &d2);
	if (depth == 1)
		return;
	ike_sa_input(*i, d2.buf, d2.len, cr.local_ip, 500, 500, 0, &d3);
	ike_sa_input(*r, d3.buf, d3.len, ci.local_ip, 500, 500, 0, &d4);
	ike_sa_input(*i, d4.buf, d4.len, cr.local_ip, 500, 500, 0, &d3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t msg[IKE_DGRAM_MAX];
	static struct ike_dgram out;
	struct ike_sa *i, *r, *t;

	if (size < 1 || size - 1 > sizeof(msg))
		return 0;
	unsigned mode = data[0] % 4;
	size_t len = size - 1;
	memcpy(msg, data + 1, len);
	switch (mode) {
	case 0: { /* a fresh responder: any IKE_SA_INIT request */
		struct ike_sa_cfg cr = cfg(false);
		ike_sa_new(&cr, IKE_ROLE_RESPONDER, NULL, &t);
		ike_sa_input(t, msg, len, inet_addr("10.99.5.1"), 500, 500, 0, &out);
		ike_sa_free(t);
		return 0;
	}
	case 1: /* the initiator waiting for its IKE_SA_INIT answer */
		setup(0, &i, &r);
		t = i;
		break;
	case 2: /* the responder waiting for IKE_AUTH */
		setup(1, &i, &r);
		t = r;
		break;
	default: /* established: INFORMATIONAL, retransmissions */
		setup(2, &i, &r);
		t = (data[0] & 4) ? i : r;
		break;
	}
	if (len >= 16) {
		ike_put64(msg, ike_sa_spi_i(t));
		if (mode != 1)
			ike_put64(msg + 8, ike_sa_spi_r(t));
	}
	ike_sa_input(t, msg, len, inet_addr(t == i ? "10.99.5.2" : "10.99.5.1"), 500, 500, 0, &out);
	ike_sa_timer(t, 100000, &out);
	ike_sa_delete(t, 0, &out);
	ike_sa_free(i);
	ike_sa_free(r);
	return 0;
}
