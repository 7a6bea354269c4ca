/* SPDX-License-Identifier: BSD-3-Clause */
/* Test helper: field-by-field comparison of two decoded IKE messages (unit tests, fuzzer). */
#ifndef SECGW_TEST_IKE_MSG_EQUAL_H
#define SECGW_TEST_IKE_MSG_EQUAL_H

#include "ike_msg.h"

/* NULL when a and b carry the same header fields (length and minor version aside) and the
 * same payloads, else a description of the first difference.  Not compared: transform
 * attributes other than Key Length (the builder cannot write them), and SK/SKF bodies
 * (ciphertext; the builder pads what it is given), whose other fields are compared. */
const char *ike_msg_equal(const struct ike_msg *a, const struct ike_msg *b);

#endif
