#!/usr/bin/env bash
# Our gateway as a plain proxy versus nginx as one (a target: at least 0.9x nginx): one route, no auth
# hop, to a fixed-answer upstream (nginx `return 200` on loopback), both proxies keeping their
# upstream connections alive (nginx: proxy_http_version 1.1, upstream keepalive). wrk loads each
# with the shared load script's settings (2 threads, 50 connections, 10 s after a 3 s warm-up).
# Prints req/s, p50/p99 and the proxy's own CPU µs per request (utime+stime from /proc), plus
# the upstream's, medians of REPS, and the ratio ours/nginx.
#   bench/proxy.sh                    (REPS=3)
#   REPS=1 WORKERS=2 bench/proxy.sh   (nginx worker_processes and our IO_THREADS, default 1 each)
# Cases: nginx; ours (access log on, the default); ours with ACCESS_LOG=false (nginx's is off);
# with BASELINE_GATEWAY=/path/to/gateway (another revision's build), that binary too.
# GATEWAY_BIN=/path/to/gateway measures that build of this tree instead of building one.
# Every repetition holds /tmp/bench.lock (flock) and first waits up to QUIET_MAX_WAIT_S for the
# machine to be less than QUIET_BUSY_PCT busy (then measures anyway, and says so).
# Needs nginx, wrk, curl, python3. Results and logs: $OUT.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

: "${REPS:=3}"
: "${WRK_THREADS:=2}"
: "${WRK_CONNS:=50}"
: "${WRK_SECONDS:=10}"
: "${WARMUP_SECONDS:=3}"
: "${WORKERS:=1}"
: "${QUIET_BUSY_PCT:=25}"
: "${QUIET_MAX_WAIT_S:=180}"
: "${BASE_PORT:=18580}"
: "${BUILD_DIR:=build/release}"
: "${BASELINE_GATEWAY:=}"
: "${OUT:=/tmp/tim-proxy/$(date +%Y%m%d-%H%M%S)}"
host=127.0.0.1
up_port=$BASE_PORT nginx_port=$((BASE_PORT + 1)) gw_port=$((BASE_PORT + 2)) gw2_port=$((BASE_PORT + 3))
gw3_port=$((BASE_PORT + 4))

for tool in nginx wrk curl python3 flock; do
  command -v $tool >/dev/null || { echo "proxy.sh needs $tool" >&2; exit 1; }
done
mkdir -p "$OUT"
log() { printf '[proxy %s] %s\n' "$(date +%T)" "$*" >&2; }

if [[ -n ${GATEWAY_BIN:-} ]]; then  # an existing Release build of this tree
  gateway_bin=$GATEWAY_BIN
else
  source bench/lib/build.sh
  bench_build . "$BUILD_DIR" Release gateway
  gateway_bin=$root/$BUILD_DIR/services/gateway/gateway
fi

source bench/lib/plain_proxy.sh

fixed_upstream "$OUT/upstream" $host $up_port
nginx_conf "$OUT/nginx-proxy" "$WORKERS" "  upstream fixed {
    server $host:$up_port;
    keepalive 64;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
  }
  server {
    listen $host:$nginx_port;
    location /invoices/ {
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_pass http://fixed/api/invoices/;
    }
  }"
plain_proxy_routes "$OUT/routes.yaml"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
nginx -p "$OUT/upstream/" -c "$OUT/upstream/nginx.conf" 2>>"$OUT/upstream/error.log" &
up_pid=$!; pids+=("$up_pid")
nginx -p "$OUT/nginx-proxy/" -c "$OUT/nginx-proxy/nginx.conf" 2>>"$OUT/nginx-proxy/error.log" &
nginx_pid=$!; pids+=("$nginx_pid")
gw_env=(HOST=$host ROUTES_FILE="$OUT/routes.yaml" UPSTREAMS="fixed-upstream=$host:$up_port"
        IO_THREADS=$WORKERS)
env "${gw_env[@]}" PORT=$gw_port ADMIN_PORT=$((gw_port + 1000)) "$gateway_bin" >"$OUT/gateway.log" 2>&1 &
gw_pid=$!; pids+=("$gw_pid")
env "${gw_env[@]}" PORT=$gw2_port ADMIN_PORT=$((gw2_port + 1000)) ACCESS_LOG=false "$gateway_bin" >"$OUT/gateway-nolog.log" 2>&1 &
gw2_pid=$!; pids+=("$gw2_pid")

declare -A url=([nginx]="http://$host:$nginx_port/invoices/42" [ours]="http://$host:$gw_port/invoices/42"
                [ours_nolog]="http://$host:$gw2_port/invoices/42")
