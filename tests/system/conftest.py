# SPDX-License-Identifier: BSD-3-Clause
"""Fixtures of the secgw system tests: the build under test, gateways in network
namespaces, scapy senders and sniffers.

Run as root with Debian's Python:  /usr/bin/python3 -m pytest tests/system -v
SECGW_BUILD names the build directory to test (default build-asan, relative to
the repository root).

Every namespace and process a test creates is removed in the fixture's finally,
and every gateway's stderr is searched for sanitizer reports when it stops.
"""

import contextlib
import glob
import json
import os
import shutil
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
HELPERS = os.path.join(HERE, "helpers")
PY = "/usr/bin/python3"   # Debian's python: the one with scapy

sys.path.insert(0, HERE)
sys.path.insert(0, HELPERS)

import pcap  # noqa: E402
from netns import Lab, run  # noqa: E402

SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                   "Sanitizer:DEADLYSIGNAL", "Sanitizer has encountered a fatal error")

# The single-gateway topology of the scapy tests:
#   host ns (h0 10.99.1.2) -- gin [gw ns: secgw-dp] gout -- p0 (peer ns, 10.99.0.2)
MAC = {
    "host": "02:99:01:00:00:02",
    "gw_in": "02:99:01:00:00:01",
    "gw_out": "02:99:00:00:00:01",
    "peer": "02:99:00:00:00:02",
}
KEYS = {
    # cipher -> (out key, in key), hex of key || 4-byte salt
    "aes-128-gcm": ("0x00112233445566778899aabbccddeeff0a0b0c0d",
                    "0xffeeddccbbaa99887766554433221100a1b2c3d4"),
    "aes-256-gcm": ("0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0c0d0e0f",
                    "0x1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100b1b2b3b4"),
}
SPI_OUT = 0x1001
SPI_IN = 0x2001


def pytest_configure(config):
    if os.geteuid() != 0:
        raise pytest.UsageError("the system tests need root (network namespaces)")


def pytest_sessionfinish(session, exitstatus):
    """Fail the run if any namespace of this run survived its test."""
    from netns import leftover_namespaces
    import re
    mine = re.compile(r"^sg%d[a-z]+\d+-" % (os.getpid() % 100000))
    left = [n for n in leftover_namespaces() if mine.match(n)]
    if left:
        print("\nleft-over namespaces: %s" % left)
        for n in left:
            run(["ip", "netns", "del", n], check=False)
        session.exitstatus = 1


# ---------------------------------------------------------------- the build

class Build:
    def __init__(self, path):
        self.path = path
        self.dp = self._find("secgw-dp")
        self.ctl = self._find("secgwctl")

    def _find(self, name):
        for cand in (os.path.join(self.path, "dataplane", name),
                     os.path.join(self.path, "control", name)):
            if os.access(cand, os.X_OK):
                return cand
        hits = [h for h in glob.glob(os.path.join(self.path, "**", name), recursive=True)
                if os.access(h, os.X_OK)]
        if not hits:
            raise FileNotFoundError("%s not found under %s (build it first)" % (name, self.path))
        return hits[0]


@pytest.fixture(scope="session")
def build():
    path = os.environ.get("SECGW_BUILD", "build-asan")
    if not os.path.isabs(path):
        path = os.path.join(REPO, path)
    return Build(path)


def sanitizer_env():
    """The environment of gateway processes: sanitizer options unless the caller set them."""
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
    return env


# ---------------------------------------------------------------- gateways

