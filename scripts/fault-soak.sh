#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The long fault soak (telcrm/testing/fault_soak.hpp): 100,000 calls through the engine over
# each store while it fails, times out and loses replies, then heals; every promise checked.
#   scripts/fault-soak.sh [calls] [build-dir]     (default 100000, build/dev)
# PostgreSQL runs when TELCRM_SOAK_PG names a conninfo of an empty database/schema.
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
  echo "fault-soak: PostgreSQL skipped (set TELCRM_SOAK_PG to a conninfo)"
fi
