#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# kill -9 under load, long: `telcrm serve` on SQLite behind Kamailio with sipp calling, killed
# with SIGKILL at random moments and restarted (tests/pbx/e2e/kill9.py; CI runs 3 kills).
#   scripts/kill9.sh [kills] [seed] [build-dir]     (default 20, 1, build/dev)
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-20}
seed=${2:-1}
build=${3:-build/dev}
cmake --build "$build" --target telcrm_cli -j2 >/dev/null
exec python3 tests/pbx/e2e/kill9.py --telcrm "$build/tools/telcrm/telcrm" \
  --config examples/kamailio/kamailio.cfg --kills "$kills" --seed "$seed"