class Gateway:
    """One secgw-dp process in a namespace, with its config and logs."""

    def __init__(self, build, ns, config_text, workdir, name="gw"):
        self.build = build
        self.ns = ns
        self.name = name
        self.workdir = workdir
        self.config = os.path.join(workdir, "%s.yaml" % name)
        with open(self.config, "w") as f:
            f.write(config_text)
        self.prefix = None
        for line in config_text.splitlines():
            if line.strip().startswith("file_prefix:"):
                self.prefix = line.split(":", 1)[1].split("#")[0].strip()
        self.out_path = os.path.join(workdir, "%s.stdout" % name)
        self.err_path = os.path.join(workdir, "%s.stderr" % name)
        self.proc = None
        self.checked = False

    def start(self, timeout=60):
        self.out = open(self.out_path, "w")
        self.err = open(self.err_path, "w")
        self.proc = self.ns.popen([self.build.dp, "-c", self.config],
                                  stdout=self.out, stderr=self.err, env=sanitizer_env())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "secgw-dp: ready" in self.stdout():
                return self
            if self.proc.poll() is not None:
                raise AssertionError("%s exited with %s before ready\n%s"
                                     % (self.name, self.proc.returncode, self.logs()))
            time.sleep(0.05)
        raise AssertionError("%s not ready after %ds\n%s" % (self.name, timeout, self.logs()))

    def stdout(self):
        with open(self.out_path, errors="replace") as f:
            return f.read()

    def stderr(self):
        with open(self.err_path, errors="replace") as f:
            return f.read()

    def logs(self, tail=60):
        def t(s):
            lines = s.splitlines()
            return "\n".join(lines[-tail:])
        return ("--- %s stdout (%s)\n%s\n--- %s stderr (%s)\n%s"
                % (self.name, self.out_path, t(self.stdout()),
                   self.name, self.err_path, t(self.stderr())))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def ctl(self, *args, timeout=15):
        p = run([self.build.ctl, "-p", self.prefix, "--json"] + list(args),
                check=False, timeout=timeout)
        if p.returncode != 0:
            raise AssertionError("secgwctl %s failed (%d): %s %s\n%s"
                                 % (" ".join(args), p.returncode, p.stdout, p.stderr,
                                    self.logs(20)))
        return _unwrap(json.loads(p.stdout))

    def stats(self):
        return self.ctl("stats")

    def sa_list(self):
        """SPI (int) -> dict of the SA, from `secgwctl --json sa list`, whose keys are
        "0x%08x/in" or "0x%08x/out".  The tests give their inbound and outbound SAs
        different SPIs; two SAs with one SPI fail here rather than one hiding the other."""
        d = self.ctl("sa", "list")
        sas = {}
        for k, v in d.items():
            assert k == "0x%08x/%s" % (v["spi"], v["direction"]), (k, v)
            assert v["spi"] not in sas, "SPI %#x is both an inbound and an outbound SA" % v["spi"]
            sas[v["spi"]] = v
        return sas

    def stop(self):
        """SIGTERM; fail on a non-zero exit or any sanitizer report."""
        if self.proc is None or self.checked:
            return
        self.checked = True
        rc = Lab.stop(self.proc, timeout=20)
        self.out.close()
        self.err.close()
        # the EAL runtime directory of our unique prefix (config files, sockets)
        if self.prefix:
            shutil.rmtree("/var/run/dpdk/" + self.prefix, ignore_errors=True)
        err = self.stderr()
        bad = [m for m in SANITIZER_MARKS if m in err]
        if bad:
            raise AssertionError("%s: sanitizer report (%s) in stderr\n%s"
                                 % (self.name, ", ".join(bad), self.logs(200)))
        if rc != 0:
            raise AssertionError("%s exited %s after SIGTERM (expected 0)\n%s"
                                 % (self.name, rc, self.logs()))


def _unwrap(d):
    """secgwctl --json may print the counters directly or wrapped in the telemetry
    command ({"/secgw/stats": {...}}); accept both."""
    if isinstance(d, dict) and len(d) == 1:
        (k, v), = d.items()
        if isinstance(k, str) and k.startswith("/") and isinstance(v, dict):
            return v
    return d


def delta(before, after, names):
    return {n: after.get(n, 0) - before.get(n, 0) for n in names}


