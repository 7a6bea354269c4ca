/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal to the codec: layout of the payload bodies and substructures (RFC 7296 3.3-3.16,
 * RFC 7383 2.5), shared by the decoder and the builder. */
#ifndef SECGW_IKE_MSG_WIRE_H
#define SECGW_IKE_MSG_WIRE_H

#define IKE_HDR_NP_OFF 16u   /* next payload octet of the IKE header */
#define IKE_HDR_LEN_OFF 24u  /* length field of the IKE header */

/* SA payload substructures and their "last substruc" values. */
#define IKE_PROPOSAL_HDR_LEN 8u
#define IKE_TRANSFORM_HDR_LEN 8u
#define IKE_ATTR_HDR_LEN 4u
#define IKE_LAST_SUBSTRUC 0u
#define IKE_MORE_PROPOSALS 2u
#define IKE_MORE_TRANSFORMS 3u

/* Fixed heads of the other payload bodies. */
#define IKE_KE_HEAD 4u     /* DH group, reserved */
#define IKE_ID_HEAD 4u     /* ID type, 3 reserved octets */
#define IKE_CERT_HEAD 1u   /* encoding */
#define IKE_AUTH_HEAD 4u   /* method, 3 reserved octets */
#define IKE_NOTIFY_HEAD 4u /* protocol ID, SPI size, type */
#define IKE_DELETE_HEAD 4u /* protocol ID, SPI size, number of SPIs */
#define IKE_TS_HEAD 4u     /* number of TSs, 3 reserved octets */
#define IKE_TS_SEL_HDR 4u  /* selector: type, IP protocol, selector length */
#define IKE_TS_ADDR_OFF 8u /* selector: addresses after the two ports */
#define IKE_CP_HEAD 4u     /* CFG type, 3 reserved octets */
#define IKE_CP_ATTR_HDR 4u /* R bit + type, length */
#define IKE_CP_ATTR_TYPE_MASK 0x7fffu
#define IKE_SKF_HEAD 4u    /* fragment number, total fragments */

#endif
