#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the `bench` preset, runs the benchmarks with repetitions and prints one line per
# comparison, `<comparison> <ratio>` (how many times faster telcrm is than the baseline, on
# median CPU time), then the absolute medians. Each benchmark program is one small block at
# the end of this file; add yours the same way.
#   bench/compare.sh              (REPETITIONS=10 by default)
set -euo pipefail
cd "$(dirname "$0")/.."

repetitions=${REPETITIONS:-10}
programs=(phone_bench)  # every block's program, built before anything runs

cmake --preset bench >/dev/null
cmake --build --preset bench -j "$(nproc 2>/dev/null || echo 2)" --target "${programs[@]}" >/dev/null
bin=build/bench/bench
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

# run <program>: runs it, keeping the median of every benchmark in $results/<program>.json.
run() {
  "$bin/$1" --benchmark_format=json --benchmark_repetitions="$repetitions" \
    --benchmark_report_aggregates_only=true >"$results/$1.json"
}

# report <program> <command> <args…>: the small Python helper below, on a program's results.
#   ratio <comparison> <baseline benchmark> <telcrm benchmark>  → "<comparison> <ratio>"
#   max <label> <regex>      → "<label> <slowest median of the matching benchmarks, in ns>"
#   medians                  → every median, in ns
report() {
  python3 - "$results/$1.json" "${@:2}" <<'PY'
import json, re, sys

path, command, *args = sys.argv[1:]
scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
medians = {}
for b in json.load(open(path))["benchmarks"]:
    if b.get("aggregate_name") == "median":
        medians[b["run_name"]] = b["cpu_time"] * scale[b.get("time_unit", "ns")]

def ns(value):
    return f"{value:.1f} ns" if value < 1e4 else f"{value / 1e3:.2f} us"

if command == "ratio":
    name, baseline, ours = args
    print(f"{name} {medians[baseline] / medians[ours]:.1f}")
elif command == "max":
    label, pattern = args
    worst = max(v for k, v in medians.items() if re.search(pattern, k))
    print(f"{label} {worst:.1f}")
elif command == "medians":
    for name, value in medians.items():
        print(f"  {name:<48} {ns(value):>12}")
PY
}

# keep_medians <program>: its absolute medians, printed after every ratio.
all_medians=""
keep_medians() {
  all_medians+="$1:"$'\n'"$(report "$1" medians)"$'\n'
}

echo "# ratios: telcrm is N times faster (median CPU time, ${repetitions} repetitions)"

# --- phone_bench: PhoneNormalizer vs libphonenumber Parse + Format(E164) ------------------
run phone_bench
report phone_bench ratio normalize_vs_libphonenumber \
  BM_libphonenumber_parse_format_mixed BM_telcrm_normalize_mixed
report phone_bench ratio normalize_vs_libphonenumber_4000_chars \
  BM_libphonenumber_parse_format_4000_chars BM_telcrm_normalize_4000_chars
report phone_bench max normalize_worst_case_250_chars_ns 'BM_telcrm_normalize_worst_250'
keep_medians phone_bench

# --- routing_bench: RoutingPolicy, full routes through a 10-member queue ------------------
# Prints the slowest median steps/s over every distribution (the target is >= 5 million).
cmake --build --preset bench -j "$(nproc 2>/dev/null || echo 2)" --target routing_bench >/dev/null
run routing_bench
python3 - "$results/routing_bench.json" <<'PY'
import json, sys
rates = [b["steps_per_second"] for b in json.load(open(sys.argv[1]))["benchmarks"]
         if b.get("aggregate_name") == "median"]
print(f"routing_steps_per_second {min(rates):.0f}")
PY
keep_medians routing_bench

# (new blocks go here)

echo "# medians per call"
printf '%s' "$all_medians"
