# SPDX-License-Identifier: BSD-3-Clause
"""secgw-ike and strongSwan with a real NAT between them (RFC 7296 §2.23, RFC 3948).

charon -- nat -- secgw-dp -- host: a namespace between charon and secgw-dp's
outside port translates the source address (and port: nftables `masquerade to
:40000-40999`) of what leaves through its outside link.  The initiator sits
behind the NAT, for each side in turn:

- sw-behind-nat: charon (10.99.8.2) initiates to secgw (10.99.5.1), which sees
  it as the NAT (10.99.5.2);
- sg-behind-nat: secgw-ike initiates through secgw-dp's relay (--via-dp) to
  charon (10.99.8.2), which sees it as the NAT (10.99.8.1).

Both sides detect the NAT (`secgwctl ike list --json` nat_local / nat_remote,
vici's nat-local / nat-remote flags), IKE floats to 4500, the Child SA is ESP in
UDP on both sides, a host behind secgw-dp pings a host behind charon through
it, and a capture on the NAT's outside link holds only UDP (500 for
IKE_SA_INIT, 4500 after), ESP only inside UDP 4500, no address from behind the
NAT, and NAT keepalives (keepalive 2 s) from the side behind it.
"""

import os
import subprocess
import time

import pytest

from conftest import Gateway, Sniffer, dataplane_yaml
import tshark_esp
from netns import Lab
from test_ike_strongswan import (ADDR_SG, DP_PORTS, NET_SG, Charon, SecgwIke, connections_yaml,
                                 ike_ctl, list_sas, ping_far_host, wait_installed, wait_until)

SUITE = ("aes128gcm16-prfsha256-x25519", "aes128gcm16")
ADDR_SW_PRIV, ADDR_NAT_SW = "10.99.8.2", "10.99.8.1"  # charon's link to the NAT
ADDR_NAT_SG = "10.99.5.2"                             # the NAT on secgw-dp's link
NAT_PORTS = (40000, 40999)
KEEPALIVE_S = 2


def have_nat_tool():
    return subprocess.run(["which", "nft"], capture_output=True).returncode == 0


pytestmark = pytest.mark.skipif(not have_nat_tool(), reason="nftables (nft) not installed")


def nat_lab(lab, tmp_path, outside_if):
    """charon -- nat -- secgw-dp -- host; the NAT translates what leaves through
    outside_if ("natgw" faces secgw-dp, "natsw" faces charon)."""
    sw_ns, nat, gw_ns, host = (lab.netns(r) for r in ("sw", "nat", "gw", "host"))
    lab.veth(sw_ns, "ikesw0", nat, "natsw")
    lab.veth(nat, "natgw", gw_ns, "dpout")
    lab.veth(host, "h0", gw_ns, "dpin")
    sw_ns.ip("addr", "add", ADDR_SW_PRIV + "/24", "dev", "ikesw0")
    sw_ns.ip("route", "add", "default", "via", ADDR_NAT_SW)
    # kernel-libipsec needs a local address in charon's selector
    sw_ns.ip("addr", "add", "10.99.7.1/32", "dev", "lo")
    nat.ip("addr", "add", ADDR_NAT_SW + "/24", "dev", "natsw")
    nat.ip("addr", "add", ADDR_NAT_SG + "/24", "dev", "natgw")
    nat.sysctl("net.ipv4.ip_forward", 1)
    nat.run(["nft", "add table ip nat; "
             "add chain ip nat post { type nat hook postrouting priority srcnat; }; "
             "add rule ip nat post oifname %s meta l4proto udp masquerade to :%d-%d"
             % (outside_if, NAT_PORTS[0], NAT_PORTS[1])])
    host.ip("addr", "add", "10.99.6.2/24", "dev", "h0")
    host.ip("route", "add", "default", "via", "10.99.6.1")
    swdir, gwdir = str(tmp_path / "sw"), str(tmp_path / "gw")
    os.makedirs(gwdir)
    return sw_ns, nat, gw_ns, host, swdir, gwdir


