#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# telcrm in front of a real PBX, on this machine: installs what is missing, builds the tool,
# starts Kamailio (examples/kamailio/kamailio.cfg, unchanged), `telcrm serve` with an SQLite
# CRM (examples/kamailio/demo/) and sipp phones that register and answer, places a short
# burst of calls, and prints what happened to each call as `telcrm demo` tells it. Every
# process runs on 127.0.0.1, is started here and stopped by its PID; nothing outlives the
# script.
#   scripts/pbx-demo.sh              (about 30 s after the build)
#   KEEP=1 scripts/pbx-demo.sh       keeps the logs, the database and the journal
#   TELCRM=build/dev/tools/telcrm/telcrm scripts/pbx-demo.sh   uses that build instead
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

scripts/install-deps.sh
if [[ -n "${TELCRM:-}" ]]; then
  telcrm=$(realpath "$TELCRM")
else
  cmake --preset release >/dev/null
  cmake --build --preset release --target telcrm_cli
  telcrm=$root/build/release/tools/telcrm/telcrm
fi
demo=$root/examples/kamailio/demo
sipp_dir=$root/examples/kamailio/sipp

work=$(mktemp -d /tmp/telcrm-pbx-demo.XXXXXX)
pids=()
groups=()  # process groups to sweep last: Kamailio's (a main killed with -9 leaves its workers)
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  for p in "${groups[@]}"; do kill -9 -- "-$p" 2>/dev/null || true; done
  if [[ -n "${KEEP:-}" ]]; then echo "pbx-demo: logs in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# Free ports on loopback: SIP, HTTP, the voicemail server, five phones, six callers.
read -r -a ports < <(python3 - <<'PY'
import socket
held, ports = [], []
while len(ports) < 14:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    held.append(s)
    ports.append(s.getsockname()[1])
print(" ".join(map(str, ports)))
PY
)
sip=${ports[0]}; http=${ports[1]}; voicemail=${ports[2]}
declare -A phone_port=([100]=${ports[3]} [101]=${ports[4]} [102]=${ports[5]} [103]=${ports[6]})
media=$((20000 + RANDOM % 20000))  # each sipp binds 4 RTP ports from its -mp

sipp_run() {  # sipp_run NAME SCENARIO PORT [sipp arguments…]: in the background, PID in LAST
  local name=$1 scenario=$2 port=$3
  shift 3
  media=$((media + 10))
  (cd "$work" && exec timeout 120 sipp -sf "$sipp_dir/$scenario" -i 127.0.0.1 -p "$port" \
     -mp "$media" -nostdin "$@") >"$work/$name.out" 2>&1 &
  LAST=$!
  pids+=("$LAST")
}

echo "pbx-demo: the CRM (examples/kamailio/demo) in $work/crm.db"
"$telcrm" crm import "$demo/crm.json" --db "$work/crm.db" --settings "$demo/settings.json" --quiet
head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$work/token"
token=$(cat "$work/token")

"$telcrm" serve --settings "$demo/settings.json" --store "sqlite:$work/crm.db" \
  --listen "127.0.0.1:$http" --token-file "$work/token" --timeline \
  >"$work/timeline.txt" 2>"$work/serve.log" &
serve=$!
pids+=("$serve")

mkdir -p "$work/kamailio"
# setsid: Kamailio and its workers in a group of their own (its PID is the group's id), so
# cleanup can stop whatever is left of it.
setsid kamailio -DD -E -f "$root/examples/kamailio/kamailio.cfg" -Y "$work/kamailio" \
  -l "udp:127.0.0.1:$sip" -A "TELCRM_URL=\"http://127.0.0.1:$http\"" \
  -A "TELCRM_TOKEN=\"$token\"" -A "VOICEMAIL_URI=\"sip:voicemail@127.0.0.1:$voicemail\"" \
  >"$work/kamailio.log" 2>&1 &
pids+=("$!")
groups+=("$!")

for _ in $(seq 1 100); do
  curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$http/health" >/dev/null && break
  sleep 0.1
done
sleep 1  # Kamailio's children

echo "pbx-demo: Kamailio on udp:127.0.0.1:$sip, telcrm on http://127.0.0.1:$http"
for ext in 100 101 102 103; do
  media=$((media + 10))
  (cd "$work" && timeout 10 sipp -sf "$sipp_dir/register.xml" -key ext "$ext" -key expires 600 \
     -i 127.0.0.1 -p "${phone_port[$ext]}" -mp "$media" -m 1 -nostdin "127.0.0.1:$sip") \
    >"$work/register-$ext.out" 2>&1 || { echo "pbx-demo: phone $ext did not register"; exit 1; }
done
echo "pbx-demo: phones 100 (reception), 101 (Anna), 102 (Boris), 103 (Vera) registered"

# The phones answer every call they get: Vera after 2 s, Anna and Boris after 1 s.
sipp_run phone-103 phone.xml "${phone_port[103]}" -m 20 -key ring_ms 2000 \
  -key recording "https://recordings.example/vera.wav"
sipp_run phone-101 phone.xml "${phone_port[101]}" -m 20 -key ring_ms 1000 -key recording ""
sipp_run phone-102 phone.xml "${phone_port[102]}" -m 20 -key ring_ms 1000 -key recording ""
sipp_run phone-100 phone.xml "${phone_port[100]}" -m 20 -key ring_ms 500 -key recording ""
sipp_run voicemail voicemail.xml "$voicemail" -m 20 -key voicemail "https://voicemail.example/msg.wav"
sleep 0.5

# The burst: six calls a second apart, overlapping.
calls=(
  "+79161234567 74951234567 Ivan Petrov, a known client: Vera, his responsible"
  "+79031234567 74951234567 someone new: a lead, for whoever answers"
  "89167654321 74951234567 Olga Smirnova while Vera is on the phone: the queue"
  "anonymous 74951234567 a hidden number: routed, never a lead"
  "+79990001122 74951234567 a number on the exception list: routed, CRM untouched"
  "+79161234567 74950000000 Ivan again, on the line that is closed now: voicemail"
)
callers=()
i=0
for call in "${calls[@]}"; do
  read -r from line what <<<"$call"
  i=$((i + 1))
  echo "pbx-demo: call $i: $from → +$line ($what)"
  sipp_run "caller-$i" caller.xml "${ports[$((7 + i))]}" -m 1 -key caller "$from" \
    -key talk_ms 3000 -s "$line" -cid_str "demo-$i-%u" "127.0.0.1:$sip"
  callers+=("$LAST")
  sleep 1
done
failed=0
for p in "${callers[@]}"; do wait "$p" || failed=$((failed + 1)); done
sleep 1
kill "$serve"
wait "$serve" || true

echo
echo "=== What telcrm did, call by call ==="
cat "$work/timeline.txt"
echo "=== The decisions as telcrm logged them ==="
grep -E ' (step|end) ' "$work/serve.log" | cut -d' ' -f2- || true
echo
echo "pbx-demo: $((${#calls[@]} - failed)) of ${#calls[@]} calls completed; the CRM afterwards:"
"$telcrm" crm export --db "$work/crm.db" | python3 -c '
import json, sys
crm = json.load(sys.stdin)
for lead in crm["leads"]:
    print("  lead {id} \"{title}\", responsible {responsible}".format(**lead))
for a in crm["activities"]:
    print("  activity {call}: {subject}, {status}, responsible {responsible}, {duration} s".format(**a),
          a["recording"] or a["voicemail"] or "")
'
[[ $failed -eq 0 ]]
