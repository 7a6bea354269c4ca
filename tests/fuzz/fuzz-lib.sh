# SPDX-License-Identifier: BSD-3-Clause
# Shared by the run-fuzz*.sh scripts (sourced): work directory, clang build with
# libFuzzer + ASan + UBSan (no meson needed), and the run that fails on a finding.
# Environment: FUZZ_SECONDS (default 60), FUZZ_WORK (work directory; default a fresh
# /tmp/NAME.XXXXXX, removed after a clean run), CLANG (default clang).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SECS=${FUZZ_SECONDS:-60}
CLANG=${CLANG:-clang}

# fuzz_workdir NAME: sets WORK (with WORK/corpus) and keep
fuzz_workdir() {
	if [[ -n ${FUZZ_WORK:-} ]]; then
		WORK=$FUZZ_WORK keep=1
		mkdir -p "$WORK"
	else
		WORK=$(mktemp -d "/tmp/$1.XXXXXX") keep=0
	fi
	mkdir -p "$WORK/corpus"
}

# fuzz_build OUTPUT CLANG-ARGS...: the fuzz target, warnings as errors
fuzz_build() {
	local out=$1
	shift
	"$CLANG" -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		"$@" -o "$WORK/$out"
}

# fuzz_run BINARY: run it on WORK/corpus for SECS; exit 1 (inputs kept) on a finding
fuzz_run() {
	local status=0
	(cd "$WORK" && "./$1" -max_total_time="$SECS" -max_len=4096 -print_final_stats=1 \
		-artifact_prefix="$WORK/" corpus) || status=$?
	if [[ $status -ne 0 ]]; then
		echo "$1: fuzzer failed (status $status); inputs and binary in $WORK:" >&2
		ls "$WORK"/crash-* "$WORK"/leak-* "$WORK"/timeout-* "$WORK"/oom-* 2>/dev/null >&2 || true
		exit 1
	fi
	[[ $keep -eq 1 ]] || rm -rf "$WORK"
	echo "$1: no crash in ${SECS}s"
}
