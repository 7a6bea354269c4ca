# SPDX-License-Identifier: BSD-3-Clause
"""secgw-dp against scapy, the independent ESP peer.

Topology (one per test, see conftest.single_gw):

    host ns            gw ns (secgw-dp)                     peer ns
    h0 ------------ gin 10.99.1.1/24 | gout 10.99.0.1/24 ------------ p0
    scapy: 10.99.1.2                                       scapy: 10.99.0.2, the remote
                                                           gateway of 10.99.2.0/24

SA out 0x1001 10.99.0.1 -> 10.99.0.2, SA in 0x2001 10.99.0.2 -> 10.99.0.1.
Both ends are scapy on raw sockets, so every byte the gateway receives is known
and every byte it emits is checked.
"""

import os
import shutil
import struct
import subprocess

import pytest
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

import esp
from conftest import (SPI_IN, SPI_OUT, Sniffer, changed, send_frames)

CIPHERS = ["aes-128-gcm", "aes-256-gcm"]
# the clean flows also run on the other crypto driver the config offers
FLOW_PARAMS = CIPHERS + [pytest.param(("aes-128-gcm", "openssl"), id="aes-128-gcm-openssl"),
                         pytest.param(("aes-256-gcm", "openssl"), id="aes-256-gcm-openssl")]

# Inner IPv4 total lengths: the smallest UDP packet, every padding remainder mod 4,
# block boundaries, and 1446, whose ESP packet is exactly 1500 bytes (the MTU).
INNER_SIZES = [28, 29, 30, 31, 32, 33, 60, 64, 100, 127, 128, 255, 256, 511, 512,
               1000, 1024, 1400, 1443, 1444, 1445, 1446]


def udp(src, dst, total_len, i, ttl=64, sport=40000, dport=5001):
    """An IPv4/UDP packet of total_len bytes, distinct per i."""
    n = total_len - 28
    data = bytes((i * 7 + j) & 0xFF for j in range(n))
    return IP(src=src, dst=dst, ttl=ttl, id=0x1000 + i, flags="DF" if i % 2 else 0) / \
        UDP(sport=sport + i, dport=dport) / data


# ------------------------------------------------------------------ 1. gateway -> scapy

def outbound_flow(t, rounds=2):
    """The host sends UDP packets of every INNER_SIZES size (rounds times) to
    10.99.2.x; returns (sent IP packets as bytes, captured ESP frames, stats delta)."""
    pkts = []
    for r in range(rounds):
        for k, size in enumerate(INNER_SIZES):
            i = r * len(INNER_SIZES) + k
            pkts.append(bytes(udp("10.99.1.2", "10.99.2.%d" % (1 + i % 200), size, i)))
    frames = [bytes(Ether(src=t.mac_host, dst=t.mac_gw_in) / IP(p)) for p in pkts]
    before = t.gw.stats()
    with Sniffer(t.peer, "p0", t.workdir, "esp_out", ipproto=50,
                 count=len(frames), timeout=30) as sn:
        send_frames(t.host, "h0", frames, t.workdir)
        got = sn.wait(timeout=30)
    after = t.gw.stats()
    return pkts, got, changed(before, after)


@pytest.mark.parametrize("single_gw", FLOW_PARAMS, indirect=True)
def test_gateway_to_scapy(single_gw):
    t = single_gw
    sent, got, moved = outbound_flow(t)
    if len(got) != len(sent):
        pytest.fail("peer captured %d of %d ESP packets; counters moved: %s" % (
            len(got), len(sent), moved))
    sa = esp.make_sa(SPI_OUT, t.cipher, t.key_out, "10.99.0.1", "10.99.0.2")
    ivs = set()
    for i, (want, frame) in enumerate(zip(sent, got)):
        eth, outer = frame[:14], esp.ip_len(frame[14:])
        assert eth[0:6] == bytes.fromhex(t.mac_peer.replace(":", "")), "frame %d: dst MAC" % i
        assert eth[6:12] == bytes.fromhex(t.mac_gw_out.replace(":", "")), "frame %d: src MAC" % i
        assert eth[12:14] == b"\x08\x00"
        o = IP(outer)
        assert (o.version, o.ihl, o.proto) == (4, 5, 50), "frame %d: outer %r" % (i, o)
        assert (o.src, o.dst) == ("10.99.0.1", "10.99.0.2"), "frame %d: tunnel endpoints" % i
        assert esp.ip_header_ok(outer), "frame %d: outer IP checksum wrong" % i
        assert o.ttl > 0 and o.frag == 0 and not (o.flags & 1), "frame %d: %r" % (i, o)
        assert len(outer) <= 1500
        spi, seq, iv = esp.esp_fields(outer)
        assert spi == SPI_OUT, "frame %d: SPI %#x" % (i, spi)
        assert seq == i + 1, "frame %d: sequence number %d, expected %d" % (i, seq, i + 1)
        assert iv not in ivs, "frame %d: IV %s reused" % (i, iv.hex())
        ivs.add(iv)
        # scapy's decryption, byte for byte against what the host sent, routed once
        inner = esp.decrypt(sa, outer)
        assert inner == esp.forwarded(want), \
            "frame %d: inner packet differs\n got  %s\n want %s" % (
                i, inner.hex(), esp.forwarded(want).hex())
        # the ESP trailer (a second decryption with the AEAD directly): RFC 4303
        # default padding 1, 2, 3..., 4-byte alignment, next header 4 (IPv4)
        pt, padlen, nh = esp.aead_plaintext(t.cipher, t.key_out, outer)
        assert nh == 4, "frame %d: next header %d" % (i, nh)
        assert pt[-2 - padlen:-2] == bytes(range(1, padlen + 1)), "frame %d: padding" % i
        assert (len(pt) + 8) % 4 == 0 and padlen < 4, \
            "frame %d: padding %d for %d bytes" % (i, padlen, len(inner))
    assert moved.get("out_protect") == len(sent), moved
    drops = {k: v for k, v in moved.items() if k.startswith("drop") or k == "tx_drop"}
    assert not drops, "drops during a clean flow: %s" % drops
    sas = t.gw.sa_list()
    assert sas[SPI_OUT]["packets"] == len(sent), sas[SPI_OUT]
    # 7. an independent dissector agrees (when tshark is installed)
    tshark_check(t, os.path.join(t.workdir, "esp_out.pcap"), len(sent), sent)


