# SPDX-License-Identifier: BSD-3-Clause
"""Every ESP and AH suite secgw offers, as an independent peer: scapy's
SecurityAssociation where scapy 2.5 is right, python3-cryptography where it is
not or has no algorithm.

- scapy does ESP (all ciphers but GMAC) and AH with HMAC, tunnel and transport,
  IPv4 and IPv6, ESP in UDP.
- scapy 2.5 leaves the ESN high bits out of the ICV of non-AEAD ESP
  (RFC 4303 §3.3.2.1 puts them in): those ICVs are recomputed here.
- scapy 2.5 has no AES-GMAC: ESP-GMAC (RFC 4543 §3) is built here with AES-GCM
  and an empty plaintext; AH-GMAC (RFC 4543 §4) is an AuthAlgo plugged into
  scapy's AH framing and mutable-field rules.

Keys are given as the secgw config holds them: cipher key || salt, integrity
key (|| salt for GMAC).
"""

import hashlib
import hmac
import struct
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from esp import ip_checksum
from scapy.compat import raw
from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.ipsec import (AH, AUTH_ALGOS, ESP, AuthAlgo, IPSecIntegrityError,
                                SecurityAssociation, zero_mutable_fields)


class AhGmac(AuthAlgo):
    """AES-GMAC in AH (RFC 4543 §4): Authentication Data = IV || tag, the IV
    being the 64-bit sequence number, the whole packet (mutable fields zeroed,
    ESN high half appended) the AAD."""

    def __init__(self, key_len):
        super().__init__("AES-GMAC-%d" % (key_len * 8), mac=None, digestmod=None,
                         icv_size=24, key_size=(key_len + 4,))
        self.key_len = key_len

    def _icv(self, pkt, key, esn_en, esn, sending):
        iv = struct.pack("!LL", esn if esn_en else 0, pkt[AH].seq)
        clone = zero_mutable_fields(pkt.copy(), sending=sending)
        aad = raw(clone) + (struct.pack("!L", esn) if esn_en else b"")
        return iv + AESGCM(key[:self.key_len]).encrypt(key[self.key_len:] + iv, b"", aad)

    def sign(self, pkt, key, esn_en=False, esn=0):
        pkt[AH].icv = self._icv(pkt, key, esn_en, esn, True)
        return pkt

    def verify(self, pkt, key, esn_en=False, esn=0):
        want = self._icv(pkt, key, esn_en, esn, False)
        # over IPv6 the parsed field also holds AH's padding to 8 octets
        if not hmac.compare_digest(bytes(pkt[AH].icv)[:len(want)], want):
            raise IPSecIntegrityError("AES-GMAC ICV mismatch")


for _n in (16, 24, 32):
    AUTH_ALGOS["AES-GMAC-%d" % (_n * 8)] = AhGmac(_n)


@dataclass(frozen=True)
class Suite:
    name: str            # test id
    proto: str           # "esp" or "ah"
    cipher: str          # secgw config name ("null" for AH and GMAC)
    integ: str           # secgw config name ("none" for AEAD)
    key_len: int         # cipher key + salt bytes
    auth_key_len: int    # integrity key (+ salt) bytes
    scapy_crypt: str     # scapy crypt_algo ("" for AH / GMAC-ESP)
    scapy_auth: str      # scapy auth_algo
    icv_len: int
    aead: bool = False
    tshark_crypt: str = ""   # esp_sa UAT names; "" when tshark 4.0 cannot decrypt
    tshark_auth: str = "NULL"

    @property
    def gmac(self):
        return self.integ.endswith("-gmac")

    @property
    def esn_ok(self):
        """rte_ipsec 22.11 cannot do ESP-GMAC with ESN (secgw refuses it)."""
        return not (self.proto == "esp" and self.gmac)


