#!/usr/bin/env bash
# Soak run, not a test: the four services on loopback (access log off), the whole
# chain GET /invoices/<random id> with the tutorial's token driven by wrk at high load for
# DURATION seconds, in 60-s slices. After each slice it prints the slice's requests, errors
# (answers >= 400 plus socket errors) and the resident memory (VmRSS) of each process; at the
# end a verdict: total errors and the largest RSS drift against the first minute.
# Target: 0 errors and every process within 10% of its first-minute RSS.
#   bench/soak.sh                      (DURATION=600)
#   DURATION=180 bench/soak.sh
# Knobs (environment) [default]: DURATION [600]  SLICE_SECONDS [60]  WRK_THREADS [2]
#   WRK_CONNS [50]  BASE_PORT [free ports] (gateway, auth, invoices, expected date: +0..+3)
#   BUILD_DIR [build/release]  SKIP_BUILD [0]  MAX_DRIFT_PCT [10]  LOCK_FILE [/tmp/bench.lock]
#   OUT [/tmp/tim-soak/<timestamp>]
# It holds LOCK_FILE (flock) for the whole run, like the other benchmarks, so that they never
# overlap. Exit status: 0 when the verdict is PASS, 1 otherwise.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

: "${DURATION:=600}"
: "${SLICE_SECONDS:=60}"
: "${WRK_THREADS:=2}"
: "${WRK_CONNS:=50}"
: "${BASE_PORT:=}"
: "${BUILD_DIR:=build/release}"
: "${SKIP_BUILD:=0}"
: "${MAX_DRIFT_PCT:=10}"
: "${LOCK_FILE:=/tmp/bench.lock}"
: "${OUT:=/tmp/tim-soak/$(date +%Y%m%d-%H%M%S)}"
: "${TOKEN:=letmeinpleasekthxbye}"
host=127.0.0.1
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
if [[ -n $BASE_PORT ]]; then
  gw_port=$BASE_PORT auth_port=$((BASE_PORT + 1)) inv_port=$((BASE_PORT + 2)) ed_port=$((BASE_PORT + 3))
  gw_admin_port=$((BASE_PORT + 4))
else
  gw_port=$(free_port) auth_port=$(free_port) inv_port=$(free_port) ed_port=$(free_port)
  gw_admin_port=$(free_port)
fi

for tool in wrk curl flock; do
  command -v $tool >/dev/null || { echo "soak.sh needs $tool" >&2; exit 1; }
done
mkdir -p "$OUT"
log() { printf '[soak %s] %s\n' "$(date +%T)" "$*" >&2; }

if [[ $SKIP_BUILD != 1 ]]; then
  source bench/lib/build.sh
  bench_build . "$BUILD_DIR" Release auth_svc expected_date_svc invoices_svc gateway
fi
bin=$root/$BUILD_DIR/services

