#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Two `telcrm serve` nodes on one PostgreSQL database, one Kamailio per node
(examples/kamailio/kamailio.cfg, unchanged): the same unknown number calls through both
Kamailios at the same moment. Each call's requests stay with its node (its Kamailio holds the
SIP dialog and asks only its own node), the two nodes race to create the caller's lead, and
the database's claim (R-I2, a per-number advisory lock) leaves one lead, with both calls
logged once and both activities on that lead.

Runs against the ctest fixture's throwaway cluster (tests/postgres/pg_cluster.sh state file),
reuses the PBX end-to-end rig (tests/pbx/e2e/pbx_e2e.py) for Kamailio and sipp, starts every
process on 127.0.0.1 and stops each by its PID. Without kamailio, sipp or the cluster it is
skipped (exit 77) — unless CI is set, where that is a failure.

    pg_two_nodes_e2e.py --telcrm TELCRM --config kamailio.cfg --state pg-cluster.state
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error

HERE = os.path.dirname(os.path.abspath(__file__))
E2E = os.path.join(os.path.dirname(HERE), "pbx", "e2e")
sys.path.insert(0, E2E)
import pbx_e2e  # noqa: E402  (the rig of the PBX end-to-end suite)

SKIP = 77
UNKNOWN = "+79037770001"          # in no CRM record
LINE_FORWARD = pbx_e2e.LINE_FORWARD  # always off hours: forwarded through the GATEWAY


def skip(why):
    if os.environ.get("CI"):
        print("FAIL: the two-node end-to-end test cannot run in CI — " + why)
        return 1
    print("*" * 78)
    print("SKIPPED: two telcrm serve nodes on PostgreSQL behind Kamailio — " + why)
    print("*" * 78)
    return SKIP


def read_state(path):
    state = {}
    try:
        with open(path) as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    state[k] = v.strip("'")
    except OSError:
        pass
    return state


def psql(state, sql, db="postgres"):
    subprocess.run([os.path.join(state["BIN"], "psql"), "-X", "-q", "-h", "127.0.0.1", "-p",
                    state["PGPORT"], "-U", "telcrm", "-d", db, "-c", sql],
                   check=True, timeout=30, capture_output=True)


def start_node(rig, name, conninfo):
    """`telcrm serve --store postgres:` for this rig's Kamailio; waits for /health = 200."""
    token = os.path.join(rig.work, "token")
    with open(token, "w") as f:
        f.write(pbx_e2e.TOKEN + "\n")
    rig.serve = rig.start(name, [
        rig.args.telcrm, "serve", "--store", "postgres:" + conninfo,
        "--listen", f"127.0.0.1:{rig.http_port}", "--token-file", token, "--drain", "5",
        "--journal", os.path.join(rig.work, name + ".outbox")])
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            if rig.http("GET", "/health", timeout=0.5)[0] == 200:
                return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        if rig.serve.poll() is not None:
            break
        time.sleep(0.1)
    raise pbx_e2e.Failure(f"{name} did not become ready ({name}.out)")


def caller(rig, case):
    """The unknown caller's sipp process, started now (no delay): the call id is `case`…"""
    keys = {"caller": UNKNOWN, "talk_ms": 800, "wait_ms": 800}
    argv = ["timeout", "40", "sipp", "-sf", os.path.join(rig.sipp_dir, "caller.xml"),
            "-i", "127.0.0.1", "-p", str(rig.caller_port), "-mp",
            str(pbx_e2e.media_base(rig.media)), "-m", "1", "-nostdin", "-trace_err",
            "-error_file", os.path.join(rig.work, case + ".err"), "-s", LINE_FORWARD,
            "-cid_str", case + "%u"]
    for k, v in keys.items():
        argv += ["-key", k, str(v)]
    argv.append(f"127.0.0.1:{rig.sip_port}")
    return argv