declare -A pid=([nginx]=$nginx_pid [ours]=$gw_pid [ours_nolog]=$gw2_pid)
cases=(nginx ours ours_nolog)
if [[ -n $BASELINE_GATEWAY ]]; then
  env "${gw_env[@]}" PORT=$gw3_port ADMIN_PORT=$((gw3_port + 1000)) "$BASELINE_GATEWAY" \
    >"$OUT/gateway-baseline.log" 2>&1 &
  pid[baseline]=$!; pids+=("${pid[baseline]}")
  url[baseline]="http://$host:$gw3_port/invoices/42"
  cases+=(baseline)
fi
for c in "${cases[@]}"; do
  for _ in $(seq 100); do curl -fs -o /dev/null "${url[$c]}" && break; sleep 0.1; done
  got=$(curl -fsS "${url[$c]}") || { log "$c does not answer (logs in $OUT)"; exit 1; }
  [[ $got == "$body" ]] || { log "$c answers '$got', not the upstream's body"; exit 1; }
done

# utime+stime of a process and its children (nginx's workers), in clock ticks.
tree_ticks() {
  local total=0 p
  for p in $1 $(pgrep -P "$1" || true); do
    total=$((total + $(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$p/stat")))
  done
  echo $total
}
source bench/lib/quiet.sh
run_wrk() { wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"$1"s -s bench/auth/report.lua "$2"; }

clk_tck=$(getconf CLK_TCK)
results=$OUT/results.jsonl
: >"$results"
for rep in $(seq "$REPS"); do
  busy=$(wait_quiet)
  exec 9>/tmp/bench.lock
  flock 9
  for c in "${cases[@]}"; do
    run_wrk "$WARMUP_SECONDS" "${url[$c]}" >/dev/null
    p0=$(tree_ticks "${pid[$c]}") u0=$(tree_ticks "$up_pid") m0=($(machine_ticks))
    run_wrk "$WRK_SECONDS" "${url[$c]}" >"$OUT/wrk-$c-$rep.txt"
    p1=$(tree_ticks "${pid[$c]}") u1=$(tree_ticks "$up_pid") m1=($(machine_ticks))
    line=$(sed -n 's/^RESULT //p' "$OUT/wrk-$c-$rep.txt")
    [[ -n $line ]] || { log "wrk gave no result for $c"; exit 1; }
    python3 - "$line" >>"$results" <<PY
import json, sys
r = json.loads(sys.argv[1])
r.update(case="$c", rep=$rep, clk_tck=$clk_tck, proxy_ticks=$((p1 - p0)),
         upstream_ticks=$((u1 - u0)), busy_ticks=$((m1[0] - m0[0])), all_ticks=$((m1[1] - m0[1])),
         busy_before_pct=$busy, loadavg="$(cut -d' ' -f1-3 /proc/loadavg)")
print(json.dumps(r))
PY
    log "rep $rep $c: $(tail -n1 "$results")"
  done
  flock -u 9
  exec 9>&-
done

python3 - "$results" "$WORKERS" <<'PY' | tee "$OUT/summary.md"
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
def med(case, f):
    v = [f(r) for r in rows if r["case"] == case]
    return statistics.median(v) if v else None
rps = lambda r: r["requests"] / (r["duration_us"] / 1e6)
cpu = lambda key: lambda r: r[key] / r["clk_tck"] * 1e6 / r["requests"]
print(f"Plain proxy to a fixed-answer upstream (nginx return 200), medians of "
      f"{len(rows) // len(set(r['case'] for r in rows))} runs; nginx worker_processes = our IO_THREADS = {sys.argv[2]}\n")
print("| proxy | req/s | p50 ms | p99 ms | proxy CPU µs/req | upstream CPU µs/req | req/s vs nginx |")
print("|---|---:|---:|---:|---:|---:|---:|")
base = med("nginx", rps)
for case, label in [("nginx", "nginx (keep-alive upstream)"), ("ours", "our gateway"),
                    ("ours_nolog", "our gateway, ACCESS_LOG=false"),
                    ("baseline", "BASELINE_GATEWAY (access log on)")]:
    if med(case, rps) is None:
        continue
    print(f"| {label} | {med(case, rps):,.0f} | {med(case, lambda r: r['p50_us']) / 1000:.2f} "
          f"| {med(case, lambda r: r['p99_us']) / 1000:.2f} | {med(case, cpu('proxy_ticks')):.1f} "
          f"| {med(case, cpu('upstream_ticks')):.1f} | {med(case, rps) / base:.2f}x |")
busy = [100 * r["busy_ticks"] / max(r["all_ticks"], 1) for r in rows]
print(f"\nmachine busy during runs: {min(busy):.0f}-{max(busy):.0f}% "
      f"(load averages at the end of runs: {', '.join(sorted(set(r['loadavg'] for r in rows)))})")
PY
echo "Raw results and logs: $OUT"
