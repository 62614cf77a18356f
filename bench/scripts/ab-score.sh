#!/usr/bin/env bash
# Side-by-side: server CPU per /score request and req/s, old build (before the policy layer) vs new, alternating.
set -u
tips=$(cd "$(dirname "$0")/../.." && python3 -c "
import json; t=json.load(open('src/Silo/Storage/seed-tips.json')); ids=[x['tip_id'] for x in (t if isinstance(t,list) else t['tips'])][:50]; print(','.join('\"'+i+'\"' for i in ids))")
cat > /tmp/score.lua <<LUA
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/score", {["Content-Type"]="application/json"}, '{"user_id":"ab-u-' .. (n % 200) .. '","candidates":[$tips]}')
end
LUA
run() { # dir label
  data=$(mktemp -d)
  (cd $1 && ACTORS_DATA_DIR=$data Orleans__Dashboard=false Orleans__SiloPort=11191 Orleans__GatewayPort=30191 \
    dotnet src/Gateway/bin/Release/net10.0/Actors.Gateway.dll --urls http://127.0.0.1:5191 >$data/log 2>&1 &)
  for _ in $(seq 1 60); do curl -sf http://127.0.0.1:5191/health/ready >/dev/null && break; sleep 1; done
  pid=$(pgrep -f "urls http://127.0.0.1:5191" | head -1)
  wrk -t1 -c32 -d5s -s /tmp/score.lua http://127.0.0.1:5191 >/dev/null
  t0=$(awk '{print $14+$15}' /proc/$pid/stat)
  out=$(wrk -t1 -c32 -d15s -s /tmp/score.lua http://127.0.0.1:5191)
  t1=$(awk '{print $14+$15}' /proc/$pid/stat)
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  tck=$(getconf CLK_TCK)
  echo "$2 req/s=$rps cpu_us_per_req=$(python3 -c "print(round(($t1-$t0)/$tck*1e6/$reqs,1))")"
  kill $pid; sleep 2; rm -rf $data
}
# Usage: bench/scripts/ab-score.sh OLD_CHECKOUT NEW_CHECKOUT (each built with dotnet build -c Release src/Gateway)
for round in 1 2; do run "$1" before; run "$2" after; done
