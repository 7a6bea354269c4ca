# SPDX-License-Identifier: BSD-3-Clause
"""secgwctl sa/policy add/del/list on a running gateway, over the control socket
(control/ctl_proto.h), against scapy as the peer.

Topology as in test_esp_scapy.py (conftest.make_single_gw_lab):

    host ns            gw ns (secgw-dp)                     peer ns
    h0 ------------ gin 10.99.1.1/24 | gout 10.99.0.1/24 ------------ p0
    scapy: 10.99.1.2                                       scapy: 10.99.0.2, the remote
                                                           gateway of 10.99.2.0/24

but the gateway starts with no SA and no policy: every test keys the tunnel by
hand with secgwctl, SAs 0x3001 (out) and 0x4001 (in).
"""

import json
import os
import socket
import struct
import subprocess
import time

import pytest
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

import esp
import pcap
import tshark_esp
from conftest import (HELPERS, KEYS, PY, Sniffer, changed, gw_base_config,
                      running_single_gw, send_frames)
from netns import run
from test_esp_scapy import Inbound, udp

CIPHER = "aes-128-gcm"
KEY_OUT, KEY_IN = KEYS[CIPHER]
KEY_OUT2 = "0x5a5b5c5d5e5f606162636465666768696a6b6c6d"  # the replacement outbound SA
SPI_OUT, SPI_IN, SPI_OUT2 = 0x3001, 0x4001, 0x3002

SA_OUT = ("{spi: %#x, direction: out, src: 10.99.0.1, dst: 10.99.0.2, cipher: %s, key: %s}"
          % (SPI_OUT, CIPHER, KEY_OUT))
SA_IN = ("{spi: %#x, direction: in, src: 10.99.0.2, dst: 10.99.0.1, cipher: %s, key: %s}"
         % (SPI_IN, CIPHER, KEY_IN))
SA_OUT2 = ("{spi: %#x, direction: out, src: 10.99.0.1, dst: 10.99.0.2, cipher: %s, key: %s}"
           % (SPI_OUT2, CIPHER, KEY_OUT2))
POL_OUT = ("{name: ctl-out, direction: out, src: 10.99.1.0/24, dst: 10.99.2.0/24, "
           "action: protect, sa: %#x}" % SPI_OUT)
POL_IN = ("{name: ctl-in, direction: in, src: 10.99.2.0/24, dst: 10.99.1.0/24, "
          "action: protect, sa: %#x}" % SPI_IN)
# block style works too: the replacement policy, preferred by its priority
POL_OUT2 = ("name: ctl-out2\ndirection: out\nsrc: 10.99.1.0/24\ndst: 10.99.2.0/24\n"
            "action: protect\nsa: %#x\npriority: 10\n" % SPI_OUT2)


@pytest.fixture
def ctl_gw(build, tmp_path):
    # "ready" is printed after the control socket is listening
    with running_single_gw(build, str(tmp_path), CIPHER, "c", gw_base_config) as t:
        yield t


