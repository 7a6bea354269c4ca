#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Outbound (encrypt) throughput of secgw-dp against the raw crypto ceiling.

Run through perf/bench-outbound.sh, which builds the project first; see perf/README.md.

Topology (2 CPUs, no NIC):

  CPU 0: dpdk-testpmd "generator+sink"           CPU 1: secgw-dp worker (busy-polls)
    port 0 net_pcap  infinite_rx (source)
      | io fwd                          memif
    port 1 net_memif client ---- in.sock ----> inside  (protected)   --+
                                                                      | SPD -> ESP tunnel
    port 2 net_memif client <--- out.sock ---- outside (unprotected) <-+  AES-128-GCM
      | io fwd
    port 0 net_pcap  tx drop (sink)

Why not testpmd --forward-mode=txonly: every forwarding engine runs on every
forwarding port, so a txonly (or flowgen) testpmd with a generator port and a
sink port also transmits on the sink port, into the gateway's unprotected side.
Splitting generator and sink into two testpmd processes on CPU 0 makes two busy
pollers time-share one CPU: measured here with a testpmd io forwarder as the
gateway, 0.6-0.9 Mpps reached the sink (half of what the forwarder took in was
dropped while the sink was descheduled) against 5-9 Mpps with one process.
So one testpmd on CPU 0 forwards in `io` mode over a chained port list
[pcap, memif-in, memif-out]: the pcap port replays a generated frame file forever
into memif-in (the only port that transmits towards the gateway), frames arriving
on memif-out go to the pcap port, which drops them on transmit.  The third stream
(memif-in -> memif-out) only carries what the gateway sends back to the
generator, i.e. nothing.

Cycles per packet: the worker runs with idle_sleep_us: 0 (it busy-polls), so
all of CPU 1 belongs to the forwarded packets: cycles/packet = TSC Hz * (share of
CPU 1 the worker thread got, from /proc) / packets per second at the sink.
"""

import argparse
import datetime
import json
import os
import re
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

RUN_DIR = "/run/secgw-perf"
IN_SOCK = RUN_DIR + "/in.sock"
OUT_SOCK = RUN_DIR + "/out.sock"
DPDK_RUNTIME = "/var/run/dpdk"
HUGEPAGE_DIR = "/dev/hugepages"

GW_PREFIX = "secgw-perf"
STANDIN_PREFIX = "secgw-perf-standin"
GEN_PREFIX = "secgw-perf-gen"
CPERF_PREFIX = "secgw-cperf"
OUR_PREFIXES = (GW_PREFIX, STANDIN_PREFIX, GEN_PREFIX, CPERF_PREFIX)

GW_IN_MAC = "02:00:00:00:01:00"
GW_OUT_MAC = "02:00:00:00:02:00"
GEN_MAC = "02:00:00:00:00:01"
SINK_MAC = "02:00:00:00:00:02"

# Benchmark addresses: 198.18.0.0/15 only (RFC 2544).
GEN_SRC = "198.18.1.2"        # site A host (generator)
GEN_DST = "198.18.2.2"        # site B host, behind the tunnel
GW_INSIDE = "198.18.1.1/24"
GW_OUTSIDE = "198.19.0.1/24"
NEXT_HOP = "198.19.0.2"       # the sink, a static neighbor (testpmd does not answer ARP)
TUN_SRC = "198.19.0.1"
TUN_DST = "198.19.1.1"        # the peer gateway, routed via NEXT_HOP
SPI = 0x1001
KEY = "0x000102030405060708090a0b0c0d0e0f10111213"  # benchmark key: 16 bytes + 4 salt
MTU = 1500
FLOWS = 64                    # distinct UDP source ports in the frame file

# testpmd ports of the generator process
GEN_PORT_PCAP, GEN_PORT_IN, GEN_PORT_OUT = 0, 1, 2

T0 = time.monotonic()


class BenchError(Exception):
    pass


class Interrupted(Exception):
    pass


def log(msg):
    print("[%5.1fs] %s" % (time.monotonic() - T0, msg), flush=True)


def warn(msg):
    print("[%5.1fs] WARNING: %s" % (time.monotonic() - T0, msg), flush=True)


# ---- telemetry ------------------------------------------------------------------

def telemetry(prefix, cmd, timeout=5.0):
    """One DPDK telemetry v2 query; returns the inner value of the reply."""
    path = os.path.join(DPDK_RUNTIME, prefix, "dpdk_telemetry.v2")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(timeout)
    try:
        s.connect(path)
        hello = json.loads(s.recv(4096).decode())
        s.send(cmd.encode())
        reply = json.loads(s.recv(int(hello.get("max_output_len", 16384))).decode())
    finally:
        s.close()
    if not isinstance(reply, dict) or cmd.split(",")[0] not in reply:
        raise BenchError("telemetry %s: unexpected reply %r" % (cmd, reply))
    return reply[cmd.split(",")[0]]


def telemetry_alive(prefix):
    try:
        telemetry(prefix, "/info", timeout=1.0)
        return True
    except (OSError, ValueError, BenchError):
        return False


def port_stats(prefix, port):
    st = telemetry(prefix, "/ethdev/stats,%d" % port)
    if not isinstance(st, dict) or "ipackets" not in st:
        raise BenchError("%s: no stats for port %d" % (prefix, port))
    return st


def link_up(prefix, port):
    st = telemetry(prefix, "/ethdev/link_status,%d" % port)
    return isinstance(st, dict) and st.get("status") == "UP"


# ---- /proc helpers --------------------------------------------------------------

HUGEPAGES_NEEDED = 128  # 2 MB pages: gateway + generator used about 100 at once


def hugepages_free():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("HugePages_Free:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_times():
    """Per-CPU (busy, total) jiffies from /proc/stat."""
    out = {}
    with open("/proc/stat") as f:
        for line in f:
            m = re.match(r"cpu(\d+)\s+(.*)", line)
            if m:
                v = [int(x) for x in m.group(2).split()]
                idle = v[3] + (v[4] if len(v) > 4 else 0)
                out[int(m.group(1))] = (sum(v[:8]) - idle, sum(v[:8]))
    return out


def busy_pct(a, b):
    return {cpu: 100.0 * (b[cpu][0] - a[cpu][0]) / max(1, b[cpu][1] - a[cpu][1])
            for cpu in sorted(b) if cpu in a}


def find_thread(pid, names):
    """The tid of the thread of process pid whose comm is one of names, or None."""
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                if f.read().strip() in names:
                    return int(tid)
    except OSError:
        pass
    return None


def thread_cpu_ticks(pid, tid):
    """utime + stime of a thread, in clock ticks, or None."""
    try:
        with open("/proc/%d/task/%d/stat" % (pid, tid)) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return None


# ---- process management ---------------------------------------------------------

def launcher(cpus, nice):
    """argv prefix: nice level, CPU affinity of the whole process, line-buffered stdout.

    The affinity matters for DPDK's control threads (interrupt thread, multi-process
    and telemetry threads): EAL puts them on the process's CPUs that no lcore uses,
    so a testpmd with all its lcores on CPU 0 would run them on CPU 1, next to the
    gateway worker, unless the process itself is restricted to CPU 0.
    """
    return ["nice", "-n", str(nice), "taskset", "-c", cpus, "stdbuf", "-oL"]


def set_autogroup_nice(pid, nice):
    """With CONFIG_SCHED_AUTOGROUP each session is a scheduling group and a process's
    nice value only ranks it inside its group; the group's own nice (here a group of
    one child, started with setsid) is what counts against other sessions' jobs."""
    try:
        with open("/proc/%d/autogroup" % pid, "w") as f:
            f.write(str(nice))
    except OSError:
        pass  # no autogroup support: the plain nice level applies


