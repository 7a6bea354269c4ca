# SPDX-License-Identifier: BSD-3-Clause
"""IPv6 clear traffic through one dual-stack gateway: neighbor discovery, forwarding,
hop limit, malformed headers and a discard policy.

    host ns (kernel IPv6)        gw ns (secgw-dp)                 peer ns (kernel IPv6)
    h0 2001:db8:61::2 --- gin 2001:db8:61::1 | gout 2001:db8:62::1 --- p0 2001:db8:62::2
                                             ::/0 via 2001:db8:62::3 (also p0)

The gateway has no static IPv6 neighbors: it resolves both hosts with neighbor
solicitations (the default route's next hop as soon as it starts, the others when
the first packet for them waits), and the kernels resolve it the same way.  Policies bypass IPv6 both
ways, except a discard for 2001:db8:69::/48.  scapy frames (helpers/send.py) carry the
packets whose bytes are checked; the kernels' ping covers the ICMPv6 round trip.
"""

import random
import socket
import time

import pytest
from scapy.layers.inet6 import (ICMPv6ND_NA, ICMPv6ND_NS,
                                ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr, IPv6,
                                IPv6ExtHdrDestOpt)
from scapy.layers.inet import UDP
from scapy.layers.l2 import Ether

from conftest import Sniffer, changed, dataplane_yaml, running_single_gw, send_frames

HOST, GW_IN, GW_OUT, PEER = "2001:db8:61::2", "2001:db8:61::1", "2001:db8:62::1", "2001:db8:62::2"
PEER_ROUTER = "2001:db8:62::3"   # a second address of p0: the default route's next hop
DISCARDED = "2001:db8:69::5"
MAC = {"host": "02:61:00:00:00:02", "gw_in": "02:61:00:00:00:01",
       "gw_out": "02:62:00:00:00:01", "peer": "02:62:00:00:00:02"}
LL_GW_IN = "fe80::61:ff:fe00:1"   # EUI-64 of 02:61:00:00:00:01
ETH_IPV6 = 0x86DD


def gw_config(prefix):
    return dataplane_yaml(prefix) + f"""\
crypto:
  driver: aesni_mb

ports:
  - name: inside
    devargs: net_af_packet0,iface=gin,framecnt=4096
    role: protected
    address: 10.61.0.1/24
    address6: {GW_IN}/64
  - name: outside
    devargs: net_af_packet1,iface=gout,framecnt=4096
    role: unprotected
    address: 10.62.0.1/24
    address6: {GW_OUT}/64

routes:
  - dst: ::/0
    via: {PEER_ROUTER}
    port: outside

policies:
  - name: no-69
    direction: out
    dst: 2001:db8:69::/48
    action: discard
    priority: 10
  - name: out6
    direction: out
    src: 2001:db8:61::/64
    action: bypass
  - name: in6
    direction: in
    dst: 2001:db8:61::/64
    action: bypass
"""


def enable_ipv6(ns, ifname, addr, gw):
    for key in ("all", "default", ifname):
        ns.sysctl("net.ipv6.conf.%s.disable_ipv6" % key, 0)
        ns.sysctl("net.ipv6.conf.%s.accept_dad" % key, 0)
    ns.ip("-6", "addr", "add", addr + "/64", "dev", ifname, "nodad")
    ns.ip("-6", "route", "add", "default", "via", gw, "dev", ifname)


def make_ipv6_lab(lab):
    """The single-gateway topology with kernel IPv6 on the host and peer ends."""
    host, gwns, peer = lab.netns("host"), lab.netns("gw"), lab.netns("peer")
    lab.veth(host, "h0", gwns, "gin", MAC["host"], MAC["gw_in"])
    lab.veth(gwns, "gout", peer, "p0", MAC["gw_out"], MAC["peer"])
    enable_ipv6(host, "h0", HOST, GW_IN)
    enable_ipv6(peer, "p0", PEER, GW_OUT)
    peer.ip("-6", "addr", "add", PEER_ROUTER + "/64", "dev", "p0", "nodad")
    return host, gwns, peer


