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
import time

import pytest
import yaml

import pcap
import tshark_esp
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


class Capture:
    """tcpdump on one interface of a namespace, into a pcap file."""

    def __init__(self, ns, iface, workdir):
        self.iface = iface
        self.path = os.path.join(workdir, "internet-%s.pcap" % iface)
        self.log = os.path.join(workdir, "tcpdump-%s.log" % iface)
        self.logf = open(self.log, "w")
        self.proc = ns.popen(["tcpdump", "-n", "-i", iface, "-s", "0", "-B", "65536", "-U",
                              "-w", self.path], stdout=self.logf, stderr=self.logf)
        deadline = time.monotonic() + 10
        while not (os.path.exists(self.path) and os.path.getsize(self.path) >= 24):
            assert self.proc.poll() is None and time.monotonic() < deadline, \
                "tcpdump did not start: " + open(self.log).read()
            time.sleep(0.05)
        time.sleep(0.2)   # the file header is written before the socket is bound

    def stop(self):
        # tcpdump may lag behind the kernel (2 busy cores): wait until the file
        # stops growing, or SIGTERM ends it with packets still in its ring
        last, deadline = -1, time.monotonic() + 30
        while time.monotonic() < deadline:
            size = os.path.getsize(self.path)
            if size == last:
                break
            last = size
            time.sleep(1)
        Lab.stop(self.proc, timeout=10)
        self.logf.close()
        with open(self.log) as f:
            self.said = f.read()
        m = re.search(r"(\d+) packets? captured\s+(\d+) packets? received by filter\s+"
                      r"(\d+) packets? dropped by kernel", self.said)
        assert m, "tcpdump said:\n" + self.said
        assert m.group(1) == m.group(2) and m.group(3) == "0", \
            "capture on %s incomplete:\n%s" % (self.iface, self.said)


def test_two_sites_10k_each_way(two_sites):
    t = two_sites
    wd = t.gw_a.workdir
    # 1. the hosts reach each other (this also resolves ARP on every hop)
    wait_ping(t.ha, "10.99.2.2")
    wait_ping(t.hb, "10.99.1.2")

    # 2. capture the internet link for the whole flow, at both ends: secgw-dp's
    # af_packet ports send with PACKET_QDISC_BYPASS, so a capture in a gateway's
    # namespace sees only what that gateway receives, never what it sends.
    caps = [Capture(t.ga, "a-out", wd), Capture(t.gb, "b-out", wd)]

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

    # 4. stop the captures
    time.sleep(0.5)
    for c in caps:
        c.stop()

    for name, r in results.items():
        assert r["ok"], "flow %s: %s\ncounters moved: %s\nports: %s" % (
            name, {k: r[k] for k in ("received", "missing", "missing_first", "corrupt",
                                      "duplicates", "wrong_size")}, moved, ports)

    esp = {}
    for c in caps:
        linktype, frames, raw = pcap.read(c.path)
        assert linktype == 1, "capture link type %d, expected Ethernet" % linktype
        for mark in (MARK_AB, MARK_BA):
            assert mark.encode() not in raw, "plaintext %r seen on the internet link" % mark
        clear = []
        for i, f in enumerate(frames):
            ethertype = f[12:14]
            if ethertype == b"\x08\x06":
                continue                      # ARP between the gateways
            if ethertype != b"\x08\x00" or f[23] != 50:
                clear.append((i, f[:64].hex()))
                continue
            key = "%s -> %s" % (".".join(map(str, f[26:30])), ".".join(map(str, f[30:34])))
            esp[key] = esp.get(key, 0) + 1
        assert not clear, "%d non-ESP frames on the internet link (%s), first: %s" % (
            len(clear), c.iface, clear[:5])
    print("ESP packets on the internet link: %s" % esp)
    assert sorted(esp) == ["10.99.0.1 -> 10.99.0.2", "10.99.0.2 -> 10.99.0.1"], \
        "ESP between unexpected endpoints: %s" % esp
    assert min(esp.values()) >= COUNT, \
        "capture holds %s ESP packets, expected >= %d each way" % (esp, COUNT)

    # 5. tshark, given site A's SAs (site B's mirror them), decrypts every ESP packet
    # of both captures with a good ICV, and finds nothing malformed
    with open(os.path.join(REPO, "configs", "demo", "site-a.yaml")) as f:
        cfg = yaml.load(f, Loader=yaml.BaseLoader)   # keys stay strings
    sas = [tshark_esp.EspSa(sa["src"], sa["dst"], int(sa["spi"], 0), sa["cipher"],
                            tshark_esp.hexkey(sa["key"])) for sa in cfg["sas"]]
    for c in caps:
        # the flows' payloads are test bytes, not whatever tshark guesses from the port
        _, verified = tshark_esp.check_decrypts(
            c.path, sas, wd, decode_as=["udp.port==5001,data", "udp.port==5002,data"])
        assert verified >= COUNT, "tshark verified %d ESP frames of %s" % (verified, c.path)
