#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fails when a C++ file differs from what clang-format (.clang-format) makes of it.
# The generated region table (phone/detail/region_table.inc) is left as its generator writes it.
#   scripts/check-format.sh        check
#   scripts/check-format.sh --fix  reformat in place
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
if [[ "${1:-}" == "--fix" ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
bad=0
for f in "${files[@]}"; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "check-format: $f differs from clang-format (scripts/check-format.sh --fix)"
    bad=1
  fi
done
((bad == 0)) && echo "check-format: ${#files[@]} files formatted"
exit $bad
