# SPDX-License-Identifier: BSD-3-Clause
"""Every ESP and AH suite x {tunnel 4/4, 6/6, 4-in-6, 6-in-4, transport 4, transport 6}
x {ESN off, on}, plus ESP in UDP, against an independent peer (helpers/ipsec_suites.py:
scapy's SecurityAssociation, python3-cryptography where scapy is wrong or lacks the
algorithm), both directions, and tshark's decryption of what the gateway sent.

    host ns                 gw ns (secgw-dp)                        peer ns
    h0 10.99.1.2 ---- gin 10.99.1.1 | gout 10.99.0.1 ---- p0 10.99.0.2 (scapy)
       fd00:99:1::2      fd00:99:1::1 | fd00:99::1           fd00:99::2

One gateway holds every cell's SAs and policies (cell i: outbound SPI 0x10000 + i,
inbound 0x20000 + i).  Tunnel cell i protects host <-> 10.102.x.y / fd00:102::i;
transport cell i is the gateway itself talking to 10.101.x.y / fd00:101::i (routed via
the peer): the peer sends it protected ICMP echo requests, it answers with protected
replies (dataplane/local.c).  Three batches of frames cover all cells at once; each
cell's test then checks its own packets byte for byte.

ESN cells start near 2^32 in both directions, so every one of them crosses into the
high half; outbound sequence numbers are checked on the wire, with the high half in
the ICV (RFC 4303 §2.2.1, RFC 4302 §2.5.1).
"""

import os
import struct
from dataclasses import dataclass

import pytest
from scapy.compat import raw
from scapy.layers.inet import ICMP, IP, UDP
from scapy.layers.inet6 import ICMPv6EchoReply, ICMPv6EchoRequest, IPv6
from scapy.layers.l2 import Ether

import esp
import tshark_esp
from conftest import Sniffer, changed, dataplane_yaml, running_single_gw, send_frames
from ipsec_suites import AH_SUITES, ESP_SUITES, Peer, key_for
from tshark_esp import EspSa

MAC = {"host": "02:98:01:00:00:02", "gw_in": "02:98:01:00:00:01",
       "gw_out": "02:98:00:00:00:01", "peer": "02:98:00:00:00:02"}
HOST4, HOST6 = "10.99.1.2", "fd00:99:1::2"
GW4, GW6 = "10.99.0.1", "fd00:99::1"
PEER4, PEER6 = "10.99.0.2", "fd00:99::2"
ETH4, ETH6 = 0x0800, 0x86DD
# mode -> (inner family, outer family or None for transport)
MODES = {"tun44": (4, 4), "tun66": (6, 6), "tun46": (4, 6), "tun64": (6, 4),
         "trs4": (4, None), "trs6": (6, None)}
ESN_START = (1 << 32) - 2     # initial_seq: the first packet is 2^32 - 1
TUN_PKTS = 3                  # per tunnel cell and direction: 2^32-1, 2^32, 2^32+1
ECHO_PKTS = 2
SUITES = {s.name: s for s in ESP_SUITES + AH_SUITES}
NAT_SUITES = ("gcm128", "cbc256-sha256", "chacha")


