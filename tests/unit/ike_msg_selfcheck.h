/* SPDX-License-Identifier: BSD-3-Clause */
/* Test helpers shared by the unit tests and the fuzzer: compare decoded IKE messages, and
 * check that a message that decodes re-encodes to one that decodes the same. */
#ifndef SECGW_TEST_IKE_MSG_SELFCHECK_H
#define SECGW_TEST_IKE_MSG_SELFCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "ike_msg.h"

/* NULL when a and b carry the same header fields (length and minor version aside) and the
 * same payloads, else a description of the first difference.  Not compared: transform
 * attributes other than Key Length (the builder cannot write them), and SK/SKF bodies
 * (ciphertext; the builder pads what it is given), whose other fields are compared. */
const char *ike_msg_equal(const struct ike_msg *a, const struct ike_msg *b);

/* If dgram decodes: rebuild it from the decoded payloads (SK/SKF bodies copied as opaque
 * inner bytes, which adds one pad length octet), decode that, and compare.  NULL when it does
 * not decode or everything agrees, else what went wrong.  Not thread-safe (static scratch). */
const char *ike_msg_recode_check(const uint8_t *dgram, size_t len);

/* The same for a decrypted inner chain starting with first_np (ike_msg_decode_inner()). */
const char *ike_msg_recode_inner_check(const uint8_t *plain, size_t len, uint8_t first_np);

#endif