def tshark_check(t, pcap, n, sent):
    """Issue proof 7: tshark, with the SA in its esp_sa table, decrypts every packet
    of the capture, finds the inner packets the host sent, a correct ICV, and
    nothing malformed or worth a warning."""
    tshark = shutil.which("tshark")
    if tshark is None:
        return
    uat = ('uat:esp_sa:"IPv4","10.99.0.1","10.99.0.2","%#010x",'
           '"AES-GCM with 16 octet ICV [RFC4106]","0x%s","NULL",""' % (SPI_OUT, t.key_out[2:]))
    # -d: our UDP payloads are test bytes; without it tshark guesses a protocol from
    # the port (5001 is "CPFI") and reports the bytes as malformed
    base = [tshark, "-n", "-r", pcap, "-o", "esp.enable_encryption_decode:TRUE",
            "-o", "esp.enable_authentication_check:TRUE", "-o", uat,
            "-d", "udp.port==5001,data"]
    env = dict(os.environ, HOME=t.workdir)   # no user preferences
    p = subprocess.run(base + ["-T", "fields", "-E", "separator=/t", "-e", "esp.sequence",
                               "-e", "ip.src", "-e", "ip.dst", "-e", "ip.ttl", "-e", "udp.length",
                               "-e", "esp.icv_good", "-e", "esp.icv_bad"],
                       capture_output=True, text=True, timeout=60, env=env)
    assert p.returncode == 0, p.stderr
    rows = [r.split("\t") for r in p.stdout.splitlines()]
    assert len(rows) == n, "tshark read %d packets, expected %d" % (len(rows), n)
    for i, (seq, srcs, dsts, ttls, ulen, good, bad) in enumerate(rows):
        want = IP(sent[i])
        assert seq == str(i + 1), "tshark: packet %d sequence %s" % (i, seq)
        # decrypted: the inner header follows the outer one
        assert srcs == "10.99.0.1,10.99.1.2" and dsts == "10.99.0.2," + want.dst, \
            "tshark did not decrypt packet %d: %s %s" % (i, srcs, dsts)
        assert ttls.split(",")[1:] == [str(want.ttl - 1)], "tshark: packet %d TTLs %s" % (i, ttls)
        assert ulen == str(want[UDP].len), "tshark: packet %d UDP length %s" % (i, ulen)
        assert (good, bad) == ("1", "0"), "tshark: packet %d ICV good=%r bad=%r" % (i, good, bad)
    p = subprocess.run(base + ["-Y", "_ws.malformed or _ws.expert.severity >= 6291456"
                               " or esp.icv_bad == 1"],
                       capture_output=True, text=True, timeout=60, env=env)
    assert p.returncode == 0, p.stderr
    assert not p.stdout.strip(), "tshark: malformed, ICV failure or warning:\n" + p.stdout


# ------------------------------------------------------------------ 2. scapy -> gateway

