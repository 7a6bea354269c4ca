# SPDX-License-Identifier: BSD-3-Clause
"""IKE between the wire and the IKE daemon through secgw-dp (control/ike_relay_proto.h).

The test plays the daemon: it binds the daemon's UNIX datagram socket, receives
what the gateway punts (UDP 500, UDP 4500 with the non-ESP marker) and sends
replies that must leave on the wire as correct UDP packets; scapy is the peer.
"""

import os
import socket
import struct
import time

from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from conftest import SPI_IN, Sniffer, changed, send_frames

HDR = struct.Struct("!BBH HH 16s 16s")   # version, family, reserved, sport, dport, src, dst
AF_INET = socket.AF_INET


def daemon_path(t):
    return "/var/run/dpdk/%s/secgw-ike.sock" % t.gw.prefix


def dp_path(t):
    return "/var/run/dpdk/%s/secgw-ike-dp.sock" % t.gw.prefix


class FakeDaemon:
    def __init__(self, t):
        self.path = daemon_path(t)
        if os.path.exists(self.path):
            os.unlink(self.path)
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.s.bind(self.path)
        self.s.settimeout(5)
        self.dp = dp_path(t)

    def recv(self):
        d = self.s.recv(4096)
        ver, fam, _, sport, dport, src, dst = HDR.unpack(d[:HDR.size])
        n = 4 if fam == AF_INET else 16
        return dict(version=ver, family=fam, sport=sport, dport=dport,
                    src=socket.inet_ntop(fam, src[:n]), dst=socket.inet_ntop(fam, dst[:n]),
                    payload=d[HDR.size:])

    def send(self, src, dst, sport, dport, payload):
        hdr = HDR.pack(1, AF_INET, 0, sport, dport, socket.inet_aton(src).ljust(16, b"\0"),
                       socket.inet_aton(dst).ljust(16, b"\0"))
        self.s.sendto(hdr + payload, self.dp)

    def close(self):
        self.s.close()
        os.unlink(self.path)


def from_peer(t, sport, dport, payload):
    return bytes(Ether(src=t.mac_peer, dst=t.mac_gw_out) /
                 IP(src="10.99.0.2", dst="10.99.0.1") / UDP(sport=sport, dport=dport) / payload)


def wait_counter(t, before, name, n, timeout=5):
    deadline = time.monotonic() + timeout
    while True:
        moved = changed(before, t.gw.stats())
        if moved.get(name, 0) >= n or time.monotonic() > deadline:
            return moved
        time.sleep(0.05)


IKE_INIT = bytes(range(28)) + b"an IKE_SA_INIT stand-in"


def test_ike_without_daemon_is_counted(single_gw):
    t = single_gw
    before = t.gw.stats()
    send_frames(t.peer, "p0", [from_peer(t, 500, 500, IKE_INIT)], t.workdir)
    moved = wait_counter(t, before, "drop_ike_no_daemon", 1)
    assert moved.get("drop_ike_no_daemon") == 1, moved


def test_ike_relayed_both_ways(single_gw):
    t = single_gw
    d = FakeDaemon(t)
    try:
        before = t.gw.stats()
        # port 500, and 4500 behind the non-ESP marker (RFC 3948 §2.2), and ESP in
        # UDP and a NAT keepalive on 4500, which are not IKE
        esp_in_udp = struct.pack("!II", SPI_IN, 1) + bytes(40)
        send_frames(t.peer, "p0", [from_peer(t, 500, 500, IKE_INIT),
                                   from_peer(t, 4500, 4500, b"\0\0\0\0" + IKE_INIT),
                                   from_peer(t, 4500, 4500, b"\xff"),
                                   from_peer(t, 4500, 4500, esp_in_udp)], t.workdir)
        got = [d.recv(), d.recv()]
        assert got[0] == dict(version=1, family=AF_INET, sport=500, dport=500,
                              src="10.99.0.2", dst="10.99.0.1", payload=IKE_INIT), got[0]
        assert got[1]["dport"] == 4500 and got[1]["payload"] == b"\0\0\0\0" + IKE_INIT
        moved = wait_counter(t, before, "ike_to_daemon", 2)
        assert moved.get("ike_to_daemon") == 2, moved
        assert moved.get("in_natt_keepalive") == 1, moved

        # the daemon's answers leave through the data plane; one from an address that
        # is not the gateway's is refused
        before = t.gw.stats()
        reply = b"an IKE_SA_INIT response stand-in" * 3
        with Sniffer(t.peer, "p0", t.workdir, "ike_out", ethertype=0x0800, count=2,
                     timeout=10) as sn:
            d.send("10.99.0.9", "10.99.0.2", 500, 500, b"spoofed")
            d.send("10.99.0.1", "10.99.0.2", 500, 500, reply)
            d.send("10.99.0.1", "10.99.0.2", 4500, 4500, b"\0\0\0\0" + reply)
            frames = sn.wait(timeout=10)
        moved = changed(before, t.gw.stats())
        assert len(frames) == 2, moved
        for f, (port, payload) in zip(frames, ((500, reply), (4500, b"\0\0\0\0" + reply))):
            e = Ether(f)
            assert (e.src, e.dst) == (t.mac_gw_out, t.mac_peer)
            ip = e[IP]
            assert (ip.src, ip.dst, ip.ttl) == ("10.99.0.1", "10.99.0.2", 64)
            assert (ip[UDP].sport, ip[UDP].dport) == (port, port)
            assert bytes(ip[UDP].payload) == payload
            # checksums as an independent stack computes them
            chk = IP(bytes(ip))
            del chk.chksum
            del chk[UDP].chksum
            chk = IP(bytes(chk))
            assert (chk.chksum, chk[UDP].chksum) == (ip.chksum, ip[UDP].chksum)
        assert moved.get("ike_from_daemon") == 2, moved
        assert moved.get("drop_ike_from_daemon") == 1, moved
    finally:
        d.close()
