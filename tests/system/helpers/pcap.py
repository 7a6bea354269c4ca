# SPDX-License-Identifier: BSD-3-Clause
"""Classic pcap files (Ethernet), read and written without scapy: the helpers that
only move frames start in milliseconds instead of importing scapy."""

import struct
import time

LINKTYPE_ETHERNET = 1


def write(path, frames, stamps=None):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, LINKTYPE_ETHERNET))
        for i, fr in enumerate(frames):
            t = stamps[i] if stamps else time.time()
            f.write(struct.pack("<IIII", int(t), int((t % 1) * 1e6), len(fr), len(fr)))
            f.write(fr)


def read(path):
    """-> (linktype, [frame bytes], whole file bytes)"""
    with open(path, "rb") as f:
        data = f.read()
    endian = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">",
              b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">"}[data[:4]]
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    frames, pos = [], 24
    while pos + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[pos + 8:pos + 12])[0]
        frames.append(data[pos + 16:pos + 16 + incl])
        pos += 16 + incl
    return linktype, frames, data
