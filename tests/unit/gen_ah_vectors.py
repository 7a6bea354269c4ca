#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
Known-answer vectors for the AH engine (tests/unit/test_ah.c), made by
independent implementations: scapy 2.5 (AH framing, mutable-field rules, HMAC
ICVs, ESN) and, for AES-GMAC which scapy lacks, python3-cryptography's AES-GCM
with an empty plaintext (RFC 4543: nonce = salt || IV, the packet as AAD),
inside scapy's AH framing.

Writes tests/unit/ah_vectors.h; run it from the repository root and commit the
output:  /usr/bin/python3 tests/unit/gen_ah_vectors.py
"""
import struct
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from scapy.all import IP, IPv6, UDP, TCP, Raw, raw
from scapy.layers.inet import IPOption_RR, IPOption_Router_Alert
from scapy.layers.inet6 import IPv6ExtHdrHopByHop, HBHOptUnknown
from scapy.layers.ipsec import AH, AUTH_ALGOS, AuthAlgo, SecurityAssociation, \
    zero_mutable_fields

OUT = "tests/unit/ah_vectors.h"


class GmacForTest(AuthAlgo):
    """AES-GMAC in AH (RFC 4543 §4): Authentication Data = IV || tag."""

    def __init__(self, key_len):
        super().__init__("AES-GMAC-%d" % (key_len * 8), mac=None, digestmod=None,
                         icv_size=24, key_size=(key_len + 4,))
        self.key_len = key_len

    def sign(self, pkt, key, esn_en=False, esn=0):
        ah = pkt[AH]
        iv = struct.pack("!LL", esn if esn_en else 0, ah.seq)
        clone = zero_mutable_fields(pkt.copy(), sending=True)
        aad = raw(clone) + (struct.pack("!L", esn) if esn_en else b"")
        nonce = key[self.key_len:] + iv
        tag = AESGCM(key[:self.key_len]).encrypt(nonce, b"", aad)
        ah.icv = iv + tag
        return pkt


for n in (16, 24, 32):
    AUTH_ALGOS["GMAC-%d" % n] = GmacForTest(n)

# (C enum, scapy name, key length incl. salt)
ALGS = [
    ("CFG_INTEG_HMAC_SHA1_96", "HMAC-SHA1-96", 20),
    ("CFG_INTEG_HMAC_SHA256_128", "SHA2-256-128", 32),
    ("CFG_INTEG_HMAC_SHA384_192", "SHA2-384-192", 48),
    ("CFG_INTEG_HMAC_SHA512_256", "SHA2-512-256", 64),
    ("CFG_INTEG_AES_128_GMAC", "GMAC-16", 20),
    ("CFG_INTEG_AES_192_GMAC", "GMAC-24", 28),
    ("CFG_INTEG_AES_256_GMAC", "GMAC-32", 36),
]

T4 = ("192.0.2.1", "198.51.100.2")
T6 = ("2001:db8:1::1", "2001:db8:2::2")


def inner(version, size, n):
    data = bytes((i * 7 + n) & 0xff for i in range(size))
    if version == 4:
        return IP(src="10.1.0.5", dst="10.2.0.9", ttl=61, tos=0x28, id=0x1234 + n,
                  flags="DF") / UDP(sport=1000 + n, dport=53) / Raw(data)
    return IPv6(src="fd00:1::5", dst="fd00:2::9", hlim=61, tc=0x28, fl=0x12345) / \
        TCP(sport=2000 + n, dport=443, flags="PA") / Raw(data)


def transport_pkts(n):
    """Transport inputs with their l3_len: plain, IPv4 options, IPv6 hop-by-hop."""
    data = bytes((i * 3 + n) & 0xff for i in range(40 + n))
    yield IP(src="10.1.0.5", dst="10.2.0.9", ttl=17, tos=0x10, id=77) / \
        UDP(sport=5000, dport=6000) / Raw(data), 20
    opts = IP(src="10.1.0.5", dst="10.2.0.9", ttl=17, id=78,
              options=[IPOption_RR(routers=["10.9.9.9"]), IPOption_Router_Alert()]) / \
        UDP(sport=5001, dport=6000) / Raw(data)
    opts = IP(raw(opts))
    yield opts, opts.ihl * 4
    yield IPv6(src="fd00:1::5", dst="fd00:2::9", hlim=9, tc=0x10, fl=7) / \
        UDP(sport=5002, dport=6000) / Raw(data), 40
    hbh = IPv6(src="fd00:1::5", dst="fd00:2::9", hlim=9) / \
        IPv6ExtHdrHopByHop(options=[HBHOptUnknown(otype=0x3e, optdata=b"\x01\x02\x03\x04")]) / \
        UDP(sport=5003, dport=6000) / Raw(data)
    hbh = IPv6(raw(hbh))
    yield hbh, 40 + len(raw(hbh[IPv6ExtHdrHopByHop])) - len(raw(hbh[UDP]))


def key_for(alg_index, key_len):
    return bytes((0x11 * (alg_index + 1) + i * 5) & 0xff for i in range(key_len))


vectors = []


def add(name, integ, scapy_alg, key, tunnel, tun, esn, spi, sqn, plain, plain_l3, group):
    src, dst = tun if tunnel else (None, None)
    hdr = None
    if tunnel:
        if ":" in src:
            hdr = IPv6(src=src, dst=dst, hlim=64, tc=0, fl=0)
        else:
            hdr = IP(src=src, dst=dst, ttl=64, tos=0, flags=0, id=sqn & 0xffff)
    sa = SecurityAssociation(AH, spi=spi, seq_num=sqn & 0xffffffff, auth_algo=scapy_alg,
                             auth_key=key,
                             tunnel_header=hdr, esn_en=esn, esn=sqn >> 32)
    prot = sa.encrypt(plain.copy(), seq_num=sqn & 0xffffffff, esn_en=esn, esn=sqn >> 32)
    prot_raw = raw(prot)
    back = sa.decrypt(prot.__class__(prot_raw), esn_en=esn, esn=sqn >> 32) \
        if not scapy_alg.startswith("GMAC") else None
    if back is not None and raw(back) != raw(plain):
        sys.exit("%s: scapy does not get back its own input" % name)
    prot_l3 = prot_raw.find(struct.pack("!LL", spi, sqn & 0xffffffff)) - 4
    vectors.append(dict(name=name, integ=integ, key=key, tunnel=tunnel,
                        fam6=tunnel and ":" in src, src=src, dst=dst, esn=esn, spi=spi,
                        sqn=sqn, plain=raw(plain), plain_l3=plain_l3, prot=prot_raw,
                        prot_l3=prot_l3, group=group))


def build():
    group = 0
    for ai, (integ, scapy_alg, klen) in enumerate(ALGS):
        key = key_for(ai, klen)
        n = 0
        for tun in (T4, T6):
            for v in (4, 6):
                n += 1
                add("%s tunnel%s inner v%d" % (scapy_alg, 6 if tun is T6 else 4, v),
                    integ, scapy_alg, key, True, tun, False, 0x1000 + ai, 1 + n * 3,
                    inner(v, 20 + 13 * n, n), 0, 0)
        for pkt, l3 in transport_pkts(ai):
            n += 1
            add("%s transport %s" % (scapy_alg, pkt.summary()), integ, scapy_alg, key,
                False, None, False, 0x2000 + ai, 5 + n, pkt, l3, 0)
        # ESN: three consecutive numbers across 2^32, one SA, one burst
        for tunnel, tun in ((True, T4), (True, T6), (False, None)):
            group += 1
            for i, sqn in enumerate(((1 << 32) - 1, 1 << 32, (1 << 32) + 1)):
                plain = inner(4 + 2 * (i % 2), 30 + i, i) if tunnel else \
                    list(transport_pkts(i))[2 * (i % 2)][0]
                add("%s ESN %s sqn %#x" % (scapy_alg, "tunnel" if tunnel else "transport",
                                            sqn),
                    integ, scapy_alg, key, tunnel, tun, True, 0x3000 + ai, sqn, plain,
                    0 if tunnel else (20 if i % 2 == 0 else 40), group)


def c_bytes(b):
    return ", ".join("0x%02x" % x for x in b)


def c_addr(a):
    if a is None:
        return "{0}"
    if ":" in a:
        return "{%s}" % c_bytes(raw(IPv6(src=a))[8:24])
    return "{%s}" % c_bytes(raw(IP(src=a))[12:16])


def emit():
    out = ["/* SPDX-License-Identifier: BSD-3-Clause */",
           "/* Generated by tests/unit/gen_ah_vectors.py (scapy %s); do not edit. */"
           % __import__("scapy").__version__,
           "#ifndef AH_VECTORS_H", "#define AH_VECTORS_H", "",
           "#include <stdbool.h>", "#include <stdint.h>", "",
           '#include "config.h"', "",
           "struct ah_vector {",
           "\tconst char *name;",
           "\tenum cfg_integ integ;",
           "\tuint8_t key[CFG_AUTH_KEY_MAX + 4]; /* GMAC: key || salt */",
           "\tuint8_t key_len;",
           "\tbool tunnel, tun6, esn;",
           "\tuint8_t tun_src[16], tun_dst[16];",
           "\tuint32_t spi;",
           "\tuint64_t sqn;",
           "\tuint16_t group; /* non-zero: consecutive vectors of one SA */",
           "\tconst uint8_t *plain; /* tunnel: the inner packet */",
           "\tuint16_t plain_len, plain_l3_len;",
           "\tconst uint8_t *prot;",
           "\tuint16_t prot_len, prot_l3_len;",
           "};", ""]
    for i, v in enumerate(vectors):
        out.append("static const uint8_t ahv%d_plain[] = {%s};" % (i, c_bytes(v["plain"])))
        out.append("static const uint8_t ahv%d_prot[] = {%s};" % (i, c_bytes(v["prot"])))
    out.append("")
    out.append("static const struct ah_vector ah_vectors[] = {")
    for i, v in enumerate(vectors):
        out.append('\t{"%s", %s, {%s}, %d, %s, %s, %s, %s, %s, 0x%x, 0x%xULL, %d,' % (
            v["name"], v["integ"], c_bytes(v["key"]), len(v["key"]),
            "true" if v["tunnel"] else "false", "true" if v["fam6"] else "false",
            "true" if v["esn"] else "false", c_addr(v["src"]), c_addr(v["dst"]),
            v["spi"], v["sqn"], v["group"]))
        out.append("\t ahv%d_plain, %d, %d, ahv%d_prot, %d, %d}," % (
            i, len(v["plain"]), v["plain_l3"], i, len(v["prot"]), v["prot_l3"]))
    out.append("};")
    out.append("")
    out.append("#endif")
    with open(OUT, "w") as f:
        f.write("\n".join(out) + "\n")
    print("%s: %d vectors" % (OUT, len(vectors)))


build()
emit()
