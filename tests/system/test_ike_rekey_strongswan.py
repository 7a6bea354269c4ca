# SPDX-License-Identifier: BSD-3-Clause
"""CREATE_CHILD_SA against a live strongSwan, through secgw-dp, under traffic.

- IKE SA rekeying (RFC 7296 §1.3.2, §2.18) started by secgw-ike (ike_rekey_time)
  or by charon (its IKE rekey_time), every ~5 s while a host behind secgw-dp
  pings a host behind strongSwan: the Child SA stays as it is in secgw-dp (same
  SPIs, no reinstall, no drop), the ping loses nothing, the old IKE SAs are
  deleted, and `swanctl --list-sas` and `secgwctl ike list` agree on the one
  IKE SA left (new SPIs).
- Child SA rekeying with PFS (an ESP proposal with a DH group) by either side:
  our Child SAs carry the group, charon selects the ESP proposal with the group
  in CREATE_CHILD_SA and logs the DH secret it mixed into the keys, and our keys
  equal charon's.

The topology and peers come from test_ike_strongswan (via_dp_lab: charon <->
secgw-dp <-> host, IKE relayed by secgw-dp to secgw-ike).
"""

import re
import signal
import subprocess
import time

import pytest

from conftest import Gateway, dataplane_yaml
from netns import Lab
from test_ike_strongswan import (DP_PORTS, NET_SG, Charon, SecgwIke, assert_last_child_keys,
                                 connections_yaml, have_strongswan, ike_ctl, list_sas,
                                 via_dp_lab, wait_installed, wait_until)

pytestmark = pytest.mark.skipif(not have_strongswan(),
                                reason="strongswan-charon / strongswan-swanctl not installed")

IKE = "aes128gcm16-prfsha256-x25519"
KEYS_RE = r"CHILD-KEYS conn=sw spi_in=([0-9a-f]{8}) spi_out=([0-9a-f]{8})"


def charon_ike_extra(charon, extra):
    """IKE SA options for charon's connection (swanctl.conf, beside `proposals`)."""
    path = charon.dir + "/swanctl.conf"
    with open(path) as f:
        text = f.read()
    text = re.sub(r"(\n        proposals = [^\n]*\n)", r"\1        %s\n" % extra, text, count=1)
    with open(path, "w") as f:
        f.write(text)


def ping(host, count):
    p = host.run(["ping", "-c", str(count), "-i", "0.2", "-W", "2", "10.99.7.1"], check=False,
                 timeout=count * 0.2 + 20)
    m = re.search(r"(\d+) packets transmitted, (\d+) received", p.stdout)
    assert m, p.stdout
    return int(m.group(1)), int(m.group(2)), p.stdout


def start_pair(build, lab, tmp_path, tag, esp, rekeyer, child_s, ike_s, initiator="secgw"):
    """secgw-dp, secgw-ike (--via-dp) and charon, up with a Child SA (the initiator,
    "secgw" or "charon", starts it) and a route into charon's TUN.  The rekeyer
    rekeys the Child SA every child_s and the IKE SA every ike_s seconds (0 never),
    the other side never.  Returns (host, gw, charon, sg, prefix, first Child SA's
    SPIs)."""
    def every(s, who):
        return s if rekeyer == who else 0
    sw_ns, gw_ns, host, swdir, gwdir, prefix = via_dp_lab(lab, tmp_path, tag)
    ours = "    rekey_time: %d\n    ike_rekey_time: %d\n" % (every(child_s, "secgw"),
                                                          every(ike_s, "secgw"))
    text = dataplane_yaml(prefix) + DP_PORTS + connections_yaml(IKE, esp, initiator == "secgw",
                                                                ours)
    gw = Gateway(build, gw_ns, text, gwdir, name="gw")
    # life_time well past rekey_time: libipsec's whole-second expiry would else hit first
    charon = Charon(sw_ns, swdir, IKE, esp, "rekey_time = %ds\n life_time = 300s\n "
                    "rand_time = 1s" % every(child_s, "charon"))
    charon_ike_extra(charon, "rekey_time = %ds\n        over_time = 60s\n        "
                     "rand_time = 1s" % every(ike_s, "charon"))
    charon.start()
    gw.start()
    sg = SecgwIke(build, gw_ns, gwdir, None, None, True, cfg=gw.config)
    try:
        sg.start(["--dp", prefix, "--via-dp"])
        if initiator == "charon":
            r = charon.swanctl("--initiate", "--child", "net", "--timeout", "20", check=False)
            assert r.returncode == 0, r.stdout + r.stderr + sg.logtext()[-3000:]
        m = sg.wait_for(KEYS_RE)
        wait_installed(charon)
    except BaseException:
        stop(lab, sg, gw)
        raise
    sw_ns.ip("route", "add", NET_SG, "dev", "ipsec0", "src", "10.99.7.1")
    return host, gw, charon, sg, prefix, (int(m.group(1), 16), int(m.group(2), 16))


