#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""SA table scale: install N inbound SAs into a running secgw-dp through the
control channel (secgwctl batch) and report the install rate, latency and the
DPDK heap used per SA, for each N given.  A benchmark: it prints, it does not
judge.  Forwarding rate at each size is not measured yet (see perf/README.md).

usage: perf/bench_sad_scale.py [--build DIR] [--sizes 1,1000,100000] [--window 256]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_outbound import telemetry  # noqa: E402  (one telemetry client for perf/)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PREFIX = "secgw-scale"
KEY = "0x" + "11" * 16 + "01020304"

CONFIG = """\
dataplane:
  file_prefix: {prefix}
  workers: [1]
  hugepages: false
  memory_mb: {mem}
  mbufs: 4096
  max_sas: {cap}
  idle_sleep_us: 100
crypto:
  driver: aesni_mb
ports:
  - name: inside
    devargs: net_null0,no-rx=1
    role: protected
    address: 198.18.1.1/24
  - name: outside
    devargs: net_null1,no-rx=1
    role: unprotected
    address: 198.18.0.1/24
"""


def heap_used():
    h = telemetry(PREFIX, "/eal/heap_info,0")
    return int(h["Alloc_size"])


def run_size(build, n, window, workdir):
    cap = n + 16
    mem = 512 + n * 8 // 1024  # ~2.5 KB per SA, a session pool of 2 per SA, and slack
    cfg = os.path.join(workdir, "scale.yaml")
    with open(cfg, "w") as f:
        f.write(CONFIG.format(prefix=PREFIX, mem=mem, cap=cap))
    log = open(os.path.join(workdir, "dp-%d.log" % n), "w")
    dp = subprocess.Popen([os.path.join(build, "dataplane/secgw-dp"), "-c", cfg],
                          stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        line = dp.stdout.readline()
        if "ready" not in line:
            log.flush()
            with open(log.name) as f:
                raise RuntimeError("secgw-dp did not start:\n" + f.read()[-800:])
        before = heap_used()
        cmds = "".join("sa add {spi: %#x, direction: in, src: 198.18.0.2, dst: 198.18.0.1, "
                       "cipher: aes-128-gcm, key: %s}\n" % (0x10000 + i, KEY)
                       for i in range(n))
        t = time.monotonic()
        p = subprocess.run([os.path.join(build, "control/secgwctl"), "-p", PREFIX, "batch",
                            "--window", str(window), "--stats"], input=cmds, text=True,
                           capture_output=True, timeout=3600)
        elapsed = time.monotonic() - t
        if p.returncode != 0:
            raise RuntimeError("batch failed: %s" % p.stderr[-500:])
        stats = dict(l.split(None, 1) for l in p.stdout.splitlines() if " " in l)
        after = heap_used()
        return {"sas": n, "window": window, "elapsed_s": round(elapsed, 3),
                "ops_per_s": float(stats.get("ops_per_s", 0)),
                "latency_median_us": float(stats.get("latency_median_us", 0)),
                "latency_p99_us": float(stats.get("latency_p99_us", 0)),
                "heap_bytes_per_sa": round((after - before) / n), "heap_total": after}
    finally:
        dp.terminate()
        dp.wait(timeout=60)
        log.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(REPO, "build-perf"))
    ap.add_argument("--sizes", default="1,1000,100000")
    ap.add_argument("--window", type=int, default=256)
    a = ap.parse_args()
    res = []
    with tempfile.TemporaryDirectory() as wd:
        # one SA in a 17-slot table: the heap every size shares, so that the
        # per-SA figure below includes what is reserved per slot at start
        base = run_size(a.build, 1, a.window, wd)["heap_total"]
        for n in (int(x) for x in a.sizes.split(",")):
            r = run_size(a.build, n, a.window, wd)
            r["total_bytes_per_sa"] = round((r["heap_total"] - base) / n) if n > 1 else None
            res.append(r)
            print("%8d SAs: %7.0f installs/s, latency median %8.0f us p99 %8.0f us "
                  "(window %d); per SA: %5d heap bytes at install, %s in all" %
                  (n, r["ops_per_s"], r["latency_median_us"], r["latency_p99_us"],
                   a.window, r["heap_bytes_per_sa"], r["total_bytes_per_sa"]), flush=True)
    out = os.path.join(REPO, "perf/results", "sad-scale-%s.json" % time.strftime("%Y%m%d-%H%M%S"))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(res, f, indent=1)
    print("results: %s" % out)


if __name__ == "__main__":
    main()
