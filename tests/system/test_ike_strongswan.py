# SPDX-License-Identifier: BSD-3-Clause
"""secgw-ike against a live strongSwan (issue 5, first slice).

charon (kernel-libipsec, its own /run, vici socket; design.md section 5) runs in
one network namespace, secgw-ike in another, a veth between them
(10.99.5.2 <-> 10.99.5.1).  For each role of ours (initiator, responder) and
each suite (IKE aes128gcm16-prfsha256-x25519 with ESP aes128gcm16, IKE
aes128-sha256-modp2048 with ESP aes128-sha256), PSK authentication:

- `swanctl --list-sas` shows the IKE SA ESTABLISHED with our SPIs and the Child
  SA INSTALLED in UDP (charon fakes NAT detection, so we must float to 4500)
  with exactly the ESP SPIs secgw-ike negotiated;
- the Child SA keys secgw-ike derived (printed with --debug-keys) equal, byte
  for byte, the ones charon logs with `chd = 4`;
- at exit secgw-ike deletes its IKE SA (INFORMATIONAL Delete) and charon has
  no SA left;
- tshark dissects every IKE message secgw-ike sent (captured on the veth)
  without a malformed or error-level expert note, and sees the exchanges we
  expect (IKE_SA_INIT, IKE_AUTH on port 4500 with the marker, INFORMATIONAL).

Also: the INVALID_KE_PAYLOAD round trip against charon, the Child SA pair
with its policies installed into a running secgw-dp (secgwctl's view), and
Child SA rekeying (CREATE_CHILD_SA) by either side while a ping runs through
secgw-dp.
"""

import contextlib
import os
import re
import subprocess
import time

import pytest

from conftest import Gateway, Sniffer, dataplane_yaml, sanitizer_env
from netns import Lab, run

HERE = os.path.dirname(os.path.abspath(__file__))
ADDR_SG, ADDR_SW = "10.99.5.1", "10.99.5.2"
NET_SG, NET_SW = "10.99.6.0/24", "10.99.7.0/24"
ID_SG, ID_SW = "sg.secgw.test", "sw.secgw.test"
PSK = "secgw-interop-test-psk"
CHARON = "/usr/lib/ipsec/charon"

SUITES = [
    ("aes128gcm16-prfsha256-x25519", "aes128gcm16"),
    ("aes256-sha256-ecp256", "aes256-sha256"),
    ("aes128-sha256-modp2048", "aes128-sha256"),
]


def have_strongswan():
    return os.access(CHARON, os.X_OK) and subprocess.run(
        ["which", "swanctl"], capture_output=True).returncode == 0


pytestmark = pytest.mark.skipif(not have_strongswan(),
                                reason="strongswan-charon / strongswan-swanctl not installed")


def secgw_ike_path(build):
    p = os.path.join(build.path, "iked", "secgw-ike")
    if not os.access(p, os.X_OK):
        pytest.fail("secgw-ike not built: %s" % p)
    return p


def charon_connection(name, child, ike, esp, child_extra="", local=ADDR_SW, remote=ADDR_SG,
                      children=None):
    """A swanctl.conf connections section: PSK, our IDs, one tunnel Child SA
    (children: the whole children { } body instead)."""
    if children is None:
        children = """            %s { local_ts = %s
                  remote_ts = %s
                  esp_proposals = %s
                  %s }
""" % (child, NET_SW, NET_SG, esp, child_extra)
    return """connections {
    %s {
        version = 2
        local_addrs = %s
        remote_addrs = %s
        proposals = %s
        local { auth = psk
                id = %s }
        remote { auth = psk
                 id = %s }
        children {
%s        }
    }
}
""" % (name, local, remote, ike, ID_SW, ID_SG, children)


class Charon:
    """One charon instance in a namespace, private /run, vici socket in dir."""

    def __init__(self, ns, workdir, ike, esp, child_extra="", local=ADDR_SW, remote=ADDR_SG,
                 conf_extra=""):
        self.ns, self.dir = ns, workdir
        os.makedirs(os.path.join(workdir, "run"), exist_ok=True)
        self.conf = os.path.join(workdir, "strongswan.conf")
        self.log = os.path.join(workdir, "charon.log")
        self.vici = os.path.join(workdir, "charon.vici")
        with open(self.conf, "w") as f:
            f.write("""charon {
    install_routes = no
    retransmit_tries = 3
    %s
    load = random nonce aes sha1 sha2 hmac gcm pem pkcs1 x509 pubkey openssl kdf kernel-libipsec kernel-netlink socket-default vici updown
    plugins { vici { socket = unix://%s } }
    filelog {
        log { path = %s
              flush_line = yes
              default = 1
              ike = 4
              chd = 4
              cfg = 2
              enc = 1 }
    }
}
""" % (conf_extra, self.vici, self.log))
        with open(os.path.join(workdir, "swanctl.conf"), "w") as f:
            f.write(charon_connection("sg", "net", ike, esp, child_extra, local, remote))
            f.write("""secrets { ike-sg { id-sg = %s
                   id-sw = %s
                   secret = "%s" } }
""" % (ID_SG, ID_SW, PSK))
        self.env = dict(os.environ, STRONGSWAN_CONF=self.conf)

    def start(self):
        out = open(os.path.join(self.dir, "charon.out"), "w")
        self.proc = self.ns.popen(
            ["sh", "-c", "mount --bind '%s/run' /run && exec %s" % (self.dir, CHARON)],
            stdout=out, stderr=subprocess.STDOUT, env=self.env)
        for _ in range(100):
            if os.path.exists(self.vici):
                break
            time.sleep(0.1)
        else:
            pytest.fail("charon did not start: %s" % open(os.path.join(self.dir, "charon.out")).read())
        self.swanctl("--load-all", "--file", os.path.join(self.dir, "swanctl.conf"))

    def swanctl(self, *args, timeout=30, check=True):
        return run(["swanctl"] + list(args) + ["--uri", "unix://" + self.vici],
                   timeout=timeout, check=check, env=self.env)

    def logtext(self):
        with open(self.log) as f:
            return f.read()


