# SPDX-License-Identifier: BSD-3-Clause
"""Two Child SAs in one IKE SA (RFC 7296 §1.3.1) between strongSwan and
secgw-ike through secgw-dp (test_ike_strongswan.via_dp_lab): the connection's
`children:` are 10.99.6.0/25 <-> 10.99.7.0/25 and 10.99.6.128/25 <->
10.99.7.128/25; charon has the same two children.  Either secgw-ike initiates
(IKE_AUTH with the first, then CREATE_CHILD_SA for the second) or charon does
(`swanctl --initiate` of each child: the second is its CREATE_CHILD_SA); the
initiator rekeys each Child SA on its own every 4 s.  Both Child SAs are INSTALLED at charon and in
secgw-dp (two SA pairs), `secgwctl ike list` shows both Child SAs, and the
host pings an address in each remote network (from one in each local one)
without loss over the rekeys.
"""
import os
import re

import pytest

from netns import Lab
from test_ike_strongswan import (ID_SG, ID_SW, NET_SG, PSK, Charon, charon_connection,
                                 gateway_facing_charon, ike_ctl, list_sas, wait_until)

IKE, ESP = "aes128gcm16-prfsha256-x25519", "aes128gcm16"
# (ours, charon's): 10.99.6.0/25 <-> 10.99.7.0/25, 10.99.6.128/25 <-> 10.99.7.128/25
PAIRS = [("10.99.6.0/25", "10.99.7.0/25"), ("10.99.6.128/25", "10.99.7.128/25")]
# a pinging address in each of our networks, the pinged one in each of charon's
ADDRS = [("10.99.6.2", "10.99.7.1"), ("10.99.6.130", "10.99.7.129")]
KEYS = r"CHILD-KEYS conn=sw spi_in=([0-9a-f]{8}) spi_out=([0-9a-f]{8})"


def two_children_yaml(start, rekey):
    kids = "".join("      - {local_ts: %s, remote_ts: %s}\n" % p for p in PAIRS)
    return """connections:
  - name: sw
    local_addr: 10.99.5.1
    remote_addr: 10.99.5.2
    local_id: %s
    remote_id: %s
    psk: "%s"
    ike: [%s]
    esp: [%s]
    children:
%s    start: %s
    rekey_time: %d
""" % (ID_SG, ID_SW, PSK, IKE, ESP, kids, start, rekey)


def two_children_charon(ns, workdir, rekey="0"):
    """charon with the two children; rekey: their rekey_time."""
    c = Charon(ns, workdir, IKE, ESP)
    # life_time well past rekey_time: libipsec's whole-second expiry would else hit first
    kids = "".join("""            net%d { local_ts = %s
                   remote_ts = %s
                   esp_proposals = %s
                   rekey_time = %s
                   life_time = 60s
                   rand_time = 1s }
""" % (i + 1, p[1], p[0], ESP, rekey) for i, p in enumerate(PAIRS))
    with open(os.path.join(workdir, "swanctl.conf"), "w") as f:
        f.write(charon_connection("sg", None, IKE, ESP, children=kids))
        f.write("""secrets { ike-sg { id-sg = %s
                   id-sw = %s
                   secret = "%s" } }
""" % (ID_SG, ID_SW, PSK))
    return c


def ping(host, src, dst, count):
    p = host.run(["ping", "-c", str(count), "-i", "0.2", "-W", "2", "-I", src, dst],
                 check=False, timeout=60)
    m = re.search(r"(\d+) packets transmitted, (\d+) received", p.stdout)
    assert m, p.stdout
    return int(m.group(1)), int(m.group(2))


@pytest.mark.parametrize("initiator", ["secgw", "charon"])
def test_two_child_sas(build, tmp_path, initiator):
    with Lab("ikekids") as lab:
        # the initiator also rekeys each Child SA every 4 s
        ours = initiator == "secgw"
        sw_ns, host, gw, charon, sg = gateway_facing_charon(
            build, lab, tmp_path, "kd", None,
            conn=two_children_yaml("initiate" if ours else "wait", 4 if ours else 0),
            make_charon=lambda ns, d: two_children_charon(ns, d, "0" if ours else "4s"))
        host.ip("addr", "add", ADDRS[1][0] + "/24", "dev", "h0")
        sw_ns.ip("addr", "add", ADDRS[1][1] + "/32", "dev", "lo")
        sock = os.path.join(str(tmp_path), "ike.ctl")
        try:
            sg.start(["--dp", gw.prefix, "--via-dp", "--ctl", sock])
            if initiator == "charon":
                charon.swanctl("--initiate", "--child", "net1")
                charon.swanctl("--initiate", "--child", "net2")
            wait_until(lambda: list_sas(charon).count("INSTALLED") == 2, 15,
                       "two Child SAs at charon")
            wait_until(lambda: len(gw.sa_list()) == 4, 10, "two SA pairs in secgw-dp")
            sw_ns.ip("route", "add", NET_SG, "dev", "ipsec0", "src", ADDRS[0][1])
            listed = list_sas(charon)
            assert listed.count("ESTABLISHED") == 1, listed  # one IKE SA
            text = ike_ctl(build, ["-s", sock], "ike", "list").stdout
            kids = re.findall(r"^sw\s+([0-9a-f]{8})\s+([0-9a-f]{8})\s", text, re.M)
            assert len(kids) == 2, text
            assert {int(x, 16) for k in kids for x in k} == set(gw.sa_list()), text
            results = [ping(host, src, dst, 25) for src, dst in ADDRS]
            log = sg.logtext()
            done = "Child SA rekeyed: " if ours else "Child SA rekeyed by the peer: "
            rekeys = log.count(done)
            print("initiator %s: pings %s, %d Child SA rekeys, %d CHILD-KEYS"
                  % (initiator, results, rekeys, len(re.findall(KEYS, log))))
            for sent, got in results:
                assert sent == got, (results, log[-3000:])
            # each of the two rekeys on its own timer: at least one rekey of each
            assert rekeys >= 2, log[-4000:]
            for spi_in, _ in re.findall(KEYS, log)[:2]:
                assert "%s0x%s/" % (done, spi_in) in log, (spi_in, log[-4000:])
            wait_until(lambda: len(gw.sa_list()) == 4, 10, "old pairs removed")
            assert list_sas(charon).count("INSTALLED") == 2
            if initiator == "charon":
                assert "new Child SA" in log and "by the peer" in log, log[-3000:]
            lab.stop(sg.proc)
            assert sg.proc.returncode == 0, sg.logtext()[-3000:]
            assert len(gw.sa_list()) == 0
        finally:
            if getattr(sg, "proc", None) is not None and sg.proc.poll() is None:
                lab.stop(sg.proc)
            gw.stop()
