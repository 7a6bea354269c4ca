# SPDX-License-Identifier: BSD-3-Clause
"""MTU: packets bigger than the egress link, and fragments to the gateway, checked by scapy.

    host ns                    gw ns (secgw-dp)                            peer ns
    h0 -------- gin 10.99.1.1/24, 2001:db8:1::1/64 | gout 10.99.0.1/24 -------- p0
    scapy: 10.99.1.2, 2001:db8:1::2                  mtu 1400            scapy: 10.99.0.2

The outside port has MTU 1400 (and an IPv6 address for SA 0x2002, IPv4 in an IPv6
tunnel from the peer).  SA out 0x1001 (AES-128-GCM, IPv4 tunnel
10.99.0.1 -> 10.99.0.2) leaves 1400 - 20 (outer IP) - 8 (ESP) - 8 (IV) - 16 (ICV)
= 1348 bytes for inner packet + 2-byte trailer padded to 4: an inner MTU of 1346
(configs/README.md, "MTU and fragments").  SA out 0x1002 carries IPv6 in the same
tunnel.  10.99.3.0/24 is reached in the clear (bypass), against the port MTU itself.
"""

import struct
import time

import pytest
from scapy.layers.inet import IP, UDP, defragment, fragment
from scapy.layers.inet6 import ICMPv6PacketTooBig, IPv6, IPv6ExtHdrFragment, fragment6
from scapy.layers.ipsec import ESP, SecurityAssociation
from scapy.packet import Raw
from scapy.layers.l2 import Ether

import esp
from conftest import (KEYS, MAC, SPI_IN, SPI_OUT, Sniffer, changed, dataplane_yaml,
                      running_single_gw, send_frames)

CIPHER = "aes-128-gcm"
SPI_OUT6 = 0x1002
SPI_IN6 = 0x2002          # IPv4 inside an IPv6 tunnel from the peer
GW_OUT6, PEER6 = "2001:db8:ff::1", "2001:db8:ff::2"
OUT_MTU = 1400
INNER_MTU = 1346          # OUT_MTU minus what SA 0x1001 adds, exactly
HOST6, GW_IN6, REMOTE6 = "2001:db8:1::2", "2001:db8:1::1", "2001:db8:2::7"
REASM_TIMEOUT_MS = 300
ICMP_RATE, ICMP_BURST = 20, 10   # low, so that a loaded machine cannot refill the bucket


def mtu_config(prefix):
    kout, kin = KEYS[CIPHER]
    return dataplane_yaml(prefix) + f"""\
  reassembly_timeout_ms: {REASM_TIMEOUT_MS}
  icmp_rate: {ICMP_RATE}
  icmp_burst: {ICMP_BURST}

crypto:
  driver: aesni_mb

ports:
  - name: inside
    devargs: net_af_packet0,iface=gin,framecnt=4096
    role: protected
    address: 10.99.1.1/24
    address6: {GW_IN6}/64
    neighbors:
      - {{ip: 10.99.1.2, mac: "{MAC['host']}"}}
      - {{ip: "{HOST6}", mac: "{MAC['host']}"}}
  - name: outside
    devargs: net_af_packet1,iface=gout,framecnt=4096
    role: unprotected
    address: 10.99.0.1/24
    address6: {GW_OUT6}/64
    mtu: {OUT_MTU}
    neighbors:
      - {{ip: 10.99.0.2, mac: "{MAC['peer']}"}}
      - {{ip: "{PEER6}", mac: "{MAC['peer']}"}}

routes:
  - dst: 10.99.2.0/24
    via: 10.99.0.2
    port: outside
  - dst: 10.99.3.0/24
    via: 10.99.0.2
    port: outside

policies:
  - name: to-remote
    direction: out
    src: 10.99.1.0/24
    dst: 10.99.2.0/24
    action: protect
    sa: {SPI_OUT:#x}
  - name: to-remote6
    direction: out
    src: 2001:db8:1::/64
    dst: 2001:db8:2::/64
    action: protect
    sa: {SPI_OUT6:#x}
  - name: from-remote
    direction: in
    src: 10.99.2.0/24
    dst: 10.99.1.0/24
    action: protect
    sa: {SPI_IN:#x}
  - name: from-remote6
    direction: in
    src: 10.99.4.0/24
    dst: 10.99.1.0/24
    action: protect
    sa: {SPI_IN6:#x}
  - name: clear-out
    direction: out
    src: 10.99.1.0/24
    dst: 10.99.3.0/24
    action: bypass

sas:
  - name: out
    spi: {SPI_OUT:#x}
    direction: out
    src: 10.99.0.1
    dst: 10.99.0.2
    cipher: {CIPHER}
    key: {kout}
  - name: out6
    spi: {SPI_OUT6:#x}
    direction: out
    family: ipv6
    src: 10.99.0.1
    dst: 10.99.0.2
    cipher: {CIPHER}
    key: {kout}
  - name: in
    spi: {SPI_IN:#x}
    direction: in
    src: 10.99.0.2
    dst: 10.99.0.1
    cipher: {CIPHER}
    key: {kin}
  - name: in6
    spi: {SPI_IN6:#x}
    direction: in
    family: ipv4
    src: {PEER6}
    dst: {GW_OUT6}
    cipher: {CIPHER}
    key: {kin}
"""