@pytest.fixture(scope="module")
def lab6(build, tmp_path_factory):
    """One gateway for the whole module: starting it under ASan is the slow part."""
    with running_single_gw(build, str(tmp_path_factory.mktemp("ipv6")), None, "v", gw_config,
                           make_lab=make_ipv6_lab) as t:
        yield t


def udp6(src_mac, dst_mac, src, dst, payload, hlim=64, sport=40000, dport=9):
    return bytes(Ether(src=src_mac, dst=dst_mac) / IPv6(src=src, dst=dst, hlim=hlim)
                 / UDP(sport=sport, dport=dport) / payload)


def udp_with(frames, payload):
    """The received frames whose UDP payload is exactly payload, as scapy packets."""
    out = []
    for f in frames:
        p = Ether(f)
        if UDP in p and bytes(p[UDP].payload) == payload:
            out.append(p)
    return out


def wait_counter(gw, name, at_least, timeout=5):
    deadline = time.monotonic() + timeout
    while True:
        s = gw.stats()
        if s.get(name, 0) >= at_least or time.monotonic() > deadline:
            return s
        time.sleep(0.1)


def ns_frame(target, hlim=255, src="2001:db8:61::99", src_mac="02:61:00:00:00:99"):
    """An NS for target to its solicited-node group, as a host resolving it sends."""
    low = socket.inet_pton(socket.AF_INET6, target)[13:]
    group = socket.inet_ntop(socket.AF_INET6, bytes.fromhex("ff02" + "00" * 9 + "01ff") + low)
    dst_mac = "33:33:ff:" + ":".join("%02x" % b for b in low)
    return bytes(Ether(src=src_mac, dst=dst_mac) / IPv6(src=src, dst=group, hlim=hlim)
                 / ICMPv6ND_NS(tgt=target) / ICMPv6NDOptSrcLLAddr(lladdr=src_mac))


@pytest.mark.parametrize("target", [GW_IN, LL_GW_IN])
def test_ns_gets_na(lab6, target):
    """A solicitation for our address (global or link-local) gets a solicited,
    override, router NA with our MAC, to the asker's MAC from its SLLA option."""
    asker, asker_mac = "2001:db8:61::99", "02:61:00:00:00:99"
    if target.startswith("fe80"):
        asker = "fe80::99"
    before = lab6.gw.stats()
    with Sniffer(lab6.host, "h0", lab6.workdir, "na", ethertype=ETH_IPV6) as sn:
        send_frames(lab6.host, "h0", [ns_frame(target, src=asker, src_mac=asker_mac)],
                    lab6.workdir, "ns")
        time.sleep(1)
        frames = sn.stop()
    nas = [Ether(f) for f in frames if ICMPv6ND_NA in Ether(f)
           and Ether(f)[IPv6].dst == asker]
    assert len(nas) == 1, [Ether(f).summary() for f in frames]
    na = nas[0]
    assert na[Ether].dst == asker_mac and na[Ether].src == MAC["gw_in"]
    assert na[IPv6].hlim == 255 and na[IPv6].src == target
    assert na[ICMPv6ND_NA].tgt == target
    assert (na[ICMPv6ND_NA].S, na[ICMPv6ND_NA].O, na[ICMPv6ND_NA].R) == (1, 1, 1)
    assert na[ICMPv6NDOptDstLLAddr].lladdr == MAC["gw_in"]
    # the checksum scapy computes for the same message is the one we sent
    cksum = na[ICMPv6ND_NA].cksum
    del na[ICMPv6ND_NA].cksum
    assert Ether(bytes(na))[ICMPv6ND_NA].cksum == cksum
    d = changed(before, lab6.gw.stats())
    assert d.get("nd_ns_rx", 0) >= 1 and d.get("nd_na_tx", 0) >= 1