class Inbound:
    """scapy as the remote gateway: encrypts with SA 0x2001 and sends to gout."""

    def __init__(self, t):
        self.t = t
        self.sa = esp.make_sa(SPI_IN, t.cipher, t.key_in, "10.99.0.2", "10.99.0.1")
        self.n = 0

    def inner(self, size=100, src="10.99.2.5", dst="10.99.1.2"):
        self.n += 1
        return udp(src, dst, size, self.n, dport=6000)

    def frame(self, inner, seq, spi=SPI_IN, mangle=None):
        outer = bytearray(esp.encrypt(self.sa, inner, seq))
        if spi != SPI_IN:
            outer[20:24] = struct.pack("!I", spi)
        if mangle:
            outer = bytearray(mangle(outer))
            outer[2:4] = struct.pack("!H", len(outer))
            outer[10:12] = b"\0\0"
            outer[10:12] = struct.pack("!H", esp.ip_checksum(bytes(outer[:20])))
        return bytes(Ether(src=self.t.mac_peer, dst=self.t.mac_gw_out, type=0x0800)) + bytes(outer)

    def run(self, frames, expect, burst=16, gap=0.002):
        """Send frames from the peer; the host must receive exactly `expect` (inner
        packets as sent, in order), routed.  Returns the counters that moved.
        burst=1 with a gap puts each frame in an RX burst of its own; frames sent
        back to back usually share one."""
        t = self.t
        before, sa_before = t.gw.stats(), t.gw.sa_list()
        with Sniffer(t.host, "h0", t.workdir, "in%d" % self.n, ethertype=0x0800,
                     count=len(expect), timeout=10) as sn:
            send_frames(t.peer, "p0", frames, t.workdir, name="in_tx%d" % self.n,
                        burst=burst, gap=gap)
            got = sn.wait(timeout=10)
        moved = changed(before, t.gw.stats())
        sa_after = t.gw.sa_list()
        sa_moved = {spi: changed(sa_before.get(spi, {}), v) for spi, v in sa_after.items()}
        sa_moved = {k: v for k, v in sa_moved.items() if v}
        if len(got) != len(expect):
            pytest.fail("host received %d of %d packets; counters moved: %s; per SA: %s" % (
                len(got), len(expect), moved, sa_moved))
        for i, (want, frame) in enumerate(zip(expect, got)):
            assert frame[0:6] == bytes.fromhex(t.mac_host.replace(":", "")), "pkt %d dst MAC" % i
            assert frame[6:12] == bytes.fromhex(t.mac_gw_in.replace(":", "")), "pkt %d src MAC" % i
            assert esp.ip_len(frame[14:]) == esp.forwarded(bytes(want)), \
                "pkt %d differs\n got  %s\n want %s" % (
                    i, frame[14:].hex(), esp.forwarded(bytes(want)).hex())
        return moved, sa_moved


@pytest.mark.parametrize("single_gw", FLOW_PARAMS, indirect=True)
def test_scapy_to_gateway(single_gw):
    inb = Inbound(single_gw)
    inners = [inb.inner(size) for size in INNER_SIZES for _ in range(2)]
    frames = [inb.frame(p, seq) for seq, p in enumerate(inners, start=1)]
    moved, sa_moved = inb.run(frames, inners)
    assert moved.get("in_esp") == len(inners), moved
    drops = {k: v for k, v in moved.items() if k.startswith("drop") or k == "tx_drop"}
    assert not drops, "drops during a clean flow: %s" % drops
    assert sa_moved.get(SPI_IN, {}).get("packets") == len(inners), sa_moved


# ------------------------------------------------------------------ 3./4. what must be dropped

def flip(offset_from_esp=None, from_end=None, bit=0x01):
    """A mangle function flipping one bit at an offset in the ESP part (after the
    20-byte outer header), or counted from the end of the packet."""
    def m(outer):
        b = bytearray(outer)
        pos = 20 + offset_from_esp if offset_from_esp is not None else len(b) - from_end
        b[pos] ^= bit
        return b
    return m


DROP_CASES = {
    # name: (builder(inb) -> (frames, expected inner packets at the host), {counter: delta},
    #        {sa counter: delta} for SA 0x2001)
}


def case(name, counters, sa_counters=None):
    def deco(fn):
        DROP_CASES[name] = (fn, counters, sa_counters or {})
        return fn
    return deco


@case("ciphertext_bit", {"drop_icv": 1}, {"drop_icv": 1})
def _ciphertext_bit(inb):
    p1, p2, probe = inb.inner(60), inb.inner(300), inb.inner(90)
    # seq 2 arrives with a flipped bit in the ciphertext (byte 30 of ESP: after
    # SPI, sequence number and IV), then genuine: the failed packet must not have
    # moved the replay window, so the genuine one is accepted.
    frames = [inb.frame(p1, 1), inb.frame(p2, 2, mangle=flip(30)), inb.frame(p2, 2),
              inb.frame(probe, 3)]
    return frames, [p1, p2, probe]


@case("icv_bit", {"drop_icv": 1}, {"drop_icv": 1})
def _icv_bit(inb):
    p1, probe = inb.inner(200), inb.inner(90)
    return [inb.frame(p1, 1, mangle=flip(from_end=1, bit=0x80)), inb.frame(probe, 2)], [probe]