@pytest.fixture(scope="module")
def gw(build, tmp_path_factory):
    """One gateway for the module: starting it under ASan is the slow part.  Its
    stop (ASan leak check included) runs after the last test."""
    with running_single_gw(build, str(tmp_path_factory.mktemp("mtu")), CIPHER, "m",
                           mtu_config) as t:
        yield t


def udp4(dst, total_len, df, ident, src="10.99.1.2", ttl=64):
    data = bytes((ident + j) & 0xFF for j in range(total_len - 28))
    return IP(src=src, dst=dst, ttl=ttl, id=ident, flags="DF" if df else 0) / \
        UDP(sport=40000, dport=5001) / data


def from_host(t, pkt):
    return bytes(Ether(src=t.mac_host, dst=t.mac_gw_in) / pkt)


def exchange(t, frames, sniff_ns, iface, count, name, ethertype=None, ipproto=None,
             timeout=5, sender=None, sender_if="h0"):
    """Send frames (from the host unless told) and capture what arrives on iface;
    returns (frames captured, counters moved)."""
    before = t.gw.stats()
    with Sniffer(sniff_ns, iface, t.workdir, name, ethertype=ethertype, ipproto=ipproto,
                 count=count, timeout=timeout) as sn:
        send_frames(sender or t.host, sender_if, frames, t.workdir, name=name + "_tx")
        got = sn.wait(timeout=timeout + 5)
    return got, changed(before, t.gw.stats())


def no_drops(moved, allowed=()):
    bad = {k: v for k, v in moved.items()
           if (k.startswith("drop") or k == "tx_drop") and k not in allowed}
    assert not bad, "unexpected drops: %s (all: %s)" % (bad, moved)


# ------------------------------------------------------------------ outbound, protected

def test_ipv4_without_df_fragmented_before_esp(gw):
    """1450 bytes without DF through the 1400 tunnel: two ESP packets of at most 1400
    bytes, each an IPv4 fragment once scapy decrypts it, together the packet the host
    sent, TTL one less."""
    t = gw
    pkt = udp4("10.99.2.7", 1450, df=False, ident=0x1234)
    got, moved = exchange(t, [from_host(t, pkt)], t.peer, "p0", 2, "frag", ipproto=50)
    assert len(got) == 2, "peer got %d ESP packets; counters: %s" % (len(got), moved)
    sa = esp.make_sa(SPI_OUT, CIPHER, t.key_out, "10.99.0.1", "10.99.0.2")
    frags = []
    for frame in got:
        outer = esp.ip_len(frame[14:])
        assert len(outer) <= OUT_MTU, "ESP packet of %d bytes on a %d MTU" % (len(outer), OUT_MTU)
        assert esp.ip_header_ok(outer)
        frags.append(IP(esp.decrypt(sa, outer)))
    frags.sort(key=lambda f: f.frag)
    first, last = frags
    assert (first.frag, first.flags.MF, last.flags.MF) == (0, 1, 0)
    assert first.len == 20 + (INNER_MTU - 20) // 8 * 8, first.len   # 1340: fills the inner MTU
    assert last.frag * 8 == first.len - 20
    assert all(f.id == 0x1234 and not f.flags.DF for f in frags)
    # the ESP packet carrying the first fragment is as big as the MTU allows
    assert max(len(esp.ip_len(f[14:])) for f in got) == 1396
    whole = defragment(frags)
    assert len(whole) == 1
    want = IP(esp.forwarded(bytes(pkt)))
    back = whole[0]
    assert (back.src, back.dst, back.id, back.ttl, back.proto) == \
        (want.src, want.dst, want.id, want.ttl, want.proto)
    assert bytes(back.payload) == bytes(want.payload)
    assert moved.get("out_fragmented") == 1 and moved.get("out_fragments") == 2, moved
    assert moved.get("out_protect") == 2, moved
    no_drops(moved)


