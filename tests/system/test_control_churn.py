# SPDX-License-Identifier: BSD-3-Clause
"""SA and policy churn on a live gateway (issue 3, "Proof"): `secgwctl batch`
pipelines adds and deletes of a set Y of SAs and policies while set X, the
tunnel 10.99.1.0/24 <-> 10.99.2.0/24 keyed by hand as in test_control.py,
carries sequence-numbered traffic both ways.  Every packet of X must arrive
exactly once, in order, byte for byte (scapy decrypts at the receiver), and
the gateway must stay clean under ASan (the fixture checks its stderr).

Y: SAs with SPIs from 0x10000 and policies on 10.98.x.y/32 selectors no packet
uses, both bypass and protect kinds; each is added, then deleted LAG cycles
later, so about LAG cycles' worth stay installed while the churn runs.

Two CPUs run everything here (gateway main lcore and worker, senders,
sniffers, secgwctl), so the rates are modest and the ops/s floor conservative;
the achieved figures are printed (pytest -s shows them).
"""

import os
import struct
import subprocess
import threading
import time

from scapy.layers.inet import IP

import esp
from conftest import HELPERS, PY, Sniffer
from netns import Lab
from test_control import (CIPHER, KEY_IN, KEY_OUT, SPI_IN, SPI_OUT, ctl, ctl_gw,  # noqa: F401
                          key_tunnel, policies)
import pcap

Y_SPI = 0x10000
LAG = 32                # cycles between an object's add and its delete
CHURN_S = 10.5          # the issue asks for at least 10 s
MEASURE_S = 2.5         # each of the SA-heavy and policy-heavy measurements
# ops/s floors, about a third of what this 2-CPU machine achieves with the
# ASan build (release build in brackets): SA-heavy 1,900 (36,000),
# policy-heavy 1,900 (40,000), mixed 3,600 under traffic.  The edits of one
# server poll (up to 256 requests, SA deletes included) cost one ACL build.
FLOOR = {"sa": 600, "policy": 120, "mixed": 120}
FLOW_MARK = b"SECGW-CHURN"


# ------------------------------------------------------------------ set Y

def y_sa(spi, direction):
    src, dst = ("10.99.0.1", "10.99.0.2") if direction == "out" else ("10.99.0.2", "10.99.0.1")
    key = KEY_OUT if direction == "out" else KEY_IN
    return "sa add {spi: %#x, direction: %s, src: %s, dst: %s, cipher: %s, key: %s}" % (
        spi, direction, src, dst, CIPHER, key)


def y_pol(name, direction, k, action, spi=None):
    sel = "src: 10.98.%d.%d/32, dst: 10.98.%d.%d/32" % (
        (k >> 8) & 127, k & 255, 128 + ((k >> 8) & 127), k & 255)
    sa = ", sa: %#x" % spi if spi is not None else ""
    return "policy add {name: %s, direction: %s, %s, action: %s%s}" % (
        name, direction, sel, action, sa)


def y_cycle(k, mix):
    """(add lines, delete lines) of cycle k.  mixed: 2 SAs + 2 policies (half the
    operations are policy edits); sa: SAs only, one policy pair every 8th cycle;
    policy: 1 SA + 4 policies (3 of 4 operations are policy edits)."""
    o, i = Y_SPI + 2 * k, Y_SPI + 2 * k + 1
    adds, dels = [y_sa(o, "out"), y_sa(i, "in")], []
    pols = []
    if mix == "mixed" or (mix == "sa" and k % 8 == 0):
        pols = [("y%d-po" % k, "out", "protect", o), ("y%d-bi" % k, "in", "bypass", None)]
    elif mix == "policy":
        adds = adds[:1]
        pols = [("y%d-po" % k, "out", "protect", o), ("y%d-bi" % k, "in", "bypass", None),
                ("y%d-bo" % k, "out", "bypass", None), ("y%d-di" % k, "in", "discard", None)]
    adds += [y_pol(name, d, k, a, spi) for name, d, a, spi in pols]
    dels = ["policy del %s" % p[0] for p in pols]
    dels += ["sa del %#x out" % o] + (["sa del %#x in" % i] if mix != "policy" else [])
    return adds, dels


def y_stream(mix):
    """Endless command lines: cycle k's adds, then cycle k - LAG's deletes."""
    k = 0
    pending = []
    while True:
        adds, dels = y_cycle(k, mix)
        pending.append(dels)
        yield from adds
        if len(pending) > LAG:
            yield from pending.pop(0)
        k += 1
        y_stream.left = pending  # the deletes still owed when the stream stops


