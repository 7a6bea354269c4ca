/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv2 message decoder (RFC 7296; SKF from RFC 7383).
 *
 * ike_msg_decode() validates one datagram and describes it in a caller-owned struct ike_msg:
 * views (pointer + length) into the caller's buffer and small fixed-size tables, no
 * allocation.  The buffer must outlive the struct.  Every length is checked against what
 * remains before it is used; anything that does not fit a table is an error, not a
 * truncation.
 *
 * The Encrypted (SK) and Encrypted Fragment (SKF) payloads stay opaque: the decoder reports
 * where their body (IV | ciphertext | ICV) lies.  Once the crypto layer has decrypted it,
 * ike_msg_decode_inner() parses the plaintext chain into the same struct, starting with the
 * SK payload's next-payload type.
 *
 * The same payload structs are the input of the builder (ike_build.h), so a decoded payload
 * can be re-encoded field by field.
 *
 * Concurrency: none; a struct ike_msg belongs to one thread.
 */
#ifndef SECGW_IKE_MSG_H
#define SECGW_IKE_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_msg_err.h"
#include "ike_proto.h"

/* Table sizes.  Exceeding one is a TOO_MANY_* error. */
#define IKE_MSG_MAX_PAYLOADS 48
#define IKE_MSG_MAX_PROPOSALS 32
#define IKE_MSG_MAX_TRANSFORMS 256
#define IKE_MSG_MAX_TS 32
#define IKE_MSG_MAX_CP_ATTRS 32
#define IKE_SPI_MAX 8 /* proposal / notify SPI sizes: 0, 4 (ESP/AH) or 8 (IKE) */

/* Bytes inside the caller's buffer. */
struct ike_view {
	const uint8_t *ptr;
	size_t len;
};

struct ike_hdr {
	uint64_t ispi; /* host order */
	uint64_t rspi;
	uint8_t next_payload;
	uint8_t version; /* major << 4 | minor */
	uint8_t exchange;
	uint8_t flags; /* IKE_FLAG_* */
	uint32_t msg_id;
	uint32_t length;
};

/* One transform; key_len is the Key Length attribute in bits, 0 when absent. */
struct ike_transform {
	uint8_t type; /* IKE_XF_* */
	uint16_t id;
	uint16_t key_len;
	/* Attributes other than Key Length: RFC 7296 3.3.6 makes the transform unusable. */
	uint8_t n_unknown_attrs;
};

/* One proposal; its transforms are xf[xf_first .. xf_first + xf_n - 1] of the table given
 * alongside (struct ike_msg's xf when decoded). */
struct ike_proposal {
	uint8_t num;
	uint8_t proto; /* IKE_PROTO_* */
	struct ike_view spi;
	uint16_t xf_first;
	uint16_t xf_n;
};

struct ike_ke {
	uint16_t group;
	struct ike_view data;
};

struct ike_id {
	uint8_t type; /* IKE_ID_* */
	struct ike_view data;
};

/* CERT and CERTREQ. */
struct ike_cert {
	uint8_t encoding;
	struct ike_view data;
};

struct ike_auth {
	uint8_t method;
	struct ike_view data;
};

struct ike_notify {
	uint8_t proto; /* 0 or IKE_PROTO_* */
	uint16_t type; /* IKE_N_* */
	struct ike_view spi;
	struct ike_view data;
};

struct ike_delete {
	uint8_t proto;
	uint8_t spi_size; /* 0 for IKE, 4 for ESP/AH */
	uint16_t n_spi;
	struct ike_view spis; /* n_spi * spi_size bytes */
};

/* One traffic selector.  Address ranges are copied (16 bytes, IPv4 uses the first 4).
 * A selector of another type keeps its body after the 4-byte selector header in raw. */
struct ike_ts {
	uint8_t type; /* IKE_TS_* */
	uint8_t ip_proto;
	uint16_t port_start;
	uint16_t port_end;
	uint8_t addr_start[16];
	uint8_t addr_end[16];
	struct ike_view raw;
};

/* One configuration attribute (the reserved top bit of the type is dropped). */
struct ike_cp_attr {
	uint16_t type;
	struct ike_view value;
};

/* SK and SKF.  Offsets are from the start of the buffer that was decoded: the crypto layer
 * authenticates [0, body_off + body.len - icv_len) and decrypts inside body. */
struct ike_sk {
	uint8_t inner_np;    /* type of the first inner payload */
	uint16_t frag_num;   /* SKF only, 1..frag_total */
	uint16_t frag_total; /* SKF only */
	size_t body_off;
	struct ike_view body; /* IV | ciphertext | ICV */
};

/* One decoded payload. */
struct ike_pld {
	uint8_t type;     /* enum ike_pld_type */
	bool critical;    /* as received; only matters for unknown types */
	bool inner;       /* came from ike_msg_decode_inner() */
	size_t off;       /* of the generic header, in the buffer that held it */
	size_t len;       /* payload length, generic header included */
	union {
		struct { uint16_t first, n; } sa;  /* into ike_msg.prop */
		struct ike_ke ke;
		struct ike_id id;                  /* IDi, IDr */
		struct ike_cert cert;              /* CERT, CERTREQ */
		struct ike_auth auth;
		struct ike_view data;              /* Nonce, Vendor ID, EAP */
		struct ike_notify notify;
		struct ike_delete del;
		struct { uint16_t first, n; } ts;  /* into ike_msg.ts; TSi, TSr */
		struct ike_sk sk;                  /* SK, SKF */
		struct {
			uint8_t cfg_type;          /* IKE_CFG_* */
			uint16_t first, n;         /* into ike_msg.cp */
		} cp;
	} u;
};

struct ike_msg {
	struct ike_hdr hdr;
	uint16_t n_pld;
	uint16_t n_prop, n_xf, n_ts, n_cp;
	uint16_t n_skipped; /* unknown non-critical payloads, not in pld[] */
	/* On UNSUPPORTED_CRITICAL: the payload type to send back in the notify. */
	uint8_t bad_type;
	/* On any error: offset in the decoded buffer of the structure that failed. */
	size_t err_off;
	struct ike_pld pld[IKE_MSG_MAX_PAYLOADS];
	struct ike_proposal prop[IKE_MSG_MAX_PROPOSALS];
	struct ike_transform xf[IKE_MSG_MAX_TRANSFORMS];
	struct ike_ts ts[IKE_MSG_MAX_TS];
	struct ike_cp_attr cp[IKE_MSG_MAX_CP_ATTRS];
};

/* Decode the 28-byte IKE header only (for an SPI lookup before the full decode).
 * Checks the major version and a non-zero initiator SPI; not the length. */
enum ike_msg_err ike_hdr_decode(const uint8_t *p, size_t len, struct ike_hdr *h);

/* Decode a whole datagram (after any non-ESP marker): header length must equal len.
 * Resets m first. */
enum ike_msg_err ike_msg_decode(const uint8_t *dgram, size_t len, struct ike_msg *m);

/* Decode a decrypted inner payload chain (the plaintext of an SK payload without its
 * padding) whose first payload is first_np, appending to m's tables.  SK/SKF inside is an
 * error. */
enum ike_msg_err ike_msg_decode_inner(struct ike_msg *m, const uint8_t *plain, size_t len,
				      uint8_t first_np);

/* The next payload of type after *after (NULL: the first), or NULL. */
const struct ike_pld *ike_msg_find(const struct ike_msg *m, uint8_t type,
				   const struct ike_pld *after);

/* The first Notify of notify_type, or NULL. */
const struct ike_pld *ike_msg_find_notify(const struct ike_msg *m, uint16_t notify_type);

#endif
