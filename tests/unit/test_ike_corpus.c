/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IKE message codec against real strongSwan 5.9.8 messages (ike_corpus/, captured by
 * capture-strongswan.sh): IKE_SA_INIT requests and responses of three proposal sets, IKE_AUTH
 * in SK and in three SKF fragments, and the decrypted IKE_AUTH inner chains.  The expected
 * values were read off tshark 4.0's dissection of the same capture (proposal and transform
 * counts, DH group, notify types, fragment numbers) and off charon's own log of each message.
 * Then every truncation of every file (must fail cleanly) and every byte flipped (must not
 * crash; what still decodes must re-encode to the same thing).
 * Usage: test_ike_corpus CORPUS_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike_msg.h"
#include "ike_msg_selfcheck.h"

static int failures;

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__,   \
				#cond);                                                    \
			failures++;                                                        \
		}                                                                          \
	} while (0)

#define DH_CURVE25519 31
#define DH_MODP2048 14
#define DH_ECP384 20
#define N_CHILDLESS_IKEV2_SUPPORTED 16418
#define N_MULTIPLE_AUTH_SUPPORTED 16404
#define N_NO_ADDITIONAL_ADDRESSES 16399
#define N_MSG_ID_SYNC_SUPPORTED 16420
#define MAX_FILE 4096

static const char *corpus_dir;
static struct ike_msg msg;

struct file {
	uint8_t *p; /* exact-size heap copy: ASan sees any overread */
	size_t len;
};

static struct file load(const char *name)
{
	char path[1024];
	uint8_t tmp[MAX_FILE];
	struct file f = {NULL, 0};

	snprintf(path, sizeof(path), "%s/%s", corpus_dir, name);
	FILE *fp = fopen(path, "rb");
	if (fp == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(1);
	}
	f.len = fread(tmp, 1, sizeof(tmp), fp);
	fclose(fp);
	f.p = malloc(f.len);
	if (f.p == NULL)
		abort();
	memcpy(f.p, tmp, f.len);
	return f;
}

