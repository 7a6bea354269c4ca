/* SPDX-License-Identifier: BSD-3-Clause */
/* Names of the library's error codes, for logs. */
#include "ike_crypto.h"

const char *ike_crypto_strerror(int err)
{
	switch (err) {
	case IKE_CRYPTO_OK:
		return "ok";
	case IKE_CRYPTO_EINVAL:
		return "unsupported transform or invalid argument";
	case IKE_CRYPTO_ELEN:
		return "malformed length";
	case IKE_CRYPTO_EICV:
		return "integrity check failed";
	case IKE_CRYPTO_EPEER:
		return "invalid peer key exchange value";
	case IKE_CRYPTO_EAUTH:
		return "authentication data mismatch";
	case IKE_CRYPTO_EINTERNAL:
		return "crypto library failure";
	}
	return "unknown error";
}
