#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Send the Ethernet frames of a pcap file, in order, out of one interface.

    send.py --iface IF --pcap FILE [--burst N --gap SECONDS]

Frames go out exactly as stored (AF_PACKET raw socket): what the test built is
what the gateway receives.  --burst/--gap pace them (N frames, then a pause;
--burst 0: no pause).  Prints a JSON line {"sent": N}.
"""
import argparse
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcap  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--burst", type=int, default=16)
    ap.add_argument("--gap", type=float, default=0.002)
    a = ap.parse_args()
    _, frames, _ = pcap.read(a.pcap)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
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
