#!/usr/bin/env bash
# Runs the HTTP benchmarks of docs/benchmarks.md side by side against one fresh Release build of the
# service on loopback: ping vs /score vs the stateless baseline, p99 at half the maximum rate, and
# /feedback single and batched. Needs curl; uses wrk for a second opinion when it is installed.
# Usage: bench/scripts/http-suite.sh [duration, default 15s]
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-15s}
port=5190
url=http://127.0.0.1:$port
data=$(mktemp -d)
users=200

dotnet build -c Release src/Gateway >/dev/null
dotnet build -c Release bench/Actors.Bench >/dev/null
bench=bench/Actors.Bench/bin/Release/net10.0/Actors.Bench

start_service() {
  ACTORS_DATA_DIR=$data Gateway__BenchEndpoints=true Orleans__Dashboard=false Orleans__SiloPort=11190 Orleans__GatewayPort=30190 \
    Snapshots__Interval=${1:-00:00:30} dotnet src/Gateway/bin/Release/net10.0/Actors.Gateway.dll --urls $url >"$data/service.log" 2>&1 &
  service=$!
  for _ in $(seq 1 60); do curl -sf $url/health/ready >/dev/null && return; sleep 1; done
  echo "the service did not start" >&2; exit 1
}
stop_service() { kill "$service"; wait "$service" 2>/dev/null || true; }
trap 'kill $service 2>/dev/null || true; rm -rf "$data"' EXIT

# 1. Give each benchmark user learned state and snapshots (short snapshot interval), so the stateless
#    baseline reads real profile and bandit rows: five rewarded decisions per user.
start_service 00:00:01
tips=$(curl -s $url/tips | grep -o '"tip_id":"[^"]*"' | head -50 | sed 's/"tip_id"://' | paste -sd, -)
for round in 1 2 3 4 5; do
  for u in $(seq 0 $((users - 1))); do
    answer=$(curl -s $url/score -H 'content-type: application/json' -d "{\"user_id\":\"bench-u-$u\",\"candidates\":[$tips]}")
    request=$(echo "$answer" | sed 's/.*"request_id":"\([^"]*\)".*/\1/')
    chosen=$(echo "$answer" | sed 's/.*"chosen_tip_id":"\([^"]*\)".*/\1/')
    kind=$([[ $chosen == focus* || $chosen == sleep* ]] && echo complete || echo dismiss)
    curl -s $url/feedback -H 'content-type: application/json' \
      -d "{\"event_id\":\"seed-$round-$u\",\"user_id\":\"bench-u-$u\",\"tip_id\":\"$chosen\",\"kind\":\"$kind\",\"request_id\":\"$request\"}" >/dev/null
  done
done
sleep 3
stop_service

# 2. The measurements, on the default snapshot interval.
start_service
echo "== /score vs ping vs stateless baseline ($users warm users, 50 catalog candidates)"
$bench load --url $url --compare ping,score,score-stateless --users $users --warm --half-rate -c 32 -d "$duration" --warmup 5s
echo "== /feedback, one event per request"
$bench load --url $url --path feedback --users 1000 -c 64 -d "$duration" --warmup 3s
echo "== /feedback, batches of 100 events spread over 100 users"
$bench load --url $url --path feedback --users 1000 --batch 100 -c 16 -d "$duration" --warmup 3s
echo "== /feedback, batches of 100 events from 10 users (10 each)"
$bench load --url $url --path feedback --users 1000 --batch 100 --per-user 10 -c 16 -d "$duration" --warmup 3s

if command -v wrk >/dev/null; then
  echo "== wrk (a C load generator: less client CPU on the shared cores)"
  lua=$(mktemp -d)
  cat >"$lua/ping.lua" <<LUA
local n = 0
request = function() n = n + 1; return wrk.format("GET", "/bench/ping?user_id=bench-u-" .. (n % $users)) end
LUA
  cat >"$lua/score.lua" <<LUA
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/score", {["Content-Type"]="application/json"}, '{"user_id":"bench-u-' .. (n % $users) .. '","candidates":[$tips]}')
end
LUA
  sed 's|"/score"|"/bench/score-stateless"|' "$lua/score.lua" >"$lua/stateless.lua"
  cat >"$lua/feedback.lua" <<'LUA'
local n = 0
local kinds = {"view", "view", "view", "complete", "dismiss"}
local run = tostring(os.time())
request = function()
  n = n + 1
  return wrk.format("POST", "/feedback", {["Content-Type"]="application/json"},
    string.format('{"event_id":"wrk-%s-%d","user_id":"bench-u-%d","tip_id":"sleep-01","kind":"%s","dwell_ms":1200}', run, n, n % 1000, kinds[(n % 5) + 1]))
end
LUA
  for script in ping score stateless; do
    echo "-- $script"; wrk -t1 -c32 -d"$duration" -s "$lua/$script.lua" $url | grep -E "Latency|Requests/sec|Non-2xx"
  done
  echo "-- feedback (one event per request, 64 connections)"; wrk -t1 -c64 -d"$duration" -s "$lua/feedback.lua" $url | grep -E "Latency|Requests/sec|Non-2xx"
  rm -rf "$lua"
fi
stop_service