def stop(lab, sg, gw):
    if getattr(sg, "proc", None) is not None and sg.proc.poll() is None:
        lab.stop(sg.proc)
    gw.stop()


@pytest.mark.parametrize("rekeyer", ["secgw", "charon"])
def test_ike_rekey_through_secgw_dp(build, tmp_path, rekeyer):
    """IKE SA rekey every ~5 s under a 16 s ping (0.2 s interval), by either side."""
    with Lab("ikeikerk") as lab:
        host, gw, charon, sg, prefix, first = start_pair(
            build, lab, tmp_path, "ir", "aes128gcm16", rekeyer, 0, 5)
        try:
            ike0 = ike_ctl(build, ["-p", prefix], "--json", "ike", "list")["ike_sas"]
            assert len(ike0) == 1, ike0
            sent, got, out = ping(host, 80)
            log = sg.logtext()
            rekeys = len(re.findall(r"sw: IKE SA [0-9a-f]{16}/[0-9a-f]{16} replaces", log))
            drops = {k: v for k, v in gw.stats().items() if k.startswith("drop") and v}
            print("IKE SA rekeys by %s: %d; ping %d sent, %d received, loss %d; "
                  "secgw-dp drops %s" % (rekeyer, rekeys, sent, got, sent - got, drops))
            assert rekeys >= 2, log[-4000:]
            if rekeyer == "secgw":
                assert log.count("rekeying the IKE SA") >= rekeys, log[-4000:]
            else:
                assert log.count("peer deleted the IKE SA") >= rekeys - 1, log[-4000:]
            # the Child SA never changed: no reinstall, the same pair in secgw-dp
            assert len(re.findall(KEYS_RE, log)) == 1, log[-4000:]
            assert "Child SA removed" not in log, log[-4000:]
            assert set(gw.sa_list()) == set(first), gw.sa_list()
            assert not drops, drops
            assert sent == got, "ping lost %d of %d over %d IKE SA rekeys:\n%s" % (
                sent - got, sent, rekeys, out[-1500:])
            # settle: one IKE SA on each side, the same one, not the first
            def one_sa():
                lst = ike_ctl(build, ["-p", prefix], "--json", "ike", "list")["ike_sas"]
                return len(lst) == 1 and list_sas(charon).count("ESTABLISHED") == 1
            wait_until(one_sa, 15, "one IKE SA on both sides")
            sa = ike_ctl(build, ["-p", prefix], "--json", "ike", "list")["ike_sas"][0]
            listed = list_sas(charon).lower()
            assert sa["state"] == "established", sa
            assert sa["spi_i"] in listed and sa["spi_r"] in listed, (sa, listed)
            assert ike0[0]["spi_i"] not in listed and sa["spi_i"] != ike0[0]["spi_i"], listed
            # message IDs restarted on the new IKE SA: only a few exchanges on it
            assert sa["msg_out"] + sa["msg_in"] <= 4, sa
            assert sa["child_sas"][0]["spi_in"] == "%08x" % first[0], sa
            assert listed.count("installed,") == 1, listed
            lab.stop(sg.proc)
            assert sg.proc.returncode == 0, sg.logtext()[-3000:]
        finally:
            stop(lab, sg, gw)


@pytest.mark.parametrize("rekeyer,esp,group", [
    ("secgw", "aes128gcm16-ecp256", ("ECP_256", 19)),
    ("charon", "aes128-sha256-x25519", ("CURVE_25519", 31)),
], ids=["secgw-ecp256", "charon-x25519"])
def test_pfs_child_rekey_through_secgw_dp(build, tmp_path, rekeyer, esp, group):
    """Child SA rekeys with PFS every ~4 s under an 8 s ping.  The rekeyer also
    initiated: in IKE_AUTH charon's ESP proposals for a PFS child meet ours."""
    with Lab("ikepfs") as lab:
        host, gw, charon, sg, prefix, first = start_pair(
            build, lab, tmp_path, "pf", esp, rekeyer, 4, 0, initiator=rekeyer)
        try:
            sent, got, out = ping(host, 50)
            log = sg.logtext()
            installed = re.findall(r"Child SA installed: .* dh (\d+)", log)
            rekeys = len(installed) - 1
            print("PFS Child SA rekeys by %s (%s): %d; ping %d sent, %d received, loss %d"
                  % (rekeyer, esp, rekeys, sent, got, sent - got))
            assert rekeys >= 1, log[-4000:]
            # IKE_AUTH's Child SA has no DH (§1.2); every rekeyed one has the group
            assert installed[0] == "0" and set(installed[1:]) == {str(group[1])}, installed
            clog = charon.logtext()
            # charon selected the ESP proposal with the group in CREATE_CHILD_SA and
            # mixed a DH secret into the Child SA keys (keymat_v2, chd = 4)
            chosen = re.findall(r"selected proposal: ESP:[^\n]*%s" % group[0], clog)
            dh = clog.count("[CHD] DH secret")
            print("charon: %d ESP proposals with %s selected, %d Child SA DH secrets"
                  % (len(chosen), group[0], dh))
            assert len(chosen) >= rekeys and dh >= rekeys, clog[-3000:]
            assert_last_child_keys(log, clog, rekeyer == "secgw")
            assert sent - got <= rekeys, "ping lost %d of %d over %d rekeys:\n%s" % (
                sent - got, sent, rekeys, out[-1500:])
            assert "peer error" not in log
            lab.stop(sg.proc)
            assert sg.proc.returncode == 0, sg.logtext()[-3000:]
        finally:
            stop(lab, sg, gw)


