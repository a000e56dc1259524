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
# One clang-format for all files (a process per file took half a minute); its diagnostics
# name each file that differs.
if out=$(clang-format --dry-run --Werror "${files[@]}" 2>&1); then
  echo "check-format: ${#files[@]} files formatted"
  exit 0
fi
differing=$(grep -oE '^[^:]+\.(cpp|hpp):[0-9]+:[0-9]+: error' <<<"$out" | cut -d: -f1 | sort -u)
if [[ -z "$differing" ]]; then  # clang-format failed otherwise: show why
  echo "$out" >&2
  exit 1
fi
while read -r f; do
  echo "check-format: $f differs from clang-format (scripts/check-format.sh --fix)"
done <<<"$differing"
exit 1
