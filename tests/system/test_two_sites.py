# SPDX-License-Identifier: BSD-3-Clause
"""Site A <-> site B through two secgw-dp instances, as in the demo.

    host-a ns         gw-a ns (secgw-dp)          gw-b ns (secgw-dp)          host-b ns
    ha0 10.99.1.2 -- a-in | a-out 10.99.0.1 ---- b-out 10.99.0.2 | b-in -- hb0 10.99.2.2
                              "internet" 10.99.0.0/24

The gateways run configs/demo/site-a.yaml and site-b.yaml (only the file prefix and
the CPUs changed).  The hosts are plain kernel stacks: ARP, ping and UDP sockets.
10,000 UDP packets each way, at the same time, frame sizes 64..1400, each with a
sequence number and a CRC; all must arrive intact, and a capture of the internet
link must hold only ESP (and ARP), with no trace of the plaintext.
"""

import json
import os
import re
import struct
import time

import pytest

from conftest import HELPERS, PY, REPO, Gateway, changed
from netns import Lab

COUNT = 10000
MARK_AB = "SGW-A>B-PLN!"   # 12 bytes: the plaintext marker of each direction
MARK_BA = "SGW-B>A-PLN!"


def demo_config(name, prefix, cpu):
    with open(os.path.join(REPO, "configs", "demo", name)) as f:
        text = f.read()
    text, n = re.subn(r"(?m)^(\s*file_prefix:).*$", r"\1 %s" % prefix, text)
    assert n == 1, "no file_prefix in %s" % name
    # both lcores of one gateway on one CPU: the two gateways then share 2 cores
    text, n = re.subn(r"(?m)^(\s*cpus:).*$", r"\1 {main: %d, workers: [%d]}" % (cpu, cpu), text)
    assert n == 1, "no cpus in %s" % name
    return text


class TwoSites:
    def __init__(self, lab, workdir, build):
        self.lab = lab
        self.ha = lab.netns("host-a")
        self.ga = lab.netns("gw-a")
        self.gb = lab.netns("gw-b")
        self.hb = lab.netns("host-b")
        lab.veth(self.ha, "ha0", self.ga, "a-in")
        lab.veth(self.ga, "a-out", self.gb, "b-out")
        lab.veth(self.gb, "b-in", self.hb, "hb0")
        self.ha.ip("addr", "add", "10.99.1.2/24", "dev", "ha0")
        self.ha.ip("route", "add", "default", "via", "10.99.1.1")
        self.hb.ip("addr", "add", "10.99.2.2/24", "dev", "hb0")
        self.hb.ip("route", "add", "default", "via", "10.99.2.1")
        self.gw_a = Gateway(build, self.ga, demo_config("site-a.yaml", lab.uid + "a", 0),
                            workdir, "gw-a")
        self.gw_b = Gateway(build, self.gb, demo_config("site-b.yaml", lab.uid + "b", 1),
                            workdir, "gw-b")


@pytest.fixture
def two_sites(build, tmp_path):
    lab = Lab("t")
    t = None
    try:
        t = TwoSites(lab, str(tmp_path), build)
        t.gw_a.start()
        t.gw_b.start()
        yield t
    finally:
        try:
            for gw in (t.gw_a, t.gw_b) if t else ():
                try:
                    gw.stop()
                except AssertionError:
                    if gw is t.gw_b:
                        raise
                    # report gw-a's problem after gw-b has been stopped too
                    t.gw_b.stop()
                    raise
        finally:
            lab.close()


def wait_ping(ns, dst, timeout=20):
    """Ping until one answer (ARP on both gateways has to settle first)."""
    deadline = time.monotonic() + timeout
    while True:
        p = ns.run(["ping", "-c", "1", "-W", "1", dst], check=False)
        if p.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise AssertionError("no ping answer from %s within %ds:\n%s" % (dst, timeout, p.stdout))


