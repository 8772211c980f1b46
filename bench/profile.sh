#!/usr/bin/env bash
# Profile of the full chain (client -> gateway -> auth_svc, invoices_svc -> expected_date_svc) by
# instruction counts, which stay repeatable on a busy machine where timings do not:
#   1. for each service in turn, that service runs under valgrind's callgrind while the others run
#      normally; wrk loads /invoices/42 through the gateway; callgrind's counters are zeroed after
#      a warm-up and dumped after the measured run, and the service's own http_requests_total
#      (GET /metrics, before and after) says how many requests it answered meanwhile. Prints
#      instructions per request per service and its top functions (self and inclusive, per
#      request), and keeps the callgrind files (callgrind_annotate / kcachegrind them).
#   2. with PERF=1 (default), `perf record -g` of all four services (native speed, kernel
#      included) under the same load: a report by symbol and folded stacks (flamegraph.pl input)
#      plus a flame graph SVG drawn by bench/lib/flamegraph.py.
# Usage:  bench/profile.sh                       (all four services, then perf)
#         SERVICES="gateway" PERF=0 bench/profile.sh     (SERVICES="": perf only)
# Knobs: SECONDS_MEASURED [15] (wrk run under callgrind), CONNS [16], TOP [15], BUILD_DIR
#        [build/prof: -O2 -g -fno-omit-frame-pointer], OUT [/tmp/tim-profile/<time>], BASE_PORT
#        [18570], SERVICE_ENV (extra VAR=value for every service, e.g. ACCESS_LOG=false).
# Takes /tmp/bench.lock only for the perf part (callgrind counts do not care about other load).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

: "${SERVICES=gateway auth_svc invoices_svc expected_date_svc}"
: "${SECONDS_MEASURED:=15}"
: "${WARMUP_SECONDS:=3}"
: "${CONNS:=16}"
: "${TOP:=15}"
: "${PERF:=1}"
: "${PERF_SECONDS:=10}"
: "${BUILD_DIR:=build/prof}"
: "${BASE_PORT:=18570}"
: "${OUT:=/tmp/tim-profile/$(date +%Y%m%d-%H%M%S)}"
: "${SERVICE_ENV:=}"
host=127.0.0.1 token=letmeinpleasekthxbye
declare -A port=([gateway]=$BASE_PORT [auth_svc]=$((BASE_PORT + 1))
                 [invoices_svc]=$((BASE_PORT + 2)) [expected_date_svc]=$((BASE_PORT + 3)))
url="http://$host:${port[gateway]}/invoices/42"

for tool in valgrind.bin callgrind_annotate callgrind_control wrk curl python3; do
  command -v $tool >/dev/null || { echo "profile.sh needs $tool (apt-get install valgrind wrk curl; linux-perf for PERF=1)" >&2; exit 1; }
done
log() { printf '[profile %s] %s\n' "$(date +%T)" "$*" >&2; }
mkdir -p "$OUT"

source bench/lib/build.sh
bench_build . "$BUILD_DIR" profile auth_svc expected_date_svc invoices_svc gateway
bin=$root/$BUILD_DIR/services

pids=()
declare -A pid_of
stop_all() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
trap stop_all EXIT

# start_chain [service-under-callgrind]
start_chain() {
  local profiled=${1:-} data svc
  data=$(mktemp -d "$OUT/data.XXXX")
  local -A cmd=(
    [expected_date_svc]="$bin/expected_date_svc/expected_date_svc"
    [auth_svc]="$bin/auth_svc/auth_svc"
    [invoices_svc]="$bin/invoices_svc/invoices_svc"
    [gateway]="$bin/gateway/gateway")
  for svc in expected_date_svc auth_svc invoices_svc gateway; do
    local wrap=()
    [[ $svc == "$profiled" ]] && wrap=(valgrind.bin --tool=callgrind --dump-instr=no
      --callgrind-out-file="$OUT/callgrind.$svc.out" --collect-atstart=yes)
    env $SERVICE_ENV HOST=$host PORT=${port[$svc]} ADMIN_PORT=$(ops_port gateway) TOKEN=$token DATA_DIR="$data" \
      EXPECTED_DATE_URI="http://$host:${port[expected_date_svc]}" \
      ROUTES_FILE="$root/kube/overlays/emissary/routes.yaml" \
      UPSTREAMS="invoices-svc=$host:${port[invoices_svc]},auth-svc:3000=$host:${port[auth_svc]}" \
      "${wrap[@]}" ${cmd[$svc]} >"$OUT/$svc${profiled:+-under-$profiled}.log" 2>&1 &
    pid_of[$svc]=$!
    pids+=($!)
    for _ in $(seq 300); do curl -fs -o /dev/null "http://$host:$(ops_port $svc)/readyz" && break; sleep 0.1; done
    curl -fs -o /dev/null "http://$host:$(ops_port $svc)/readyz" || { log "$svc not ready"; exit 1; }
  done
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "authorization: $token" "$url")
  [[ $code == 200 ]] || { log "chain answers $code, not 200"; exit 1; }
}

