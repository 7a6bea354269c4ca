#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build the IKE message fuzzer with clang (libFuzzer + ASan + UBSan, no meson needed) and run
# it on a copy of the unit test corpus, tests/unit/ike_corpus/*.bin, plus seeds whose SK body is
# a decrypted inner chain (so the inner-chain parser starts from real payloads too).
# Exits non-zero when the fuzzer finds a crash, an overread, undefined behaviour or a
# decode/re-encode mismatch; the input is left in the work directory as crash-*.
#
# Environment: FUZZ_SECONDS (default 60), FUZZ_WORK (work directory; default a fresh
# /tmp/fuzz_ike_msg.XXXXXX, removed after a clean run), CLANG (default clang).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SECS=${FUZZ_SECONDS:-60}
CLANG=${CLANG:-clang}
if [[ -n ${FUZZ_WORK:-} ]]; then
	WORK=$FUZZ_WORK keep=1
	mkdir -p "$WORK"
else
	WORK=$(mktemp -d /tmp/fuzz_ike_msg.XXXXXX) keep=0
fi
mkdir -p "$WORK/corpus"

"$CLANG" -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I "$ROOT/ike" -I "$ROOT/tests/unit" \
	"$ROOT"/ike/ike_msg*.c "$ROOT/ike/ike_natt.c" \
	"$ROOT/tests/unit/ike_msg_selfcheck.c" "$ROOT/tests/fuzz/fuzz_ike_msg.c" \
	-o "$WORK/fuzz_ike_msg"

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

status=0
(cd "$WORK" && ./fuzz_ike_msg -max_total_time="$SECS" -max_len=4096 -print_final_stats=1 \
	-artifact_prefix="$WORK/" corpus) || status=$?
if [[ $status -ne 0 ]]; then
	echo "run-fuzz: fuzzer failed (status $status); inputs in $WORK:" >&2
	ls "$WORK"/crash-* "$WORK"/leak-* "$WORK"/timeout-* "$WORK"/oom-* 2>/dev/null >&2 || true
	exit 1
fi
[[ $keep -eq 1 ]] || rm -rf "$WORK"
echo "run-fuzz: no crash in ${SECS}s"
