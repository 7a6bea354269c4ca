# SPDX-License-Identifier: BSD-3-Clause
"""tshark dissects every message secgw-ike sends over a whole IKE lifecycle
against strongSwan, with the SK payloads decrypted (ikev2_decryption_table, the
SK_* keys from charon's ike = 4 log).

One run, captured on charon's end of the veth (what secgw-ike sent):
1. we initiate: IKE_SA_INIT, IKE_AUTH;
2. rekey_time 2: we rekey the Child SA (CREATE_CHILD_SA, then an INFORMATIONAL
   Delete of the old one); dpd_delay 1: our liveness checks (empty
   INFORMATIONAL) and our answers to charon's;
3. `secgwctl ike terminate sw`: INFORMATIONAL Delete of the IKE SA;
4. charon initiates with its KE for ecp256 first while we allow only x25519: our
   IKE_SA_INIT answer is INVALID_KE_PAYLOAD, its retry succeeds (we answer
   IKE_SA_INIT and IKE_AUTH as responder);
5. charon proposes only suites we do not allow: NO_PROPOSAL_CHOSEN.

Every UDP datagram from our address is an IKEv2 message tshark dissected,
none is malformed or draws an error, every SK payload was decrypted, and the
decrypted payloads are the ones each exchange must carry.
"""

import os
import re
import time

import pytest

from conftest import Sniffer
import tshark_esp
from netns import Lab, run
from test_ike_strongswan import (ADDR_SG, Charon, SecgwIke, charon_connection,
                                 charon_ike_keys, ike_ctl, list_sas, two_namespaces, wait_until)

# (encryption, integrity or PRF keyword): AEAD, and CBC with SK_ai / SK_ar
SUITES = [("aes128gcm16", "prfsha256"), ("aes128", "sha256")]
ESP = "aes128gcm16"
# payload types (RFC 7296 §3.2)
SA, KE, IDI, IDR, AUTH, NONCE, N, D, TSI, TSR, SK = 33, 34, 35, 36, 39, 40, 41, 42, 44, 45, 46
# exchanges
INIT, AUTH_X, CHILD, INFO = 34, 35, 36, 37
NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD, REKEY_SA = 14, 17, 16393


def extra_connections(enc, integ):
    """charon's "ke" (KE for ecp256 first) and "bad" (nothing we allow) connections."""
    return (charon_connection("ke", "ke-net", "%s-%s-ecp256-x25519" % (enc, integ), ESP) +
            charon_connection("bad", "bad-net", "aes256-sha384-ecp384", ESP))


def our_messages(pcap, workdir, ike_sas):
    """tshark rows of everything we sent, with the IKE fields."""
    rows = tshark_esp.fields(
        pcap, [], workdir, ike_sas=ike_sas,
        extra=["ip.src", "udp.srcport", "isakmp.ispi", "isakmp.rspi", "isakmp.exchangetype",
               "isakmp.flags", "isakmp.typepayload", "isakmp.notify.msgtype", "isakmp.length",
               "udp.length"])
    return [r for r in rows if r["ip.src"] == ADDR_SG]


def payloads(row):
    return [int(x) for x in row["isakmp.typepayload"].split(",") if x]


