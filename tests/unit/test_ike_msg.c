/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit test of the IKEv2 message codec (ike/ike_msg*.c, ike/ike_natt.c): every payload type
 * built, decoded and checked field by field, then re-encoded byte for byte; the SK/SKF
 * envelope and its layout; builder misuse; a table of malformed messages, one per decoder
 * error; the port-4500 classifier.  Inputs are decoded from exact-size heap copies so that
 * ASan catches any read past the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike_msg.h"
#include "ike_msg_build.h"
#include "ike_msg_selfcheck.h"
#include "ike_natt.h"

static int failures;

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__,   \
				#cond);                                                    \
			failures++;                                                        \
		}                                                                          \
	} while (0)

#define CHECK_ERR(got, want)                                                               \
	do {                                                                               \
		enum ike_msg_err g_ = (got), w_ = (want);                                  \
		if (g_ != w_) {                                                            \
			fprintf(stderr, "%s:%d: %s: got %s, want %s\n", __FILE__, __LINE__, \
				#got, ike_msg_err_name(g_), ike_msg_err_name(w_));         \
			failures++;                                                        \
		}                                                                          \
	} while (0)

#define VIEW(a) ((struct ike_view){(a), sizeof(a)})

static struct ike_msg msg;

static int view_is(struct ike_view v, const void *p, size_t len)
{
	return v.len == len && (len == 0 || memcmp(v.ptr, p, len) == 0);
}

/* Decode an exact-size heap copy; *copy stays valid for the views until freed. */
static enum ike_msg_err decode_copy(const uint8_t *p, size_t len, struct ike_msg *m,
				    uint8_t **copy)
{
	*copy = malloc(len ? len : 1);
	if (*copy == NULL)
		abort();
	memcpy(*copy, p, len);
	return ike_msg_decode(*copy, len, m);
}

static const struct ike_hdr hdr = {
	.ispi = 0x0102030405060708ull,
	.rspi = 0x1112131415161718ull,
	.exchange = IKE_EXCH_AUTH,
	.flags = IKE_FLAG_INITIATOR,
	.msg_id = 0x01020304,
};

static const uint8_t ke_data[32] = {1, 2, 3};
static const uint8_t nonce[32] = {9, 8, 7};
static const uint8_t fqdn[] = "gw.secgw.test";
static const uint8_t ipv4[4] = {10, 99, 7, 2};
static const uint8_t cert_der[40] = {0x30, 0x26};
static const uint8_t ca_hash[20] = {0xca};
static const uint8_t auth_mac[32] = {0xa5};
static const uint8_t esp_spi[4] = {0xc0, 0xff, 0xee, 0x01};
static const uint8_t ike_spi[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t nat_hash[20] = {0x4a};
static const uint8_t del_spis[8] = {0, 0, 0, 1, 0, 0, 0, 2};
static const uint8_t vid[16] = {0x88, 0x2f};
static const uint8_t seclabel[6] = {'s', 'y', 's', 't', 'e', 'm'};
static const uint8_t cp_addr[4] = {10, 99, 10, 1};
static const uint8_t cp_dns[4] = {10, 99, 10, 53};
static const uint8_t eap_msg[5] = {1, 7, 0, 5, 1}; /* Request, id 7, length 5, Identity */

static const struct ike_transform xf[] = {
	{.type = IKE_XF_ENCR, .id = 20, .key_len = 256},
	{.type = IKE_XF_PRF, .id = 5},
	{.type = IKE_XF_DH, .id = 31},
	{.type = IKE_XF_ENCR, .id = 12, .key_len = 128},
	{.type = IKE_XF_INTEG, .id = 12},
	{.type = IKE_XF_ESN, .id = 0},
};
static const struct ike_proposal props[] = {
	{.num = 1, .proto = IKE_PROTO_IKE, .xf_first = 0, .xf_n = 3},
	{.num = 2, .proto = IKE_PROTO_ESP, .spi = VIEW(esp_spi), .xf_first = 3, .xf_n = 3},
};
static const struct ike_ts ts[] = {
	{.type = IKE_TS_IPV4_ADDR_RANGE, .ip_proto = 17, .port_start = 500, .port_end = 4500,
	 .addr_start = {10, 99, 8, 0}, .addr_end = {10, 99, 8, 255}},
	{.type = IKE_TS_IPV6_ADDR_RANGE, .port_end = 65535,
	 .addr_start = {0x20, 0x01, 0x0d, 0xb8}, .addr_end = {0x20, 0x01, 0x0d, 0xb8, [15] = 0xff}},
	{.type = 10, .raw = VIEW(seclabel)},
};
static const struct ike_cp_attr cp[] = {
	{.type = IKE_CFG_INTERNAL_IP4_ADDRESS, .value = VIEW(cp_addr)},
	{.type = IKE_CFG_INTERNAL_IP4_DNS, .value = VIEW(cp_dns)},
	{.type = IKE_CFG_INTERNAL_IP6_ADDRESS},
};

/* Append one payload of every type but SK; returns the number appended. */
static int build_all(struct ike_build *b)
{
	ike_build_sa(b, props, 2, xf);
	ike_build_ke(b, &(struct ike_ke){31, VIEW(ke_data)});
	ike_build_nonce(b, VIEW(nonce));
	ike_build_id(b, IKE_PLD_IDI, &(struct ike_id){IKE_ID_FQDN, {fqdn, sizeof(fqdn) - 1}});
	ike_build_id(b, IKE_PLD_IDR, &(struct ike_id){IKE_ID_IPV4_ADDR, VIEW(ipv4)});
	ike_build_cert(b, IKE_PLD_CERT, &(struct ike_cert){IKE_CERT_X509_SIG, VIEW(cert_der)});
	ike_build_cert(b, IKE_PLD_CERTREQ, &(struct ike_cert){IKE_CERT_X509_SIG, VIEW(ca_hash)});
	ike_build_auth(b, &(struct ike_auth){IKE_AUTH_SHARED_KEY_MIC, VIEW(auth_mac)});
	ike_build_notify(b, &(struct ike_notify){.type = IKE_N_NAT_DETECTION_SOURCE_IP,
						  .data = VIEW(nat_hash)});
	ike_build_notify(b, &(struct ike_notify){.proto = IKE_PROTO_ESP, .type = IKE_N_REKEY_SA,
						  .spi = VIEW(esp_spi)});
	ike_build_notify(b, &(struct ike_notify){.proto = IKE_PROTO_IKE,
						  .type = IKE_N_INVALID_IKE_SPI,
						  .spi = VIEW(ike_spi)});
	ike_build_delete(b, &(struct ike_delete){IKE_PROTO_ESP, 4, 2, VIEW(del_spis)});
	ike_build_delete(b, &(struct ike_delete){.proto = IKE_PROTO_IKE});
	ike_build_vendor(b, VIEW(vid));
	ike_build_ts(b, IKE_PLD_TSI, ts, 3);
	ike_build_ts(b, IKE_PLD_TSR, ts, 1);
	ike_build_cp(b, IKE_CFG_REPLY, cp, 3);
	ike_build_eap(b, VIEW(eap_msg));
	return 18;
}

/* Field-by-field check of what build_all() wrote, starting at m->pld[first]. */
static void check_all(const struct ike_msg *m, size_t first, bool inner)
{
	const struct ike_pld *p = &m->pld[first];

	for (size_t i = 0; i < 18; i++)
		CHECK(p[i].inner == inner && !p[i].critical);
	CHECK(p[0].type == IKE_PLD_SA && p[0].u.sa.n == 2);
	for (size_t i = 0; i < 2; i++) {
		const struct ike_proposal *pr = &m->prop[p[0].u.sa.first + i];
		CHECK(pr->num == props[i].num && pr->proto == props[i].proto);
		CHECK(view_is(pr->spi, props[i].spi.ptr, props[i].spi.len));
		CHECK(pr->xf_n == 3);
		for (size_t j = 0; j < 3 && pr->xf_n == 3; j++) {
			const struct ike_transform *t = &m->xf[pr->xf_first + j];
			const struct ike_transform *w = &xf[props[i].xf_first + j];
			CHECK(t->type == w->type && t->id == w->id && t->key_len == w->key_len);
			CHECK(t->n_unknown_attrs == 0);
		}
	}
	CHECK(p[1].type == IKE_PLD_KE && p[1].u.ke.group == 31);
	CHECK(view_is(p[1].u.ke.data, ke_data, sizeof(ke_data)));
	CHECK(p[2].type == IKE_PLD_NONCE && view_is(p[2].u.data, nonce, sizeof(nonce)));
	CHECK(p[3].type == IKE_PLD_IDI && p[3].u.id.type == IKE_ID_FQDN);
	CHECK(view_is(p[3].u.id.data, fqdn, sizeof(fqdn) - 1));
	CHECK(p[4].type == IKE_PLD_IDR && p[4].u.id.type == IKE_ID_IPV4_ADDR);
	CHECK(view_is(p[4].u.id.data, ipv4, 4));
	CHECK(p[5].type == IKE_PLD_CERT && p[5].u.cert.encoding == IKE_CERT_X509_SIG);
	CHECK(view_is(p[5].u.cert.data, cert_der, sizeof(cert_der)));
	CHECK(p[6].type == IKE_PLD_CERTREQ && view_is(p[6].u.cert.data, ca_hash, 20));
	CHECK(p[7].type == IKE_PLD_AUTH && p[7].u.auth.method == IKE_AUTH_SHARED_KEY_MIC);
	CHECK(view_is(p[7].u.auth.data, auth_mac, sizeof(auth_mac)));
	CHECK(p[8].type == IKE_PLD_NOTIFY && p[8].u.notify.proto == 0);
	CHECK(p[8].u.notify.type == IKE_N_NAT_DETECTION_SOURCE_IP && p[8].u.notify.spi.len == 0);
	CHECK(view_is(p[8].u.notify.data, nat_hash, sizeof(nat_hash)));
	CHECK(p[9].u.notify.proto == IKE_PROTO_ESP && p[9].u.notify.type == IKE_N_REKEY_SA);
	CHECK(view_is(p[9].u.notify.spi, esp_spi, 4) && p[9].u.notify.data.len == 0);
	CHECK(view_is(p[10].u.notify.spi, ike_spi, 8));
	CHECK(p[11].type == IKE_PLD_DELETE && p[11].u.del.proto == IKE_PROTO_ESP);
	CHECK(p[11].u.del.spi_size == 4 && p[11].u.del.n_spi == 2);
	CHECK(view_is(p[11].u.del.spis, del_spis, sizeof(del_spis)));
	CHECK(p[12].u.del.proto == IKE_PROTO_IKE && p[12].u.del.n_spi == 0);
	CHECK(p[13].type == IKE_PLD_VENDOR && view_is(p[13].u.data, vid, sizeof(vid)));
	CHECK(p[14].type == IKE_PLD_TSI && p[14].u.ts.n == 3);
	CHECK(p[15].type == IKE_PLD_TSR && p[15].u.ts.n == 1);
	for (size_t i = 0; i < 3 && p[14].u.ts.n == 3; i++) {
		const struct ike_ts *t = &m->ts[p[14].u.ts.first + i];
		CHECK(t->type == ts[i].type && t->ip_proto == ts[i].ip_proto);
		CHECK(t->port_start == ts[i].port_start && t->port_end == ts[i].port_end);
		CHECK(memcmp(t->addr_start, ts[i].addr_start, 16) == 0);
		CHECK(memcmp(t->addr_end, ts[i].addr_end, 16) == 0);
		CHECK(view_is(t->raw, ts[i].raw.ptr, ts[i].raw.len));
	}
	CHECK(p[16].type == IKE_PLD_CP && p[16].u.cp.cfg_type == IKE_CFG_REPLY);
	CHECK(p[16].u.cp.n == 3);
	for (size_t i = 0; i < 3 && p[16].u.cp.n == 3; i++) {
		const struct ike_cp_attr *a = &m->cp[p[16].u.cp.first + i];
		CHECK(a->type == cp[i].type && view_is(a->value, cp[i].value.ptr, cp[i].value.len));
	}
	CHECK(p[17].type == IKE_PLD_EAP && view_is(p[17].u.data, eap_msg, sizeof(eap_msg)));
}

static void test_roundtrip_every_payload(void)
{
	uint8_t buf[2048], again[2048];
	struct ike_build b;
	size_t len, len2;
	uint8_t *copy;

	ike_build_init(&b, buf, sizeof(buf), &hdr);
	int n = build_all(&b);
	CHECK_ERR(ike_build_finish(&b, &len), IKE_MSG_E_OK);
	CHECK_ERR(decode_copy(buf, len, &msg, &copy), IKE_MSG_E_OK);
	CHECK(msg.hdr.ispi == hdr.ispi && msg.hdr.rspi == hdr.rspi);
	CHECK(msg.hdr.version == IKE_VERSION_2_0 && msg.hdr.exchange == IKE_EXCH_AUTH);
	CHECK(msg.hdr.flags == IKE_FLAG_INITIATOR && msg.hdr.msg_id == hdr.msg_id);
	CHECK(msg.hdr.length == len && msg.hdr.next_payload == IKE_PLD_SA);
	CHECK(msg.n_pld == n && msg.n_skipped == 0);
	if (msg.n_pld == n)
		check_all(&msg, 0, false);
	CHECK(ike_msg_find_notify(&msg, IKE_N_REKEY_SA) == &msg.pld[9]);
	CHECK(ike_msg_find_notify(&msg, IKE_N_COOKIE) == NULL);
	CHECK(ike_msg_find(&msg, IKE_PLD_DELETE, NULL) == &msg.pld[11]);
	CHECK(ike_msg_find(&msg, IKE_PLD_DELETE, &msg.pld[11]) == &msg.pld[12]);
	CHECK(ike_msg_find(&msg, IKE_PLD_DELETE, &msg.pld[12]) == NULL);

	/* Re-encoding the decoded payloads gives the same octets. */
	ike_build_init(&b, again, sizeof(again), &msg.hdr);
	for (size_t i = 0; i < msg.n_pld; i++)
		ike_build_copy(&b, &msg, &msg.pld[i]);
	CHECK_ERR(ike_build_finish(&b, &len2), IKE_MSG_E_OK);
	CHECK(len2 == len && memcmp(buf, again, len) == 0);
	CHECK(ike_msg_recode_check(copy, len) == NULL);

	/* Every capacity short of the full message fails with NO_SPACE, and writes nothing
	 * past it (exact-size heap buffers). */
	for (size_t cap = 0; cap < len; cap++) {
		uint8_t *small = malloc(cap ? cap : 1);
		ike_build_init(&b, small, cap, &hdr);
		build_all(&b);
		CHECK_ERR(ike_build_finish(&b, &len2), IKE_MSG_E_NO_SPACE);
		CHECK(len2 == 0);
		free(small);
	}
	free(copy);
}

/* SK: inner payloads, padding and the layout handed to the crypto layer; then the inner
 * chain, decrypted in place (here: untouched), decodes into the same struct. */
static void test_sk_envelope(void)
{
	uint8_t buf[2048];
	struct ike_build b;
	struct ike_sk_layout lay;
	size_t len;
	uint8_t *copy;

	ike_build_init(&b, buf, sizeof(buf), &hdr);
	ike_build_notify(&b, &(struct ike_notify){.type = IKE_N_COOKIE, .data = VIEW(nat_hash)});
	CHECK_ERR(ike_build_sk_begin(&b, 16), IKE_MSG_E_OK);
	build_all(&b);
	CHECK_ERR(ike_build_sk_end(&b, 16, 16, &lay), IKE_MSG_E_OK);
	CHECK_ERR(ike_build_finish(&b, &len), IKE_MSG_E_OK);
	size_t sk_off = IKE_HDR_LEN + 4 + sizeof(nat_hash) + 4;
	CHECK(lay.iv_off == sk_off + 4 && lay.iv_len == 16);
	CHECK(lay.plain_off == lay.iv_off + 16 && lay.plain_len % 16 == 0);
	CHECK(lay.icv_off == lay.plain_off + lay.plain_len && lay.icv_len == 16);
	CHECK(lay.icv_off + lay.icv_len == len);
	uint8_t pad = buf[lay.plain_off + lay.plain_len - 1];
	CHECK(pad < 16);

	CHECK_ERR(decode_copy(buf, len, &msg, &copy), IKE_MSG_E_OK);
	CHECK(ike_msg_recode_check(copy, len) == NULL);
	CHECK(msg.n_pld == 2 && msg.pld[1].type == IKE_PLD_SK);
	const struct ike_sk *sk = &msg.pld[1].u.sk;
	CHECK(msg.pld[1].off == sk_off && msg.pld[1].len == len - sk_off);
	CHECK(sk->inner_np == IKE_PLD_SA && sk->body_off == lay.iv_off);
	CHECK(sk->body.len == 16 + lay.plain_len + 16);
	CHECK_ERR(ike_msg_decode_inner(&msg, copy + lay.plain_off, lay.plain_len - 1 - pad,
				       sk->inner_np),
		  IKE_MSG_E_OK);
	CHECK(msg.n_pld == 20);
	if (msg.n_pld == 20)
		check_all(&msg, 2, true);
	/* An SK among the inner payloads is refused. */
	CHECK_ERR(ike_msg_decode_inner(&msg, copy + sk_off, len - sk_off, IKE_PLD_SK),
		  IKE_MSG_E_NESTED_SK);
	free(copy);

	/* An empty SK (a liveness check) is padded to one block. */
	ike_build_init(&b, buf, sizeof(buf), &hdr);
	ike_build_sk_begin(&b, 8);
	CHECK_ERR(ike_build_sk_end(&b, 8, 16, &lay), IKE_MSG_E_OK);
	CHECK(lay.plain_len == 8 && buf[lay.plain_off + 7] == 7);
	CHECK_ERR(ike_build_finish(&b, &len), IKE_MSG_E_OK);
	CHECK_ERR(decode_copy(buf, len, &msg, &copy), IKE_MSG_E_OK);
	CHECK(msg.n_pld == 1 && msg.pld[0].u.sk.inner_np == IKE_PLD_NONE);
	CHECK(msg.hdr.next_payload == IKE_PLD_SK);
	free(copy);
}

/* SKF: one inner chain built bare, split into two fragments (RFC 7383), reassembled. */
static void test_skf_fragments(void)
{
	uint8_t chain[1024], frag[2][1024], joined[1024];
	struct ike_build b;
	struct ike_sk_layout lay;
	size_t clen, len, joined_len = 0;
	uint8_t *copy;

	ike_build_init_chain(&b, chain, sizeof(chain));
	build_all(&b);
	CHECK_ERR(ike_build_finish(&b, &clen), IKE_MSG_E_OK);
	uint8_t first_np = b.first_np;
	CHECK(first_np == IKE_PLD_SA);
	size_t half = clen / 2;
	for (uint16_t f = 0; f < 2; f++) {
		struct ike_view part = {chain + (f ? half : 0), f ? clen - half : half};
		ike_build_init(&b, frag[f], sizeof(frag[f]), &hdr);
		CHECK_ERR(ike_build_skf_begin(&b, f + 1, 2, 8), IKE_MSG_E_OK);
		CHECK_ERR(ike_build_sk_raw(&b, f == 0 ? first_np : 0, part), IKE_MSG_E_OK);
		CHECK_ERR(ike_build_sk_raw(&b, 0, part), IKE_MSG_E_OK); /* np stays */
		CHECK_ERR(ike_build_sk_end(&b, 1, 16, &lay), IKE_MSG_E_OK);
		CHECK(lay.plain_len == 2 * part.len + 1 && lay.iv_off == IKE_HDR_LEN + 8);
		CHECK_ERR(ike_build_finish(&b, &len), IKE_MSG_E_OK);
		CHECK_ERR(decode_copy(frag[f], len, &msg, &copy), IKE_MSG_E_OK);
		CHECK(msg.n_pld == 1 && msg.pld[0].type == IKE_PLD_SKF);
		const struct ike_sk *sk = &msg.pld[0].u.sk;
		CHECK(sk->frag_num == f + 1 && sk->frag_total == 2);
		CHECK(sk->inner_np == (f == 0 ? IKE_PLD_SA : 0));
		CHECK(sk->body_off == lay.iv_off && sk->body.len == 8 + lay.plain_len + 16);
		memcpy(joined + joined_len, copy + lay.plain_off, part.len);
		joined_len += part.len;
		free(copy);
	}
	CHECK(joined_len == clen);
	msg.n_pld = msg.n_prop = msg.n_xf = msg.n_ts = msg.n_cp = 0;
	CHECK_ERR(ike_msg_decode_inner(&msg, joined, joined_len, IKE_PLD_SA), IKE_MSG_E_OK);
	CHECK(msg.n_pld == 18);
	if (msg.n_pld == 18)
		check_all(&msg, 0, true);
}

static void test_builder_misuse(void)
{
	uint8_t buf[512], n15[15] = {0}, n257[257] = {0}, bad_eap[4] = {1, 1, 0, 5};
	struct ike_build b;
	struct ike_sk_layout lay;
	size_t len;

	struct {
		const char *what;
		enum ike_msg_err want;
	} cases[] = {
		{"nonce 15", IKE_MSG_E_BAD_NONCE_LENGTH},
		{"nonce 257", IKE_MSG_E_BAD_NONCE_LENGTH},
		{"ipv4 id of 3", IKE_MSG_E_BAD_ID},
		{"id as notify type", IKE_MSG_E_BAD_ARG},
		{"empty ke", IKE_MSG_E_BAD_KE},
		{"empty auth", IKE_MSG_E_BAD_AUTH},
		{"notify spi 3", IKE_MSG_E_BAD_NOTIFY},
		{"delete esp 0 spis", IKE_MSG_E_BAD_DELETE},
		{"delete ike with spi", IKE_MSG_E_BAD_DELETE},
		{"no proposals", IKE_MSG_E_NO_PROPOSALS},
		{"spi size 3", IKE_MSG_E_BAD_SPI_SIZE},
		{"no selectors", IKE_MSG_E_BAD_TS_COUNT},
		{"cfg type 9", IKE_MSG_E_BAD_CP},
		{"eap length", IKE_MSG_E_BAD_EAP},
		{"fragment 0 of 2", IKE_MSG_E_BAD_FRAGMENT},
		{"fragment 3 of 2", IKE_MSG_E_BAD_FRAGMENT},
		{"raw without SK", IKE_MSG_E_BAD_STATE},
		{"sk end without SK", IKE_MSG_E_BAD_STATE},
		{"SK in a bare chain", IKE_MSG_E_BAD_STATE},
		{"SK twice", IKE_MSG_E_BAD_STATE},
		{"payload after SK", IKE_MSG_E_BAD_STATE},
		{"block 0", IKE_MSG_E_BAD_ARG},
		{"block 257", IKE_MSG_E_BAD_ARG},
		{"SK left open", IKE_MSG_E_BAD_STATE},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum ike_msg_err got = IKE_MSG_E_OK;
		struct ike_proposal p = {.num = 1, .proto = IKE_PROTO_ESP, .spi = {esp_spi, 3}};

		ike_build_init(&b, buf, sizeof(buf), &hdr);
		switch (i) {
		case 0: got = ike_build_nonce(&b, VIEW(n15)); break;
		case 1: got = ike_build_nonce(&b, VIEW(n257)); break;
		case 2: got = ike_build_id(&b, IKE_PLD_IDI, &(struct ike_id){1, {ipv4, 3}}); break;
		case 3: got = ike_build_id(&b, IKE_PLD_NOTIFY, &(struct ike_id){2, VIEW(fqdn)}); break;
		case 4: got = ike_build_ke(&b, &(struct ike_ke){.group = 14}); break;
		case 5: got = ike_build_auth(&b, &(struct ike_auth){.method = 2}); break;
		case 6: got = ike_build_notify(&b, &(struct ike_notify){.spi = {esp_spi, 3}}); break;
		case 7: got = ike_build_delete(&b, &(struct ike_delete){.proto = 3, .spi_size = 4});
			break;
		case 8: got = ike_build_delete(&b, &(struct ike_delete){1, 4, 1, {esp_spi, 4}});
			break;
		case 9: got = ike_build_sa(&b, &p, 0, xf); break;
		case 10: got = ike_build_sa(&b, &p, 1, xf); break;
		case 11: got = ike_build_ts(&b, IKE_PLD_TSI, ts, 0); break;
		case 12: got = ike_build_cp(&b, 9, cp, 1); break;
		case 13: got = ike_build_eap(&b, VIEW(bad_eap)); break;
		case 14: got = ike_build_skf_begin(&b, 0, 2, 8); break;
		case 15: got = ike_build_skf_begin(&b, 3, 2, 8); break;
		case 16: got = ike_build_sk_raw(&b, 0, VIEW(vid)); break;
		case 17: got = ike_build_sk_end(&b, 16, 16, &lay); break;
		case 18:
			ike_build_init_chain(&b, buf, sizeof(buf));
			got = ike_build_sk_begin(&b, 16);
			break;
		case 19:
			ike_build_sk_begin(&b, 16);
			got = ike_build_sk_begin(&b, 16);
			break;
		case 20:
			ike_build_sk_begin(&b, 16);
			ike_build_sk_end(&b, 16, 16, &lay);
			got = ike_build_vendor(&b, VIEW(vid));
			break;
		case 21:
			ike_build_sk_begin(&b, 16);
			got = ike_build_sk_end(&b, 0, 16, &lay);
			break;
		case 22:
			ike_build_sk_begin(&b, 16);
			got = ike_build_sk_end(&b, 257, 16, &lay);
			break;
		case 23:
			ike_build_sk_begin(&b, 16);
			got = ike_build_finish(&b, &len);
			break;
		}
		if (got != cases[i].want)
			fprintf(stderr, "builder case '%s'\n", cases[i].what);
		CHECK_ERR(got, cases[i].want);
		/* Sticky: later steps do nothing and the message is refused. */
		CHECK_ERR(ike_build_vendor(&b, VIEW(vid)), cases[i].want);
		CHECK_ERR(ike_build_finish(&b, &len), cases[i].want);
		CHECK(len == 0);
	}
}

/* One message: header + payloads given as raw octets (generic headers included). */
struct bad_case {
	const char *what;
	uint8_t first_np;
	const char *hex; /* payload chain */
	enum ike_msg_err want;
};

static const struct bad_case bad_cases[] = {
	{"chain ends early", 40, "", IKE_MSG_E_TRUNCATED_PAYLOAD},
	{"payload header cut", 40, "000000", IKE_MSG_E_TRUNCATED_PAYLOAD},
	{"payload length 3", 43, "00000003", IKE_MSG_E_BAD_PAYLOAD_LENGTH},
	{"payload length past end", 43, "00000009aabbcc", IKE_MSG_E_TRUNCATED_PAYLOAD},
	{"trailing octets", 43, "00000005aa00", IKE_MSG_E_TRAILING_DATA},
	{"unknown critical", 99, "00800004", IKE_MSG_E_UNSUPPORTED_CRITICAL},
	{"SK not last", 46, "2b000008aabbccdd2b000004", IKE_MSG_E_SK_NOT_LAST},
	{"empty SK", 46, "00000004", IKE_MSG_E_BAD_PAYLOAD_LENGTH},
	{"SKF 0 of 1", 53, "0000000900000001aa", IKE_MSG_E_BAD_FRAGMENT},
	{"SKF 2 of 1", 53, "0000000900020001aa", IKE_MSG_E_BAD_FRAGMENT},
	{"SKF short", 53, "00000007000100", IKE_MSG_E_BAD_PAYLOAD_LENGTH},
	{"SA empty", 33, "00000004", IKE_MSG_E_NO_PROPOSALS},
	{"proposal short", 33, "0000000b00000007010100", IKE_MSG_E_BAD_PROPOSAL_LENGTH},
	{"proposal length 7", 33, "0000000c0000000701010000", IKE_MSG_E_BAD_PROPOSAL_LENGTH},
	{"proposal too long", 33, "0000000c0000000901010000", IKE_MSG_E_BAD_PROPOSAL_LENGTH},
	{"proposal substruc 1", 33, "0000000c0100000801010000", IKE_MSG_E_BAD_SUBSTRUC},
	{"last proposal says more", 33, "0000000c0200000801010000", IKE_MSG_E_BAD_SUBSTRUC},
	{"proposal after last", 33, "0000001400000008010100000200000802010000",
	 IKE_MSG_E_BAD_SUBSTRUC},
	{"spi size 3", 33, "0000000f0000000b01030300aabbcc", IKE_MSG_E_BAD_SPI_SIZE},
	{"spi past proposal", 33, "0000000c0000000801030400", IKE_MSG_E_BAD_SPI_SIZE},
	{"transform length 7", 33, "000000140000001001010001" "0000000701000014",
	 IKE_MSG_E_BAD_TRANSFORM_LENGTH},
	{"transform too long", 33, "000000140000001001010001" "0000000901000014",
	 IKE_MSG_E_BAD_TRANSFORM_LENGTH},
	{"transform cut", 33, "000000100000000c01010001" "00000008", IKE_MSG_E_BAD_TRANSFORM_LENGTH},
	{"more transforms than claimed", 33,
	 "0000001c0000001801010001" "0300000801000014" "0000000802000005",
	 IKE_MSG_E_BAD_TRANSFORM_COUNT},
	{"fewer transforms than claimed", 33, "000000140000001001010002" "0000000801000014",
	 IKE_MSG_E_BAD_TRANSFORM_COUNT},
	{"transform substruc 2", 33, "000000140000001001010001" "0200000801000014",
	 IKE_MSG_E_BAD_SUBSTRUC},
	{"key length TLV", 33, "000000180000001401010001" "0000000c01000014000e0000",
	 IKE_MSG_E_BAD_ATTRIBUTE},
	{"key length twice", 33, "0000001c0000001801010001" "0000001001000014800e0080800e0080",
	 IKE_MSG_E_BAD_ATTRIBUTE},
	{"key length 0", 33, "000000180000001401010001" "0000000c01000014800e0000",
	 IKE_MSG_E_BAD_ATTRIBUTE},
	{"attribute cut", 33, "000000160000001201010001" "0000000a01000014800e",
	 IKE_MSG_E_BAD_ATTRIBUTE},
	{"TLV attribute too long", 33, "000000180000001401010001" "0000000c010000140001ffff",
	 IKE_MSG_E_BAD_ATTRIBUTE},
	{"KE without data", 34, "00000008001f0000", IKE_MSG_E_BAD_KE},
	{"KE cut", 34, "00000006001f", IKE_MSG_E_BAD_KE},
	{"IPv4 ID of 5", 35, "0000000d01000000aabbccddee", IKE_MSG_E_BAD_ID},
	{"IPv6 ID of 4", 36, "0000000c05000000aabbccdd", IKE_MSG_E_BAD_ID},
	{"empty FQDN", 35, "0000000802000000", IKE_MSG_E_BAD_ID},
	{"empty CERT", 37, "00000004", IKE_MSG_E_BAD_PAYLOAD_LENGTH},
	{"AUTH without data", 39, "0000000802000000", IKE_MSG_E_BAD_AUTH},
	{"nonce 15", 40, "00000013" "000102030405060708090a0b0c0d0e", IKE_MSG_E_BAD_NONCE_LENGTH},
	{"notify cut", 41, "00000007000040", IKE_MSG_E_BAD_NOTIFY},
	{"notify spi 2", 41, "0000000a03024009aabb", IKE_MSG_E_BAD_NOTIFY},
	{"notify spi past end", 41, "0000000a03044009aabb", IKE_MSG_E_BAD_NOTIFY},
	{"delete IKE with SPI", 42, "0000000c01040001aabbccdd", IKE_MSG_E_BAD_DELETE},
	{"delete ESP count", 42, "0000000c03040002aabbccdd", IKE_MSG_E_BAD_DELETE},
	{"delete proto 9", 42, "0000000809000000", IKE_MSG_E_BAD_DELETE},
	{"TS head cut", 44, "00000007010000", IKE_MSG_E_BAD_TS_LENGTH},
	{"no selectors", 44, "0000000800000000", IKE_MSG_E_BAD_TS_COUNT},
	{"IPv4 selector of 12", 44, "0000001401000000" "0700000c0000ffff0a000001",
	 IKE_MSG_E_BAD_TS_LENGTH},
	{"IPv6 selector of 16", 45, "0000001801000000" "080000100000ffff0a0000010a000002",
	 IKE_MSG_E_BAD_TS_LENGTH},
	{"selector past end", 44, "0000001801000000" "070000140000ffff0a0000010a000002",
	 IKE_MSG_E_BAD_TS_LENGTH},
	{"selector length 3", 44, "0000000c01000000" "0a000003", IKE_MSG_E_BAD_TS_LENGTH},
	{"more selectors than claimed", 44, "0000001001000000" "0a000004" "0a000004",
	 IKE_MSG_E_BAD_TS_COUNT},
	{"fewer selectors than claimed", 44, "0000000c02000000" "0a000004", IKE_MSG_E_BAD_TS_COUNT},
	{"CP type 0", 47, "0000000800000000", IKE_MSG_E_BAD_CP},
	{"CP cut", 47, "00000007010000", IKE_MSG_E_BAD_CP},
	{"CP attribute cut", 47, "0000000a01000000" "0001", IKE_MSG_E_BAD_CP},
	{"CP attribute too long", 47, "0000000c01000000" "00010004", IKE_MSG_E_BAD_CP},
	{"EAP length", 48, "0000000901010006aa", IKE_MSG_E_BAD_EAP},
	{"EAP cut", 48, "00000007010100", IKE_MSG_E_BAD_EAP},
};

static size_t unhex(const char *hex, uint8_t *out)
{
	size_t n = 0;

	for (; hex[0] && hex[1]; hex += 2)
		out[n++] = (uint8_t)strtoul((char[3]){hex[0], hex[1], 0}, NULL, 16);
	return n;
}

/* hdr + raw chain, with a correct IKE length. */
static size_t make_msg(uint8_t *buf, uint8_t first_np, const uint8_t *chain, size_t n)
{
	struct ike_build b;

	ike_build_init(&b, buf, IKE_HDR_LEN, &hdr);
	buf[16] = first_np;
	if (n > 0)
		memcpy(buf + IKE_HDR_LEN, chain, n);
	size_t len = IKE_HDR_LEN + n;
	buf[24] = (uint8_t)(len >> 24);
	buf[25] = (uint8_t)(len >> 16);
	buf[26] = (uint8_t)(len >> 8);
	buf[27] = (uint8_t)len;
	return len;
}

static void test_decoder_rejects(void)
{
	uint8_t chain[512], buf[1024], *copy;

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		size_t len = make_msg(buf, c->first_np, chain, unhex(c->hex, chain));
		enum ike_msg_err got = decode_copy(buf, len, &msg, &copy);
		if (got != c->want)
			fprintf(stderr, "decoder case '%s'\n", c->what);
		CHECK_ERR(got, c->want);
		CHECK(msg.err_off >= IKE_HDR_LEN && msg.err_off <= len);
		free(copy);
	}

	/* The header. */
	size_t len = make_msg(buf, 0, NULL, 0);
	CHECK_ERR(decode_copy(buf, len, &msg, &copy), IKE_MSG_E_OK);
	free(copy);
	CHECK_ERR(decode_copy(buf, len - 1, &msg, &copy), IKE_MSG_E_TRUNCATED_HDR);
	free(copy);
	buf[27]++; /* length says 29 */
	CHECK_ERR(decode_copy(buf, len, &msg, &copy), IKE_MSG_E_BAD_LENGTH);
	free(copy);
	buf[27]--;
	buf[17] = 0x10; /* IKEv1 */
	CHECK_ERR(decode_copy(buf, len, &msg, &copy), IKE_MSG_E_BAD_VERSION);
	free(copy);
	buf[17] = 0x30; /* IKEv3: the caller answers INVALID_MAJOR_VERSION */
	CHECK_ERR(decode_copy(buf, len, &msg, &copy), IKE_MSG_E_BAD_VERSION);
	CHECK(msg.hdr.version == 0x30);
	free(copy);
	buf[17] = 0x21; /* minor version ignored */
	CHECK_ERR(decode_copy(buf, len, &msg, &copy), IKE_MSG_E_OK);
	free(copy);
	memset(buf, 0, 8);
	CHECK_ERR(decode_copy(buf, len, &msg, &copy), IKE_MSG_E_ZERO_SPI);
	free(copy);

	/* Unknown payloads: critical -> its type for UNSUPPORTED_CRITICAL_PAYLOAD; else skipped. */
	len = make_msg(buf, 43, chain, unhex("63000008aabbccdd" "00800004", chain));
	CHECK_ERR(decode_copy(buf, len, &msg, &copy), IKE_MSG_E_UNSUPPORTED_CRITICAL);
	CHECK(msg.bad_type == 99 && msg.err_off == IKE_HDR_LEN + 8);
	free(copy);
	len = make_msg(buf, 43, chain, unhex("63000008aabbccdd" "2b000004" "00000004", chain));
	CHECK_ERR(decode_copy(buf, len, &msg, &copy), IKE_MSG_E_OK);
	CHECK(msg.n_pld == 2 && msg.n_skipped == 1 && msg.pld[1].off == IKE_HDR_LEN + 12);
	free(copy);
	/* A known payload marked critical is just decoded. */
	len = make_msg(buf, 43, chain, unhex("00800005aa", chain));
	CHECK_ERR(decode_copy(buf, len, &msg, &copy), IKE_MSG_E_OK);
	CHECK(msg.n_pld == 1 && msg.pld[0].critical);
	free(copy);
}

/* Table limits: one past each is a TOO_MANY_* error, at the limit it decodes. */
static void test_limits(void)
{
	static uint8_t buf[70000], big[65536];
	struct ike_build b;
	struct ike_proposal p[IKE_MSG_MAX_PROPOSALS + 1];
	struct ike_transform x[IKE_MSG_MAX_TRANSFORMS + 1];
	struct ike_ts t[IKE_MSG_MAX_TS + 1];
	struct ike_cp_attr a[IKE_MSG_MAX_CP_ATTRS + 1];
	size_t len;
	uint8_t *copy;

	memset(x, 0, sizeof(x));
	memset(t, 0, sizeof(t));
	memset(a, 0, sizeof(a));
	for (size_t i = 0; i <= IKE_MSG_MAX_PROPOSALS; i++)
		p[i] = (struct ike_proposal){.num = 1, .proto = 1, .xf_first = 0, .xf_n = 1};
	for (size_t i = 0; i <= IKE_MSG_MAX_TS; i++)
		t[i].type = IKE_TS_IPV4_ADDR_RANGE;

	for (int over = 0; over <= 1; over++) {
		/* Payloads. */
		ike_build_init(&b, buf, sizeof(buf), &hdr);
		for (size_t i = 0; i < IKE_MSG_MAX_PAYLOADS + (size_t)over; i++)
			ike_build_vendor(&b, VIEW(vid));
		CHECK_ERR(ike_build_finish(&b, &len), IKE_MSG_E_OK);
		CHECK_ERR(decode_copy(buf, len, &msg, &copy),
			  over ? IKE_MSG_E_TOO_MANY_PAYLOADS : IKE_MSG_E_OK);
		free(copy);

		/* Proposals: the builder refuses what the decoder cannot hold. */
		ike_build_init(&b, buf, sizeof(buf), &hdr);
		CHECK_ERR(ike_build_sa(&b, p, IKE_MSG_MAX_PROPOSALS + (size_t)over, x),
			  over ? IKE_MSG_E_TOO_MANY_PROPOSALS : IKE_MSG_E_OK);
		ike_build_init(&b, buf, sizeof(buf), &hdr);
		CHECK_ERR(ike_build_ts(&b, IKE_PLD_TSI, t, IKE_MSG_MAX_TS + (size_t)over),
			  over ? IKE_MSG_E_TOO_MANY_TS : IKE_MSG_E_OK);
		ike_build_init(&b, buf, sizeof(buf), &hdr);
		CHECK_ERR(ike_build_cp(&b, 1, a, IKE_MSG_MAX_CP_ATTRS + (size_t)over),
			  over ? IKE_MSG_E_TOO_MANY_CP_ATTRS : IKE_MSG_E_OK);

		/* Transforms: spread over two SA payloads, each within its own limits. */
		struct ike_proposal half = {.num = 1, .proto = 1, .xf_n = IKE_MSG_MAX_TRANSFORMS / 2};
		ike_build_init(&b, buf, sizeof(buf), &hdr);
		ike_build_sa(&b, &half, 1, x);
		half.xf_n += (uint16_t)over;
		ike_build_sa(&b, &half, 1, x);
		CHECK_ERR(ike_build_finish(&b, &len), IKE_MSG_E_OK);
		CHECK_ERR(decode_copy(buf, len, &msg, &copy),
			  over ? IKE_MSG_E_TOO_MANY_TRANSFORMS : IKE_MSG_E_OK);
		free(copy);
	}
	/* Too many proposals/selectors/attributes on the wire (one payload each). */
	ike_build_init(&b, buf, sizeof(buf), &hdr);
	ike_build_sa(&b, p, IKE_MSG_MAX_PROPOSALS, x);
	ike_build_sa(&b, p, 1, x);
	ike_build_ts(&b, IKE_PLD_TSI, t, IKE_MSG_MAX_TS);
	CHECK_ERR(ike_build_finish(&b, &len), IKE_MSG_E_OK);
	CHECK_ERR(decode_copy(buf, len, &msg, &copy), IKE_MSG_E_TOO_MANY_PROPOSALS);
	free(copy);
	ike_build_init(&b, buf, sizeof(buf), &hdr);
	ike_build_ts(&b, IKE_PLD_TSI, t, IKE_MSG_MAX_TS);
	ike_build_ts(&b, IKE_PLD_TSR, t, 1);
	CHECK_ERR(ike_build_finish(&b, &len), IKE_MSG_E_OK);
	CHECK_ERR(decode_copy(buf, len, &msg, &copy), IKE_MSG_E_TOO_MANY_TS);
	free(copy);
	ike_build_init(&b, buf, sizeof(buf), &hdr);
	ike_build_cp(&b, 1, a, IKE_MSG_MAX_CP_ATTRS);
	ike_build_cp(&b, 2, a, 1);
	CHECK_ERR(ike_build_finish(&b, &len), IKE_MSG_E_OK);
	CHECK_ERR(decode_copy(buf, len, &msg, &copy), IKE_MSG_E_TOO_MANY_CP_ATTRS);
	free(copy);

	/* A payload's length field is 16 bits. */
	ike_build_init(&b, buf, sizeof(buf), &hdr);
	CHECK_ERR(ike_build_vendor(&b, (struct ike_view){big, 65532}), IKE_MSG_E_BAD_ARG);
	ike_build_init(&b, buf, sizeof(buf), &hdr);
	CHECK_ERR(ike_build_vendor(&b, (struct ike_view){big, 65531}), IKE_MSG_E_OK);
	CHECK_ERR(ike_build_finish(&b, &len), IKE_MSG_E_OK);
	CHECK_ERR(decode_copy(buf, len, &msg, &copy), IKE_MSG_E_OK);
	CHECK(msg.pld[0].u.data.len == 65531);
	free(copy);
}

static void test_udp4500(void)
{
	const uint8_t keepalive[1] = {0xff}, ike[32] = {0}, esp[8] = {0, 0, 1, 0, 0, 0, 0, 1};

	CHECK(ike_udp4500_classify(keepalive, 1) == IKE_UDP4500_KEEPALIVE);
	CHECK(ike_udp4500_classify(ike, 32) == IKE_UDP4500_IKE);
	CHECK(ike_udp4500_classify(ike, 4) == IKE_UDP4500_IKE);
	CHECK(ike_udp4500_classify(esp, 8) == IKE_UDP4500_ESP);
	CHECK(ike_udp4500_classify(esp, 7) == IKE_UDP4500_INVALID);
	CHECK(ike_udp4500_classify(ike, 3) == IKE_UDP4500_INVALID);
	CHECK(ike_udp4500_classify(ike, 1) == IKE_UDP4500_INVALID);
	CHECK(ike_udp4500_classify(ike, 0) == IKE_UDP4500_INVALID);
	CHECK(ike_udp4500_classify((const uint8_t[2]){0xff, 0xff}, 2) == IKE_UDP4500_INVALID);
}

static void test_err_names(void)
{
	for (int i = 0; i < IKE_MSG_ERR_COUNT; i++) {
		const char *n = ike_msg_err_name((enum ike_msg_err)i);
		CHECK(n != NULL && strcmp(n, "unknown") != 0);
		for (int j = 0; j < i; j++)
			CHECK(strcmp(n, ike_msg_err_name((enum ike_msg_err)j)) != 0);
	}
	CHECK(strcmp(ike_msg_err_name(IKE_MSG_E_OK), "ok") == 0);
	CHECK(strcmp(ike_msg_err_name(IKE_MSG_ERR_COUNT), "unknown") == 0);
	CHECK(strcmp(ike_msg_err_name((enum ike_msg_err)-1), "unknown") == 0);
}

int main(void)
{
	test_err_names();
	test_roundtrip_every_payload();
	test_sk_envelope();
	test_skf_fragments();
	test_builder_misuse();
	test_decoder_rejects();
	test_limits();
	test_udp4500();
	if (failures) {
		fprintf(stderr, "test_ike_msg: %d failures\n", failures);
		return 1;
	}
	printf("test_ike_msg: ok\n");
	return 0;
}
