#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The PBX measures of docs/performance.md, in one run (Release, the `bench` preset):
#  1. serve_bench — route answers over HTTP keep-alive, many clients: telcrm vs the same server
#     answering a constant document; latency at 1,000 requests/s;
#  2. sipp through Kamailio (examples/kamailio/kamailio.cfg) at RATE calls/s for DURATION s,
#     twice: with -A STATIC_ROUTING (every call to one extension, telcrm never asked), then with
#     `telcrm serve` (SQLite) routing every call (half known clients, half new callers who each
#     become a lead) to 300 registered extensions. For each: calls placed, failed, and the time
#     from the INVITE to the 180 Ringing (or to the 200, when it overtakes the 180; p50, p99);
#     then what telcrm adds.
# Loopback only; every process is started here and stopped by its PID. Exits non-zero when
# any call failed, in either run (KEEP=1 keeps the logs: sipp's *_errors.log names each).
#   bench/pbx_bench.sh                         RATE=100 DURATION=60
#   RATE=20 DURATION=10 HTTP=0 bench/pbx_bench.sh   a short sipp run only
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
rate=${RATE:-100}
duration=${DURATION:-60}
http=${HTTP:-1}

cmake --preset bench >/dev/null
cmake --build --preset bench --target serve_bench telcrm_cli >/dev/null
telcrm=$root/build/bench/tools/telcrm/telcrm

if [[ "$http" == 1 ]]; then
  echo "== serve_bench (HTTP)"
  "$root/build/bench/bench/serve_bench" --seconds 5 --rounds 3 --clients 16 --rate 1000 \
    --contacts 20000
fi

