#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build the IKE SA state machine fuzzer (fuzz_ike_sa.c) with clang (libFuzzer + ASan + UBSan,
# no meson needed) and run it, seeded with the strongSwan corpus behind a mode byte.
# Exits non-zero when the fuzzer finds a crash; the input stays in the work directory.
# Environment: FUZZ_SECONDS (default 60), FUZZ_WORK (default a fresh /tmp directory,
# removed after a clean run), CLANG (default clang).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SECS=${FUZZ_SECONDS:-60}
CLANG=${CLANG:-clang}
if [[ -n ${FUZZ_WORK:-} ]]; then
	WORK=$FUZZ_WORK keep=1
	mkdir -p "$WORK"
else
	WORK=$(mktemp -d /tmp/fuzz_ike_sa.XXXXXX) keep=0
fi
mkdir -p "$WORK/corpus"

"$CLANG" -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I "$ROOT/ike" \
	"$ROOT"/ike/ike_msg*.c "$ROOT/ike/ike_natt.c" "$ROOT"/ike/ike_sa*.c "$ROOT/ike/ike_prop_parse.c" \
	"$ROOT/ike/ike_auth.c" "$ROOT/ike/ike_crypto_err.c" "$ROOT/ike/ike_dh.c" "$ROOT/ike/ike_keys.c" \
	"$ROOT/ike/ike_prf.c" "$ROOT/ike/ike_sk.c" "$ROOT/ike/ike_transform.c" \
	"$ROOT/tests/fuzz/fuzz_ike_sa.c" -lcrypto \
	-o "$WORK/fuzz_ike_sa"

n=0
for f in "$ROOT"/tests/unit/ike_corpus/*.bin; do
	for mode in 0 1 2 3; do
		{ printf "\\x0$mode"; cat "$f"; } >"$WORK/corpus/seed$n"
		n=$((n + 1))
	done
done

cd "$WORK"
if ! ./fuzz_ike_sa -max_total_time="$SECS" -max_len=4096 -print_final_stats=1 corpus; then
	echo "fuzz_ike_sa: failure; input and binary kept in $WORK" >&2
	exit 1
fi
[[ $keep == 1 ]] || rm -rf "$WORK"
