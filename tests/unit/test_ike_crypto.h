/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SECGW_TEST_IKE_CRYPTO_H
#define SECGW_TEST_IKE_CRYPTO_H
/* Shared checks and hex helpers of the ike_crypto unit test (one executable, several files). */
#include <stdint.h>
#include <stdio.h>

#include "ike_crypto.h"

extern int failures;
extern int checks;

#define CHECK(cond)                                                                      \
	do {                                                                             \
		checks++;                                                                \
		if (!(cond)) {                                                           \
			failures++;                                                      \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                  \
		}                                                                        \
	} while (0)

#define CHECK_RC(expr, want)                                                                \
	do {                                                                                \
		int rc_ = (expr);                                                           \
		checks++;                                                                   \
		if (rc_ != (want)) {                                                        \
			failures++;                                                         \
			fprintf(stderr, "%s:%d: %s = %d (%s), want %d\n", __FILE__, __LINE__, \
				#expr, rc_, ike_crypto_strerror(rc_), (want));              \
		}                                                                           \
	} while (0)

#define CHECK_BYTES(got, len, want_hex) check_bytes(__FILE__, __LINE__, (got), (len), (want_hex))
#define CHECK_KEY(k, want, len) check_key(__FILE__, __LINE__, (k), (want), (len))

#define BUF_MAX 4096

/* Hex (spaces and newlines allowed) into out; aborts on bad input: the vectors are ours. */
size_t unhex(const char *hex, uint8_t *out, size_t cap);
/* hex decoded into store (BUF_MAX bytes). */
struct ike_buf hexbuf(const char *hex, uint8_t *store);
void check_bytes(const char *file, int line, const uint8_t *got, size_t len, const char *want_hex);
void check_key(const char *file, int line, const struct ike_key *k, const uint8_t *want,
	       size_t len);

/* test_ike_kdf.c */
void test_prf_rfc4868(void);
void test_integ_rfc4868(void);
void test_prf_plus_model(void);
void test_kdf_cavp(void);
void test_keys_python(void);
void test_auth_psk(void);
/* test_ike_dh.c */
void test_dh_known(void);
void test_dh_modp(void);
/* test_ike_sk.c */
void test_sk_known(void);
void test_sk_round_trip(void);
void test_sk_bad_keys(void);
void test_sk_directions(void);

#endif
