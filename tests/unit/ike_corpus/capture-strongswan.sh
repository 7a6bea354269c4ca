#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Regenerate the strongSwan messages of this corpus: two charon instances (strongSwan 5.9.8,
# PSK, a virtual IP from a pool so IKE_AUTH carries CP) in two network namespaces joined by a
# veth pair (10.99.7.1 initiator <-> 10.99.7.2 responder), one IKE SA per proposal variant,
# captured with tcpdump on the initiator side.  Each variant leaves in OUT:
#   strongswan_<variant>_sa_init_req.bin / _sa_init_resp.bin / _auth_req[_N].bin / _auth_resp[_N].bin
# (_N: the Nth fragment when IKE_AUTH is fragmented)
# (IKE messages without the 4500 non-ESP marker), <variant>.pcap and <variant>.log (charon
# log with ike=4: it holds the SK_* keys, so tshark can decrypt the pcap).  For the AES-GCM
# variant x25519 it also writes the decrypted IKE_AUTH inner chains, *_inner.bin.
# Needs root, strongswan-charon strongswan-swanctl libcharon-extra-plugins, tcpdump, python3.
# Usage: capture-strongswan.sh OUT_DIR
set -euo pipefail

OUT=$(realpath "${1:?usage: $0 OUT_DIR}")
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/ikecap.XXXXXX)
NS_I=ikecap-ini NS_R=ikecap-rsp
ADDR_I=10.99.7.1 ADDR_R=10.99.7.2

