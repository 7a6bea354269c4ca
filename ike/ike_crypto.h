/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SECGW_IKE_CRYPTO_H
#define SECGW_IKE_CRYPTO_H
/*
 * IKEv2 cryptographic core (RFC 7296): PRF and prf+, key derivation for IKE
 * and Child SAs, Diffie-Hellman, SK payload protection and PSK AUTH.
 *
 * Transport-free and DPDK-free: bytes in, bytes out, on OpenSSL 3.
 * Concurrency: no shared state; every function is reentrant. A struct ike_dh
 * belongs to one thread at a time.
 * Secrets: every struct ike_key this library fills must be wiped by its owner
 * (ike_sa_keys_wipe, ike_child_keys_wipe, ike_key_wipe); temporaries are wiped
 * here.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* IANA "IKEv2 Transform Attribute" values. */
enum ike_encr_id {
	IKE_ENCR_AES_CBC = 12,
	IKE_ENCR_AES_GCM_8 = 18,
	IKE_ENCR_AES_GCM_12 = 19,
	IKE_ENCR_AES_GCM_16 = 20,
	IKE_ENCR_CHACHA20_POLY1305 = 28,
};

enum ike_prf_id {
	IKE_PRF_HMAC_SHA1 = 2,
	IKE_PRF_HMAC_SHA2_256 = 5,
	IKE_PRF_HMAC_SHA2_384 = 6,
	IKE_PRF_HMAC_SHA2_512 = 7,
};

enum ike_integ_id {
	IKE_INTEG_NONE = 0,
	IKE_INTEG_HMAC_SHA1_96 = 2,
	IKE_INTEG_HMAC_SHA2_256_128 = 12,
	IKE_INTEG_HMAC_SHA2_384_192 = 13,
	IKE_INTEG_HMAC_SHA2_512_256 = 14,
};

enum ike_dh_id {
	IKE_DH_MODP_2048 = 14,
	IKE_DH_MODP_3072 = 15,
	IKE_DH_MODP_4096 = 16,
	IKE_DH_ECP_256 = 19,
	IKE_DH_ECP_384 = 20,
	IKE_DH_ECP_521 = 21,
	IKE_DH_CURVE25519 = 31,
};

enum ike_crypto_err {
	IKE_CRYPTO_OK = 0,
	IKE_CRYPTO_EINVAL = -1,    /* unsupported transform, bad argument, buffer too small */
	IKE_CRYPTO_ELEN = -2,      /* received data has a malformed length */
	IKE_CRYPTO_EICV = -3,      /* integrity check of a received SK payload failed */
	IKE_CRYPTO_EPEER = -4,     /* peer's KE public value rejected */
	IKE_CRYPTO_EAUTH = -5,     /* AUTH payload does not verify */
	IKE_CRYPTO_EINTERNAL = -6, /* OpenSSL failed (allocation, provider) */
};

const char *ike_crypto_strerror(int err);

#define IKE_PRF_MAX 64   /* longest PRF output (HMAC-SHA2-512) */
#define IKE_KEY_MAX 64   /* longest key: SK_d/SK_p of SHA2-512, SK_a of HMAC-SHA2-512-256 */
#define IKE_NONCE_MAX 256 /* RFC 7296 §3.9; the 16-byte minimum is the codec's to enforce */
#define IKE_SPI_LEN 8

/* A read-only byte range; several of them stand for their concatenation. */
struct ike_buf {
	const uint8_t *p;
	size_t len;
};

struct ike_key {
	size_t len;
	uint8_t b[IKE_KEY_MAX];
};

void ike_key_wipe(struct ike_key *k);

/* ---- transform properties (ike_transform.c); 0 means unsupported ---- */

size_t ike_prf_len(uint16_t prf);
size_t ike_integ_key_len(uint16_t integ);
size_t ike_integ_icv_len(uint16_t integ);
/*
 * Bytes of keying material for encr with the Key Length attribute key_bits (0
 * when the transform has none, as ChaCha20-Poly1305). AEAD key material is the
 * key followed by the 4-byte salt (RFC 5282 §7.1, RFC 7634 §2).
 */
size_t ike_encr_keymat_len(uint16_t encr, uint16_t key_bits);
bool ike_encr_is_aead(uint16_t encr);

/* ---- PRF, prf+ and integrity (ike_prf.c) ---- */