def frag_needed_check(t, pkt, icmp_frame, mtu):
    """An ICMP fragmentation needed from the gateway's inside address to the host,
    with next-hop MTU mtu, quoting pkt as the host sent it."""
    e = Ether(icmp_frame)
    assert e.src == t.mac_gw_in and e.dst == t.mac_host
    ip = e[IP]
    assert (ip.src, ip.dst, ip.proto) == ("10.99.1.1", "10.99.1.2", 1)
    raw = esp.ip_len(icmp_frame[14:])   # the bytes as sent, not scapy's rebuild
    assert esp.ip_header_ok(raw[:20])
    icmp = raw[20:]
    assert (icmp[0], icmp[1]) == (3, 4), "ICMP type/code %d/%d" % (icmp[0], icmp[1])
    assert struct.unpack("!H", icmp[6:8])[0] == mtu, "next-hop MTU %d" % \
        struct.unpack("!H", icmp[6:8])[0]
    assert esp.ip_checksum(icmp) == 0, "ICMP checksum"
    quote = icmp[8:]
    sent = bytes(pkt)
    # RFC 1812 4.3.2.3: as much as fits in 576 bytes, the header as the host sent it
    assert len(raw) <= 576 and len(quote) == min(len(sent), 576 - 28)
    assert quote == sent[:len(quote)], "quote differs from the packet sent"


def test_ipv4_df_gets_frag_needed(gw):
    """1450 bytes with DF: nothing leaves toward the peer, the host is told 1346."""
    t = gw
    pkt = udp4("10.99.2.7", 1450, df=True, ident=0x2345)
    before = t.gw.stats()
    with Sniffer(t.peer, "p0", t.workdir, "df_peer", ipproto=50, timeout=2) as peer_sn:
        got, _ = exchange(t, [from_host(t, pkt)], t.host, "h0", 1, "df", ipproto=1)
        leaked = peer_sn.wait(timeout=5)
    moved = changed(before, t.gw.stats())
    assert len(got) == 1, "host got %d ICMP; counters: %s" % (len(got), moved)
    frag_needed_check(t, pkt, got[0], INNER_MTU)
    assert not leaked, "%d ESP packets reached the peer" % len(leaked)
    assert moved.get("drop_mtu") == 1 and moved.get("icmp_frag_needed_tx") == 1, moved
    assert "out_protect" not in moved and "out_fragmented" not in moved, moved
    no_drops(moved, allowed=("drop_mtu",))


def test_df_at_the_inner_mtu_passes(gw):
    """The MTU the ICMP reports is usable: 1346 bytes with DF make a 1400-byte ESP
    packet; 1347 bytes get the ICMP error."""
    t = gw
    fits, over = udp4("10.99.2.8", INNER_MTU, True, 0x3001), udp4("10.99.2.8", INNER_MTU + 1,
                                                                 True, 0x3002)
    got, moved = exchange(t, [from_host(t, fits)], t.peer, "p0", 1, "fits", ipproto=50)
    assert len(got) == 1 and len(esp.ip_len(got[0][14:])) == OUT_MTU, moved
    got, moved = exchange(t, [from_host(t, over)], t.host, "h0", 1, "over", ipproto=1)
    assert len(got) == 1, moved
    frag_needed_check(t, over, got[0], INNER_MTU)