def ctl(t, *args, timeout=15):
    """secgwctl -p PREFIX ARGS -> (exit code, stdout, stderr)."""
    p = run([t.gw.build.ctl, "-p", t.gw.prefix] + list(args), check=False, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def ok(t, *args):
    rc, out, err = ctl(t, *args)
    assert (rc, out, err) == (0, "ok\n", ""), \
        "secgwctl %s: exit %d, stdout %r, stderr %r\n%s" % (" ".join(args), rc, out, err,
                                                             t.gw.logs(20))


def fails(t, want, *args):
    """secgwctl must exit 1 with `want` in its one-line message."""
    rc, out, err = ctl(t, *args)
    assert rc == 1 and out == "" and want in err and err.count("\n") == 1, \
        "secgwctl %s: exit %d, stdout %r, stderr %r (wanted %r)\n%s" % (
            " ".join(args), rc, out, err, want, t.gw.logs(20))
    return err


def policies(t):
    rc, out, err = ctl(t, "--json", "policy", "list")
    assert rc == 0, err
    return json.loads(out)


def key_tunnel(t):
    ok(t, "sa", "add", SA_OUT)
    ok(t, "sa", "add", SA_IN)
    ok(t, "policy", "add", POL_OUT)
    ok(t, "policy", "add", POL_IN)


def outbound(t, n, name, spi=SPI_OUT, key=KEY_OUT, expect=True):
    """The host sends n UDP packets to 10.99.2.x.  With expect, the peer must capture
    them as ESP with `spi` that scapy decrypts to exactly the forwarded packets (ESP
    sequence numbers continuing from the SA's count); without, nothing must arrive.
    Returns the counters that moved."""
    pkts = [bytes(udp("10.99.1.2", "10.99.2.%d" % (1 + i % 200), 60 + 37 * i % 1400, i))
            for i in range(n)]
    frames = [bytes(Ether(src=t.mac_host, dst=t.mac_gw_in) / IP(p)) for p in pkts]
    before = t.gw.stats()
    seq0 = t.gw.sa_list().get(spi, {}).get("packets", 0)
    with Sniffer(t.peer, "p0", t.workdir, name, ipproto=50, count=n if expect else 0,
                 timeout=10 if expect else 3) as sn:
        send_frames(t.host, "h0", frames, t.workdir, name=name + "_tx")
        got = sn.wait(timeout=15)
    moved = changed(before, t.gw.stats())
    if not expect:
        assert got == [], "%d ESP packets left after the tunnel was removed" % len(got)
        return moved
    assert len(got) == n, "peer captured %d of %d ESP packets; counters moved: %s" % (
        len(got), n, moved)
    sa = esp.make_sa(spi, CIPHER, key, "10.99.0.1", "10.99.0.2")
    for i, (want, frame) in enumerate(zip(pkts, got)):
        outer = esp.ip_len(frame[14:])
        o = IP(outer)
        assert (o.src, o.dst, o.proto) == ("10.99.0.1", "10.99.0.2", 50), "frame %d: %r" % (i, o)
        got_spi, seq, _ = esp.esp_fields(outer)
        assert (got_spi, seq) == (spi, seq0 + i + 1), \
            "frame %d: SPI %#x seq %d" % (i, got_spi, seq)
        inner = esp.decrypt(sa, outer)
        assert inner == esp.forwarded(want), "frame %d: inner packet differs\n got  %s\n want %s" % (
            i, inner.hex(), esp.forwarded(want).hex())
    return moved


def inbound(t, n):
    """scapy sends n ESP packets with SA 0x4001; the host must receive them all."""
    inb = Inbound(t)
    inb.sa = esp.make_sa(SPI_IN, CIPHER, KEY_IN, "10.99.0.2", "10.99.0.1")
    inners = [inb.inner(64 + 47 * i % 1300) for i in range(n)]
    seq0 = t.gw.sa_list().get(SPI_IN, {}).get("packets", 0)
    frames = [inb.frame(p, seq0 + 1 + i) for i, p in enumerate(inners)]
    moved, sa_moved = inb.run(frames, inners)
    return moved, sa_moved


def no_drops(moved):
    return {k: v for k, v in moved.items() if k.startswith("drop") or k == "tx_drop"}


# ------------------------------------------------------------------ a) key a tunnel by hand

def test_key_tunnel_by_hand(ctl_gw):
    t = ctl_gw
    assert t.gw.sa_list() == {}
    assert policies(t) == {}
    key_tunnel(t)

    pl = policies(t)
    assert set(pl) == {"ctl-out", "ctl-in"}, pl
    assert pl["ctl-out"] == {"direction": "out", "priority": 1000, "src": "10.99.1.0/24",
                             "dst": "10.99.2.0/24", "proto": "any", "sport": "any",
                             "dport": "any", "action": "protect", "sa": SPI_OUT}, pl
    rc, out, err = ctl(t, "policy", "list")
    assert rc == 0 and "ctl-out" in out.splitlines()[1] and "0x00003001" in out, out

    moved = outbound(t, 40, "out1")
    assert moved.get("out_protect") == 40 and not no_drops(moved), moved
    moved, sa_moved = inbound(t, 30)
    assert moved.get("in_esp") == 30 and not no_drops(moved), moved

    sas = t.gw.sa_list()
    assert set(sas) == {SPI_OUT, SPI_IN}, sas
    assert sas[SPI_OUT]["packets"] == 40 and sas[SPI_IN]["packets"] == 30, sas
    rc, out, err = ctl(t, "sa", "list")
    assert rc == 0 and "0x00003001" in out and "0x00004001" in out, out

    ok(t, "policy", "del", "ctl-out")
    ok(t, "policy", "del", "ctl-in")
    ok(t, "sa", "del", "0x3001", "out")
    ok(t, "sa", "del", str(SPI_IN), "in")   # decimal works too
    assert t.gw.sa_list() == {}
    assert policies(t) == {}

    moved = outbound(t, 20, "out2", expect=False)
    assert moved.get("drop_no_policy") == 20, moved
    # inbound ESP for the deleted SA: not delivered, counted
    inb = Inbound(t)
    inb.sa = esp.make_sa(SPI_IN, CIPHER, KEY_IN, "10.99.0.2", "10.99.0.1")
    before = t.gw.stats()
    with Sniffer(t.host, "h0", t.workdir, "in_gone", ethertype=0x0800, timeout=3) as sn:
        send_frames(t.peer, "p0", [inb.frame(inb.inner(100), 100 + i) for i in range(10)],
                    t.workdir, name="in_gone_tx")
        got = sn.wait(timeout=10)
    assert got == []
    moved = changed(before, t.gw.stats())
    assert moved.get("drop_unknown_spi") == 10, moved
    assert t.gw.alive()


# ------------------------------------------------------------------ b) errors

def test_errors(ctl_gw):
    t = ctl_gw
    key_tunnel(t)
    fails(t, "SPI 0x00003001 already installed", "sa", "add", SA_OUT)
    fails(t, "SA 0x00003001 is used by policy ctl-out", "sa", "del", "0x3001", "out")
    fails(t, "policy ctl-x: no outbound SA with SPI 0x00003999", "policy", "add",
          POL_OUT.replace("ctl-out", "ctl-x").replace("0x3001", "0x3999"))
    # an inbound SA does not serve an outbound policy
    fails(t, "policy ctl-y: no outbound SA with SPI 0x00004001", "policy", "add",
          POL_OUT.replace("ctl-out", "ctl-y").replace("0x3001", "0x4001"))
    fails(t, "policy ctl-out already exists", "policy", "add", POL_OUT)
    # the snippet is checked before anything is sent, with line:col
    err = fails(t, "sa:1:89: key: expected 20 bytes of hex for aes-128-gcm, got 16",
                "sa", "add", SA_OUT.replace("0x3001", "0x3005")[:-9] + "}")
    assert err.startswith("secgwctl: sa:1:89:"), err
    fails(t, "sa:2:1: yaml: did not find expected ',' or '}'", "sa", "add", SA_OUT[:-1])
    fails(t, "policy:1:79: action: expected one of bypass, discard, protect, trap, got 'protekt'",
          "policy", "add", POL_OUT.replace("protect", "protekt"))
    fails(t, "policy: name: missing required field", "policy", "add",
          POL_OUT.replace("name: ctl-out, ", ""))
    fails(t, "no policy named nosuch", "policy", "del", "nosuch")
    fails(t, "no outbound SA with SPI 0x00003999", "sa", "del", "0x3999", "out")
    fails(t, "expected direction in or out, got 'up'", "sa", "del", "0x3001", "up")
    # nothing changed, and the gateway still forwards both ways
    assert set(policies(t)) == {"ctl-out", "ctl-in"}
    assert set(t.gw.sa_list()) == {SPI_OUT, SPI_IN}
    moved = outbound(t, 20, "after_errors")
    assert moved.get("out_protect") == 20 and not no_drops(moved), moved
    moved, _ = inbound(t, 10)
    assert moved.get("in_esp") == 10 and not no_drops(moved), moved


# ------------------------------------------------------------------ c) live SA replacement

FLOW_N = 3000
FLOW_MARK = b"SECGW-CTL-FLOW"


def flow_packet(i):
    payload = FLOW_MARK + struct.pack("!I", i) + bytes((i + j) & 0xFF for j in range(64))
    return bytes(IP(src="10.99.1.2", dst="10.99.2.7", ttl=64, id=i & 0xFFFF) /
                 UDP(sport=41000, dport=7000) / payload)


def test_live_sa_replacement(ctl_gw):
    t = ctl_gw
    ok(t, "sa", "add", SA_OUT)
    ok(t, "policy", "add", POL_OUT)
    frames = [bytes(Ether(src=t.mac_host, dst=t.mac_gw_in) / IP(flow_packet(i)))
              for i in range(FLOW_N)]
    tx_pcap = os.path.join(t.workdir, "flow_tx.pcap")
    pcap.write(tx_pcap, frames)
    before = t.gw.stats()
    with Sniffer(t.peer, "p0", t.workdir, "flow", ipproto=50, count=FLOW_N, timeout=40) as sn:
        # 16 frames every 8 ms: about 2000 packets/s for 1.5 s
        sender = t.host.popen([PY, os.path.join(HELPERS, "send.py"), "--iface", "h0",
                               "--pcap", tx_pcap, "--burst", "16", "--gap", "0.008"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        # replace only once the old SA carries the flow (scapy takes a while to start)
        deadline = time.monotonic() + 20
        while (t.gw.stats().get("out_protect", 0) - before.get("out_protect", 0) < 200
               and time.monotonic() < deadline):
            time.sleep(0.02)
        assert sender.poll() is None, "the flow ended before the replacement"
        ok(t, "sa", "add", SA_OUT2)
        ok(t, "policy", "add", POL_OUT2)
        ok(t, "policy", "del", "ctl-out")
        ok(t, "sa", "del", "0x3001", "out")
        still_sending = sender.poll() is None
        out, _ = sender.communicate(timeout=60)
        assert sender.returncode == 0, out
        got = sn.wait(timeout=40)
    moved = changed(before, t.gw.stats())
    assert still_sending, "the replacement did not happen while the flow ran"

    sas = {SPI_OUT: esp.make_sa(SPI_OUT, CIPHER, KEY_OUT, "10.99.0.1", "10.99.0.2"),
           SPI_OUT2: esp.make_sa(SPI_OUT2, CIPHER, KEY_OUT2, "10.99.0.1", "10.99.0.2")}
    seen, esp_seq = {}, {SPI_OUT: [], SPI_OUT2: []}
    for k, frame in enumerate(got):
        outer = esp.ip_len(frame[14:])
        spi, seq, _ = esp.esp_fields(outer)
        assert spi in sas, "frame %d: SPI %#x" % (k, spi)
        esp_seq[spi].append(seq)
        inner = esp.decrypt(sas[spi], outer)
        data = bytes(IP(inner)[UDP].payload)
        assert data.startswith(FLOW_MARK), "frame %d: not a flow packet" % k
        (i,) = struct.unpack("!I", data[len(FLOW_MARK):len(FLOW_MARK) + 4])
        assert i not in seen, "flow packet %d arrived twice (frames %d and %d)" % (i, seen[i], k)
        assert inner == esp.forwarded(flow_packet(i)), "flow packet %d differs" % i
        seen[i] = k
    missing = sorted(set(range(FLOW_N)) - set(seen))
    assert not missing, "%d flow packets lost (first %s); counters moved: %s" % (
        len(missing), missing[:10], moved)
    # both SAs carried part of the flow, each with its own unbroken sequence numbers
    for spi, seqs in esp_seq.items():
        assert seqs, "SA %#x carried no packet: %s" % (spi, {s: len(v) for s, v in esp_seq.items()})
        assert seqs == list(range(1, len(seqs) + 1)), "SA %#x sequence numbers broken" % spi
    assert not no_drops(moved), moved
    # an independent decryption of the capture, both SAs
    _, verified = tshark_esp.check_decrypts(
        os.path.join(t.workdir, "flow.pcap"),
        [tshark_esp.EspSa("10.99.0.1", "10.99.0.2", spi, CIPHER, tshark_esp.hexkey(k))
         for spi, k in ((SPI_OUT, KEY_OUT), (SPI_OUT2, KEY_OUT2))], t.workdir,
        decode_as=["udp.port==7000,data"])
    assert verified == FLOW_N
    assert set(t.gw.sa_list()) == {SPI_OUT2}
    assert set(policies(t)) == {"ctl-out2"}


# ------------------------------------------------------------------ d) sa list of many SAs

MANY = 300   # SPIs, each an outbound and an inbound SA: 600 SAs
MANY_SPI = 0x20000
SA_FIELDS = {"name", "spi", "direction", "mode", "cipher", "integ", "src", "dst", "packets",
             "bytes", "drop_replay", "drop_icv", "state"}


def unique_keys(pairs):
    """json.loads object_pairs_hook: a repeated member name is an SA hidden."""
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), "repeated keys: %s" % sorted(
        k for k in set(keys) if keys.count(k) > 1)[:10]
    return dict(pairs)


def telemetry_pages(t):
    """/secgw/sa/list,CURSOR page by page, as dpdk-telemetry.py users would:
    (all SAs, number of pages)."""
    path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % t.gw.prefix
    sas, cursor, pages = {}, 0, 0
    while True:
        with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
            s.settimeout(5)
            s.connect(path)
            hello = json.loads(s.recv(4096))
            s.send(b"/secgw/sa/list,%d" % cursor)
            reply = json.loads(s.recv(hello["max_output_len"]), object_pairs_hook=unique_keys)
        page = reply["/secgw/sa/list"]
        pages += 1
        nxt = page.pop("next_cursor")
        assert not set(page) & set(sas), "an SA on two pages"
        sas.update(page)
        if nxt == 0:
            return sas, pages
        assert nxt > cursor, (cursor, nxt)
        cursor = nxt


def test_sa_list_many(ctl_gw):
    """sa list shows every SA, far beyond what one telemetry reply holds (256 dict
    members, 16 kB): 600 SAs added with batch, 300 SPIs each used by an outbound and an
    inbound SA, besides the tunnel's two, which carry traffic."""
    t = ctl_gw
    # traffic first: outbound() and inbound() read conftest's sa_list, keyed by SPI alone
    key_tunnel(t)
    moved = outbound(t, 40, "many_out")
    assert moved.get("out_protect") == 40 and not no_drops(moved), moved
    moved, _ = inbound(t, 30)
    assert moved.get("in_esp") == 30 and not no_drops(moved), moved
    lines = []
    for k in range(MANY):
        spi = MANY_SPI + k
        lines.append("sa add {spi: %#x, direction: out, src: 10.99.0.1, dst: 10.99.0.2, "
                     "cipher: %s, key: %s}" % (spi, CIPHER, KEY_OUT))
        lines.append("sa add {spi: %#x, direction: in, src: 10.99.0.2, dst: 10.99.0.1, "
                     "cipher: %s, key: %s}" % (spi, CIPHER, KEY_IN))
    p = run([t.gw.build.ctl, "-p", t.gw.prefix, "batch"], input="\n".join(lines) + "\n",
            check=False, timeout=60)
    assert (p.returncode, p.stderr) == (0, ""), (p.returncode, p.stderr)

    rc, out, err = ctl(t, "--json", "sa", "list")
    assert (rc, err) == (0, ""), (rc, err)
    sas = json.loads(out, object_pairs_hook=unique_keys)
    many = {"0x%08x/%s" % (MANY_SPI + k, d) for k in range(MANY) for d in ("out", "in")}
    assert set(sas) == many | {"0x00003001/out", "0x00004001/in"}, sorted(set(sas) ^ many)[:10]
    for key, sa in sas.items():
        assert set(sa) == SA_FIELDS, (key, sa)
        assert key == "0x%08x/%s" % (sa["spi"], sa["direction"]), (key, sa)
        assert (sa["mode"], sa["cipher"], sa["integ"], sa["state"]) == (
            "tunnel", CIPHER, "none", "live"), (key, sa)
        assert (sa["src"], sa["dst"]) == (("10.99.0.1", "10.99.0.2") if sa["direction"] == "out"
                                          else ("10.99.0.2", "10.99.0.1")), (key, sa)
        assert sa["drop_replay"] == 0 and sa["drop_icv"] == 0, (key, sa)
        if key in many:
            assert sa["name"] == "sa-%08x" % sa["spi"], (key, sa)
            assert sa["packets"] == 0 and sa["bytes"] == 0, (key, sa)
    assert sas["0x00003001/out"]["packets"] == 40, sas["0x00003001/out"]
    assert sas["0x00004001/in"]["packets"] == 30, sas["0x00004001/in"]
    assert sas["0x00003001/out"]["bytes"] > 0 and sas["0x00004001/in"]["bytes"] > 0

    # the telemetry command pages, and its pages add up to the same list
    tel, pages = telemetry_pages(t)
    assert tel == sas and pages >= len(sas) // 25, pages

    # -s: the telemetry socket's path, whose directory holds the control socket too
    p = run([t.gw.build.ctl, "-s", "/var/run/dpdk/%s/dpdk_telemetry.v2" % t.gw.prefix,
             "--json", "sa", "list"], check=False, timeout=15)
    assert (p.returncode, p.stderr) == (0, "") and json.loads(p.stdout) == sas, p

    # the table: a header and one row per SA, outbound first, then by SPI
    rc, out, err = ctl(t, "sa", "list")
    assert (rc, err) == (0, ""), (rc, err)
    rows = [line.split() for line in out.splitlines()]
    assert rows[0] == ["SPI", "NAME", "DIR", "MODE", "ALGORITHM", "TUNNEL", "PACKETS",
                       "BYTES", "DROPS"], rows[0]
    want = sorted(((sa["direction"] == "in", sa["spi"]) for sa in sas.values()))
    assert [(r[2] == "in", int(r[0], 16)) for r in rows[1:]] == want
    for r in rows[1:]:
        sa = sas["%s/%s" % (r[0], r[2])]
        assert r == [r[0], sa["name"], sa["direction"], "tunnel", CIPHER, sa["src"], "->",
                     sa["dst"], str(sa["packets"]), str(sa["bytes"]), "0"], r
