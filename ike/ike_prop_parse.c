/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Proposal strings in strongSwan's notation ("aes128gcm16-prfsha256-x25519",
 * "aes128-sha256-modp2048", ESP "aes128gcm16", "aes128-sha256"), one
 * transform of each type, so that a connection reads the same on both peers.
 */
#include <stdio.h>
#include <string.h>

#include "ike_prop_parse.h"

struct tok {
	const char *name;
	uint8_t kind; /* 1 encr, 2 integ, 3 prf, 4 dh */
	uint16_t id, bits;
	uint16_t prf_of_integ; /* IKE: the PRF an integrity token implies */
};

static const struct tok toks[] = {
	{"aes128", 1, IKE_ENCR_AES_CBC, 128, 0},
	{"aes192", 1, IKE_ENCR_AES_CBC, 192, 0},
	{"aes256", 1, IKE_ENCR_AES_CBC, 256, 0},
	{"aes128gcm16", 1, IKE_ENCR_AES_GCM_16, 128, 0},
	{"aes192gcm16", 1, IKE_ENCR_AES_GCM_16, 192, 0},
	{"aes256gcm16", 1, IKE_ENCR_AES_GCM_16, 256, 0},
	{"aes128gcm", 1, IKE_ENCR_AES_GCM_16, 128, 0},
	{"aes256gcm", 1, IKE_ENCR_AES_GCM_16, 256, 0},
	{"chacha20poly1305", 1, IKE_ENCR_CHACHA20_POLY1305, 0, 0},
	{"sha1", 2, IKE_INTEG_HMAC_SHA1_96, 0, IKE_PRF_HMAC_SHA1},
	{"sha256", 2, IKE_INTEG_HMAC_SHA2_256_128, 0, IKE_PRF_HMAC_SHA2_256},
	{"sha384", 2, IKE_INTEG_HMAC_SHA2_384_192, 0, IKE_PRF_HMAC_SHA2_384},
	{"sha512", 2, IKE_INTEG_HMAC_SHA2_512_256, 0, IKE_PRF_HMAC_SHA2_512},
	{"prfsha1", 3, IKE_PRF_HMAC_SHA1, 0, 0},
	{"prfsha256", 3, IKE_PRF_HMAC_SHA2_256, 0, 0},
	{"prfsha384", 3, IKE_PRF_HMAC_SHA2_384, 0, 0},
	{"prfsha512", 3, IKE_PRF_HMAC_SHA2_512, 0, 0},
	{"modp2048", 4, IKE_DH_MODP_2048, 0, 0},
	{"modp3072", 4, IKE_DH_MODP_3072, 0, 0},
	{"modp4096", 4, IKE_DH_MODP_4096, 0, 0},
	{"ecp256", 4, IKE_DH_ECP_256, 0, 0},
	{"ecp384", 4, IKE_DH_ECP_384, 0, 0},
	{"ecp521", 4, IKE_DH_ECP_521, 0, 0},
	{"x25519", 4, IKE_DH_CURVE25519, 0, 0},
	{"curve25519", 4, IKE_DH_CURVE25519, 0, 0},
};

static const struct tok *lookup(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(toks) / sizeof(toks[0]); i++)
		if (strlen(toks[i].name) == len && memcmp(toks[i].name, s, len) == 0)
			return &toks[i];
	return NULL;
}

int ike_prop_parse(const char *s, bool esp, struct ike_prop *out, char *err, size_t err_len)
{
	static const char *const kinds[] = {"", "encryption", "integrity", "prf", "dh group"};
	struct ike_prop p = {0};
	bool seen[5] = {false};
	uint16_t implied_prf = 0;

	for (const char *t = s; *t != '\0';) {
		size_t len = strcspn(t, "-");
		const struct tok *k = lookup(t, len);

		if (esp && len == 5 && memcmp(t, "noesn", 5) == 0) {
			t += len + (t[len] == '-');
			continue;
		}
		if (k == NULL) {
			snprintf(err, err_len, "unknown algorithm '%.*s'", (int)(len > 40 ? 40 : len), t);
			return -1;
		}
		if (seen[k->kind]) {
			snprintf(err, err_len, "more than one %s algorithm", kinds[k->kind]);
			return -1;
		}
		seen[k->kind] = true;
		switch (k->kind) {
		case 1: p.encr = k->id; p.encr_key_bits = k->bits; break;
		case 2: p.integ = k->id; implied_prf = k->prf_of_integ; break;
		case 3: p.prf = k->id; break;
		case 4: p.dh = k->id; break;
		}
		t += len;
		if (*t == '-' && *++t == '\0') {
			snprintf(err, err_len, "trailing '-'");
			return -1;
		}
	}
	if (!seen[1]) {
		snprintf(err, err_len, "no encryption algorithm");
		return -1;
	}
	bool aead = ike_encr_is_aead(p.encr);
	if (aead && seen[2]) {
		snprintf(err, err_len, "an AEAD cipher takes no integrity algorithm");
		return -1;
	}
	if (!aead && !seen[2]) {
		snprintf(err, err_len, "no integrity algorithm");
		return -1;
	}
	if (esp) {
		/* A dh group asks for PFS in CREATE_CHILD_SA (ike_sa_pfs.c). */
		if (seen[3]) {
			snprintf(err, err_len, "ESP takes no prf");
			return -1;
		}
	} else {
		if (!seen[3])
			p.prf = implied_prf;
		if (p.prf == 0) {
			snprintf(err, err_len, "no prf (an AEAD proposal needs prfsha*)");
			return -1;
		}
		if (!seen[4]) {
			snprintf(err, err_len, "no dh group");
			return -1;
		}
	}
	*out = p;
	return 0;
}

/* The first token of a kind naming id (and bits for an encryption). */
static const char *name_of(uint8_t kind, uint16_t id, uint16_t bits)
{
	for (size_t i = 0; i < sizeof(toks) / sizeof(toks[0]); i++)
		if (toks[i].kind == kind && toks[i].id == id &&
		    (kind != 1 || toks[i].bits == 0 || toks[i].bits == bits))
			return toks[i].name;
	return NULL;
}

void ike_prop_format(const struct ike_prop *p, char *out, size_t cap)
{
	const char *names[4] = {name_of(1, p->encr, p->encr_key_bits),
				p->integ != 0 ? name_of(2, p->integ, 0) : "",
				p->prf != 0 ? name_of(3, p->prf, 0) : "",
				p->dh != 0 ? name_of(4, p->dh, 0) : ""};
	size_t n = 0;

	if (cap == 0)
		return;
	out[0] = '\0';
	for (size_t k = 0; k < 4; k++) {
		char unknown[16];
		const char *s = names[k];

		if (s == NULL) {
			snprintf(unknown, sizeof(unknown), "#%u",
				 k == 0 ? p->encr : k == 1 ? p->integ : k == 2 ? p->prf : p->dh);
			s = unknown;
		}
		if (*s == '\0')
			continue;
		int w = snprintf(out + n, cap - n, "%s%s", n > 0 ? "-" : "", s);
		if (w < 0 || (size_t)w >= cap - n)
			return;
		n += (size_t)w;
	}
}