work=$(mktemp -d /tmp/telcrm-pbx-bench.XXXXXX)
pids=()
groups=()  # Kamailio's process groups: a main killed with -9 leaves its workers behind
stop() {  # stop PID…: SIGTERM, then SIGKILL after 5 s; then sweep what is left of the groups
  local p
  for p in "$@"; do kill "$p" 2>/dev/null || true; done
  for p in "$@"; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  for p in "$@"; do
    [[ " ${groups[*]} " == *" $p "* ]] && { kill -9 -- "-$p" 2>/dev/null || true; }
  done
  return 0
}
cleanup() {
  stop "${pids[@]}"
  if [[ -n "${KEEP:-}" ]]; then echo "pbx_bench: logs in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# The company: 300 employees (extensions 2000–2299) in one queue, a line, 20,000 clients; the
# callers alternate between a client and a new number.
python3 - "$work" "$rate" "$duration" <<'PY'
import json, sys
work, rate, duration = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
staff = [{"id": i, "name": f"Agent {i}", "extension": str(2000 + i)} for i in range(300)]
settings = {"default_region": "RU", "employees": staff,
            "queues": [{"id": "load", "members": [e["id"] for e in staff], "rings": 2}],
            "lines": [{"number": "+74959990000", "queue": "load", "responsible_ring_seconds": 10}]}
crm = {"contacts": [{"id": k + 1, "name": f"Client {k + 1}", "phones": [f"+7916{k:07d}"],
                     "responsible": k % 300} for k in range(20000)]}
json.dump(settings, open(f"{work}/settings.json", "w"))
json.dump(crm, open(f"{work}/crm.json", "w"))
with open(f"{work}/extensions.csv", "w") as f:
    f.write("SEQUENTIAL\n")
    for e in staff: f.write(f"{e['extension']};\n")
with open(f"{work}/callers.csv", "w") as f:
    f.write("SEQUENTIAL\n")
    for n in range(rate * duration):
        f.write(f"+7916{(n * 7919) % 20000:07d};\n" if n % 2 == 0 else f"+7905{n:07d};\n")
PY

read -r -a ports < <(python3 - <<'PY'
import socket
held, ports = [], []
for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM, socket.SOCK_DGRAM, socket.SOCK_DGRAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    held.append(s)
    ports.append(s.getsockname()[1])
print(" ".join(map(str, ports)))
PY
)
sip=${ports[0]}; web=${ports[1]}; phone=${ports[2]}; caller=${ports[3]}
token=bench-token-$RANDOM
echo "$token" >"$work/token"

# run_load static|telcrm: one load run; prints its figures.
run_load() {
  local mode=$1 run="$work/$1" serve="" kam k_args=()
  mkdir -p "$run/kamailio"
  if [[ $mode == telcrm ]]; then
    rm -f "$work/crm.db"*
    "$telcrm" crm import "$work/crm.json" --db "$work/crm.db" --settings "$work/settings.json" --quiet
    "$telcrm" serve --settings "$work/settings.json" --store "sqlite:$work/crm.db" \
      --listen "127.0.0.1:$web" --token-file "$work/token" >"$run/serve.out" 2>&1 &
    serve=$!
    pids+=("$serve")
    # The port opens first; /health is 503 "loading" until the CRM index is built.
    local ready=0
    for _ in $(seq 1 300); do
      curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$web/health" >/dev/null \
        && ready=1 && break
      sleep 0.1
    done
    if [[ $ready != 1 ]]; then echo "pbx_bench: telcrm serve never became ready" >&2; exit 1; fi
  else
    k_args=(-A STATIC_ROUTING)
  fi
  # setsid: Kamailio leads a group of its own (its PID is the group's id) that stop() sweeps.
  setsid kamailio -DD -E -f "$root/examples/kamailio/kamailio.cfg" -Y "$run/kamailio" \
    -l "udp:127.0.0.1:$sip" -A "TELCRM_URL=\"http://127.0.0.1:$web\"" \
    -A "TELCRM_TOKEN=\"$token\"" -A 'FALLBACK_TARGET="2000"' "${k_args[@]}" \
    >"$run/kamailio.out" 2>&1 &
  kam=$!
  pids+=("$kam")
  groups+=("$kam")
  sleep 2
  (cd "$run" && timeout 60 sipp -sf "$root/bench/pbx/register_load.xml" -inf "$work/extensions.csv" \
     -i 127.0.0.1 -p "$phone" -mp 30000 -m 300 -r 300 -nostdin "127.0.0.1:$sip") \
    >"$run/register.out" 2>&1
  (cd "$run" && exec timeout $((duration + 120)) sipp -sf "$root/bench/pbx/phone_load.xml" \
     -i 127.0.0.1 -p "$phone" -mp 30100 -trace_err -nostdin) >"$run/phone.out" 2>&1 &
  local phones=$!
  pids+=("$phones")
  sleep 0.5
  local calls=$((rate * duration))
  (cd "$run" && timeout $((duration + 90)) sipp -sf "$root/bench/pbx/caller_load.xml" \
     -inf "$work/callers.csv" -s 74959990000 -i 127.0.0.1 -p "$caller" -mp 30200 \
     -r "$rate" -m "$calls" -l $((rate * 10)) -recv_timeout 20000 -trace_rtt -rtt_freq 200 \
     -trace_err -nostdin "127.0.0.1:$sip") >"$run/caller.out" 2>&1 || true
  stop "$phones" "$kam"
  [[ -n $serve ]] && stop "$serve"
  python3 - "$run" "$mode" "$calls" <<'PY'
import glob, re, sys
run, mode, calls = sys.argv[1], sys.argv[2], int(sys.argv[3])
screen = open(f"{run}/caller.out", errors="replace").read()
def last(label):
    found = re.findall(label + r"\s*\|\s*\d+\s*\|\s*(\d+)", screen)
    return int(found[-1]) if found else -1
ok, failed = last("Successful call"), last("Failed call")
rtt = []
for path in glob.glob(f"{run}/caller_load_*_rtt.csv"):
    for line in open(path):
        parts = line.strip().split(";")
        if len(parts) >= 2 and parts[1].replace(".", "", 1).isdigit():
            rtt.append(float(parts[1]))
rtt.sort()
q = lambda p: rtt[min(len(rtt) - 1, int(p * len(rtt)))] if rtt else float("nan")
print(f"{mode}: {calls} calls placed, {ok} successful, {failed} failed; INVITE->180 "
      f"p50 {q(0.5):.2f} ms, p99 {q(0.99):.2f} ms, mean {sum(rtt) / max(1, len(rtt)):.2f} ms "
      f"({len(rtt)} samples)")
mean = sum(rtt) / max(1, len(rtt))
open(f"{run}/figures", "w").write(f"{mean} {q(0.99)} {failed}\n")
PY
}

echo "== sipp through Kamailio: $rate calls/s for $duration s"
run_load static
run_load telcrm
# sipp times responses to the millisecond: the means say more than the medians.
read -r smean s99 sf <"$work/static/figures"
read -r tmean t99 tf <"$work/telcrm/figures"
python3 -c "
s, t, s99, t99 = $smean, $tmean, $s99, $t99
print(f'telcrm adds {t - s:.2f} ms to the mean INVITE->180 ({t:.2f} vs {s:.2f} ms: '
      f'{t / max(s, 1e-9):.1f}x), {t99 - s99:.0f} ms at p99')"
# Every call must go through, with telcrm and without it: a failure of the static run is the
# harness's or Kamailio's (sipp's *_errors.log says which call and why; KEEP=1 keeps them).
status=0
if [[ "$sf" != 0 ]]; then echo "pbx_bench: FAILED: $sf static call(s) failed"; status=1; fi
if [[ "$tf" != 0 ]]; then echo "pbx_bench: FAILED: $tf call(s) through telcrm failed"; status=1; fi
exit $status