PACED = (1, 0.05)   # one frame per RX burst


@case("replay", {"drop_replay": 1}, {"drop_replay": 1})
def _replay(inb):
    # the copy arrives in a later burst, after the original moved the window
    p1, p2, probe = inb.inner(100), inb.inner(100), inb.inner(90)
    f1 = inb.frame(p1, 1)
    return [f1, inb.frame(p2, 2), f1, inb.frame(probe, 3)], [p1, p2, probe], PACED


@case("replay_in_one_burst", {"drop_replay": 3}, {"drop_replay": 3})
def _replay_in_one_burst(inb):
    # original and 3 copies back to back, normally in one RX burst: all pass a
    # window check made before decryption; the copies must still be refused, and
    # counted as replays
    p1, probe = inb.inner(100), inb.inner(90)
    f1 = inb.frame(p1, 1)
    return [f1, f1, f1, f1, inb.frame(probe, 2)], [p1, probe], (0, 0)


@case("older_than_window", {"drop_replay": 2}, {"drop_replay": 2})
def _older_than_window(inb):
    # window 1024: after 2000, 1 and 900 are far outside it (dropped although
    # never seen)
    p1, p2, p3, probe = (inb.inner(100) for _ in range(4))
    return ([inb.frame(p1, 2000), inb.frame(p2, 1), inb.frame(p3, 900), inb.frame(probe, 2001)],
            [p1, probe], PACED)


@case("late_inside_window", {})
def _late_inside_window(inb):
    # window 1024: after 2000, a late 977 is inside the window and new, so it is
    # accepted; then 2001..2003 are new too (RFC 4303 3.4.3).  977 and 2001 are
    # 1024 apart: a 1024-bit window without a spare block gives them one bit.
    p = [inb.inner(100) for _ in range(5)]
    return ([inb.frame(p[0], 2000), inb.frame(p[1], 977), inb.frame(p[2], 2001),
             inb.frame(p[3], 2002), inb.frame(p[4], 2003)], p, PACED)


@case("unknown_spi", {"drop_unknown_spi": 1})
def _unknown_spi(inb):
    p1, probe = inb.inner(100), inb.inner(90)
    return [inb.frame(p1, 1, spi=0x3003), inb.frame(probe, 1)], [probe]


@case("truncated_esp", {"drop_esp_malformed|drop_malformed": 1})
def _truncated(inb):
    p1, probe = inb.inner(100), inb.inner(90)
    # SPI, sequence number and 4 bytes: shorter than IV + ICV
    short = inb.frame(p1, 1, mangle=lambda o: o[:20 + 8 + 4])
    return [short, inb.frame(probe, 2)], [probe]


@case("policy_mismatch", {"drop_policy_mismatch": 1})
def _policy_mismatch(inb):
    # decrypts fine, but 10.99.3.5 is not in SA 0x2001's selectors (10.99.2.0/24)
    p1, probe = inb.inner(100, src="10.99.3.5"), inb.inner(90)
    return [inb.frame(p1, 1), inb.frame(probe, 2)], [probe]


# A long idle sleep: frames sent back to back reach the sleeping worker together and
# are read in one RX burst (replay_in_one_burst), frames sent PACED still are not.
DROP_PARAMS = [pytest.param({"cipher": c, "idle_sleep_us": 5000}, id=c) for c in CIPHERS]


@pytest.mark.parametrize("name", sorted(DROP_CASES))
@pytest.mark.parametrize("single_gw", DROP_PARAMS, indirect=True)
def test_dropped_and_counted(single_gw, name):
    build, counters, sa_counters = DROP_CASES[name]
    inb = Inbound(single_gw)
    frames, expect, *pacing = build(inb)
    burst, gap = pacing[0] if pacing else (16, 0.002)
    # The last frame is always a valid probe: it arrives only if the worker is
    # still forwarding after the bad packet, and the drop counters are read after it.
    moved, sa_moved = inb.run(frames, expect, burst=burst, gap=gap)
    for names, want in counters.items():
        got = sum(moved.get(n, 0) for n in names.split("|"))
        assert got == want, "%s moved by %d, expected %d; all counters moved: %s" % (
            names, got, want, moved)
    for n, want in sa_counters.items():
        got = sa_moved.get(SPI_IN, {}).get(n, 0)
        assert got == want, "SA %#x %s moved by %d, expected %d; per SA: %s" % (
            SPI_IN, n, got, want, sa_moved)
    other = {k: v for k, v in moved.items()
             if (k.startswith("drop") or k == "tx_drop")
             and not any(k in names.split("|") for names in counters)}
    assert not other, "unexpected drops: %s" % other
    assert single_gw.gw.alive()
