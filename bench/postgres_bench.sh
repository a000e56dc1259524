#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The PostgreSQL store's figures: builds postgres_bench and sqlite_bench (the `bench` preset),
# starts a throwaway cluster with fsync on (tests/postgres/pg_cluster.sh, TELCRM_PG_SYNC=on),
# and runs postgres_bench twice — durable commits (synchronous_commit on), then
# synchronous_commit off — and sqlite_bench's known-client call beside them. Prints every
# median and the group-commit ratios; stops and removes the cluster.
#   bench/postgres_bench.sh              (REPETITIONS=5 by default; the repetitions of the
#                                         benchmarks are interleaved at random, so a slow spell
#                                         of the machine does not fall on one side of a ratio)
#   BENCH_BIN=DIR bench/postgres_bench.sh   runs the programs in DIR (another build, e.g. the
#                                           commit before) instead of building
set -euo pipefail
cd "$(dirname "$0")/.."

repetitions=${REPETITIONS:-5}
bin=${BENCH_BIN:-build/bench/bench}
if [[ -z "${BENCH_BIN:-}" ]]; then
  cmake --preset bench >/dev/null
  cmake --build --preset bench -j "$(nproc 2>/dev/null || echo 2)" --target postgres_bench sqlite_bench >/dev/null
fi
work=$(mktemp -d)
state="$work/cluster.state"
trap 'bash tests/postgres/pg_cluster.sh stop "$state"; rm -rf "$work"' EXIT
TELCRM_PG_SYNC=on CI=1 bash tests/postgres/pg_cluster.sh start "$state"
# shellcheck disable=SC1090
source "$state"
psql_bin="$BIN/psql"
"$psql_bin" -X -q -h 127.0.0.1 -p "$PGPORT" -U telcrm -d postgres -c "CREATE DATABASE bench_on" -c "CREATE DATABASE bench_off"

run() {  # run <label> <database> <sync>
  TELCRM_BENCH_PG="host=127.0.0.1 port=$PGPORT user=telcrm dbname=$2" TELCRM_BENCH_PG_SYNC=$3 \
    "$bin/postgres_bench" --benchmark_repetitions="$repetitions" --benchmark_enable_random_interleaving=true \
    --benchmark_report_aggregates_only=true --benchmark_format=json >"$work/$1.json"
}
run durable bench_on on
run relaxed bench_off off
"$bin/sqlite_bench" --benchmark_filter='known_client_answered' --benchmark_repetitions="$repetitions" \
  --benchmark_report_aggregates_only=true --benchmark_format=json >"$work/sqlite.json"

python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
def medians(name):
    out = {}
    for b in json.load(open(f"{work}/{name}.json"))["benchmarks"]:
        if b.get("aggregate_name") == "median" and "calls_per_second" in b:
            out[b["run_name"]] = b["calls_per_second"]
    return out
for label in ("durable", "relaxed"):
    m = medians(label)
    print(f"== {label} ({'synchronous_commit=on, fsync on' if label == 'durable' else 'synchronous_commit=off'})")
    for name in sorted(m):
        print(f"{name:45s} {m[name]:10.0f} calls/s")
    def find(kind, way, threads):
        return next((v for k, v in m.items()
                     if k.startswith(f"postgres/{kind}/{way}/") and k.endswith(f"/threads:{threads}")), None)
    for kind in ("known", "unknown"):
        for threads in (1, 4):
            g = find(kind, "group", threads)
            n = find(kind, "naive", threads)
            if g and n:
                print(f"postgres_{label}_{kind}_group_vs_naive_{threads}_nodes {g / n:.1f}")
s = medians("sqlite")
for name in sorted(s):
    print(f"{name:45s} {s[name]:10.0f} calls/s (SQLite, WAL, synchronous=NORMAL, one thread)")
PY
