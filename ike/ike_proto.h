/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv2 wire constants (RFC 7296 and the IANA "IKEv2 Parameters" registry) that the
 * message codec and its callers share.  Algorithm IDs (ENCR/PRF/INTEG/DH) belong to the
 * crypto layer and are not listed here: to the codec a transform ID is just a number.
 */
#ifndef SECGW_IKE_PROTO_H
#define SECGW_IKE_PROTO_H

#define IKE_HDR_LEN 28u     /* fixed IKE header */
#define IKE_PLD_HDR_LEN 4u  /* generic payload header */
#define IKE_VERSION_2_0 0x20u
#define IKE_PORT 500u
#define IKE_NATT_PORT 4500u

/* Payload types (RFC 7296 3.2, RFC 7383 2.5). */
enum ike_pld_type {
	IKE_PLD_NONE = 0,
	IKE_PLD_SA = 33,
	IKE_PLD_KE = 34,
	IKE_PLD_IDI = 35,
	IKE_PLD_IDR = 36,
	IKE_PLD_CERT = 37,
	IKE_PLD_CERTREQ = 38,
	IKE_PLD_AUTH = 39,
	IKE_PLD_NONCE = 40,
	IKE_PLD_NOTIFY = 41,
	IKE_PLD_DELETE = 42,
	IKE_PLD_VENDOR = 43,
	IKE_PLD_TSI = 44,
	IKE_PLD_TSR = 45,
	IKE_PLD_SK = 46,
	IKE_PLD_CP = 47,
	IKE_PLD_EAP = 48,
	IKE_PLD_SKF = 53,
};

/* Generic payload header: the critical bit of the second octet. */
#define IKE_PLD_CRITICAL 0x80u

/* Exchange types (RFC 7296 3.1, RFC 9242, RFC 9370). */
enum ike_exchange {
	IKE_EXCH_SA_INIT = 34,
	IKE_EXCH_AUTH = 35,
	IKE_EXCH_CREATE_CHILD_SA = 36,
	IKE_EXCH_INFORMATIONAL = 37,
	IKE_EXCH_INTERMEDIATE = 43,
	IKE_EXCH_FOLLOWUP_KE = 44,
};

/* Header flags (RFC 7296 3.1). */
#define IKE_FLAG_INITIATOR 0x08u
#define IKE_FLAG_VERSION 0x10u
#define IKE_FLAG_RESPONSE 0x20u

/* Security protocol IDs (proposal, notify, delete). */
enum ike_proto_id {
	IKE_PROTO_IKE = 1,
	IKE_PROTO_AH = 2,
	IKE_PROTO_ESP = 3,
};

/* Transform types (RFC 7296 3.3.2). */
enum ike_xf_type {
	IKE_XF_ENCR = 1,
	IKE_XF_PRF = 2,
	IKE_XF_INTEG = 3,
	IKE_XF_DH = 4,
	IKE_XF_ESN = 5,
};

/* Transform attribute: Key Length, always TV form (RFC 7296 3.3.5). */
#define IKE_ATTR_KEY_LENGTH 14u
#define IKE_ATTR_TV 0x8000u

/* Identification types (RFC 7296 3.5). */
enum ike_id_type {
	IKE_ID_IPV4_ADDR = 1,
	IKE_ID_FQDN = 2,
	IKE_ID_RFC822_ADDR = 3,
	IKE_ID_IPV6_ADDR = 5,
	IKE_ID_DER_ASN1_DN = 9,
	IKE_ID_DER_ASN1_GN = 10,
	IKE_ID_KEY_ID = 11,
};

/* Authentication methods (RFC 7296 3.8, RFC 7427). */
enum ike_auth_method {
	IKE_AUTH_RSA_SIG = 1,
	IKE_AUTH_SHARED_KEY_MIC = 2,
	IKE_AUTH_DSS_SIG = 3,
	IKE_AUTH_ECDSA_256 = 9,  /* RFC 4754: P-256 with SHA-256 */
	IKE_AUTH_ECDSA_384 = 10, /* P-384 with SHA-384 */
	IKE_AUTH_ECDSA_521 = 11, /* P-521 with SHA-512 */
	IKE_AUTH_DIGITAL_SIG = 14,
};

