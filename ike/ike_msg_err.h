/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Why the IKE message codec refused a message or a build step.  One list, so the enum,
 * the log names and any per-reason counter array (sized IKE_MSG_ERR_COUNT) cannot drift.
 * Names are stable snake_case strings, usable as counter labels.
 */
#ifndef SECGW_IKE_MSG_ERR_H
#define SECGW_IKE_MSG_ERR_H

#define IKE_MSG_ERRORS(X)                                                                  \
	X(OK, "ok")                                                                        \
	/* IKE header */                                                                   \
	X(TRUNCATED_HDR, "truncated_header")                                               \
	X(BAD_VERSION, "bad_major_version")                                                \
	X(BAD_LENGTH, "length_not_datagram")                                               \
	X(ZERO_SPI, "zero_initiator_spi")                                                  \
	/* payload chain */                                                                \
	X(TRUNCATED_PAYLOAD, "truncated_payload")                                          \
	X(BAD_PAYLOAD_LENGTH, "bad_payload_length")                                        \
	X(TRAILING_DATA, "trailing_data")                                                  \
	X(TOO_MANY_PAYLOADS, "too_many_payloads")                                          \
	X(UNSUPPORTED_CRITICAL, "unsupported_critical_payload")                            \
	X(SK_NOT_LAST, "sk_not_last")                                                      \
	X(NESTED_SK, "nested_sk")                                                          \
	/* SA payload */                                                                   \
	X(NO_PROPOSALS, "no_proposals")                                                    \
	X(TOO_MANY_PROPOSALS, "too_many_proposals")                                        \
	X(BAD_PROPOSAL_LENGTH, "bad_proposal_length")                                      \
	X(BAD_SUBSTRUC, "bad_last_substruc")                                               \
	X(BAD_SPI_SIZE, "bad_spi_size")                                                    \
	X(TOO_MANY_TRANSFORMS, "too_many_transforms")                                      \
	X(BAD_TRANSFORM_LENGTH, "bad_transform_length")                                    \
	X(BAD_TRANSFORM_COUNT, "bad_transform_count")                                      \
	X(BAD_ATTRIBUTE, "bad_attribute")                                                  \
	/* other payloads */                                                               \
	X(BAD_KE, "bad_ke")                                                                \
	X(BAD_ID, "bad_id")                                                                \
	X(BAD_AUTH, "bad_auth")                                                            \
	X(BAD_NONCE_LENGTH, "bad_nonce_length")                                            \
	X(BAD_NOTIFY, "bad_notify")                                                        \
	X(BAD_DELETE, "bad_delete")                                                        \
	X(BAD_TS_LENGTH, "bad_ts_length")                                                  \
	X(BAD_TS_COUNT, "bad_ts_count")                                                    \
	X(TOO_MANY_TS, "too_many_ts")                                                      \
	X(BAD_FRAGMENT, "bad_fragment")                                                    \
	X(BAD_CP, "bad_cp")                                                                \
	X(TOO_MANY_CP_ATTRS, "too_many_cp_attrs")                                          \
	X(BAD_EAP, "bad_eap")                                                              \
	/* builder */                                                                      \
	X(NO_SPACE, "no_space")                                                            \
	X(BAD_ARG, "bad_argument")                                                         \
	X(BAD_STATE, "bad_builder_state")

enum ike_msg_err {
#define IKE_MSG_ERR_ENUM(id, name) IKE_MSG_E_##id,
	IKE_MSG_ERRORS(IKE_MSG_ERR_ENUM)
#undef IKE_MSG_ERR_ENUM
	IKE_MSG_ERR_COUNT
};

/* Stable name of err ("ok", "truncated_header", ...); "unknown" for values outside the enum. */
const char *ike_msg_err_name(enum ike_msg_err err);

#endif
