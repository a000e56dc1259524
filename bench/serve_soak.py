#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Resident memory of `telcrm serve` over a long run: N calls over HTTP keep-alive (a new call
from a known client or an unknown number, answered by extension 101, ended), with the SQLite
store and the file journal; VmRSS sampled every --every calls. Prints the curve and the growth
per call over the second half (flat means receipts, claims, resolutions and finished calls
are pruned as they age). serve runs on 127.0.0.1, started here and stopped by its PID.

    bench/serve_soak.py --telcrm build/release/tools/telcrm/telcrm --calls 1000000
"""

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
E2E = os.path.join(HERE, "..", "tests", "pbx", "e2e")
TOKEN = "soak-token-not-secret"


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--telcrm", required=True)
    p.add_argument("--calls", type=int, default=100000)
    p.add_argument("--every", type=int, default=10000)
    args = p.parse_args()
    work = tempfile.mkdtemp(prefix="telcrm-serve-soak.")
    db = os.path.join(work, "crm.db")
    settings = os.path.join(E2E, "settings.json")
    subprocess.run([args.telcrm, "crm", "import", os.path.join(E2E, "crm.json"), "--db", db,
                    "--settings", settings, "--quiet"], check=True, timeout=60)
    with open(os.path.join(work, "token"), "w") as f:
        f.write(TOKEN + "\n")
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    log = open(os.path.join(work, "serve.out"), "wb")
    serve = subprocess.Popen([args.telcrm, "serve", "--settings", settings, "--store",
                              "sqlite:" + db, "--listen", f"127.0.0.1:{port}", "--token-file",
                              os.path.join(work, "token")], stdout=log, stderr=subprocess.STDOUT)
    try:
        conn = None
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/health")
                r = conn.getresponse()
                r.read()
                if r.status == 200:  # 503 "loading" while the index is built
                    break
                time.sleep(0.1)
            except OSError:
                time.sleep(0.1)
        headers = {"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"}

        def post(path, body):
            conn.request("POST", path, json.dumps(body), headers)
            r = conn.getresponse()
            r.read()
            return r.status

        curve = [(0, rss_kb(serve.pid))]
        start = time.time()
        for i in range(1, args.calls + 1):
            call = f"s{i}"
            number = "+79161234567" if i % 2 else f"+7903{i % 100000:07d}"
            post("/pbx/call", {"call": call, "from": f"sip:{number}@gw", "asserted": "",
                               "to": "sip:74951234567@pbx"})
            post("/pbx/answered", {"call": call, "step": 0, "by": "101"})
            post("/pbx/ended", {"call": call, "duration": 30})
            if i % args.every == 0:
                curve.append((i, rss_kb(serve.pid)))
                print(f"{i:>9} calls  {curve[-1][1]:>8} KB  {time.time() - start:7.0f} s",
                      flush=True)
        half = [c for c in curve if c[0] >= args.calls // 2]
        if len(half) >= 2:
            per = (half[-1][1] - half[0][1]) * 1024 / max(1, half[-1][0] - half[0][0])
            print(f"serve soak: {args.calls} calls, RSS {curve[0][1]} KB at start, "
                  f"{curve[-1][1]} KB at the end; second half {per:.1f} bytes per call")
    finally:
        os.kill(serve.pid, signal.SIGTERM)
        serve.wait(timeout=60)
        log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
