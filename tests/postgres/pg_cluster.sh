#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A throwaway PostgreSQL cluster for the tests: initdb in a new temporary directory, pg_ctl on
# 127.0.0.1 and a free port; stopped by its data directory (pg_ctl stop, which signals the
# postmaster's PID) and removed. initdb refuses root, so as root the cluster belongs to the
# `postgres` user (the Debian package creates it).
#   pg_cluster.sh start STATE     starts one; writes "PGPORT=… PGDATA=… DIR=…" to STATE
#   pg_cluster.sh stop STATE      stops the one STATE names and removes its directory
#   pg_cluster.sh restart STATE   stops it at once (-m immediate) and starts it again
#   pg_cluster.sh pgctl STATE ARGS…  runs pg_ctl on it (as its owner)
#   pg_cluster.sh password STATE USER  makes USER (only) log in with a password over TCP
#                  (scram-sha-256; every other user keeps trust) and reloads the server
# Without PostgreSQL's server programs, `start` writes "UNAVAILABLE=<why>" to STATE and
# succeeds (the tests then skip, loudly) — unless CI is set: then it fails.
# Environment: TELCRM_PG_BINDIR (default: pg_config --bindir, else /usr/lib/postgresql/*/bin),
#   TELCRM_PG_SYNC=on (fsync on, for benchmarks), TELCRM_PG_OPTIONS (more -c settings).
set -euo pipefail

cmd=${1:?usage: pg_cluster.sh start|stop|restart|pgctl STATE}
state=${2:?usage: pg_cluster.sh start|stop|restart|pgctl STATE}

bindir() {
  if [[ -n "${TELCRM_PG_BINDIR:-}" ]]; then echo "$TELCRM_PG_BINDIR"; return; fi
  local d
  if command -v pg_config >/dev/null && d=$(pg_config --bindir 2>/dev/null) && [[ -x "$d/initdb" ]]; then
    echo "$d"; return
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [[ -x "$d/initdb" ]] && { echo "$d"; return; }
  done
  if command -v initdb >/dev/null; then dirname "$(command -v initdb)"; return; fi
  return 1
}

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

read_state() {
  [[ -f "$state" ]] || return 1
  # shellcheck disable=SC1090
  source "$state"
}

unavailable() {
  echo "UNAVAILABLE='$1'" >"$state"
  if [[ -n "${CI:-}" ]]; then
    echo "pg_cluster: PostgreSQL is required with CI set: $1" >&2
    exit 1
  fi
  echo "pg_cluster: *** PostgreSQL tests will be SKIPPED: $1 (scripts/install-deps.sh installs it) ***" >&2
  exit 0
}

server_options() {
  local sync=off
  [[ "${TELCRM_PG_SYNC:-off}" == on ]] && sync=on
  # fsync off by default: a test cluster needs no protection from power loss, and commits
  # still reach the OS (synchronous_commit stays on), so a killed server loses nothing.
  echo "-c listen_addresses=127.0.0.1 -p $1 -k $2 -c fsync=$sync -c full_page_writes=$sync -c max_connections=200 -c max_locks_per_transaction=256 ${TELCRM_PG_OPTIONS:-}"
}

start() {
  local bin
  bin=$(bindir) || unavailable "initdb not found"
  [[ -x "$bin/pg_ctl" ]] || unavailable "pg_ctl not found in $bin"
  if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    unavailable "running as root, and there is no 'postgres' user to own the cluster"
  fi
  # A cluster a killed run left behind: stop it first.
  if read_state 2>/dev/null && [[ -n "${PGDATA:-}" && -d "${PGDATA:-}" ]]; then stop || true; fi
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/telcrm-pg.XXXXXX")
  chmod 755 "$dir"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
  if ! as_owner "$bin/initdb" -D "$dir/data" -A trust -U telcrm -E UTF8 --locale=C.UTF-8 --no-sync \
      >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    rm -rf "$dir"
    echo "pg_cluster: initdb failed" >&2
    exit 1
  fi
  local port tries=0
  while :; do
    port=$((20000 + RANDOM % 30000))
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "$(server_options "$port" "$dir")" start >/dev/null 2>&1; then
      break
    fi
    tries=$((tries + 1))
    if ((tries >= 8)); then
      cat "$dir/server.log" >&2 || true
      rm -rf "$dir"
      echo "pg_cluster: the server did not start" >&2
      exit 1
    fi
  done
  printf 'PGPORT=%s\nPGDATA=%s\nDIR=%s\nBIN=%s\n' "$port" "$dir/data" "$dir" "$bin" >"$state"
}

stop() {
  read_state || return 0
  [[ -n "${PGDATA:-}" ]] || { rm -f "$state"; return 0; }
  as_owner "$BIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
  rm -f "$state"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  restart)
    read_state
    as_owner "$BIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null
    as_owner "$BIN/pg_ctl" -D "$PGDATA" -l "$DIR/server.log" -w -t 30 \
      -o "$(server_options "$PGPORT" "$DIR")" start >/dev/null
    ;;
  pgctl)
    read_state
    shift 2
    if [[ "${1:-}" == start ]]; then
      as_owner "$BIN/pg_ctl" -D "$PGDATA" -l "$DIR/server.log" -w -t 30 \
        -o "$(server_options "$PGPORT" "$DIR")" start >/dev/null
    else
      as_owner "$BIN/pg_ctl" -D "$PGDATA" "$@" >/dev/null
    fi
    ;;
  password)
    read_state
    user=${3:?usage: pg_cluster.sh password STATE USER}
    hba="$PGDATA/pg_hba.conf"
    as_owner sh -c "{ printf 'host all %s 127.0.0.1/32 scram-sha-256\\n' '$user'; cat '$hba'; } >'$hba.new' && mv '$hba.new' '$hba'"
    as_owner "$BIN/pg_ctl" -D "$PGDATA" reload >/dev/null
    ;;
  *) echo "pg_cluster: unknown command $cmd" >&2; exit 2 ;;
esac
