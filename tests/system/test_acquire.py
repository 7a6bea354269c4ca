# SPDX-License-Identifier: BSD-3-Clause
"""Trap policies: outbound traffic that waits for an SA is dropped and counted,
and raises one acquire event per address pair and second on the control channel, with
the first packet's selector (dataplane/acquire.h).  The IKE daemon's side
(`start: trap`) is in test_ike_strongswan.py."""
import socket
import time

from scapy.layers.inet import IP
from scapy.layers.l2 import Ether

from conftest import changed, running_single_gw, send_frames, single_gw_config
from test_esp_scapy import udp
from test_lifetime import EV_ACQUIRE, read_events

TRAP = ("policies:\n"
        "  - {name: trap-net3, direction: out, src: 10.99.1.0/24, dst: 10.99.3.0/24,"
        " action: trap, priority: 2000}\n")


def trap_config(uid):
    return single_gw_config(uid, "aes-128-gcm").replace("policies:\n", TRAP, 1)


def send_flow(t, name, dst, sport, n, gap=0.002):
    frames = [bytes(Ether(src=t.mac_host, dst=t.mac_gw_in) /
                    IP(bytes(udp("10.99.1.2", dst, 100, i, sport=sport)))) for i in range(n)]
    send_frames(t.host, "h0", frames, t.workdir, name=name, burst=1, gap=gap)


def test_trap_raises_one_acquire_per_address_pair(build, tmp_path):
    with running_single_gw(build, str(tmp_path), "aes-128-gcm", "q", trap_config) as t:
        before = t.gw.stats()
        send_flow(t, "f1", "10.99.3.7", 1111, 40, gap=0.005)
        time.sleep(0.2)
        send_flow(t, "f2", "10.99.3.8", 2222, 5)
        time.sleep(0.3)  # the main lcore drains the punt ring on its next poll
        d = changed(before, t.gw.stats())
        ev = read_events(t.gw.prefix)
        acq = [e for e in ev if e[3] == EV_ACQUIRE]
        # (family, proto, sport, dport, src, dst)
        got = [(e[5], e[6], e[7], socket.inet_ntoa(e[9][:4]), socket.inet_ntoa(e[10][:4]))
               for e in acq]
        assert got == [(socket.AF_INET, 17, 1111, "10.99.1.2", "10.99.3.7"),
                       (socket.AF_INET, 17, 2222, "10.99.1.2", "10.99.3.8")], (ev, d)
        # every trapped packet dropped and counted, none protected or forwarded
        assert d.get("drop_policy_trap") == 45, d
        assert d.get("acquire") == 2 and d.get("out_protect", 0) == 0, d
        # f1's 40 packets span 200 ms: the worker punted several (one per 10 ms), the
        # main lcore raised the first and suppressed the rest of that address pair
        assert d.get("acquire_repeat", 0) >= 1, d

        time.sleep(1.1)
        send_flow(t, "f1c", "10.99.3.7", 1111, 1)
        time.sleep(0.3)
        again = [e for e in read_events(t.gw.prefix, acq[-1][0] + 1) if e[3] == EV_ACQUIRE]
        assert len(again) == 1 and socket.inet_ntoa(again[0][10][:4]) == "10.99.3.7", again

        # a protect policy with a smaller priority value takes the traffic from the trap
        d0 = t.gw.stats()
        send_flow(t, "p", "10.99.2.9", 3333, 4)
        time.sleep(0.2)
        d = changed(d0, t.gw.stats())
        assert d.get("out_protect") == 4 and d.get("drop_policy_trap", 0) == 0, d
        pol = t.gw.ctl("policy", "list")
        assert any(p.get("action") == "trap" for p in
                   (pol.values() if isinstance(pol, dict) else pol)), pol