@pytest.mark.parametrize("what", ["child", "ike"])
def test_simultaneous_rekey_with_strongswan(build, tmp_path, what):
    """Both sides rekey the Child SA (or the IKE SA) at once and their
    CREATE_CHILD_SA requests cross (§2.8): secgw-ike rekeys 3 s after it made the
    SA; secgw-dp, which relays IKE between the peers, is stopped (SIGSTOP) from 2 s
    to 3.8 s, and meanwhile charon is told to rekey (`swanctl --rekey`), so both
    requests wait in secgw-dp's queues and pass each other when it resumes.  Each
    side answers the other's and the lowest nonce decides: both keep one and the
    same SA (secgw-dp's pair and charon's INSTALLED one, the one IKE SA agree), and
    a ping through secgw-dp goes on.  Our later rekeys (every 3 s) then go through
    as usual."""
    with Lab("ikecoll") as lab:
        child_s, ike_s = (3, 0) if what == "child" else (0, 3)
        sw_ns, gw_ns, host, swdir, gwdir, prefix = via_dp_lab(lab, tmp_path, "co")
        ours = "    rekey_time: %d\n    ike_rekey_time: %d\n" % (child_s, ike_s)
        text = dataplane_yaml(prefix) + DP_PORTS + connections_yaml(IKE, "aes128gcm16",
                                                                    True, ours)
        gw = Gateway(build, gw_ns, text, gwdir, name="gw")
        charon = Charon(sw_ns, swdir, IKE, "aes128gcm16", "rekey_time = 0\n life_time = 300s")
        charon_ike_extra(charon, "rekey_time = 0")
        charon.start()
        gw.start()
        sg = SecgwIke(build, gw_ns, gwdir, None, None, True, cfg=gw.config)
        try:
            sg.start(["--dp", prefix, "--via-dp"])
            sg.wait_for(KEYS_RE)
            t0 = time.time()
            wait_installed(charon)
            sw_ns.ip("route", "add", NET_SG, "dev", "ipsec0", "src", "10.99.7.1")
            pinger = host.popen(["ping", "-c", "50", "-i", "0.2", "-W", "2", "10.99.7.1"],
                                stdout=subprocess.PIPE, text=True)
            time.sleep(max(0, t0 + 2 - time.time()))
            gw.proc.send_signal(signal.SIGSTOP)
            try:
                r = charon.swanctl("--rekey", *(["--child", "net"] if what == "child"
                                                else ["--ike", "sg"]), check=False)
                assert r.returncode == 0, r.stdout + r.stderr
                time.sleep(max(0, t0 + 3.8 - time.time()))
            finally:
                gw.proc.send_signal(signal.SIGCONT)
            out = pinger.communicate(timeout=30)[0]
            m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
            assert m, out
            sent, got = int(m.group(1)), int(m.group(2))
            log = sg.logtext()
            coll = len(re.findall(r"collision: the peer's new", log))
            won = len(re.findall(r"collision won", log))
            lost = len(re.findall(r"collision lost", log))
            rekeys = len(re.findall(r"Child SA rekeyed|IKE SA rekeyed", log))
            clog = charon.logtext()
            print("simultaneous %s rekeys: %d collisions (%d won, %d lost), %d rekeys; "
                  "ping %d sent, %d received; charon: %s" % (
                      what, coll, won, lost, rekeys, sent, got,
                      re.findall(r"(?:detected \w+ collision with \w+|rekey collision \w+)",
                                 clog)))
            assert coll == 1 and won + lost == 1, log[-4000:]
            assert "collision" in clog, clog[-3000:]
            assert "peer error" not in log
            assert sent - got <= rekeys, out[-1500:]

            def agree():
                keys = re.findall(KEYS_RE, sg.logtext())
                newest = {int(keys[-1][0], 16), int(keys[-1][1], 16)}
                listed = list_sas(charon)
                ike = ike_ctl(build, ["-p", prefix], "--json", "ike", "list")["ike_sas"]
                return (set(gw.sa_list()) == newest and listed.count("INSTALLED") == 1 and
                        all("%08x" % s in listed for s in newest) and
                        listed.count("ESTABLISHED") == 1 and len(ike) == 1 and
                        ike[0]["spi_i"] in listed.lower())
            wait_until(agree, 15, "both sides to agree on one SA")
            lab.stop(sg.proc)
            assert sg.proc.returncode == 0, sg.logtext()[-3000:]
        finally:
            stop(lab, sg, gw)