class Proc:
    """A child in its own session (Ctrl-C reaches only us); stdout+stderr to a log."""

    def __init__(self, name, argv, logdir, stdin_pipe=False, nice=0):
        self.name = name
        self.argv = argv
        self.log_path = os.path.join(logdir, name + ".log")
        self.logf = open(self.log_path, "wb")
        self.p = subprocess.Popen(argv, stdout=self.logf, stderr=subprocess.STDOUT,
                                  stdin=subprocess.PIPE if stdin_pipe else subprocess.DEVNULL,
                                  start_new_session=True)
        self.pid = self.p.pid
        if nice:
            set_autogroup_nice(self.pid, nice)

    def alive(self):
        return self.p.poll() is None

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def tail(self, n=15):
        return "\n".join("    | " + line for line in self.log_text().splitlines()[-n:])

    def wait_for(self, what, pred, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if pred():
                    return
            except (OSError, ValueError, BenchError):
                pass  # e.g. the telemetry socket is not there yet
            if not self.alive():
                raise BenchError("%s exited (status %s) before %s; its log %s ends:\n%s" %
                                 (self.name, self.p.returncode, what, self.log_path, self.tail()))
            time.sleep(0.1)
        raise BenchError("%s: no %s after %.0f s; its log %s ends:\n%s" %
                         (self.name, what, timeout, self.log_path, self.tail()))

    def stop(self, timeout=10.0):
        """Ask politely (close stdin, SIGINT), then SIGKILL.  Only our own pid."""
        if self.alive():
            try:
                if self.p.stdin:
                    self.p.stdin.close()
            except OSError:
                pass
            try:
                self.p.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                pass
        if self.alive():
            self.p.send_signal(signal.SIGINT)
            try:
                self.p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                warn("%s (pid %d) ignored SIGINT; killing it" % (self.name, self.pid))
                self.p.kill()
                self.p.wait()
        self.logf.close()


# ---- inputs ---------------------------------------------------------------------

def ip_bytes(a):
    return bytes(int(x) for x in a.split("."))


def mac_bytes(m):
    return bytes(int(x, 16) for x in m.split(":"))


def csum16(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def ip4_header(ip_len, ident, proto, src, dst):
    """An IPv4 header (no options, TTL 64) with its checksum; src, dst dotted quads."""
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, ip_len, ident, 0, 64, proto, 0,
                               ip_bytes(src), ip_bytes(dst)))
    ip[10:12] = struct.pack("!H", csum16(bytes(ip)))
    return bytes(ip)