def test_ns_bad_hop_limit_dropped(lab6):
    """RFC 4861 §7.1.1: an NS with hop limit below 255 may come from off-link."""
    before = lab6.gw.stats()
    with Sniffer(lab6.host, "h0", lab6.workdir, "na-bad", ethertype=ETH_IPV6) as sn:
        send_frames(lab6.host, "h0", [ns_frame(GW_IN, hlim=64, src="2001:db8:61::98")],
                    lab6.workdir, "ns-bad")
        time.sleep(1)
        frames = sn.stop()
    assert not [f for f in frames if ICMPv6ND_NA in Ether(f)
                and Ether(f)[IPv6].dst == "2001:db8:61::98"]
    after = wait_counter(lab6.gw, "drop_nd_invalid", before.get("drop_nd_invalid", 0) + 1)
    assert changed(before, after).get("drop_nd_invalid") == 1


def test_ping_both_ways(lab6):
    """The kernels ping each other through the gateway (ICMPv6 echo), each resolving
    the gateway and the gateway resolving them with ND."""
    for ns, dst in ((lab6.host, PEER), (lab6.peer, HOST)):
        p = ns.run(["ping", "-6", "-c", "3", "-i", "0.2", "-W", "3", dst], check=False,
                   timeout=30)
        assert p.returncode == 0, p.stdout + p.stderr + lab6.gw.logs(20)
    s = lab6.gw.stats()
    assert s.get("nd_ns_tx", 0) >= 1 and s.get("nd_na_rx", 0) >= 1
    assert s.get("arp_hold", 0) >= 1  # frames waited for ND, none were lost
    assert s.get("out_bypass", 0) >= 3 and s.get("in_bypass", 0) >= 3


def test_udp_both_ways_bytes_and_hop_limit(lab6):
    """UDP each way: payload byte for byte, hop limit one less, Ethernet rewritten."""
    rnd = random.Random(6)
    cases = ((lab6.host, "h0", lab6.peer, "p0", MAC["host"], MAC["gw_in"], HOST, PEER,
              MAC["gw_out"], MAC["peer"]),
             (lab6.peer, "p0", lab6.host, "h0", MAC["peer"], MAC["gw_out"], PEER, HOST,
              MAC["gw_in"], MAC["host"]))
    for i, (sns, sif, rns, rif, smac, gmac, src, dst, out_src, out_dst) in enumerate(cases):
        payloads = [bytes(rnd.getrandbits(8) for _ in range(n)) for n in (1, 100, 1200)]
        frames = [udp6(smac, gmac, src, dst, p, hlim=64 - k) for k, p in enumerate(payloads)]
        with Sniffer(rns, rif, lab6.workdir, "udp%d" % i, ethertype=ETH_IPV6) as sn:
            send_frames(sns, sif, frames, lab6.workdir, "udp%d" % i)
            time.sleep(1.5)
            got = sn.stop()
        for k, p in enumerate(payloads):
            hits = udp_with(got, p)
            assert len(hits) == 1, "payload %d of direction %d: %d copies" % (k, i, len(hits))
            h = hits[0]
            assert h[IPv6].hlim == 64 - k - 1
            assert (h[IPv6].src, h[IPv6].dst) == (src, dst)
            assert (h[Ether].src, h[Ether].dst) == (out_src, out_dst)


def test_default_route(lab6):
    """::/0 (kept beside rte_lpm6, which takes no /0) sends off-subnet destinations
    to its next hop."""
    payload = b"via-the-default-route"
    with Sniffer(lab6.peer, "p0", lab6.workdir, "dflt", ethertype=ETH_IPV6) as sn:
        send_frames(lab6.host, "h0",
                    [udp6(MAC["host"], MAC["gw_in"], HOST, "2001:db8:77::5", payload)],
                    lab6.workdir, "dflt")
        time.sleep(1)
        got = sn.stop()
    hits = udp_with(got, payload)
    assert len(hits) == 1 and hits[0][Ether].dst == MAC["peer"]
    assert hits[0][IPv6].dst == "2001:db8:77::5"


def test_hop_limit_1_dropped(lab6):
    payload = b"hop-limit-one"
    before = lab6.gw.stats()
    with Sniffer(lab6.peer, "p0", lab6.workdir, "hl1", ethertype=ETH_IPV6) as sn:
        send_frames(lab6.host, "h0",
                    [udp6(MAC["host"], MAC["gw_in"], HOST, PEER, payload, hlim=1)],
                    lab6.workdir, "hl1")
        time.sleep(1)
        got = sn.stop()
    assert not udp_with(got, payload)
    d = changed(before, wait_counter(lab6.gw, "drop_ttl", before.get("drop_ttl", 0) + 1))
    assert d.get("drop_ttl") == 1