/* out = prf(key, data[0] | ... | data[n-1]); out holds ike_prf_len(prf) bytes. */
int ike_prf(uint16_t prf, struct ike_buf key, const struct ike_buf *data, size_t n, uint8_t *out);
#define IKE_PRF_PLUS_SEED_MAX 6
/*
 * RFC 7296 §2.13: out_len bytes of prf+(key, seed[0] | ... | seed[n-1]);
 * n <= IKE_PRF_PLUS_SEED_MAX, out_len <= 255 * ike_prf_len(prf).
 */
int ike_prf_plus(uint16_t prf, struct ike_buf key, const struct ike_buf *seed, size_t n,
		 uint8_t *out, size_t out_len);
/* The truncated HMAC of integ over the data; icv holds ike_integ_icv_len(integ) bytes. */
int ike_integ_icv(uint16_t integ, struct ike_buf key, const struct ike_buf *data, size_t n,
		  uint8_t *icv);

/* ---- key derivation (ike_keys.c) ---- */

/* The transforms an IKE SA negotiated; encr_key_bits is the Key Length attribute or 0. */
struct ike_suite {
	uint16_t encr;
	uint16_t encr_key_bits;
	uint16_t prf;
	uint16_t integ; /* IKE_INTEG_NONE with an AEAD encr */
	uint16_t dh;
};

struct ike_sa_keys {
	struct ike_key d, ai, ar, ei, er, pi, pr;
};

/* ESP/AH keys of one Child SA; i = initiator -> responder, r = responder -> initiator. */
struct ike_child_keys {
	struct ike_key ei, ai, er, ar;
};

/* §2.14: SKEYSEED = prf(Ni | Nr, g^ir). */
int ike_skeyseed(uint16_t prf, struct ike_buf ni, struct ike_buf nr, struct ike_buf gir,
		 struct ike_key *skeyseed);
/*
 * §2.18: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), with the nonces of the
 * CREATE_CHILD_SA exchange. prf is the old IKE SA's PRF (the exchange belongs to it).
 */
int ike_skeyseed_rekey(uint16_t old_prf, const struct ike_key *old_sk_d, struct ike_buf gir,
		       struct ike_buf ni, struct ike_buf nr, struct ike_key *skeyseed);
/*
 * §2.14: SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr
 *        = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)
 */
int ike_sa_keys_derive(const struct ike_suite *s, const struct ike_key *skeyseed,
		       struct ike_buf ni, struct ike_buf nr, const uint8_t spi_i[IKE_SPI_LEN],
		       const uint8_t spi_r[IKE_SPI_LEN], struct ike_sa_keys *k);
/*
 * §2.17: KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr), gir.len == 0 without PFS,
 * split as ei | ai | er | ar. encr/encr_key_bits/integ are the Child SA's
 * transforms (integ IKE_INTEG_NONE with AEAD); prf is the IKE SA's.
 */
int ike_child_keys_derive(uint16_t prf, const struct ike_key *sk_d, uint16_t encr,
			  uint16_t encr_key_bits, uint16_t integ, struct ike_buf gir,
			  struct ike_buf ni, struct ike_buf nr, struct ike_child_keys *k);
void ike_sa_keys_wipe(struct ike_sa_keys *k);
void ike_child_keys_wipe(struct ike_child_keys *k);

/* ---- Diffie-Hellman (ike_dh.c) ---- */

struct ike_dh; /* one ephemeral key pair of one group */

int ike_dh_new(uint16_t group, struct ike_dh **dh);
/*
 * A key pair from a known private value (ECP: big-endian scalar of the field
 * size; Curve25519: 32 raw bytes), for known-answer tests and deterministic
 * test peers. MODP groups are not supported here (EINVAL).
 */
int ike_dh_from_private(uint16_t group, struct ike_buf priv, struct ike_dh **dh);
void ike_dh_free(struct ike_dh *dh);
uint16_t ike_dh_group(const struct ike_dh *dh);
/* Length of the KE payload's Key Exchange Data, and of g^ir. */
size_t ike_dh_public_len(uint16_t group);
size_t ike_dh_secret_len(uint16_t group);
/*
 * Our public value in KE wire format, len == ike_dh_public_len(): MODP
 * big-endian padded to the prime's length; ECP x | y each padded to the field
 * size (RFC 5903 §7); Curve25519 the 32-byte u-coordinate (RFC 8031).
 */
int ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t len);
/*
 * g^ir from the peer's KE data, len == ike_dh_secret_len(): MODP padded to the
 * prime's length; ECP the x coordinate (RFC 5903 §7); Curve25519 32 bytes.
 * EPEER for a wrong length, a MODP value outside 1 < y < p-1, a point not on
 * the curve, or an all-zero X25519 result (RFC 8031 §2).
 */
int ike_dh_shared(const struct ike_dh *dh, struct ike_buf peer, uint8_t *secret, size_t len);

/* ---- SK payload protection (ike_sk.c), RFC 7296 §3.14, RFC 5282, RFC 7634 ---- */

/* The keys one side protects its messages with: SK_ei/SK_ai for the initiator's. */
struct ike_sk_key {
	uint16_t encr;
	uint16_t integ; /* IKE_INTEG_NONE with AEAD */
	const struct ike_key *encr_key; /* AEAD: key | salt */
	const struct ike_key *integ_key; /* unused with AEAD */
};

void ike_sk_key_of(const struct ike_suite *s, const struct ike_sa_keys *k, bool initiator,
		   struct ike_sk_key *out);
/*
 * Bytes the SK payload body takes after its generic header for plain_len bytes
 * of inner payloads: IV | ciphertext (payloads, padding, pad length) | ICV.
 * 0 if k names an unsupported transform.
 */
size_t ike_sk_body_len(const struct ike_sk_key *k, size_t plain_len);
/*
 * Protect a message whose last payload is SK.
 *   msg[0, aad_len): IKE header through the SK payload's generic header, with
 *     every length field already final (IKE Length = aad_len + body, SK
 *     Payload Length = 4 + body, body = ike_sk_body_len()): they are
 *     authenticated. The caller encodes it; it is not parsed here.
 *   plain: the inner payloads, not overlapping msg.
 * Writes IV | ciphertext | ICV at msg + aad_len and sets *msg_len to the total.
 * The IV is fresh random bytes. AEAD: AAD = msg[0, aad_len), nonce = salt | IV.
 * AES-CBC: the ICV is the truncated HMAC of msg[0, total - ICV).
 */
int ike_sk_encrypt(const struct ike_sk_key *k, uint8_t *msg, size_t msg_cap, size_t aad_len,
		   struct ike_buf plain, size_t *msg_len);
/*
 * Check and open the SK payload of msg[0, msg_len), laid out as above; the
 * codec has matched the header lengths against msg_len. On success
 * plain[0, *plain_len) holds the inner payloads (padding removed); plain_cap
 * must be at least msg_len - aad_len. The ICV is verified (in constant time)
 * before any plaintext is returned. Errors: ELEN for a body too short or not
 * whole blocks, or a pad length longer than the data; EICV when the ICV does
 * not verify; plain is then wiped.
 */
int ike_sk_decrypt(const struct ike_sk_key *k, const uint8_t *msg, size_t msg_len, size_t aad_len,
		   uint8_t *plain, size_t plain_cap, size_t *plain_len);

/* ---- AUTH with a shared secret (ike_auth.c), RFC 7296 §2.15 ---- */

/*
 * Signed octets = RealMessage | Nonce | prf(SK_p, IDbody).
 *   initiator: RealMessage1 (its IKE_SA_INIT request), the responder's Nr,
 *              SK_pi and the IDi payload body after the generic header;
 *   responder: RealMessage2, Ni, SK_pr, IDr body.
 * out_cap must hold real_msg.len + nonce.len + ike_prf_len(prf).
 */
int ike_auth_octets(uint16_t prf, struct ike_buf real_msg, struct ike_buf nonce,
		    const struct ike_key *sk_p, struct ike_buf id_body, uint8_t *out,
		    size_t out_cap, size_t *out_len);
/* AUTH = prf(prf(secret, "Key Pad for IKEv2"), octets); auth holds ike_prf_len(prf). */
int ike_auth_psk(uint16_t prf, struct ike_buf secret, struct ike_buf octets, uint8_t *auth);
/* IKE_CRYPTO_OK or EAUTH; compares in constant time. */
int ike_auth_psk_verify(uint16_t prf, struct ike_buf secret, struct ike_buf octets,
			struct ike_buf auth);

#endif
