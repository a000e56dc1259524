#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every fuzz target long (libFuzzer, ASan + UBSan; the fuzz preset), one after the other,
# each from its seeds and the corpus it has grown so far (build/fuzz/fuzz/corpus/<target>).
#   scripts/fuzz.sh [seconds-per-target] [target…]     (default 600 s, every target)
# A finding stops that target and is left as build/fuzz/fuzz/<target>-crash-…; the script
# exits non-zero when any target found something. Executions per target are printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j2
targets=("$@")
((${#targets[@]})) || targets=(phone settings crm scenario outbox pbx http bitrix24 journal snapshot)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=0
summary=()
for t in "${targets[@]}"; do
  echo "=== fuzz ${t}: ${seconds} s"
  log=$(mktemp)
  # Run the target directly (ctest's command line, a longer time).
  cmd=$(ctest --test-dir build/fuzz -R "^fuzz\.${t}$" -N -V | sed -n 's/^[0-9]*: Test command: //p')
  read -r -a argv <<<"$cmd"
  for i in "${!argv[@]}"; do
    [[ "${argv[$i]}" == -max_total_time=* ]] && argv[$i]="-max_total_time=${seconds}"
  done
  if "${argv[@]}" >"$log" 2>&1; then status=ok; else status=FINDING; failed=1; fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  summary+=("${t}: ${status}, ${execs:-?} executions, ${cov:-cov: ?}")
  [[ $status == ok ]] || tail -40 "$log"
  rm -f "$log"
done
printf '%s\n' "${summary[@]}"
exit $failed
