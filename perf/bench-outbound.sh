#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Outbound throughput of secgw-dp (one AES-128-GCM tunnel SA, one worker on CPU 1,
# memif ports, testpmd generator+sink on CPU 0) against the raw crypto ceiling of
# CPU 1 measured in the same run.  See perf/README.md.
#
# Usage: sudo perf/bench-outbound.sh [--no-build] [--standin] [--sizes 64,1420]
#                                    [--runs 3] [--duration 5] [--warmup 2] [--nice -10] [--keep]
#   --no-build   use build-perf as it is (default: meson setup + ninja first)
#   --standin    measure a testpmd io forwarder instead of secgw-dp (checks the harness)
#   --with-standin  measure secgw-dp, then the io forwarder in the same run (harness ceiling)
# Build dir: $SECGW_PERF_BUILD, default build-perf (release).  Takes about 1 minute.
# Results: perf/results/outbound-<timestamp>.json; a table on stdout.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${SECGW_PERF_BUILD:-build-perf}
PY=/usr/bin/python3 # Debian's python; the helper uses the standard library only
BUILD_FIRST=1
STANDIN=0
ARGS=()

for a in "$@"; do
	case "$a" in
	--no-build) BUILD_FIRST=0 ;;
	--standin) STANDIN=1; ARGS+=("$a") ;;
	-h | --help)
		sed -n '4,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
		exec "$PY" "$REPO/perf/bench_outbound.py" --build-dir "$BUILD" --help
		;;
	*) ARGS+=("$a") ;;
	esac
done

die() { printf 'bench-outbound: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "needs root (hugepages, /run/secgw-perf, /var/run/dpdk)"
for t in dpdk-testpmd dpdk-test-crypto-perf stdbuf taskset nice meson ninja; do
	command -v "$t" >/dev/null || die "$t not found"
done
cd "$REPO"
case "$BUILD" in /*) ;; *) BUILD="$REPO/$BUILD" ;; esac

if ((BUILD_FIRST)); then
	if [[ ! -f $BUILD/build.ninja ]]; then
		echo "bench-outbound: meson setup $BUILD --buildtype=release"
		meson setup "$BUILD" --buildtype=release >"$BUILD.setup.log" 2>&1 ||
			{ tail -20 "$BUILD.setup.log" >&2; die "meson setup failed (log $BUILD.setup.log)"; }
		rm -f "$BUILD.setup.log"
	fi
	echo "bench-outbound: ninja -C $BUILD"
	# Only what the benchmark runs: a half-finished test elsewhere must not stop it.
	targets=(control/secgwctl)
	((STANDIN)) || targets+=(dataplane/secgw-dp)
	out=$(ninja -C "$BUILD" "${targets[@]}" 2>&1) || { printf '%s\n' "$out" | tail -30 >&2; die "build failed"; }
fi
if ((!STANDIN)); then
	[[ -x $BUILD/dataplane/secgw-dp ]] || die "$BUILD/dataplane/secgw-dp does not exist (build it, or --standin)"
	[[ -x $BUILD/control/secgwctl ]] || die "$BUILD/control/secgwctl does not exist"
fi
if ((STANDIN)); then
	echo "bench-outbound: --standin: a testpmd io forwarder stands in for secgw-dp (no crypto)"
fi

# The helper tears everything down itself, also on Ctrl-C (it ignores a second one
# while cleaning up); exec so that the signal reaches it directly.
exec "$PY" "$REPO/perf/bench_outbound.py" --build-dir "$BUILD" --repo "$REPO" ${ARGS[@]+"${ARGS[@]}"}
