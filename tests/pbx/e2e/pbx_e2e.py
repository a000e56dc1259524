#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""End to end: Kamailio (examples/kamailio/kamailio.cfg, unchanged) in front of `telcrm serve`
with an SQLite CRM, sipp as callers and as registered phones that answer, stay busy or let it
ring. Each case is checked on the wire (which phone got the INVITE, how many seconds after the
call began, the step it was told) and in the CRM afterwards (`telcrm crm export`).

Everything runs on 127.0.0.1 with ports this script finds free; every process is started here,
tracked by its PID, bounded in time and stopped by its PID. Without kamailio or sipp the suite
reports itself skipped (exit 77) — unless CI is set, where that is a failure.

    pbx_e2e.py --telcrm build/dev/tools/telcrm/telcrm --config examples/kamailio/kamailio.cfg
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
MODULES = ("http_client.so", "jansson.so", "registrar.so", "tmx.so")
TOKEN = "e2e-token-not-secret"

LINE = "74951234567"           # the sales line (responsible rings 2 s, then the queue)
LINE_VOICEMAIL = "74950000000"  # always off hours: voicemail
LINE_FORWARD = "74951111111"    # always off hours: forward to +79031112233
IVAN = "+79161234567"           # contact 5, responsible Vera (103)
OLGA = "+79167654321"           # contact 6, responsible Vera (103)
EXTENSIONS = ("100", "101", "102", "103", "104")  # 100: the fallback (reception)


class Failure(Exception):
    pass


