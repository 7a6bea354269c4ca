/* SPDX-License-Identifier: BSD-3-Clause */
/* Proposal strings (strongSwan notation) to struct ike_prop.  Stateless. */
#ifndef SECGW_IKE_PROP_PARSE_H
#define SECGW_IKE_PROP_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "ike_sa.h"

/* 0, or -1 with a one-line reason in err.  ESP proposals take no prf and no dh
 * (PFS is not supported yet); "noesn" is accepted and ignored. */
int ike_prop_parse(const char *s, bool esp, struct ike_prop *out, char *err, size_t err_len);

/* The reverse, for operators: "aes128gcm16-prfsha256-x25519" (zero transforms
 * left out, unknown ones as "#ID"); truncated to cap. */
void ike_prop_format(const struct ike_prop *p, char *out, size_t cap);

#endif
