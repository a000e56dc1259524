#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The command line on PostgreSQL (label postgres), against the fixture's throwaway cluster:
# `replay --store postgres:` (and again: nothing twice), `crm import/export --store`, `crm
# migrate` of a whole SQLite deployment, `demo --store`, `serve --store` (its /health), a
# service file and PGPASSFILE — and no conninfo password in any output, whatever happens.
#   pg_cli_test.sh TELCRM STATE CLUSTER_SCRIPT SCENARIO.json
set -uo pipefail

telcrm=${1:?TELCRM}
state=${2:?STATE}
cluster=${3:?CLUSTER_SCRIPT}
scenario=${4:?SCENARIO}

if [[ ! -f "$state" ]] || grep -q '^UNAVAILABLE=' "$state"; then
  echo "*** SKIPPED: no PostgreSQL cluster ($(cat "$state" 2>/dev/null)) ***"
  [[ -n "${CI:-}" ]] && exit 1
  exit 77
fi
# shellcheck disable=SC1090
source "$state"

work=$(mktemp -d "${TMPDIR:-/tmp}/telcrm-pgcli.XXXXXX")
serve_pid=
cleanup() {
  [[ -n "$serve_pid" ]] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  for db in "${dbs[@]}"; do psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1; done
  psql_admin -c "DROP ROLE IF EXISTS ${prefix}_pw" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

psql_admin() { "$BIN/psql" -X -q -h 127.0.0.1 -p "$PGPORT" -U telcrm -d postgres "$@"; }
prefix="cli_$$"
dbs=()
new_db() {
  local name="${prefix}_$1"
  psql_admin -c "CREATE DATABASE $name" >/dev/null || { echo "cannot create $name"; exit 1; }
  psql_admin -d "$name" -c "CREATE EXTENSION IF NOT EXISTS btree_gist" >/dev/null
  dbs+=("$name")
  echo "$name"
}
secret="s3cret-$$-never-printed"
conn() { echo "host=127.0.0.1 port=$PGPORT user=telcrm dbname=$1 password=$secret"; }

# Runs telcrm; its stdout in $work/$1.out, stderr in $work/$1.err, exit code in $rc.
run() {
  local name=$1
  shift
  "$telcrm" "$@" >"$work/$name.out" 2>"$work/$name.err"
  rc=$?
}
expect_rc() { [[ $rc -eq $1 ]] || { fail "$2: exit $rc, expected $1: $(head -c 400 "$work/$3.err")"; return 1; }; }

# --- replay into PostgreSQL gives what replay into SQLite gives; again: nothing twice -------
replay_db=$(new_db replay)
run replay_pg replay "$scenario" --store "postgres:$(conn "$replay_db")" --quiet
expect_rc 0 "replay --store postgres:" replay_pg && pass "replay --store postgres:"
run replay_sq replay "$scenario" --store "sqlite:$work/day.db" --quiet
expect_rc 0 "replay --store sqlite:" replay_sq
if cmp -s "$work/replay_pg.out" "$work/replay_sq.out"; then
  pass "replay output on PostgreSQL equals the SQLite store's"
else
  fail "replay output differs between PostgreSQL and SQLite"
  diff "$work/replay_pg.out" "$work/replay_sq.out" | head -20
fi
run replay_again replay "$scenario" --store "postgres:$(conn "$replay_db")"
expect_rc 0 "replay again" replay_again
if grep -q 'already complete in the database were skipped' "$work/replay_again.err" &&
   grep -q '"calls": \[\]' "$work/replay_again.out"; then
  pass "replay again skips every call"
else
  fail "replay again ran calls: $(head -c 300 "$work/replay_again.err")"
fi

# --- crm export --store postgres: equals the SQLite export --------------------------------------
run export_sq crm export --db "$work/day.db"
expect_rc 0 "crm export --db" export_sq
run export_pg crm export --store "postgres:$(conn "$replay_db")"
expect_rc 0 "crm export --store postgres:" export_pg
cmp -s "$work/export_pg.out" "$work/export_sq.out" && pass "crm export of both stores alike" ||
  fail "crm export differs between the stores"

# --- crm migrate: the whole SQLite deployment, ids and all ----------------------------------
migrated=$(new_db migrated)
run migrate crm migrate --from "sqlite:$work/day.db" --to "postgres:$(conn "$migrated")"
expect_rc 0 "crm migrate" migrate && pass "crm migrate: $(tail -1 "$work/migrate.err")"
run export_migrated crm export --store "postgres:$(conn "$migrated")"
cmp -s "$work/export_migrated.out" "$work/export_sq.out" &&
  pass "the migrated CRM equals the SQLite one (activities, history, missed calls, ids)" ||
  fail "the migrated CRM differs from the SQLite one"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); sys.exit(not (c["history"] and c["activities"] and c["missed_calls"]))' \
  "$work/export_migrated.out" || fail "no call history, activities or missed calls were migrated"
