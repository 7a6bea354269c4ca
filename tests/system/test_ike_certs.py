# SPDX-License-Identifier: BSD-3-Clause
"""secgw-ike against strongSwan with certificate authentication (RFC 7296 §2.15,
§3.6-3.8, RFC 7427).

A CA and the two end-entity certificates (subjectAltName DNS:sg.secgw.test /
DNS:sw.secgw.test) are made with the openssl CLI at test time; charon loads its
own from swanctl/x509, x509ca and private beside its swanctl.conf, secgw-ike
from `auth: pubkey` with cert:, key: and ca:.

- ECDSA (our key P-256, charon's P-384), secgw-ike as initiator and as
  responder: charon reports the IKE SA ESTABLISHED with our SPIs, the peer
  authenticated with an ECDSA signature and the Child SA INSTALLED with the ESP
  SPIs we negotiated; secgw-ike logs the SA established; tshark dissects our
  messages cleanly and our IKE_AUTH carries CERT, CERTREQ and a Digital
  Signature AUTH (method 14).
- RSA-2048 certificates, secgw-ike initiating, DN identities, charon signing
  RSASSA-PSS; both IKE_AUTH messages exceed 1280 octets and go as IKE fragments.
- ECDSA with charon not doing RFC 7427: the classic methods 9 and 10.
- ECDSA end to end through secgw-dp: IKE via its relay, the Child SA in the data
  plane, a ping between the hosts behind each side.
- charon presents a certificate from a CA we do not trust: secgw-ike refuses
  it (AUTHENTICATION_FAILED to charon, counted as authentication_failed).

Each run prints the IKE_AUTH sizes and the handshake time.
"""

import os
import re
import time

import pytest

from conftest import Sniffer
from netns import Lab, run
from test_ike_strongswan import (ADDR_SG, ADDR_SW, ID_SG, ID_SW, NET_SG, NET_SW, Charon,
                                 SecgwIke, have_strongswan, ike_through_dp, list_sas,
                                 ping_far_host, tshark_check, two_namespaces, wait_installed)

pytestmark = pytest.mark.skipif(not have_strongswan(),
                                reason="strongswan-charon / strongswan-swanctl not installed")

IKE, ESP = "aes128gcm16-prfsha256-x25519", "aes128gcm16"
KEYS = {"p256": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
        "p384": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
        "rsa": ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]}


def openssl(*args):
    run(["openssl"] + list(args), timeout=60)


def make_ca(d, name, key="p256"):
    """A self-signed CA (openssl req -x509 marks it CA:TRUE): (cert, key) paths."""
    os.makedirs(d, exist_ok=True)
    k, c = os.path.join(d, name + ".key"), os.path.join(d, name + ".pem")
    openssl("genpkey", *KEYS[key], "-out", k)
    openssl("req", "-new", "-x509", "-key", k, "-days", "2", "-out", c,
            "-subj", "/C=CH/O=secgw test/CN=%s" % name)
    return c, k


def make_ee(d, name, san, ca, key):
    """An end-entity certificate for san issued by ca: (cert, key) paths."""
    k, c = os.path.join(d, name + ".key"), os.path.join(d, name + ".pem")
    csr, ext = os.path.join(d, name + ".csr"), os.path.join(d, name + ".ext")
    openssl("genpkey", *KEYS[key], "-out", k)
    openssl("req", "-new", "-key", k, "-out", csr, "-subj", "/C=CH/O=secgw test/CN=%s" % san)
    with open(ext, "w") as f:
        f.write("basicConstraints = CA:FALSE\nkeyUsage = digitalSignature\n"
                "subjectAltName = DNS:%s\n" % san)
    openssl("x509", "-req", "-in", csr, "-CA", ca[0], "-CAkey", ca[1], "-set_serial",
            str(int(time.time() * 1000) % 1000000), "-days", "2", "-extfile", ext, "-out", c)
    return c, k


def dn(name):
    """The subject make_ee gives name's certificate, as an ID."""
    return "C=CH, O=secgw test, CN=%s" % name