_GCM16 = "AES-GCM with 16 octet ICV [RFC4106]"
_SHA = {"hmac-sha1-96": ("HMAC-SHA1-96", 20, 12, "HMAC-SHA-1-96 [RFC2404]"),
        "hmac-sha256-128": ("SHA2-256-128", 32, 16, "HMAC-SHA-256-128 [RFC4868]"),
        "hmac-sha384-192": ("SHA2-384-192", 48, 24, "HMAC-SHA-384-192 [RFC4868]"),
        "hmac-sha512-256": ("SHA2-512-256", 64, 32, "HMAC-SHA-512-256 [RFC4868]")}


def _aead(name, cipher, klen, scapy, tshark=""):
    return Suite(name, "esp", cipher, "none", klen + 4, 0, scapy, "NULL", 16, True, tshark)


def _esp(name, cipher, klen, scapy_crypt, integ, tshark_crypt):
    sa, alen, icv, tsa = _SHA[integ]
    return Suite(name, "esp", cipher, integ, klen, alen, scapy_crypt, sa, icv, False,
                 tshark_crypt, tsa)


def _gmac(name, proto, bits):
    return Suite(name, proto, "null", "aes-%d-gmac" % bits, 0, bits // 8 + 4, "",
                 "AES-GMAC-%d" % bits, 16 if proto == "esp" else 24)


def _ah(name, integ):
    sa, alen, icv, _ = _SHA[integ]
    return Suite(name, "ah", "null", integ, 0, alen, "", sa, icv)


ESP_SUITES = [
    _aead("gcm128", "aes-128-gcm", 16, "AES-GCM", _GCM16),
    _aead("gcm192", "aes-192-gcm", 24, "AES-GCM", _GCM16),
    _aead("gcm256", "aes-256-gcm", 32, "AES-GCM", _GCM16),
    _aead("chacha", "chacha20-poly1305", 32, "CHACHA20-POLY1305"),
    _esp("cbc128-sha1", "aes-128-cbc", 16, "AES-CBC", "hmac-sha1-96", "AES-CBC [RFC3602]"),
    _esp("cbc256-sha256", "aes-256-cbc", 32, "AES-CBC", "hmac-sha256-128", "AES-CBC [RFC3602]"),
    _esp("cbc192-sha384", "aes-192-cbc", 24, "AES-CBC", "hmac-sha384-192", "AES-CBC [RFC3602]"),
    _esp("cbc128-sha512", "aes-128-cbc", 16, "AES-CBC", "hmac-sha512-256", "AES-CBC [RFC3602]"),
    _esp("ctr128-sha256", "aes-128-ctr", 20, "AES-CTR", "hmac-sha256-128", "AES-CTR [RFC3686]"),
    _esp("ctr256-sha1", "aes-256-ctr", 36, "AES-CTR", "hmac-sha1-96", "AES-CTR [RFC3686]"),
    _esp("null-sha256", "null", 0, "NULL", "hmac-sha256-128", "NULL"),
    _gmac("gmac128", "esp", 128),
    _gmac("gmac192", "esp", 192),
    _gmac("gmac256", "esp", 256),
]
AH_SUITES = [
    _ah("ah-sha1", "hmac-sha1-96"),
    _ah("ah-sha256", "hmac-sha256-128"),
    _ah("ah-sha384", "hmac-sha384-192"),
    _ah("ah-sha512", "hmac-sha512-256"),
    _gmac("ah-gmac128", "ah", 128),
    _gmac("ah-gmac192", "ah", 192),
    _gmac("ah-gmac256", "ah", 256),
]


def key_for(label, n):
    """Deterministic key bytes per SA, different for every label."""
    out = b""
    while len(out) < n:
        out += hashlib.sha256(("%s/%d" % (label, len(out))).encode()).digest()
    return out[:n]


def ip_class(b):
    return IPv6 if b[0] >> 4 == 6 else IP


def l3_len(b):
    """IP header bytes in front of ESP/AH/UDP (no IPv6 extension headers here)."""
    return 40 if b[0] >> 4 == 6 else (b[0] & 0x0F) * 4