/* The payload types of m, in order, equal want[0..n-1]. */
static int types_are(const struct ike_msg *m, size_t first, const uint8_t *want, size_t n)
{
	if (m->n_pld != first + n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (m->pld[first + i].type != want[i])
			return 0;
	return 1;
}

/* The notify types of m, in order, equal want[0..n-1]. */
static int notifies_are(const struct ike_msg *m, const uint16_t *want, size_t n)
{
	const struct ike_pld *p = NULL;
	size_t i = 0;

	while ((p = ike_msg_find(m, IKE_PLD_NOTIFY, p)) != NULL) {
		if (i == n || p->u.notify.type != want[i])
			return 0;
		i++;
	}
	return i == n;
}

struct sa_init_case {
	const char *req, *resp;
	size_t req_len, resp_len;
	uint16_t dh;
	size_t ke_len;
	size_t n_prop;
	uint8_t xf_per_prop[8];
	struct ike_transform first[4]; /* the first proposal's transforms */
	struct ike_transform chosen[4]; /* the responder's */
};

static const struct sa_init_case sa_init_cases[] = {
	{"strongswan_x25519_sa_init_req.bin", "strongswan_x25519_sa_init_resp.bin", 232, 240,
	 DH_CURVE25519, 32, 1, {3},
	 {{IKE_XF_ENCR, 20, 128, 0}, {IKE_XF_PRF, 5, 0, 0}, {IKE_XF_DH, 31, 0, 0}},
	 {{IKE_XF_ENCR, 20, 128, 0}, {IKE_XF_PRF, 5, 0, 0}, {IKE_XF_DH, 31, 0, 0}}},
	{"strongswan_frag_sa_init_req.bin", "strongswan_frag_sa_init_resp.bin", 232, 240,
	 DH_CURVE25519, 32, 1, {3},
	 {{IKE_XF_ENCR, 20, 128, 0}, {IKE_XF_PRF, 5, 0, 0}, {IKE_XF_DH, 31, 0, 0}},
	 {{IKE_XF_ENCR, 20, 128, 0}, {IKE_XF_PRF, 5, 0, 0}, {IKE_XF_DH, 31, 0, 0}}},
	{"strongswan_modp2048_sa_init_req.bin", "strongswan_modp2048_sa_init_resp.bin", 464, 472,
	 DH_MODP2048, 256, 1, {4},
	 {{IKE_XF_ENCR, 12, 128, 0}, {IKE_XF_INTEG, 12, 0, 0}, {IKE_XF_PRF, 5, 0, 0},
	  {IKE_XF_DH, 14, 0, 0}},
	 {{IKE_XF_ENCR, 12, 128, 0}, {IKE_XF_INTEG, 12, 0, 0}, {IKE_XF_PRF, 5, 0, 0},
	  {IKE_XF_DH, 14, 0, 0}}},
	/* Seven proposals; the responder takes the first, aes256gcm16-prfsha384-ecp384. */
	{"strongswan_multi_sa_init_req.bin", "strongswan_multi_sa_init_resp.bin", 584, 304,
	 DH_ECP384, 96, 7, {3, 3, 4, 4, 4, 4, 8},
	 {{IKE_XF_ENCR, 20, 256, 0}, {IKE_XF_PRF, 6, 0, 0}, {IKE_XF_DH, 20, 0, 0}},
	 {{IKE_XF_ENCR, 20, 256, 0}, {IKE_XF_PRF, 6, 0, 0}, {IKE_XF_DH, 20, 0, 0}}},
};

static void check_transforms(const struct ike_msg *m, const struct ike_proposal *p,
			     const struct ike_transform *want)
{
	for (size_t i = 0; i < p->xf_n; i++) {
		const struct ike_transform *t = &m->xf[p->xf_first + i];
		CHECK(t->type == want[i].type && t->id == want[i].id);
		CHECK(t->key_len == want[i].key_len && t->n_unknown_attrs == 0);
	}
}

static void test_sa_init(void)
{
	/* SA KE Nonce, then five notifies in the request, six in the response. */
	static const uint8_t types[] = {IKE_PLD_SA, IKE_PLD_KE, IKE_PLD_NONCE, IKE_PLD_NOTIFY,
					IKE_PLD_NOTIFY, IKE_PLD_NOTIFY, IKE_PLD_NOTIFY,
					IKE_PLD_NOTIFY, IKE_PLD_NOTIFY};
	static const uint16_t n_req[] = {IKE_N_NAT_DETECTION_SOURCE_IP,
					 IKE_N_NAT_DETECTION_DESTINATION_IP,
					 IKE_N_IKEV2_FRAGMENTATION_SUPPORTED,
					 IKE_N_SIGNATURE_HASH_ALGORITHMS, IKE_N_REDIRECT_SUPPORTED};
	static const uint16_t n_resp[] = {IKE_N_NAT_DETECTION_SOURCE_IP,
					  IKE_N_NAT_DETECTION_DESTINATION_IP,
					  IKE_N_IKEV2_FRAGMENTATION_SUPPORTED,
					  IKE_N_SIGNATURE_HASH_ALGORITHMS,
					  N_CHILDLESS_IKEV2_SUPPORTED, N_MULTIPLE_AUTH_SUPPORTED};

	for (size_t c = 0; c < sizeof(sa_init_cases) / sizeof(sa_init_cases[0]); c++) {
		const struct sa_init_case *k = &sa_init_cases[c];
		for (int resp = 0; resp <= 1; resp++) {
			struct file f = load(resp ? k->resp : k->req);
			enum ike_msg_err err = ike_msg_decode(f.p, f.len, &msg);
			if (err != IKE_MSG_E_OK)
				fprintf(stderr, "%s: %s at %zu\n", resp ? k->resp : k->req,
					ike_msg_err_name(err), msg.err_off);
			CHECK(err == IKE_MSG_E_OK);
			CHECK(f.len == (resp ? k->resp_len : k->req_len));
			CHECK(msg.hdr.exchange == IKE_EXCH_SA_INIT && msg.hdr.msg_id == 0);
			CHECK(msg.hdr.version == IKE_VERSION_2_0 && msg.hdr.ispi != 0);
			CHECK(msg.hdr.flags == (resp ? IKE_FLAG_RESPONSE : IKE_FLAG_INITIATOR));
			CHECK(resp ? msg.hdr.rspi != 0 : msg.hdr.rspi == 0);
			CHECK(types_are(&msg, 0, types, 3 + 5 + (size_t)resp));
			CHECK(resp ? notifies_are(&msg, n_resp, 6) : notifies_are(&msg, n_req, 5));

			const struct ike_pld *sa = ike_msg_find(&msg, IKE_PLD_SA, NULL);
			CHECK(sa != NULL && sa->u.sa.n == (resp ? 1 : k->n_prop));
			for (size_t i = 0; sa != NULL && i < sa->u.sa.n; i++) {
				const struct ike_proposal *p = &msg.prop[sa->u.sa.first + i];
				CHECK(p->num == i + 1 && p->proto == IKE_PROTO_IKE);
				CHECK(p->spi.len == 0 && p->xf_n == k->xf_per_prop[i]);
			}
			if (sa != NULL && sa->u.sa.n > 0)
				check_transforms(&msg, &msg.prop[sa->u.sa.first],
						 resp ? k->chosen : k->first);
			const struct ike_pld *ke = ike_msg_find(&msg, IKE_PLD_KE, NULL);
			CHECK(ke != NULL && ke->u.ke.group == k->dh && ke->u.ke.data.len == k->ke_len);
			const struct ike_pld *no = ike_msg_find(&msg, IKE_PLD_NONCE, NULL);
			CHECK(no != NULL && no->u.data.len == 32);
			const struct ike_pld *nat = ike_msg_find_notify(&msg,
									IKE_N_NAT_DETECTION_SOURCE_IP);
			CHECK(nat != NULL && nat->u.notify.data.len == 20 && nat->u.notify.proto == 0);
			/* RFC 7427: a list of 16-bit hash algorithm IDs. */
			const struct ike_pld *sig = ike_msg_find_notify(&msg,
									IKE_N_SIGNATURE_HASH_ALGORITHMS);
			CHECK(sig != NULL && sig->u.notify.data.len > 0 &&
			      sig->u.notify.data.len % 2 == 0);
			free(f.p);
		}
	}
}

/* IKE_AUTH: one SK (or SKF) payload naming the first inner payload. */
static void test_auth_envelopes(void)
{
	static const struct {
		const char *name;
		size_t len;
		uint8_t type, inner_np;
		uint16_t frag_num, frag_total;
		int resp;
	} cases[] = {
		{"strongswan_x25519_auth_req.bin", 325, IKE_PLD_SK, IKE_PLD_IDI, 0, 0, 0},
		{"strongswan_x25519_auth_resp.bin", 167, IKE_PLD_SK, IKE_PLD_IDR, 0, 0, 1},
		{"strongswan_modp2048_auth_req.bin", 336, IKE_PLD_SK, IKE_PLD_IDI, 0, 0, 0},
		{"strongswan_modp2048_auth_resp.bin", 176, IKE_PLD_SK, IKE_PLD_IDR, 0, 0, 1},
		{"strongswan_multi_auth_req.bin", 341, IKE_PLD_SK, IKE_PLD_IDI, 0, 0, 0},
		{"strongswan_multi_auth_resp.bin", 183, IKE_PLD_SK, IKE_PLD_IDR, 0, 0, 1},
		{"strongswan_frag_auth_req.bin", 168, IKE_PLD_SKF, IKE_PLD_IDI, 1, 3, 0},
		{"strongswan_frag_auth_req_2.bin", 168, IKE_PLD_SKF, IKE_PLD_NONE, 2, 3, 0},
		{"strongswan_frag_auth_req_3.bin", 115, IKE_PLD_SKF, IKE_PLD_NONE, 3, 3, 0},
		{"strongswan_frag_auth_resp.bin", 167, IKE_PLD_SK, IKE_PLD_IDR, 0, 0, 1},
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct file f = load(cases[c].name);
		enum ike_msg_err err = ike_msg_decode(f.p, f.len, &msg);
		if (err != IKE_MSG_E_OK)
			fprintf(stderr, "%s: %s\n", cases[c].name, ike_msg_err_name(err));
		CHECK(err == IKE_MSG_E_OK && f.len == cases[c].len);
		CHECK(msg.hdr.exchange == IKE_EXCH_AUTH && msg.hdr.msg_id == 1);
		CHECK(msg.hdr.flags == (cases[c].resp ? IKE_FLAG_RESPONSE : IKE_FLAG_INITIATOR));
		CHECK(msg.n_pld == 1 && msg.pld[0].type == cases[c].type);
		const struct ike_sk *sk = &msg.pld[0].u.sk;
		size_t head = IKE_HDR_LEN + 4 + (cases[c].type == IKE_PLD_SKF ? 4 : 0);
		CHECK(sk->inner_np == cases[c].inner_np);
		CHECK(sk->frag_num == cases[c].frag_num && sk->frag_total == cases[c].frag_total);
		CHECK(sk->body_off == head && sk->body.len == f.len - head);
		CHECK(sk->body.ptr == f.p + head);
		free(f.p);
	}
}

/* The decrypted IKE_AUTH chains of the AES-GCM run, parsed with the SK's next payload. */
static void test_auth_inner(void)
{
	static const uint8_t req_types[] = {IKE_PLD_IDI, IKE_PLD_NOTIFY, IKE_PLD_IDR, IKE_PLD_AUTH,
					    IKE_PLD_CP, IKE_PLD_SA, IKE_PLD_TSI, IKE_PLD_TSR,
					    IKE_PLD_NOTIFY, IKE_PLD_NOTIFY, IKE_PLD_NOTIFY,
					    IKE_PLD_NOTIFY, IKE_PLD_NOTIFY};
	static const uint16_t req_n[] = {IKE_N_INITIAL_CONTACT, IKE_N_MOBIKE_SUPPORTED,
					 N_NO_ADDITIONAL_ADDRESSES, N_MULTIPLE_AUTH_SUPPORTED,
					 IKE_N_EAP_ONLY_AUTHENTICATION, N_MSG_ID_SYNC_SUPPORTED};
	static const uint8_t resp_types[] = {IKE_PLD_IDR, IKE_PLD_AUTH, IKE_PLD_CP,
					     IKE_PLD_NOTIFY, IKE_PLD_NOTIFY, IKE_PLD_NOTIFY};
	static const uint16_t resp_n[] = {IKE_N_MOBIKE_SUPPORTED, N_NO_ADDITIONAL_ADDRESSES,
					  IKE_N_TS_UNACCEPTABLE};
	static const struct ike_transform esp_gcm[] = {{IKE_XF_ENCR, 20, 128, 0},
						       {IKE_XF_ESN, 0, 0, 0}};
	static const struct ike_transform esp_cbc[] = {
		{IKE_XF_ENCR, 12, 128, 0}, {IKE_XF_INTEG, 12, 0, 0}, {IKE_XF_ESN, 0, 0, 0}};
	static const uint8_t any_lo[4] = {0, 0, 0, 0}, any_hi[4] = {255, 255, 255, 255};
	static const uint8_t net_lo[4] = {10, 99, 9, 0}, net_hi[4] = {10, 99, 9, 255};
	static const uint8_t vip[4] = {10, 99, 10, 1}, dns[4] = {10, 99, 10, 53};

	/* Request. */
	struct file outer = load("strongswan_x25519_auth_req.bin");
	struct file inner = load("strongswan_x25519_auth_req_inner.bin");
	CHECK(ike_msg_decode(outer.p, outer.len, &msg) == IKE_MSG_E_OK);
	enum ike_msg_err err = ike_msg_decode_inner(&msg, inner.p, inner.len,
						    msg.pld[0].u.sk.inner_np);
	if (err != IKE_MSG_E_OK)
		fprintf(stderr, "auth_req inner: %s at %zu\n", ike_msg_err_name(err), msg.err_off);
	CHECK(err == IKE_MSG_E_OK);
	CHECK(msg.pld[0].type == IKE_PLD_SK && types_are(&msg, 1, req_types, 13));
	CHECK(notifies_are(&msg, req_n, 6));
	if (msg.n_pld == 14) {
		const struct ike_pld *p = &msg.pld[1];
		CHECK(p[0].inner && p[0].u.id.type == IKE_ID_RFC822_ADDR);
		CHECK(p[0].u.id.data.len == 14 && memcmp(p[0].u.id.data.ptr, "ini@secgw.test", 14) == 0);
		CHECK(p[2].u.id.data.len == 14 && memcmp(p[2].u.id.data.ptr, "rsp@secgw.test", 14) == 0);
		CHECK(p[3].u.auth.method == IKE_AUTH_SHARED_KEY_MIC && p[3].u.auth.data.len == 32);
		CHECK(p[4].u.cp.cfg_type == IKE_CFG_REQUEST && p[4].u.cp.n == 1);
		CHECK(msg.cp[p[4].u.cp.first].type == IKE_CFG_INTERNAL_IP4_ADDRESS);
		CHECK(msg.cp[p[4].u.cp.first].value.len == 0);
		CHECK(p[5].u.sa.n == 2);
		const struct ike_proposal *pr = &msg.prop[p[5].u.sa.first];
		CHECK(pr[0].proto == IKE_PROTO_ESP && pr[0].spi.len == 4 && pr[0].xf_n == 2);
		CHECK(pr[1].proto == IKE_PROTO_ESP && pr[1].num == 2 && pr[1].xf_n == 3);
		CHECK(memcmp(pr[0].spi.ptr, pr[1].spi.ptr, 4) == 0);
		if (pr[0].xf_n == 2 && pr[1].xf_n == 3) {
			check_transforms(&msg, &pr[0], esp_gcm);
			check_transforms(&msg, &pr[1], esp_cbc);
		}
		/* TSi asks for any address (the virtual IP is not known yet); TSr the net. */
		const struct ike_ts *ti = &msg.ts[p[6].u.ts.first], *tr = &msg.ts[p[7].u.ts.first];
		CHECK(p[6].u.ts.n == 1 && p[7].u.ts.n == 1);
		CHECK(ti->type == IKE_TS_IPV4_ADDR_RANGE && ti->ip_proto == 0);
		CHECK(ti->port_start == 0 && ti->port_end == 65535);
		CHECK(memcmp(ti->addr_start, any_lo, 4) == 0 && memcmp(ti->addr_end, any_hi, 4) == 0);
		CHECK(tr->type == IKE_TS_IPV4_ADDR_RANGE);
		CHECK(memcmp(tr->addr_start, net_lo, 4) == 0 && memcmp(tr->addr_end, net_hi, 4) == 0);
	}
	free(outer.p);
	free(inner.p);

	/* Response: the virtual IP and DNS server in CFG_REPLY. */
	outer = load("strongswan_x25519_auth_resp.bin");
	inner = load("strongswan_x25519_auth_resp_inner.bin");
	CHECK(ike_msg_decode(outer.p, outer.len, &msg) == IKE_MSG_E_OK);
	CHECK(ike_msg_decode_inner(&msg, inner.p, inner.len, msg.pld[0].u.sk.inner_np) ==
	      IKE_MSG_E_OK);
	CHECK(types_are(&msg, 1, resp_types, 6) && notifies_are(&msg, resp_n, 3));
	const struct ike_pld *cp = ike_msg_find(&msg, IKE_PLD_CP, NULL);
	CHECK(cp != NULL && cp->u.cp.cfg_type == IKE_CFG_REPLY && cp->u.cp.n == 2);
	if (cp != NULL && cp->u.cp.n == 2) {
		const struct ike_cp_attr *a = &msg.cp[cp->u.cp.first];
		CHECK(a[0].type == IKE_CFG_INTERNAL_IP4_ADDRESS && a[0].value.len == 4);
		CHECK(memcmp(a[0].value.ptr, vip, 4) == 0);
		CHECK(a[1].type == IKE_CFG_INTERNAL_IP4_DNS && a[1].value.len == 4);
		CHECK(memcmp(a[1].value.ptr, dns, 4) == 0);
	}
	free(outer.p);
	free(inner.p);
}

static const char *const all_files[] = {
	"strongswan_x25519_sa_init_req.bin",   "strongswan_x25519_sa_init_resp.bin",
	"strongswan_x25519_auth_req.bin",      "strongswan_x25519_auth_resp.bin",
	"strongswan_modp2048_sa_init_req.bin", "strongswan_modp2048_sa_init_resp.bin",
	"strongswan_modp2048_auth_req.bin",    "strongswan_modp2048_auth_resp.bin",
	"strongswan_multi_sa_init_req.bin",    "strongswan_multi_sa_init_resp.bin",
	"strongswan_multi_auth_req.bin",       "strongswan_multi_auth_resp.bin",
	"strongswan_frag_sa_init_req.bin",     "strongswan_frag_sa_init_resp.bin",
	"strongswan_frag_auth_req.bin",        "strongswan_frag_auth_req_2.bin",
	"strongswan_frag_auth_req_3.bin",      "strongswan_frag_auth_resp.bin",
};
static const struct {
	const char *name;
	uint8_t first_np;
} inner_files[] = {
	{"strongswan_x25519_auth_req_inner.bin", IKE_PLD_IDI},
	{"strongswan_x25519_auth_resp_inner.bin", IKE_PLD_IDR},
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Every truncation fails; with the IKE length patched to match, the payload parsers see the
 * cut and fail too, unless it falls inside an opaque SK body. */
static void test_truncations(void)
{
	for (size_t i = 0; i < sizeof(all_files) / sizeof(all_files[0]); i++) {
		struct file f = load(all_files[i]);
		CHECK(ike_msg_recode_check(f.p, f.len) == NULL);
		for (size_t n = 0; n < f.len; n++) {
			uint8_t *cut = malloc(n ? n : 1);
			memcpy(cut, f.p, n);
			CHECK(ike_msg_decode(cut, n, &msg) != IKE_MSG_E_OK);
			if (n >= IKE_HDR_LEN) {
				put32(cut + 24, (uint32_t)n);
				enum ike_msg_err err = ike_msg_decode(cut, n, &msg);
				if (err == IKE_MSG_E_OK) {
					const struct ike_pld *last = &msg.pld[msg.n_pld - 1];
					CHECK(last->type == IKE_PLD_SK || last->type == IKE_PLD_SKF);
					CHECK(n > last->u.sk.body_off);
				}
				CHECK(ike_msg_recode_check(cut, n) == NULL);
			}
			free(cut);
		}
		free(f.p);
	}
	for (size_t i = 0; i < sizeof(inner_files) / sizeof(inner_files[0]); i++) {
		struct file f = load(inner_files[i].name);
		for (size_t n = 0; n <= f.len; n++) {
			uint8_t *cut = malloc(n ? n : 1);
			memcpy(cut, f.p, n);
			msg.n_pld = msg.n_prop = msg.n_xf = msg.n_ts = msg.n_cp = 0;
			enum ike_msg_err err = ike_msg_decode_inner(&msg, cut, n,
								    inner_files[i].first_np);
			CHECK((err == IKE_MSG_E_OK) == (n == f.len));
			CHECK(ike_msg_recode_inner_check(cut, n, inner_files[i].first_np) == NULL);
			free(cut);
		}
		free(f.p);
	}
}

/* Each byte in turn XORed with a few masks: no crash, no overread, and whatever still
 * decodes re-encodes to an equal message. */
static void test_byte_flips(void)
{
	static const uint8_t masks[] = {0x01, 0x80, 0xff};
	size_t decoded = 0, tried = 0;

	for (size_t i = 0; i < sizeof(all_files) / sizeof(all_files[0]); i++) {
		struct file f = load(all_files[i]);
		for (size_t pos = 0; pos < f.len; pos++) {
			for (size_t k = 0; k < sizeof(masks); k++) {
				f.p[pos] ^= masks[k];
				const char *diff = ike_msg_recode_check(f.p, f.len);
				if (diff != NULL)
					fprintf(stderr, "%s byte %zu ^ 0x%02x: %s\n", all_files[i],
						pos, masks[k], diff);
				CHECK(diff == NULL);
				decoded += ike_msg_decode(f.p, f.len, &msg) == IKE_MSG_E_OK;
				tried++;
				f.p[pos] ^= masks[k];
			}
		}
		free(f.p);
	}
	printf("byte flips: %zu tried, %zu still decode\n", tried, decoded);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	corpus_dir = argv[1];
	test_sa_init();
	test_auth_envelopes();
	test_auth_inner();
	test_truncations();
	test_byte_flips();
	if (failures) {
		fprintf(stderr, "test_ike_corpus: %d failures\n", failures);
		return 1;
	}
	printf("test_ike_corpus: ok\n");
	return 0;
}
