#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Capture frames on one interface into a pcap file.

    sniff.py --iface IF --out FILE [--filter BPF] [--count N] [--timeout S] [--ready FILE]

Creates the --ready file once the socket is open (so the test knows no packet
can be missed), stops after --count frames, --timeout seconds or SIGTERM/SIGINT,
and always writes what it captured.  Prints a JSON line {"captured": N}.
"""
import argparse
import json
import signal

from scapy.all import sniff, wrpcap


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--filter", default=None)
    ap.add_argument("--count", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--ready", default=None)
    a = ap.parse_args()

    def on_term(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)

    def ready():
        if a.ready:
            with open(a.ready, "w") as f:
                f.write("ready\n")

    got = []
    try:
        sniff(iface=a.iface, filter=a.filter, count=a.count, timeout=a.timeout,
              store=False, prn=got.append, started_callback=ready)
    except KeyboardInterrupt:
        pass
    finally:
        wrpcap(a.out, got)
        print(json.dumps({"captured": len(got)}), flush=True)


if __name__ == "__main__":
    main()
