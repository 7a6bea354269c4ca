#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build the IKE SA state machine fuzzer (fuzz_ike_sa.c) with clang (libFuzzer + ASan + UBSan,
# no meson needed) and run it, seeded with the strongSwan corpus behind a mode byte.
# Exits non-zero when the fuzzer finds a crash; the input stays in the work directory.
# Environment: see fuzz-lib.sh (FUZZ_SECONDS, FUZZ_WORK, CLANG).
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/fuzz-lib.sh"
fuzz_workdir fuzz_ike_sa
fuzz_build fuzz_ike_sa -I "$ROOT/ike" \
	"$ROOT"/ike/ike_msg*.c "$ROOT/ike/ike_natt.c" "$ROOT"/ike/ike_sa*.c "$ROOT/ike/ike_prop_parse.c" \
	"$ROOT/ike/ike_auth.c" "$ROOT/ike/ike_cert.c" "$ROOT/ike/ike_sig.c" "$ROOT/ike/ike_crypto_err.c" "$ROOT/ike/ike_dh.c" "$ROOT/ike/ike_keys.c" \
	"$ROOT/ike/ike_prf.c" "$ROOT/ike/ike_sk.c" "$ROOT/ike/ike_transform.c" \
	"$ROOT/tests/fuzz/fuzz_ike_sa.c" -lcrypto

n=0
for f in "$ROOT"/tests/unit/ike_corpus/*.bin; do
	for mode in 0 1 2 3; do
		{ printf "\\x0$mode"; cat "$f"; } >"$WORK/corpus/seed$n"
		n=$((n + 1))
	done
done

fuzz_run fuzz_ike_sa
