#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`telcrm serve` as a process: its flags, the bearer token, limits and bad input over HTTP,
/health and /metrics, SIGTERM. Loopback only, a port found free, the process stopped by its
PID; no Kamailio needed.

    serve_test.py TELCRM SETTINGS.json
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

TOKEN = "serve-test-token"
failures = []


def check(what, ok, detail=""):
    print(("  ok   " if ok else "  FAIL ") + what + ("" if ok or not detail else ": " + detail))
    if not ok:
        failures.append(what)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def request(port, method, path, body=None, token=TOKEN, raw=None):
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    headers = {"Authorization": "Bearer " + token} if token is not None else {}
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                 headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.read().decode(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), dict(e.headers)


def run(telcrm, settings, work):
    token_file = os.path.join(work, "token")
    with open(token_file, "w") as f:
        f.write(TOKEN + "\n")

    print("flags")
    for args, why in ((["--store", "memory", "--settings", settings], "neither token flag"),
                      (["--store", "memory", "--settings", settings, "--no-token",
                        "--token-file", token_file], "both token flags"),
                      (["--store", "memory", "--no-token"], "no settings for the memory store"),
                      (["--store", "nosql:x", "--settings", settings, "--no-token"], "a bad store"),
                      (["--store", "memory", "--settings", settings, "--no-token", "--listen",
                        "nowhere"], "a bad --listen")):
        r = subprocess.run([telcrm, "serve"] + args, capture_output=True, timeout=20)
        check(f"refuses to start with {why} (exit 2)", r.returncode == 2,
              f"exit {r.returncode}: {r.stderr.decode()[-200:]}")

    port = free_port()
    log = open(os.path.join(work, "serve.out"), "wb")
    p = subprocess.Popen([telcrm, "serve", "--store", "memory", "--settings", settings,
                          "--listen", f"127.0.0.1:{port}", "--token-file", token_file],
                         stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                if request(port, "GET", "/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        print("the token")
        check("no token: 401 with WWW-Authenticate",
              request(port, "GET", "/health", token=None)[0] == 401)
        status, _, headers = request(port, "GET", "/health", token="wrong")
        check("a wrong token: 401", status == 401 and "Bearer" in headers.get("WWW-Authenticate", ""))
        check("a token one character short: 401",
              request(port, "GET", "/health", token=TOKEN[:-1])[0] == 401)
        status, body, _ = request(port, "GET", "/health")
        check("/health: 200 ready", status == 200 and json.loads(body)["status"] == "ready", body)

        print("bad input")
        status, body, _ = request(port, "POST", "/pbx/failed", raw=b'{"call":"x","step":0,"code":4x}')
        check("malformed JSON: 400 naming the path", status == 400 and
              json.loads(body).get("path") == "$.code", body)
        status, body, _ = request(port, "POST", "/pbx/failed", {"call": "x", "step": 0, "code": 486})
        check("an unknown call: 404", status == 404, body)
        status, body, _ = request(port, "POST", "/pbx/call", raw=b"x" * (70 * 1024))
        check("a body over 64 KiB: 413 with a JSON error", status == 413 and "larger" in body, body)
        check("GET on a POST endpoint: 405", request(port, "GET", "/pbx/call")[0] == 405)
        check("an unknown path: 404", request(port, "GET", "/nowhere")[0] == 404)
        status, body, _ = request(port, "POST", "/pbx/call", raw=bytes(range(256)))
        check("binary garbage: 400", status == 400, body)
        status, body, _ = request(port, "POST", "/pbx/call",
                                  raw=b'{"call":"u8","from":"sip:\xff\xfe@gw","to":"sip:1@x"}')
        check("a string that is not UTF-8: 400 naming its path",
              status == 400 and '"path":"$.from"' in body and "UTF-8" in body, body)
        # Raw junk on a socket, and a client that sends half a request and goes away.
        for junk in (b"\x00\xff GARBAGE\r\n\r\n", b"POST /pbx/call HTTP/1.1\r\nContent-Length: 99\r\n"):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(junk)
            s.close()
        status, body, _ = request(port, "POST", "/pbx/call",
                                  {"call": "c1", "from": "sip:+79161234567@gw",
                                   "to": "sip:+74951234567@pbx"})
        check("still answering after junk: a call gets its first step",
              status == 200 and json.loads(body.replace('"targets":', '"t":'))["action"] == "ring",
              body)
        check("the call ends", request(port, "POST", "/pbx/cancelled", {"call": "c1"})[0] == 200)

        print("metrics")
        status, body, headers = request(port, "GET", "/metrics")
        check("/metrics in the Prometheus text format",
              status == 200 and headers.get("Content-Type", "").startswith("text/plain")
              and "telcrm_route_decision_seconds_bucket{le=\"+Inf\"} 1" in body
              and "telcrm_calls_finished_total 1" in body and "telcrm_outbox_depth " in body,
              body[:300])
    finally:
        if p.poll() is None:
            os.kill(p.pid, signal.SIGTERM)
        try:
            code = p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(p.pid, signal.SIGKILL)
            code = p.wait()
        log.close()
    print("SIGTERM")
    check("stops on SIGTERM with exit 0", code == 0, f"exit {code}")
    with open(os.path.join(work, "serve.out")) as f:
        out = f.read()
    check("logged one line per decision and the stop",
          "step c1 #0 ring" in out and "telcrm serve: stopped" in out, out[-400:])


def stop(p):
    if p.poll() is None:
        os.kill(p.pid, signal.SIGTERM)
    try:
        return p.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.kill(p.pid, signal.SIGKILL)
        return p.wait()


def loading(telcrm, settings, work):
    """The listener opens before the CRM index is built: while it loads (held here by the test
    hook, so however fast the load is) the node is not ready and routes nothing."""
    print("while the index loads")
    token_file = os.path.join(work, "token")
    hold = os.path.join(work, "hold-index-load")
    open(hold, "w").close()
    port = free_port()
    log = open(os.path.join(work, "loading.out"), "wb")
    env = dict(os.environ, TELCRM_TEST_HOLD_INDEX_LOAD=hold)
    p = subprocess.Popen([telcrm, "serve", "--store", "memory", "--settings", settings,
                          "--listen", f"127.0.0.1:{port}", "--token-file", token_file],
                         stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        status, body = None, ""
        deadline = time.time() + 15
        while time.time() < deadline and status is None:
            try:
                status, body, _ = request(port, "GET", "/health")
            except OSError:
                time.sleep(0.05)
        check("/health: 503 loading while the index is built",
              status == 503 and json.loads(body) == {"status": "loading"}, f"{status} {body}")
        check("still behind the token", request(port, "GET", "/health", token=None)[0] == 401)
        status, body, _ = request(port, "GET", "/metrics")
        check("/metrics answers, telcrm_ready 0", status == 200 and "telcrm_ready 0" in body,
              body[:200])
        call = {"call": "early", "from": "sip:+79161234567@gw", "to": "sip:+74951234567@pbx"}
        status, body, _ = request(port, "POST", "/pbx/call", call)
        check("a new call: 503 (the PBX's fallback routes it)",
              status == 503 and "loading" in json.loads(body)["error"], f"{status} {body}")
        status, body, _ = request(port, "POST", "/pbx/failed",
                                  {"call": "early", "step": 0, "code": 408})
        check("a step's failure: 503", status == 503, f"{status} {body}")
        status, body, _ = request(port, "POST", "/pbx/presence",
                                  {"extension": "101", "state": "online"})
        check("presence is taken meanwhile",
              status == 200 and json.loads(body)["employee"] == 1, f"{status} {body}")
        time.sleep(0.3)
        check("still loading while held", request(port, "GET", "/health")[0] == 503)

        os.unlink(hold)
        status = None
        deadline = time.time() + 15
        while time.time() < deadline and status != 200:
            status = request(port, "GET", "/health")[0]
            if status != 200:
                time.sleep(0.05)
        check("/health: 200 ready once the index is built", status == 200, str(status))
        status, body, _ = request(port, "POST", "/pbx/call", call)
        check("then the same call is routed, as a new one",
              status == 200 and json.loads(body.replace('"targets":', '"t":'))["step"] == 0,
              f"{status} {body}")
        check("and ends", request(port, "POST", "/pbx/cancelled", {"call": "early"})[0] == 200)
        status, body, _ = request(port, "GET", "/metrics")
        check("the refused call was never started",
              "telcrm_calls_started_total 1\n" in body and
              'telcrm_http_requests_total{endpoint="call",code="503"} 1' in body, body[-600:])
    finally:
        code = stop(p)
        log.close()
    check("stops on SIGTERM with exit 0", code == 0, f"exit {code}")
    with open(os.path.join(work, "loading.out")) as f:
        out = f.read()
    check("logged the listener before the index, then ready",
          0 <= out.find("loading the CRM index") < out.find("telcrm serve: ready in"), out[-600:])


def main():
    telcrm, settings = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp(prefix="telcrm-serve-test.")
    run(os.path.abspath(telcrm), os.path.abspath(settings), work)
    loading(os.path.abspath(telcrm), os.path.abspath(settings), work)
    if failures:
        print(f"{len(failures)} check(s) failed; logs in {work}")
        sys.exit(1)
    print("serve: all checks passed")


if __name__ == "__main__":
    main()
