/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HMAC, the only PRF and integrity family implemented: prf, prf+ (RFC 7296
 * §2.13) and truncated ICVs (RFC 4868 §2.1).
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ike_crypto.h"
#include "ike_transform.h"


/* out = the first out_len bytes of HMAC-md(key, data...). */
static int hmac(const char *md, struct ike_buf key, const struct ike_buf *data, size_t n,
		uint8_t *out, size_t out_len)
{
	uint8_t full[EVP_MAX_MD_SIZE];
	size_t full_len = 0;
	int rc = IKE_CRYPTO_EINTERNAL;

	if (md == NULL || key.p == NULL || key.len == 0 || out == NULL || (n > 0 && data == NULL))
		return IKE_CRYPTO_EINVAL;
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)md, 0),
		OSSL_PARAM_construct_end(),
	};

	if (ctx == NULL || !EVP_MAC_init(ctx, key.p, key.len, params))
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (data[i].len == 0)
			continue;
		if (data[i].p == NULL) {
			rc = IKE_CRYPTO_EINVAL;
			goto out;
		}
		if (!EVP_MAC_update(ctx, data[i].p, data[i].len))
			goto out;
	}
	if (!EVP_MAC_final(ctx, full, &full_len, sizeof(full)) || full_len < out_len)
		goto out;
	memcpy(out, full, out_len);
	rc = IKE_CRYPTO_OK;
out:
	OPENSSL_cleanse(full, sizeof(full));
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return rc;
}

int ike_prf(uint16_t prf, struct ike_buf key, const struct ike_buf *data, size_t n, uint8_t *out)
{
	return hmac(ike_prf_md(prf), key, data, n, out, ike_prf_len(prf));
}

int ike_integ_icv(uint16_t integ, struct ike_buf key, const struct ike_buf *data, size_t n,
		  uint8_t *icv)
{
	if (key.len != ike_integ_key_len(integ))
		return IKE_CRYPTO_EINVAL;
	return hmac(ike_integ_md(integ), key, data, n, icv, ike_integ_icv_len(integ));
}

/* T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n); out = T1 | T2 | ... truncated. */
int ike_prf_plus(uint16_t prf, struct ike_buf key, const struct ike_buf *seed, size_t n,
		 uint8_t *out, size_t out_len)
{
	size_t prf_len = ike_prf_len(prf);
	struct ike_buf parts[IKE_PRF_PLUS_SEED_MAX + 2];
	uint8_t t[IKE_PRF_MAX];
	uint8_t counter = 1;
	int rc = IKE_CRYPTO_OK;

	if (prf_len == 0 || n > IKE_PRF_PLUS_SEED_MAX || out_len > 255 * prf_len ||
	    (out_len > 0 && out == NULL) || (n > 0 && seed == NULL))
		return IKE_CRYPTO_EINVAL;
	for (size_t done = 0; done < out_len; counter++) {
		size_t m = 0;

		if (counter > 1)
			parts[m++] = (struct ike_buf){t, prf_len};
		for (size_t i = 0; i < n; i++)
			parts[m++] = seed[i];
		parts[m++] = (struct ike_buf){&counter, 1};
		rc = ike_prf(prf, key, parts, m, t);
		if (rc != IKE_CRYPTO_OK)
			break;
		size_t take = out_len - done < prf_len ? out_len - done : prf_len;

		memcpy(out + done, t, take);
		done += take;
	}
	OPENSSL_cleanse(t, sizeof(t));
	if (rc != IKE_CRYPTO_OK)
		OPENSSL_cleanse(out, out_len);
	return rc;
}
