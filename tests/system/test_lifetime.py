# SPDX-License-Identifier: BSD-3-Clause
"""SA lifetimes: a soft limit raises one event on the control channel, a hard
limit stops the SA (drop_sa_expired) until it is replaced."""
import os
import socket
import struct
import time

import pytest
from scapy.layers.inet import IP
from scapy.layers.l2 import Ether

from conftest import Sniffer, changed, send_frames
from test_esp_scapy import udp

CTL_VERSION = 3  # control/ctl_proto.h
CTL_EVENTS = 7
EV_SOFT, EV_HARD, EV_ACQUIRE = 1, 2, 3
LIMIT_PACKETS = 2
REPLY = struct.Struct("<HHIIi200sII")  # struct ctl_reply
EVENT = struct.Struct("<QIIIIBBHH16s16s2x")  # struct ctl_event


def read_events(prefix, cursor=0):
    """Lifetime events from the data plane's control socket (control/ctl_proto.h)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    try:
        s.connect("/var/run/dpdk/%s/secgw.ctl" % prefix)
        s.send(struct.pack("<HHII", CTL_VERSION, CTL_EVENTS, 42, 4) + struct.pack("<I", cursor))
        r = s.recv(70000)
    finally:
        s.close()
    _, op, seq, length, status, err, count, _ = REPLY.unpack_from(r)
    assert (op, seq, status) == (CTL_EVENTS, 42, 0), err
    assert len(r) == REPLY.size + count * EVENT.size == 12 + length
    return [EVENT.unpack_from(r, REPLY.size + i * EVENT.size) for i in range(count)]


def send_outbound(t, first, n):
    frames = [bytes(Ether(src=t.mac_host, dst=t.mac_gw_in) /
                    IP(bytes(udp("10.99.1.2", "10.99.2.9", 200, first + i))))
              for i in range(n)]
    before = t.gw.stats()
    with Sniffer(t.peer, "p0", t.workdir, "esp%d" % first, ipproto=50, timeout=3) as sn:
        send_frames(t.host, "h0", frames, t.workdir, name="tx%d" % first)
        got = sn.wait(timeout=3)
    return got, changed(before, t.gw.stats())


@pytest.mark.parametrize("single_gw", [{"cipher": "aes-128-gcm",
                                        "out_lifetime": "soft_packets: 5, hard_packets: 10"}],
                         indirect=True)
def test_soft_event_then_hard_stop(single_gw):
    t = single_gw
    got, d = send_outbound(t, 0, 7)
    assert len(got) == 7 and d.get("out_protect") == 7, d
    time.sleep(0.3)  # the main lcore scans the SAD a slice at a time
    ev = read_events(t.gw.prefix)
    assert [(e[1], e[2], e[3], e[4]) for e in ev] == [(0x1001, 0, EV_SOFT, LIMIT_PACKETS)], ev
    assert t.gw.sa_list()[0x1001]["state"] == "live"

    got, d = send_outbound(t, 100, 3)  # packets 8..10: the hard limit is reached, not passed
    assert len(got) == 3, d
    time.sleep(0.3)
    ev = read_events(t.gw.prefix, ev[-1][0] + 1)
    assert [(e[1], e[3], e[4]) for e in ev] == [(0x1001, EV_HARD, LIMIT_PACKETS)], ev
    assert t.gw.sa_list()[0x1001]["state"] == "expired"

    got, d = send_outbound(t, 200, 20)
    assert got == [] and d.get("drop_sa_expired") == 20, d
    assert t.gw.sa_list()[0x1001]["packets"] == 10
    assert os.path.exists("/var/run/dpdk/%s/secgw.ctl" % t.gw.prefix)
