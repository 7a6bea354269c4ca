#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Control-plane churn under traffic on a release build (issue 3 "Proof": set Y of
# SAs and policies added and deleted at 10,000 operations per second or more for
# at least 10 s while set X carries traffic, every packet of X arriving in order).
# It runs tests/system/test_control_churn.py against build-perf: the same test the
# suite runs under ASan, where correctness is judged; here the rate is the figure.
# Prints ops/s, latency median / p99 for the mixed (under traffic), SA-heavy and
# policy-heavy runs.  About 1.5 minutes.
#
# Usage: sudo perf/bench-churn.sh [--no-build]
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${SECGW_PERF_BUILD:-build-perf}
cd "$REPO"
[[ $(id -u) -eq 0 ]] || { echo "bench-churn: needs root (network namespaces)" >&2; exit 1; }
if [[ ${1:-} != --no-build ]]; then
	[[ -f $BUILD/build.ninja ]] || meson setup "$BUILD" --buildtype=release >/dev/null
	ninja -C "$BUILD" dataplane/secgw-dp control/secgwctl >/dev/null
fi
SECGW_BUILD=$BUILD /usr/bin/python3 -m pytest tests/system/test_control_churn.py -q -s \
	-p no:cacheprovider -k "churn or mix" | grep -E "ops/s|passed|failed"