def charon_with_certs(ns, swdir, own, cas, send_cert="ifasked", settings="",
                      ids=(ID_SG, ID_SW)):
    """A Charon whose swanctl.conf authenticates with own (cert, key) and trusts cas,
    with extra strongswan.conf charon settings; ids: our ID and charon's."""
    charon = Charon(ns, swdir, IKE, ESP, conf_extra=settings)
    for sub in ("x509", "x509ca", "private"):
        os.makedirs(os.path.join(swdir, sub), exist_ok=True)
    with open(own[0]) as src, open(os.path.join(swdir, "x509", "sw.pem"), "w") as dst:
        dst.write(src.read())
    with open(own[1]) as src, open(os.path.join(swdir, "private", "sw.key"), "w") as dst:
        dst.write(src.read())
    for i, ca in enumerate(cas):
        with open(ca) as src, open(os.path.join(swdir, "x509ca", "ca%d.pem" % i), "w") as dst:
            dst.write(src.read())
    # Charon's own swanctl.conf, with certificates instead of the PSK
    path = os.path.join(swdir, "swanctl.conf")
    with open(path) as f:
        conf = f.read()
    conf = conf.replace("local { auth = psk", "send_cert = %s\n        local { auth = pubkey\n"
                        "                certs = sw.pem" % send_cert)
    conf = conf.replace("remote { auth = psk", "remote { auth = pubkey")
    for default, wanted in zip((ID_SG, ID_SW), ids):
        conf = conf.replace("id = %s " % default, 'id = "%s" ' % wanted)
    with open(path, "w") as f:
        f.write(conf[:conf.index("secrets {")])
    return charon


def cert_connection_yaml(own, ca, initiate, ids=(ID_SG, ID_SW)):
    """secgw-ike's connection to charon with auth: pubkey, own = (cert, key), ids
    ours and charon's."""
    return """connections:
  - name: sw
    local_addr: %s
    remote_addr: %s
    local_id: "%s"
    remote_id: "%s"
    auth: pubkey
    cert: %s
    key: %s
    ca: %s
    ike: [%s]
    esp: [%s]
    local_ts: %s
    remote_ts: %s
    start: %s
""" % (ADDR_SG, ADDR_SW, ids[0], ids[1], own[0], own[1], ca, IKE, ESP, NET_SG, NET_SW,
       "initiate" if initiate else "wait")


def secgw_with_certs(build, ns, sgdir, own, ca, initiate, ids=(ID_SG, ID_SW)):
    cfg = os.path.join(sgdir, "ike.yaml")
    with open(cfg, "w") as f:
        f.write(cert_connection_yaml(own, ca, initiate, ids))
    return SecgwIke(build, ns, sgdir, None, None, initiate, cfg=cfg)


def auth_messages(pcaps):
    """The IKE_AUTH datagrams in the captures, (source, UDP length after IP
    reassembly), and the time from the first IKE_SA_INIT to the last IKE_AUTH."""
    rows = []
    for pcap in pcaps:
        out = run(["tshark", "-r", pcap, "-Y", "isakmp.exchangetype == 34 || "
                   "isakmp.exchangetype == 35", "-T", "fields", "-e", "isakmp.exchangetype",
                   "-e", "ip.src", "-e", "udp.length", "-e", "frame.time_epoch"],
                  check=False).stdout
        rows += [line.split("\t") for line in out.splitlines() if line.strip()]
    rows.sort(key=lambda r: float(r[3]))
    auths = [r for r in rows if r[0] == "35"]
    return ([(r[1], int(r[2])) for r in auths],
            float(auths[-1][3]) - min(float(r[3]) for r in rows if r[0] == "34"))


def make_pki(tmp_path, sg_key, sw_key, ca_key):
    """One CA and both end-entity certificates: (ca, sg, sw), each (cert, key)."""
    pki = str(tmp_path / "pki")
    ca = make_ca(pki, "Test CA", ca_key)
    return ca, make_ee(pki, "sg", ID_SG, ca, sg_key), make_ee(pki, "sw", ID_SW, ca, sw_key)


