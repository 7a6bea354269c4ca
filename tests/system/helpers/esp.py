# SPDX-License-Identifier: BSD-3-Clause
"""ESP tunnel-mode SAs with scapy, the independent peer of the system tests.

Imported by the tests (running under /usr/bin/python3) and by the helper scripts
that run inside the namespaces.  Keys are given as in the secgw config: hex of
cipher key || 4-byte salt for the GCM ciphers.
"""

import struct

from scapy.layers.inet import IP
from scapy.layers.ipsec import ESP, SecurityAssociation
from scapy.compat import raw

# secgw config name -> (scapy algorithm, key bytes without salt, ICV bytes)
CIPHERS = {
    "aes-128-gcm": ("AES-GCM", 16, 16),
    "aes-256-gcm": ("AES-GCM", 32, 16),
}
ESP_HDR = 8      # SPI + sequence number
GCM_IV = 8


def key_bytes(key_hex):
    k = key_hex[2:] if key_hex.startswith("0x") else key_hex
    return bytes.fromhex(k)


def make_sa(spi, cipher, key_hex, tun_src, tun_dst):
    """A scapy tunnel-mode ESP SA; key_hex is key||salt as in the secgw config."""
    algo, klen, icv = CIPHERS[cipher]
    key = key_bytes(key_hex)
    if len(key) != klen + 4:
        raise ValueError("%s needs %d bytes of key+salt, got %d" % (cipher, klen + 4, len(key)))
    return SecurityAssociation(ESP, spi=spi, crypt_algo=algo, crypt_key=key,
                               crypt_icv_size=icv,
                               tunnel_header=IP(src=tun_src, dst=tun_dst))


def encrypt(sa, inner, seq, ttl=64, ip_id=0):
    """ESP-in-IPv4 bytes (outer IP header included) for an inner IP packet."""
    pkt = sa.encrypt(inner.copy(), seq_num=seq)
    pkt[IP].ttl = ttl
    pkt[IP].id = ip_id
    del pkt[IP].chksum
    return raw(pkt)


def decrypt(sa, outer_bytes):
    """Decrypt ESP-in-IPv4 bytes; returns the inner packet bytes.
    Raises scapy's IPSecIntegrityError when the ICV does not verify."""
    pkt = IP(outer_bytes)
    return raw(sa.decrypt(pkt.copy()))   # decrypt() modifies its argument


def aead_plaintext(cipher, key_hex, outer_bytes):
    """Decrypt with the `cryptography` AEAD directly (a second, independent
    decryption) and return (plaintext incl. padding, pad length, next header)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    _, klen, icv = CIPHERS[cipher]
    key = key_bytes(key_hex)
    ihl = (outer_bytes[0] & 0x0F) * 4
    esp = outer_bytes[ihl:]
    aad = esp[:ESP_HDR]
    iv = esp[ESP_HDR:ESP_HDR + GCM_IV]
    nonce = key[klen:] + iv
    pt = AESGCM(key[:klen]).decrypt(nonce, esp[ESP_HDR + GCM_IV:], aad)
    return pt, pt[-2], pt[-1]


def esp_fields(outer_bytes):
    """(spi, seq, iv) of an ESP-in-IPv4 packet."""
    ihl = (outer_bytes[0] & 0x0F) * 4
    spi, seq = struct.unpack("!II", outer_bytes[ihl:ihl + 8])
    return spi, seq, outer_bytes[ihl + 8:ihl + 8 + GCM_IV]


def ip_checksum(hdr):
    s = 0
    if len(hdr) % 2:
        hdr += b"\0"
    for (w,) in struct.iter_unpack("!H", hdr):
        s += w
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip_header_ok(ip_bytes):
    """True if the IPv4 header checksum verifies."""
    ihl = (ip_bytes[0] & 0x0F) * 4
    return ip_checksum(bytes(ip_bytes[:ihl])) == 0


def forwarded(ip_bytes):
    """What a router emits for this IPv4 packet: TTL - 1, header checksum recomputed."""
    b = bytearray(ip_bytes)
    ihl = (b[0] & 0x0F) * 4
    b[8] -= 1
    b[10:12] = b"\0\0"
    b[10:12] = struct.pack("!H", ip_checksum(bytes(b[:ihl])))
    return bytes(b)


def ip_len(ip_bytes):
    """Bytes of an IPv4 packet by its total-length field (drops Ethernet padding)."""
    return ip_bytes[:struct.unpack("!H", ip_bytes[2:4])[0]]
