#!/usr/bin/env bash
# How fast a node that joins has its index, at 1M and 10M stored contacts: builds the bench
# preset's index_join_bench and runs it on one SQLite database per size (made on the first
# run: 10M contacts take minutes and ~2 GB of disk, the index snapshot file ~1.3 GB more).
# With TELCRM_JOIN_BASELINE=<git ref>, the same program built from that commit runs on the
# same databases right after, so "the rebuild of that version" is measured in the same session
# (its rebuild_old_s is the single-threaded rebuild it had).
#
#   bench/index_join_bench.sh
#   TELCRM_JOIN_SIZES=1000000 TELCRM_JOIN_BASELINE=65f76c4 bench/index_join_bench.sh
#   TELCRM_JOIN_DIR=/var/tmp/join TELCRM_JOIN_RUNS=3 bench/index_join_bench.sh
#
# A script, not a CI test: the 10M database alone takes longer than a test should.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${TELCRM_JOIN_DIR:-${TMPDIR:-/tmp}/telcrm-join}
sizes=${TELCRM_JOIN_SIZES:-1000000,10000000}
baseline=${TELCRM_JOIN_BASELINE:-}
runs=${TELCRM_JOIN_RUNS:-1}
jobs=${TELCRM_JOBS:-2}
mkdir -p "$dir"

(cd "$root" && cmake --preset bench >/dev/null &&
  cmake --build build/bench --target index_join_bench -j "$jobs" >/dev/null)
bench=$root/build/bench/bench/index_join_bench

base_bench=
if [ -n "$baseline" ]; then
  src=$dir/baseline-$(git -C "$root" rev-parse --short "$baseline")
  if [ ! -x "$src/build/bench/bench/index_join_bench" ]; then
    rm -rf "$src" && mkdir -p "$src"
    git -C "$root" archive "$baseline" | tar -x -C "$src"
    (cd "$src" && cmake --preset bench >/dev/null &&
      cmake --build build/bench --target index_join_bench -j "$jobs" >/dev/null)
  fi
  base_bench=$src/build/bench/bench/index_join_bench
fi

value() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

IFS=, read -ra list <<<"$sizes"
for n in "${list[@]}"; do
  db=$dir/join-$n.db
  if [ ! -e "$db" ]; then
    free_kb=$(df -Pk "$dir" | awk 'NR == 2 { print $4 }')
    need_kb=$((n * 1))  # ~1 KB a contact: the database, its WAL, the snapshot file, room
    if [ "$free_kb" -lt "$need_kb" ]; then
      echo "index_join_bench.sh: $dir has $((free_kb / 1024)) MiB free, $n contacts need ~$((need_kb / 1024)) MiB" >&2
      exit 1
    fi
  fi
  for run in $(seq 1 "$runs"); do
    echo "== $n contacts, run $run ($db)"
    "$bench" "$db" "$n" | tee "$dir/join-$n.run$run.txt"
    new=$dir/join-$n.run$run.txt
    if [ -n "$base_bench" ]; then
      echo "-- the same database, the baseline ($baseline)"
      "$base_bench" "$db" "$n" | tee "$dir/join-$n.run$run.baseline.txt"
      old=$dir/join-$n.run$run.baseline.txt
      old_cpu=$(value cpu_rebuild_old_s "$old")
      old_wall=$(value rebuild_old_s "$old")
      awk -v oc="$old_cpu" -v ow="$old_wall" \
        -v nc="$(value cpu_rebuild_one_thread_s "$new")" -v nw="$(value rebuild_one_thread_s "$new")" \
        -v pw="$(value rebuild_parallel_s "$new")" -v lc="$(value cpu_snapshot_load_s "$new")" \
        -v lw="$(value snapshot_load_s "$new")" 'BEGIN {
          printf "ratio_cpu_rebuild_baseline_over_one_thread %.2f\n", oc / nc
          printf "ratio_rebuild_baseline_over_one_thread %.2f\n", ow / nw
          printf "ratio_rebuild_baseline_over_parallel %.2f\n", ow / pw
          printf "ratio_cpu_rebuild_baseline_over_snapshot_load %.2f\n", oc / lc
          printf "ratio_rebuild_baseline_over_snapshot_load %.2f\n", ow / lw
        }' | tee -a "$new"
    fi
  done
done
