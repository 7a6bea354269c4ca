# SPDX-License-Identifier: BSD-3-Clause
"""`secgw-dp -c FILE --check` on good and bad configs.

Each bad config is the good one below with one mistake, on the line marked
"# <- HERE".  secgw-dp must exit 1 and print one line
    FILE:LINE:COL: FIELD: MESSAGE
on stderr, with the line of the mistake, the field path and a message saying
what is wrong; without --check it must refuse to start the same way.
"""

import glob
import os
import re
import subprocess

import pytest

from conftest import REPO

GOOD = """\
# a valid single-gateway config (never started here)
dataplane:
  file_prefix: secgw-check
  main_lcore: 0
  workers: [1]
  cpus: {main: 0, workers: [1]}
  hugepages: false
  memory_mb: 256
  burst: 32

crypto:
  driver: aesni_mb

ports:
  - name: inside
    devargs: net_af_packet0,iface=gin
    role: protected
    address: 10.99.1.1/24
    neighbors: [{ip: 10.99.1.2, mac: "02:99:01:00:00:02"}]
  - name: outside
    devargs: net_af_packet1,iface=gout
    role: unprotected
    address: 10.99.0.1/24
    mtu: 1500

routes:
  - dst: 10.99.2.0/24
    via: 10.99.0.2
    port: outside

policies:
  - name: to-remote
    direction: out
    src: 10.99.1.0/24
    dst: 10.99.2.0/24
    proto: udp
    dport: 1024-65535
    action: protect
    sa: 0x1001
    priority: 10
  - name: from-remote
    direction: in
    src: 10.99.2.0/24
    dst: 10.99.1.0/24
    action: protect
    sa: 0x2001

sas:
  - name: out
    spi: 0x1001
    direction: out
    mode: tunnel
    src: 10.99.0.1
    dst: 10.99.0.2
    cipher: aes-128-gcm
    key: 0x00112233445566778899aabbccddeeff0a0b0c0d
  - name: in
    spi: 0x2001
    direction: in
    mode: tunnel
    src: 10.99.0.2
    dst: 10.99.0.1
    cipher: aes-256-gcm
    key: 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0c0d0e0f
    replay_window: 1024
"""


def edit(old, new, count=1):
    """The good config with `old` replaced by `new` (which carries the HERE mark)."""
    assert GOOD.count(old) >= count, old
    return GOOD.replace(old, new, count)


