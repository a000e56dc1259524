#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sets up and runs the main demo: installs dependencies, builds the release tool, then
#   1. generates a CRM of ~10^5 contacts and companies into demo/crm.db (first run only; a
#      progress bar shows it), with numbers from several countries written every way people
#      write them, some shared by two records and some junk;
#   2. replays a working day of 1,200 calls against it through the engine and the SQLite
#      store, and prints the first calls call by call and the summary of the day.
# A second run reuses demo/crm.db and replays the next day. Extra arguments go to
# `telcrm demo`: e.g. scripts/demo.sh --calls 10, --color never, --contacts 20000.
# The small bundled day (about 30 calls that show every rule) is `telcrm demo` without --db.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --runtime
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc 2>/dev/null || echo 2)" --target telcrm_cli
tool=build/release/tools/telcrm/telcrm

mkdir -p demo
"$tool" demo --db demo/crm.db "$@"
