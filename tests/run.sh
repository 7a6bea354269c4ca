#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# secgw test suite (README command 2): prepares the host, builds secgw with
# AddressSanitizer + UndefinedBehaviorSanitizer into build-asan/, runs the C unit
# tests (meson test) and the system tests (pytest, network namespaces, scapy and
# tshark as independent ESP peers) against that build.  Exit status 0 only when
# everything passes.  Run as root.
#
# Environment:
#   SECGW_BUILD       build directory (default build-asan); the system tests use it too
#   PYTEST_ARGS       extra pytest arguments, e.g. "-k scapy -x"
#   SECGW_TEST_TIMEOUT  seconds for the whole pytest run (default 2400)
#   FUZZ_SECONDS      how long the IKE parser fuzzer runs (default 60; the SA fuzzer half)
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
export SECGW_BUILD=${SECGW_BUILD:-build-asan}
START=$SECONDS

if [[ $(id -u) -ne 0 ]]; then
	echo "tests/run.sh: run as root (the system tests create network namespaces)" >&2
	exit 1
fi

echo "== host preparation"
bash dataplane/scripts/setup-host.sh || exit 1

echo "== build ($SECGW_BUILD: ASan + UBSan)"
# b_lundef=false: with -fsanitize the shared objects leave the sanitizer symbols
# undefined for the executable to resolve; meson's default -Wl,--no-undefined rejects that.
if [[ ! -f $SECGW_BUILD/build.ninja ]]; then
	meson setup "$SECGW_BUILD" -Db_sanitize=address,undefined -Db_lundef=false || exit 1
fi
ninja -C "$SECGW_BUILD" || exit 1

# Sanitizer settings for every process below (unit tests and the gateways the
# system tests start; those search the gateways' stderr for reports):
#   detect_leaks=1     LeakSanitizer on at exit.  secgw-dp calls rte_eal_cleanup()
#                      on SIGTERM, so EAL memory is released and leaks are ours.
#   halt_on_error=1    the first UBSan finding fails the process (and the test).
#   abort_on_error=0   exit with an error code instead of a core dump.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0:print_summary=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

rc=0
echo "== unit tests (meson test)"
meson test -C "$SECGW_BUILD" --print-errorlogs || rc=1

echo "== IKE fuzzing (libFuzzer, ${FUZZ_SECONDS:=60} s parser, half that for the SA state machine)"
FUZZ_SECONDS=$FUZZ_SECONDS bash tests/fuzz/run-fuzz.sh || rc=1
FUZZ_SECONDS=$((FUZZ_SECONDS / 2)) bash tests/fuzz/run-fuzz-sa.sh || rc=1

echo "== system tests (pytest, against $SECGW_BUILD)"
# shellcheck disable=SC2086
timeout -k 30 "${SECGW_TEST_TIMEOUT:-2400}" \
	/usr/bin/python3 -m pytest tests/system -v -p no:cacheprovider ${PYTEST_ARGS:-} || rc=1

echo "== tests/run.sh: $([[ $rc -eq 0 ]] && echo PASSED || echo FAILED) in $((SECONDS - START)) s"
exit $rc