# Where a service serves /readyz and /metrics: the gateway on its admin port (ADMIN_PORT).
ops_port() { if [[ $1 == gateway ]]; then echo $((${port[gateway]} + 1000)); else echo "${port[$1]}"; fi; }

# Requests a service answered, probes and scrapes excepted (its own http_requests_total).
answered() {
  curl -fs "http://$host:$1/metrics" | python3 -c '
import re, sys
total = 0.0
for line in sys.stdin:
    if line.startswith("http_requests_total{"):
        route = re.search(r"route=\"([^\"]*)\"", line).group(1)
        if route not in ("/metrics", "/healthz", "/readyz"):
            total += float(line.rsplit(" ", 1)[1])
print(int(total))'
}

load() { wrk -t1 -c"$CONNS" -d"$1"s -H "authorization: $token" "$url"; }

summary=$OUT/summary.txt
: >"$summary"
printf 'loadavg: %s\n' "$(cat /proc/loadavg)" >>"$summary"
for svc in $SERVICES; do
  log "$svc under callgrind"
  start_chain "$svc"
  # The process that callgrind runs (the launcher may not be the pid bash saw).
  p=$(pgrep -n -f -- "--callgrind-out-file=$OUT/callgrind.$svc.out")
  load "$WARMUP_SECONDS" >/dev/null
  before=$(answered "$(ops_port $svc)")
  # vgdb names its pipes after $HOST, which the services get as their listen address.
  HOST=$host callgrind_control -z "$p" >/dev/null
  load "$SECONDS_MEASURED" >"$OUT/wrk-$svc.txt"
  HOST=$host callgrind_control -d "$p" >/dev/null
  after=$(answered "$(ops_port $svc)")
  stop_all
  n=$((after - before))
  dump=$(ls -t "$OUT"/callgrind.$svc.out.* | grep -v '\.0$' | head -n1 || true)
  [[ -n $dump ]] || dump=$(ls -t "$OUT"/callgrind.$svc.out* | head -n1)
  callgrind_annotate --threshold=100 "$dump" >"$OUT/annotate-self-$svc.txt" 2>/dev/null
  callgrind_annotate --threshold=100 --inclusive=yes "$dump" >"$OUT/annotate-incl-$svc.txt" 2>/dev/null
  python3 "$root/bench/lib/callgrind_summary.py" "$svc" "$n" "$TOP" \
    "$OUT/annotate-self-$svc.txt" "$OUT/annotate-incl-$svc.txt" | tee -a "$summary"
done

if [[ $PERF == 1 ]] && command -v perf >/dev/null; then
  log "perf record -g of the four services, ${PERF_SECONDS} s of load (waits for /tmp/bench.lock)"
  exec 9>/tmp/bench.lock
  flock 9
  log "lock held, load $(cut -d' ' -f1-3 /proc/loadavg)"
  start_chain ""
  load 2 >/dev/null
  list=$(IFS=,; echo "${pid_of[*]}")
  perf record -F 999 -g -p "$list" -o "$OUT/perf.data" -- sleep "$PERF_SECONDS" \
    >/dev/null 2>"$OUT/perf-record.log" &
  perf_pid=$!
  load "$PERF_SECONDS" >"$OUT/wrk-perf.txt"
  wait "$perf_pid" || true
  stop_all
  flock -u 9
  perf report -i "$OUT/perf.data" --no-children --sort comm,dso,sym --stdio 2>/dev/null |
    grep -v '^$' | grep -E '^ +[0-9]' | head -n 40 >"$OUT/perf-top.txt" || true
  perf script -i "$OUT/perf.data" 2>/dev/null | python3 "$root/bench/lib/flamegraph.py" \
    --folded "$OUT/perf.folded" >"$OUT/flamegraph.svg"
  {
    echo
    echo "perf (all four services, kernel included): top self costs, % of samples"
    cat "$OUT/perf-top.txt"
  } | tee -a "$summary"
  log "flame graph: $OUT/flamegraph.svg (folded stacks: $OUT/perf.folded)"
fi
log "summary: $summary; callgrind files: $OUT/callgrind.*"
