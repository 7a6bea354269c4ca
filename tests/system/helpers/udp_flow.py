#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A checkable UDP flow over kernel sockets (no scapy: fast enough for 10k packets).

    udp_flow.py send --dst IP --port P --count N [--seed S --min 64 --max 1400
                     --burst 16 --gap 0.002 --marker TEXT]
    udp_flow.py recv --port P --count N [--seed S --min 64 --max 1400 --marker TEXT
                     --timeout 30 --idle 3 --ready FILE --out FILE.json]

Packet i has an Ethernet frame size (14 + 20 + 8 + payload, no FCS) drawn from
Random(seed) between --min and --max, and the payload
    marker (12 bytes) | seq i (4) | crc32 of everything after this field (4) | filler
so the receiver can tell, without any shared state but the seed, whether each
packet arrived, arrived once, has the right size and is intact.  The marker is the
plaintext the tests look for on the encrypted link.

recv prints and writes a JSON summary: received, missing (count and first few),
duplicates, corrupt, wrong_size, reordered, and exits 0 only if all arrived intact.
"""
import argparse
import json
import os
import random
import socket
import struct
import sys
import time
import zlib

HDRS = 14 + 20 + 8   # Ethernet + IPv4 + UDP
MARKER_LEN = 12


def sizes(seed, count, lo, hi):
    r = random.Random(seed)
    return [r.randint(lo, hi) for _ in range(count)]


def marker_bytes(text):
    m = text.encode()[:MARKER_LEN]
    return m + b"." * (MARKER_LEN - len(m))


def payload(marker, seq, frame_size):
    n = frame_size - HDRS
    fill_len = n - MARKER_LEN - 8
    fill = bytes((seq + j) & 0xFF for j in range(fill_len))
    body = fill
    crc = zlib.crc32(body)
    return marker + struct.pack("!II", seq, crc) + body


def check(marker, data, want_sizes):
    """-> (seq or None, problem or None)"""
    if len(data) < MARKER_LEN + 8 or data[:MARKER_LEN] != marker:
        return None, "corrupt"
    seq, crc = struct.unpack("!II", data[MARKER_LEN:MARKER_LEN + 8])
    if seq >= len(want_sizes):
        return None, "corrupt"
    body = data[MARKER_LEN + 8:]
    if zlib.crc32(body) != crc or body != payload(marker, seq, len(data) + HDRS)[MARKER_LEN + 8:]:
        return seq, "corrupt"
    if len(data) + HDRS != want_sizes[seq]:
        return seq, "wrong_size"
    return seq, None


def do_send(a):
    marker = marker_bytes(a.marker)
    sz = sizes(a.seed, a.count, a.min, a.max)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    t0 = time.monotonic()
    sent = 0
    for i in range(a.count):
        while True:
            try:
                s.sendto(payload(marker, i, sz[i]), (a.dst, a.port))
                break
            except (BlockingIOError, OSError) as e:
                # ENOBUFS / EAGAIN: the qdisc is full, wait a little
                if getattr(e, "errno", None) not in (105, 11):
                    raise
                time.sleep(0.001)
        sent += 1
        if a.burst and sent % a.burst == 0:
            time.sleep(a.gap)
    res = {"sent": sent, "seconds": round(time.monotonic() - t0, 3)}
    print(json.dumps(res), flush=True)


def do_recv(a):
    marker = marker_bytes(a.marker)
    sz = sizes(a.seed, a.count, a.min, a.max)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # root: force a large buffer whatever net.core.rmem_max says
    s.setsockopt(socket.SOL_SOCKET, 33, 32 << 20)  # SO_RCVBUFFORCE
    s.bind(("0.0.0.0", a.port))
    if a.ready:
        with open(a.ready, "w") as f:
            f.write("ready\n")
    seen = bytearray(a.count)
    res = {"received": 0, "duplicates": 0, "corrupt": 0, "wrong_size": 0, "reordered": 0}
    last = -1
    deadline = time.monotonic() + a.timeout
    idle_deadline = None
    while res["received"] < a.count:
        now = time.monotonic()
        if now >= deadline or (idle_deadline and now >= idle_deadline):
            break
        s.settimeout(min(deadline, idle_deadline or deadline) - now)
        try:
            data = s.recv(65535)
        except socket.timeout:
            break
        idle_deadline = time.monotonic() + a.idle
        seq, problem = check(marker, data, sz)
        if problem:
            res[problem] += 1
            continue
        if seen[seq]:
            res["duplicates"] += 1
            continue
        seen[seq] = 1
        res["received"] += 1
        if seq < last:
            res["reordered"] += 1
        last = max(last, seq)
    missing = [i for i in range(a.count) if not seen[i]]
    res["missing"] = len(missing)
    res["missing_first"] = missing[:20]
    res["expected"] = a.count
    res["ok"] = (res["received"] == a.count and not res["corrupt"] and
                 not res["duplicates"] and not res["wrong_size"])
    txt = json.dumps(res)
    if a.out:
        with open(a.out + ".tmp", "w") as f:
            f.write(txt)
        os.rename(a.out + ".tmp", a.out)
    print(txt, flush=True)
    return 0 if res["ok"] else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["send", "recv"])
    ap.add_argument("--dst")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--min", type=int, default=64)
    ap.add_argument("--max", type=int, default=1400)
    ap.add_argument("--burst", type=int, default=16)
    ap.add_argument("--gap", type=float, default=0.002)
    ap.add_argument("--marker", default="SECGW-PLAIN")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--idle", type=float, default=3)
    ap.add_argument("--ready")
    ap.add_argument("--out")
    a = ap.parse_args()
    if a.min < HDRS + MARKER_LEN + 8:
        ap.error("--min must be at least %d" % (HDRS + MARKER_LEN + 8))
    if a.mode == "send":
        if not a.dst:
            ap.error("send needs --dst")
        do_send(a)
        return 0
    return do_recv(a)


if __name__ == "__main__":
    sys.exit(main())