def udp_packet(ip_len, ident, src, dst, sport, dport=9):
    """An IPv4/UDP packet of ip_len bytes (UDP checksum 0), payload a byte ramp."""
    udp_len = ip_len - 20
    payload = (bytes(range(256)) * (udp_len // 256 + 1))[:udp_len - 8]
    return ip4_header(ip_len, ident, 17, src, dst) + struct.pack("!HHHH", sport, dport, udp_len, 0) + payload


def write_pcap_frames(path, frames):
    """A pcap file (Ethernet link type) of the given frames, in order."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, frame in enumerate(frames):
            f.write(struct.pack("<IIII", 0, i, len(frame), len(frame)))
            f.write(frame)


def write_pcap(path, frame_len):
    """FLOWS Ethernet/IPv4/UDP frames of frame_len bytes (no FCS), GEN_SRC -> GEN_DST."""
    eth = mac_bytes(GW_IN_MAC) + mac_bytes(GEN_MAC) + b"\x08\x00"
    frames = [eth + udp_packet(frame_len - 14, i, GEN_SRC, GEN_DST, 1024 + i) for i in range(FLOWS)]
    assert all(len(f) == frame_len for f in frames)
    write_pcap_frames(path, frames)


def esp_frame_len(frame_len):
    """Frame length after ESP tunnel mode with AES-GCM (8-byte IV, 16-byte ICV)."""
    inner = frame_len - 14
    padded = (inner + 2 + 3) // 4 * 4
    return 14 + 20 + 8 + 8 + padded + 16


def write_config(path):
    memif = "role=server,socket=%s,socket-abstract=no"
    text = f"""# Generated by perf/bench-outbound.sh: one outbound AES-128-GCM tunnel SA.
dataplane:
  file_prefix: {GW_PREFIX}
  main_lcore: 0
  workers: [1]
  cpus: {{main: 0, workers: [1]}}
  hugepages: true
  mbufs: 16384
  burst: 32
  idle_polls: 256
  idle_sleep_us: 0      # busy-poll: all of CPU 1 is spent on the forwarded packets

crypto:
  driver: aesni_mb

ports:
  - name: inside
    devargs: net_memif0,{memif % IN_SOCK},mac={GW_IN_MAC}
    role: protected
    address: {GW_INSIDE}
  - name: outside
    devargs: net_memif1,{memif % OUT_SOCK},mac={GW_OUT_MAC}
    role: unprotected
    address: {GW_OUTSIDE}
    mtu: {MTU}
    neighbors: [{{ip: {NEXT_HOP}, mac: "{SINK_MAC}"}}]

routes:
  - dst: 198.19.1.0/24      # the peer gateway {TUN_DST}
    via: {NEXT_HOP}
    port: outside
  - dst: 198.18.2.0/24      # site B, behind the tunnel
    via: {NEXT_HOP}
    port: outside

policies:
  - name: bench-out
    direction: out
    src: 198.18.1.0/24
    dst: 198.18.2.0/24
    proto: any
    action: protect
    sa: {SPI:#x}
    priority: 10

sas:
  - name: bench-out
    spi: {SPI:#x}
    direction: out
    mode: tunnel
    src: {TUN_SRC}
    dst: {TUN_DST}
    cipher: aes-128-gcm
    key: {KEY}
    replay_window: 0
"""
    with open(path, "w") as f:
        f.write(text)


# ---- crypto ceiling ---------------------------------------------------------------

CPERF_ROW = re.compile(r"^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)"
                       r"\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$")


def crypto_ceiling(sizes, logdir, tag, procs, nice):
    argv = launcher("0,1", nice) + ["dpdk-test-crypto-perf", "-l", "0,1", "--no-pci", "--vdev", "crypto_aesni_mb0",
            "--file-prefix", CPERF_PREFIX, "--huge-unlink", "--",
            "--ptest", "throughput", "--devtype", "crypto_aesni_mb", "--optype", "aead",
            "--aead-algo", "aes-gcm", "--aead-op", "encrypt", "--aead-key-sz", "16",
            "--aead-iv-sz", "12", "--digest-sz", "16", "--total-ops", "5000000",
            "--burst-sz", "32", "--buffer-sz", ",".join(str(s) for s in sizes), "--silent"]
    p = Proc("crypto-perf-" + tag, argv, logdir, nice=nice)
    procs.append(p)
    try:
        p.p.wait(timeout=120)
    except subprocess.TimeoutExpired:
        raise BenchError("dpdk-test-crypto-perf did not finish in 120 s (log %s)" % p.log_path)
    finally:
        p.stop()
        procs.remove(p)
    if p.p.returncode != 0:
        raise BenchError("dpdk-test-crypto-perf failed (status %d); its log %s ends:\n%s" %
                         (p.p.returncode, p.log_path, p.tail()))
    out = {}
    for line in p.log_text().splitlines():
        m = CPERF_ROW.match(line)
        if m:
            v = m.groups()
            out[int(v[1])] = {"lcore": int(v[0]), "burst": int(v[2]), "enqueued": int(v[3]),
                              "dequeued": int(v[4]), "mops": float(v[7]), "gbps": float(v[8]),
                              "cycles_per_op": float(v[9])}
    missing = [s for s in sizes if s not in out]
    if missing:
        raise BenchError("could not parse dpdk-test-crypto-perf results for %s (log %s)" %
                         (missing, p.log_path))
    return out


# ---- the device under test ------------------------------------------------------------

class Gateway:
    """secgw-dp, or a testpmd io forwarder standing in for it (--standin)."""

    def __init__(self, args, logdir, procs, standin, config_writer=write_config, ready_timeout=60):
        """config_writer(path) writes secgw-dp's config (default: the one outbound SA)."""
        self.standin = standin
        self.prefix = STANDIN_PREFIX if standin else GW_PREFIX
        self.secgwctl = os.path.join(args.build_dir, "control", "secgwctl")
        if standin:
            argv = launcher("0,1", args.nice) + ["dpdk-testpmd", "--lcores", "0@0,1@1", "--main-lcore", "0", "--no-pci",
                    "--file-prefix", STANDIN_PREFIX, "--huge-unlink",
                    "--vdev", "net_memif0,role=server,socket=%s,socket-abstract=no,mac=%s" %
                    (IN_SOCK, GW_IN_MAC),
                    "--vdev", "net_memif1,role=server,socket=%s,socket-abstract=no,mac=%s" %
                    (OUT_SOCK, GW_OUT_MAC),
                    "--", "--forward-mode=io", "--port-topology=paired", "--nb-cores=1",
                    "--total-num-mbufs=16384", "--burst=32"]
            self.proc = Proc("standin", argv, logdir, stdin_pipe=True, nice=args.nice)
            procs.append(self.proc)
            self.proc.wait_for("telemetry", lambda: port_stats(STANDIN_PREFIX, 1) is not None, 30)
        else:
            dp = os.path.join(args.build_dir, "dataplane", "secgw-dp")
            cfg = os.path.join(logdir, "gateway.yaml")
            config_writer(cfg)
            chk = subprocess.run([dp, "-c", cfg, "--check"], capture_output=True, text=True)
            if chk.returncode != 0:
                raise BenchError("secgw-dp rejects the generated config:\n%s" % chk.stderr.strip())
            self.proc = Proc("secgw-dp", launcher("0,1", args.nice) +
                             [dp, "-c", cfg, "--", "--huge-unlink"], logdir, nice=args.nice)
            procs.append(self.proc)
            self.proc.wait_for("'secgw-dp: ready'", lambda: "secgw-dp: ready" in self.proc.log_text(),
                               ready_timeout)
        self.worker_tid = None

    def worker_thread(self):
        if self.worker_tid is None:
            self.worker_tid = find_thread(self.proc.pid, ("rte-worker-1", "lcore-worker-1"))
        return self.worker_tid

    def counters(self):
        """Counters of the DUT, flattened to one dict."""
        if self.standin:
            a, b = port_stats(self.prefix, 0), port_stats(self.prefix, 1)
            return {"rx_packets": a["ipackets"], "tx_packets": b["opackets"],
                    "tx_drop": b["oerrors"], "rx_missed": a["imissed"]}
        r = subprocess.run([self.secgwctl, "-p", self.prefix, "--json", "stats"],
                           capture_output=True, text=True, timeout=10)
        if r.returncode != 0:
            raise BenchError("secgwctl stats failed: %s" % r.stderr.strip())
        return json.loads(r.stdout)


def use_zero_copy(mode, size):
    """memif zero-copy on the generator's side: the gateway then copies from and to the
    generator's hugepage-backed mbufs instead of memfd-backed ring buffers.  With a testpmd
    io forwarder as the gateway it forwarded 2.0-2.7 Mpps of 1420 B frames with it against
    1.4-2.0 without, but 3.4-4.0 Mpps of 64 B frames against 8.6-8.8 without; so "auto"
    uses it above ZERO_COPY_MIN bytes only."""
    return mode == "yes" or (mode == "auto" and size >= ZERO_COPY_MIN)


ZERO_COPY_MIN = 512


class Generator:
    """pcap: a frame file to replay (default: write the clear UDP frames of size bytes).
    tx_sock: the gateway port the frames go to (port 1), rx_sock: the one the sink
    drains (port 2); outbound sends to the protected side, inbound to the unprotected."""

    def __init__(self, size, logdir, procs, nice, zero_copy, pcap=None, tx_sock=IN_SOCK,
                 rx_sock=OUT_SOCK, mbufs=32768):
        if pcap is None:
            pcap = os.path.join(logdir, "frames-%d.pcap" % size)
            write_pcap(pcap, size)
        self.pcap = pcap
        self.zero_copy = zero_copy
        zc = "yes" if zero_copy else "no"
        # zero-copy maps the mbuf memory through one fd per memseg list, which needs
        # --single-file-segments and the hugepage files kept (no --huge-unlink).
        mem = ["--single-file-segments"] if zero_copy else ["--huge-unlink"]
        argv = launcher("0", nice) + ["dpdk-testpmd", "--lcores", "0@0,1@0", "--main-lcore", "0", "--no-pci",
                "--file-prefix", GEN_PREFIX] + mem + [
                "--vdev", "net_pcap0,rx_pcap=%s,infinite_rx=1" % self.pcap,
                "--vdev", "net_memif0,role=client,socket=%s,socket-abstract=no,mac=%s,zero-copy=%s" %
                (tx_sock, GEN_MAC, zc),
                "--vdev", "net_memif1,role=client,socket=%s,socket-abstract=no,mac=%s,zero-copy=%s" %
                (rx_sock, SINK_MAC, zc),
                "--", "--forward-mode=io", "--port-topology=chained", "--nb-cores=1",
                "--total-num-mbufs=%d" % mbufs, "--burst=32", "--no-flush-rx"]
        self.proc = Proc("generator-" + os.path.splitext(os.path.basename(pcap))[0], argv, logdir, stdin_pipe=True, nice=nice)
        procs.append(self.proc)
        self.proc.wait_for("memif links up",
                           lambda: link_up(GEN_PREFIX, GEN_PORT_IN) and link_up(GEN_PREFIX, GEN_PORT_OUT), 30)

    def counters(self):
        return {p: port_stats(GEN_PREFIX, p) for p in (GEN_PORT_PCAP, GEN_PORT_IN, GEN_PORT_OUT)}


# ---- measurement -------------------------------------------------------------------

def snapshot(gw, gen):
    g = gen.counters()
    t = time.monotonic()
    d = gw.counters()
    tid = gw.worker_thread()
    return {"t": t, "gen": g, "dut": d, "cpu": cpu_times(),
            "worker_ticks": thread_cpu_ticks(gw.proc.pid, tid) if tid else None}


def window(a, b, size):
    dt = b["t"] - a["t"]
    sink_rx = b["gen"][GEN_PORT_OUT]["ipackets"] - a["gen"][GEN_PORT_OUT]["ipackets"]
    sink_bytes = b["gen"][GEN_PORT_OUT]["ibytes"] - a["gen"][GEN_PORT_OUT]["ibytes"]
    offered = b["gen"][GEN_PORT_PCAP]["ipackets"] - a["gen"][GEN_PORT_PCAP]["ipackets"]
    gen_tx = b["gen"][GEN_PORT_IN]["opackets"] - a["gen"][GEN_PORT_IN]["opackets"]
    dut = {k: b["dut"][k] - a["dut"].get(k, 0) for k in b["dut"]
           if isinstance(b["dut"][k], int) and b["dut"][k] != a["dut"].get(k, 0)}
    cpu = busy_pct(a["cpu"], b["cpu"])
    share = None
    if a["worker_ticks"] is not None and b["worker_ticks"] is not None:
        share = min(1.0, (b["worker_ticks"] - a["worker_ticks"]) / CLK_TCK / dt)
    pps = sink_rx / dt
    return {
        "seconds": round(dt, 3),
        "sink_packets": sink_rx,
        "sink_mpps": pps / 1e6,
        "sink_gbps": sink_bytes * 8 / dt / 1e9,
        "clear_gbps": pps * size * 8 / 1e9,
        "sink_avg_frame": sink_bytes / sink_rx if sink_rx else 0,
        "offered_mpps": offered / dt / 1e6,
        "gen_tx_mpps": gen_tx / dt / 1e6,
        "gen_refused_pct": 100.0 * (offered - gen_tx) / offered if offered else 0.0,
        "dut_counters": dut,
        "cpu_busy_pct": {str(c): round(v, 1) for c, v in cpu.items()},
        "worker_cpu_share": share,
    }


def measure_size(size, gw, args, logdir, procs, label=None, **gen_kw):
    """Windows of one frame size; gen_kw go to Generator (another frame file or direction)."""
    zc = use_zero_copy(args.zero_copy, size)
    label = label or "%d B" % size
    log("%s: starting generator+sink on CPU 0 (memif zero-copy %s)" % (label, "on" if zc else "off"))
    gen = Generator(size, logdir, procs, args.nice, zc, **gen_kw)
    try:
        time.sleep(args.warmup)
        runs = []
        a = snapshot(gw, gen)
        for i in range(args.runs):
            time.sleep(args.duration)
            b = snapshot(gw, gen)
            w = window(a, b, size)
            runs.append(w)
            log("%s run %d/%d: %.3f Mpps at the sink (offered %.1f Mpps, worker CPU share %s)" %
                (label, i + 1, args.runs, w["sink_mpps"], w["offered_mpps"],
                 "%.2f" % w["worker_cpu_share"] if w["worker_cpu_share"] is not None else "n/a"))
            a = b
            if not gw.proc.alive():
                raise BenchError("the gateway died; its log %s ends:\n%s" % (gw.proc.log_path, gw.proc.tail()))
    finally:
        gen.proc.stop()
        procs.remove(gen.proc)
    if all(r["sink_packets"] == 0 for r in runs):
        drops = {k: v for k, v in runs[-1]["dut_counters"].items() if "drop" in k}
        raise BenchError("%s: nothing reached the sink; gateway counter changes in the last "
                         "window: %s" % (label, runs[-1]["dut_counters"] or "none") +
                         (" (drops: %s)" % drops if drops else ""))
    for r in runs:
        r["generator_zero_copy"] = zc
    return runs


def run_dut(args, sizes, logdir, procs, standin):
    """Start the device under test, measure every size, stop it."""
    log("starting %s (worker on CPU 1)" % ("testpmd io stand-in" if standin else "secgw-dp"))
    gw = Gateway(args, logdir, procs, standin)
    runs = {}
    try:
        for s in sizes:
            runs[s] = measure_size(s, gw, args, logdir, procs)
    finally:
        gw.proc.stop()
        procs.remove(gw.proc)
        if gw.proc.p.returncode not in (0, None):
            warn("%s exited with status %s (log %s)" % (gw.proc.name, gw.proc.p.returncode,
                                                          gw.proc.log_path))
    return runs


def median_run(runs):
    """The run with the median sink rate (its other figures stay consistent)."""
    order = sorted(runs, key=lambda r: r["sink_mpps"])
    return order[(len(order) - 1) // 2]  # the lower middle one for an even count


# ---- reporting ---------------------------------------------------------------------

def git_info(repo):
    def git(*a):
        r = subprocess.run(["git", "-C", repo] + list(a), capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else None
    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))}


def host_info():
    model = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": model, "cpus": os.cpu_count(), "kernel": os.uname().release,
            "hostname": socket.gethostname()}


def print_report(res):
    sizes = res["sizes"]
    print()
    print("secgw outbound benchmark (%s): ESP tunnel AES-128-GCM, 1 SA, 1 worker busy-polling on "
          "CPU 1," % res["dut"])
    print("memif in/out; generator+sink (testpmd io, pcap source) on CPU 0; median of %d x %.0f s."
          % (res["method"]["runs"], res["method"]["duration_s"]))
    print()
    print("Raw crypto ceiling (dpdk-test-crypto-perf, aesni_mb, AES-128-GCM encrypt, 1 core, burst 32):")
    print("  %-8s %12s %12s %10s %12s" % ("buffer", "MOps before", "MOps after", "Gbps", "cycles/op"))
    for s in sizes:
        b, a = res["crypto_ceiling"]["before"][str(s)], res["crypto_ceiling"]["after"].get(str(s))
        print("  %-8s %12.2f %12s %10.2f %12.1f" % ("%d B" % s, b["mops"],
              "%.2f" % a["mops"] if a else "-", b["gbps"], b["cycles_per_op"]))
    print()
    print("Gateway (frame = Ethernet frame without FCS as sent by the generator; sink frames are ESP):")
    print("  %-8s %8s %13s %10s %11s %11s %13s %8s" % ("frame", "Mpps", "(min-max)", "Gbps sink",
          "Gbps clear", "cycles/pkt", "ceiling MOps", "ratio"))
    for s in sizes:
        r = res["results"][str(s)]
        m = r["median"]
        cpp = r["cycles_per_packet"]
        print("  %-8s %8.3f %13s %10.2f %11.2f %11s %13.2f %7.0f%%" % (
            "%d B" % s, m["sink_mpps"], "(%.2f-%.2f)" % (r["min_mpps"], r["max_mpps"]),
            m["sink_gbps"], m["clear_gbps"], "%.0f" % cpp if cpp else "-", r["ceiling_mops"],
            100 * r["ratio_to_ceiling"]))
    if any("harness" in res["results"][str(s)] for s in sizes):
        print()
        print("Harness ceiling (testpmd io forwarder in place of the gateway, same ports and CPU):")
        print("  %-8s %8s %11s %18s" % ("frame", "Mpps", "cycles/pkt", "gateway/harness"))
        for s in sizes:
            h = res["results"][str(s)]["harness"]
            cpp, ratio = h["cycles_per_packet"], h["ratio_gateway_to_harness"]
            print("  %-8s %8.3f %11s %17s" % ("%d B" % s, h["median"]["sink_mpps"],
                  "%.0f" % cpp if cpp else "-", "%.0f%%" % (100 * ratio) if ratio else "-"))
    print()
    print("  cycles/pkt = TSC %.3f GHz x worker CPU share / packets per second at the sink: the worker"
          % (res["tsc_hz"] / 1e9))
    print("  busy-polls (idle_sleep_us: 0), so every cycle of CPU 1 it gets is spent on these packets.")
    print("  ratio = gateway Mpps / crypto-perf MOps for the same size (mean of before and after).")
    for note in res["notes"]:
        print("  NOTE: " + note)
    print()


def main():
    ap = argparse.ArgumentParser(prog="bench-outbound.sh", description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--repo", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--sizes", default="64,1420", help="frame sizes in bytes (default 64,1420)")
    ap.add_argument("--runs", type=int, default=3, help="measurement windows per size (default 3)")
    ap.add_argument("--duration", type=float, default=5.0, help="seconds per window (default 5)")
    ap.add_argument("--warmup", type=float, default=2.0, help="seconds before the first window")
    ap.add_argument("--standin", action="store_true",
                    help="measure a testpmd io forwarder in place of secgw-dp (checks the harness)")
    ap.add_argument("--with-standin", action="store_true",
                    help="also measure the testpmd io stand-in after secgw-dp, in the same run: "
                         "the most the memif harness lets any forwarder do")
    ap.add_argument("--nice", type=int, default=-10,
                    help="nice level of the DPDK processes (default -10: background jobs on the "
                         "machine disturb the measurement less; 0 to run at normal priority)")
    ap.add_argument("--zero-copy", choices=("auto", "yes", "no"), default="auto",
                    help="memif zero-copy on the generator side (default auto: from %d B)" % ZERO_COPY_MIN)
    ap.add_argument("--out", default=None, help="results directory (default perf/results)")
    ap.add_argument("--keep", action="store_true", help="keep logs, config and frame files")
    args = ap.parse_args()

    try:
        sizes = [int(x) for x in args.sizes.split(",") if x]
    except ValueError:
        ap.error("--sizes: comma-separated integers expected")
    for s in sizes:
        if s < 60 or esp_frame_len(s) - 14 > MTU:
            ap.error("--sizes: %d B is outside 60..%d (the ESP packet must fit the %d-byte MTU)" %
                     (s, max(x for x in range(60, MTU) if esp_frame_len(x) - 14 <= MTU), MTU))
    if args.runs < 1 or args.duration <= 0 or args.warmup < 0:
        ap.error("--runs >= 1, --duration > 0, --warmup >= 0")
    if os.geteuid() != 0:
        sys.exit("bench-outbound: needs root (hugepages, %s, %s)" % (RUN_DIR, DPDK_RUNTIME))
    if os.cpu_count() is None or os.cpu_count() < 2:
        sys.exit("bench-outbound: needs CPUs 0 and 1")
    free = hugepages_free()
    if free is not None and free < HUGEPAGES_NEEDED:
        sys.exit("bench-outbound: %d free 2 MB hugepages, %d needed (echo 1024 > "
                 "/proc/sys/vm/nr_hugepages)" % (free, HUGEPAGES_NEEDED))

    def on_signal(sig, frame):
        raise Interrupted(signal.Signals(sig).name)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    logdir = tempfile.mkdtemp(prefix="secgw-perf.")
    procs = []
    ok = False
    try:
        for pfx in OUR_PREFIXES:
            if telemetry_alive(pfx):
                raise BenchError("a DPDK process with file prefix %s is already running (an earlier "
                                 "benchmark?); stop it first" % pfx)
        remove_files()  # leftovers of a run that was killed with SIGKILL
        os.makedirs(RUN_DIR, exist_ok=True)

        notes = []
        c0 = cpu_times()
        time.sleep(1.0)
        idle_load = busy_pct(c0, cpu_times())
        log("background load before starting: %s" %
            ", ".join("CPU%d %.0f%%" % (c, v) for c, v in idle_load.items()))
        if any(v > 10 for v in idle_load.values()):
            notes.append("the machine was not idle before the run (%s busy): expect lower, noisier "
                         "figures" % ", ".join("CPU%d %.0f%%" % (c, v) for c, v in idle_load.items()))
            warn(notes[-1])

        log("crypto ceiling (before): dpdk-test-crypto-perf on CPU 1")
        before = crypto_ceiling(sizes, logdir, "before", procs, args.nice)
        tsc_hz = statistics.mean(v["mops"] * 1e6 * v["cycles_per_op"] for v in before.values())
        log("crypto ceiling: " + ", ".join("%d B %.2f MOps" % (s, before[s]["mops"]) for s in sizes) +
            "; TSC %.3f GHz" % (tsc_hz / 1e9))

        runs = run_dut(args, sizes, logdir, procs, args.standin)
        harness = None
        if args.with_standin and not args.standin:
            harness = run_dut(args, sizes, logdir, procs, True)

        log("crypto ceiling (after)")
        after = crypto_ceiling(sizes, logdir, "after", procs, args.nice)

        results = {}
        for s in sizes:
            med = median_run(runs[s])
            ceiling = (before[s]["mops"] + after[s]["mops"]) / 2
            share = med["worker_cpu_share"] if med["worker_cpu_share"] is not None else 1.0
            cpp = tsc_hz * share / (med["sink_mpps"] * 1e6) if med["sink_mpps"] else None
            results[str(s)] = {
                "runs": runs[s],
                "median": med,
                "min_mpps": min(r["sink_mpps"] for r in runs[s]),
                "max_mpps": max(r["sink_mpps"] for r in runs[s]),
                "cycles_per_packet": cpp,
                "ceiling_mops": ceiling,
                "ratio_to_ceiling": med["sink_mpps"] / ceiling,
            }
            if harness is not None:
                hm = median_run(harness[s])
                hshare = hm["worker_cpu_share"] if hm["worker_cpu_share"] is not None else 1.0
                results[str(s)]["harness"] = {
                    "runs": harness[s],
                    "median": hm,
                    "cycles_per_packet": tsc_hz * hshare / (hm["sink_mpps"] * 1e6)
                    if hm["sink_mpps"] else None,
                    "ratio_gateway_to_harness": med["sink_mpps"] / hm["sink_mpps"]
                    if hm["sink_mpps"] else None,
                }
            expect = s if args.standin else esp_frame_len(s)
            if abs(med["sink_avg_frame"] - expect) > 0.5:
                notes.append("%d B: frames at the sink average %.1f B, expected %d B" %
                             (s, med["sink_avg_frame"], expect))
            if med["gen_refused_pct"] < 1.0:
                notes.append("%d B: the gateway took everything the generator offered (%.2f Mpps): "
                             "the figure is a lower bound set by the generator" % (s, med["offered_mpps"]))
            tx_drop = med["dut_counters"].get("tx_drop", 0)
            if tx_drop > 0.01 * max(1, med["sink_packets"]):
                notes.append("%d B: the gateway dropped %d packets on TX (sink too slow?)" % (s, tx_drop))
            if share < 0.95:
                notes.append("%d B: the worker thread got only %.0f%% of CPU 1 (other load)" % (s, 100 * share))
            drift = abs(after[s]["mops"] - before[s]["mops"]) / before[s]["mops"]
            if drift > 0.10:
                notes.append("%d B: the crypto ceiling moved %.0f%% between before and after: the "
                             "machine's speed drifted" % (s, 100 * drift))

        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        res = {
            "benchmark": "outbound",
            "timestamp": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "dut": "testpmd-io-standin" if args.standin else "secgw-dp",
            "sizes": sizes,
            "git": git_info(args.repo),
            "host": host_info(),
            "tsc_hz": tsc_hz,
            "background_busy_pct": {str(c): round(v, 1) for c, v in idle_load.items()},
            "method": {
                "runs": args.runs, "duration_s": args.duration, "warmup_s": args.warmup,
                "nice": args.nice, "with_standin": args.with_standin,
                "statistic": "median window by sink Mpps",
                "frame_size": "Ethernet frame without FCS, as sent by the generator",
                "sa": {"mode": "tunnel", "cipher": "aes-128-gcm", "spi": SPI, "src": TUN_SRC,
                       "dst": TUN_DST},
                "traffic": {"src": GEN_SRC, "dst": GEN_DST, "proto": "udp", "flows": FLOWS},
                "cycles_per_packet": "tsc_hz * worker_cpu_share / sink packets per second",
                "generator": "dpdk-testpmd io, ports [net_pcap infinite_rx, memif in, memif out] "
                             "chained, lcores 0@0,1@0",
                "generator_zero_copy": args.zero_copy,
            },
            "crypto_ceiling": {"before": {str(k): v for k, v in before.items()},
                               "after": {str(k): v for k, v in after.items()}},
            "results": results,
            "notes": notes,
        }
        outdir = args.out or os.path.join(args.repo, "perf", "results")
        save_results(os.path.join(outdir, "outbound-%s%s.json" % (
            stamp, "-standin" if args.standin else "")), res, print_report)
        ok = True
    except Interrupted as e:
        print("\nbench-outbound: interrupted (%s), tearing down" % e, file=sys.stderr)
    except BenchError as e:
        print("bench-outbound: %s" % e, file=sys.stderr)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not skip the teardown
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for p in reversed(procs):
            p.stop()
        remove_files()
        drop_logdir(logdir, ok and not args.keep, "bench-outbound")
    return 0 if ok else 1


def drop_logdir(logdir, drop, name):
    """Remove a run's log directory, or say where its logs stay."""
    if drop:
        for f in os.listdir(logdir):
            os.unlink(os.path.join(logdir, f))
        os.rmdir(logdir)
    else:
        print("%s: logs kept in %s" % (name, logdir), file=sys.stderr)


def save_results(path, res, report):
    """One JSON record per run in perf/results (or --out), then the table on stdout."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")
    report(res)
    log("results written to %s" % os.path.relpath(path))


def remove_files():
    """Our sockets, DPDK runtime dirs and hugepage files; never anything of another prefix."""
    for path in (IN_SOCK, OUT_SOCK):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
    try:
        os.rmdir(RUN_DIR)
    except OSError:
        pass
    for pfx in OUR_PREFIXES:
        if telemetry_alive(pfx):
            continue  # someone runs with that prefix: leave its files alone
        d = os.path.join(DPDK_RUNTIME, pfx)
        if os.path.isdir(d):
            for f in os.listdir(d):
                try:
                    os.unlink(os.path.join(d, f))
                except OSError:
                    pass
            try:
                os.rmdir(d)
            except OSError:
                pass
        try:
            for f in os.listdir(HUGEPAGE_DIR):
                if re.fullmatch(re.escape(pfx) + r"map_\d+", f):
                    os.unlink(os.path.join(HUGEPAGE_DIR, f))
        except OSError:
            pass


if __name__ == "__main__":
    sys.exit(main())