run migrate_again crm migrate --from "sqlite:$work/day.db" --to "postgres:$(conn "$migrated")"
expect_rc 2 "crm migrate into a database that holds a CRM" migrate_again &&
  pass "crm migrate refuses a target that holds a CRM"
printf '{"append":{"call":"x","seq":1,"claim":null,"ops":[]}}\n' >"$work/day.db.outbox"
run migrate_journal crm migrate --from "sqlite:$work/day.db" --to "postgres:$(conn "$(new_db journal)")"
rm -f "$work/day.db.outbox"
if [[ $rc -eq 2 ]] && grep -q 'not yet in' "$work/migrate_journal.err"; then
  pass "crm migrate refuses while writes wait in the journal"
else
  fail "crm migrate with a journal: exit $rc: $(head -c 300 "$work/migrate_journal.err")"
fi

# --- the migrated database serves: settings and employees came along -------------------------
run serve_check replay "$scenario" --store "postgres:$(conn "$migrated")" --quiet
expect_rc 0 "replay on the migrated database" serve_check
"$telcrm" serve --store "postgres:$(conn "$migrated")" --no-token --listen 127.0.0.1:0 \
  >"$work/serve.out" 2>"$work/serve.err" &
serve_pid=$!
port=
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/serve.err" | head -1)
  [[ -n "$port" ]] && break
  sleep 0.1
done
ready=
# The port opens before the index is built: /health says 503 "loading" until then.
for _ in $(seq 1 100); do
  [[ -n "$port" ]] && curl -sf "http://127.0.0.1:$port/health" | grep -q '"ready"' && ready=1 && break
  sleep 0.1
done
if [[ -n "$ready" ]]; then
  pass "serve --store postgres: answers /health ready"
else
  fail "serve --store postgres: did not become ready: $(head -c 400 "$work/serve.err")"
fi
kill -TERM "$serve_pid" 2>/dev/null
wait "$serve_pid"
serve_rc=$?
serve_pid=
[[ $serve_rc -eq 0 ]] || fail "serve exited $serve_rc after SIGTERM"
grep -q "store postgres ${migrated}@127.0.0.1:$PGPORT" "$work/serve.err" ||
  fail "serve's log does not name the store by database@host:port"

# --- a restart after kill -9: the calls the live-call journal left open ---------------------
# A call whose history record is stored had ended (only its journal line was lost with the
# process): it is not closed again. A call without one is closed as missed with the reason.
psql_at() { "$BIN/psql" -X -q -At -F ' ' -h 127.0.0.1 -p "$PGPORT" -U telcrm -d "$1" -c "$2"; }
read -r done_call done_line done_number < <(psql_at "$migrated" \
  "SELECT call, line, number FROM history WHERE line <> '' AND number <> '' ORDER BY call LIMIT 1")
if [[ -z "${done_number:-}" ]]; then
  fail "the replayed scenario left no call history to restart with"
else
  acts_before=$(psql_at "$migrated" "SELECT count(*) FROM activities WHERE call = '$done_call'")
  printf 'B %s %s %s %s\nB cli-interrupted-1 %s %s %s\n' "$done_call" "$done_line" \
    "$done_number" "$(date +%s)" "$done_line" "$done_number" "$(date +%s)" >"$work/node.outbox.live"
  "$telcrm" serve --store "postgres:$(conn "$migrated")" --no-token --listen 127.0.0.1:0 \
    --journal "$work/node.outbox" >"$work/restart.out" 2>"$work/restart.err" &
  serve_pid=$!
  for _ in $(seq 1 100); do
    grep -q "listening on" "$work/restart.err" && break
    sleep 0.1
  done
  kill -TERM "$serve_pid" 2>/dev/null
  wait "$serve_pid"
  serve_pid=
  acts_after=$(psql_at "$migrated" "SELECT count(*) FROM activities WHERE call = '$done_call'")
  if [[ "$acts_after" == "$acts_before" ]]; then
    pass "serve --store postgres: a call that ended before the kill is not closed again"
  else
    fail "a call that ended before the kill got $acts_after activities (had $acts_before)"
  fi
  closed=$(psql_at "$migrated" \
    "SELECT count(*) FROM activities WHERE call = 'cli-interrupted-1' AND comment LIKE 'interrupted%'")
  if [[ "$closed" == 1 ]]; then
    pass "serve --store postgres: a call in flight at the kill is closed as missed with the reason"
  else
    fail "the call in flight at the kill has $closed interrupted activities: $(head -c 400 "$work/restart.err")"
  fi