def changed(before, after):
    """Counters that moved, name -> increase."""
    return {k: after[k] - before.get(k, 0) for k in after
            if isinstance(after[k], int) and after[k] != before.get(k, 0)}


# ---------------------------------------------------------------- configs

def dataplane_yaml(prefix, cpu_main=0, cpu_worker=1, idle_sleep_us=100):
    return f"""\
dataplane:
  file_prefix: {prefix}
  main_lcore: 0
  workers: [1]
  cpus: {{main: {cpu_main}, workers: [{cpu_worker}]}}
  hugepages: false
  memory_mb: 256
  mbufs: 8192
  burst: 32
  idle_polls: 256
  idle_sleep_us: {idle_sleep_us}
"""


def gw_base_config(prefix, driver="aesni_mb", idle_sleep_us=100):
    """The single gateway's dataplane, crypto, ports and routes: no SAs or policies."""
    return dataplane_yaml(prefix, idle_sleep_us=idle_sleep_us) + f"""\
crypto:
  driver: {driver}

ports:
  - name: inside
    devargs: net_af_packet0,iface=gin,framecnt=4096
    role: protected
    address: 10.99.1.1/24
    neighbors: [{{ip: 10.99.1.2, mac: "{MAC['host']}"}}]
  - name: outside
    devargs: net_af_packet1,iface=gout,framecnt=4096
    role: unprotected
    address: 10.99.0.1/24
    neighbors: [{{ip: 10.99.0.2, mac: "{MAC['peer']}"}}]

routes:
  - dst: 10.99.2.0/24
    via: 10.99.0.2
    port: outside

"""


def single_gw_config(prefix, cipher, driver="aesni_mb", replay_window=1024, idle_sleep_us=100,
                     out_lifetime=None):
    kout, kin = KEYS[cipher]
    life = "    lifetime: {%s}\n" % out_lifetime if out_lifetime else ""
    return gw_base_config(prefix, driver, idle_sleep_us) + f"""\
policies:
  - name: to-remote
    direction: out
    src: 10.99.1.0/24
    dst: 10.99.2.0/24
    action: protect
    sa: {SPI_OUT:#x}
  - name: from-remote
    direction: in
    src: 10.99.2.0/24
    dst: 10.99.1.0/24
    action: protect
    sa: {SPI_IN:#x}

sas:
  - name: out
    spi: {SPI_OUT:#x}
    direction: out
    mode: tunnel
    src: 10.99.0.1
    dst: 10.99.0.2
    cipher: {cipher}
    key: {kout}
{life}  - name: in
    spi: {SPI_IN:#x}
    direction: in
    mode: tunnel
    src: 10.99.0.2
    dst: 10.99.0.1
    cipher: {cipher}
    key: {kin}
    replay_window: {replay_window}
"""


# ---------------------------------------------------------------- scapy helpers