/* Certificate encodings (RFC 7296 3.6). */
enum ike_cert_encoding {
	IKE_CERT_X509_SIG = 4,
	IKE_CERT_HASH_URL_X509 = 12,
};

/* Traffic selector types (RFC 7296 3.13.1). */
enum ike_ts_type {
	IKE_TS_IPV4_ADDR_RANGE = 7,
	IKE_TS_IPV6_ADDR_RANGE = 8,
};

/* Configuration payload types and the attributes a gateway hands out (RFC 7296 3.15). */
enum ike_cfg_type {
	IKE_CFG_REQUEST = 1,
	IKE_CFG_REPLY = 2,
	IKE_CFG_SET = 3,
	IKE_CFG_ACK = 4,
};
enum ike_cfg_attr {
	IKE_CFG_INTERNAL_IP4_ADDRESS = 1,
	IKE_CFG_INTERNAL_IP4_NETMASK = 2,
	IKE_CFG_INTERNAL_IP4_DNS = 3,
	IKE_CFG_INTERNAL_IP6_ADDRESS = 8,
	IKE_CFG_INTERNAL_IP6_DNS = 10,
};

/* Notify message types (RFC 7296 3.10.1 and later RFCs): errors below 16384, status above. */
enum ike_notify_type {
	IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD = 1,
	IKE_N_INVALID_IKE_SPI = 4,
	IKE_N_INVALID_MAJOR_VERSION = 5,
	IKE_N_INVALID_SYNTAX = 7,
	IKE_N_INVALID_MESSAGE_ID = 9,
	IKE_N_INVALID_SPI = 11,
	IKE_N_NO_PROPOSAL_CHOSEN = 14,
	IKE_N_INVALID_KE_PAYLOAD = 17,
	IKE_N_AUTHENTICATION_FAILED = 24,
	IKE_N_SINGLE_PAIR_REQUIRED = 34,
	IKE_N_NO_ADDITIONAL_SAS = 35,
	IKE_N_INTERNAL_ADDRESS_FAILURE = 36,
	IKE_N_FAILED_CP_REQUIRED = 37,
	IKE_N_TS_UNACCEPTABLE = 38,
	IKE_N_INVALID_SELECTORS = 39,
	IKE_N_TEMPORARY_FAILURE = 43,
	IKE_N_CHILD_SA_NOT_FOUND = 44,
	IKE_N_INITIAL_CONTACT = 16384,
	IKE_N_SET_WINDOW_SIZE = 16385,
	IKE_N_ADDITIONAL_TS_POSSIBLE = 16386,
	IKE_N_IPCOMP_SUPPORTED = 16387,
	IKE_N_NAT_DETECTION_SOURCE_IP = 16388,
	IKE_N_NAT_DETECTION_DESTINATION_IP = 16389,
	IKE_N_COOKIE = 16390,
	IKE_N_USE_TRANSPORT_MODE = 16391,
	IKE_N_HTTP_CERT_LOOKUP_SUPPORTED = 16392,
	IKE_N_REKEY_SA = 16393,
	IKE_N_ESP_TFC_PADDING_NOT_SUPPORTED = 16394,
	IKE_N_NON_FIRST_FRAGMENTS_ALSO = 16395,
	IKE_N_MOBIKE_SUPPORTED = 16396,
	IKE_N_REDIRECT_SUPPORTED = 16406,
	IKE_N_EAP_ONLY_AUTHENTICATION = 16417,
	IKE_N_IKEV2_FRAGMENTATION_SUPPORTED = 16430,
	IKE_N_SIGNATURE_HASH_ALGORITHMS = 16431,
	IKE_N_INTERMEDIATE_EXCHANGE_SUPPORTED = 16438,
};

#endif
