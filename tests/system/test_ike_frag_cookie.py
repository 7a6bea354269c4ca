# SPDX-License-Identifier: BSD-3-Clause
"""secgw-ike against strongSwan: IKE fragmentation (RFC 7383) and COOKIEs (RFC 7296 §2.6).

- Fragmentation both ways, with secgw-ike as responder and as initiator: both
  sides with a 300-octet fragment size and long identities, so that IKE_AUTH
  does not fit one fragment either way.  tshark
  shows Encrypted Fragment payloads from both addresses and nothing malformed,
  charon logs that it reassembled our message, secgw-ike that it reassembled
  charon's (and counts them in `secgwctl ike list`), and the Child SA is
  established.
- COOKIE: with ike.cookie_threshold 0 every IKE_SA_INIT without a valid cookie
  gets N(COOKIE) (in the capture, from us); charon retries with it and the SAs
  come up.
- Half-open flood: bogus IKE_SA_INIT requests from one address stay within
  ike.half_open_per_source (the rest dropped and counted in `secgwctl ike
  list`), a real charon from another address still connects, and the
  flood's half-open SAs are deleted after 30 s.
"""

import os
import random
import socket
import struct
import time

import pytest

from netns import Lab, run
from test_ike_strongswan import (ADDR_SG, ADDR_SW, ID_SG, ID_SW, Charon, SecgwIke,
                                 connections_yaml, ike_ctl, list_sas, two_namespaces,
                                 wait_installed)
from conftest import Sniffer

IKE, ESP = "aes128gcm16-prfsha256-x25519", "aes128gcm16"
# Identities long enough that IKE_AUTH needs two or three 300-octet fragments.
LONG_SG = "sg-" + "a" * 150 + ".secgw.test"
LONG_SW = "sw-" + "b" * 150 + ".secgw.test"


def long_ids(path):
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(text.replace(ID_SG, LONG_SG).replace(ID_SW, LONG_SW))


def charon_option(charon, line):
    """One more line in charon's strongswan.conf charon { } section."""
    with open(charon.conf) as f:
        text = f.read()
    with open(charon.conf, "w") as f:
        f.write(text.replace("charon {\n", "charon {\n    %s\n" % line, 1))


def tshark(pcap, *args):
    return run(["tshark", "-r", pcap] + list(args), check=False)


@pytest.mark.parametrize("we_initiate", [False, True], ids=["sg-responder", "sg-initiator"])
def test_fragmentation_both_ways(build, tmp_path, we_initiate):
    with Lab("ikefrag") as lab:
        sw_ns, sg_ns = two_namespaces(lab)
        swdir, sgdir = str(tmp_path / "sw"), str(tmp_path / "sg")
        os.makedirs(sgdir)
        charon = Charon(sw_ns, swdir, IKE, ESP)
        charon_option(charon, "fragment_size = 300")
        long_ids(os.path.join(swdir, "swanctl.conf"))
        with open(os.path.join(swdir, "swanctl.conf")) as f:
            text = f.read()
        with open(os.path.join(swdir, "swanctl.conf"), "w") as f:
            f.write(text.replace("version = 2\n", "version = 2\n        fragmentation = yes\n"))
        charon.start()
        cfg = os.path.join(sgdir, "ike.yaml")
        with open(cfg, "w") as f:
            f.write(connections_yaml(IKE, ESP, we_initiate,
                                     "    fragmentation: yes\n    fragment_size: 300\n"))
        long_ids(cfg)
        # each side's capture holds what the other side sent
        cap_sw = Sniffer(sw_ns, "ikesw0", sgdir, "at_sw", ipproto=17, timeout=60).__enter__()
        cap_sg = Sniffer(sg_ns, "ikesg0", sgdir, "at_sg", ipproto=17, timeout=60).__enter__()
        sg = SecgwIke(build, sg_ns, sgdir, None, None, we_initiate, cfg=cfg)
        sock = os.path.join(sgdir, "ike.ctl")
        sg.start(["--ctl", sock])
        if not we_initiate:
            r = charon.swanctl("--initiate", "--child", "net", "--timeout", "20", check=False)
            assert r.returncode == 0, r.stdout + r.stderr + sg.logtext()[-3000:]
        sg.wait_for(r"CHILD-KEYS conn=sw")
        wait_installed(charon)
        ours = sg.wait_for(r"%s 1: (\d+) octets in (\d+) fragments"
                           % ("request" if we_initiate else "response"))
        theirs = sg.wait_for(r"message 1 reassembled: (\d+) octets")
        sa = ike_ctl(build, ["-s", sock], "--json", "ike", "list")["ike_sas"][0]
        assert sa["frag"] == "on" and sa["frag_reasm"] == 1, sa
        assert sa["frag_out"] == int(ours.group(2)) and sa["frag_in"] >= 2, sa
        lab.stop(sg.proc)
        assert sg.proc.returncode == 0, sg.logtext()[-3000:]
        time.sleep(0.5)
        cap_sw.stop()
        cap_sg.stop()

        frags = {}
        for pcap in (cap_sw.pcap, cap_sg.pcap):
            bad = tshark(pcap, "-Y", "_ws.malformed || _ws.expert.severity >= error")
            assert bad.returncode == 0 and bad.stdout.strip() == "", bad.stdout + bad.stderr
            out = tshark(pcap, "-Y", "isakmp.typepayload == 53", "-T", "fields",
                         "-e", "ip.src", "-e", "isakmp.frag.number", "-e", "isakmp.frag.total",
                         "-e", "frame.len")
            for line in out.stdout.splitlines():
                src, num, total, flen = line.split("\t")
                frags.setdefault(src, []).append((int(num), int(total), int(flen)))
        # both ways, every fragment within 300 octets of IP datagram (frame: + 14 Ethernet)
        assert ADDR_SG in frags and ADDR_SW in frags, frags
        for src, lst in frags.items():
            assert all(flen - 14 <= 300 for _, _, flen in lst), (src, lst)
            assert {n for n, _, _ in lst} == set(range(1, lst[0][1] + 1)), (src, lst)
        assert len(frags[ADDR_SG]) == int(ours.group(2)) >= 2
        assert len(frags[ADDR_SW]) == sa["frag_in"], (frags, sa)
        log = charon.logtext()
        assert "reassembled fragmented IKE message" in log, log[-3000:]
        print("secgw-ike: IKE_AUTH %s %s octets in %s fragments; charon's answer/request "
              "%s octets reassembled from %d fragments; ike list: frag_out=%d frag_in=%d "
              "frag_reasm=%d" % ("request" if we_initiate else "response",
                                 ours.group(1), ours.group(2), theirs.group(1),
                                 len(frags[ADDR_SW]), sa["frag_out"], sa["frag_in"],
                                 sa["frag_reasm"]))


