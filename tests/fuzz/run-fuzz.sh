#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build the IKE message fuzzer with clang (libFuzzer + ASan + UBSan, no meson needed) and run
# it on a copy of the unit test corpus, tests/unit/ike_corpus/*.bin, plus seeds whose SK body is
# a decrypted inner chain (so the inner-chain parser starts from real payloads too).
# Exits non-zero when the fuzzer finds a crash, an overread, undefined behaviour or a
# decode/re-encode mismatch; the input is left in the work directory as crash-*.
#
# Environment: see fuzz-lib.sh (FUZZ_SECONDS, FUZZ_WORK, CLANG).
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/fuzz-lib.sh"
fuzz_workdir fuzz_ike_msg
fuzz_build fuzz_ike_msg -I "$ROOT/ike" -I "$ROOT/tests/unit" \
	"$ROOT"/ike/ike_msg*.c "$ROOT/ike/ike_natt.c" \
	"$ROOT/tests/unit/ike_msg_selfcheck.c" "$ROOT/tests/fuzz/fuzz_ike_msg.c"

cp "$ROOT"/tests/unit/ike_corpus/*.bin "$WORK/corpus/"
# X_inner.bin is the plaintext of X.bin's SK payload: wrap it as X's header + an SK payload
# holding it in the clear.
for inner in "$ROOT"/tests/unit/ike_corpus/*_inner.bin; do
	outer=${inner%_inner.bin}.bin
	[[ -f $outer ]] || continue
	/usr/bin/env python3 - "$outer" "$inner" "$WORK/corpus/plainsk_$(basename "$outer")" <<'PY'
import sys
outer, inner = (open(f, 'rb').read() for f in sys.argv[1:3])
assert outer[16] == 46, 'expect a message with only an SK payload'
sk = bytes([outer[28], 0]) + (4 + len(inner)).to_bytes(2, 'big') + inner
hdr = outer[:24] + (28 + len(sk)).to_bytes(4, 'big')
open(sys.argv[3], 'wb').write(hdr + sk)
PY
done

fuzz_run fuzz_ike_msg
