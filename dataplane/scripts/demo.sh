#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# secgw demo (README command 1): build secgw, start two gateways in network
# namespaces and send traffic from site A to site B through an ESP tunnel.
#
#   host-a           gw-a (secgw-dp)                   gw-b (secgw-dp)          host-b
#   eth0 ------- a-in | a-out ---------- "internet" -------- b-out | b-in ------- eth0
#   10.99.1.2   10.99.1.1   10.99.0.1    10.99.0.0/24    10.99.0.2   10.99.2.1   10.99.2.2
#
# Usage: sudo dataplane/scripts/demo.sh [--wait]
#   --wait   keep the topology running after the demo, until Ctrl-C
# Everything it creates (namespaces secgw-*, processes) is removed on exit or Ctrl-C.
# Takes about 20 seconds once the build is done.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO"
BUILD=${SECGW_BUILD:-build}
PY=/usr/bin/python3      # Debian's python (the one the helpers are written for)
WAIT=0
[[ ${1:-} == --wait ]] && WAIT=1

if [[ -t 1 ]]; then B=$'\e[1m'; G=$'\e[32m'; R=$'\e[31m'; N=$'\e[0m'; else B= G= R= N=; fi
step() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
say() { printf '   %s\n' "$*"; }
ok() { printf '   %s%s%s\n' "$G" "$*" "$N"; }
die() { printf '%sdemo: %s%s\n' "$R" "$*" "$N" >&2; exit 1; }
indent() { sed 's/^/   | /'; }

[[ $(id -u) -eq 0 ]] || die "run as root (it creates network namespaces): sudo $0"

NS_HA=secgw-host-a NS_GA=secgw-gw-a NS_GB=secgw-gw-b NS_HB=secgw-host-b
ALL_NS=("$NS_HA" "$NS_GA" "$NS_GB" "$NS_HB")
WORK=$(mktemp -d /tmp/secgw-demo.XXXXXX)
PIDS=()

