# SPDX-License-Identifier: BSD-3-Clause
"""Child SA rekeying on a volume limit: secgw-ike installs its Child SAs into
secgw-dp with the connection's life_packets as soft limit (hard 10 % above);
the data plane raises a soft-expiry event (CTL_EVENTS) when either half has
carried that many packets, secgw-ike reads it and rekeys the Child SA
(CREATE_CHILD_SA, make before break).  Time-based rekeying is off on both
sides, so every rekey is the packet limit's."""

import re
import time

from netns import Lab
from test_ike_strongswan import ike_through_dp, list_sas, ping_far_host
from test_lifetime import EV_HARD, EV_SOFT, LIMIT_PACKETS, read_events

LIFE_PACKETS = 100
KEYS = r"CHILD-KEYS conn=sw spi_in=([0-9a-f]{8}) spi_out=([0-9a-f]{8})"


def test_child_rekey_on_packet_limit(build, tmp_path):
    """A host behind secgw-dp pings a host behind strongSwan at 20 packets/s for
    15 s with life_packets 100: the Child SA is rekeyed at least twice, each time
    after the data plane's soft packet event for one of its halves (logged with
    the limit), never by time; no hard limit is reached, secgw-dp drops nothing,
    and the ping loses at most one packet per rekey."""
    ours = "    rekey_time: 0\n    life_packets: %d\n" % LIFE_PACKETS
    with Lab("ikelife") as lab, ike_through_dp(
            build, lab, tmp_path, "life", ours,
            "rekey_time = 0\n life_time = 120s") as (host, gw, charon, sg, first):
        sent, got, out = ping_far_host(host, 300, "0.05")
        time.sleep(1)  # a rekey in progress finishes
        log = sg.logtext()
        keys = [(int(a, 16), int(b, 16)) for a, b in re.findall(KEYS, log)]
        fired = re.findall(r"sw: Child SA spi_(in|out) 0x([0-9a-f]{8}) reached its "
                           r"(soft|hard) (\w+) limit: rekeying", log)
        rekeyed = re.findall(r"Child SA rekeyed: 0x([0-9a-f]{8})/0x([0-9a-f]{8}) -> ", log)
        events = [e for e in read_events(gw.prefix) if (e[1], e[2]) in
                  {(s, d) for k in keys for s, d in ((k[0], 1), (k[1], 0))}]
        drops = {k: v for k, v in gw.stats().items() if k.startswith("drop") and v}
        print("life_packets %d: %d rekeys (%s), ping %d sent, %d received, loss %d; "
              "data plane events %s; secgw-dp drops %s"
              % (LIFE_PACKETS, len(rekeyed), [f[2] + " " + f[3] for f in fired], sent, got,
                 sent - got, [(hex(e[1]), e[3], e[4]) for e in events], drops))
        assert len(rekeyed) >= 2 and len(keys) == len(rekeyed) + 1, log[-4000:]
        assert "rekeyed by the peer" not in log
        # every rekey of ours followed a soft packet event of the SA it replaced
        for old_in, old_out in rekeyed:
            assert any(f[2] == "soft" and f[3] == "packets" and
                       f[1] in (old_in, old_out) for f in fired), (old_in, fired)
        assert not [f for f in fired if f[2] == "hard"], fired
        # the data plane's own record: soft packet events only
        assert events and all(e[3] == EV_SOFT and e[4] == LIMIT_PACKETS for e in events), \
            events
        assert not [e for e in events if e[3] == EV_HARD], events
        assert not drops, drops
        assert sent - got <= len(rekeyed), out[-2000:]
        # the current pair is the last one, the first is gone on both sides
        sas = gw.sa_list()
        assert set(sas) == set(keys[-1]), (sas.keys(), keys)
        listed = list_sas(charon)
        assert ("%08x" % first[0]) not in listed and ("%08x" % keys[-1][0]) in listed, listed
        lab.stop(sg.proc)
        assert sg.proc.returncode == 0, sg.logtext()[-3000:]