def test_ipv6_gets_packet_too_big(gw):
    """IPv6 is never fragmented on the way: 1400 bytes into the IPv6 SA get an ICMPv6
    packet too big with the inner MTU, from the gateway's inside IPv6 address."""
    t = gw
    data = bytes(range(256)) * 6
    pkt = IPv6(src=HOST6, dst=REMOTE6, hlim=64) / UDP(sport=40000, dport=5001) / \
        data[:1400 - 48]
    before = t.gw.stats()
    with Sniffer(t.peer, "p0", t.workdir, "ptb_peer", ipproto=50, timeout=2) as peer_sn:
        got, _ = exchange(t, [from_host(t, pkt)], t.host, "h0", 1, "ptb", ethertype=0x86DD)
        leaked = peer_sn.wait(timeout=5)
    moved = changed(before, t.gw.stats())
    ptbs = [Ether(f) for f in got if ICMPv6PacketTooBig in Ether(f)]
    assert len(ptbs) == 1, "host got %s; counters: %s" % ([Ether(f).summary() for f in got],
                                                          moved)
    e = ptbs[0]
    assert e.src == t.mac_gw_in and e.dst == t.mac_host
    assert (e[IPv6].src, e[IPv6].dst) == (GW_IN6, HOST6)
    ptb = e[ICMPv6PacketTooBig]
    assert ptb.mtu == INNER_MTU, ptb.mtu
    # scapy's checksum of the same message is the one we sent
    raw = bytes(e[IPv6])
    assert IPv6(raw)[ICMPv6PacketTooBig].cksum == ptb.cksum
    c = e.copy()
    del c[ICMPv6PacketTooBig].cksum
    assert Ether(bytes(c))[ICMPv6PacketTooBig].cksum == ptb.cksum
    quote = raw[48:]
    # RFC 4443 2.4 (c): as much as fits in 1280 bytes, as the host sent it
    assert len(raw) <= 1280 and quote == bytes(pkt)[:1280 - 48]
    assert not leaked
    assert moved.get("drop_mtu") == 1 and moved.get("icmp_ptb_tx") == 1, moved
    no_drops(moved, allowed=("drop_mtu",))


# ------------------------------------------------------------------ outbound, clear (bypass)

def test_bypass_df_gets_frag_needed_and_no_df_is_fragmented(gw):
    """Clear traffic against the port MTU itself (1400): with DF an ICMP error saying
    1400; without DF two clear fragments that reassemble to the packet."""
    t = gw
    df = udp4("10.99.3.7", 1450, True, 0x4001)
    got, moved = exchange(t, [from_host(t, df)], t.host, "h0", 1, "bdf", ipproto=1)
    assert len(got) == 1, moved
    frag_needed_check(t, df, got[0], OUT_MTU)
    assert moved.get("drop_mtu") == 1 and moved.get("icmp_frag_needed_tx") == 1, moved

    nodf = udp4("10.99.3.7", 1450, False, 0x4002)
    got, moved = exchange(t, [from_host(t, nodf)], t.peer, "p0", 2, "bnodf", ipproto=17)
    assert len(got) == 2, moved
    frags = sorted((IP(esp.ip_len(f[14:])) for f in got), key=lambda f: f.frag)
    assert all(len(f) <= OUT_MTU for f in frags)
    assert frags[0].len == 20 + (OUT_MTU - 20) // 8 * 8   # 1396
    whole = defragment(frags)[0]
    want = IP(esp.forwarded(bytes(nodf)))
    assert (whole.id, whole.ttl) == (want.id, want.ttl)
    assert bytes(whole.payload) == bytes(want.payload)
    assert moved.get("out_bypass") == 1 and moved.get("out_fragmented") == 1, moved
    no_drops(moved)


def test_icmp_errors_rate_limited(gw):
    """More DF packets at once than the token bucket holds (icmp_burst 10, 20 per
    second): every one is dropped, the first ones answered, the rest counted as
    rate-limited."""
    t = gw
    time.sleep(ICMP_BURST / ICMP_RATE + 0.2)   # a full bucket
    n = 120
    frames = [from_host(t, udp4("10.99.2.9", 1450, True, 0x5000 + i)) for i in range(n)]
    before = t.gw.stats()
    start = time.monotonic()
    send_frames(t.host, "h0", frames, t.workdir, name="rl_tx", burst=0)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        moved = changed(before, t.gw.stats())
        if moved.get("drop_mtu", 0) >= n:
            break
        time.sleep(0.1)
    elapsed = time.monotonic() - start
    assert moved.get("drop_mtu") == n, moved
    sent, limited = moved.get("icmp_frag_needed_tx", 0), moved.get("icmp_ratelimited", 0)
    assert sent + limited == n, moved
    assert ICMP_BURST <= sent <= ICMP_BURST + ICMP_RATE * elapsed + 1, (moved, elapsed)


# ------------------------------------------------------------------ inbound reassembly
#
# Over net_af_packet the kernel reassembles IPv4 before the gateway sees it: the
# PMD joins its sockets in a PACKET_FANOUT group with PACKET_FANOUT_FLAG_DEFRAG.
# IPv6 fragments reach the gateway as sent, so the IPv6 tunnel (SA 0x2002) shows
# the reassembly on this gateway; IPv4 fragments run on a second gateway whose
# outside port is a TAP device (gw_tap below), which reads frames as sent.

