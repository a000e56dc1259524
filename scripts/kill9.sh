#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# kill -9 under load, long: `telcrm serve` behind Kamailio with sipp calling, killed with
# SIGKILL at random moments and restarted (tests/pbx/e2e/kill9.py; CI runs 3 kills per store):
# on SQLite, then on PostgreSQL (a throwaway cluster, tests/postgres/pg_cluster.sh).
#   scripts/kill9.sh [kills] [seed] [build-dir] [stores]   (default 20, 1, build/dev, "sqlite postgres")
set -uo pipefail
cd "$(dirname "$0")/.."
kills=${1:-20}
seed=${2:-1}
build=${3:-build/dev}
stores=${4:-sqlite postgres}
cmake --build "$build" --target telcrm_cli -j2 >/dev/null || exit 1
rc=0
for store in $stores; do
  python3 tests/pbx/e2e/kill9.py --telcrm "$build/tools/telcrm/telcrm" \
    --config examples/kamailio/kamailio.cfg --kills "$kills" --seed "$seed" --store "$store"
  code=$?
  echo "kill9 $store: exit $code"
  # 77: skipped (kamailio, sipp or PostgreSQL missing outside CI); any other failure counts.
  [[ $code -eq 0 || $code -eq 77 ]] || rc=1
done
exit $rc
