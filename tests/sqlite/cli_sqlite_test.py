#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The SQLite store through the `telcrm` program, one check per ctest:

  parity          every scenario gives byte-for-byte the same output with --store sqlite:
                  (fresh file) as in memory; a second run on the file completes nothing new
  import_export   `crm export` of `crm import` gives the snapshot back (export . import is
                  the identity), and import refuses a database that holds a CRM
  two_processes   two processes replay the same burst of calls from the same unknown
                  numbers against one file at once: exactly one lead per number
  crash_safety    a long replay killed with SIGKILL 20 times at random moments, resumed each
                  time: integrity_check is ok, no call is half-written, and the finished
                  database equals the one an uninterrupted run gives
  bad_database    non-SQLite, damaged, foreign, newer and read-only files: a clear error,
                  exit code 2, no crash, the file's bytes unchanged

usage: cli_sqlite_test.py CHECK TELCRM_PROGRAM SCENARIO_DIR...
"""
import json
import os
import random
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time

TELCRM = ""


def run(*args, timeout=120):
    return subprocess.run([TELCRM, *args], capture_output=True, text=True, timeout=timeout)


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def scenario_files(dirs):
    files = []
    for d in dirs:
        if not os.path.isdir(d):
            # A missing folder never passes silently (see tests/shared_scenarios.hpp).
            if os.environ.get("TELCRM_NO_SHARED_SCENARIOS") == "1":
                print(f"note: no scenarios at {d} (TELCRM_NO_SHARED_SCENARIOS=1)")
                continue
            raise AssertionError(f"no scenarios at {d} (set TELCRM_NO_SHARED_SCENARIOS=1 when this clone has none)")
        for name in sorted(os.listdir(d)):
            if name.endswith(".json") and ".expect." not in name:
                files.append(os.path.join(d, name))
    return files


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, indent=1)


def table(db, sql):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def crashed(result):
    """True when the program died on a signal or a sanitizer report instead of exiting."""
    return result.returncode < 0 or "Sanitizer" in result.stderr or "runtime error" in result.stderr


# --- parity ------------------------------------------------------------------------------------

def parity(dirs):
    files = scenario_files(dirs)
    check(len(files) >= 15, f"only {len(files)} scenarios found")
    with tempfile.TemporaryDirectory() as tmp:
        for i, path in enumerate(files):
            memory = run("replay", path)
            check(memory.returncode == 0, f"{path}: memory replay failed: {memory.stderr}")
            db = os.path.join(tmp, f"{i}.db")
            first = run("replay", path, "--store", f"sqlite:{db}", "--quiet")
            check(first.returncode == 0, f"{path}: sqlite replay failed: {first.stderr}")
            check(first.stdout == memory.stdout,
                  f"{path}: the output with --store sqlite: differs from the in-memory one")
            if i % 8 != 0:
                continue  # a second run on every file is the in-process tests' (telcrm_sqlite_tests)
            again = run("replay", path, "--store", f"sqlite:{db}", "--quiet")
            check(again.returncode == 0, f"{path}: second run failed: {again.stderr}")
            out = json.loads(again.stdout)
            check(out["calls"] == [], f"{path}: a second run ran calls again")
            check(out["crm_after"] == json.loads(memory.stdout)["crm_after"],
                  f"{path}: a second run changed the CRM")
    print(f"parity: {len(files)} scenarios identical with --store sqlite:")


# --- import / export ---------------------------------------------------------------------------

def rich_crm():
    return {
        "contacts": [
            {"id": 5, "name": "Ivan \"Vanya\" Petrov", "phones": ["8 (916) 123-45-67", "+7 495 123-45-67 доб. 101"],
             "emails": ["ivan@example.ru"], "responsible": 2, "company": 3},
            {"id": 9, "name": "No phones"}],
        "companies": [{"id": 3, "title": "Acme", "phones": ["+34 91 123 45 67"], "emails": ["a@acme.es", "b@acme.es"],
                       "responsible": 1}],
        "leads": [{"id": 50, "title": "Lead", "phones": ["12345"], "responsible": 1, "status": "junk",
                   "modified": "2026-11-20T09:00:00Z", "contact": 5, "company": 3, "source": "WEB", "repeat": True}],
        "deals": [{"id": 70, "title": "Deal", "contact": 5, "company": 3, "responsible": 2, "stage": "won",
                   "pipeline": 4, "modified": "2026-11-21T10:00:00Z", "source": "CALL", "repeat": True}],
    }


def import_export(dirs):
    # The rich snapshot, and the three largest CRMs of the scenarios (parity imports every
    # scenario's CRM and compares what comes out already).
    sized = []
    for path in scenario_files(dirs):
        with open(path, encoding="utf-8") as f:
            crm = json.load(f).get("crm", {})
        size = sum(len(crm.get(k, [])) for k in ("contacts", "companies", "leads", "deals"))
        sized.append((size, os.path.basename(path), crm))
    sized.sort(key=lambda item: (-item[0], item[1]))
    snapshots = [("rich", rich_crm())] + [(name, crm) for size, name, crm in sized[:3] if size > 0]
    with tempfile.TemporaryDirectory() as tmp:
        for name, crm in snapshots:
            src = os.path.join(tmp, "snapshot.json")
            write_json(src, crm)
            a, b = os.path.join(tmp, f"{name}-a.db"), os.path.join(tmp, f"{name}-b.db")
            imported = run("crm", "import", src, "--db", a, "--quiet")
            check(imported.returncode == 0, f"{name}: import failed: {imported.stderr}")
            check(imported.stderr == "", f"{name}: --quiet import printed {imported.stderr!r}")
            exported = run("crm", "export", "--db", a)
            check(exported.returncode == 0, f"{name}: export failed: {exported.stderr}")
            # The snapshot as telcrm reads it (defaults filled in) is what an empty replay prints.
            scenario = os.path.join(tmp, "scenario.json")
            # Every responsible the snapshot names is an employee (scenarios check it).
            staff = sorted({1} | {r["responsible"] for kind in crm.values() if isinstance(kind, list)
                                  for r in kind if isinstance(r, dict) and r.get("responsible")})
            write_json(scenario, {"name": name, "settings": {"default_region": "RU", "employees": [
                {"id": i, "name": f"E{i}"} for i in staff], "queues": [{"id": "q", "members": [1]}],
                "lines": [{"number": "+74950000000", "queue": "q"}]}, "crm": crm, "calls": []})
            canonical = json.loads(run("replay", scenario).stdout)["crm_after"]
            check(json.loads(exported.stdout) == canonical, f"{name}: export differs from the snapshot")
            # export . import . export: byte for byte.
            with open(src, "w", encoding="utf-8") as f:
                f.write(exported.stdout)
            check(run("crm", "import", src, "--db", b, "--quiet").returncode == 0, f"{name}: re-import failed")
            check(run("crm", "export", "--db", b).stdout == exported.stdout, f"{name}: export . import is not the identity")
            # Importing into a database that holds a CRM: refused, nothing changed.
            before = open(a, "rb").read()
            again = run("crm", "import", src, "--db", a)
            check(again.returncode == 2, f"{name}: import into a full database gave {again.returncode}")
            check("already holds CRM records" in again.stderr, f"{name}: unclear error {again.stderr!r}")
            check(open(a, "rb").read() == before, f"{name}: a refused import changed the file")
        # A database a replay wrote (activities, invoices, missed calls, history): the same.
        day = os.path.join(tmp, "day.json")
        write_json(day, long_scenario(60))
        replayed, copy = os.path.join(tmp, "replayed.db"), os.path.join(tmp, "copy.db")
        check(run("replay", day, "--store", f"sqlite:{replayed}", "--quiet").returncode == 0, "replay failed")
        full = run("crm", "export", "--db", replayed).stdout
        for key in ("activities", "invoices", "missed_calls", "history"):
            check(json.loads(full)[key], f"the replayed database has no {key}")
        src = os.path.join(tmp, "full.json")
        with open(src, "w", encoding="utf-8") as f:
            f.write(full)
        check(run("crm", "import", src, "--db", copy, "--quiet").returncode == 0, "import of a full export failed")
        check(run("crm", "export", "--db", copy).stdout == full, "export . import is not the identity (full CRM)")
        # A snapshot with a reference to a missing record: exit 2, and no file is left behind.
        bad = os.path.join(tmp, "bad.json")
        write_json(bad, {"deals": [{"id": 1, "title": "x", "contact": 404}]})
        r = run("crm", "import", bad, "--db", os.path.join(tmp, "never.db"))
        check(r.returncode == 2 and "contact 404 does not exist" in r.stderr, f"bad snapshot: {r.returncode} {r.stderr!r}")
        check(not os.path.exists(os.path.join(tmp, "never.db")), "a failed import left a new file behind")
        # With settings: stored, and the phones keyed for their region.
        settings = os.path.join(tmp, "settings.json")
        write_json(settings, {"default_region": "RU", "employees": [{"id": 1, "name": "A"}],
                              "queues": [{"id": "q", "members": [1]}], "lines": [{"number": "+74950000000", "queue": "q"}]})
        src = os.path.join(tmp, "rich.json")
        write_json(src, rich_crm())
        keyed = os.path.join(tmp, "keyed.db")
        check(run("crm", "import", src, "--db", keyed, "--settings", settings, "--quiet").returncode == 0,
              "import with settings failed")
        check(table(keyed, "SELECT e164 FROM phones WHERE owner_type = 1 AND owner_id = 5 ORDER BY position")[0][0]
              == "+79161234567", "phones not keyed for the settings' region")
        check(table(keyed, "SELECT name FROM employees") == [("A",)], "settings' employees not stored")
    print(f"import_export: {len(snapshots)} snapshots round-trip")


# --- two processes -----------------------------------------------------------------------------

SETTINGS = {
    "default_region": "RU",
    "employees": [{"id": 1, "name": "Anna"}, {"id": 2, "name": "Boris"}, {"id": 3, "name": "Clara"},
                  {"id": 4, "name": "Dmitri"}],
    "queues": [{"id": "sales", "members": [1, 2, 3, 4], "distribution": "all", "rings": 3}],
    "lines": [{"number": "+74951234567", "queue": "sales"}],
}


def at(seconds):
    base = 1795510800  # 2026-11-24T10:00:00Z
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(base + seconds))


def two_processes(_dirs):
    numbers = [f"+7903{n:07d}" for n in range(150)]
    rounds = 3
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "shared.db")
        procs = []
        for who in ("A", "B"):
            calls = []
            for k in range(rounds):  # every number calls three times within a minute
                # B goes through the numbers the other way round: the two meet halfway, where
                # both call the same number at the same moment.
                order = range(len(numbers)) if who == "A" else reversed(range(len(numbers)))
                for i in order:
                    number = numbers[i]
                    written = number if (i + k) % 2 == 0 else "8 903 " + number[5:]
                    calls.append({"id": f"{who}-{k}-{i}", "direction": "incoming", "line": "+74951234567",
                                  "from": written, "at": at(k * 20), "answers": [1 + i % 4],
                                  "duration": 20})
            path = os.path.join(tmp, f"{who}.json")
            write_json(path, {"name": who, "settings": SETTINGS, "crm": {"contacts": [
                {"id": 1, "name": "Known", "phones": ["+79160000001"]}]}, "calls": calls})
            procs.append(subprocess.Popen([TELCRM, "replay", path, "--store", f"sqlite:{db}", "--quiet"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
        for p in procs:
            _, err = p.communicate(timeout=120)
            check(p.returncode == 0, f"a process failed ({p.returncode}): {err}")
        leads = table(db, "SELECT e164, count(*) FROM phones WHERE owner_type = 3 GROUP BY e164")
        check(len(leads) == len(numbers), f"{len(leads)} numbers have leads, expected {len(numbers)}")
        doubles = [row for row in leads if row[1] != 1]
        check(not doubles, f"numbers with more than one lead: {doubles}")
        check(table(db, "SELECT count(*) FROM leads")[0][0] == len(numbers), "extra leads")
        check(table(db, "SELECT count(*) FROM history")[0][0] == 2 * rounds * len(numbers), "missing history")
        check(table(db, "SELECT count(*) FROM contacts")[0][0] == 1, "the CRM was imported twice")
        unbound = table(db, "SELECT count(*) FROM activities a WHERE NOT EXISTS "
                            "(SELECT 1 FROM activity_bindings b WHERE b.activity = a.id AND b.entity_type = 3)")
        check(unbound[0][0] == 0, "activities not bound to their number's lead")
        lost = table(db, "SELECT count(*) FROM receipts WHERE claimed_by IS NOT NULL")[0][0]
        by_a = table(db, "SELECT count(*) FROM history WHERE call LIKE 'A-%' AND crm = 'unknown'")[0][0]
        by_b = table(db, "SELECT count(*) FROM history WHERE call LIKE 'B-%' AND crm = 'unknown'")[0][0]
    print(f"two_processes: {len(numbers)} numbers, one lead each, {2 * rounds * len(numbers)} calls; "
          f"calls that found no lead: A {by_a}, B {by_b}; claims lost to the other process: {lost}")


# --- crash safety ------------------------------------------------------------------------------

def long_scenario(n):
    contacts = [{"id": c, "name": f"Client {c}", "phones": [f"8 916 {c // 10000:03d} {c // 100 % 100:02d} {c % 100:02d}"],
                 "responsible": 1 + c % 4} for c in range(1, 201)]
    calls = []
    unknown = max(10, n // 6)
    missed = []
    for i in range(n):
        kind = i % 10
        call = {"id": f"call-{i}", "direction": "incoming", "line": "+74951234567", "at": at(i * 7)}
        if kind in (0, 1, 2, 3, 8):
            c = 1 + (i * 37) % 200
            call.update({"from": f"+7916{c // 10000:03d}{c // 100 % 100:02d}{c % 100:02d}", "answers": [1, 2, 3, 4],
                         "duration": 30})
            if kind == 8:
                call.update({"transfer_to": 2, "during_call": [{"create": "invoice", "amount": 120.5}]})
        elif kind in (4, 5, 9):
            call.update({"from": f"+7903{(i * 13) % unknown:07d}", "answers": [2, 3], "duration": 40})
            if kind == 5:
                call["during_call"] = [{"create": "deal", "title": "Quote"}]
            if kind == 9:
                call["comment"] = "called about prices"
        elif kind == 6:
            number = f"+7903{(i * 29) % unknown:07d}"
            call.update({"from": number, "caller_hangs_up_after": 10})
            missed.append(number)
        else:  # 7: an employee calls a missed number back
            call.update({"direction": "outgoing", "to": missed[-1] if missed else "+79030000000", "user": 1,
                         "duration": 25})
        calls.append(call)
    return {"name": "a long day", "settings": SETTINGS, "crm": {"contacts": contacts}, "calls": calls}


def crash_safety(_dirs):
    rng = random.Random(int(os.environ.get("TELCRM_CRASH_SEED", "7")))
    with tempfile.TemporaryDirectory() as tmp:
        # Size the day so an uninterrupted run takes about a second on this build.
        probe = os.path.join(tmp, "probe.json")
        write_json(probe, long_scenario(300))
        start = time.monotonic()
        check(run("replay", probe, "--store", f"sqlite:{os.path.join(tmp, 'probe.db')}", "--quiet").returncode == 0,
              "probe run failed")
        rate = 300 / max(time.monotonic() - start, 1e-3)
        n = int(min(20000, max(400, rate)))
        day = os.path.join(tmp, "day.json")
        write_json(day, long_scenario(n))

        reference = os.path.join(tmp, "reference.db")
        r = run("replay", day, "--store", f"sqlite:{reference}", "--quiet")
        check(r.returncode == 0, f"reference run failed: {r.stderr}")

        def wait_for(p, target):
            """Until the run has `target` calls complete (or ends), polling one connection."""
            deadline = time.monotonic() + 60
            con = None
            try:
                while p.poll() is None and time.monotonic() < deadline:
                    try:
                        if con is None and os.path.exists(db):
                            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
                        if con is not None and con.execute("SELECT count(*) FROM history").fetchone()[0] >= target:
                            return
                    except sqlite3.Error:
                        pass  # no schema yet
                    time.sleep(0.005)
            finally:
                if con is not None:
                    con.close()

        db = os.path.join(tmp, "crash.db")
        interrupted = 0
        progress = []
        for i in range(20):
            p = subprocess.Popen([TELCRM, "replay", day, "--store", f"sqlite:{db}", "--quiet"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if i < 3:
                # While it starts: creating the file and schema, importing the CRM, reading.
                time.sleep(rng.uniform(0.0, 0.15))
            else:
                # While it writes calls: once it got a little further, at a random moment.
                wait_for(p, (progress[-1] if progress else 0) + rng.randint(1, max(2, n // 40)))
                time.sleep(rng.uniform(0.0, 0.01))
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                interrupted += 1
            p.wait()
            _, err = p.communicate()
            check(p.returncode in (0, -signal.SIGKILL), f"a run failed on its own ({p.returncode}): {err!r}")
            if not os.path.exists(db):
                progress.append(0)
                continue
            check(table(db, "PRAGMA integrity_check") == [("ok",)], "integrity_check is not ok after a kill")
            if not table(db, "SELECT name FROM sqlite_master WHERE name = 'history'"):
                progress.append(0)  # killed before the schema was committed: an empty file
                continue
            # No call half-written: every call with a receipt (any write) has its history record
            # (its last write), and no call has two.
            partial = table(db, "SELECT DISTINCT call FROM receipts WHERE call NOT IN (SELECT call FROM history)")
            check(partial == [], f"calls with only part of their writes: {partial[:5]}")
            twice = table(db, "SELECT call FROM history GROUP BY call HAVING count(*) > 1")
            check(twice == [], f"calls recorded twice: {twice[:5]}")
            progress.append(table(db, "SELECT count(*) FROM history")[0][0])
        check(progress == sorted(progress), f"progress went backwards: {progress}")
        mid_run = sum(1 for p in progress if 0 < p < n)
        check(interrupted >= 18 and mid_run >= 15,
              f"too few kills landed mid-run ({interrupted} kills, {mid_run} mid-run states): {progress}")

        final = run("replay", day, "--store", f"sqlite:{db}")
        check(final.returncode == 0, f"the final run failed: {final.stderr}")
        check(table(db, "PRAGMA integrity_check") == [("ok",)], "integrity_check is not ok")
        check(table(db, "SELECT count(DISTINCT call), count(*) FROM history")[0] == (n, n),
              "not every call completed exactly once")
        a = run("crm", "export", "--db", db).stdout
        b = run("crm", "export", "--db", reference).stdout
        check(a == b, "the resumed database differs from the uninterrupted run's")
        again = run("replay", day, "--store", f"sqlite:{db}", "--quiet")
        check(json.loads(again.stdout)["calls"] == [], "a complete database ran calls again")
        check(run("crm", "export", "--db", db).stdout == a, "a complete database changed when run again")
    print(f"crash_safety: {n} calls, {interrupted} kills ({mid_run} mid-run), history after each: {progress}")


# --- bad database input ------------------------------------------------------------------------

def bad_database(_dirs):
    with tempfile.TemporaryDirectory() as tmp:
        scenario = os.path.join(tmp, "day.json")
        write_json(scenario, long_scenario(30))
        snapshot = os.path.join(tmp, "snapshot.json")
        write_json(snapshot, rich_crm())

        def valid(name):
            path = os.path.join(tmp, name)
            check(run("replay", scenario, "--store", f"sqlite:{path}", "--quiet").returncode == 0, "setup failed")
            return path

        def mangled(name, start, end):
            path = valid(name)
            data = bytearray(open(path, "rb").read())
            end = len(data) + end if end < 0 else end
            for i in range(start, end):
                data[i] = (i * 7 + 0xA5) & 0xFF
            open(path, "wb").write(bytes(data))
            return path

        def newer(name):
            path = valid(name)
            con = sqlite3.connect(path)
            con.execute("PRAGMA user_version = 99")
            con.close()
            return path

        def foreign(name):
            path = os.path.join(tmp, name)
            con = sqlite3.connect(path)
            con.execute("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)")
            con.execute("INSERT INTO notes VALUES (1, 'mine')")
            con.commit()
            con.close()
            return path

        def text_file(name):
            path = os.path.join(tmp, name)
            open(path, "w").write("name,phone\nIvan,+79161234567\n" * 200)
            return path

        def read_only(name):
            path = valid(name)
            os.chmod(path, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
            return path

        cases = [
            ("text file", text_file("text.db"), "not an SQLite database", False),
            ("garbage header", mangled("header.db", 0, 100), "not an SQLite database", False),
            ("garbage schema page", mangled("schema.db", 100, 4096), "", False),
            ("garbage data pages", mangled("pages.db", 2 * 4096, 5 * 4096), "", False),
            ("another application's database", foreign("foreign.db"), "not a telcrm one", False),
            ("newer schema", newer("newer.db"), "newer telcrm", False),
            ("read-only file", read_only("readonly.db"), "read-only", True),
        ]
        for label, path, says, exportable in cases:
            before = open(path, "rb").read()
            commands = [
                ("replay", ["replay", scenario, "--store", f"sqlite:{path}", "--quiet"]),
                ("crm import", ["crm", "import", snapshot, "--db", path, "--quiet"]),
                ("crm export", ["crm", "export", "--db", path]),
            ]
            for name, args in commands:
                r = run(*args)
                check(not crashed(r), f"{label}: {name} crashed ({r.returncode}): {r.stderr}")
                if name == "crm export" and exportable:
                    check(r.returncode == 0, f"{label}: export should read it: {r.stderr}")
                    continue
                if name == "crm export" and says == "" and r.returncode == 0:
                    continue  # a damaged page export never reads may go unnoticed by a reader
                check(r.returncode == 2, f"{label}: {name} exit code {r.returncode}, expected 2: {r.stderr}")
                check(path in r.stderr and says in r.stderr, f"{label}: {name}: unclear error {r.stderr!r}")
                check(r.stdout == "", f"{label}: {name} printed output")
                check(open(path, "rb").read() == before, f"{label}: {name} changed the file")
        print(f"bad_database: {len(cases)} kinds of bad file, 3 commands each")


def main():
    global TELCRM
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    name, TELCRM, dirs = sys.argv[1], sys.argv[2], sys.argv[3:]
    checks = {"parity": parity, "import_export": import_export, "two_processes": two_processes,
              "crash_safety": crash_safety, "bad_database": bad_database}
    if name not in checks:
        print(f"unknown check {name}; one of {', '.join(checks)}")
        return 2
    try:
        checks[name](dirs)
    except AssertionError as e:
        print(f"FAILED {name}: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