fi

# --- crm import --store postgres:, and a service file ----------------------------------------
imported=$(new_db imported)
run import crm import "$work/export_sq.out" --store "postgres:$(conn "$imported")"
expect_rc 0 "crm import --store postgres:" import
printf '[telcrm_cli_test]\nhost=127.0.0.1\nport=%s\nuser=telcrm\ndbname=%s\n' "$PGPORT" "$imported" \
  >"$work/pg_service.conf"
PGSERVICEFILE="$work/pg_service.conf" run export_service crm export --store "postgres:service=telcrm_cli_test"
expect_rc 0 "crm export through a service file" export_service &&
  cmp -s "$work/export_service.out" "$work/export_sq.out" &&
  pass "crm import, then export through a service file, gives the snapshot back" ||
  fail "the imported snapshot read through the service file differs"
run import_again crm import "$work/export_sq.out" --store "postgres:$(conn "$imported")"
expect_rc 2 "crm import into a database that holds a CRM" import_again

# --- PGPASSFILE: a user that must give a password -------------------------------------------
pw_db=$(new_db pw)
psql_admin -c "CREATE ROLE ${prefix}_pw LOGIN PASSWORD 'pw-$secret'; ALTER DATABASE $pw_db OWNER TO ${prefix}_pw" >/dev/null
psql_admin -d "$pw_db" -c "ALTER SCHEMA public OWNER TO ${prefix}_pw" >/dev/null
bash "$cluster" password "$state" "${prefix}_pw"
pw_conn="host=127.0.0.1 port=$PGPORT user=${prefix}_pw dbname=$pw_db"
PGPASSFILE=/dev/null run nopass crm import "$work/export_sq.out" --store "postgres:$pw_conn"
[[ $rc -ne 0 ]] && pass "without the password: refused (exit $rc)" || fail "a login without its password worked"
printf '127.0.0.1:%s:%s:%s:pw-%s\n' "$PGPORT" "$pw_db" "${prefix}_pw" "$secret" >"$work/pgpass"
chmod 600 "$work/pgpass"
PGPASSFILE="$work/pgpass" run withpass crm import "$work/export_sq.out" --store "postgres:$pw_conn"
expect_rc 0 "crm import with PGPASSFILE" withpass && pass "PGPASSFILE gives the password"
run wrongpass crm export --store "postgres:$pw_conn password=wrong-$secret"
[[ $rc -ne 0 ]] && pass "a wrong password: refused (exit $rc)" || fail "a wrong password worked"

# --- demo --store postgres: behaves as demo --db (generates into the database, then the day) --
demo_db=$(new_db demo)
run demo demo --store "postgres:$(conn "$demo_db")" --contacts 300 --day-calls 30 --quiet --color never
demo_pg_rc=$rc
run demo_sq demo --db "$work/demo.db" --contacts 300 --day-calls 30 --quiet --color never
grep -q "^Generated postgres ${demo_db}@127.0.0.1:$PGPORT: 300 contacts" "$work/demo.out" ||
  fail "demo --store postgres: did not generate its CRM: $(head -c 300 "$work/demo.out" "$work/demo.err")"
[[ $demo_pg_rc -eq $rc ]] && cmp -s "$work/demo.err" "$work/demo_sq.err" &&
  pass "demo --store postgres: ends as demo --db does (exit $rc)" ||
  fail "demo --store postgres: exit $demo_pg_rc, demo --db: exit $rc"
run demo_export crm export --store "postgres:$(conn "$demo_db")"
python3 -c 'import json,sys; sys.exit(len(json.load(open(sys.argv[1]))["contacts"]) != 300)' \
  "$work/demo_export.out" && pass "the demo's 300 contacts are in PostgreSQL" ||
  fail "the demo's contacts are not in PostgreSQL"

# --- failures: usage errors and a server that is not there ----------------------------------
run nowhere replay "$scenario" --store "postgres:host=127.0.0.1 port=1 connect_timeout=2 password=$secret"
expect_rc 1 "replay against no server" nowhere && pass "no server: exit 1 (storage unavailable)"
run badspec replay "$scenario" --store "postgress:password=$secret"
expect_rc 2 "a misspelt store" badspec && pass "a misspelt store: usage error"
run migrate_to_sqlite crm migrate --from "sqlite:$work/day.db" --to "sqlite:$work/other.db"
expect_rc 2 "crm migrate --to sqlite:" migrate_to_sqlite

# --- the password never shows, anywhere -----------------------------------------------------
if grep -l -- "$secret" "$work"/*.out "$work"/*.err; then
  fail "the conninfo's password was printed (files above)"
else
  pass "no output holds the password"
fi

if ((failures > 0)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
