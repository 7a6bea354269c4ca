/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness of the IKE message codec.  Each input is taken as a datagram: decoded,
 * and when it decodes, rebuilt from its payloads, decoded again and compared.  When its last
 * payload is SK/SKF, the body is also parsed as if it were the decrypted inner chain (with
 * the SK's next payload), and rebuilt and compared the same way.  Finally the same bytes
 * go through the port-4500 classifier, and an IKE message behind the marker is decoded.
 * A difference aborts, which libFuzzer reports as a crash.
 * Build and run: tests/fuzz/run-fuzz.sh.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ike_msg.h"
#include "ike_msg_selfcheck.h"
#include "ike_natt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ike_msg m;
	const char *diff = ike_msg_recode_check(data, size);

	if (diff == NULL && ike_msg_decode(data, size, &m) == IKE_MSG_E_OK && m.n_pld > 0) {
		const struct ike_pld *last = &m.pld[m.n_pld - 1];
		if (last->type == IKE_PLD_SK || last->type == IKE_PLD_SKF)
			diff = ike_msg_recode_inner_check(last->u.sk.body.ptr, last->u.sk.body.len,
							  last->u.sk.inner_np);
	}
	if (diff != NULL) {
		fprintf(stderr, "fuzz_ike_msg: %s\n", diff);
		abort();
	}
	if (ike_udp4500_classify(data, size) == IKE_UDP4500_IKE)
		(void)ike_msg_decode(data + IKE_NON_ESP_MARKER_LEN, size - IKE_NON_ESP_MARKER_LEN, &m);
	return 0;
}
