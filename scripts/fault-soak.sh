#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The long fault soak (telcrm/testing/fault_soak.hpp): 100,000 calls through the engine over
# each store while it fails, times out and loses replies, then heals; every promise checked.
#   scripts/fault-soak.sh [calls] [build-dir]     (default 100000, build/dev)
# PostgreSQL: on TELCRM_SOAK_PG (a conninfo of an empty database/schema) when set, else on a
# throwaway cluster (tests/postgres/pg_cluster.sh), skipped with a message without PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-100000}
build=${2:-build/dev}
cmake --build "$build" --target telcrm_fault_soak -j2 >/dev/null
soak="$build/tests/testing/telcrm_fault_soak"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$soak" --calls "$calls" --store memory
"$soak" --calls "$calls" --store "sqlite:$dir/soak.db"
if [[ -n "${TELCRM_SOAK_PG:-}" ]]; then
  "$soak" --calls "$calls" --store "postgres:$TELCRM_SOAK_PG"
else
  # A throwaway cluster of our own (stopped and removed on exit), when PostgreSQL is installed.
  tests/postgres/pg_cluster.sh start "$dir/pg.state"
  trap 'tests/postgres/pg_cluster.sh stop "$dir/pg.state" || true; rm -rf "$dir"' EXIT
  if grep -q '^UNAVAILABLE=' "$dir/pg.state"; then
    echo "fault-soak: PostgreSQL skipped: $(sed -n 's/^UNAVAILABLE=//p' "$dir/pg.state")"
  else
    port=$(sed -n 's/^PGPORT=//p' "$dir/pg.state")
    "$soak" --calls "$calls" --store "postgres:host=127.0.0.1 port=$port dbname=postgres user=telcrm"
  fi
fi
