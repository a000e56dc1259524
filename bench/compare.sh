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
# TELCRM_BENCH_KEEP=DIR keeps every program's JSON results there.
trap 'if [[ -n "${TELCRM_BENCH_KEEP:-}" ]]; then mkdir -p "$TELCRM_BENCH_KEEP"; cp "$results"/*.json "$TELCRM_BENCH_KEEP"/; fi; rm -rf "$results"' EXIT

# run <program> [repetitions]: runs it, keeping the median of every benchmark in
# $results/<program>.json.
run() {
  "$bin/$1" --benchmark_format=json --benchmark_repetitions="${2:-$repetitions}" \
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

# --- sqlite_bench: whole calls through the engine with the SQLite store (WAL, NORMAL) ------
# Prints the slower of the two call kinds in calls/s (the target is >= 5,000 on one core),
# then how many times faster a lookup through the engine's index is than an indexed SQL query.
cmake --build --preset bench -j "$(nproc 2>/dev/null || echo 2)" --target sqlite_bench >/dev/null
run sqlite_bench
python3 - "$results/sqlite_bench.json" <<'PY'
import json, sys
rates = [b["calls_per_second"] for b in json.load(open(sys.argv[1]))["benchmarks"]
         if b.get("aggregate_name") == "median" and "calls_per_second" in b]
print(f"sqlite_calls_per_second {min(rates):.0f}")
PY
report sqlite_bench ratio sqlite_lookup_index_vs_sql \
  sqlite/lookup_sql_phones sqlite/lookup_engine_index
keep_medians sqlite_bench

# --- match_bench: CrmIndex/CrmMatcher vs unordered_map<string> and SQLite, same data ------
# 100k, 1M and 10M stored numbers, half the queries hit (TELCRM_BENCH_SIZES overrides the
# sizes). The ratios and the memory are read at the largest size.
cmake --build --preset bench -j "$(nproc 2>/dev/null || echo 2)" --target match_bench >/dev/null
run match_bench "${MATCH_REPETITIONS:-3}"
python3 - "$results/match_bench.json" <<'PY'
import json, sys
scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
med = {}
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if b.get("aggregate_name") == "median":
        med[b["run_name"]] = b
# run names look like "match/<what>/<size>[/iterations:3]"
med = {"/".join(k.split("/")[:3]): b for k, b in med.items()}
size = max(int(k.split("/")[2]) for k in med)
def t(name):
    b = med[f"match/{name}/{size}"]
    return b["cpu_time"] * scale[b.get("time_unit", "ns")]
print(f"match_vs_sqlite {t('sqlite_lookup') / t('index_lookup'):.1f}")
print(f"match_vs_unordered_map {t('unordered_map_lookup') / t('index_lookup'):.2f}")
print(f"match_bytes_per_number {med[f'match/index_lookup/{size}']['bytes_per_number']:.1f}")
print(f"unordered_map_bytes_per_number {med[f'match/unordered_map_lookup/{size}']['bytes_per_number']:.1f}")
print(f"match_lookup_ns_at_{size} {t('index_lookup'):.1f}")
print(f"match_raw_string_ns_at_{size} {t('match_raw'):.1f}")
print(f"match_build_table_ms_at_{size} {t('build_table') / 1e6:.0f}")
print(f"match_rebuild_from_raw_s_at_{size} {med[f'match/index_lookup/{size}']['rebuild_s']:.2f}")
PY
keep_medians match_bench

# --- engine_bench: whole calls through the CallEngine with the in-memory ports ----------
# Prints the slower of the two call kinds in calls/s (the target is >= 200,000 on one core).
cmake --build --preset bench -j "$(nproc 2>/dev/null || echo 2)" --target engine_bench >/dev/null
run engine_bench
python3 - "$results/engine_bench.json" <<'PY'
import json, sys
rates = {b["run_name"]: b["calls_per_second"] for b in json.load(open(sys.argv[1]))["benchmarks"]
         if b.get("aggregate_name") == "median"}
for name, rate in rates.items():
    print(f"  {name.split('/')[1]:<36} {rate:.0f} calls/s")
print(f"engine_calls_per_second {min(rates.values()):.0f}")
PY
keep_medians engine_bench

# (new blocks go here)

echo "# medians per call"
printf '%s' "$all_medians"