cleanup() {
	for pidf in "$WORK"/*/charon.pid.own "$WORK"/tcpdump.pid; do
		[[ -f $pidf ]] && kill "$(cat "$pidf")" 2>/dev/null || true
	done
	sleep 0.5
	ip netns del "$NS_I" 2>/dev/null || true
	ip netns del "$NS_R" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

setup_net() {
	ip netns add "$NS_I"
	ip netns add "$NS_R"
	ip link add ikecap0 netns "$NS_I" type veth peer name ikecap1 netns "$NS_R"
	ip -n "$NS_I" addr add "$ADDR_I/24" dev ikecap0
	ip -n "$NS_R" addr add "$ADDR_R/24" dev ikecap1
	for ns in "$NS_I" "$NS_R"; do
		ip -n "$ns" link set lo up
	done
	ip -n "$NS_I" link set ikecap0 up
	ip -n "$NS_R" link set ikecap1 up
}

# write_conf DIR ROLE PROPOSALS FRAGMENT_SIZE
write_conf() {
	local dir=$1 role=$2 proposals=$3 frag=$4 me peer myid peerid extra ts
	mkdir -p "$dir/run"
	# The initiator asks for a virtual IP (CP payloads); its selector is that address.
	if [[ $role == ini ]]; then
		me=$ADDR_I peer=$ADDR_R myid=ini@secgw.test peerid=rsp@secgw.test
		extra='vips = 0.0.0.0' ts='remote_ts = 10.99.9.0/24'
	else
		me=$ADDR_R peer=$ADDR_I myid=rsp@secgw.test peerid=ini@secgw.test
		extra='pools = pool4' ts='local_ts = 10.99.9.0/24'
	fi
	cat >"$dir/strongswan.conf" <<CONF
charon {
	fragment_size = $frag
	install_routes = no
	load = random nonce aes sha1 sha2 hmac gcm pem pkcs1 x509 pubkey openssl kdf attr kernel-libipsec kernel-netlink socket-default vici
	plugins {
		vici { socket = unix://$dir/charon.vici }
	}
	filelog {
		log { path = $dir/charon.log
		      default = 1
		      ike = 4
		      enc = 1 }
	}
}
CONF
	cat >"$dir/swanctl.conf" <<CONF
connections {
	cap {
		version = 2
		local_addrs = $me
		remote_addrs = $peer
		proposals = $proposals
		$extra
		local { auth = psk
			id = $myid }
		remote { auth = psk
			 id = $peerid }
		children {
			net { $ts
			      esp_proposals = aes128gcm16,aes128-sha256 }
		}
	}
}
pools { pool4 { addrs = 10.99.10.0/28
		dns = 10.99.10.53 } }
secrets { ike-cap { id-i = ini@secgw.test
		    id-r = rsp@secgw.test
		    secret = "secgw-corpus-capture-psk" } }
CONF
}

start_charon() { # NS DIR
	ip netns exec "$1" sh -c "mount --bind '$2/run' /run && exec env STRONGSWAN_CONF='$2/strongswan.conf' /usr/lib/ipsec/charon" \
		>"$2/charon.out" 2>&1 &
	echo $! >"$2/charon.pid.own"
	for _ in $(seq 50); do
		[[ -S $2/charon.vici ]] && break
		sleep 0.1
	done
	STRONGSWAN_CONF="$2/strongswan.conf" swanctl --load-all --file "$2/swanctl.conf" \
		--uri "unix://$2/charon.vici" >/dev/null 2>&1
}

stop_charon() { # DIR
	kill "$(cat "$1/charon.pid.own")" 2>/dev/null || true
	rm -f "$1/charon.pid.own"
}

# capture VARIANT PROPOSALS [FRAGMENT_SIZE]
capture() {
	local variant=$1 proposals=$2 frag=${3:-1280} di="$WORK/$1-ini" dr="$WORK/$1-rsp"
	write_conf "$di" ini "$proposals" "$frag"
	write_conf "$dr" rsp "$proposals" "$frag"
	start_charon "$NS_R" "$dr"
	start_charon "$NS_I" "$di"
	ip netns exec "$NS_I" tcpdump -i ikecap0 -U -s 0 -w "$WORK/$variant.pcap" udp 2>/dev/null &
	echo $! >"$WORK/tcpdump.pid"
	sleep 1
	STRONGSWAN_CONF="$di/strongswan.conf" timeout 20 swanctl --initiate --child net \
		--uri "unix://$di/charon.vici" >"$WORK/$variant.initiate" 2>&1 || true
	sleep 1
	kill "$(cat "$WORK/tcpdump.pid")"
	rm -f "$WORK/tcpdump.pid"
	sleep 0.5
	stop_charon "$di"
	stop_charon "$dr"
	cp "$WORK/$variant.pcap" "$OUT/$variant.pcap"
	cp "$di/charon.log" "$OUT/$variant.log"
	/usr/bin/python3 - "$WORK/$variant.pcap" "$OUT" "$variant" "$ADDR_I" <<'PY'
import struct, sys
pcap, out, variant, ini = sys.argv[1:]
data = open(pcap, 'rb').read()
assert struct.unpack('<I', data[:4])[0] == 0xa1b2c3d4, 'expect a little-endian pcap'
off, msgs = 24, []
while off + 16 <= len(data):
    incl = struct.unpack('<I', data[off + 8:off + 12])[0]
    frame = data[off + 16:off + 16 + incl]
    off += 16 + incl
    ip = frame[14:]                      # Ethernet (tcpdump on a veth)
    if frame[12:14] != b'\x08\x00' or ip[9] != 17:
        continue
    ihl = (ip[0] & 15) * 4
    src = '.'.join(map(str, ip[12:16]))
    udp = ip[ihl:]
    sport, dport = struct.unpack('!HH', udp[:4])
    payload = udp[8:]
    if 4500 in (sport, dport):
        if payload[:4] != b'\0\0\0\0':
            continue                     # ESP or keepalive
        payload = payload[4:]
    msgs.append((src == ini, payload))
# Exchange type at octet 18, response flag 0x20 at octet 19.
names = {34: 'sa_init', 35: 'auth'}
seen = {}
for from_ini, m in msgs:
    if len(m) < 28 or m[18] not in names:
        continue
    kind = names[m[18]] + ('_resp' if m[19] & 0x20 else '_req')
    seen[kind] = seen.get(kind, 0) + 1
    n = seen[kind]
    suffix = '' if n == 1 else '_%d' % n
    open('%s/strongswan_%s_%s%s.bin' % (out, variant, kind, suffix), 'wb').write(m)
print(variant, seen)
PY
}

# decrypt_gcm VARIANT: the plaintext inner chains of an AES-GCM variant's IKE_AUTH messages
# (RFC 5282: AAD = IKE header + SK header, nonce = salt | IV), keys from the charon log.
decrypt_gcm() {
	/usr/bin/python3 - "$OUT" "$1" <<'PY'
import re, sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
out, variant = sys.argv[1:]
log = open('%s/%s.log' % (out, variant)).read().splitlines()
def secret(name):
    i = next(i for i, l in enumerate(log) if ('%s secret =>' % name) in l)
    hexed = ''
    for l in log[i + 1:]:
        m = re.match(r'.*\[IKE\]\s+\d+: ((?:[0-9A-F]{2} ?)+)', l)
        if not m:
            break
        hexed += m.group(1)
    return bytes.fromhex(hexed.replace(' ', ''))
for kind, name in (('auth_req', 'Sk_ei'), ('auth_resp', 'Sk_er')):
    msg = open('%s/strongswan_%s_%s.bin' % (out, variant, kind), 'rb').read()
    key = secret(name)
    np, off = msg[16], 28
    while np != 46:
        np, off = msg[off], off + int.from_bytes(msg[off + 2:off + 4], 'big')
    plen = int.from_bytes(msg[off + 2:off + 4], 'big')
    body = msg[off + 4:off + plen]
    pt = AESGCM(key[:-4]).decrypt(key[-4:] + body[:8], body[8:], msg[:off + 4])
    inner = pt[:-1 - pt[-1]]
    open('%s/strongswan_%s_%s_inner.bin' % (out, variant, kind), 'wb').write(inner)
    print(variant, kind, 'inner chain', len(inner), 'octets')
PY
}

setup_net
capture x25519 aes128gcm16-prfsha256-x25519
decrypt_gcm x25519
capture modp2048 aes128-sha256-modp2048
# IKE_AUTH messages above 200 octets travel as SKF fragments (RFC 7383).
capture frag aes128gcm16-prfsha256-x25519 200
capture multi aes256gcm16-prfsha384-ecp384,aes128gcm16-prfsha256-x25519,aes256-sha512-modp4096,aes128-sha256-modp2048,aes192ctr-sha384-ecp256,chacha20poly1305-prfsha256-curve25519-x448,aes128-aes256-sha256-sha1-modp3072-modp2048