def start_responder(build, lab, tmp_path, ike_section, extra_conns=""):
    """charon (not yet started) and secgw-ike waiting for it, with the top-level
    ike: section given and its control socket; returns charon, secgw-ike, socket."""
    sw_ns, sg_ns = two_namespaces(lab)
    swdir, sgdir = str(tmp_path / "sw"), str(tmp_path / "sg")
    os.makedirs(sgdir)
    charon = Charon(sw_ns, swdir, IKE, ESP)
    cfg = os.path.join(sgdir, "ike.yaml")
    with open(cfg, "w") as f:
        f.write(ike_section + connections_yaml(IKE, ESP, False) + extra_conns)
    sg = SecgwIke(build, sg_ns, sgdir, None, None, False, cfg=cfg)
    sock = os.path.join(sgdir, "ike.ctl")
    return sw_ns, charon, sg, sock


def stats(build, sock):
    return ike_ctl(build, ["-s", sock], "--json", "ike", "stats")


def test_cookie_strongswan_initiator(build, tmp_path):
    """ike.cookie_threshold 0: charon's first IKE_SA_INIT gets N(COOKIE) from us
    (in the capture), its retry carries the cookie and the SAs come up."""
    with Lab("ikeck") as lab:
        sw_ns, charon, sg, sock = start_responder(build, lab, tmp_path,
                                                  "ike:\n  cookie_threshold: 0\n")
        charon.start()
        cap = Sniffer(sw_ns, "ikesw0", sg.dir, "at_sw", ipproto=17, timeout=60).__enter__()
        sg.start(["--ctl", sock])
        r = charon.swanctl("--initiate", "--child", "net", "--timeout", "20", check=False)
        assert r.returncode == 0, r.stdout + r.stderr + sg.logtext()[-3000:]
        sg.wait_for(r"CHILD-KEYS conn=sw")
        wait_installed(charon)
        st = stats(build, sock)
        assert st["cookies_sent"] == 1 and st["cookies_accepted"] == 1, st
        assert st["cookies_invalid"] == 0 and st["half_open"] == 0, st
        lab.stop(sg.proc)
        assert sg.proc.returncode == 0, sg.logtext()[-3000:]
        time.sleep(0.5)
        cap.stop()
        bad = tshark(cap.pcap, "-Y", "_ws.malformed || _ws.expert.severity >= error")
        assert bad.returncode == 0 and bad.stdout.strip() == "", bad.stdout + bad.stderr
        out = tshark(cap.pcap, "-Y", "ip.src == %s && isakmp.notify.msgtype == 16390" % ADDR_SG,
                     "-T", "fields", "-e", "isakmp.exchangetype", "-e", "isakmp.rspi",
                     "-e", "isakmp.notify.data")
        rows = [line.split("\t") for line in out.stdout.splitlines() if line.strip()]
        assert len(rows) == 1, out.stdout
        exch, rspi, data = rows[0]
        assert exch == "34" and int(rspi, 16) == 0 and len(data) == 2 * 33, rows
        assert "received COOKIE notify" in charon.logtext(), charon.logtext()[-3000:]
        print("N(COOKIE) from us: %d-octet cookie; stats %s" % (len(data) // 2, st))


FLOOD_ADDR = "10.99.5.3"
FLOOD_N = 20


def ike_sa_init_request(spi):
    """An IKE_SA_INIT request for aes128gcm16-prfsha256-x25519 with random KE and nonce."""
    xf = (struct.pack("!BBHBBH", 3, 0, 12, 1, 0, 20) + struct.pack("!HH", 0x800e, 128) +
          struct.pack("!BBHBBH", 3, 0, 8, 2, 0, 5) + struct.pack("!BBHBBH", 0, 0, 8, 4, 0, 31))
    prop = struct.pack("!BBHBBBB", 0, 0, 8 + len(xf), 1, 1, 0, 3) + xf
    sa = struct.pack("!BBH", 34, 0, 4 + len(prop)) + prop
    ke = struct.pack("!BBHHH", 40, 0, 8 + 32, 31, 0) + os.urandom(32)
    nonce = struct.pack("!BBH", 0, 0, 4 + 32) + os.urandom(32)
    body = sa + ke + nonce
    return struct.pack("!QQBBBBII", spi, 0, 33, 0x20, 34, 0x08, 0, 28 + len(body)) + body


def test_half_open_flood(build, tmp_path):
    """FLOOD_N IKE_SA_INIT requests from one configured peer address (raw UDP, new
    SPIs): half_open_per_source of them get an SA, the rest are dropped and counted;
    charon from its own address still connects; the flood's SAs are gone 30 s later."""
    flood_conn = connections_yaml(IKE, ESP, False).replace("connections:\n", "").replace(
        "name: sw", "name: flood").replace("remote_addr: %s" % ADDR_SW,
                                           "remote_addr: %s" % FLOOD_ADDR)
    with Lab("ikefl") as lab:
        sw_ns, charon, sg, sock = start_responder(
            build, lab, tmp_path,
            "ike:\n  cookie_threshold: 100\n  half_open_per_source: 3\n  half_open_max: 50\n",
            flood_conn)
        sw_ns.ip("addr", "add", FLOOD_ADDR + "/24", "dev", "ikesw0")
        charon.start()
        sg.start(["--ctl", sock])
        flood = ("import socket, sys\n"
                 "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                 "s.bind((%r, 0))\n"
                 "for line in sys.stdin.read().split():\n"
                 "    s.sendto(bytes.fromhex(line), (%r, 500))\n" % (FLOOD_ADDR, ADDR_SG))
        reqs = "\n".join(ike_sa_init_request(random.getrandbits(63) | 1).hex()
                         for _ in range(FLOOD_N))
        t0 = time.time()
        sw_ns.run(["python3", "-c", flood], input=reqs)
        deadline = time.time() + 10
        while time.time() < deadline:
            st = stats(build, sock)
            if st["dropped_half_open_per_source"] + st["half_open"] >= FLOOD_N:
                break
            time.sleep(0.2)
        assert st["half_open"] == 3, st
        assert st["dropped_half_open_per_source"] == FLOOD_N - 3, st
        # the daemon still answers the genuine peer at once
        r = charon.swanctl("--initiate", "--child", "net", "--timeout", "20", check=False)
        assert r.returncode == 0, r.stdout + r.stderr + sg.logtext()[-3000:]
        t_connect = time.time() - t0
        wait_installed(charon)
        assert "ESTABLISHED" in list_sas(charon)
        st = stats(build, sock)
        assert st["half_open"] == 3 and st["cookies_sent"] == 0, st
        # the flood's half-open SAs go after 30 s of silence (IKE_HALF_OPEN_MS)
        while stats(build, sock)["half_open"] > 0 and time.time() - t0 < 34:
            time.sleep(0.5)
        t_reaped = time.time() - t0
        assert stats(build, sock)["half_open"] == 0, t_reaped
        assert 29 <= t_reaped, t_reaped
        assert sg.logtext().count("half-open: no IKE_AUTH within 30000 ms") == 3
        assert "ESTABLISHED" in list_sas(charon)
        lab.stop(sg.proc)
        assert sg.proc.returncode == 0, sg.logtext()[-3000:]
        print("flood of %d from %s: %d half-open, %d dropped per source; charon connected "
              "%.1f s after the flood began; half-open SAs gone after %.1f s"
              % (FLOOD_N, FLOOD_ADDR, st["half_open"], st["dropped_half_open_per_source"],
                 t_connect, t_reaped))