def check_established(build, tmp_path, we_initiate, sg_key, sw_key, ca_key, scheme,
                      method=14, ids=(ID_SG, ID_SW), settings="", fragmented=False):
    """Both authenticate with certificates and IDs ids (ours, charon's): charon (with
    settings) says it verified ours with scheme, we verified charon's AUTH of method;
    both IKE_AUTH messages went as IKE fragments when fragmented."""
    with Lab("ikec") as lab:
        sw_ns, sg_ns = two_namespaces(lab)
        swdir, sgdir = str(tmp_path / "sw"), str(tmp_path / "sg")
        os.makedirs(sgdir)
        ca, sg_cert, sw_cert = make_pki(tmp_path, sg_key, sw_key, ca_key)
        charon = charon_with_certs(sw_ns, swdir, sw_cert, [ca[0]], settings=settings, ids=ids)
        charon.start()
        # what each side receives: our messages on charon's end, charon's on ours
        cap = Sniffer(sw_ns, "ikesw0", sgdir, "ike", ipproto=17, timeout=60).__enter__()
        cap_in = Sniffer(sg_ns, "ikesg0", sgdir, "ike-in", ipproto=17, timeout=60).__enter__()
        sg = secgw_with_certs(build, sg_ns, sgdir, sg_cert, ca[0], we_initiate, ids)
        sg.start()
        if not we_initiate:
            r = charon.swanctl("--initiate", "--child", "net", "--timeout", "20", check=False)
            assert r.returncode == 0, r.stdout + r.stderr + sg.logtext()[-3000:]
        m = sg.wait_for(r"CHILD-KEYS conn=sw spi_in=([0-9a-f]{8}) spi_out=([0-9a-f]{8})")
        spi_in, spi_out = m.group(1), m.group(2)
        ike_spis = sg.wait_for(r"sw\[([0-9a-f]{16})/([0-9a-f]{16})\]: \w+ -> established")
        wait_installed(charon)
        sas = list_sas(charon)
        assert re.search(r"sg: #\d+, ESTABLISHED, IKEv2, %s_i\*? %s_r" % ike_spis.groups(), sas)
        assert re.search(r"\bin\s+%s\b" % spi_out, sas) and \
            re.search(r"\bout\s+%s\b" % spi_in, sas), sas
        log = charon.logtext()
        # charon checked our signature against our certificate and its CA
        assert re.search(r"authentication of '%s' with %s successful" % (ids[0], scheme), log), \
            "\n".join(line for line in log.splitlines() if "authentication" in line or
                      "cert" in line.lower())
        assert "using trusted ca certificate" in log, log[-3000:]
        # and it received our CERTREQ (it asks for nothing else)
        assert re.search(r"received cert request for \"C=CH, O=secgw test, CN=Test CA\"", log), \
            log[-3000:]
        assert re.search(r"received end entity cert \"C=CH, O=secgw test, CN=%s\"" % ID_SG,
                         log), log[-3000:]
        # our IKE_AUTH: CERT, CERTREQ only in the request (RFC 7296 §1.2)
        assert re.search(r"parsed IKE_AUTH %s 1 \[ ID%s CERT %sAUTH SA TSi TSr" % (
            ("request", "i", "CERTREQ ") if we_initiate else ("response", "r", "")), log), \
            log[-3000:]
        # and we checked charon's signature
        sg.wait_for(r"peer authenticated with its certificate \(AUTH method %d\)" % method)
        lab.stop(sg.proc)
        assert sg.proc.returncode == 0, sg.logtext()[-3000:]
        assert "ERROR: AddressSanitizer" not in sg.logtext()
        assert "ESTABLISHED" not in list_sas(charon)
        time.sleep(0.5)
        cap.stop()
        cap_in.stop()
        msgs = tshark_check(cap.pcap)
        assert {"34", "35"} <= {e for e, _, _ in msgs}, msgs
        auths, took = auth_messages([cap.pcap, cap_in.pcap])
        print("IKE_AUTH (%s, sg %s, sw %s, sg %s): %s; handshake %.1f ms"
              % (scheme, sg_key, sw_key, "initiator" if we_initiate else "responder",
                 ", ".join("%s %d B" % a for a in auths), took * 1000))
        # fragmented (RFC 7383, fragment_size 1280 with IP) only when it does not fit
        if fragmented:
            assert len(auths) > 2 and all(n + 20 <= 1280 for _, n in auths), auths
        else:
            assert len(auths) == 2, auths
        assert took < 5, took
        return log


@pytest.mark.parametrize("we_initiate", [True, False], ids=["sg-initiator", "sg-responder"])
def test_certs_ecdsa(build, tmp_path, we_initiate):
    """ECDSA: our key P-256, charon's P-384, the CA P-256; RFC 7427 signatures
    with the hash that fits each key (ecdsa-with-SHA256 / -SHA384)."""
    check_established(build, tmp_path, we_initiate, "p256", "p384", "p256",
                      "ECDSA_WITH_SHA256_DER")


