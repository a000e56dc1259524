#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Regenerates include/telcrm/phone/detail/region_table.inc from the installed libphonenumber
# (Debian: libphonenumber-dev), through its public API. Takes about a minute.
#   tools/region_table/regenerate.sh [--depth N] [--samples N]
set -euo pipefail
cd "$(dirname "$0")/../.."

build=build/region-table
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTELCRM_BUILD_REGION_TABLE_TOOL=ON \
  -DTELCRM_BUILD_TESTS=OFF -DTELCRM_BUILD_EXAMPLES=OFF -DTELCRM_PACKAGING_TESTS=OFF \
  -DTELCRM_WITH_JSON=OFF -DTELCRM_WITH_SQLITE=OFF >/dev/null
cmake --build "$build" --target telcrm_gen_region_table
source="libphonenumber $(dpkg-query -W -f '${Version}' libphonenumber-dev 2>/dev/null || echo '(version unknown)')"
"$build/tools/telcrm_gen_region_table" include/telcrm/phone/detail/region_table.inc \
  --source "$source" "$@"