class Remote:
    """scapy as the remote gateway: SA 0x2001 (IPv4 outer) or 0x2002 (IPv6 outer)."""

    def __init__(self, t, family):
        self.t, self.family = t, family
        if family == 4:
            self.sa = esp.make_sa(SPI_IN, CIPHER, t.key_in, "10.99.0.2", "10.99.0.1")
        else:
            self.sa = SecurityAssociation(ESP, spi=SPI_IN6, crypt_algo="AES-GCM",
                                          crypt_key=esp.key_bytes(t.key_in), crypt_icv_size=16,
                                          tunnel_header=IPv6(src=PEER6, dst=GW_OUT6))
        self.src = "10.99.2.5" if family == 4 else "10.99.4.5"

    def inner(self, total_len, ident):
        return udp4("10.99.1.2", total_len, False, ident, src=self.src)

    def fragments(self, inner, seq, ident, size):
        """The ESP packet of inner, fragmented by scapy into pieces of about size bytes."""
        if self.family == 4:
            return fragment(IP(esp.encrypt(self.sa, inner, seq, ip_id=ident)), fragsize=size)
        outer = self.sa.encrypt(inner.copy(), seq_num=seq)
        body = bytes(outer[IPv6].payload)
        pkt = IPv6(src=PEER6, dst=GW_OUT6, hlim=64) / IPv6ExtHdrFragment(nh=50, id=ident) / \
            Raw(body)
        return fragment6(pkt, size + 48)

    def whole(self, inner, seq, ident):
        if self.family == 4:
            return IP(esp.encrypt(self.sa, inner, seq, ip_id=ident))
        return self.sa.encrypt(inner.copy(), seq_num=seq)

    def frame(self, ip):
        return bytes(Ether(src=self.t.mac_peer, dst=self.t.mac_gw_out) / ip)


def receive_at_host(t, frames, expect, name):
    got, moved = exchange(t, frames, t.host, "h0", len(expect), name, ethertype=0x0800,
                          sender=t.peer, sender_if="p0")
    assert len(got) == len(expect), "host got %d of %d; counters: %s" % (
        len(got), len(expect), moved)
    for want, frame in zip(expect, got):
        assert esp.ip_len(frame[14:]) == esp.forwarded(bytes(want)), "inner packet differs"
    return moved


class Seq:
    """Sequence numbers of the remote SAs, fresh for every packet of the module."""
    n = {4: 0, 6: 0}

    @classmethod
    def next(cls, family):
        cls.n[family] += 1
        return cls.n[family]


def reassembled(t, family, order):
    r = Remote(t, family)
    seq = Seq.next(family)
    inner = r.inner(1450, 0x6000 + seq)
    frags = r.fragments(inner, seq, 0x7000 + seq, 600)
    assert len(frags) == 3
    if order == "reversed":
        frags = frags[::-1]
    elif order == "middle_first":
        frags = [frags[1], frags[2], frags[0]]
    moved = receive_at_host(t, [r.frame(f) for f in frags], [inner], "reasm%d_%s" % (family,
                                                                                     order))
    assert moved.get("in_frag") == 3 and moved.get("in_reassembled") == 1, moved
    assert moved.get("in_esp") == 1, moved
    no_drops(moved)


def lone_fragment(t, family):
    r = Remote(t, family)
    seq = Seq.next(family)
    lone = r.fragments(r.inner(1200, 0x6100 + seq), seq, 0x7100 + seq, 600)[0]
    probe = r.inner(200, 0x6200 + seq)
    before = t.gw.stats()
    send_frames(t.peer, "p0", [r.frame(lone)], t.workdir, name="lone%d_tx" % family)
    time.sleep(REASM_TIMEOUT_MS / 1000 * 3)
    seq = Seq.next(family)
    receive_at_host(t, [r.frame(r.whole(probe, seq, 0x7300 + seq))], [probe],
                    "lone%d_probe" % family)
    moved = changed(before, t.gw.stats())
    assert moved.get("in_frag") == 1 and moved.get("drop_reasm_timeout") == 1, moved
    assert "in_reassembled" not in moved
    no_drops(moved, allowed=("drop_reasm_timeout",))