# name: (config text, field path, regex the message must match)
BAD = {
    "key_too_short": (
        edit("key: 0x00112233445566778899aabbccddeeff0a0b0c0d",
             "key: 0x00112233445566778899aabbccddeeff  # <- HERE"),
        "sas[0].key", r"expected 20 bytes of hex for aes-128-gcm, got 16"),
    "key_wrong_for_256": (
        edit("key: 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0c0d0e0f",
             "key: 0x00112233445566778899aabbccddeeff0a0b0c0d  # <- HERE"),
        "sas[1].key", r"expected 36 bytes of hex for aes-256-gcm, got 20"),
    "key_not_hex": (
        edit("key: 0x00112233445566778899aabbccddeeff0a0b0c0d",
             "key: 0x00112233445566778899aabbccddeeff0a0b0czz  # <- HERE"),
        "sas[0].key", r"hex"),
    "unknown_cipher": (
        edit("cipher: aes-128-gcm", "cipher: aes-128-gcn  # <- HERE"),
        "sas[0].cipher", r"aes-128-gcn"),
    "unknown_crypto_driver": (
        edit("driver: aesni_mb", "driver: qat  # <- HERE"),
        "crypto.driver", r"expected one of .*aesni_mb.*openssl.*got .*qat"),
    "duplicate_spi": (
        edit("spi: 0x2001\n    direction: in", "spi: 0x1001  # <- HERE\n    direction: out"),
        "sas[1].spi", r"(?i)duplicate|already"),
    "spi_reserved": (
        edit("spi: 0x1001", "spi: 7  # <- HERE"),
        "sas[0].spi", r"256"),
    "missing_key": (   # a missing field is reported where its mapping starts
        edit("  - name: out\n    spi: 0x1001",
             "  - name: out  # <- HERE\n    spi: 0x1001").replace(
            "    key: 0x00112233445566778899aabbccddeeff0a0b0c0d\n", ""),
        "sas[0].key", r"missing required field"),
    "replay_window_too_big": (
        edit("replay_window: 1024", "replay_window: 5000  # <- HERE"),
        "sas[1].replay_window", r"4096"),
    "route_to_missing_port": (
        edit("    port: outside", "    port: outsied  # <- HERE"),
        "routes[0].port", r"no port named 'outsied'"),
    "policy_to_missing_sa": (
        edit("    sa: 0x2001", "    sa: 0x2002  # <- HERE"),
        "policies[1].sa", r"(?i)0x0*2002|no .*sa|unknown"),
    "policy_sa_wrong_direction": (
        edit("    sa: 0x2001", "    sa: 0x1001  # <- HERE"),
        "policies[1].sa", r"(?i)outbound|inbound|direction"),
    "unknown_action": (
        edit("    action: protect\n    sa: 0x1001", "    action: encrypt  # <- HERE\n    sa: 0x1001"),
        "policies[0].action", r"expected one of .*protect.*got .*encrypt"),
    "trap_on_inbound_policy": (
        edit("    action: protect\n    sa: 0x2001", "    action: trap  # <- HERE"),
        "policies[1].action", r"trap is for outbound policies only"),
    "sa_with_trap": (
        edit("    action: protect\n    sa: 0x1001", "    action: trap\n    sa: 0x1001  # <- HERE"),
        "policies[0].sa", r"not allowed with action trap"),
    "bad_port_range": (
        edit("dport: 1024-65535", "dport: 65535-1024  # <- HERE"),
        "policies[0].dport", r"reversed"),
    "prefix_length": (
        edit("address: 10.99.1.1/24", "address: 10.99.1.1/33  # <- HERE"),
        "ports[0].address", r"prefix length 33 is out of range"),
    "prefix_host_bits": (
        edit("  - dst: 10.99.2.0/24", "  - dst: 10.99.2.1/24  # <- HERE"),
        "routes[0].dst", r"host bits are set in 10.99.2.1/24"),
    "bad_address": (
        edit("    dst: 10.99.0.2\n    cipher", "    dst: 10.99.0.256  # <- HERE\n    cipher"),
        "sas[0].dst", r"expected an IPv4 or IPv6 address"),
    "lookup_on_outbound_sa": (
        edit("    key: 0x00112233445566778899aabbccddeeff0a0b0c0d",
             "    key: 0x00112233445566778899aabbccddeeff0a0b0c0d\n    lookup: spi-dst  # <- HERE"),
        "sas[0].lookup", r"not allowed on an outbound SA"),
    "lookup_unknown": (
        edit("    replay_window: 1024", "    replay_window: 1024\n    lookup: spi-src  # <- HERE"),
        "sas[1].lookup", r"expected one of spi, spi-dst, spi-dst-src"),
    "unknown_field_in_port": (
        edit("    mtu: 1500", "    mtu: 1500\n    speed: 10G  # <- HERE"),
        "ports[1].speed", r"unknown field"),
    "unknown_top_level_field": (
        GOOD + "logging: {level: debug}  # <- HERE\n",
        "logging", r"unknown field"),
    "bad_role": (
        edit("role: protected", "role: trusted  # <- HERE"),
        "ports[0].role", r"expected one of protected, unprotected, got .*trusted"),
    "no_unprotected_port": (   # reported at the start of the list
        edit("role: unprotected", "role: protected").replace(
            "  - name: inside\n", "  - name: inside  # <- HERE\n"),
        "ports", r"need at least one port with role unprotected"),
    "duplicate_port_name": (
        edit("  - name: outside", "  - name: inside  # <- HERE"),
        "ports[1].name", r"duplicate port name 'inside'"),
    "bad_mac": (
        edit('mac: "02:99:01:00:00:02"}]', 'mac: "02:99:01:00:00"}]  # <- HERE'),
        "ports[0].neighbors[0].mac", r"expected a MAC address"),
    "neighbor_off_link": (
        edit("{ip: 10.99.1.2,", "{ip: 10.99.7.2,  # <- HERE\n      "),
        "ports[0].neighbors[0].ip", r"not in the subnet of port inside"),
    "burst_too_big": (
        edit("burst: 32", "burst: 65  # <- HERE"),
        "dataplane.burst", r"expected an integer in 1\.\.64, got '?65"),
    "worker_is_main_lcore": (
        edit("workers: [1]\n  cpus: {main: 0, workers: [1]}",
             "workers: [0]  # <- HERE\n  cpus: {main: 0, workers: [1]}"),
        "dataplane.workers[0]", r"lcore 0 is the main lcore"),
}