class Feeder(threading.Thread):
    """Writes a y_stream to a process's stdin for `duration` seconds, then the
    deletes still owed, then closes it.  A killed reader just ends the feed."""

    def __init__(self, proc, mix, duration, finish=True):
        super().__init__(daemon=True)
        self.proc, self.mix, self.duration, self.finish = proc, mix, duration, finish
        self.lines = 0
        self.broken = False

    def run(self):
        gen = y_stream(self.mix)
        end = time.monotonic() + self.duration
        try:
            while time.monotonic() < end:
                chunk = [next(gen) for _ in range(400)]
                self.proc.stdin.write(("\n".join(chunk) + "\n").encode())
                self.lines += len(chunk)
            if self.finish:
                tail = [line for dels in y_stream.left for line in dels]
                self.proc.stdin.write(("# the deletes still owed\n\n" + "\n".join(tail) +
                                       "\n").encode())
                self.lines += len(tail)
            self.proc.stdin.close()
        except (BrokenPipeError, ValueError, OSError):
            self.broken = True


def start_batch(t, window, name):
    out = open(os.path.join(t.workdir, name + ".out"), "w")
    err = open(os.path.join(t.workdir, name + ".err"), "w")
    p = subprocess.Popen([t.gw.build.ctl, "-p", t.gw.prefix, "batch", "--window", str(window),
                          "--stats"], stdin=subprocess.PIPE, stdout=out, stderr=err)
    p.files = (out, err, out.name, err.name)
    return p


def finish_batch(p, timeout=30):
    p.wait(timeout=timeout)
    p.files[0].close()
    p.files[1].close()
    with open(p.files[2]) as f:
        out = f.read()
    with open(p.files[3]) as f:
        err = f.read()
    stats = {}
    for line in out.splitlines():
        k, _, v = line.partition(" ")
        stats[k] = float(v)
    return p.returncode, stats, err


def run_batch(t, mix, duration, window=256, name=None):
    p = start_batch(t, window, name or "batch_" + mix)
    feeder = Feeder(p, mix, duration)
    feeder.start()
    feeder.join(duration + 30)
    rc, stats, err = finish_batch(p)
    assert rc == 0 and err == "", "batch (%s): exit %d, stderr %s\n%s" % (
        mix, rc, err[:2000], t.gw.logs(30))
    assert stats["commands"] == feeder.lines and stats["ok"] == feeder.lines, (stats, feeder.lines)
    return stats


def show(label, s):
    print("\n%s: %d commands in %.2f s = %.0f ops/s; latency median %.0f us, p99 %.0f us"
          % (label, s["commands"], s["elapsed_s"], s["ops_per_s"], s["latency_median_us"],
             s["latency_p99_us"]))


# ------------------------------------------------------------------ set X traffic

def flow_ip(i, src, dst, sport, dport):
    """IPv4/UDP with a sequence-tagged payload of varying length (UDP checksum 0)."""
    payload = FLOW_MARK + struct.pack("!I", i) + bytes((i + j) & 0xFF for j in range(40 + i % 97))
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    hdr = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i & 0xFFFF, 0, 64, 17,
                                0, bytes(map(int, src.split("."))),
                                bytes(map(int, dst.split(".")))))
    hdr[10:12] = struct.pack("!H", esp.ip_checksum(bytes(hdr)))
    return bytes(hdr) + udp


def eth(dst, src):
    return bytes.fromhex(dst.replace(":", "") + src.replace(":", "")) + b"\x08\x00"