def read_pcap(path):
    """(linktype, [frame bytes]) of a classic pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    endian = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">",
              b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">"}[magic]
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    frames, pos = [], 24
    while pos + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[pos + 8:pos + 12])[0]
        frames.append(data[pos + 16:pos + 16 + incl])
        pos += 16 + incl
    return linktype, frames, data


def test_two_sites_10k_each_way(two_sites):
    t = two_sites
    wd = t.gw_a.workdir
    # 1. the hosts reach each other (this also resolves ARP on every hop)
    wait_ping(t.ha, "10.99.2.2")
    wait_ping(t.hb, "10.99.1.2")

    # 2. capture the internet link from gw-a's namespace for the whole flow
    cap = os.path.join(wd, "internet.pcap")
    cap_log = open(os.path.join(wd, "tcpdump.log"), "w")
    tcpdump = t.ga.popen(["tcpdump", "-n", "-i", "a-out", "-s", "0", "-B", "65536", "-w", cap,
                          "-U"], stdout=cap_log, stderr=cap_log)
    deadline = time.monotonic() + 10
    while not (os.path.exists(cap) and os.path.getsize(cap) >= 24):
        assert tcpdump.poll() is None and time.monotonic() < deadline, \
            "tcpdump did not start: " + open(cap_log.name).read()
        time.sleep(0.05)
    time.sleep(0.3)

    # 3. 10,000 UDP packets each way, both directions at once
    stats0 = {"a": t.gw_a.stats(), "b": t.gw_b.stats()}
    flows = {"a>b": (t.ha, t.hb, "10.99.2.2", 5001, MARK_AB, 11),
             "b>a": (t.hb, t.ha, "10.99.1.2", 5002, MARK_BA, 22)}
    receivers = {}
    for name, (src, dst, ip, port, mark, seed) in flows.items():
        out = os.path.join(wd, "recv-%s.json" % name.replace(">", ""))
        ready = out + ".ready"
        log = open(out + ".log", "w")
        receivers[name] = (t.lab.popen(
            dst.cmd([PY, os.path.join(HELPERS, "udp_flow.py"), "recv", "--port", str(port),
                     "--count", str(COUNT), "--seed", str(seed), "--marker", mark,
                     "--timeout", "90", "--idle", "5", "--ready", ready, "--out", out]),
            stdout=log, stderr=log), out, log)
        deadline = time.monotonic() + 20
        while not os.path.exists(ready):
            assert receivers[name][0].poll() is None and time.monotonic() < deadline, \
                "receiver %s did not start: %s" % (name, open(out + ".log").read())
            time.sleep(0.05)
    senders = {}
    t0 = time.monotonic()
    for name, (src, dst, ip, port, mark, seed) in flows.items():
        log = open(os.path.join(wd, "send-%s.log" % name.replace(">", "")), "w")
        senders[name] = (t.lab.popen(
            src.cmd([PY, os.path.join(HELPERS, "udp_flow.py"), "send", "--dst", ip,
                     "--port", str(port), "--count", str(COUNT), "--seed", str(seed),
                     "--marker", mark, "--burst", "16", "--gap", "0.002"]),
            stdout=log, stderr=log), log)
    for name, (p, log) in senders.items():
        assert p.wait(timeout=120) == 0, "sender %s failed: %s" % (name, open(log.name).read())
    results = {}
    for name, (p, out, log) in receivers.items():
        p.wait(timeout=120)
        log.close()
        assert os.path.exists(out), "receiver %s wrote nothing: %s" % (
            name, open(out + ".log").read())
        with open(out) as f:
            results[name] = json.load(f)
    elapsed = time.monotonic() - t0
    moved = {"gw-a": changed(stats0["a"], t.gw_a.stats()),
             "gw-b": changed(stats0["b"], t.gw_b.stats())}
    ports = {"gw-a": t.gw_a.ctl("ports"), "gw-b": t.gw_b.ctl("ports")}
    print("flows: %s in %.1fs\ncounters moved: %s" % (json.dumps(results), elapsed, moved))

    # 4. stop the capture and read it
    time.sleep(0.5)
    Lab.stop(tcpdump, timeout=10)
    cap_log.close()
    tcpdump_said = open(cap_log.name).read()

    for name, r in results.items():
        assert r["ok"], "flow %s: %s\ncounters moved: %s\nports: %s" % (
            name, {k: r[k] for k in ("received", "missing", "missing_first", "corrupt",
                                      "duplicates", "wrong_size")}, moved, ports)

    linktype, frames, raw = read_pcap(cap)
    assert linktype == 1, "capture link type %d, expected Ethernet" % linktype
    m = re.search(r"(\d+) packets? dropped by kernel", tcpdump_said)
    assert m and m.group(1) == "0", "tcpdump lost packets, capture incomplete:\n" + tcpdump_said
    for mark in (MARK_AB, MARK_BA):
        assert mark.encode() not in raw, "plaintext %r seen on the internet link" % mark
    esp = {(b"\x0a\x63\x00\x01", b"\x0a\x63\x00\x02"): 0, (b"\x0a\x63\x00\x02",
                                                       b"\x0a\x63\x00\x01"): 0}
    clear = []
    for i, f in enumerate(frames):
        ethertype = f[12:14]
        if ethertype == b"\x08\x06":
            continue                      # ARP between the gateways
        if ethertype != b"\x08\x00" or f[23] != 50:
            clear.append((i, f[:64].hex()))
            continue
        esp[(f[26:30], f[30:34])] = esp.get((f[26:30], f[30:34]), 0) + 1
    assert not clear, "%d non-ESP frames on the internet link, first: %s" % (len(clear), clear[:5])
    assert len(esp) == 2, "ESP between unexpected endpoints: %s" % list(esp)
    assert min(esp.values()) >= COUNT, \
        "capture holds %s ESP packets per direction, expected >= %d each" % (
            list(esp.values()), COUNT)