def test_malformed_counted_and_worker_continues(lab6):
    """A truncated extension header, an extension header longer than the packet and
    a payload length beyond the frame are drop_malformed; a good packet sent after
    them still arrives."""
    base = Ether(src=MAC["host"], dst=MAC["gw_in"])
    good = b"after-the-bad-ones"
    # destination options with 4 of its 8 bytes
    short_ext = bytes(base / IPv6(src=HOST, dst=PEER, nh=60, plen=4)) + b"\x11\x00\x01\x02"
    # destination options claiming (10+1)*8 bytes, 8 present
    long_ext = bytes(base / IPv6(src=HOST, dst=PEER, plen=16)
                     / IPv6ExtHdrDestOpt(nh=17, len=10, options=[])) + b"\x00" * 8
    long_ext = long_ext[:14 + 40 + 16]
    # payload length 1000 in a frame that carries 20
    beyond = bytes(base / IPv6(src=HOST, dst=PEER, plen=1000) / UDP(sport=1, dport=9)
                   / (b"x" * 12))
    # eight destination options headers and one more: longer than the walk allows
    deep = base / IPv6(src=HOST, dst=PEER)
    for _ in range(9):
        deep = deep / IPv6ExtHdrDestOpt()
    deep = bytes(deep / UDP(sport=1, dport=9) / b"deep")
    before = lab6.gw.stats()
    with Sniffer(lab6.peer, "p0", lab6.workdir, "bad", ethertype=ETH_IPV6) as sn:
        send_frames(lab6.host, "h0", [short_ext, long_ext, beyond, deep,
                                      udp6(MAC["host"], MAC["gw_in"], HOST, PEER, good)],
                    lab6.workdir, "bad", burst=1)
        time.sleep(1.5)
        got = sn.stop()
    assert len(udp_with(got, good)) == 1
    d = changed(before, lab6.gw.stats())
    assert d.get("drop_malformed") == 4, d
    assert lab6.gw.alive()


def test_ext_headers_walked_for_policy(lab6):
    """UDP behind two extension headers is forwarded with its payload intact."""
    payload = b"behind-two-ext-headers"
    f = bytes(Ether(src=MAC["host"], dst=MAC["gw_in"]) / IPv6(src=HOST, dst=PEER)
              / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / UDP(sport=5, dport=9) / payload)
    with Sniffer(lab6.peer, "p0", lab6.workdir, "ext", ethertype=ETH_IPV6) as sn:
        send_frames(lab6.host, "h0", [f], lab6.workdir, "ext")
        time.sleep(1)
        got = sn.stop()
    assert len(udp_with(got, payload)) == 1


def test_discard_policy(lab6):
    payload = b"to-the-discarded-prefix"
    before = lab6.gw.stats()
    send_frames(lab6.host, "h0",
                [udp6(MAC["host"], MAC["gw_in"], HOST, DISCARDED, payload)] * 3,
                lab6.workdir, "discard")
    after = wait_counter(lab6.gw, "drop_policy_discard",
                         before.get("drop_policy_discard", 0) + 3)
    assert changed(before, after).get("drop_policy_discard") == 3


def test_ipv4_still_forwarded_on_dual_stack_ports(lab6):
    """The same ports carry IPv4 too: an IPv4 packet with no policy is default-denied
    (the IPv4 path, not dropped as unknown ethertype)."""
    from scapy.layers.inet import IP
    before = lab6.gw.stats()
    send_frames(lab6.host, "h0", [bytes(Ether(src=MAC["host"], dst=MAC["gw_in"])
                                        / IP(src="10.61.0.2", dst="10.62.0.2")
                                        / UDP(sport=1, dport=9) / b"v4")],
                lab6.workdir, "v4")
    after = wait_counter(lab6.gw, "drop_no_policy", before.get("drop_no_policy", 0) + 1)
    d = changed(before, after)
    assert d.get("drop_no_policy") == 1 and "drop_not_ip" not in d