class Traffic:
    """X both ways at a steady pace: n_out packets host -> 10.99.2.7 (ESP at the
    peer, decrypted with scapy), n_in ESP packets scapy -> host (encrypted with
    scapy, plain at the host).  burst/gap as send.py takes them."""

    def __init__(self, t, name, n_out, out_pace, n_in, in_pace):
        self.t, self.name = t, name
        self.out_ip = [flow_ip(i, "10.99.1.2", "10.99.2.7", 41000, 7000) for i in range(n_out)]
        self.in_ip = [flow_ip(i, "10.99.2.5", "10.99.1.2", 42000, 6000) for i in range(n_in)]
        sa_in = esp.make_sa(SPI_IN, CIPHER, KEY_IN, "10.99.0.2", "10.99.0.1")
        seq0 = t.gw.sa_list().get(SPI_IN, {}).get("packets", 0)
        self.out_pcap = os.path.join(t.workdir, name + "_out.pcap")
        self.in_pcap = os.path.join(t.workdir, name + "_in.pcap")
        pcap.write(self.out_pcap, [eth(t.mac_gw_in, t.mac_host) + p for p in self.out_ip])
        pcap.write(self.in_pcap, [eth(t.mac_gw_out, t.mac_peer) +
                                  esp.encrypt(sa_in, IP(p), seq0 + 1 + i)
                                  for i, p in enumerate(self.in_ip)])
        self.out_pace, self.in_pace = out_pace, in_pace
        self.esp_seq0 = t.gw.sa_list().get(SPI_OUT, {}).get("packets", 0)

    def _sender(self, ns, iface, path, pace):
        return ns.popen([PY, os.path.join(HELPERS, "send.py"), "--iface", iface, "--pcap", path,
                         "--burst", str(pace[0]), "--gap", str(pace[1])],
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def start(self):
        t = self.t
        self.before = t.gw.stats()
        self.sn_out = Sniffer(t.peer, "p0", t.workdir, self.name + "_rx_out", ipproto=50,
                              count=len(self.out_ip), timeout=60).__enter__()
        self.sn_in = Sniffer(t.host, "h0", t.workdir, self.name + "_rx_in", ethertype=0x0800,
                             count=len(self.in_ip), timeout=60).__enter__()
        self.senders = [self._sender(t.host, "h0", self.out_pcap, self.out_pace),
                        self._sender(t.peer, "p0", self.in_pcap, self.in_pace)]
        self.t0 = time.monotonic()

    def running(self):
        return all(s.poll() is None for s in self.senders)

    def finish(self):
        for s in self.senders:
            out, _ = s.communicate(timeout=90)
            assert s.returncode == 0, out
        self.duration = time.monotonic() - self.t0
        self.got_out = self.sn_out.wait(timeout=20)
        self.got_in = self.sn_in.wait(timeout=20)
        from conftest import changed
        self.moved = changed(self.before, self.t.gw.stats())

    def check(self):
        """Every packet exactly once, in order, byte for byte, both ways."""
        moved = self.moved
        sa = esp.make_sa(SPI_OUT, CIPHER, KEY_OUT, "10.99.0.1", "10.99.0.2")
        for k, frame in enumerate(self.got_out):
            outer = esp.ip_len(frame[14:])
            spi, seq, _ = esp.esp_fields(outer)
            assert (spi, seq) == (SPI_OUT, self.esp_seq0 + k + 1), \
                "outbound frame %d: SPI %#x seq %d; counters moved: %s" % (k, spi, seq, moved)
            inner = esp.decrypt(sa, outer)
            assert inner == esp.forwarded(self.out_ip[k]), \
                "outbound frame %d is not flow packet %d (lost, reordered or changed)\n" \
                " got  %s\n want %s\ncounters moved: %s" % (
                    k, k, inner.hex(), esp.forwarded(self.out_ip[k]).hex(), moved)
        assert len(self.got_out) == len(self.out_ip), \
            "peer received %d of %d outbound packets; counters moved: %s" % (
                len(self.got_out), len(self.out_ip), moved)
        for k, frame in enumerate(self.got_in):
            got = esp.ip_len(frame[14:])
            assert got == esp.forwarded(self.in_ip[k]), \
                "inbound packet %d at the host is not flow packet %d\n got  %s\n want %s\n" \
                "counters moved: %s" % (k, k, got.hex(), esp.forwarded(self.in_ip[k]).hex(),
                                        moved)
        assert len(self.got_in) == len(self.in_ip), \
            "host received %d of %d inbound packets; counters moved: %s" % (
                len(self.got_in), len(self.in_ip), moved)
        drops = {k: v for k, v in moved.items() if k.startswith("drop") or k == "tx_drop"}
        assert not drops, moved
        print("\nX traffic: %d packets out (%.0f pps), %d in, over %.1f s, all delivered"
              % (len(self.out_ip), len(self.out_ip) / self.duration, len(self.in_ip),
                 self.duration))

    def abort(self):
        for s in getattr(self, "senders", []):
            Lab.stop(s)
        for sn in (getattr(self, "sn_out", None), getattr(self, "sn_in", None)):
            if sn is not None and sn.proc.poll() is None:
                sn.stop()


def x_installed(t):
    sas = t.gw.sa_list()
    pols = policies(t)
    assert {SPI_OUT, SPI_IN} <= set(sas), sas
    assert {"ctl-out", "ctl-in"} <= set(pols), pols
    return sas, pols


# ------------------------------------------------------------------ a) churn under traffic

def test_churn_under_traffic(ctl_gw):
    t = ctl_gw
    key_tunnel(t)
    # about 3,000 packets/s out for 16 s (send.py's pacing undershoots), 100/s in
    # (scapy encrypts each one beforehand, at about 1 ms a packet): longer than
    # the churn, which ends when the commands queued in the pipe are done
    tr = Traffic(t, "churn", n_out=48000, out_pace=(16, 0.005), n_in=1600, in_pace=(1, 0.01))
    try:
        tr.start()
        time.sleep(0.5)
        stats = run_batch(t, "mixed", CHURN_S, name="churn")
        assert tr.running(), "X traffic ended before the churn did: make it longer"
        tr.finish()
    except BaseException:
        tr.abort()
        raise
    show("churn under traffic (mixed: half the operations policy edits), window 256", stats)
    assert stats["elapsed_s"] >= 10, stats
    # Y is gone again, X untouched
    sas, pols = x_installed(t)
    assert set(sas) == {SPI_OUT, SPI_IN} and set(pols) == {"ctl-out", "ctl-in"}, (sas, pols)
    tr.check()

    # the two ends of the mix, without traffic
    sa_heavy = run_batch(t, "sa", MEASURE_S)
    show("SA-heavy mix (1 in 9 operations a policy edit), window 256", sa_heavy)
    pol_heavy = run_batch(t, "policy", MEASURE_S)
    show("policy-heavy mix (4 in 5 operations policy edits), window 256", pol_heavy)
    for mix, s in (("mixed", stats), ("sa", sa_heavy), ("policy", pol_heavy)):
        assert s["ops_per_s"] >= FLOOR[mix], "%s mix: %.0f ops/s, below the floor of %d" % (
            mix, s["ops_per_s"], FLOOR[mix])
    assert t.gw.alive()


# ------------------------------------------------------------------ b) kill -9 of the control process

def test_kill_control_under_traffic(ctl_gw):
    t = ctl_gw
    key_tunnel(t)
    tr = Traffic(t, "kill", n_out=12000, out_pace=(16, 0.005), n_in=400, in_pace=(1, 0.01))
    p = start_batch(t, 256, "killed")
    feeder = Feeder(p, "mixed", 60, finish=False)
    try:
        tr.start()
        feeder.start()
        time.sleep(1.5)
        assert p.poll() is None, "batch ended early: %s" % open(p.files[3]).read()
        p.kill()  # SIGKILL, mid-stream: requests in flight, lines unread
        rc, _, _ = finish_batch(p)
        feeder.join(10)
        assert rc == -9 and feeder.broken and feeder.lines > 400, (rc, feeder.lines)
        killed_while_running = tr.running()
        tr.finish()
    except BaseException:
        tr.abort()
        if p.poll() is None:
            p.kill()
        raise
    assert killed_while_running, "X traffic ended before the kill: make it longer"

    # a new control process sees X, and of Y only what it had sent
    sas, pols = x_installed(t)
    y_sas = set(sas) - {SPI_OUT, SPI_IN}
    y_pols = set(pols) - {"ctl-out", "ctl-in"}
    assert all(Y_SPI <= s < Y_SPI + 2 * feeder.lines for s in y_sas), sorted(y_sas)[:20]
    assert all(n.startswith("y") for n in y_pols), sorted(y_pols)[:20]
    for n in y_pols:  # and consistent: a protect policy's SA is there
        assert pols[n]["action"] != "protect" or pols[n]["sa"] in sas, (n, pols[n])
    rc, out, err = ctl(t, "sa", "list")
    assert rc == 0 and "0x00003001" in out and "0x00004001" in out, (rc, out, err)
    rc, out, err = ctl(t, "policy", "list")
    assert rc == 0 and "ctl-out" in out and "ctl-in" in out, (rc, out, err)
    print("\nkilled after %d lines fed; %d Y SAs and %d Y policies were installed"
          % (feeder.lines, len(y_sas), len(y_pols)))

    # ... and can remove them: the state it listed is the state there is
    lines = ["policy del %s" % n for n in sorted(y_pols)]
    lines += ["sa del %#x %s" % (s, "out" if s % 2 == 0 else "in")
              for s in sorted(y_sas)]
    p = start_batch(t, 64, "cleanup")
    p.stdin.write(("\n".join(lines) + "\n").encode())
    p.stdin.close()
    rc, stats, err = finish_batch(p)
    assert rc == 0 and err == "" and stats["ok"] == len(lines), (rc, stats, err)
    sas, pols = x_installed(t)
    assert set(sas) == {SPI_OUT, SPI_IN} and set(pols) == {"ctl-out", "ctl-in"}, (sas, pols)
    tr.check()
    assert t.gw.alive()


# ------------------------------------------------------------------ c) batch errors

def test_batch_errors(ctl_gw):
    """Refused lines are reported by number and make the exit status 1; the rest
    still happen, in order."""
    t = ctl_gw
    lines = [
        "# key the tunnel, with mistakes on the way",
        "",
        "sa add " + y_sa(0x3001, "out")[7:],
        "sa add {spi: 0x3005, direction: out, cipher: aes-128-gcm, key: 0x00}",
        "sa add " + y_sa(0x4001, "in")[7:],
        "   policy add {name: ctl-out, direction: out, src: 10.99.1.0/24, "
        "dst: 10.99.2.0/24, action: protect, sa: 0x3001}   ",
        "policy add {name: ctl-out, direction: out, src: 10.99.1.0/24, "
        "dst: 10.99.2.0/24, action: protect, sa: 0x3001}",
        "sa del 0x3999 out",
        "sa del 0x3001 sideways",
        "policy frobnicate x",
        "policy del",
        "sa add " + y_sa(0x10000, "out")[7:],
        "sa del 0x10000 out",
        "policy add {name: ctl-in, direction: in, src: 10.99.2.0/24, dst: 10.99.1.0/24, "
        "action: protect, sa: 0x4001}",   # the last line has no newline
    ]
    p = start_batch(t, 4, "errors")
    p.stdin.write("\n".join(lines).encode())
    p.stdin.close()
    rc, stats, err = finish_batch(p)
    want = {4: "sa:1:1: src: missing required field", 7: "policy ctl-out already exists", 8: "no outbound SA with SPI 0x00003999",
            9: "expected direction in or out, got 'sideways'", 10: "unknown command",
            11: "expected"}
    # parse errors print at once, refusals when their reply comes
    got = sorted(err.splitlines(), key=lambda e: int(e.split(":")[0].split()[-1]))
    assert rc == 1 and len(got) == len(want), (rc, err)
    for line, (n, text) in zip(got, sorted(want.items())):
        assert line.startswith("line %d: " % n) and text in line, (line, n, text)
    assert stats["commands"] == 12 and stats["ok"] == 6 and stats["failed"] == 6, stats
    sas, pols = x_installed(t)
    assert set(sas) == {SPI_OUT, SPI_IN} and set(pols) == {"ctl-out", "ctl-in"}, (sas, pols)


def test_batch_sa_delete_order(ctl_gw):
    """SA deletes wait in a batch for its SPD commit (the published generation
    may still use the SA); every request must still see the ones sent before
    it, as if each were done on arrival."""
    t = ctl_gw
    spi = 0x5001
    lines = [
        y_sa(spi, "out"),
        y_pol("z1", "out", 1, "protect", spi),
        "sa del %#x out" % spi,           # 3: z1, added just before, uses it
        "policy del z1",
        "sa del %#x out" % spi,           # z1 gone: done after the commit
        y_pol("z2", "out", 2, "protect", spi),  # 6: the SA is deleted before it
        y_sa(spi, "out"),                 # the SPI is free again
        "sa del %#x out" % spi,
        y_sa(spi, "out"),                 # right after a delete still waiting
        "sa del %#x out" % spi,
        "sa del %#x out" % spi,           # 11: deleted by the line before
    ]
    p = start_batch(t, 256, "sa_delete_order")
    p.stdin.write(("\n".join(lines) + "\n").encode())
    p.stdin.close()
    rc, stats, err = finish_batch(p)
    want = {3: "SA 0x00005001 is used by policy z1", 6: "no outbound SA with SPI 0x00005001",
            11: "no outbound SA with SPI 0x00005001"}
    got = sorted(err.splitlines(), key=lambda e: int(e.split(":")[0].split()[-1]))
    assert rc == 1 and len(got) == len(want), (rc, err)
    for line, (n, text) in zip(got, sorted(want.items())):
        assert line.startswith("line %d: " % n) and text in line, (line, n, text)
    assert stats["ok"] == 8 and stats["failed"] == 3, stats
    sas, pols = t.gw.sa_list(), policies(t)
    assert spi not in sas and not {"z1", "z2"} & set(pols), (sas, pols)