class Peer:
    """One SA of the independent peer.  tunnel: (src, dst) outer addresses or None
    for transport mode; seq numbers are full 64-bit values."""

    def __init__(self, suite, spi, key, auth_key, tunnel=None, esn=False, nat_t=False):
        self.s, self.spi, self.key, self.auth_key = suite, spi, key, auth_key
        self.tunnel, self.esn, self.nat_t = tunnel, esn, nat_t
        hdr = None
        if tunnel:
            hdr = IPv6(src=tunnel[0], dst=tunnel[1]) if ":" in tunnel[0] else \
                IP(src=tunnel[0], dst=tunnel[1])
        self.hdr = hdr
        if suite.proto == "ah":
            self.sa = SecurityAssociation(AH, spi=spi, auth_algo=suite.scapy_auth,
                                          auth_key=auth_key, tunnel_header=hdr, esn_en=esn)
        elif not suite.gmac:
            self.sa = SecurityAssociation(
                ESP, spi=spi, crypt_algo=suite.scapy_crypt, crypt_key=key or None,
                crypt_icv_size=suite.icv_len if suite.aead else None,
                auth_algo=suite.scapy_auth, auth_key=auth_key or None, tunnel_header=hdr,
                nat_t_header=UDP(sport=4500, dport=4500) if nat_t else None, esn_en=esn)

    # ---------------------------------------------------------------- helpers

    def _esp_off(self, b):
        return l3_len(b) + (8 if self.nat_t else 0)

    def _hmac_esn_icv(self, esp_wo_icv, hi):
        """RFC 4303 §3.3.2.1: the ICV covers the ESN high half, not sent."""
        dig = {"HMAC-SHA1-96": hashlib.sha1, "SHA2-256-128": hashlib.sha256,
               "SHA2-384-192": hashlib.sha384, "SHA2-512-256": hashlib.sha512}
        mac = hmac.new(self.auth_key, esp_wo_icv + struct.pack("!L", hi),
                       dig[self.s.scapy_auth]).digest()
        return mac[:self.s.icv_len]

    def _scapy_esn_icv(self, esp_wo_icv):
        """What scapy 2.5 computes (and checks) for non-AEAD ESN: no high half."""
        dig = {"HMAC-SHA1-96": hashlib.sha1, "SHA2-256-128": hashlib.sha256,
               "SHA2-384-192": hashlib.sha384, "SHA2-512-256": hashlib.sha512}
        return hmac.new(self.auth_key, esp_wo_icv, dig[self.s.scapy_auth]).digest()[
            :self.s.icv_len]

    def _fix_ip(self, b):
        """Lengths and checksums after an edit, in the bytes themselves: scapy 2.5
        leaves the IPv4 total length and the UDP length of ESP in UDP at 8 bytes of
        payload, and re-parsing its output keeps the rest as padding."""
        b = bytearray(b)
        if b[0] >> 4 == 6:
            b[4:6] = struct.pack("!H", len(b) - 40)
            if not self.nat_t:
                return bytes(b)
            b[44:46] = struct.pack("!H", len(b) - 40)
            p = IPv6(bytes(b))
            del p[UDP].chksum   # mandatory over IPv6 (RFC 8200 §8.1)
            return raw(p)
        ihl = (b[0] & 0x0F) * 4
        b[2:4] = struct.pack("!H", len(b))
        if self.nat_t:
            # RFC 3948 §2.1: the checksum of ESP in UDP over IPv4 is zero
            b[ihl + 4:ihl + 8] = struct.pack("!HH", len(b) - ihl, 0)
        b[10:12] = b"\0\0"
        b[10:12] = struct.pack("!H", ip_checksum(bytes(b[:ihl])))
        return bytes(b)

    # ---------------------------------------------------------------- GMAC ESP

    def _gmac_esp(self, inner, seq):
        """RFC 4543 §3: ENCR_NULL_AUTH_AES_GMAC, no ESN (refused by secgw)."""
        b = raw(inner)
        klen = len(self.auth_key) - 4
        if self.tunnel:
            payload, nh = b, 41 if b[0] >> 4 == 6 else 4
        else:
            payload, nh = b[l3_len(b):], b[6] if b[0] >> 4 == 6 else b[9]
        pad = (-(len(payload) + 2)) % 4
        body = payload + bytes(range(1, pad + 1)) + bytes([pad, nh])
        iv = struct.pack("!Q", seq)
        head = struct.pack("!LL", self.spi, seq & 0xFFFFFFFF) + iv
        tag = AESGCM(self.auth_key[:klen]).encrypt(self.auth_key[klen:] + iv, b"", head + body)
        esp = head + body + tag
        if self.tunnel:
            h = self.hdr.copy()
            nh = 17 if self.nat_t else 50
            if h.version == 4:
                h.proto = nh
            else:
                h.nh = nh
            udp = struct.pack("!HHHH", 4500, 4500, 0, 0) if self.nat_t else b""
            return self._fix_ip(raw(h) + udp + esp)
        hdr = bytearray(b[:l3_len(b)])
        if b[0] >> 4 == 6:
            hdr[6] = 50
        else:
            hdr[9] = 50
        return self._fix_ip(bytes(hdr) + esp)

    def _gmac_open(self, b):
        off = self._esp_off(b)
        esp = b[off:]
        klen = len(self.auth_key) - 4
        iv, tag = esp[8:16], esp[-16:]
        AESGCM(self.auth_key[:klen]).decrypt(self.auth_key[klen:] + iv, tag, esp[:-16])
        body = esp[16:-16]
        pad, nh = body[-2], body[-1]
        payload = body[:-2 - pad]
        if body[-2 - pad:-2] != bytes(range(1, pad + 1)):
            raise ValueError("ESP-GMAC: bad padding")
        if self.tunnel:
            return payload
        hdr = bytearray(b[:l3_len(b)])
        if b[0] >> 4 == 6:
            hdr[6] = nh
        else:
            hdr[9] = nh
        p = ip_class(b)(bytes(hdr) + payload)
        if p.version == 4:
            del p.len
            del p.chksum
        else:
            del p.plen
        return raw(p)

    # ---------------------------------------------------------------- API

    def protect(self, inner, seq):
        """The packet this SA sends for inner (a scapy IP/IPv6 packet): bytes from
        the (outer) IP header on."""
        if self.s.proto == "esp" and self.s.gmac:
            return self._gmac_esp(inner, seq)
        # scapy reads seq_num=0 as "not given": set the number on the SA instead
        self.sa.seq_num = seq & 0xFFFFFFFF
        pkt = self.sa.encrypt(inner.copy(), esn_en=self.esn, esn=seq >> 32)
        b = self._fix_ip(raw(pkt))
        if self.s.proto == "esp" and self.esn and not self.s.aead:
            off, icv = self._esp_off(b), self.s.icv_len
            b = b[:-icv] + self._hmac_esn_icv(b[off:-icv], seq >> 32)
        return b

    def open(self, b, seq_hi=0):
        """Check and remove the protection of packet bytes b (from the IP header on)
        the gateway sent; returns the inner (tunnel) or restored (transport) packet
        bytes.  Raises on an ICV failure."""
        if self.s.proto == "esp" and self.s.gmac:
            return self._gmac_open(b)
        if self.s.proto == "esp" and self.esn and not self.s.aead:
            off, icv = self._esp_off(b), self.s.icv_len
            if not hmac.compare_digest(b[-icv:], self._hmac_esn_icv(b[off:-icv], seq_hi)):
                raise IPSecIntegrityError("ESN ICV mismatch")
            b = b[:-icv] + self._scapy_esn_icv(b[off:-icv])
        pkt = ip_class(b)(b)
        return raw(self.sa.decrypt(pkt, esn_en=self.esn, esn=seq_hi))
