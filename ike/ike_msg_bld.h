/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal to the builder: what the payload encoders share with the chain/SK core. */
#ifndef SECGW_IKE_MSG_BLD_H
#define SECGW_IKE_MSG_BLD_H

#include "ike_msg_build.h"

/* Record err unless an earlier error is already recorded; return the recorded one. */
enum ike_msg_err ike_build_fail(struct ike_build *b, enum ike_msg_err err);

/* Append a payload of type with body_len octets, linked into the chain; the caller fills
 * the body.  NULL (and b->err set) on error. */
uint8_t *ike_build_reserve(struct ike_build *b, uint8_t type, size_t body_len);

#endif
