#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sets up and runs the main demo: installs dependencies, builds the release tool, runs it.
# The demo proper is `telcrm demo`: a working day of calls replayed through the engine and
# told call by call; a short look at number reading comes first.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --runtime
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc 2>/dev/null || echo 2)" --target telcrm_cli
tool=build/release/examples/telcrm/telcrm

echo "telcrm reads numbers the way people, CRMs and PBXes write them:"
"$tool" normalize --region RU "+7 (916) 123-45-67" "8 (916) 123-45-67" "79161234567" \
  "8-800-555-35-35" "+7 495 123-45-67 доб. 101" "7.91612E+10" "112"
"$tool" normalize --region DE "0049 30 1234567" "030 1234567" "+49 (0)30 98765432"
echo

# The day: ~30 calls on four lines (examples/demo/README.md tells what each group shows).
# Extra arguments go to `telcrm demo`, e.g. scripts/demo.sh --calls 5 or --color never.
"$tool" demo "$@"