@pytest.mark.parametrize("enc,integ", SUITES, ids=["gcm", "cbc-sha256"])
def test_tshark_dissects_lifecycle(build, tmp_path, enc, integ):
    ike = "%s-%s-x25519" % (enc, integ)
    with Lab("iketsh") as lab:
        sw_ns, sg_ns = two_namespaces(lab)
        swdir, sgdir = str(tmp_path / "sw"), str(tmp_path / "sg")
        os.makedirs(sgdir)
        charon = Charon(sw_ns, swdir, ike, ESP)
        with open(os.path.join(swdir, "swanctl.conf"), "a") as f:
            f.write(extra_connections(enc, integ))
        charon.start()
        cap = Sniffer(sw_ns, "ikesw0", sgdir, "ike", ipproto=17, timeout=120).__enter__()
        sg = SecgwIke(build, sg_ns, sgdir, ike, ESP, True)
        with open(sg.cfg, "a") as f:
            f.write("    rekey_time: 2\n    dpd_delay: 1\n")
        sock = os.path.join(sgdir, "ike.ctl")
        sg.start(["--ctl", sock])
        first = sg.wait_for(r"sw\[([0-9a-f]{16})/([0-9a-f]{16})\]: \w+ -> established")
        sg.wait_for(r"Child SA rekeyed: ", timeout=20)
        wait_until(lambda: ike_ctl(build, ["-s", sock], "--json", "ike", "list")
                   ["ike_sas"][0]["dpd"] >= 1, 20, "a liveness check")
        sg.wait_for(r"old Child SA \w+ deleted", timeout=10)
        assert ike_ctl(build, ["-s", sock], "ike", "terminate", "sw").stdout == "ok\n"
        wait_until(lambda: "ESTABLISHED" not in list_sas(charon), 10, "charon to drop the SA")
        # charon's KE guess is wrong: INVALID_KE_PAYLOAD, then its retry
        r = charon.swanctl("--initiate", "--child", "ke-net", "--timeout", "20", check=False)
        assert r.returncode == 0, r.stdout + r.stderr + sg.logtext()[-3000:]
        second = re.findall(r"sw\[([0-9a-f]{16})/([0-9a-f]{16})\]: \w+ -> established",
                            sg.logtext())[-1]
        r = charon.swanctl("--initiate", "--child", "bad-net", "--timeout", "10", check=False)
        assert r.returncode != 0 and "NO_PROPOSAL_CHOSEN" in r.stdout, r.stdout
        time.sleep(0.5)
        lab.stop(sg.proc)
        assert sg.proc.returncode == 0, sg.logtext()[-3000:]
        cap.stop()

        keys = charon_ike_keys(charon.logtext())
        assert len(keys) >= 2, keys
        spis = [tuple(int(x, 16) for x in first.groups()), tuple(int(x, 16) for x in second)]
        aead = integ.startswith("prf")
        assert all(("ai" in k) != aead for k in keys), keys
        ike_sas = [tshark_esp.IkeSa(i, r, enc, k["ei"], k["er"], "" if aead else integ,
                                    k.get("ai", b""), k.get("ar", b""))
                   for (i, r), k in zip(spis, keys)]
        # every datagram we sent is an IKE message tshark dissected, cleanly
        sent = run(["tshark", "-n", "-r", cap.pcap, "-Y", "ip.src == %s && udp" % ADDR_SG,
                    "-T", "fields", "-e", "frame.number"], check=False).stdout.split()
        rows = our_messages(cap.pcap, sgdir, ike_sas)
        assert len(rows) == len(sent) and rows, (len(rows), sent)
        for r in rows:
            assert r["isakmp.exchangetype"], r
            assert not r["malformed"], r
            assert not any(s >= tshark_esp.ERROR for s in r["severity"]), r
            assert not any(s >= tshark_esp.WARNING for s in r["severity"]), r

        # what each of our messages carries once decrypted
        by_exch = {}
        for r in rows:
            by_exch.setdefault(int(r["isakmp.exchangetype"]), []).append(r)
        seen = []
        for r in rows:
            p, exch = payloads(r), int(r["isakmp.exchangetype"])
            response = int(r["isakmp.flags"], 16) & 0x20 != 0
            notes = [int(x) for x in r["isakmp.notify.msgtype"].split(",") if x]
            if exch != INIT:
                # SK first, then what was inside it: tshark decrypted it
                assert p[0] == SK, r
                inner = p[1:]
            else:
                inner = p
            seen.append((exch, response, tuple(inner), tuple(notes)))
            if exch == INIT and notes and notes[0] in (INVALID_KE_PAYLOAD, NO_PROPOSAL_CHOSEN):
                assert inner == [N] and response, r
            elif exch == INIT:
                assert {SA, KE, NONCE} <= set(inner), r
            elif exch == AUTH_X:
                assert {IDR if response else IDI, AUTH, SA, TSI, TSR} <= set(inner), r
            elif exch == CHILD:
                assert {SA, NONCE, TSI, TSR} <= set(inner), r
                assert response or REKEY_SA in notes, r
            elif exch == INFO:
                assert set(inner) <= {D, N}, r
        kinds = {(e, resp, inner, notes) for e, resp, inner, notes in seen}
        # every step of the lifecycle is there
        assert any(e == INIT and not resp for e, resp, _, _ in kinds), seen
        assert any(e == INIT and INVALID_KE_PAYLOAD in n for e, _, _, n in kinds), seen
        assert any(e == INIT and NO_PROPOSAL_CHOSEN in n for e, _, _, n in kinds), seen
        assert any(e == AUTH_X and not resp for e, resp, _, _ in kinds), seen
        assert any(e == AUTH_X and resp for e, resp, _, _ in kinds), seen
        assert any(e == CHILD and not resp for e, resp, _, _ in kinds), seen
        assert any(e == INFO and not resp and inner == () for e, resp, inner, _ in kinds), seen
        assert any(e == INFO and not resp and D in inner for e, resp, inner, _ in kinds), seen
        print("%s: tshark: %d messages of ours dissected, per exchange %s; kinds %s" % (
            ike, len(rows), {k: len(v) for k, v in sorted(by_exch.items())}, sorted(kinds)))
