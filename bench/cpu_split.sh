#!/usr/bin/env bash
# Where a chain request's server CPU goes, by service and user/kernel: the four services of
# this tree (Release) on loopback, the auth cache on or off, wrk loading GET /invoices/42 (or
# the mix, MIX=1) through the gateway for SECONDS_MEASURED after a warm-up; utime and stime of
# each process from /proc, per request. Holds /tmp/bench.lock while it measures (LOCK=0: not).
#   bench/cpu_split.sh                 AUTH_CACHE_ENTRIES [10000]  PREDICTION_CACHE_ENTRIES [10000]
#                                      BIN [build/release/services]
#   GATEWAY_BIN=/path/gateway bench/cpu_split.sh   (another gateway build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
: "${BIN:=$root/build/release/services}"
: "${GATEWAY_BIN:=$BIN/gateway/gateway}"
: "${AUTH_CACHE_ENTRIES:=10000}"
: "${PREDICTION_CACHE_ENTRIES:=10000}"  # as kube/base/invoices-svc deploys it
: "${SECONDS_MEASURED:=10}"
: "${BASE_PORT:=18880}"
: "${MIX:=0}"
host=127.0.0.1 token=letmeinpleasekthxbye
ed=$BASE_PORT auth=$((BASE_PORT + 1)) inv=$((BASE_PORT + 2)) gw=$((BASE_PORT + 3)) admin=$((BASE_PORT + 4))
work=$(mktemp -d /tmp/tim-cpu-split.XXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
keys=()
for i in $(seq 1 10); do
  keys+=("$("$BIN/auth_svc/auth_svc" keys create --file "$work/keys.json" --name "k$i" \
    --scopes invoices:read,invoices:write | tail -n 1)")
done
env HOST=$host PORT=$ed "$BIN/expected_date_svc/expected_date_svc" >"$work/ed.log" 2>&1 & pids+=($!)
env HOST=$host PORT=$auth TOKEN=$token KEYS_FILE="$work/keys.json" "$BIN/auth_svc/auth_svc" >"$work/auth.log" 2>&1 & pids+=($!)
env HOST=$host PORT=$inv DATA_DIR="$work/data" EXPECTED_DATE_URI=http://$host:$ed \
  PREDICTION_CACHE_ENTRIES="$PREDICTION_CACHE_ENTRIES" \
  "$BIN/invoices_svc/invoices_svc" >"$work/inv.log" 2>&1 & pids+=($!)
for p in $ed $auth $inv; do
  for _ in $(seq 100); do curl -fs -o /dev/null "http://$host:$p/readyz" && break; sleep 0.1; done
done
env HOST=$host PORT=$gw ADMIN_PORT=$admin AUTH_CACHE_ENTRIES="$AUTH_CACHE_ENTRIES" \
  ROUTES_FILE="$root/kube/overlays/emissary/routes.yaml" \
  UPSTREAMS="invoices-svc=$host:$inv,auth-svc:3000=$host:$auth" "$GATEWAY_BIN" >"$work/gw.log" 2>&1 & pids+=($!)
for _ in $(seq 100); do curl -fs -o /dev/null "http://$host:$admin/readyz" && break; sleep 0.1; done
names=(expected_date_svc auth_svc invoices_svc gateway)
ticks() { for p in "${pids[@]}"; do awk '{sub(/^.*\) /, ""); print $12, $13}' "/proc/$p/stat"; done; }
load() {
  if [[ $MIX == 1 ]]; then
    BENCH_KEYS=$(IFS=,; echo "${keys[*]}") wrk -t2 -c50 -d"$1"s --latency -H "authorization: $token" \
      -s "$root/bench/lib/mix.lua" "http://$host:$gw/"
  else
    wrk -t2 -c50 -d"$1"s --latency -H "authorization: $token" "http://$host:$gw/invoices/42"
  fi
}
if [[ ${LOCK:-1} == 1 ]]; then  # LOCK=0: a quick look, not a figure of record
  exec 9>/tmp/bench.lock
  flock 9
fi
echo "load before: $(uptime)"
load 3 >/dev/null
mapfile -t before < <(ticks)
out=$(load "$SECONDS_MEASURED")
mapfile -t after < <(ticks)
echo "load after: $(uptime)"
requests=$(awk '/requests in/{print $1}' <<<"$out")
grep -E "Requests/sec|^ +99%|^BENCH|Non-2xx" <<<"$out"
hz=$(getconf CLK_TCK)
printf '| service | user µs/req | kernel µs/req | total µs/req |\n|---|---:|---:|---:|\n'
tu=0 ts=0
for i in "${!names[@]}"; do
  read -r u0 s0 <<<"${before[i]}"
  read -r u1 s1 <<<"${after[i]}"
  awk -v n="${names[i]}" -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v r="$requests" -v hz="$hz" \
    'BEGIN{printf "| %s | %.1f | %.1f | %.1f |\n", n, u/hz*1e6/r, s/hz*1e6/r, (u+s)/hz*1e6/r}'
  tu=$((tu + u1 - u0)) ts=$((ts + s1 - s0))
done
awk -v u=$tu -v s=$ts -v r="$requests" -v hz="$hz" \
  'BEGIN{printf "| all four | %.1f | %.1f | %.1f |\n", u/hz*1e6/r, s/hz*1e6/r, (u+s)/hz*1e6/r}'
curl -s "http://$host:$admin/metrics" | grep '^gateway_auth_cache_lookups_total' || true
