#!/usr/bin/env bash
# The gateway as a plain proxy (bench/proxy.sh's setup: one Mapping, no AuthService, a
# fixed-answer nginx upstream) counted rather than timed, which stays repeatable on a busy
# machine:
#   1. the gateway under callgrind while wrk loads it (one thread, CONNS connections); counters
#      zeroed after a warm-up; requests counted from its own http_requests_total. Prints
#      instructions per request and the top functions, like bench/profile.sh.
#   2. with STRACE=1 (default), the gateway at native speed under `strace -c -f`: system calls
#      per request, by call.
# Usage:  bench/proxy_profile.sh        Knobs: SECONDS_MEASURED [10], CONNS [16], TOP [15],
#         STRACE [1], BUILD_DIR [build/prof, as profile.sh builds it], BASE_PORT [18680],
#         SERVICE_ENV (extra VAR=value for the gateway, e.g. ACCESS_LOG=false),
#         OUT [/tmp/tim-proxy-profile/<time>]. Needs valgrind, nginx, wrk, curl, strace, python3.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

: "${SECONDS_MEASURED:=10}"
: "${WARMUP_SECONDS:=3}"
: "${CONNS:=16}"
: "${TOP:=15}"
: "${STRACE:=1}"
: "${BUILD_DIR:=build/prof}"
: "${BASE_PORT:=18680}"
: "${SERVICE_ENV:=}"
: "${OUT:=/tmp/tim-proxy-profile/$(date +%Y%m%d-%H%M%S)}"
host=127.0.0.1 up_port=$BASE_PORT gw_port=$((BASE_PORT + 2))
url="http://$host:$gw_port/invoices/42"

for tool in valgrind.bin callgrind_control callgrind_annotate nginx wrk curl python3; do
  command -v $tool >/dev/null || { echo "proxy_profile.sh needs $tool" >&2; exit 1; }
done
log() { printf '[proxy-profile %s] %s\n' "$(date +%T)" "$*" >&2; }
mkdir -p "$OUT/upstream"

source bench/lib/build.sh
bench_build . "$BUILD_DIR" profile gateway
gateway_bin=$root/$BUILD_DIR/services/gateway/gateway

u=$OUT/upstream
source bench/lib/plain_proxy.sh
fixed_upstream "$u" $host $up_port
plain_proxy_routes "$OUT/routes.yaml"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
nginx -p "$u/" -c "$u/nginx.conf" 2>>"$u/error.log" &
pids+=($!)

start_gateway() { # [wrapper...]
  env $SERVICE_ENV HOST=$host PORT=$gw_port ADMIN_PORT=$((gw_port + 1000)) ROUTES_FILE="$OUT/routes.yaml" \
    UPSTREAMS="fixed-upstream=$host:$up_port" IO_THREADS=1 "$@" "$gateway_bin" \
    >>"$OUT/gateway.log" 2>&1 &
  gw_pid=$!
  pids+=($gw_pid)
  for _ in $(seq 300); do curl -fs -o /dev/null "$url" && return; sleep 0.1; done
  log "the gateway does not answer (logs in $OUT)"
  exit 1
}
stop_gateway() { kill "$gw_pid" 2>/dev/null || true; wait "$gw_pid" 2>/dev/null || true; }
answered() {
  curl -fs "http://$host:$((gw_port + 1000))/metrics" |
    awk '/^http_requests_total\{/ && /route="mapping:/ {s += $NF} END {printf "%d\n", s}'
}
load() { wrk -t1 -c"$CONNS" -d"$1"s "$url"; }

summary=$OUT/summary.txt
printf 'loadavg: %s\n' "$(cat /proc/loadavg)" >"$summary"
log "gateway under callgrind"
start_gateway valgrind.bin --tool=callgrind --dump-instr=no \
  --callgrind-out-file="$OUT/callgrind.gateway.out" --collect-atstart=yes
p=$(pgrep -n -f -- "--callgrind-out-file=$OUT/callgrind.gateway.out")
load "$WARMUP_SECONDS" >/dev/null
before=$(answered)
HOST=$host callgrind_control -z "$p" >/dev/null
load "$SECONDS_MEASURED" >"$OUT/wrk-callgrind.txt"
HOST=$host callgrind_control -d "$p" >/dev/null
after=$(answered)
stop_gateway
dump=$(ls -t "$OUT"/callgrind.gateway.out.* | grep -v '\.0$' | head -n1 || true)
[[ -n $dump ]] || dump=$(ls -t "$OUT"/callgrind.gateway.out* | head -n1)
callgrind_annotate --threshold=100 "$dump" >"$OUT/annotate-self.txt" 2>/dev/null
callgrind_annotate --threshold=100 --inclusive=yes "$dump" >"$OUT/annotate-incl.txt" 2>/dev/null
python3 "$root/bench/lib/callgrind_summary.py" "gateway as a plain proxy" "$((after - before))" \
  "$TOP" "$OUT/annotate-self.txt" "$OUT/annotate-incl.txt" | tee -a "$summary"

if [[ $STRACE == 1 ]] && command -v strace >/dev/null; then
  log "gateway under strace -c"
  start_gateway
  load "$WARMUP_SECONDS" >/dev/null
  before=$(answered)
  strace -c -f -p "$gw_pid" -o "$OUT/strace.txt" &
  strace_pid=$!
  sleep 0.5
  load "$SECONDS_MEASURED" >"$OUT/wrk-strace.txt"
  kill -INT "$strace_pid"
  wait "$strace_pid" || true
  n=$(($(answered) - before))
  stop_gateway
  {
    echo
    echo "system calls per request ($n requests)"
    awk -v n="$n" '$NF ~ /^[a-z_0-9]+$/ && $4 ~ /^[0-9]+$/ {
                     printf "  %-18s %.2f\n", ($NF == "total" ? "all" : $NF), $4 / n }' \
      "$OUT/strace.txt"
  } | tee -a "$summary"
fi
log "summary: $summary"
