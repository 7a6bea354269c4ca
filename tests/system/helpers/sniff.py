#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Capture the frames an interface receives into a pcap file.

    sniff.py --iface IF --out FILE [--ethertype 0x0800[,0x86dd]] [--ipproto 50]
             [--count N] [--timeout S] [--ready FILE]

Only frames arriving at the interface are kept (not the ones it sends), filtered by
Ethernet type and IPv4 protocol when given.  Creates the --ready file once the
socket is bound (so the test knows no frame can be missed), stops after --count
frames, --timeout seconds or SIGTERM/SIGINT, and always writes what it captured.
Prints a JSON line {"captured": N}.
"""
import argparse
import json
import os
import select
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcap  # noqa: E402

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--ethertype", default=None,
                    type=lambda x: {int(t, 0) for t in x.split(",")})
    ap.add_argument("--ipproto", type=int, default=None)
    ap.add_argument("--count", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--ready", default=None)
    a = ap.parse_args()

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))

    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind((a.iface, ETH_P_ALL))
    if a.ready:
        with open(a.ready, "w") as f:
            f.write("ready\n")
    frames, stamps = [], []
    deadline = time.monotonic() + a.timeout
    try:
        while not stop and (not a.count or len(frames) < a.count):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                r, _, _ = select.select([s], [], [], min(left, 0.2))
            except InterruptedError:
                continue
            if not r:
                continue
            data, addr = s.recvfrom(65535)
            if addr[2] == PACKET_OUTGOING:
                continue
            if a.ethertype is not None and int.from_bytes(data[12:14], "big") not in a.ethertype:
                continue
            if a.ipproto is not None and (data[12:14] != b"\x08\x00" or data[23] != a.ipproto):
                continue
            frames.append(data)
            stamps.append(time.time())
    finally:
        pcap.write(a.out, frames, stamps)
        print(json.dumps({"captured": len(frames)}), flush=True)


if __name__ == "__main__":
    main()
