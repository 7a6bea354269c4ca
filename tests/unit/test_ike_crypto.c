/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the IKEv2 crypto core (ike/ike_crypto.h).
 *
 * Published known answers:
 *  - RFC 4868 §2.7.1 PRF-HMAC-SHA-256/384/512 and §2.7.2 AUTH-HMAC-SHA-256-128,
 *    -384-192, -512-256 test cases;
 *  - NIST CAVP SP 800-135 IKEv2 KDF samples: SHA-256 and SHA-384 (SKEYSEED,
 *    DKM, SKEYSEED rekey), as carried in NSS's gtests ike-sha256/384-vectors.h;
 *    SHA-1 (the same plus DKM(Child SA) and DKM(Child SA D-H)), as carried in
 *    libreswan's CAVP tests;
 *  - RFC 5903 §8 for DH groups 19, 20, 21; RFC 7748 §6.1 (X25519) for group 31;
 *  - RFC 8439 §2.8.2 ChaCha20-Poly1305 AEAD vector, opened as an SK payload.
 * Python-made known answers (hmac and the 'cryptography' package of Debian 12,
 * script in the comment before each): IKE and Child SA key material, an SK
 * payload under AES-GCM-16 and one under AES-CBC + HMAC-SHA2-256-128, PSK AUTH.
 * Reference models in these files: prf+ by one-shot HMAC(); AEAD and
 * CBC+HMAC opening by one-shot EVP calls; OpenSSL's own DH derive.
 * Run under ASan/UBSan: every error path must free what it allocated.
 */
#include <stdlib.h>
#include <string.h>

#include "test_ike_crypto.h"

int failures;
int checks;

static int nibble(char c)
{
	const char *digits = "0123456789abcdef";
	const char *at = c != 0 ? strchr(digits, c | 0x20) : NULL;

	return at != NULL ? (int)(at - digits) : -1;
}

size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		if (*hex == ' ' || *hex == '\n')
			continue;
		int v = nibble(*hex);

		if (v < 0 || n >= cap)
			abort();
		if (hi < 0) {
			hi = v;
		} else {
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0)
		abort();
	return n;
}

struct ike_buf hexbuf(const char *hex, uint8_t *store)
{
	return (struct ike_buf){store, unhex(hex, store, BUF_MAX)};
}

void check_bytes(const char *file, int line, const uint8_t *got, size_t len, const char *want_hex)
{
	static uint8_t want[BUF_MAX];
	size_t want_len = unhex(want_hex, want, sizeof(want));

	checks++;
	if (want_len == len && memcmp(got, want, len) == 0)
		return;
	failures++;
	fprintf(stderr, "%s:%d: bytes differ (got %zu, want %zu):\n  got  ", file, line, len,
		want_len);
	for (size_t i = 0; i < len; i++)
		fprintf(stderr, "%02x", got[i]);
	fprintf(stderr, "\n  want %s\n", want_hex);
}

void check_key(const char *file, int line, const struct ike_key *k, const uint8_t *want,
	       size_t len)
{
	checks++;
	if (k->len == len && memcmp(k->b, want, len) == 0)
		return;
	failures++;
	fprintf(stderr, "%s:%d: key differs (len %zu, want %zu)\n", file, line, k->len, len);
}

int main(void)
{
	test_prf_rfc4868();
	test_integ_rfc4868();
	test_prf_plus_model();
	test_kdf_cavp();
	test_keys_python();
	test_dh_known();
	test_dh_modp();
	test_sk_known();
	test_sk_round_trip();
	test_sk_bad_keys();
	test_sk_directions();
	test_auth_psk();
	printf("%d checks, %d failures\n", checks, failures);
	return failures == 0 ? 0 : 1;
}
