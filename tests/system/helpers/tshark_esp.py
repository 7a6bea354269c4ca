# SPDX-License-Identifier: BSD-3-Clause
"""tshark as the independent dissector of what the gateways send: given the SAs'
keys in a private profile's esp_sa table, it decrypts ESP and checks the ICV;
given IKE SAs' SK_* keys in its ikev2_decryption_table, it decrypts the SK
payloads of IKEv2 messages and dissects what they hold.

tshark 4.0 cannot decrypt ChaCha20-Poly1305 or AES-GMAC ESP and has no ESN for
ESP; SAs of those kinds are left out of the table (their frames are still
dissected and must not be malformed).
"""

import os
import shutil
import subprocess
from dataclasses import dataclass

# secgw cipher / integrity names -> tshark esp_sa names
CRYPT = {"aes-128-gcm": "AES-GCM with 16 octet ICV [RFC4106]",
         "aes-192-gcm": "AES-GCM with 16 octet ICV [RFC4106]",
         "aes-256-gcm": "AES-GCM with 16 octet ICV [RFC4106]",
         "aes-128-cbc": "AES-CBC [RFC3602]", "aes-192-cbc": "AES-CBC [RFC3602]",
         "aes-256-cbc": "AES-CBC [RFC3602]",
         "aes-128-ctr": "AES-CTR [RFC3686]", "aes-192-ctr": "AES-CTR [RFC3686]",
         "aes-256-ctr": "AES-CTR [RFC3686]", "null": "NULL"}
AUTH = {"none": "NULL", "hmac-sha1-96": "HMAC-SHA-1-96 [RFC2404]",
        "hmac-sha256-128": "HMAC-SHA-256-128 [RFC4868]",
        "hmac-sha384-192": "HMAC-SHA-384-192 [RFC4868]",
        "hmac-sha512-256": "HMAC-SHA-512-256 [RFC4868]"}
WARNING = 0x600000   # _ws.expert.severity of a warning; errors are higher
ERROR = 0x800000
# strongSwan proposal keywords -> tshark ikev2_decryption_table names
IKE_CRYPT = {"aes128gcm16": "AES-GCM-128 with 16 octet ICV [RFC5282]",
             "aes256gcm16": "AES-GCM-256 with 16 octet ICV [RFC5282]",
             "aes128": "AES-CBC-128 [RFC3602]", "aes256": "AES-CBC-256 [RFC3602]"}
IKE_INTEG = {"": "NONE [RFC4306]", "sha256": "HMAC_SHA2_256_128 [RFC4868]",
             "sha1": "HMAC_SHA1_96 [RFC2404]"}


@dataclass(frozen=True)
class EspSa:
    src: str
    dst: str
    spi: int
    cipher: str
    key: bytes          # cipher key || salt, as in the secgw config
    integ: str = "none"
    auth_key: bytes = b""
    esn: bool = False

    def record(self):
        """The esp_sa UAT line, or None when tshark cannot decrypt this SA."""
        if self.esn or self.cipher not in CRYPT or self.integ not in AUTH:
            return None
        fam = "IPv6" if ":" in self.src else "IPv4"
        return '"%s","%s","%s","%#010x","%s","%s","%s","%s"' % (
            fam, self.src, self.dst, self.spi, CRYPT[self.cipher],
            "0x" + self.key.hex() if self.key else "", AUTH[self.integ],
            "0x" + self.auth_key.hex() if self.auth_key else "")


@dataclass(frozen=True)
class IkeSa:
    spi_i: int
    spi_r: int
    cipher: str         # strongSwan keyword, e.g. aes128gcm16
    sk_ei: bytes        # with the 4-byte salt for GCM (RFC 5282)
    sk_er: bytes
    integ: str = ""     # "" for AEAD
    sk_ai: bytes = b""
    sk_ar: bytes = b""

    def record(self):
        """The ikev2_decryption_table line (buffers in hex, enums quoted)."""
        return '%016x,%016x,%s,%s,"%s",%s,%s,"%s"' % (
            self.spi_i, self.spi_r, self.sk_ei.hex(), self.sk_er.hex(),
            IKE_CRYPT[self.cipher], self.sk_ai.hex(), self.sk_ar.hex(), IKE_INTEG[self.integ])


def hexkey(s):
    return bytes.fromhex(s[2:] if s.startswith("0x") else s)


def fields(pcap, sas, workdir, extra=(), decode_as=(), ike_sas=()):
    """Run tshark over pcap with the SAs' keys (ESP sas, IKE ike_sas); returns one
    dict per frame (in order) with spi, seq, icv_good, icv_bad, ah_spi, ip_dst,
    ipv6_dst, malformed, severity (list of ints) and the extra fields asked for
    (a field that occurs several times: its values joined by commas)."""
    tshark = shutil.which("tshark")
    assert tshark is not None, "tshark is not installed (tests/run.sh installs it)"
    home = os.path.join(workdir, "tshark-home-%s" % os.path.basename(pcap))
    conf = os.path.join(home, ".config", "wireshark")
    os.makedirs(conf, exist_ok=True)
    with open(os.path.join(conf, "esp_sa"), "w") as f:
        f.write("".join(r + "\n" for r in (sa.record() for sa in sas) if r))
    with open(os.path.join(conf, "ikev2_decryption_table"), "w") as f:
        f.write("".join(sa.record() + "\n" for sa in ike_sas))
    with open(os.path.join(conf, "preferences"), "w") as f:
        f.write("esp.enable_encryption_decode: TRUE\n"
                "esp.enable_authentication_check: TRUE\n")
    names = ["esp.spi", "esp.sequence", "esp.icv_good", "esp.icv_bad", "ah.spi", "ip.dst",
             "ipv6.dst", "_ws.malformed", "_ws.expert.severity"] + list(extra)
    cmd = [tshark, "-n", "-r", pcap, "-T", "fields", "-E", "separator=/t", "-e",
           "frame.number"]
    for d in decode_as:
        cmd += ["-d", d]
    for n in names:
        cmd += ["-e", n]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, HOME=home))
    assert p.returncode == 0, p.stderr
    keys = ["spi", "seq", "icv_good", "icv_bad", "ah_spi", "ip_dst", "ipv6_dst",
            "malformed", "severity"] + list(extra)
    rows = []
    for line in p.stdout.splitlines():
        f = (line.split("\t") + [""] * (len(keys) + 1))[1:len(keys) + 1]
        row = dict(zip(keys, f))
        row["severity"] = [int(x, 0) for x in row["severity"].split(",") if x]
        rows.append(row)
    return rows


def check_decrypts(pcap, sas, workdir, decode_as=()):
    """Every ESP frame of an SA tshark can decrypt has a good ICV; no frame is
    malformed or draws a warning.  Returns the rows and how many frames tshark
    verified."""
    rows = fields(pcap, sas, workdir, decode_as=decode_as)
    known = {sa.spi for sa in sas if sa.record()}
    verified = 0
    for i, r in enumerate(rows):
        assert not r["malformed"], "tshark: frame %d of %s malformed" % (i + 1, pcap)
        assert not any(s >= WARNING for s in r["severity"]), \
            "tshark: warning on frame %d of %s: %s" % (i + 1, pcap, r["severity"])
        if r["spi"] and int(r["spi"], 0) in known:
            assert (r["icv_good"], r["icv_bad"]) == ("1", "0"), \
                "tshark: frame %d of %s (SPI %s): ICV good=%r bad=%r" % (
                    i + 1, pcap, r["spi"], r["icv_good"], r["icv_bad"])
            verified += 1
    return rows, verified