def _port_range():
    """Ports below the kernel's ephemeral range: a port found free there is not handed to some
    other process's socket (a DNS lookup, a client connection) before our server binds it,
    as one from bind(0) can be (sipp then fails with "Address already in use")."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low, high = (int(x) for x in f.read().split())
    except (OSError, ValueError):
        low, high = 32768, 60999
    if low > 12000:
        return low - 11000, low - 8
    return high + 1, 65527


def free_ports(count, kind=socket.SOCK_DGRAM):
    """Ports free on 127.0.0.1 now for UDP and TCP, outside the ephemeral range, in random
    order (concurrent tests rarely pick the same). `kind` is kept for the callers' sake: every
    port is checked for both."""
    del kind
    low, high = _port_range()
    found = []
    held = []
    try:
        while len(found) < count:
            port = random.randint(low, high)
            if port in found:
                continue
            socks = []
            try:
                for k in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                    s = socket.socket(socket.AF_INET, k)
                    socks.append(s)
                    s.bind(("127.0.0.1", port))
            except OSError:
                for s in socks:
                    s.close()
                continue
            held += socks
            found.append(port)
    finally:
        for s in held:
            s.close()
    return found


def media_base(used):
    """Four consecutive free UDP ports (sipp binds audio and video RTP/RTCP from -mp), none
    handed out before in this run."""
    for _ in range(200):
        base = free_ports(1)[0]
        if base + 3 > _port_range()[1] or any(abs(base - u) < 4 for u in used):
            continue
        socks = []
        try:
            for p in range(base, base + 4):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                socks.append(s)
                s.bind(("127.0.0.1", p))
            used.add(base)
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise Failure("no free media ports")


class Rig:
    def __init__(self, args, work):
        self.args = args
        self.work = work
        self.procs = []
        self.checks = 0
        self.failures = []
        self.sip_port, self.http_port, self.gw_port, self.vm_port = free_ports(4)
        self.http_port = free_ports(1, socket.SOCK_STREAM)[0]
        self.phone_ports = dict(zip(EXTENSIONS, free_ports(len(EXTENSIONS))))
        self.caller_port = free_ports(1)[0]
        self.db = os.path.join(work, "crm.db")
        self.store = "sqlite:" + self.db  # `--store` of serve and export (kill9.py may change it)
        self.serve_extra = []             # more options for serve (kill9.py: --journal)
        self.serve = None
        self.kamailio = None
        self.media = set()
        # The sipp scenarios shipped beside the config (examples/kamailio/sipp/).
        self.sipp_dir = os.path.join(os.path.dirname(args.config), "sipp")

    # --- processes ------------------------------------------------------------------------
    def start(self, name, argv, **kw):
        log = open(os.path.join(self.work, name + ".out"), "ab")
        # Kamailio forks its workers: in a process group of its own, the ones a killed main
        # leaves behind are stopped with it (stop()).
        group = os.path.basename(argv[0]) == "kamailio"
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             cwd=self.work, start_new_session=group, **kw)
        log.close()
        p.name = name
        p.group = group
        self.procs.append(p)
        return p

    def stop(self, p, sig=signal.SIGTERM, timeout=8):
        """Stops one process by its PID; returns its exit code. For a process group leader,
        then every process left in its group: a worker outlives its Kamailio when that was
        killed (its group id stays in use while it lives, so no other process can hold it)."""
        if p.poll() is None:
            os.kill(p.pid, sig)
            try:
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.kill(p.pid, signal.SIGKILL)
                p.wait(timeout=5)
        if p.group:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass  # its workers ended with it
        return p.returncode

    def stop_all(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                self.stop(p, timeout=3)

    def check(self, what, ok, detail=""):
        self.checks += 1
        if ok:
            print(f"  ok   {what}")
        else:
            print(f"  FAIL {what}{(': ' + detail) if detail else ''}")
            self.failures.append(what)

    # --- telcrm --------------------------------------------------------------------------------
    def http(self, method, path, body=None, timeout=2.0):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.http_port}{path}", data=data,
                                     method=method,
                                     headers={"Authorization": "Bearer " + TOKEN})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def start_serve(self):
        token = os.path.join(self.work, "token")
        with open(token, "w") as f:
            f.write(TOKEN + "\n")
        self.serve = self.start("serve", [
            self.args.telcrm, "serve", "--settings", os.path.join(HERE, "settings.json"),
            "--store", self.store, "--listen", f"127.0.0.1:{self.http_port}",
            "--token-file", token, "--drain", "5", *self.serve_extra])
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                if self.http("GET", "/health", timeout=0.5)[0] == 200:
                    return
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if self.serve.poll() is not None:
                break
            time.sleep(0.1)
        raise Failure("telcrm serve did not become ready (serve.out)")

    def metric(self, name):
        status, text = self.http("GET", "/metrics")
        for line in text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        return None

    def export(self):
        out = subprocess.run([self.args.telcrm, "crm", "export", "--store", self.store],
                             capture_output=True, timeout=30, check=True)
        return json.loads(out.stdout)

    # --- kamailio ------------------------------------------------------------------------------
    def start_kamailio(self):
        run = os.path.join(self.work, "kamailio-run")
        os.makedirs(run, exist_ok=True)
        self.kamailio = self.start("kamailio", [
            "kamailio", "-DD", "-E", "-f", self.args.config, "-Y", run,
            "-l", f"udp:127.0.0.1:{self.sip_port}",
            "-A", f'TELCRM_URL="http://127.0.0.1:{self.http_port}"',
            "-A", f'TELCRM_TOKEN="{TOKEN}"',
            "-A", f'GATEWAY="127.0.0.1:{self.gw_port}"',
            "-A", f'VOICEMAIL_URI="sip:voicemail@127.0.0.1:{self.vm_port}"'])
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.kamailio.poll() is not None:
                raise Failure("kamailio exited at start (kamailio.out)")
            if self.options_ping():
                return
            time.sleep(0.2)
        raise Failure("kamailio did not answer OPTIONS (kamailio.out)")

    def options_ping(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        s.settimeout(0.5)
        port = s.getsockname()[1]
        msg = (f"OPTIONS sip:127.0.0.1:{self.sip_port} SIP/2.0\r\n"
               f"Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-ping{time.time_ns()}\r\n"
               f"From: <sip:ping@127.0.0.1:{port}>;tag=p\r\nTo: <sip:127.0.0.1:{self.sip_port}>\r\n"
               f"Call-ID: ping-{time.time_ns()}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
               "Content-Length: 0\r\n\r\n")
        try:
            s.sendto(msg.encode(), ("127.0.0.1", self.sip_port))
            data = s.recv(4096).decode(errors="replace")
            return data.startswith("SIP/2.0 200")
        except OSError:
            return False
        finally:
            s.close()

    # --- sipp ----------------------------------------------------------------------------------
    def sipp(self, name, scenario, port, keys, extra=(), remote=True, timeout=30):
        argv = ["timeout", str(timeout), "sipp", "-sf", os.path.join(self.sipp_dir, scenario),
                "-i", "127.0.0.1", "-p", str(port), "-mp", str(media_base(self.media)), "-m", "1",
                "-nostdin", "-trace_err", "-error_file", os.path.join(self.work, name + ".err"),
                "-trace_logs", "-log_file", os.path.join(self.work, name + ".log")]
        for k, v in keys.items():
            argv += ["-key", k, str(v)]
        argv += list(extra)
        if remote:
            argv.append(f"127.0.0.1:{self.sip_port}")
        return self.start(name, argv)

    def register(self, ext, expires=3600):
        p = self.sipp(f"register-{ext}", "register.xml", self.phone_ports[ext],
                      {"ext": ext, "expires": expires}, timeout=10)
        if p.wait(timeout=15) != 0:
            raise Failure(f"phone {ext} could not register")

    def phone(self, case, ext, scenario="phone.xml", ring_ms=300, recording=""):
        name = f"{case}-phone-{ext}"
        p = self.sipp(name, scenario, self.phone_ports[ext],
                      {"ring_ms": ring_ms, "recording": recording}, remote=False)
        p.log = os.path.join(self.work, name + ".log")
        return p

    def server(self, case, name, scenario, port, keys):
        p = self.sipp(f"{case}-{name}", scenario, port, keys, remote=False)
        p.log = os.path.join(self.work, f"{case}-{name}.log")
        return p

    def call(self, case, caller, line, talk_ms=800, scenario="caller.xml", keys=None, wait=True):
        """Places one call; returns (exit code, start time). The call id is `case`."""
        k = {"caller": caller, "talk_ms": talk_ms, "wait_ms": 800}
        k.update(keys or {})
        time.sleep(0.3)  # the phones' sockets are bound
        started = time.time()
        p = self.sipp(f"{case}-caller", scenario, self.caller_port, k,
                      extra=["-s", line, "-cid_str", case + "%u"], timeout=40)
        p.started = started
        if not wait:
            return p
        return p.wait(timeout=45), started

    def wait(self, p, timeout=40):
        try:
            return p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return self.stop(p)

    @staticmethod
    def invites(p):
        """(time, call id, step or mailbox) of every INVITE a phone logged."""
        out = []
        try:
            with open(p.log) as f:
                for line in f:
                    # "INVITE <s> <us> <call id> X-Telcrm-Step: 0;why=responsible"
                    parts = line.split(None, 4)
                    if parts[:1] == ["INVITE"] and len(parts) >= 4:
                        rest = parts[4].strip() if len(parts) == 5 else ""
                        value = rest.split(":", 1)[1].strip() if ":" in rest else ""
                        out.append((float(parts[1]) + float(parts[2]) / 1e6, parts[3], value))
        except OSError:
            pass
        return out


# --- the cases -------------------------------------------------------------------------------

def history_of(crm, call):
    return [h for h in crm["history"] if h["call"].startswith(call)]


def activities_of(crm, call):
    return [a for a in crm["activities"] if a["call"].startswith(call)]


def run(args):
    missing = [t for t in ("kamailio", "sipp", "sqlite3") if shutil.which(t) is None]
    moddir = "/usr/lib/x86_64-linux-gnu/kamailio/modules"
    if shutil.which("kamailio") and os.path.isdir(moddir):
        missing += [m for m in MODULES if not os.path.exists(os.path.join(moddir, m))]
    if missing:
        what = "missing: " + ", ".join(missing) + " (scripts/install-deps.sh installs them)"
        if os.environ.get("CI"):
            print("FAIL: the PBX end-to-end suite cannot run in CI — " + what)
            return 1
        print("*" * 78)
        print("SKIPPED: the PBX end-to-end suite (Kamailio + sipp) — " + what)
        print("*" * 78)
        return SKIP

    work = tempfile.mkdtemp(prefix="telcrm-pbx-e2e.")
    rig = Rig(args, work)
    t_begin = time.time()
    try:
        subprocess.run([args.telcrm, "crm", "import", os.path.join(HERE, "crm.json"), "--db",
                        rig.db, "--settings", os.path.join(HERE, "settings.json"), "--quiet"],
                       check=True, timeout=30)
        rig.start_serve()
        rig.start_kamailio()
        for ext in EXTENSIONS:
            rig.register(ext)
        print(f"e2e: kamailio udp:127.0.0.1:{rig.sip_port}, telcrm http://127.0.0.1:{rig.http_port},"
              f" logs in {work}")
        cases(rig)
    except Failure as e:
        rig.check(str(e), False)
    except subprocess.TimeoutExpired as e:
        rig.check(f"a step timed out: {e}", False)
    finally:
        rig.stop_all()
    seconds = time.time() - t_begin
    if rig.failures:
        print(f"e2e: {len(rig.failures)} of {rig.checks} checks FAILED in {seconds:.0f} s;"
              f" logs kept in {work}")
        return 1
    print(f"e2e: all {rig.checks} checks passed in {seconds:.0f} s")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def cases(rig):
    # 1. Known client: the responsible answers (R-R1); the recording reaches the activity (R-A4).
    print("known client: the responsible answers")
    vera = rig.phone("known", "103", recording="https://rec.example/known.wav")
    rc, t0 = rig.call("known", IVAN, LINE, talk_ms=1200)
    rig.check("the caller's call completed", rc == 0, f"sipp exit {rc}")
    rig.check("Vera's phone (103) answered", rig.wait(vera) == 0)
    inv = rig.invites(vera)
    rig.check("Vera was rung first, at once, as step 0 (responsible)",
              len(inv) == 1 and inv[0][0] - t0 < 1.0 and inv[0][2] == "0;why=responsible",
              str(inv))

    # 2. The responsible lets it ring: after her ring time (2 s) the queue's next member rings.
    print("the responsible lets it ring: the queue after the ring time")
    vera = rig.phone("noanswer", "103", "phone_ring.xml")
    anna = rig.phone("noanswer", "101")
    rc, t0 = rig.call("noanswer", IVAN, LINE)
    rig.check("the caller's call completed", rc == 0, f"sipp exit {rc}")
    rig.check("Vera's phone rang and was cancelled", rig.wait(vera) == 0)
    rig.check("Anna (101) answered", rig.wait(anna) == 0)
    v, a = rig.invites(vera), rig.invites(anna)
    delay = a[0][0] - v[0][0] if v and a else -1
    rig.check(f"Anna rang {delay:.2f} s after Vera (ring time 2 s), as step 1 (queue:sales)",
              1.6 <= delay <= 3.0 and a[0][2] == "1;why=queue:sales", f"{v} {a}")

    # 3. The responsible is busy (486): the next member at once (R-R3).
    print("the responsible is busy: the queue at once")
    vera = rig.phone("busy", "103", "phone_busy.xml")
    anna = rig.phone("busy", "101")
    rc, t0 = rig.call("busy", IVAN, LINE)
    rig.check("the caller's call completed", rc == 0, f"sipp exit {rc}")
    rig.check("Vera's phone said busy", rig.wait(vera) == 0)
    rig.check("Anna answered", rig.wait(anna) == 0)
    v, a = rig.invites(vera), rig.invites(anna)
    delay = a[0][0] - v[0][0] if v and a else -1
    rig.check(f"Anna rang {delay:.2f} s after Vera's 486 (no ring time spent)", 0 <= delay < 0.8,
              f"{v} {a}")

    # 4. Unknown caller: a lead for the first one rung, reassigned to who answered (R-L5, R-T2).
    print("unknown caller: a lead, responsible = who answered")
    anna = rig.phone("unknown", "101", "phone_busy.xml")
    boris = rig.phone("unknown", "102")
    rc, t0 = rig.call("unknown", "+79031234567", LINE)
    rig.check("the caller's call completed", rc == 0, f"sipp exit {rc}")
    rig.check("Anna was busy, Boris (102) answered", rig.wait(anna) == 0 and rig.wait(boris) == 0)

    # 5. The caller hangs up while it rings: a missed call on the client (R-A6).
    print("the caller hangs up while it rings")
    vera = rig.phone("hangup", "103", "phone_ring.xml")
    rc, t0 = rig.call("hangup", OLGA, LINE, scenario="caller_cancel.xml",
                      keys={"wait_ms": 800})
    rig.check("the caller cancelled", rc == 0, f"sipp exit {rc}")
    rig.check("Vera's phone rang and was cancelled", rig.wait(vera) == 0)

    # 6. Excepted and employee numbers: routed to the queue, the CRM untouched (R-X1, R-X2).
    for case, number in (("excepted", "+79990001122"), ("employee", "+79035550004"),
                         ("extension", "104"), ("anonymous", "anonymous")):
        print(f"{case} caller ({number}): routed, CRM untouched")
        anna = rig.phone(case, "101")
        rc, t0 = rig.call(case, number, LINE)
        rig.check("the caller's call completed", rc == 0, f"sipp exit {rc}")
        rig.check("Anna answered", rig.wait(anna) == 0)
        a = rig.invites(anna)
        rig.check("straight to the queue (step 0, queue:sales)",
                  len(a) == 1 and a[0][2] == "0;why=queue:sales", str(a))

    # 7. Off hours: voicemail for the client's responsible; the message reaches the activity.
    print("off hours: voicemail")
    vm = rig.server("offhours-vm", "voicemail", "voicemail.xml", rig.vm_port,
                    {"voicemail": "https://vm.example/offhours.wav"})
    rc, t0 = rig.call("offhours-vm", IVAN, LINE_VOICEMAIL, talk_ms=1000)
    rig.check("the caller's call completed (the voicemail server took it)", rc == 0,
              f"sipp exit {rc}")
    rig.check("the voicemail server answered", rig.wait(vm) == 0)
    inv = rig.invites(vm)
    rig.check("the message is for Vera's mailbox (103)", len(inv) == 1 and inv[0][2] == "103",
              str(inv))

    # 8. Off hours: forward to the fixed number through the gateway.
    print("off hours: forward to a number")
    gw = rig.server("offhours-fwd", "gateway", "phone.xml", rig.gw_port,
                    {"ring_ms": 300, "recording": ""})
    rc, t0 = rig.call("offhours-fwd", "+79035551234", LINE_FORWARD)
    rig.check("the caller's call completed", rc == 0, f"sipp exit {rc}")
    rig.check("the gateway answered the forward", rig.wait(gw) == 0)
    inv = rig.invites(gw)
    rig.check("forwarded at once (step 0, off_hours)",
              len(inv) == 1 and inv[0][2] == "0;why=off_hours", str(inv))

    # 9. A call never waits for the CRM (R-I3): the database write-locked for 5 s.
    print("the CRM database write-locked for 5 s")
    lock = rig.start("sqlite-lock", ["sh", "-c",
                                     f"(echo 'BEGIN IMMEDIATE;'; sleep 5; echo 'COMMIT;') | "
                                     f"sqlite3 '{rig.db}'"])
    time.sleep(0.5)  # the lock is taken
    slowest = 0.0
    for i in range(10):
        for who, number in (("known", IVAN), ("unknown", f"+7903999{i:04d}")):
            body = {"call": f"locked-{who}-{i}", "from": f"sip:{number}@gw",
                    "to": f"sip:{LINE}@pbx"}
            t = time.perf_counter()
            status, answer = rig.http("POST", "/pbx/call", body)
            took = time.perf_counter() - t
            slowest = max(slowest, took)
            rig.http("POST", "/pbx/answered", {"call": body["call"], "step": 0, "by": "101"})
            rig.http("POST", "/pbx/ended", {"call": body["call"]})
            if status != 200:
                rig.check(f"route answer for {body['call']}", False, f"{status} {answer}")
    rig.check(f"every route answer came within 50 ms while the file was locked "
              f"(slowest {slowest * 1000:.1f} ms)", slowest < 0.050)
    anna = rig.phone("locked-sip", "101")
    rc, t0 = rig.call("locked-sip", "+79039990999", LINE)
    rig.check("a SIP call during the lock connected", rc == 0 and rig.wait(anna) == 0)
    depth = rig.metric("telcrm_outbox_depth")
    rig.check(f"the writes wait in the outbox meanwhile ({depth:.0f} batches)",
              depth is not None and depth > 0)
    rig.wait(lock, timeout=15)
    deadline = time.time() + 15
    while time.time() < deadline and rig.metric("telcrm_outbox_depth") != 0:
        time.sleep(0.2)
    rig.check("the outbox drained once the lock was gone", rig.metric("telcrm_outbox_depth") == 0)

    # The CRM afterwards (while telcrm still runs: the export reads a WAL snapshot).
    crm = rig.export()
    check_crm(rig, crm)

    # 10. telcrm does not answer (frozen with SIGSTOP): after TELCRM_TIMEOUT (1 s) the static
    # fallback (extension 100) rings and the call connects.
    print("telcrm does not answer: the static fallback after 1 s")
    os.kill(rig.serve.pid, signal.SIGSTOP)
    try:
        reception = rig.phone("frozen", "100")
        rc, t0 = rig.call("frozen", IVAN, LINE)
        rig.check("the caller's call completed", rc == 0, f"sipp exit {rc}")
        rig.check("the reception (100) answered", rig.wait(reception) == 0)
        inv = rig.invites(reception)
        rig.check("the reception rang about 1 s after the call began (Kamailio gave up on telcrm)",
                  len(inv) == 1 and 0.8 <= inv[0][0] - t0 < 3.0,
                  f"{inv[0][0] - t0:.2f} s" if inv else "no INVITE")
    finally:
        os.kill(rig.serve.pid, signal.SIGCONT)

    # 11. telcrm stopped: the static fallback (extension 100) still connects the call.
    print("telcrm stopped: the static fallback")
    code = rig.stop(rig.serve)
    rig.check("telcrm serve stopped on SIGTERM with exit 0", code == 0, f"exit {code}")
    reception = rig.phone("fallback", "100")
    rc, t0 = rig.call("fallback", IVAN, LINE)
    rig.check("the caller's call completed", rc == 0, f"sipp exit {rc}")
    rig.check("the reception (100) answered", rig.wait(reception) == 0)
    with open(os.path.join(rig.work, "kamailio.out"), errors="replace") as f:
        rig.check("Kamailio logged the static fallback", "static fallback" in f.read())

    # 12. The same config with WITH_AUTH: digest auth against a db_text subscriber table.
    print("WITH_AUTH: phones register with digest auth")
    auth_db = os.path.join(rig.work, "auth-db")
    os.makedirs(auth_db)
    with open(os.path.join(auth_db, "version"), "w") as f:
        f.write("table_name(str) table_version(int)\nsubscriber:7\n")
    with open(os.path.join(auth_db, "subscriber"), "w") as f:
        f.write("id(int,auto) username(str) domain(str) password(str) ha1(str,null) "
                "ha1b(str,null)\n1:101:127.0.0.1:secret101::\n")
    run = os.path.join(rig.work, "kamailio-auth-run")
    os.makedirs(run)
    auth_port = free_ports(1)[0]
    kam = rig.start("kamailio-auth", [
        "kamailio", "-DD", "-E", "-f", rig.args.config, "-Y", run,
        "-l", f"udp:127.0.0.1:{auth_port}", "-A", "WITH_AUTH",
        "-A", f'AUTH_DB="text://{auth_db}"',
        "-A", f'TELCRM_URL="http://127.0.0.1:{rig.http_port}"'])
    rig.sip_port, main_port = auth_port, rig.sip_port
    deadline = time.time() + 15
    while time.time() < deadline and not rig.options_ping():
        time.sleep(0.2)
    for case, password, expected in (("auth-right", "secret101", 0), ("auth-wrong", "wrong", 1)):
        p = rig.sipp(case, "register_auth.xml", rig.phone_ports["101"], {"ext": "101"},
                     extra=["-au", "101", "-ap", password, "-recv_timeout", "3000"], timeout=10)
        code = rig.wait(p, timeout=15)
        rig.check(f"{'the right' if expected == 0 else 'a wrong'} password: "
                  f"{'registered' if expected == 0 else 'refused'}",
                  (code == 0) == (expected == 0), f"sipp exit {code}")
    p = rig.sipp("auth-none", "register.xml", rig.phone_ports["102"],
                 {"ext": "102", "expires": 60}, extra=["-recv_timeout", "3000"], timeout=10)
    rig.check("no credentials: refused", rig.wait(p, timeout=15) != 0)
    rig.sip_port = main_port
    rig.stop(kam)


def check_crm(rig, crm):
    print("the CRM afterwards")
    contacts = {c["id"]: c for c in crm["contacts"]}

    def one(call):
        acts = activities_of(crm, call)
        return acts[0] if len(acts) == 1 else None

    a = one("known")
    rig.check("known: one activity on Ivan, answered by Vera, with the recording",
              a is not None and a["bindings"] == [{"type": "contact", "id": 5}]
              and a["responsible"] == 3 and a["status"] == "answered"
              and a["recording"] == "https://rec.example/known.wav" and a["duration"] >= 1,
              json.dumps(a))
    a = one("noanswer")
    rig.check("noanswer: answered by Anna (1)", a is not None and a["responsible"] == 1,
              json.dumps(a))
    a = one("busy")
    rig.check("busy: answered by Anna (1)", a is not None and a["responsible"] == 1, json.dumps(a))

    leads = [l for l in crm["leads"] if "+79031234567" in l["phones"]]
    rig.check("unknown: exactly one lead, responsible Boris (2) who answered (R-L5)",
              len(leads) == 1 and leads[0]["responsible"] == 2
              and leads[0]["title"] == "+79031234567 - Incoming call", json.dumps(leads))
    a = one("unknown")
    rig.check("unknown: the activity is on the lead, Boris responsible",
              a is not None and leads and {"type": "lead", "id": leads[0]["id"]} in a["bindings"]
              and a["responsible"] == 2, json.dumps(a))

    a = one("hangup")
    missed = [m for m in crm["missed_calls"] if m["call"].startswith("hangup")]
    rig.check("hangup: a missed activity on Olga and a missed call for her number (R-A6)",
              a is not None and a["status"] == "missed"
              and a["bindings"] == [{"type": "contact", "id": 6}]
              and len(missed) == 1 and missed[0]["number"] == OLGA, json.dumps([a, missed]))

    for case, state in (("excepted", "excepted"), ("employee", "employee"),
                        ("extension", "employee"), ("anonymous", "unknown")):
        h = history_of(crm, case)
        rig.check(f"{case}: in the call history as '{state}', no activity, nothing created",
                  len(h) == 1 and h[0]["crm"] == state and not activities_of(crm, case),
                  json.dumps(h))
    rig.check("no lead for excepted, employee or anonymous callers",
              not any(p in ("+79990001122", "+79035550004", "104", "anonymous")
                      for l in crm["leads"] for p in l["phones"]))

    a = one("offhours-vm")
    rig.check("offhours-vm: a voicemail activity on Ivan with the message (R-A4, R-R5)",
              a is not None and a["status"] == "voicemail"
              and a["voicemail"] == "https://vm.example/offhours.wav"
              and a["bindings"] == [{"type": "contact", "id": 5}], json.dumps(a))
    h = history_of(crm, "offhours-fwd")
    rig.check("offhours-fwd: answered at the forwarded number",
              len(h) == 1 and h[0]["status_code"] == 200, json.dumps(h))

    # Every write made while the database was locked landed once.
    for i in range(10):
        for who in ("known", "unknown"):
            call = f"locked-{who}-{i}"
            h = [x for x in crm["history"] if x["call"] == call]
            acts = [x for x in crm["activities"] if x["call"] == call]
            if len(h) != 1 or len(acts) != 1:
                rig.check(f"{call}: one history record, one activity", False,
                          f"{len(h)} history, {len(acts)} activities")
    per_number = {}
    for l in crm["leads"]:
        for p in l["phones"]:
            per_number[p] = per_number.get(p, 0) + 1
    locked_leads = [n for n in per_number if n.startswith("+7903999")]
    rig.check("the locked period's unknown callers got exactly one lead each (11 numbers)",
              len(locked_leads) == 11 and all(per_number[n] == 1 for n in locked_leads),
              str(sorted(per_number.items())))
    rig.check("every call has exactly one history record",
              len({h["call"] for h in crm["history"]}) == len(crm["history"]))
    rig.check("Ivan and Olga are still Vera's (known clients are never reassigned)",
              contacts[5]["responsible"] == 3 and contacts[6]["responsible"] == 3)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--telcrm", required=True, help="the telcrm program")
    parser.add_argument("--config", required=True, help="examples/kamailio/kamailio.cfg")
    parser.add_argument("--keep", action="store_true", help="keep the logs of a passing run")
    args = parser.parse_args()
    args.telcrm = os.path.abspath(args.telcrm)
    args.config = os.path.abspath(args.config)
    sys.exit(run(args))


if __name__ == "__main__":
    main()