class Sniffer:
    """helpers/sniff.py in a namespace: frames the interface receives, optionally only
    one Ethernet type or IPv4 protocol.  A context manager; .wait() or .stop() return
    the frames."""

    def __init__(self, ns, iface, workdir, name, ethertype=None, ipproto=None, count=0,
                 timeout=30):
        self.ns, self.iface = ns, iface
        self.pcap = os.path.join(workdir, name + ".pcap")
        self.ready = os.path.join(workdir, name + ".ready")
        self.log = os.path.join(workdir, name + ".log")
        self.args = ["--iface", iface, "--out", self.pcap, "--ready", self.ready,
                     "--count", str(count), "--timeout", str(timeout)]
        if ethertype is not None:
            types = ethertype if isinstance(ethertype, (list, tuple)) else [ethertype]
            self.args += ["--ethertype", ",".join(hex(t) for t in types)]
        if ipproto is not None:
            self.args += ["--ipproto", str(ipproto)]
        self.proc = None

    def __enter__(self):
        for f in (self.ready, self.pcap):
            if os.path.exists(f):
                os.unlink(f)
        self.logf = open(self.log, "w")
        self.proc = self.ns.popen([PY, os.path.join(HELPERS, "sniff.py")] + self.args,
                                  stdout=self.logf, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while not os.path.exists(self.ready):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("sniffer on %s did not start:\n%s"
                                     % (self.iface, open(self.log).read()))
            time.sleep(0.05)
        return self

    def wait(self, timeout):
        """Wait for the sniffer to finish by itself (count reached or its timeout)."""
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        return self.stop()

    def stop(self):
        Lab.stop(self.proc, timeout=15)
        self.logf.close()
        return self.frames()

    def frames(self):
        if not os.path.exists(self.pcap):
            raise AssertionError("sniffer wrote no pcap:\n" + open(self.log).read())
        return pcap.read(self.pcap)[1]

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.stop()
        return False


def send_frames(ns, iface, frames, workdir, name="tx", burst=16, gap=0.002, timeout=60):
    """Send raw Ethernet frames (bytes) from a namespace with helpers/send.py."""
    path = os.path.join(workdir, name + ".pcap")
    pcap.write(path, frames)
    p = ns.run([PY, os.path.join(HELPERS, "send.py"), "--iface", iface, "--pcap", path,
                "--burst", str(burst), "--gap", str(gap)], timeout=timeout)
    return json.loads(p.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- topologies

class SingleGw:
    """host -- gw (secgw-dp) -- peer, with the keys and MACs the test needs."""

    def __init__(self, lab, gw, cipher, workdir, host, gwns, peer):
        self.lab, self.gw, self.cipher, self.workdir = lab, gw, cipher, workdir
        self.host, self.gwns, self.peer = host, gwns, peer
        # cipher None: a lab without SAs (clear traffic only)
        self.key_out, self.key_in = KEYS[cipher] if cipher else (None, None)
        # MACs as the kernel reports them (the test set them, but read them back)
        self.mac_gw_in = gwns.mac("gin")
        self.mac_gw_out = gwns.mac("gout")
        self.mac_host = host.mac("h0")
        self.mac_peer = peer.mac("p0")


def make_single_gw_lab(lab):
    host = lab.netns("host")
    gwns = lab.netns("gw")
    peer = lab.netns("peer")
    lab.veth(host, "h0", gwns, "gin", MAC["host"], MAC["gw_in"])
    lab.veth(gwns, "gout", peer, "p0", MAC["gw_out"], MAC["peer"])
    # no IP addresses on the host and peer ends either: scapy plays both, and a
    # kernel stack there would answer ESP with ICMP and add packets to the counts
    return host, gwns, peer


@pytest.fixture
def single_gw(request, build, tmp_path):
    """A started single gateway; parametrize indirectly with the cipher name, a
    (cipher, driver) tuple or a dict of single_gw_config arguments."""
    param = getattr(request, "param", "aes-128-gcm")
    if isinstance(param, str):
        param = {"cipher": param}
    elif isinstance(param, tuple):
        param = {"cipher": param[0], "driver": param[1]}
    cipher = param["cipher"]
    with running_single_gw(build, str(tmp_path), cipher, "s",
                           lambda uid: single_gw_config(uid, **param)) as t:
        yield t


@contextlib.contextmanager
def running_single_gw(build, workdir, cipher, lab_name, make_config,
                      make_lab=make_single_gw_lab):
    """host -- gw -- peer (built by make_lab(lab): h0 -- gin, gout -- p0) with a started
    gateway whose config is make_config(uid); the gateway is stopped (and checked) and
    the namespaces removed on exit."""
    lab = Lab(lab_name)
    gw = None
    try:
        host, gwns, peer = make_lab(lab)
        gw = Gateway(build, gwns, make_config(lab.uid), workdir)
        gw.start()
        yield SingleGw(lab, gw, cipher, workdir, host, gwns, peer)
    finally:
        try:
            if gw is not None:
                gw.stop()
        finally:
            lab.close()