@dataclass(frozen=True)
class Cell:
    i: int
    suite: str
    mode: str
    esn: bool
    nat_t: bool = False

    @property
    def id(self):
        return "%s-%s-%s%s" % (self.suite, self.mode, "esn" if self.esn else "noesn",
                               "-natt" if self.nat_t else "")

    @property
    def s(self):
        return SUITES[self.suite]

    @property
    def inner_v(self):
        return MODES[self.mode][0]

    @property
    def outer_v(self):
        return MODES[self.mode][1]

    @property
    def tunnel(self):
        return self.outer_v is not None

    @property
    def spi_out(self):
        return 0x10000 + self.i

    @property
    def spi_in(self):
        return 0x20000 + self.i

    def remote(self, v):
        """Tunnel: the far host; transport: the peer the gateway talks to."""
        net = 102 if self.tunnel else 101
        if v == 4:
            return "10.%d.%d.%d" % (net, self.i // 250, self.i % 250 + 1)
        return "fd00:%d::%x" % (net, self.i + 1)

    def endpoints(self, v=None):
        v = v or self.outer_v
        return (GW4, PEER4) if v == 4 else (GW6, PEER6)

    def keys(self, d):
        s = self.s
        return (key_for("%s/%s/k" % (self.id, d), s.key_len),
                key_for("%s/%s/a" % (self.id, d), s.auth_key_len))

    def first_seq(self):
        return ESN_START + 1 if self.esn else 1

    def peer(self, d):
        """The peer's SA for direction d of the gateway ("out": the one that opens
        what the gateway sends)."""
        k, a = self.keys(d)
        spi = self.spi_out if d == "out" else self.spi_in
        tun = None
        if self.tunnel:
            src, dst = self.endpoints()
            tun = (src, dst) if d == "out" else (dst, src)
        return Peer(self.s, spi, k, a, tun, self.esn, self.nat_t)


def build_cells():
    cells = []
    for s in ESP_SUITES + AH_SUITES:
        for mode in MODES:
            for esn in (False, True):
                if esn and not s.esn_ok:
                    continue
                cells.append(Cell(len(cells), s.name, mode, esn))
    for name in NAT_SUITES:
        for mode in ("tun44", "tun66", "tun64"):
            cells.append(Cell(len(cells), name, mode, False, True))
    return cells


CELLS = build_cells()
# Non-ESN outbound SAs two packets short of 2^32: they must stop, not wrap.
OVERFLOW = {"esp": Cell(len(CELLS), "gcm128", "tun44", False),
            "ah": Cell(len(CELLS) + 1, "ah-sha256", "tun44", False)}
OVERFLOW_START = (1 << 32) - 3
# Inbound SAs found by SPI + destination + source (RFC 4301 §4.1).
LOOKUP = [Cell(len(CELLS) + 2, "gcm128", "tun44", False),
          Cell(len(CELLS) + 3, "cbc256-sha256", "tun66", False)]


# ---------------------------------------------------------------- config

def sa_yaml(c, d, initial_seq=None, lookup=None):
    s = c.s
    k, a = c.keys(d)
    spi = c.spi_out if d == "out" else c.spi_in
    lines = ["  - name: %s%d  # %s" % (d, c.i, c.id),
             "    spi: %#x" % spi,
             "    direction: %s" % d,
             "    proto: %s" % s.proto,
             "    mode: %s" % ("tunnel" if c.tunnel else "transport"),
             "    family: ipv%d" % c.inner_v]
    if c.tunnel:
        src, dst = c.endpoints()
        if d == "in":
            src, dst = dst, src
        lines += ["    src: %s" % src, "    dst: %s" % dst]
    if s.proto == "esp":
        lines.append("    cipher: %s" % s.cipher)
        if s.key_len:
            lines.append("    key: 0x%s" % k.hex())
    if s.integ != "none":
        lines += ["    integ: %s" % s.integ, "    auth_key: 0x%s" % a.hex()]
    if c.esn:
        lines.append("    esn: true")
    seq = initial_seq if initial_seq is not None else (ESN_START if c.esn else None)
    if seq is not None:
        lines.append("    initial_seq: %d" % seq)
    if c.nat_t:
        lines.append("    udp_encap: true")
    if lookup:
        lines.append("    lookup: %s" % lookup)
    return "\n".join(lines)


def policy_yaml(c, d):
    v = c.inner_v
    if c.tunnel:
        local = "10.99.1.0/24" if v == 4 else "fd00:99:1::/64"
    else:
        local = (GW4 + "/32") if v == 4 else (GW6 + "/128")
    remote = c.remote(v) + ("/32" if v == 4 else "/128")
    src, dst = (local, remote) if d == "out" else (remote, local)
    return ("  - {name: p%s%d, direction: %s, src: %s, dst: %s, action: protect, sa: %#x}"
            % (d, c.i, d, src, dst, c.spi_out if d == "out" else c.spi_in))


def gw_config(prefix):
    sas, pols = [], []
    for c in CELLS:
        for d in ("out", "in"):
            sas.append(sa_yaml(c, d))
            pols.append(policy_yaml(c, d))
    for c in OVERFLOW.values():
        sas.append(sa_yaml(c, "out", OVERFLOW_START))
        pols.append(policy_yaml(c, "out"))
    for c in LOOKUP:
        sas.append(sa_yaml(c, "in", lookup="spi-dst-src"))
        pols.append(policy_yaml(c, "in"))
    return dataplane_yaml(prefix).replace("memory_mb: 256", "memory_mb: 512") + f"""\
  max_sas: 1024
  max_policies: 1024
crypto:
  driver: aesni_mb

ports:
  - name: inside
    devargs: net_af_packet0,iface=gin,framecnt=4096
    role: protected
    address: 10.99.1.1/24
    address6: fd00:99:1::1/64
    neighbors:
      - {{ip: {HOST4}, mac: "{MAC['host']}"}}
      - {{ip: "{HOST6}", mac: "{MAC['host']}"}}
  - name: outside
    devargs: net_af_packet1,iface=gout,framecnt=4096
    role: unprotected
    address: {GW4}/24
    address6: {GW6}/64
    neighbors:
      - {{ip: {PEER4}, mac: "{MAC['peer']}"}}
      - {{ip: "{PEER6}", mac: "{MAC['peer']}"}}

routes:
  - {{dst: 10.101.0.0/16, via: {PEER4}, port: outside}}
  - {{dst: "fd00:101::/64", via: "{PEER6}", port: outside}}

policies:
""" + "\n".join(pols) + "\n\nsas:\n" + "\n".join(sas) + "\n"


def make_lab(lab):
    host, gwns, peer = lab.netns("host"), lab.netns("gw"), lab.netns("peer")
    lab.veth(host, "h0", gwns, "gin", MAC["host"], MAC["gw_in"])
    lab.veth(gwns, "gout", peer, "p0", MAC["gw_out"], MAC["peer"])
    for ns, ifname in ((host, "h0"), (peer, "p0")):
        # scapy plays both ends: no kernel IPv6 (DAD, router solicitations) on the wire
        ns.sysctl("net.ipv6.conf.%s.disable_ipv6" % ifname, 1)
    return host, gwns, peer


# ---------------------------------------------------------------- packets

def marker(c, d, k):
    return b"secgw-matrix %s %s %d " % (c.id.encode(), d.encode(), k)


def tunnel_inner(c, d, k):
    """Packet k of a tunnel cell, direction d as seen from the protected host."""
    v = c.inner_v
    data = marker(c, d, k) + bytes((k * 13 + j) & 0xFF for j in range(17 * k + 3))
    host, far = (HOST4, c.remote(4)) if v == 4 else (HOST6, c.remote(6))
    src, dst = (host, far) if d == "out" else (far, host)
    # DSCP AF11 with ECT(0): copied out, and left alone on the way in (RFC 6040)
    if v == 4:
        return IP(src=src, dst=dst, ttl=50, tos=0x2A, id=0x100 + k) / \
            UDP(sport=30000 + k, dport=7000) / data
    return IPv6(src=src, dst=dst, hlim=50, tc=0x2A) / UDP(sport=30000 + k, dport=7000) / data


def echo_request(c, k):
    data = marker(c, "echo", k)
    if c.inner_v == 4:
        return IP(src=c.remote(4), dst=GW4, ttl=33, id=0x200 + k) / \
            ICMP(type=8, id=c.i, seq=k) / data
    return IPv6(src=c.remote(6), dst=GW6, hlim=33) / ICMPv6EchoRequest(id=c.i, seq=k, data=data)


def echo_reply(req):
    """What dataplane/local.c answers: addresses swapped, TTL/hop limit 64."""
    if IP in req:
        r = IP(raw(req))
        r.src, r.dst, r.ttl = req.dst, req.src, 64
        r[ICMP].type = 0
        del r.chksum
        del r[ICMP].chksum
        return raw(r)
    r = IPv6(src=req.dst, dst=req.src, hlim=64, tc=req.tc, fl=req.fl) / \
        ICMPv6EchoReply(id=req[ICMPv6EchoRequest].id, seq=req[ICMPv6EchoRequest].seq,
                        data=req[ICMPv6EchoRequest].data)
    return raw(r)


def routed(b):
    """The inner packet after one hop: TTL / hop limit - 1 (IPv4 checksum redone)."""
    if b[0] >> 4 == 6:
        return b[:7] + bytes([b[7] - 1]) + b[8:]
    p = IP(b)
    p.ttl -= 1
    del p.chksum
    return raw(p)


def outer_spi(ip):
    """SPI of an ESP, ESP-in-UDP or AH packet (bytes from the IP header), and the
    protocol: 'esp', 'udp' or 'ah'."""
    off = 40 if ip[0] >> 4 == 6 else (ip[0] & 0x0F) * 4
    proto = ip[6] if ip[0] >> 4 == 6 else ip[9]
    if proto == 50:
        return struct.unpack("!I", ip[off:off + 4])[0], "esp"
    if proto == 51:
        return struct.unpack("!I", ip[off + 4:off + 8])[0], "ah"
    if proto == 17:
        return struct.unpack("!I", ip[off + 8:off + 12])[0], "udp"
    return None, None


def ip_of_frame(f):
    """The IP packet of an Ethernet frame, without Ethernet padding."""
    ip = f[14:]
    if ip[0] >> 4 == 6:
        return ip[:40 + struct.unpack("!H", ip[4:6])[0]]
    return ip[:struct.unpack("!H", ip[2:4])[0]]


def seq_of(ip, c):
    off = 40 if ip[0] >> 4 == 6 else (ip[0] & 0x0F) * 4
    off += 8 if c.nat_t else 0
    off += 4 if c.s.proto == "ah" else 0
    return struct.unpack("!I", ip[off + 4:off + 8])[0]


# ---------------------------------------------------------------- the run

def exchange(t, frames, path, name, expect=None, timeout=60):
    """Send frames through the gateway and return what comes out: path
    "from_host" (host -> peer), "from_peer" (peer -> host) or "echo" (peer -> the
    gateway -> peer)."""
    tx = (t.host, "h0") if path == "from_host" else (t.peer, "p0")
    rx = (t.host, "h0") if path == "from_peer" else (t.peer, "p0")
    with Sniffer(rx[0], rx[1], t.workdir, name, ethertype=[ETH4, ETH6],
                 count=len(frames) if expect is None else expect, timeout=timeout) as sn:
        send_frames(tx[0], tx[1], frames, t.workdir, name=name + "_tx")
        return sn.wait(timeout=timeout)


class Matrix:
    """The three batches, run once for the module; each test reads its cell's part."""

    def __init__(self, t):
        self.t = t
        self.out = {}       # spi -> [outer IP bytes] captured at the peer
        self.inb = {}       # marker -> inner IP bytes captured at the host
        self.replies = {}   # spi -> [outer IP bytes] of echo replies
        self.moved = {}
        self.tshark = {}    # frame index in out.pcap -> (spi, seq, icv_good, icv_bad)
        self.tshark_rep = {}

    def frame(self, src_mac, dst_mac, ip_bytes):
        et = ETH6 if ip_bytes[0] >> 4 == 6 else ETH4
        return bytes(Ether(src=src_mac, dst=dst_mac, type=et)) + ip_bytes

    def run(self):
        t = self.t
        before = t.gw.stats()
        tun = [c for c in CELLS if c.tunnel]
        trs = [c for c in CELLS if not c.tunnel]

        # 1. gateway -> peer: the host's packets leave protected
        frames = [self.frame(MAC["host"], MAC["gw_in"], raw(tunnel_inner(c, "out", k)))
                  for k in range(TUN_PKTS) for c in tun]
        got = self.out_frames = exchange(t, frames, "from_host", "out")
        for f in got:
            ip = ip_of_frame(f)
            self.out.setdefault(outer_spi(ip)[0], []).append(ip)

        # 2. peer -> gateway: the peer's protected packets reach the host
        frames = []
        for k in range(TUN_PKTS):
            for c in tun:
                seq = c.first_seq() + k
                frames.append(self.frame(MAC["peer"], MAC["gw_out"],
                                         c.peer("in").protect(tunnel_inner(c, "in", k), seq)))
        for f in exchange(t, frames, "from_peer", "in"):
            ip = ip_of_frame(f)
            at = ip.find(b"secgw-matrix ")
            if at >= 0:
                self.inb[b" ".join(ip[at:].split(b" ", 4)[:4]) + b" "] = ip

        # 3. transport: protected echo requests to the gateway, protected replies back
        frames = []
        for k in range(ECHO_PKTS):
            for c in trs:
                seq = c.first_seq() + k
                frames.append(self.frame(MAC["peer"], MAC["gw_out"],
                                         c.peer("in").protect(echo_request(c, k), seq)))
        got = self.rep_frames = exchange(t, frames, "echo", "echo")
        for f in got:
            ip = ip_of_frame(f)
            self.replies.setdefault(outer_spi(ip)[0], []).append(ip)
        self.moved = changed(before, t.gw.stats())
        self.sa_list = t.gw.sa_list()
        self.tshark = tshark_rows(t, "out.pcap", tun)
        self.tshark_rep = tshark_rows(t, "echo.pcap", trs)


# ---------------------------------------------------------------- tshark

def esp_sas(cells):
    """The outbound ESP SAs of the cells, for tshark's esp_sa table."""
    out = []
    for c in cells:
        if c.s.proto != "esp":
            continue
        k, a = c.keys("out")
        src, dst = c.endpoints(c.outer_v or c.inner_v)
        if not c.tunnel:
            dst = c.remote(c.inner_v)
        out.append(EspSa(src, dst, c.spi_out, c.s.cipher, k, c.s.integ, a, c.esn))
    return out


def tshark_rows(t, pcap_name, cells):
    return tshark_esp.fields(os.path.join(t.workdir, pcap_name), esp_sas(cells), t.workdir,
                             decode_as=["udp.port==7000,data"])


# ---------------------------------------------------------------- fixtures and tests

@pytest.fixture(scope="module")
def matrix(build, tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("matrix"))
    with running_single_gw(build, workdir, None, "m", gw_config, make_lab=make_lab) as t:
        m = Matrix(t)
        m.run()
        yield m


def check_outbound(m, c, captured, expect_inner, n):
    """captured: what the gateway sent on SA c.spi_out; expect_inner(k) the inner (or
    restored transport) packet k; both directions of the cell's SA numbers."""
    assert len(captured) == n, "%s: peer captured %d of %d packets (counters moved: %s)" % (
        c.id, len(captured), n, m.moved)
    peer = c.peer("out")
    for k, ip in enumerate(captured):
        seq = c.first_seq() + k
        v = ip[0] >> 4
        assert v == (c.outer_v or c.inner_v), "%s: packet %d is IPv%d" % (c.id, k, v)
        src, dst = c.endpoints(v)
        got_src = IP(ip).src if v == 4 else IPv6(ip).src
        got_dst = IP(ip).dst if v == 4 else IPv6(ip).dst
        want_dst = dst if c.tunnel else c.remote(c.inner_v)
        assert (got_src, got_dst) == (src, want_dst), "%s: addresses %s -> %s" % (
            c.id, got_src, got_dst)
        _, kind = outer_spi(ip)
        assert kind == ("udp" if c.nat_t else c.s.proto), "%s: carried as %s" % (c.id, kind)
        if v == 4:
            assert esp.ip_header_ok(ip), "%s: outer IPv4 checksum" % c.id
        if c.tunnel:
            # RFC 4301 §5.1.2.1 / RFC 6040: DSCP and ECN copied from the inner packet
            tos = IP(ip).tos if v == 4 else IPv6(ip).tc
            assert tos == 0x2A, "%s: outer DSCP/ECN %#x" % (c.id, tos)
        if c.nat_t and v == 4:
            u = IP(ip)[UDP]
            assert (u.sport, u.dport, u.chksum) == (4500, 4500, 0), "%s: %r" % (c.id, u)
            assert u.len == len(ip) - 20, "%s: UDP length %d" % (c.id, u.len)
        assert seq_of(ip, c) == seq & 0xFFFFFFFF, "%s: packet %d sequence %#x, want %#x" % (
            c.id, k, seq_of(ip, c), seq & 0xFFFFFFFF)
        try:
            inner = peer.open(ip, seq >> 32)
        except Exception as e:  # noqa: BLE001  (scapy raises several kinds)
            pytest.fail("%s: packet %d (seq %#x) does not open: %s\n%s" % (
                c.id, k, seq, e, ip.hex()))
        want = expect_inner(k)
        assert inner == want, "%s: packet %d differs\n got  %s\n want %s" % (
            c.id, k, inner.hex(), want.hex())


def check_tshark(c, frames, rows, n):
    """tshark decrypts the cell's packets, finds a good ICV (where it can check one),
    and reports nothing malformed or worth a warning in any of them."""
    mine = [i for i, f in enumerate(frames) if outer_spi(ip_of_frame(f))[0] == c.spi_out]
    assert len(mine) == n
    decrypts = c.s.proto == "esp" and esp_sas([c])[0].record() is not None
    for k, i in enumerate(mine):
        r = rows[i]
        assert not r["malformed"], "%s: tshark: frame %d malformed" % (c.id, i)
        assert not any(x >= tshark_esp.WARNING for x in r["severity"]), \
            "%s: tshark warning on frame %d: %s" % (c.id, i, r["severity"])
        if c.s.proto == "ah":
            assert int(r["ah_spi"], 0) == c.spi_out, "%s: tshark AH SPI %s" % (c.id, r["ah_spi"])
            continue
        assert int(r["spi"], 0) == c.spi_out, "%s: tshark ESP SPI %s" % (c.id, r["spi"])
        assert int(r["seq"]) == (c.first_seq() + k) & 0xFFFFFFFF
        if decrypts:
            assert (r["icv_good"], r["icv_bad"]) == ("1", "0"), \
                "%s: tshark ICV good=%r bad=%r (frame %d)" % (
                    c.id, r["icv_good"], r["icv_bad"], i)
            if c.tunnel:
                # decrypted: the inner destination follows the outer one
                dsts = r["ip_dst"] if c.inner_v == 4 else r["ipv6_dst"]
                assert dsts.split(",")[-1] == c.remote(c.inner_v), \
                    "%s: tshark did not decrypt frame %d: %s %s" % (
                        c.id, i, r["ip_dst"], r["ipv6_dst"])


@pytest.mark.parametrize("c", [c for c in CELLS if c.tunnel], ids=lambda c: c.id)
def test_tunnel(matrix, c):
    m = matrix
    # gateway -> peer
    check_outbound(m, c, m.out.get(c.spi_out, []),
                   lambda k: routed(raw(tunnel_inner(c, "out", k))), TUN_PKTS)
    check_tshark(c, m.out_frames, m.tshark, TUN_PKTS)
    # peer -> gateway -> host
    for k in range(TUN_PKTS):
        want = routed(raw(tunnel_inner(c, "in", k)))
        got = m.inb.get(marker(c, "in", k))
        assert got is not None, "%s: inbound packet %d (seq %#x) did not reach the host; " \
            "counters moved: %s; SA: %s" % (c.id, k, c.first_seq() + k, m.moved,
                                            m.sa_list.get(c.spi_in))
        assert got == want, "%s: inbound packet %d differs\n got  %s\n want %s" % (
            c.id, k, got.hex(), want.hex())
    assert m.sa_list[c.spi_in]["packets"] == TUN_PKTS
    assert m.sa_list[c.spi_out]["packets"] == TUN_PKTS


@pytest.mark.parametrize("c", [c for c in CELLS if not c.tunnel], ids=lambda c: c.id)
def test_transport(matrix, c):
    m = matrix
    check_outbound(m, c, m.replies.get(c.spi_out, []),
                   lambda k: echo_reply(echo_request(c, k)), ECHO_PKTS)
    check_tshark(c, m.rep_frames, m.tshark_rep, ECHO_PKTS)
    assert m.sa_list[c.spi_in]["packets"] == ECHO_PKTS


def test_no_drops(matrix):
    """Every cell's packets went through: nothing dropped anywhere."""
    drops = {k: v for k, v in matrix.moved.items() if k.startswith("drop") or k == "tx_drop"}
    assert not drops, drops
    n_tun = sum(1 for c in CELLS if c.tunnel)
    n_trs = len(CELLS) - n_tun
    assert matrix.moved.get("local_echo") == n_trs * ECHO_PKTS, matrix.moved
    assert matrix.moved.get("in_esp", 0) + matrix.moved.get("in_ah", 0) == \
        n_tun * TUN_PKTS + n_trs * ECHO_PKTS, matrix.moved


@pytest.mark.parametrize("kind", sorted(OVERFLOW))
def test_sequence_overflow_stops_sa(matrix, kind):
    """RFC 4303 §3.3.3 / RFC 4302 §3.3.2: without ESN the SA stops at the end of the
    sequence space and drops (counted) instead of wrapping to 0.  AH sends 2^32 - 1
    last; ESP 2^32 - 2, because rte_ipsec's counter holds the next number to send and
    must itself fit in 32 bits."""
    t, c = matrix.t, OVERFLOW[kind]
    frames = [matrix.frame(MAC["host"], MAC["gw_in"], raw(tunnel_inner(c, "out", k)))
              for k in range(4)]
    before = t.gw.stats()
    got = exchange(t, frames, "from_host", "ovf-" + kind, timeout=5)
    moved = changed(before, t.gw.stats())
    ips = [ip_of_frame(f) for f in got]
    last = [0xFFFFFFFE] if kind == "esp" else [0xFFFFFFFE, 0xFFFFFFFF]
    assert [seq_of(ip, c) for ip in ips] == last, \
        "%s: sequence numbers %s" % (kind, [hex(seq_of(ip, c)) for ip in ips])
    peer = c.peer("out")
    for k, ip in enumerate(ips):
        assert peer.open(ip) == routed(raw(tunnel_inner(c, "out", k)))
    assert moved.get("drop_seq_overflow") == 4 - len(last), moved


@pytest.mark.parametrize("c", LOOKUP, ids=lambda c: c.id)
def test_lookup_by_spi_dst_src(matrix, c):
    """An inbound SA configured with lookup: spi-dst-src takes only packets between
    its tunnel endpoints; the same SPI from another source is counted drop_sa_addr."""
    t = matrix.t
    good = c.peer("in")
    src, dst = c.endpoints()
    stranger = "10.99.0.3" if c.outer_v == 4 else "fd00:99::3"
    bad = Peer(c.s, c.spi_in, *c.keys("in"), tunnel=(stranger, src))
    frames = [matrix.frame(MAC["peer"], MAC["gw_out"], bad.protect(tunnel_inner(c, "in", 0), 1)),
              matrix.frame(MAC["peer"], MAC["gw_out"], good.protect(tunnel_inner(c, "in", 1), 2))]
    before = t.gw.stats()
    got = exchange(t, frames, "from_peer", "lookup-%d" % c.i, expect=1, timeout=5)
    moved = changed(before, t.gw.stats())
    assert [ip_of_frame(f) for f in got] == [routed(raw(tunnel_inner(c, "in", 1)))], moved
    assert moved.get("drop_sa_addr") == 1, moved