def run(args):
    missing = [t for t in ("kamailio", "sipp") if shutil.which(t) is None]
    if missing:
        return skip("missing: " + ", ".join(missing) + " (scripts/install-deps.sh installs them)")
    state = read_state(args.state)
    if "PGPORT" not in state:
        return skip("no PostgreSQL cluster: " + state.get("UNAVAILABLE", args.state))

    work = tempfile.mkdtemp(prefix="telcrm-pg-two-nodes.")
    rigs = []
    for name in ("a", "b"):
        d = os.path.join(work, name)
        os.makedirs(d)
        rigs.append(pbx_e2e.Rig(args, d))
    a, b = rigs
    db = f"telcrm_two_nodes_{os.getpid()}"
    conninfo = f"host=127.0.0.1 port={state['PGPORT']} user=telcrm dbname={db}"
    checks = failures = 0

    def check(what, ok, detail=""):
        nonlocal checks, failures
        checks += 1
        print(f"  {'ok  ' if ok else 'FAIL'} {what}{'' if ok or not detail else ': ' + detail}")
        failures += 0 if ok else 1

    t_begin = time.time()
    try:
        psql(state, f"CREATE DATABASE {db}")
        psql(state, "CREATE EXTENSION IF NOT EXISTS btree_gist", db)
        subprocess.run([args.telcrm, "crm", "import", os.path.join(E2E, "crm.json"), "--store",
                        "postgres:" + conninfo, "--settings", os.path.join(E2E, "settings.json"),
                        "--quiet"], check=True, timeout=30)
        for rig, name in ((a, "node-a"), (b, "node-b")):
            start_node(rig, name, conninfo)
            rig.start_kamailio()
        print(f"two nodes: kamailio udp:{a.sip_port} -> telcrm :{a.http_port}, "
              f"kamailio udp:{b.sip_port} -> telcrm :{b.http_port}; logs in {work}")

        # The same unknown number through both Kamailios at the same moment.
        gateways = [rig.server("two", "gateway", "phone.xml", rig.gw_port,
                               {"ring_ms": 300, "recording": ""}) for rig in rigs]
        time.sleep(0.3)  # the gateways' sockets are bound
        calls = [rig.start(f"two-{n}-caller", caller(rig, f"two-{n}-"))
                 for rig, n in ((a, "a"), (b, "b"))]
        for n, p in zip("ab", calls):
            code = p.wait(timeout=45)
            check(f"the call through node {n} completed", code == 0, f"sipp exit {code}")
        for n, g in zip("ab", gateways):
            check(f"node {n}'s Kamailio forwarded it to its gateway", a.wait(g) == 0)

        # Each node stops cleanly (its outbox flushed), then the CRM is read from the database.
        for rig, n in ((a, "a"), (b, "b")):
            code = rig.stop(rig.serve)
            check(f"node {n} stopped on SIGTERM with exit 0", code == 0, f"exit {code}")
        out = subprocess.run([args.telcrm, "crm", "export", "--store", "postgres:" + conninfo],
                             capture_output=True, timeout=30, check=True)
        crm = json.loads(out.stdout)
        leads = [l for l in crm["leads"] if UNKNOWN in l["phones"]]
        check("one lead for the unknown number across the two nodes (R-I2)", len(leads) == 1,
              json.dumps(leads))
        for n in "ab":
            h = [x for x in crm["history"] if x["call"].startswith(f"two-{n}-")]
            acts = [x for x in crm["activities"] if x["call"].startswith(f"two-{n}-")]
            check(f"the call through node {n} is logged once (one history record, one activity)",
                  len(h) == 1 and len(acts) == 1, f"{len(h)} history, {len(acts)} activities")
            check(f"node {n}'s activity is on that lead",
                  len(acts) == 1 and len(leads) == 1
                  and {"type": "lead", "id": leads[0]["id"]} in acts[0]["bindings"],
                  json.dumps(acts))
        # How the second node learnt of the lead: a lost claim (both created it at once; the
        # database's claim bound the loser to the winner's lead), or its index (refreshed from
        # the change feed before its call needed it). Told, not asserted: timing decides.
        lost = subprocess.run([os.path.join(state["BIN"], "psql"), "-X", "-At", "-h", "127.0.0.1",
                               "-p", state["PGPORT"], "-U", "telcrm", "-d", db, "-c",
                               "SELECT count(*) FROM receipts WHERE claimed_by IS NOT NULL"],
                              capture_output=True, text=True, timeout=30).stdout.strip()
        print(f"  (batches that lost the claim to the other node: {lost})")
        with open(os.path.join(a.work, "node-a.out"), errors="replace") as f:
            log = f.read()
        check("node a's log names the store without the conninfo",
              f"store postgres {db}@127.0.0.1:{state['PGPORT']}" in log and conninfo not in log)
    except pbx_e2e.Failure as e:
        check(str(e), False)
    except subprocess.TimeoutExpired as e:
        check(f"a step timed out: {e}", False)
    except subprocess.CalledProcessError as e:
        check(f"{e.cmd[:3]} failed: {e.stderr!r}", False)
    finally:
        for rig in rigs:
            rig.stop_all()
        try:
            psql(state, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pass
    seconds = time.time() - t_begin
    if failures:
        print(f"two nodes: {failures} of {checks} checks FAILED in {seconds:.0f} s; logs in {work}")
        return 1
    print(f"two nodes: all {checks} checks passed in {seconds:.0f} s")
    shutil.rmtree(work, ignore_errors=True)
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--telcrm", required=True)
    parser.add_argument("--config", required=True, help="examples/kamailio/kamailio.cfg")
    parser.add_argument("--state", required=True, help="the cluster fixture's state file")
    args = parser.parse_args()
    args.telcrm = os.path.abspath(args.telcrm)
    args.config = os.path.abspath(args.config)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    sys.exit(run(args))


if __name__ == "__main__":
    main()