def test_certs_ecdsa_classic(build, tmp_path):
    """charon without RFC 7427 (signature_authentication = no): no
    SIGNATURE_HASH_ALGORITHMS from it, so we sign with ECDSA P-256/SHA-256 (AUTH
    method 9, r|s) and verify its P-384 signature of method 10."""
    check_established(build, tmp_path, True, "p256", "p384", "p256", "ECDSA-256 signature",
                      method=10, settings="signature_authentication = no")


def test_certs_rsa(build, tmp_path):
    """RSA-2048 certificates and CA, RFC 7427: we sign sha256WithRSAEncryption,
    charon (rsa_pss = yes) RSASSA-PSS; both sides identify by distinguished name
    (ID_DER_ASN1_DN, the certificate subject).  Each IKE_AUTH is ~1400 octets, so
    both go as two IKE fragments (RFC 7383)."""
    sw_log = check_established(build, tmp_path, True, "rsa", "rsa", "rsa",
                               "RSA_EMSA_PKCS1_SHA2_256", ids=(dn(ID_SG), dn(ID_SW)),
                               settings="rsa_pss = yes", fragmented=True)
    assert re.search(r"authentication of '%s' \(myself\) with RSA_EMSA_PSS" % dn(ID_SW),
                     sw_log), sw_log[-3000:]


def test_certs_through_secgw_dp(build, tmp_path):
    """ECDSA certificates end to end: charon's IKE reaches secgw-ike through
    secgw-dp's relay (--via-dp), the Child SA goes into secgw-dp and a host behind
    it pings a host behind strongSwan through it."""
    ca, sg_cert, sw_cert = make_pki(tmp_path, "p256", "p256", "p256")
    with Lab("ikece2e") as lab, ike_through_dp(
            build, lab, tmp_path, "ce2e", conn=cert_connection_yaml(sg_cert, ca[0], True),
            make_charon=lambda ns, workdir: charon_with_certs(ns, workdir, sw_cert, [ca[0]])
    ) as (host, gw, charon, sg, (spi_in, spi_out)):
        sent, got, out = ping_far_host(host, 5, "0.2")
        assert sent == got == 5, out
        sas = gw.sa_list()
        assert sas[spi_out]["packets"] >= 5 and sas[spi_in]["packets"] >= 5, sas
        assert re.search(r"authentication of '%s' with ECDSA_WITH_SHA256_DER successful"
                         % ID_SG, charon.logtext())
        assert "peer authenticated with its certificate (AUTH method 14)" in sg.logtext()
        lab.stop(sg.proc)
        assert sg.proc.returncode == 0, sg.logtext()[-3000:]


def test_certs_untrusted_ca_refused(build, tmp_path):
    """charon's certificate comes from a CA secgw-ike does not trust: we answer
    its IKE_AUTH with AUTHENTICATION_FAILED, count it and keep no SA."""
    with Lab("ikecbad") as lab:
        sw_ns, sg_ns = two_namespaces(lab)
        swdir, sgdir = str(tmp_path / "sw"), str(tmp_path / "sg")
        os.makedirs(sgdir)
        pki = str(tmp_path / "pki")
        ca = make_ca(pki, "Test CA")
        other = make_ca(pki, "Other CA")
        sg_cert = make_ee(pki, "sg", ID_SG, ca, "p256")
        sw_cert = make_ee(pki, "sw", ID_SW, other, "p256")
        charon = charon_with_certs(sw_ns, swdir, sw_cert, [ca[0], other[0]], "always")
        charon.start()
        sg = secgw_with_certs(build, sg_ns, sgdir, sg_cert, ca[0], False)
        sg.start()
        r = charon.swanctl("--initiate", "--child", "net", "--timeout", "20", check=False)
        assert r.returncode != 0, r.stdout
        sg.wait_for(r"peer certificate refused: unable to get local issuer certificate")
        sg.wait_for(r"sw: authentication_failed = 1")
        assert re.search(r"received AUTHENTICATION_FAILED notify error", charon.logtext()), \
            charon.logtext()[-3000:]
        assert "ESTABLISHED" not in list_sas(charon)
        assert "-> established" not in sg.logtext()
        lab.stop(sg.proc)
        assert sg.proc.returncode == 0, sg.logtext()[-3000:]