def here_line(text):
    for i, line in enumerate(text.splitlines(), start=1):
        if "# <- HERE" in line:
            return i
    raise AssertionError("no HERE mark")


def check(build, path, args=("--check",), timeout=30):
    return subprocess.run([build.dp, "-c", path] + list(args), capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def test_good_config(build, tmp_path):
    path = str(tmp_path / "good.yaml")
    with open(path, "w") as f:
        f.write(GOOD)
    p = check(build, path)
    assert p.returncode == 0, "good config rejected:\n" + p.stderr
    assert p.stdout.strip() == "%s: ok" % path


@pytest.mark.parametrize("demo", sorted(glob.glob(os.path.join(REPO, "configs", "demo", "*.yaml"))))
def test_demo_configs(build, demo):
    p = check(build, demo)
    assert p.returncode == 0, "%s rejected:\n%s" % (demo, p.stderr)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_config(build, tmp_path, name):
    text, field, phrase = BAD[name]
    path = str(tmp_path / (name + ".yaml"))
    with open(path, "w") as f:
        f.write(text)
    p = check(build, path)
    assert p.returncode == 1, "exit %s for %s\nstdout: %s\nstderr: %s" % (
        p.returncode, name, p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, "expected one error line, got:\n" + p.stderr
    m = re.match(r"^(.*):(\d+):(\d+): (\S+): (.*)$", lines[0])
    assert m, "not FILE:LINE:COL: field: message: %r" % lines[0]
    fname, line, col, got_field, msg = m.group(1), int(m.group(2)), int(m.group(3)), \
        m.group(4), m.group(5)
    assert fname == path, lines[0]
    assert got_field == field, "field %r, expected %r: %s" % (got_field, field, lines[0])
    assert line == here_line(text), "line %d, expected %d: %s" % (line, here_line(text), lines[0])
    assert 1 <= col <= len(text.splitlines()[line - 1]), lines[0]
    assert re.search(phrase, msg), "message %r does not match %r" % (msg, phrase)
    assert not p.stdout.strip(), "nothing on stdout for a bad config: %r" % p.stdout


def test_bad_config_refuses_to_start(build, tmp_path):
    """Without --check, a bad config exits 1 before any DPDK initialisation."""
    text, field, _ = BAD["key_too_short"]
    text = text.replace("file_prefix: secgw-check", "file_prefix: secgw-badstart")
    path = str(tmp_path / "bad.yaml")
    with open(path, "w") as f:
        f.write(text)
    p = check(build, path, args=())
    assert p.returncode == 1, p.stderr
    assert ": %s: " % field in p.stderr
    assert "secgw-dp: ready" not in p.stdout
    assert "EAL" not in p.stdout + p.stderr, "EAL started on a bad config:\n" + p.stderr
    assert not os.path.exists("/var/run/dpdk/secgw-badstart")


def test_missing_file(build, tmp_path):
    path = str(tmp_path / "nope.yaml")
    p = check(build, path)
    assert p.returncode == 1
    assert path in p.stderr


# The loader's own collection of bad configs (tests/configs/bad, written with its
# unit tests): each must be rejected by secgw-dp too, in the same message format.
SHARED_BAD = sorted(glob.glob(os.path.join(REPO, "tests", "configs", "bad", "*.yaml")))


@pytest.mark.parametrize("path", SHARED_BAD, ids=[os.path.basename(p) for p in SHARED_BAD])
def test_shared_bad_configs(build, path):
    p = check(build, path)
    assert p.returncode == 1, "%s accepted:\n%s%s" % (path, p.stdout, p.stderr)
    assert re.match(r"^%s:\d+:\d+: \S+: \S" % re.escape(path), p.stderr), p.stderr
