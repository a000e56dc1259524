#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sets up and runs the main demo: installs dependencies, builds the release tool, runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --runtime
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc 2>/dev/null || echo 2)" --target telcrm_cli
tool=build/release/examples/telcrm/telcrm

echo "telcrm reads numbers the way people, CRMs and PBXes write them:"
"$tool" normalize --region RU "+7 (916) 123-45-67" "8 (916) 123-45-67" "79161234567" \
  "8-800-555-35-35" "810 49 30 1234567" "+7 495 123-45-67 доб. 101" "tel:+7-916-123-45-67" \
  "'+79161234567" "79161234567.0" "7.91612E+10" "112"
"$tool" normalize --region DE "0049 30 1234567" "030 1234567" "+49 (0)30 98765432" \
  "\"Kundendienst\" <sip:+4930123456@pbx.example;user=phone>" "030 1234567 Durchwahl 12"
"$tool" normalize --region US "(212) 555-1234" "1-800-FLOWERS" "011 44 20 7946 0018" "911"