def connections_yaml(ike, esp, initiate, extra="", local=ADDR_SG, remote=ADDR_SW):
    return ("""connections:
  - name: sw
    local_addr: %s
    remote_addr: %s
    local_id: %s
    remote_id: %s
    psk: "%s"
    ike: [%s]
    esp: [%s]
    local_ts: %s
    remote_ts: %s
    start: %s
%s""" % (local, remote, ID_SG, ID_SW, PSK, ike, esp, NET_SG, NET_SW,
       initiate if isinstance(initiate, str) else "initiate" if initiate else "wait", extra))


class SecgwIke:
    def __init__(self, build, ns, workdir, ike, esp, initiate, cfg=None):
        self.bin = secgw_ike_path(build)
        self.ns, self.dir = ns, workdir
        self.cfg = cfg or os.path.join(workdir, "ike.yaml")
        self.errpath = os.path.join(workdir, "secgw-ike.err")
        if ike is not None:
            with open(self.cfg, "a") as f:
                f.write(connections_yaml(ike, esp, initiate))

    def start(self, extra=()):
        self.err = open(self.errpath, "w")
        self.proc = self.ns.popen([self.bin, "-c", self.cfg, "-v", "--debug-keys"] + list(extra),
                                  stdout=self.err, stderr=subprocess.STDOUT,
                                  env=sanitizer_env())
        time.sleep(0.3)
        assert self.proc.poll() is None, self.logtext()

    def logtext(self):
        with open(self.errpath) as f:
            return f.read()

    def wait_for(self, pattern, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = re.search(pattern, self.logtext())
            if m:
                return m
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        pytest.fail("secgw-ike never logged %r:\n%s" % (pattern, self.logtext()[-4000:]))


def charon_dumps(log, pattern):
    """(match, bytes) for each line of charon's log that matches pattern, whose
    last group is the length of the hex dump on the lines after it."""
    out = []
    lines = log.splitlines()
    for i, line in enumerate(lines):
        m = re.search(pattern, line)
        if not m:
            continue
        n = int(m.group(m.lastindex))
        data = b""
        for hl in lines[i + 1:]:
            h = re.match(r".*?\s+(\d+): ((?:[0-9A-F]{2} ?)+)", hl)
            if not h or len(data) >= n:
                break
            data += bytes.fromhex(h.group(2).replace(" ", ""))
        out.append((m, data[:n]))
    return out


def charon_keys(log):
    """The last Child SA keys charon logged (keymat_v2, chd = 4): name -> bytes."""
    return {"%s_%s" % (m.group(1), m.group(2)): data for m, data in charon_dumps(
        log, r"(encryption|integrity) (initiator|responder) key => (\d+) bytes")}


def charon_ike_keys(log):
    """The SK_e* / SK_a* of each IKE SA charon derived (ike = 4), in order:
    [{"ei": bytes, "er": ..., "ai": ..., "ar": ...}] (no SK_a* for AEAD)."""
    sas = []
    # keymat_v2 logs SK_d first, then the others
    for m, data in charon_dumps(log, r"Sk_(d|ei|er|ai|ar) secret => (\d+) bytes"):
        if m.group(1) == "d":
            sas.append({})
        elif sas:
            sas[-1][m.group(1)] = data
    return sas


def assert_last_child_keys(log, charon_log, we_rekeyed):
    """Our last Child SA's keys (--debug-keys log) are among those charon logged
    (it may have started the next rekey since).  §2.17: the side that initiated
    the exchange making the Child SA owns KEYMAT's first ("initiator") half."""
    m = re.findall(r"CHILD-KEYS conn=sw spi_in=\w+ spi_out=\w+ encr_in=([0-9a-f]*) "
                   r"integ_in=[0-9a-f]* encr_out=([0-9a-f]*)", log)
    enc_in, enc_out = bytes.fromhex(m[-1][0]), bytes.fromhex(m[-1][1])
    want = (enc_out, enc_in) if we_rekeyed else (enc_in, enc_out)
    lines = charon_log.splitlines()
    seen = []
    for i in range(len(lines)):
        k = charon_keys("\n".join(lines[i:i + 12]))
        if "encryption_initiator" in k and "encryption_responder" in k:
            seen.append((k["encryption_initiator"], k["encryption_responder"]))
    assert want in seen, (want, seen)


def list_sas(charon):
    return charon.swanctl("--list-sas").stdout


def tshark_check(pcap):
    """Every IKE message from us dissects cleanly; return their (exchange, port) list."""
    base = ["tshark", "-r", pcap]
    bad = run(base + ["-Y", "ip.src == %s && (_ws.malformed || _ws.expert.severity >= error)"
                      % ADDR_SG], check=False)
    assert bad.returncode == 0, bad.stderr
    assert bad.stdout.strip() == "", "tshark flags our messages:\n" + bad.stdout
    out = run(base + ["-Y", "ip.src == %s && isakmp" % ADDR_SG, "-T", "fields",
                      "-e", "isakmp.exchangetype", "-e", "udp.srcport", "-e", "isakmp.ispi"],
              check=False)
    return [tuple(line.split("\t")) for line in out.stdout.splitlines() if line.strip()]


@pytest.mark.parametrize("ike,esp", SUITES, ids=["gcm-x25519", "cbc256-sha256-ecp256",
                                                  "cbc-sha256-modp2048"])
@pytest.mark.parametrize("we_initiate", [True, False], ids=["sg-initiator", "sg-responder"])
def test_ike_strongswan(build, tmp_path, ike, esp, we_initiate):
    with Lab("ike") as lab:
        sw_ns, sg_ns = lab.netns("sw"), lab.netns("sg")
        lab.veth(sw_ns, "ikesw0", sg_ns, "ikesg0")
        sw_ns.ip("addr", "add", ADDR_SW + "/24", "dev", "ikesw0")
        sg_ns.ip("addr", "add", ADDR_SG + "/24", "dev", "ikesg0")
        # kernel-libipsec routes the remote selector through its TUN device with a
        # source address from the local one: charon's side needs such an address.
        sw_ns.ip("addr", "add", "10.99.7.1/32", "dev", "lo")
        swdir, sgdir = str(tmp_path / "sw"), str(tmp_path / "sg")
        os.makedirs(sgdir)
        charon = Charon(sw_ns, swdir, ike, esp)
        charon.start()
        # what charon's end of the veth receives: every datagram we sent
        cap = Sniffer(sw_ns, "ikesw0", sgdir, "ike", ipproto=17, timeout=120).__enter__()
        sg = SecgwIke(build, sg_ns, sgdir, ike, esp, we_initiate)
        sg.start()
        if not we_initiate:
            r = charon.swanctl("--initiate", "--child", "net", "--timeout", "20", check=False)
            assert r.returncode == 0, r.stdout + r.stderr + sg.logtext()[-3000:]
        m = sg.wait_for(r"CHILD-KEYS conn=sw spi_in=([0-9a-f]{8}) spi_out=([0-9a-f]{8}) "
                        r"encr_in=([0-9a-f]*) integ_in=([0-9a-f]*) encr_out=([0-9a-f]*) "
                        r"integ_out=([0-9a-f]*)")
        spi_in, spi_out = m.group(1), m.group(2)
        ours = {k: bytes.fromhex(m.group(i)) for i, k in
                enumerate(["encr_in", "integ_in", "encr_out", "integ_out"], start=3)}
        ike_spis = sg.wait_for(r"sw\[([0-9a-f]{16})/([0-9a-f]{16})\]: \w+ -> established")

        # 1. charon's view: both SAs up, with the SPIs we negotiated.
        deadline = time.time() + 10
        while True:
            sas = list_sas(charon)
            if "INSTALLED" in sas or time.time() > deadline:
                break
            time.sleep(0.2)
        assert re.search(r"sg: #\d+, ESTABLISHED, IKEv2, %s_i\*? %s_r" % ike_spis.groups(), sas), sas
        assert re.search(r"net: #\d+, reqid \d+, INSTALLED, TUNNEL-in-UDP", sas), sas
        # charon's inbound SPI is our outbound one and vice versa
        assert re.search(r"\bin\s+%s\b" % spi_out, sas), sas
        assert re.search(r"\bout\s+%s\b" % spi_in, sas), sas
        assert "udp_encap" in sg.logtext()

        # 2. keys byte for byte: KEYMAT's initiator half protects initiator -> responder.
        theirs = charon_keys(charon.logtext())
        enc_i, enc_r = theirs.get("encryption_initiator"), theirs.get("encryption_responder")
        assert enc_i and enc_r, "charon logged no Child SA keys (chd = 4)"
        mine_i = ours["encr_out"] if we_initiate else ours["encr_in"]
        mine_r = ours["encr_in"] if we_initiate else ours["encr_out"]
        assert mine_i == enc_i and mine_r == enc_r
        if esp.endswith("-sha256"):
            int_i, int_r = theirs["integrity_initiator"], theirs["integrity_responder"]
            assert len(int_i) == 32 and len(enc_i) == (32 if esp.startswith("aes256") else 16)
            assert (ours["integ_out"] if we_initiate else ours["integ_in"]) == int_i
            assert (ours["integ_in"] if we_initiate else ours["integ_out"]) == int_r
        else:
            assert len(enc_i) == 20 and ours["integ_in"] == b"" and ours["integ_out"] == b""

        # 3. at exit we delete the IKE SA: charon has nothing left.
        lab.stop(sg.proc)
        assert sg.proc.returncode == 0, sg.logtext()[-3000:]
        assert "ERROR: AddressSanitizer" not in sg.logtext()
        assert "deleting the IKE SA" in sg.logtext()
        assert "ESTABLISHED" not in list_sas(charon)
        # 4. tshark on everything we sent, the Delete included.
        time.sleep(0.5)
        cap.stop()
        msgs = tshark_check(cap.pcap)
        exch = [e for e, _, _ in msgs]
        assert {"34", "35", "37"} <= set(exch), msgs  # IKE_SA_INIT, IKE_AUTH, INFORMATIONAL
        assert all(port == "4500" for e, port, _ in msgs if e == "35"), msgs


def two_namespaces(lab):
    sw_ns, sg_ns = lab.netns("sw"), lab.netns("sg")
    lab.veth(sw_ns, "ikesw0", sg_ns, "ikesg0")
    sw_ns.ip("addr", "add", ADDR_SW + "/24", "dev", "ikesw0")
    sg_ns.ip("addr", "add", ADDR_SG + "/24", "dev", "ikesg0")
    sw_ns.ip("addr", "add", "10.99.7.1/32", "dev", "lo")
    return sw_ns, sg_ns


def test_invalid_ke_round_trip(build, tmp_path):
    """We guess x25519 for our KE, charon allows only modp2048: it answers
    INVALID_KE_PAYLOAD, we retry with group 14 and the SAs come up."""
    with Lab("ike") as lab:
        sw_ns, sg_ns = two_namespaces(lab)
        swdir, sgdir = str(tmp_path / "sw"), str(tmp_path / "sg")
        os.makedirs(sgdir)
        charon = Charon(sw_ns, swdir, "aes128-sha256-modp2048", "aes128gcm16")
        charon.start()
        sg = SecgwIke(build, sg_ns, sgdir,
                      "aes128gcm16-prfsha256-x25519, aes128-sha256-modp2048", "aes128gcm16", True)
        sg.start()
        sg.wait_for(r"responder wants DH group 14, retrying")
        sg.wait_for(r"CHILD-KEYS conn=sw")
        sas = list_sas(charon)
        assert "ESTABLISHED" in sas and "MODP_2048" in sas, sas
        lab.stop(sg.proc)
        assert sg.proc.returncode == 0


# The data plane's ports; in test_child_sa_into_secgw_dp they face veth pairs inside
# secgw-ike's namespace and IKE travels through the kernel on ikesg0, in
# test_end_to_end_through_secgw_dp IKE goes through these ports (--via-dp).
DP_PORTS = """
crypto:
  driver: aesni_mb

ports:
  - name: inside
    devargs: net_af_packet0,iface=dpin,framecnt=4096
    role: protected
    address: 10.99.6.1/24
  - name: outside
    devargs: net_af_packet1,iface=dpout,framecnt=4096
    role: unprotected
    address: 10.99.5.1/24

routes:
  - dst: 10.99.7.0/24
    via: 10.99.5.2
    port: outside

"""


@contextlib.contextmanager
def kernel_ike_child_in_dp(build, lab, tmp_path, tag, extra=""):
    """charon <-> secgw-ike on kernel sockets (two_namespaces), and a secgw-dp whose
    ports face veth pairs inside secgw-ike's namespace, loaded from one config file
    with the connection (plus `extra` connection lines); secgw-ike runs on that file
    with --dp.  Once the Child SA pair is in secgw-dp, yields (charon, gw, sg, prefix,
    spi_in, spi_out); stops secgw-dp at the end."""
    sw_ns, sg_ns = two_namespaces(lab)
    lab.veth(sg_ns, "dpin", sg_ns, "dpinp")
    lab.veth(sg_ns, "dpout", sg_ns, "dpoutp")
    swdir, sgdir = str(tmp_path / "sw"), str(tmp_path / "sg")
    os.makedirs(sgdir)
    prefix = lab.uid + tag
    text = dataplane_yaml(prefix) + DP_PORTS + connections_yaml(
        "aes128gcm16-prfsha256-x25519", "aes128gcm16", True) + extra
    gw = Gateway(build, sg_ns, text, sgdir, name="gw")
    charon = Charon(sw_ns, swdir, "aes128gcm16-prfsha256-x25519", "aes128gcm16")
    charon.start()
    try:
        gw.start()
        # secgw-ike on the very config file the data plane loaded
        sg = SecgwIke(build, sg_ns, sgdir, None, None, True, cfg=gw.config + ".ike")
        with open(gw.config) as src, open(sg.cfg, "w") as dst:
            dst.write(src.read())
        sg.start(["--dp", prefix])
        m = sg.wait_for(r"CHILD-KEYS conn=sw spi_in=([0-9a-f]{8}) spi_out=([0-9a-f]{8})")
        spi_in, spi_out = int(m.group(1), 16), int(m.group(2), 16)
        sas = gw.sa_list()
        assert spi_in in sas and spi_out in sas, sas
        yield charon, gw, sg, prefix, spi_in, spi_out
    finally:
        gw.stop()


def via_dp_lab(lab, tmp_path, tag):
    """charon <-> secgw-dp <-> host, with nothing of the gateway in the kernel: charon's
    veth faces secgw-dp's outside port, the host's its inside port.  Returns the
    namespaces, the directories and the prefix."""
    sw_ns, gw_ns, host = lab.netns("sw"), lab.netns("gw"), lab.netns("host")
    lab.veth(sw_ns, "ikesw0", gw_ns, "dpout")
    lab.veth(host, "h0", gw_ns, "dpin")
    sw_ns.ip("addr", "add", ADDR_SW + "/24", "dev", "ikesw0")
    sw_ns.ip("addr", "add", "10.99.7.1/32", "dev", "lo")
    host.ip("addr", "add", "10.99.6.2/24", "dev", "h0")
    host.ip("route", "add", "default", "via", "10.99.6.1")
    swdir, gwdir = str(tmp_path / "sw"), str(tmp_path / "gw")
    os.makedirs(gwdir)
    return sw_ns, gw_ns, host, swdir, gwdir, lab.uid + tag


def gateway_facing_charon(build, lab, tmp_path, tag, start, ours="", charon_child="",
                          conn=None, make_charon=None):
    """via_dp_lab with charon started (AES-GCM, x25519; its Child SA options
    charon_child) and a started secgw-dp whose config holds the connection (`start`
    as connections_yaml takes it, `ours`: extra connection lines); secgw-ike on that
    config is returned unstarted.  conn replaces the whole connections: text,
    make_charon(namespace, workdir) the PSK Charon.  Returns charon's namespace, the
    host's, the gateway, charon and secgw-ike."""
    sw_ns, gw_ns, host, swdir, gwdir, prefix = via_dp_lab(lab, tmp_path, tag)
    text = dataplane_yaml(prefix) + DP_PORTS + (conn or connections_yaml(
        "aes128gcm16-prfsha256-x25519", "aes128gcm16", start, ours))
    gw = Gateway(build, gw_ns, text, gwdir, name="gw")
    charon = make_charon(sw_ns, swdir) if make_charon else Charon(
        sw_ns, swdir, "aes128gcm16-prfsha256-x25519", "aes128gcm16", charon_child)
    charon.start()
    gw.start()
    return sw_ns, host, gw, charon, SecgwIke(build, gw_ns, gwdir, None, None, True,
                                             cfg=gw.config)


def wait_installed(charon, timeout=10):
    deadline = time.time() + timeout
    while "INSTALLED" not in list_sas(charon) and time.time() < deadline:
        time.sleep(0.2)
    assert "INSTALLED" in list_sas(charon), list_sas(charon)


@contextlib.contextmanager
def ike_through_dp(build, lab, tmp_path, tag, ours="", charon_child="", **charon_kw):
    """gateway_facing_charon (charon_kw: its conn, make_charon) with secgw-ike
    initiating through secgw-dp (--via-dp).
    Once the Child SA is in on both sides and charon's TUN device routes the
    answers, yields (host, gw, charon, sg, first) with first the first Child SA's
    (spi_in, spi_out); stops secgw-ike and secgw-dp at the end."""
    sw_ns, host, gw, charon, sg = gateway_facing_charon(build, lab, tmp_path, tag, True, ours,
                                                        charon_child, **charon_kw)
    try:
        sg.start(["--dp", gw.prefix, "--via-dp"])
        m = sg.wait_for(r"CHILD-KEYS conn=sw spi_in=([0-9a-f]{8}) spi_out=([0-9a-f]{8})")
        wait_installed(charon)
        # charon runs with install_routes = no: send the far side's answers into
        # kernel-libipsec's TUN device ourselves
        sw_ns.ip("route", "add", NET_SG, "dev", "ipsec0", "src", "10.99.7.1")
        yield host, gw, charon, sg, (int(m.group(1), 16), int(m.group(2), 16))
    finally:
        if getattr(sg, "proc", None) is not None and sg.proc.poll() is None:
            lab.stop(sg.proc)
        gw.stop()


def ping_far_host(host, count, interval):
    """ping the host behind charon: (sent, received, output)."""
    p = host.run(["ping", "-c", str(count), "-i", interval, "-W", "2", "10.99.7.1"],
                 check=False, timeout=60)
    m = re.search(r"(\d+) packets transmitted, (\d+) received", p.stdout)
    assert m, p.stdout
    return int(m.group(1)), int(m.group(2)), p.stdout


def test_child_sa_into_secgw_dp(build, tmp_path):
    """secgw-ike with --dp: the Child SA pair and its two policies appear in a running
    secgw-dp (`secgwctl sa list` / `policy list`), ESP in UDP 4500, and go away
    when secgw-ike stops.  One config file holds both the data plane's sections and
    connections:."""
    with Lab("ikedp") as lab, kernel_ike_child_in_dp(build, lab, tmp_path, "ike") as (
            charon, gw, sg, prefix, spi_in, spi_out):
        sas = gw.sa_list()
        o, i = sas[spi_out], sas[spi_in]
        assert (o["direction"], o["src"], o["dst"], o["cipher"], o["state"]) == \
            ("out", ADDR_SG, ADDR_SW, "aes-128-gcm", "live"), o
        assert (i["direction"], i["src"], i["dst"], i["cipher"]) == \
            ("in", ADDR_SW, ADDR_SG, "aes-128-gcm"), i
        pols = gw.ctl("policy", "list")
        text = json_text(pols)
        assert "ike-out-%08x" % spi_out in text and "ike-in-%08x" % spi_in in text, text
        assert "10.99.7.0/24" in text and "10.99.6.0/24" in text, text
        lab.stop(sg.proc)
        assert sg.proc.returncode == 0, sg.logtext()[-3000:]
        sas = gw.sa_list()
        assert spi_in not in sas and spi_out not in sas, sas


def json_text(obj):
    import json
    return json.dumps(obj)


def test_retransmit_until_peer_up(build, tmp_path):
    """secgw-ike initiates before charon runs: its IKE_SA_INIT is retransmitted (1 s,
    then 2 s later) and the SAs come up once charon listens; a peer that deletes
    the IKE SA is initiated again (start: initiate)."""
    with Lab("ikert") as lab:
        sw_ns, sg_ns = two_namespaces(lab)
        swdir, sgdir = str(tmp_path / "sw"), str(tmp_path / "sg")
        os.makedirs(sgdir)
        sg = SecgwIke(build, sg_ns, sgdir, "aes128gcm16-prfsha256-x25519", "aes128gcm16", True)
        sg.start()
        time.sleep(1.5)
        charon = Charon(sw_ns, swdir, "aes128gcm16-prfsha256-x25519", "aes128gcm16")
        charon.start()
        sg.wait_for(r"retransmit 1 of request 0")
        sg.wait_for(r"CHILD-KEYS conn=sw", timeout=20)
        sas = list_sas(charon)
        assert "ESTABLISHED" in sas and "INSTALLED" in sas, sas
        # charon deletes the IKE SA: we answer, drop it, and come back
        charon.swanctl("--terminate", "--ike", "sg", "--timeout", "10")
        sg.wait_for(r"peer deleted the IKE SA")
        sg.wait_for(r"sw: initiating again", timeout=20)
        deadline = time.time() + 20
        while time.time() < deadline and sg.logtext().count("CHILD-KEYS") < 2:
            time.sleep(0.2)
        assert sg.logtext().count("CHILD-KEYS") == 2, sg.logtext()[-3000:]
        assert "INSTALLED" in list_sas(charon)
        lab.stop(sg.proc)
        assert sg.proc.returncode == 0


def test_end_to_end_through_secgw_dp(build, tmp_path):
    """The whole path: the gateway's addresses live only on secgw-dp's DPDK ports.
    charon's IKE reaches secgw-ike through secgw-dp's relay (--via-dp), the Child SA
    is installed into secgw-dp, and a host behind secgw-dp pings a host behind
    strongSwan through it: ESP in UDP 4500 both ways, encrypted by secgw-dp and by
    charon's kernel-libipsec."""
    with Lab("ikee2e") as lab, ike_through_dp(build, lab, tmp_path, "e2e") as (
            host, gw, charon, sg, (spi_in, spi_out)):
        before = gw.stats()
        sent, got, out = ping_far_host(host, 5, "0.2")
        moved = {k: gw.stats().get(k, 0) - before.get(k, 0) for k in
                 ("out_protect", "in_esp", "ike_to_daemon", "ike_from_daemon")}
        assert sent == got == 5, \
            "ping through secgw-dp and strongSwan failed:\n%s\ncounters: %s\n%s" % (
                out, moved, list_sas(charon))
        sas = gw.sa_list()
        assert sas[spi_out]["packets"] >= 5 and sas[spi_in]["packets"] >= 5, sas
        st = gw.stats()
        assert st.get("ike_to_daemon", 0) >= 2 and st.get("ike_from_daemon", 0) >= 2, st
        lab.stop(sg.proc)
        assert sg.proc.returncode == 0, sg.logtext()[-3000:]
        assert "ESTABLISHED" not in list_sas(charon)


def test_start_trap_initiates_on_traffic(build, tmp_path):
    """start: trap: secgw-ike installs a trap policy in secgw-dp; the host's first
    packet for the remote network is dropped there (drop_policy_trap) and becomes an
    acquire event, secgw-ike initiates to strongSwan, and once the Child SA is in the
    host's pings go through.  When charon deletes the Child SA alone, the next packet
    makes secgw-ike ask the same IKE SA for a new one.  The trap policy leaves with
    secgw-ike."""
    with Lab("iketrap") as lab:
        sw_ns, host, gw, charon, sg = gateway_facing_charon(build, lab, tmp_path, "trap",
                                                            "trap")
        try:
            sg.start(["--dp", gw.prefix, "--via-dp"])
            wait_until(lambda: "ike-trap-sw" in json_text(gw.ctl("policy", "list")), 5,
                       "the trap policy")
            time.sleep(1.0)
            assert "CHILD-KEYS" not in sg.logtext() and "ESTABLISHED" not in list_sas(charon)
            before = gw.stats()
            host.run(["ping", "-c", "1", "-W", "1", "10.99.7.1"], check=False)
            sg.wait_for(r"sw: acquire for 10\.99\.6\.2 -> 10\.99\.7\.1 \(proto 1\): initiating",
                        timeout=5)
            sg.wait_for(r"CHILD-KEYS conn=sw spi_in=([0-9a-f]{8})")
            wait_installed(charon)
            d = gw.stats()
            assert d.get("drop_policy_trap", 0) - before.get("drop_policy_trap", 0) >= 1, d
            assert d.get("acquire", 0) - before.get("acquire", 0) == 1, d
            sw_ns.ip("route", "add", NET_SG, "dev", "ipsec0", "src", "10.99.7.1")
            p = host.run(["ping", "-c", "5", "-i", "0.2", "-W", "2", "10.99.7.1"], check=False)
            assert p.returncode == 0 and " 0% packet loss" in p.stdout, p.stdout
            # one IKE SA: the Child SA's policies now win over the trap
            assert sg.logtext().count("initiating") == 1, sg.logtext()[-3000:]
            # charon deletes the Child SA but keeps the IKE SA: the next packet is
            # trapped again and the IKE SA gets a new Child SA (CREATE_CHILD_SA)
            r = charon.swanctl("--terminate", "--child", "net", "--timeout", "10", check=False)
            assert r.returncode == 0, r.stdout + r.stderr
            sg.wait_for(r"peer deleted the Child SA", timeout=10)
            wait_until(lambda: not gw.sa_list(), 5, "the Child SA to leave secgw-dp")
            host.run(["ping", "-c", "1", "-W", "1", "10.99.7.1"], check=False)
            sg.wait_for(r"sw: acquire for 10\.99\.6\.2 -> 10\.99\.7\.1 \(proto 1\): "
                        r"new Child SA", timeout=5)
            wait_until(lambda: sg.logtext().count("CHILD-KEYS") == 2, 10, "the new Child SA")
            wait_installed(charon)
            p = host.run(["ping", "-c", "5", "-i", "0.2", "-W", "2", "10.99.7.1"], check=False)
            assert p.returncode == 0 and " 0% packet loss" in p.stdout, p.stdout
            assert sg.logtext().count("initiating") == 1 and len(gw.sa_list()) == 2
            lab.stop(sg.proc)
            assert sg.proc.returncode == 0, sg.logtext()[-3000:]
            assert "ike-trap-sw" not in json_text(gw.ctl("policy", "list"))
        finally:
            if getattr(sg, "proc", None) is not None and sg.proc.poll() is None:
                lab.stop(sg.proc)
            gw.stop()


def test_narrowed_to_icmp_through_secgw_dp(build, tmp_path):
    """charon offers only ICMP between the two networks: our selectors narrow to it
    (§2.9) and secgw-dp's policies for the Child SA carry the protocol, so pings go
    through and the host's UDP to the same address finds no policy (dropped and
    counted), never leaving in the clear."""
    with Lab("ikenarrow") as lab, ike_through_dp(
            build, lab, tmp_path, "nw",
            charon_child="local_ts = %s[icmp]\n remote_ts = %s[icmp]" % (NET_SW, NET_SG)
    ) as (host, gw, charon, sg, first):
        text = json_text(gw.ctl("policy", "list"))
        assert text.count('"proto": "icmp"') == 2, text
        sent, got, out = ping_far_host(host, 5, "0.2")
        assert sent == got == 5, out
        before = gw.stats()
        host.run(["python3", "-c", "import socket; s = socket.socket(socket.AF_INET, "
                  "socket.SOCK_DGRAM); [s.sendto(b'x', ('10.99.7.1', 9)) for _ in range(3)]"])
        time.sleep(0.3)
        d = gw.stats()
        assert d.get("drop_no_policy", 0) - before.get("drop_no_policy", 0) == 3, d
        assert d.get("out_protect", 0) == before.get("out_protect", 0), d


def ike_ctl(build, sock_args, *args, check=True):
    """secgwctl ike ... against secgw-ike's control socket; --json list parsed."""
    import json
    p = run([build.ctl] + list(sock_args) + list(args), check=False, timeout=15)
    if check:
        assert p.returncode == 0, (args, p.stdout, p.stderr)
    if "--json" in args and p.returncode == 0:
        return json.loads(p.stdout)
    return p


def wait_until(cond, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return
        time.sleep(0.2)
    pytest.fail("timed out waiting for " + what)


def test_secgwctl_ike_list_terminate_initiate(build, tmp_path):
    """`secgwctl ike list` shows the IKE SA and its Child SA with the SPIs charon
    shows; `ike terminate sw` deletes it (charon has none left, no retry);
    `ike initiate sw` brings it back; bad requests get an error, not a crash."""
    with Lab("ikectl") as lab:
        sw_ns, sg_ns = two_namespaces(lab)
        swdir, sgdir = str(tmp_path / "sw"), str(tmp_path / "sg")
        os.makedirs(sgdir)
        charon = Charon(sw_ns, swdir, "aes128gcm16-prfsha256-x25519", "aes128gcm16")
        charon.start()
        sg = SecgwIke(build, sg_ns, sgdir, "aes128gcm16-prfsha256-x25519", "aes128gcm16", True)
        sock = os.path.join(sgdir, "ike.ctl")
        sg.start(["--ctl", sock])
        sg.wait_for(r"CHILD-KEYS conn=sw")
        sa = ike_ctl(build, ["-s", sock], "--json", "ike", "list")["ike_sas"]
        assert len(sa) == 1, sa
        sa = sa[0]
        assert (sa["name"], sa["state"], sa["role"], sa["nat"], sa["ike_alg"]) == \
            ("sw", "established", "initiator", "on", "aes128gcm16-prfsha256-x25519"), sa
        assert sa["remote"] == ADDR_SW + ":4500" and sa["local"] == ADDR_SG + ":4500", sa
        assert sa["msg_out"] >= 2 and sa["retransmits"] == 0, sa
        assert len(sa["child_sas"]) == 1, sa
        child = sa["child_sas"][0]
        assert child["esp_alg"] == "aes128gcm16" and child["udp_encap"] == "on", child
        sw = list_sas(charon).lower()
        for spi in (sa["spi_i"], sa["spi_r"], child["spi_in"], child["spi_out"]):
            assert spi in sw, (spi, sw)
        table = ike_ctl(build, ["-s", sock], "ike", "list").stdout
        assert sa["spi_i"] in table and child["spi_in"] in table, table
        # requests that must be refused
        p = ike_ctl(build, ["-s", sock], "ike", "initiate", "nosuch", check=False)
        assert p.returncode == 1 and "no connection named nosuch" in p.stderr, p
        p = ike_ctl(build, ["-s", sock], "ike", "initiate", "sw", check=False)
        assert p.returncode == 1 and "already has an IKE SA" in p.stderr, p
        p = ike_ctl(build, ["-s", sock], "ike", "terminate", "a/b", check=False)
        assert p.returncode == 1 and "bad character" in p.stderr, p
        # terminate: charon has no SA left and we do not retry
        assert ike_ctl(build, ["-s", sock], "ike", "terminate", "sw").stdout == "ok\n"
        wait_until(lambda: "ESTABLISHED" not in list_sas(charon), 10, "charon to drop the SA")
        wait_until(lambda: ike_ctl(build, ["-s", sock], "--json", "ike", "list")["ike_sas"] == [],
                   10, "secgw-ike to drop the SA")
        # initiate: back again
        assert ike_ctl(build, ["-s", sock], "ike", "initiate", "sw").stdout == "ok\n"
        wait_until(lambda: sg.logtext().count("CHILD-KEYS") == 2, 20, "a second Child SA")
        sas = ike_ctl(build, ["-s", sock], "--json", "ike", "list")["ike_sas"]
        assert len(sas) == 1 and sas[0]["state"] == "established", sas
        sw = list_sas(charon).lower()
        assert "established" in sw and sas[0]["spi_i"] in sw, sw
        assert "initiating again" not in sg.logtext()
        lab.stop(sg.proc)
        assert sg.proc.returncode == 0, sg.logtext()[-3000:]


def test_dpd_dead_peer_into_secgw_dp(build, tmp_path):
    """dpd_delay 2 with secgw-dp: charon is killed (-9); secgw-ike's liveness check
    goes unanswered through the connection's retransmission schedule
    (retransmit_timeout 250 ms, retransmit_tries 3: resent 0.25, 0.5 and 1 s apart,
    given up 2 s later), it logs the peer dead, and the Child SA pair is gone from
    secgw-dp.  `secgwctl -p PREFIX ike list` finds secgw-ike's control socket beside
    the data plane's."""
    with Lab("ikedpd") as lab, kernel_ike_child_in_dp(
            build, lab, tmp_path, "dpd",
            "    dpd_delay: 2\n    retransmit_timeout: 250\n    retransmit_tries: 3\n") as (
            charon, gw, sg, prefix, spi_in, spi_out):
        # the peer answers the liveness checks: still up after several
        time.sleep(5)
        lst = ike_ctl(build, ["-p", prefix], "--json", "ike", "list")["ike_sas"]
        assert len(lst) == 1 and lst[0]["state"] == "established", lst
        assert lst[0]["dpd"] >= 1 and lst[0]["child_sas"][0]["spi_in"] == "%08x" % spi_in, lst
        charon.proc.kill()
        charon.proc.wait()
        t0 = time.time()
        # at most 2 s idle, then 0.25+0.5+1+2 s of retransmissions
        sg.wait_for(r"no response after 3 retransmissions: dead peer", timeout=20)
        assert time.time() - t0 < 12
        at = [float(t) for t in re.findall(r"(?m)^(\d+\.\d+) .*retransmit \d of request",
                                           sg.logtext())[-3:]]
        gaps = [round(b - a, 2) for a, b in zip(at, at[1:])]
        print("retransmissions %s s apart" % gaps)
        assert len(gaps) == 2 and 0.4 <= gaps[0] <= 0.8 and 0.9 <= gaps[1] <= 1.4, gaps
        sg.wait_for(r"Child SA removed: spi_in 0x%08x" % spi_in, timeout=5)
        sas = gw.sa_list()
        assert spi_in not in sas and spi_out not in sas, sas
        lab.stop(sg.proc)
        assert sg.proc.returncode == 0, sg.logtext()[-3000:]


@pytest.mark.parametrize("rekeyer", ["charon", "secgw"])
def test_child_rekey_through_secgw_dp(build, tmp_path, rekeyer):
    """Child SA rekeying (CREATE_CHILD_SA, make before break) while a host behind
    secgw-dp pings a host behind strongSwan (ping -i 0.2 for 12 s): either charon
    rekeys (child rekey_time 5s) or secgw-ike does (rekey_time: 5, charon's off).
    The Child SA changes SPIs at least twice on both sides (secgwctl sa list,
    swanctl --list-sas), the old SAs are gone afterwards, secgw-dp drops nothing, and
    the ping loses at most one packet per rekey, at the peer (the figure is printed)."""
    with Lab("ikerk") as lab, ike_through_dp(
            build, lab, tmp_path, "rk", "    rekey_time: %d\n" % (5 if rekeyer == "secgw" else 0),
            # life_time well past rekey_time: libipsec's whole-second expiry
            # would else hit first
            "rekey_time = %s\n life_time = 60s\n rand_time = 1s"
            % ("5s" if rekeyer == "charon" else "0")) as (host, gw, charon, sg, first):
        sent, got, out = ping_far_host(host, 60, "0.2")
        log = sg.logtext()
        keys = re.findall(r"CHILD-KEYS conn=sw spi_in=([0-9a-f]{8}) spi_out=([0-9a-f]{8})",
                          log)
        rekeys = len(keys) - 1
        drops = {k: v for k, v in gw.stats().items() if k.startswith("drop") and v}
        print("rekeyer %s: %d rekeys, ping %d sent, %d received, loss %d; secgw-dp drops %s"
              % (rekeyer, rekeys, sent, got, sent - got, drops))
        assert rekeys >= 2, log[-4000:]
        assert "peer error" not in log
        if rekeyer == "secgw":
            assert "Child SA rekeyed: " in log, log[-4000:]
        else:
            assert "Child SA rekeyed by the peer" in log, log[-4000:]
        # make before break: secgw-dp drops nothing while both pairs are in place
        # (a packet on the old SA matches its own, identical inbound policy)
        assert not drops, drops
        assert sent - got <= rekeys, "ping lost %d of %d over %d rekeys:\n%s" % (
            sent - got, sent, rekeys, out[-2000:])
        # settle: a rekey in progress finishes, its old pair leaves
        deadline = time.time() + 10
        while time.time() < deadline:
            log = sg.logtext()
            if log.count("Child SA installed") == log.count("old Child SA removed") + 1:
                break
            time.sleep(0.2)
        keys = re.findall(r"CHILD-KEYS conn=sw spi_in=([0-9a-f]{8}) spi_out=([0-9a-f]{8})",
                          log)
        last = (int(keys[-1][0], 16), int(keys[-1][1], 16))
        assert_last_child_keys(log, charon.logtext(), rekeyer == "secgw")
        assert last[0] != first[0] and last[1] != first[1]
        # the peer may have started its next rekey meanwhile: the data plane
        # holds exactly the newest pair once that one settles too
        deadline = time.time() + 10
        while True:
            sas = gw.sa_list()
            keys = re.findall(r"CHILD-KEYS conn=sw spi_in=([0-9a-f]{8}) "
                              r"spi_out=([0-9a-f]{8})", sg.logtext())
            newest = {int(keys[-1][0], 16), int(keys[-1][1], 16)}
            if set(sas) == newest or time.time() > deadline:
                break
            time.sleep(0.3)
        assert set(sas) == newest, (sas.keys(), first, last)
        last = tuple(sorted(newest))
        listed = list_sas(charon)
        assert ("%08x" % last[0]) in listed and ("%08x" % last[1]) in listed, listed
        assert ("%08x" % first[0]) not in listed and ("%08x" % first[1]) not in listed, \
            listed
        assert listed.count("INSTALLED") == 1, listed
        lab.stop(sg.proc)
        assert sg.proc.returncode == 0, sg.logtext()[-3000:]
