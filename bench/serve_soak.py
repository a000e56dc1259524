#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Resident memory of `telcrm serve` over a long run: N calls over HTTP keep-alive (a new call
from a known client or an unknown number, answered by extension 101, ended), with the SQLite
store and the file journal; VmRSS sampled every --every calls. Prints the curve and the growth
per call over the second half (flat means receipts, claims, resolutions and finished calls
are pruned as they age). serve runs on 127.0.0.1, started here and stopped by its PID.

Half the calls come from one known client, half from --unknown distinct unknown numbers in
turn: each of those becomes a lead once (CRM data the index legitimately holds), so past
2 x --unknown calls no new record is created and the curve should be flat. --clients
connections send calls at once (one process each), as a PBX's many channels do.

    bench/serve_soak.py --telcrm build/release/tools/telcrm/telcrm --calls 1000000 --clients 4
"""

import argparse
import http.client
import json
import multiprocessing
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


def client(port, k, args, done):
    """Calls k, k + clients, k + 2 clients, … over one keep-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"}

    def post(path, body):
        nonlocal conn
        for attempt in range(3):
            try:
                conn.request("POST", path, json.dumps(body), headers)
                r = conn.getresponse()
                r.read()
                break
            except (ConnectionError, http.client.HTTPException):
                # serve closed the kept-alive connection (its idle timeout or request cap; a
                # client starved of CPU can sit idle that long): a new one, and the event again
                # (events are idempotent, R-I1).
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                if attempt == 2:
                    raise
        if r.status != 200:
            raise RuntimeError(f"{path}: HTTP {r.status}")

    for i in range(1 + k, args.calls + 1, args.clients):
        call = f"s{i}"
        number = "+79161234567" if i % 2 else f"+7903{(i // 2) % args.unknown:07d}"
        post("/pbx/call", {"call": call, "from": f"sip:{number}@gw", "asserted": "",
                           "to": "sip:74951234567@pbx"})
        post("/pbx/answered", {"call": call, "step": 0, "by": "101"})
        post("/pbx/ended", {"call": call, "duration": 30})
        with done.get_lock():
            done.value += 1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--telcrm", required=True)
    p.add_argument("--calls", type=int, default=100000)
    p.add_argument("--every", type=int, default=10000)
    p.add_argument("--unknown", type=int, default=50000, help="distinct unknown numbers")
    p.add_argument("--clients", type=int, default=1, help="connections sending calls at once")
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
        for _ in range(100):
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/health")
                r = probe.getresponse()
                r.read()
                probe.close()
                if r.status == 200:  # 503 "loading" while the index is built
                    break
                time.sleep(0.1)
            except OSError:
                time.sleep(0.1)
        done = multiprocessing.Value("q", 0)
        workers = [multiprocessing.Process(target=client, args=(port, k, args, done))
                   for k in range(args.clients)]
        curve = [(0, rss_kb(serve.pid))]
        start = time.time()
        for w in workers:
            w.start()
        next_sample = args.every
        while next_sample <= args.calls:
            if done.value >= next_sample:
                curve.append((done.value, rss_kb(serve.pid)))
                print(f"{curve[-1][0]:>9} calls  {curve[-1][1]:>8} KB  {time.time() - start:7.0f} s",
                      flush=True)
                next_sample += args.every
            elif not any(w.is_alive() for w in workers):
                break
            else:
                time.sleep(0.05)
        for w in workers:
            w.join()
        if any(w.exitcode != 0 for w in workers):
            print("serve soak: a client failed", file=sys.stderr)
            return 1
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