def charon_nat_flags(charon):
    """The IKE SA's NAT flags from vici (swanctl --list-sas --raw)."""
    raw = charon.swanctl("--list-sas", "--raw").stdout
    return {f for f in ("nat-local", "nat-remote", "nat-fake", "nat-any")
            if (f + "=yes") in raw}


@pytest.mark.parametrize("behind", ["sw", "sg"], ids=["sw-behind-nat", "sg-behind-nat"])
def test_ike_through_nat(build, tmp_path, behind):
    with Lab("ikenat") as lab:
        outside_if = "natgw" if behind == "sw" else "natsw"
        sw_ns, nat, gw_ns, host, swdir, gwdir = nat_lab(lab, tmp_path, outside_if)
        prefix = lab.uid + "nat"
        # what each side sees of the other: the NAT's outside address for the one behind it
        sg_remote = ADDR_NAT_SG if behind == "sw" else ADDR_SW_PRIV
        sw_remote = ADDR_SG if behind == "sw" else ADDR_NAT_SW
        routes = DP_PORTS.rstrip("\n") + (
            "\n  - dst: 10.99.8.0/24\n    via: %s\n    port: outside\n\n" % ADDR_NAT_SG)
        text = dataplane_yaml(prefix) + routes + connections_yaml(
            SUITE[0], SUITE[1], behind == "sg", "    keepalive: %d\n" % KEEPALIVE_S,
            remote=sg_remote)
        gw = Gateway(build, gw_ns, text, gwdir, name="gw")
        charon = Charon(sw_ns, swdir, SUITE[0], SUITE[1], local=ADDR_SW_PRIV,
                        remote=sw_remote, conf_extra="keep_alive = %ds" % KEEPALIVE_S)
        charon.start()
        # the outside link, both ways: what each of its ends receives
        far_ns, far_if = (gw_ns, "dpout") if behind == "sw" else (sw_ns, "ikesw0")
        caps = [Sniffer(nat, outside_if, gwdir, "to-nat", timeout=90).__enter__(),
                Sniffer(far_ns, far_if, gwdir, "from-nat", timeout=90).__enter__()]
        sg = None
        try:
            gw.start()
            sock = os.path.join(gwdir, "ike.ctl")
            sg = SecgwIke(build, gw_ns, gwdir, None, None, True, cfg=gw.config)
            sg.start(["--dp", prefix, "--via-dp", "--ctl", sock])
            if behind == "sw":
                r = charon.swanctl("--initiate", "--child", "net", "--timeout", "20",
                                   check=False)
                assert r.returncode == 0, r.stdout + r.stderr + sg.logtext()[-3000:]
            m = sg.wait_for(r"CHILD-KEYS conn=sw spi_in=([0-9a-f]{8}) spi_out=([0-9a-f]{8})")
            spi_in, spi_out = int(m.group(1), 16), int(m.group(2), 16)
            wait_installed(charon)

            # 1. NAT detected by both, in the right place; IKE on 4500.
            sa = ike_ctl(build, ["-s", sock], "--json", "ike", "list")["ike_sas"]
            assert len(sa) == 1, sa
            sa = sa[0]
            # nat_remote is "yes" either way: charon with kernel-libipsec fakes its
            # NAT-D source hash to force UDP encapsulation (design.md §5)
            want_local = "yes" if behind == "sg" else "no"
            assert (sa["nat_local"], sa["nat_remote"]) == (want_local, "yes"), sa
            assert sa["local"] == ADDR_SG + ":4500", sa
            rip, rport = sa["remote"].split(":")
            if behind == "sw":
                # the NAT's address and one of its ports, not charon's 4500
                assert rip == ADDR_NAT_SG and NAT_PORTS[0] <= int(rport) <= NAT_PORTS[1], sa
            else:
                assert sa["remote"] == ADDR_SW_PRIV + ":4500", sa
            assert sa["child_sas"][0]["udp_encap"] == "on", sa
            flags = charon_nat_flags(charon)
            assert ("nat-local" in flags) == (behind == "sw"), flags
            assert ("nat-remote" in flags) == (behind == "sg"), flags
            sas = list_sas(charon)
            assert "TUNNEL-in-UDP" in sas and "[4500]" in sas, sas
            dp = gw.sa_list()
            assert spi_in in dp and spi_out in dp, dp

            # 2. ESP in UDP carries a ping both ways (secgw-dp <-> kernel-libipsec).
            sw_ns.ip("route", "add", NET_SG, "dev", "ipsec0", "src", "10.99.7.1")
            sent, got, out = ping_far_host(host, 10, "0.2")
            assert sent == got == 10, "%s\n%s\n%s" % (out, gw.stats(), sas)
            dp = gw.sa_list()
            assert dp[spi_out]["packets"] >= 10 and dp[spi_in]["packets"] >= 10, dp

            # 3. idle: the side behind the NAT keeps the mapping alive
            time.sleep(3 * KEEPALIVE_S + 1)
            lab.stop(sg.proc)
            assert sg.proc.returncode == 0, sg.logtext()[-3000:]
            wait_until(lambda: "ESTABLISHED" not in list_sas(charon), 10, "charon to drop the SA")
        finally:
            if sg is not None and sg.proc.poll() is None:
                lab.stop(sg.proc)
            gw.stop()
        for c in caps:
            c.stop()

        # 4. the NAT's outside link: the translated address only, UDP only, ESP only in 4500
        inside = ADDR_SW_PRIV if behind == "sw" else ADDR_SG
        public = ADDR_NAT_SG if behind == "sw" else ADDR_NAT_SW
        rows = [r for c in caps for r in tshark_esp.fields(
            c.pcap, [], gwdir, extra=["ip.src", "ip.proto", "udp.srcport", "udp.dstport",
                                      "udp.length", "isakmp.exchangetype",
                                      "frame.time_relative"])]
        ip = [r for r in rows if r["ip.src"]]
        assert not [r for r in ip if inside in (r["ip.src"], r["ip_dst"])], ip
        assert all(r["ip.proto"] == "17" for r in ip), ip
        assert not [r for r in ip if r["malformed"] or
                    any(x >= tshark_esp.WARNING for x in r["severity"])], ip
        esp = [r for r in ip if r["spi"]]
        assert all("4500" in (r["udp.srcport"], r["udp.dstport"]) for r in esp), esp
        from_nat = [r for r in esp if r["ip.src"] == public]
        assert len(from_nat) >= 10 and len(esp) - len(from_nat) >= 10, esp
        ike = [r for r in ip if r["isakmp.exchangetype"]]
        # IKE_SA_INIT on 500 (the NAT's side translated), everything after on
        # 4500 at the end that is not behind the NAT
        init = [r for r in ike if r["isakmp.exchangetype"] == "34"]
        assert init and all("500" in (r["udp.srcport"], r["udp.dstport"]) for r in init), init
        later = [r for r in ike if r["isakmp.exchangetype"] != "34"]
        assert later and all(r["udp.dstport" if r["ip.src"] == public else "udp.srcport"]
                             == "4500" for r in later), later
        # keepalives: one 0xFF byte in UDP to 4500 from behind the NAT, every ~2 s
        ka = [r["frame.time_relative"][:5] for r in ip if r["ip.src"] == public and
              r["udp.dstport"] == "4500" and r["udp.length"] == "9"]
        assert len(ka) >= 2, "no NAT keepalives from behind the NAT: %s" % ka
        sport = {r["udp.srcport"] for r in ip if r["ip.src"] == public}
        assert all(NAT_PORTS[0] <= int(s) <= NAT_PORTS[1] for s in sport), sport
        print("behind %s: %d ESP-in-UDP frames from the NAT, %d the other way, %d keepalives "
              "at %s s, NAT ports %s" % (behind, len(from_nat), len(esp) - len(from_nat), len(ka),
                                        ka, sorted(sport)))
