#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Prepare a Debian 12 host for building and running secgw: install the Debian
# packages the build, the demo and the tests need, and reserve hugepages.
# Idempotent: a second run installs nothing and changes nothing.  Run as root.
#
# Hugepages are best effort: our demo and test configs use `hugepages: false`
# (EAL --no-huge), so nothing depends on the reservation succeeding.
#
# Environment: SECGW_SKIP_APT=1 skips the package step (for machines managed otherwise).
set -euo pipefail

log() { printf 'setup-host: %s\n' "$*"; }

if [[ $(id -u) -ne 0 ]]; then
	echo "setup-host: must run as root (it installs packages and creates network namespaces)" >&2
	exit 1
fi

# Package list, with why each one is here.  --no-install-recommends is used, so a
# package that is only a Recommends of another one is named explicitly.
PACKAGES=(
	build-essential      # gcc (with libasan/libubsan for the sanitizer build), make, libc headers
	clang                # tests/fuzz/run-fuzz.sh (libFuzzer harness of the IKE codec)
	libclang-rt-dev      # clang's libFuzzer/ASan/UBSan runtimes (only a Recommends of clang)
	pkg-config           # meson finds libdpdk, openssl, yaml-0.1 through it
	meson ninja-build    # the build
	libdpdk-dev          # DPDK 22.11 headers + libs, pulls the af_packet/memif/tap PMDs and
	                     # crypto_ipsec_mb / crypto_openssl drivers
	libipsec-mb-dev      # intel-ipsec-mb (linked directly by secgw)
	libssl-dev           # OpenSSL 3.0 (IKE crypto, crypto_openssl)
	libyaml-dev          # the config loader
	dpdk dpdk-dev        # dpdk-hugepages.py, dpdk-testpmd and dpdk-test-crypto-perf (perf/)
	iproute2             # ip netns / ip link for the demo and system tests
	iputils-ping         # the demo's ping
	ethtool              # turn off veth offloads (af_packet must see full checksums)
	procps               # sysctl, ps
	tcpdump              # the demo's capture; scapy also compiles BPF filters with it
	tshark               # independent ESP decryption check in the system tests
	python3 python3-pytest python3-yaml
	python3-scapy        # independent ESP peer in the system tests
	python3-cryptography # scapy's ESP encryption (only a Recommends of python3-scapy)
	strongswan-charon strongswan-swanctl # live IKEv2 peer of secgw-ike's interop test
	libcharon-extra-plugins # kernel-libipsec: charon's userspace ESP (no kernel XFRM here)
	nftables             # nft: the NAT between the peers in tests/system/test_ike_nat.py
)

install_packages() {
	local missing=() p
	for p in "${PACKAGES[@]}"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
			missing+=("$p")
		fi
	done
	if [[ ${#missing[@]} -eq 0 ]]; then
		log "all ${#PACKAGES[@]} packages present"
		return
	fi
	log "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# tshark asks whether non-root users may capture; answer "no" up front.
	echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
	# Update the package lists only when a package is missing (and only once per run).
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
}

reserve_hugepages() {
	local want=512 have mnt=/dev/hugepages
	if ! grep -qs " $mnt hugetlbfs " /proc/mounts; then
		mkdir -p "$mnt" 2>/dev/null || true
		if ! mount -t hugetlbfs nodev "$mnt" 2>/dev/null; then
			log "could not mount hugetlbfs on $mnt; configs with 'hugepages: false' still work"
			return 0
		fi
	fi
	have=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
	if [[ $have -lt $want ]]; then
		echo "$want" >/proc/sys/vm/nr_hugepages 2>/dev/null || true
		have=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
	fi
	if [[ $have -lt $want ]]; then
		log "only $have of $want 2 MB hugepages reserved; configs with 'hugepages: false' still work"
	else
		log "$have 2 MB hugepages reserved, hugetlbfs on $mnt"
	fi
}

if [[ ${SECGW_SKIP_APT:-0} != 1 ]]; then
	install_packages
fi
reserve_hugepages
