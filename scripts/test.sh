#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sets up and runs every test: installs dependencies, then for each configuration
# configures, builds and runs ctest.
#   scripts/test.sh           dev (GCC, -Werror) · asan (ASan+UBSan) · tsan (concurrency) · clang
#                             · fuzz (libFuzzer targets, label fuzz, ~20 s each)
#   scripts/test.sh dev asan  only the named configurations
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
presets=("$@")
((${#presets[@]})) || presets=(dev asan tsan clang fuzz)
jobs=$(nproc 2>/dev/null || echo 2)

for preset in "${presets[@]}"; do
  echo "=== ${preset}: configure, build, test"
  start=$SECONDS
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  ctest --preset "$preset" -j "$jobs"
  echo "=== ${preset}: passed in $((SECONDS - start)) s"
done