cleanup() {
	local rc=$? pid ns
	trap - EXIT INT TERM
	printf '\n%s== tearing down%s\n' "$B" "$N"
	for pid in "${PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	for ns in "${ALL_NS[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	[[ -n ${SECGW_DEMO_KEEP:-} ]] || rm -rf "$WORK"
	rm -rf /var/run/dpdk/secgw-a /var/run/dpdk/secgw-b
	say "namespaces and gateways removed"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------
step "1/7 host packages and hugepages"
bash dataplane/scripts/setup-host.sh | indent

step "2/7 build (meson + ninja into $BUILD/)"
[[ -f $BUILD/build.ninja ]] || meson setup "$BUILD" >"$WORK/meson.log" || {
	cat "$WORK/meson.log"; die "meson setup failed"; }
ninja -C "$BUILD" >"$WORK/ninja.log" 2>&1 || { tail -40 "$WORK/ninja.log"; die "build failed"; }
DP=$BUILD/dataplane/secgw-dp
CTL=$BUILD/control/secgwctl
[[ -x $DP && -x $CTL ]] || die "build did not produce $DP and $CTL"
ok "built $DP and $CTL"

# ---------------------------------------------------------------------------
step "3/7 topology: 4 network namespaces linked by veth pairs"
for ns in "${ALL_NS[@]}"; do          # left over from an interrupted demo
	ip netns del "$ns" 2>/dev/null || true
done
for ns in "${ALL_NS[@]}"; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
link() {  # ns1 if1 ns2 if2: a veth pair, up, without IPv6 and without offloads
	ip -n "$1" link add "$2" type veth peer name "$4" netns "$3"
	local ns ifc ns_if
	for ns_if in "$1:$2" "$3:$4"; do
		ns=${ns_if%%:*} ifc=${ns_if#*:}
		ip netns exec "$ns" sysctl -q -w "net.ipv6.conf.$ifc.disable_ipv6=1"
		# af_packet must see complete checksums and unmerged packets
		ip netns exec "$ns" ethtool -K "$ifc" tx off rx off tso off gso off gro off >/dev/null
		ip -n "$ns" link set "$ifc" up
	done
}
link "$NS_HA" eth0 "$NS_GA" a-in
link "$NS_GA" a-out "$NS_GB" b-out
link "$NS_GB" b-in "$NS_HB" eth0
ip -n "$NS_HA" addr add 10.99.1.2/24 dev eth0
ip -n "$NS_HA" route add default via 10.99.1.1
ip -n "$NS_HB" addr add 10.99.2.2/24 dev eth0
ip -n "$NS_HB" route add default via 10.99.2.1
say "$NS_HA  eth0 10.99.1.2/24, default via 10.99.1.1 (gw-a)"
say "$NS_GA    a-in, a-out: no kernel addresses, the ports belong to secgw-dp"
say "$NS_GB    b-out, b-in: same"
say "$NS_HB  eth0 10.99.2.2/24, default via 10.99.2.1 (gw-b)"

# ---------------------------------------------------------------------------
step "4/7 start the two gateways"
start_gw() {  # name ns config
	ip netns exec "$2" "$DP" -c "$3" >"$WORK/$1.log" 2>&1 &
	PIDS+=($!)
	local pid=$! t
	for t in $(seq 300); do
		grep -q 'secgw-dp: ready' "$WORK/$1.log" && break
		kill -0 "$pid" 2>/dev/null || { cat "$WORK/$1.log"; die "$1 exited during start"; }
		sleep 0.1
	done
	grep -q 'secgw-dp: ready' "$WORK/$1.log" || { cat "$WORK/$1.log"; die "$1 not ready in 30 s"; }
	ok "$1 ready (pid $pid, config $3, log $WORK/$1.log)"
}
start_gw gw-a "$NS_GA" configs/demo/site-a.yaml
start_gw gw-b "$NS_GB" configs/demo/site-b.yaml

# ---------------------------------------------------------------------------
step "5/7 ping host-a -> host-b (10.99.1.2 -> 10.99.2.2)"
for _ in $(seq 20); do   # the first packets wait for ARP on each hop
	ip netns exec "$NS_HA" ping -c 1 -W 1 10.99.2.2 >/dev/null 2>&1 && break
done
ip netns exec "$NS_HA" ping -c 4 -i 0.2 -W 2 10.99.2.2 | indent ||
	die "ping failed; see $WORK/gw-a.log and $WORK/gw-b.log"

# ---------------------------------------------------------------------------
step "6/7 UDP both ways, while capturing the internet link"
# One capture at each end of the internet link: secgw-dp's af_packet ports send with
# PACKET_QDISC_BYPASS, so tcpdump in a gateway's namespace sees only what it receives.
COUNT=500
TCPDUMPS=()
for side in a b; do
	ip netns exec "secgw-gw-$side" tcpdump -n -i "$side-out" -s 0 -B 16384 -U -w "$WORK/$side-out.pcap" \
		>"$WORK/tcpdump-$side.log" 2>&1 &
	TCPDUMPS+=($!)
	PIDS+=($!)
done
for _ in $(seq 100); do [[ -s $WORK/a-out.pcap && -s $WORK/b-out.pcap ]] && break; sleep 0.05; done
sleep 0.3
FLOW=tests/system/helpers/udp_flow.py
ip netns exec "$NS_HB" $PY $FLOW recv --port 5001 --count $COUNT --marker SECGW-PLAIN \
	--timeout 30 --idle 3 --ready "$WORK/rb" --out "$WORK/recv-b.json" >/dev/null 2>&1 &
PIDS+=($!); RB=$!
ip netns exec "$NS_HA" $PY $FLOW recv --port 5002 --count $COUNT --marker SECGW-PLAIN \
	--timeout 30 --idle 3 --ready "$WORK/ra" --out "$WORK/recv-a.json" >/dev/null 2>&1 &
PIDS+=($!); RA=$!
for _ in $(seq 100); do [[ -e $WORK/ra && -e $WORK/rb ]] && break; sleep 0.05; done
say "host-a sends $COUNT UDP packets (64..1400 byte frames, each with a sequence number"
say "and a CRC, and the text SECGW-PLAIN) to host-b:5001; host-b sends $COUNT back to host-a:5002"
ip netns exec "$NS_HA" $PY $FLOW send --dst 10.99.2.2 --port 5001 --count $COUNT \
	--marker SECGW-PLAIN >/dev/null &
SA=$!
ip netns exec "$NS_HB" $PY $FLOW send --dst 10.99.1.2 --port 5002 --count $COUNT \
	--marker SECGW-PLAIN >/dev/null
wait $SA
wait $RB || true
wait $RA || true
result() {  # json who
	$PY -c 'import json,sys; r=json.load(open(sys.argv[1]))
print("   %s received %d of %d, corrupt %d, duplicates %d" % (sys.argv[2], r["received"],
      r["expected"], r["corrupt"], r["duplicates"]))
sys.exit(0 if r["ok"] else 1)' "$1" "$2"
}
if result "$WORK/recv-b.json" "host-b"; then ok "all intact"; else printf '%s   lost or damaged packets%s\n' "$R" "$N"; fi
if result "$WORK/recv-a.json" "host-a"; then ok "all intact"; else printf '%s   lost or damaged packets%s\n' "$R" "$N"; fi
sleep 0.3
for side in a b; do   # let tcpdump write out what it has buffered: wait until the file stops growing
	last=-1
	for _ in $(seq 40); do
		cur=$(stat -c %s "$WORK/$side-out.pcap")
		[[ $cur == "$last" ]] && break
		last=$cur
		sleep 0.5
	done
done
kill -INT "${TCPDUMPS[@]}" 2>/dev/null || true   # tcpdump: flush and close the files
sleep 0.5
say ""
say "what crossed the internet link, captured by tcpdump on a-out (in gw-a) and b-out (in gw-b):"
say "gw-a -> gw-b, first 5 of $(tcpdump -r "$WORK/b-out.pcap" 2>/dev/null | wc -l):"
tcpdump -n -r "$WORK/b-out.pcap" -c 5 2>/dev/null | indent
say "gw-b -> gw-a, first 5 of $(tcpdump -r "$WORK/a-out.pcap" 2>/dev/null | wc -l):"
tcpdump -n -r "$WORK/a-out.pcap" -c 5 2>/dev/null | indent
clear=0 plain=0
for side in a b; do
	clear=$((clear + $(tcpdump -n -r "$WORK/$side-out.pcap" 'not (ip proto 50) and not arp' 2>/dev/null | wc -l)))
	plain=$((plain + $(grep -c -a SECGW-PLAIN "$WORK/$side-out.pcap" || true)))
done
if [[ $clear -eq 0 && $plain -eq 0 ]]; then
	ok "only ESP (and ARP) on the internet link; the text SECGW-PLAIN appears 0 times in the captures"
else
	printf '%s   %s packets in clear, SECGW-PLAIN found in %s places%s\n' "$R" "$clear" "$plain" "$N"
fi

# ---------------------------------------------------------------------------
step "7/7 counters, read from the running gateways with secgwctl"
for gw in a b; do
	say "$CTL -p secgw-$gw sa list"
	"$CTL" -p secgw-$gw sa list | indent
done
for gw in a b; do
	say "$CTL -p secgw-$gw stats"
	"$CTL" -p secgw-$gw stats | indent
done

if [[ $WAIT -eq 1 ]]; then
	step "running until Ctrl-C; try, in another terminal:"
	say "ip netns exec $NS_HA ping 10.99.2.2"
	say "ip netns exec $NS_GB tcpdump -n -i b-out      (the ESP that gw-a sends)"
	say "$CTL -p secgw-a stats"
	while sleep 1; do :; done
fi
