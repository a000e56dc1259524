#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Peak memory of `telcrm replay` against the number of calls: generated scenarios of 1,000 and
# 60,000 calls (the office of tests/scenarios/28, unknown and known callers, answered and
# missed), each replayed under /usr/bin/time -v; prints peak RSS and the growth per call.
#   bench/replay_memory.sh [telcrm] [small] [large]   (default build/dev/tools/telcrm/telcrm 1000 60000)
set -euo pipefail
cd "$(dirname "$0")/.."
telcrm=${1:-build/dev/tools/telcrm/telcrm}
small=${2:-1000}
large=${3:-60000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
gen() {
  python3 - "$1" >"$2" <<'PY'
import json, sys
n = int(sys.argv[1])
s = json.load(open("tests/scenarios/28-transfer-setting.json"))
s["name"] = f"{n} generated calls"
calls = []
for i in range(n):
    t = 1795989600 + 20 * i  # 2026-11-30 … every 20 s
    at = __import__("datetime").datetime.utcfromtimestamp(t).strftime("%Y-%m-%dT%H:%M:%SZ")
    c = {"id": f"g{i}", "direction": "incoming", "line": "+74951110002",
         "from": f"+7 903 {i % 5000:07d}" if i % 3 else "+7 916 000-00-40", "at": at}
    if i % 4:
        c["answers"] = [2]
        c["duration"] = 30
    calls.append(c)
s["calls"] = calls
json.dump(s, sys.stdout)
PY
}
peak() {  # peak RSS in KB of: telcrm replay FILE
  /usr/bin/time -v "$telcrm" replay "$1" 2>"$dir/time" >/dev/null
  sed -n 's/.*Maximum resident set size (kbytes): //p' "$dir/time"
}
gen "$small" "$dir/small.json"
gen "$large" "$dir/large.json"
a=$(peak "$dir/small.json")
b=$(peak "$dir/large.json")
per=$(( (b - a) * 1024 / (large - small) ))
echo "replay peak RSS: ${small} calls ${a} KB, ${large} calls ${b} KB: ${per} bytes per call"