def duplicate_fragment(t, family):
    r = Remote(t, family)
    seq = Seq.next(family)
    f = r.fragments(r.inner(1200, 0x6400 + seq), seq, 0x7400 + seq, 600)
    probe = r.inner(200, 0x6500 + seq)
    before = t.gw.stats()
    send_frames(t.peer, "p0", [r.frame(f[0]), r.frame(f[0]), r.frame(f[1])], t.workdir,
                name="dup%d_tx" % family)
    seq = Seq.next(family)
    receive_at_host(t, [r.frame(r.whole(probe, seq, 0x7500 + seq))], [probe],
                    "dup%d_probe" % family)
    time.sleep(REASM_TIMEOUT_MS / 1000 * 3)
    moved = changed(before, t.gw.stats())
    assert "in_reassembled" not in moved, moved
    dropped = sum(moved.get(k, 0) for k in ("drop_reasm_invalid", "drop_reasm_timeout"))
    assert moved.get("drop_reasm_invalid", 0) >= 2 and dropped == moved.get("in_frag"), moved


@pytest.mark.parametrize("order", ["in_order", "reversed", "middle_first"])
def test_fragmented_esp6_reassembled_before_decryption(gw, order):
    """An ESP-in-IPv6 packet bigger than the link, fragmented by scapy (3 fragments), in
    any order: the host receives the decrypted packet once."""
    reassembled(gw, 6, order)


def test_lone_fragment6_times_out(gw):
    """The first fragment of a packet whose rest never comes is dropped after
    reassembly_timeout_ms and counted; the gateway goes on decrypting."""
    lone_fragment(gw, 6)


def test_duplicate_fragment6_spoils_the_packet(gw):
    """A fragment sent twice: the packet's fragments are dropped as invalid, nothing is
    decrypted, and later packets still pass."""
    duplicate_fragment(gw, 6)


def make_tap_lab(lab):
    """As conftest.make_single_gw_lab, but the gateway's outside port is the TAP device
    gtap (made by the PMD), bridged to gout in the gateway's namespace: the kernel
    reads nothing on the way (no IP addresses there), so IPv4 fragments stay fragments."""
    host, gwns, peer = lab.netns("host"), lab.netns("gw"), lab.netns("peer")
    lab.veth(host, "h0", gwns, "gin", MAC["host"], MAC["gw_in"])
    # gout is a bridge port now: its own MAC must not be the gateway's
    lab.veth(gwns, "gout", peer, "p0", "02:99:00:00:00:fe", MAC["peer"])
    gwns.ip("link", "add", "br0", "type", "bridge")
    # a bridge takes its lowest port's MAC unless given one: not the gateway's
    gwns.ip("link", "set", "br0", "address", "02:99:00:00:00:fd")
    gwns.ip("link", "set", "gout", "master", "br0")
    gwns.ip("link", "set", "br0", "up")
    return host, gwns, peer


def tap_config(prefix):
    return mtu_config(prefix).replace("net_af_packet1,iface=gout,framecnt=4096",
                                      "net_tap0,iface=gtap,mac=%s" % MAC["gw_out"])


@pytest.fixture(scope="module")
def gw_tap(build, tmp_path_factory):
    with running_single_gw(build, str(tmp_path_factory.mktemp("mtutap")), CIPHER, "t",
                           tap_config, make_lab=make_tap_lab) as t:
        # the PMD gave gtap the port's MAC; a bridge keeps its ports' MACs for itself
        t.gwns.ip("link", "set", "gtap", "address", "02:99:00:00:00:fc")
        t.gwns.ip("link", "set", "gtap", "master", "br0")
        t.gwns.ip("link", "set", "gtap", "up")
        t.mac_gw_out = MAC["gw_out"]
        time.sleep(0.5)
        yield t


@pytest.mark.parametrize("order", ["in_order", "reversed"])
def test_fragmented_esp4_reassembled_before_decryption(gw_tap, order):
    """As the IPv6 case, over IPv4: scapy fragment()s the ESP packet, the gateway
    reassembles it (rte_ipv4_frag_reassemble_packet) and decrypts it once."""
    reassembled(gw_tap, 4, order)


def test_lone_fragment4_times_out(gw_tap):
    lone_fragment(gw_tap, 4)


def test_duplicate_fragment4_spoils_the_packet(gw_tap):
    duplicate_fragment(gw_tap, 4)


def test_gateways_still_clean(gw, gw_tap):
    """Last: both gateways are alive (their stop checks ASan reports and leaks)."""
    assert gw.gw.alive() and gw_tap.gw.alive()