names=(gateway auth_svc invoices_svc expected_date_svc)
declare -A pid
cleanup() {
  for name in "${names[@]}"; do
    [[ -n ${pid[$name]:-} ]] && kill -TERM "${pid[$name]}" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap cleanup EXIT

common=(HOST=$host ACCESS_LOG=false LOG_LEVEL=info)
env "${common[@]}" PORT=$ed_port MODEL_FILE=services/expected_date_svc/model/demo-model.json \
  "$bin/expected_date_svc/expected_date_svc" >"$OUT/expected_date_svc.log" 2>&1 &
pid[expected_date_svc]=$!
env "${common[@]}" PORT=$auth_port TOKEN="$TOKEN" "$bin/auth_svc/auth_svc" >"$OUT/auth_svc.log" 2>&1 &
pid[auth_svc]=$!
env "${common[@]}" PORT=$inv_port EXPECTED_DATE_URI=http://$host:$ed_port DATA_DIR="$OUT/data" \
  "$bin/invoices_svc/invoices_svc" >"$OUT/invoices_svc.log" 2>&1 &
pid[invoices_svc]=$!
env "${common[@]}" PORT=$gw_port ADMIN_PORT=$gw_admin_port ROUTES_FILE=kube/overlays/emissary/routes.yaml \
  UPSTREAMS="invoices-svc=$host:$inv_port,auth-svc:3000=$host:$auth_port" \
  "$bin/gateway/gateway" >"$OUT/gateway.log" 2>&1 &
pid[gateway]=$!

for port in $ed_port $auth_port $inv_port $gw_admin_port; do
  for _ in $(seq 200); do curl -fs -o /dev/null "http://$host:$port/readyz" && break; sleep 0.05; done
  curl -fs -o /dev/null "http://$host:$port/readyz" || { log "port $port not ready (logs in $OUT)"; exit 1; }
done
code=$(curl -s -o "$OUT/first.json" -w '%{http_code}' -H "authorization: $TOKEN" "http://$host:$gw_port/invoices/42")
[[ $code == 200 ]] && grep -q expectedDate "$OUT/first.json" ||
  { log "the chain answers $code, not 200 with an expectedDate (logs in $OUT)"; exit 1; }

rss_kb() { awk '$1 == "VmRSS:" {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
alive() { for name in "${names[@]}"; do kill -0 "${pid[$name]}" 2>/dev/null || { log "$name died"; return 1; }; done; }

exec 9>"$LOCK_FILE"
log "waiting for $LOCK_FILE"
flock 9
log "lock held; load $(cut -d' ' -f1-3 /proc/loadavg); $DURATION s, $WRK_CONNS connections, $WRK_THREADS wrk threads; out: $OUT"

printf '%-6s %10s %9s %8s %8s %7s' slice requests req/s p50_ms p99_ms errors
for name in "${names[@]}"; do printf ' %14s' "${name}_MiB"; done
printf '\n'
declare -A first_rss max_drift
total_requests=0 total_errors=0 elapsed=0 slice=0 failed=0
while ((elapsed < DURATION)); do
  seconds=$((DURATION - elapsed < SLICE_SECONDS ? DURATION - elapsed : SLICE_SECONDS))
  slice=$((slice + 1))
  wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${seconds}s" -s bench/lib/soak.lua \
    -H "authorization: $TOKEN" "http://$host:$gw_port/" >"$OUT/wrk-$slice.txt" 2>&1 || true
  elapsed=$((elapsed + seconds))
  line=$(sed -n 's/^SLICE //p' "$OUT/wrk-$slice.txt")
  [[ -n $line ]] || { log "wrk gave no result (see $OUT/wrk-$slice.txt)"; failed=1; break; }
  declare -A r=()
  for kv in $line; do r[${kv%%=*}]=${kv#*=}; done
  errors=$((r[non2xx] + r[socket_errors]))
  total_requests=$((total_requests + r[requests]))
  total_errors=$((total_errors + errors))
  rps=$(awk -v n="${r[requests]}" -v s="${r[seconds]}" 'BEGIN {printf "%.0f", n / s}')
  printf '%-6s %10s %9s %8s %8s %7s' "$slice" "${r[requests]}" "$rps" "${r[p50_ms]}" "${r[p99_ms]}" "$errors"
  for name in "${names[@]}"; do
    kb=$(rss_kb "${pid[$name]}")
    [[ -n ${first_rss[$name]:-} ]] || first_rss[$name]=$kb
    drift=$(awk -v a="$kb" -v b="${first_rss[$name]}" 'BEGIN {d = b > 0 ? 100 * (a - b) / b : 0; if (d < 0) d = -d; printf "%.1f", d}')
    max_drift[$name]=$(awk -v a="$drift" -v b="${max_drift[$name]:-0}" 'BEGIN {print (a > b ? a : b)}')
    printf ' %14s' "$(awk -v k="$kb" 'BEGIN {printf "%.1f", k / 1024}')"
  done
  printf '\n'
  alive || { failed=1; break; }
done
flock -u 9

worst=0 worst_name=-
for name in "${names[@]}"; do
  if awk -v a="${max_drift[$name]:-0}" -v b="$worst" 'BEGIN {exit !(a > b)}'; then
    worst=${max_drift[$name]} worst_name=$name
  fi
done
drifts=$(for name in "${names[@]}"; do printf '%s %s%% ' "$name" "${max_drift[$name]:-0}"; done)
verdict=PASS
((failed == 0 && total_errors == 0)) || verdict=FAIL
awk -v w="$worst" -v m="$MAX_DRIFT_PCT" 'BEGIN {exit !(w > m)}' && verdict=FAIL
echo "VERDICT $verdict: $elapsed s, $total_requests requests, $total_errors errors;" \
  "max RSS drift vs minute 1: $worst% ($worst_name; target <= $MAX_DRIFT_PCT%); per process: $drifts"
[[ $verdict == PASS ]]
