# SPDX-License-Identifier: BSD-3-Clause
"""Network namespaces, veth pairs and processes for the system tests.

A Lab owns everything it creates (namespaces, processes) and removes it all in
close(), in reverse order, whatever happened before; it is meant to be used from
a pytest fixture with try/finally (or as a context manager).

Namespace names are unique per Lab ("sg<pid><n>-<role>"), so that runs in parallel
never collide.  veth pairs are created directly inside their namespaces, so the
interface names only have to be unique within one namespace and never appear in
the root namespace.

Interfaces facing a DPDK af_packet port get no IP address, no IPv6, and no
offloads: the kernel must neither answer for the gateway nor hand af_packet
packets with partial checksums or merged segments.
"""

import itertools
import os
import signal
import subprocess
import time

_counter = itertools.count()

# Offloads that must be off on every veth end: with them on, a packet sent by the
# kernel of one namespace reaches af_packet in another with a partial checksum
# (CHECKSUM_PARTIAL) or as one large GSO segment.
OFFLOADS_OFF = ["tx", "off", "rx", "off", "tso", "off", "gso", "off", "gro", "off"]


def run(cmd, check=True, timeout=30, **kw):
    """Run a command (list) in the root namespace and return CompletedProcess (text)."""
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if check and p.returncode != 0:
        raise RuntimeError("command failed (%d): %s\nstdout: %s\nstderr: %s"
                           % (p.returncode, " ".join(cmd), p.stdout, p.stderr))
    return p


class Netns:
    """One network namespace."""

    def __init__(self, lab, name):
        self.lab = lab
        self.name = name

    def __repr__(self):
        return "Netns(%s)" % self.name

    def cmd(self, argv):
        return ["ip", "netns", "exec", self.name] + list(argv)

    def run(self, argv, check=True, timeout=30, **kw):
        return run(self.cmd(argv), check=check, timeout=timeout, **kw)

    def ip(self, *args, check=True):
        return run(["ip", "-n", self.name] + list(args), check=check)

    def sysctl(self, key, value, check=True):
        return self.run(["sysctl", "-q", "-w", "%s=%s" % (key, value)], check=check)

    def mac(self, ifname):
        """The MAC address of an interface, read with `ip -n NS link show`."""
        out = self.ip("-o", "link", "show", "dev", ifname).stdout
        words = out.split()
        return words[words.index("link/ether") + 1]

    def popen(self, argv, stdout=None, stderr=None, env=None, **kw):
        """Start a process in this namespace; the Lab stops it on close()."""
        return self.lab.popen(self.cmd(argv), stdout=stdout, stderr=stderr, env=env, **kw)


class Lab:
    """A set of namespaces, links and processes with one cleanup."""

    def __init__(self, tag=""):
        self.uid = "sg%d%s%d" % (os.getpid() % 100000, tag, next(_counter))
        self.namespaces = []
        self.procs = []   # (Popen, name) in start order
        self.closed = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # --- building ---

    def netns(self, role):
        name = "%s-%s" % (self.uid, role)
        run(["ip", "netns", "add", name])
        ns = Netns(self, name)
        self.namespaces.append(ns)
        ns.ip("link", "set", "lo", "up")
        # No IPv6 at all: no router solicitations, MLD or DAD frames reach the
        # gateway's ports and disturb packet counts.
        ns.sysctl("net.ipv6.conf.all.disable_ipv6", 1)
        ns.sysctl("net.ipv6.conf.default.disable_ipv6", 1)
        return ns

    def veth(self, ns1, if1, ns2, if2, mac1=None, mac2=None):
        """A veth pair ns1:if1 <-> ns2:if2, link up, offloads off, no IPv6."""
        ns1.ip("link", "add", if1, "type", "veth", "peer", "name", if2, "netns", ns2.name)
        for ns, ifname, mac in ((ns1, if1, mac1), (ns2, if2, mac2)):
            if mac:
                ns.ip("link", "set", "dev", ifname, "address", mac)
            ns.sysctl("net.ipv6.conf.%s.disable_ipv6" % ifname, 1)
            ns.run(["ethtool", "-K", ifname] + OFFLOADS_OFF)
            ns.ip("link", "set", "dev", ifname, "up")

    # --- processes ---

    def popen(self, argv, stdout=None, stderr=None, env=None, **kw):
        p = subprocess.Popen(argv, stdout=stdout, stderr=stderr, env=env,
                             stdin=subprocess.DEVNULL, start_new_session=True, **kw)
        self.procs.append(p)
        return p

    @staticmethod
    def stop(p, sig=signal.SIGTERM, timeout=10):
        """Signal a process (started by this Lab) and wait; SIGKILL after timeout.
        Returns its exit code."""
        if p.poll() is None:
            try:
                p.send_signal(sig)
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                # its own process group only: we started it with start_new_session
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)
        return p.returncode

    def close(self):
        if self.closed:
            return
        self.closed = True
        errors = []
        for p in reversed(self.procs):
            try:
                self.stop(p)
            except Exception as e:  # keep cleaning up
                errors.append(repr(e))
        for ns in reversed(self.namespaces):
            # kill anything still running in it (e.g. a process a test forgot),
            # then delete it; veth ends go away with their namespace
            try:
                pids = run(["ip", "netns", "pids", ns.name], check=False).stdout.split()
                for pid in pids:
                    try:
                        os.kill(int(pid), signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                for _ in range(50):
                    if not run(["ip", "netns", "pids", ns.name], check=False).stdout.split():
                        break
                    time.sleep(0.1)
                run(["ip", "netns", "del", ns.name], check=False)
            except Exception as e:
                errors.append(repr(e))
        if errors:
            raise RuntimeError("cleanup: " + "; ".join(errors))


def leftover_namespaces(prefix="sg"):
    """Namespaces that look like ours, for a sanity check after a run."""
    out = run(["ip", "netns", "list"], check=False).stdout
    return [line.split()[0] for line in out.splitlines()
            if line.startswith(prefix) and "-" in line.split()[0]]
