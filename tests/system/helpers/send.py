#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Send the Ethernet frames of a pcap file, in order, out of one interface.

    send.py --iface IF --pcap FILE [--burst N --gap SECONDS]

Frames go out exactly as stored (raw L2 socket): what the test builds is what the
gateway receives.  --burst/--gap pace them (N frames, then a pause).
Prints a JSON line {"sent": N}.
"""
import argparse
import json
import time

from scapy.all import conf, rdpcap


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--burst", type=int, default=16)
    ap.add_argument("--gap", type=float, default=0.002)
    a = ap.parse_args()
    frames = [bytes(p) for p in rdpcap(a.pcap)]
    s = conf.L2socket(iface=a.iface)
    try:
        for i, f in enumerate(frames):
            s.send(f)
            if a.burst and (i + 1) % a.burst == 0:
                time.sleep(a.gap)
    finally:
        s.close()
    print(json.dumps({"sent": len(frames)}))


if __name__ == "__main__":
    main()
