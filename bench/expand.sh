#!/usr/bin/env bash
# What a 500-invoice page costs with and without expand=expectedDate, and one forecast:
# expected_date_svc (demo model) + invoices_svc (SQLite, the tutorial's 1,000 demo invoices)
# started here, then wrk (1 thread, 4 connections, 5 s) on each URL, straight to invoices_svc:
#   plain         GET /api/invoices?limit=500
#   expand        GET /api/invoices?limit=500&expand=expectedDate (prediction cache on, warm)
#   expand, cold  the same with PREDICTION_CACHE_ENTRIES=0: one batch call per page
#   forecast      GET /api/forecast?from=…&to=…&bucket=week (cache on)
# Holds /tmp/bench.lock; prints `uptime` before each run.
#   bench/expand.sh            (BIN_DIR default build/test/services)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
: "${BIN_DIR:=build/test/services}"
: "${SECONDS_PER_RUN:=5}"
: "${BASE_PORT:=18790}"
inv_port=$BASE_PORT ed_port=$((BASE_PORT + 1))
work=$(mktemp -d /tmp/tim-expand.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

wait_ready() { for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/readyz" >/dev/null && return; sleep 0.1; done; echo "port $1 not ready" >&2; exit 1; }

start_invoices() {  # $1: PREDICTION_CACHE_ENTRIES
  DATA_DIR=$work/data PORT=$inv_port LOG_LEVEL=error PREDICTION_CACHE_ENTRIES=$1 \
    EXPECTED_DATE_URI=http://127.0.0.1:$ed_port "$BIN_DIR/invoices_svc/invoices_svc" >"$work/inv.log" 2>&1 &
  inv_pid=$!
  pids+=("$inv_pid")
  wait_ready $inv_port
}

run() {  # $1: name, $2: path
  local url="http://127.0.0.1:$inv_port$2"
  curl -sf "$url" >/dev/null  # warm (and fills the cache when it is on)
  printf '%-14s load: %s\n' "$1" "$(uptime | sed 's/.*load average: //')"
  wrk -t1 -c4 -d"${SECONDS_PER_RUN}s" --latency "$url" |
    awk -v name="$1" '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
         END {printf "%-14s %8s req/s  p50 %8s  p99 %8s\n", name, rps, p50, p99}'
}

PORT=$ed_port LOG_LEVEL=error MODEL_FILE=services/expected_date_svc/model/demo-model.json \
  "$BIN_DIR/expected_date_svc/expected_date_svc" >"$work/ed.log" 2>&1 &
pids+=("$!")
wait_ready $ed_port
start_invoices 10000
open=$(curl -sf "http://127.0.0.1:$inv_port/api/invoices?status=open&limit=500" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["invoices"]))')
echo "page: 500 invoices, $open of the first 500 open ones listed by status=open"
today=$(date -u +%F)
to=$(date -u -d '+12 weeks' +%F)
exec 9>/tmp/bench.lock
flock -w 900 9 || { echo "bench.lock busy for 15 min" >&2; exit 1; }
run "plain" "/api/invoices?limit=500"
run "expand" "/api/invoices?limit=500&expand=expectedDate"
run "forecast" "/api/forecast?from=$today&to=$to&bucket=week"
kill "$inv_pid"; wait "$inv_pid" 2>/dev/null || true
start_invoices 0
run "expand, cold" "/api/invoices?limit=500&expand=expectedDate"
run "forecast,cold" "/api/forecast?from=$today&to=$to&bucket=week"
