#!/usr/bin/env bash
# The added latency of the auth hop: our gateway in front of a fixed-answer upstream
# (nginx `return 200`), once on a Mapping with `bypass_auth: true` (no auth hop) and once on a
# Mapping through the AuthService (auth_svc), loaded with wrk on loopback for: no auth hop, an API
# key, an RS256 JWT and an ES256 JWT. Prints req/s, p50/p99 per case, the added p50/p99 against
# the no-auth case, and CPU µs per request of auth_svc and the gateway (/proc/<pid>/stat).
#   bench/auth_hop.sh                     (CONNS="1 16", REPS=1, 10 s runs after 3 s warm-up)
#   CONNS=16 REPS=3 bench/auth_hop.sh
#   SERVICE_ENV=ACCESS_LOG=false bench/auth_hop.sh   (the services' settings are the defaults)
# Measured runs hold /tmp/bench.lock (flock), each after waiting (up to QUIET_MAX_WAIT_S) for
# the machine to be less than QUIET_BUSY_PCT busy. Everything listens on 127.0.0.1 only.
# Needs: nginx, wrk, openssl, python3, curl. Results and logs: $OUT.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

: "${CONNS:=1 16}"          # wrk connections; one table per value
: "${WRK_THREADS:=1}"
: "${WRK_SECONDS:=10}"
: "${WARMUP_SECONDS:=3}"
: "${REPS:=1}"
: "${QUIET_BUSY_PCT:=50}"   # wait for the whole machine to be less busy than this …
: "${QUIET_MAX_WAIT_S:=120}" # … but not longer than this (then measure anyway, and say so)
: "${BASE_PORT:=18470}"     # upstream, auth_svc, gateway: BASE_PORT, +1, +2
: "${OUT:=/tmp/tim-auth-hop/$(date +%Y%m%d-%H%M%S)}"
: "${BUILD_DIR:=build/release}"
: "${SERVICE_ENV:=}"        # extra VAR=value for auth_svc and the gateway, e.g. ACCESS_LOG=false
host=127.0.0.1
upstream_port=$BASE_PORT auth_port=$((BASE_PORT + 1)) gw_port=$((BASE_PORT + 2))
issuer=https://idp.example audience=tim

for tool in nginx wrk openssl python3 curl flock; do
  command -v $tool >/dev/null || { echo "auth_hop.sh needs $tool" >&2; exit 1; }
done
mkdir -p "$OUT"
log() { printf '[auth_hop %s] %s\n' "$(date +%T)" "$*" >&2; }

source bench/lib/build.sh
bench_build . "$BUILD_DIR" Release auth_svc gateway
bin=$root/$BUILD_DIR/services

# --- credentials: an API key from `auth_svc keys create`, JWTs and a JWKS from openssl -------
"$bin/auth_svc/auth_svc" keys create --file "$OUT/keys.json" --name bench \
  --scopes invoices:read,invoices:write >"$OUT/keys-create.txt"
api_key=$(tail -n1 "$OUT/keys-create.txt")
python3 bench/auth/make_jwts.py "$OUT" "$issuer" "$audience"
rs256=$(cat "$OUT/rs256.jwt") es256=$(cat "$OUT/es256.jwt")

# --- routes: one Mapping without the auth hop, one through the AuthService ------------------
cat >"$OUT/routes.yaml" <<YAML
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: no-auth-hop}
spec: {hostname: "*", prefix: /open/, rewrite: /api/invoices/, service: bench-upstream,
       timeout_ms: 3000, bypass_auth: true}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: through-auth}
spec: {hostname: "*", prefix: /invoices/, rewrite: /api/invoices/, service: bench-upstream,
       timeout_ms: 3000}
---
apiVersion: getambassador.io/v3alpha1
kind: AuthService
metadata: {name: authentication}
spec:
  auth_service: auth-svc:3000
  proto: http
  timeout_ms: 5000
  allowed_request_headers: [x-request-id]
  allowed_authorization_headers: [x-auth-subject, x-auth-scopes, retry-after]
  status_on_error: {code: 403}
YAML

# --- processes ---------------------------------------------------------------------------------
mkdir -p "$OUT/nginx"
cat >"$OUT/nginx/nginx.conf" <<NGINX
worker_processes 1;
master_process off;
daemon off;
pid $OUT/nginx/nginx.pid;
error_log $OUT/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $OUT/nginx/body;
  proxy_temp_path $OUT/nginx/proxy;
  fastcgi_temp_path $OUT/nginx/fastcgi;
  uwsgi_temp_path $OUT/nginx/uwsgi;
  scgi_temp_path $OUT/nginx/scgi;
  keepalive_requests 1000000;
  server {
    listen $host:$upstream_port;
    default_type application/json;
    location / { return 200 '{"id":1,"ref":"INV-1","amount":4200,"balance":4190,"ccy":"GBP"}'; }
  }
}
NGINX

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

nginx -p "$OUT/nginx/" -c "$OUT/nginx/nginx.conf" 2>>"$OUT/nginx/error.log" &
nginx_pid=$!; pids+=("$nginx_pid")
env $SERVICE_ENV HOST=$host PORT=$auth_port TOKEN=letmeinpleasekthxbye KEYS_FILE="$OUT/keys.json" \
  JWKS_FILE="$OUT/jwks.json" JWT_ISSUER=$issuer JWT_AUDIENCE=$audience \
  "$bin/auth_svc/auth_svc" >"$OUT/auth_svc.log" 2>&1 &
auth_pid=$!; pids+=("$auth_pid")
env $SERVICE_ENV HOST=$host PORT=$gw_port ADMIN_PORT=$((gw_port + 1000)) ROUTES_FILE="$OUT/routes.yaml" \
  UPSTREAMS="bench-upstream=$host:$upstream_port,auth-svc:3000=$host:$auth_port" \
  "$bin/gateway/gateway" >"$OUT/gateway.log" 2>&1 &
gw_pid=$!; pids+=("$gw_pid")

for url in "http://$host:$upstream_port/" "http://$host:$auth_port/readyz" "http://$host:$((gw_port + 1000))/readyz"; do
  for _ in $(seq 100); do curl -fs -o /dev/null "$url" && break; sleep 0.1; done
  curl -fs -o /dev/null "$url" || { log "not ready: $url (logs in $OUT)"; exit 1; }
done

# Each case must answer 200 before it is measured (and the no-auth route must not need auth).
declare -A path=([none]=/open/1 [api_key]=/invoices/1 [jwt_rs256]=/invoices/1 [jwt_es256]=/invoices/1)
declare -A header=([none]="" [api_key]="authorization: $api_key"
                   [jwt_rs256]="authorization: Bearer $rs256" [jwt_es256]="authorization: Bearer $es256")
cases=(none api_key jwt_rs256 jwt_es256)
for c in "${cases[@]}"; do
  args=(-s -o /dev/null -w '%{http_code}')
  [[ -n ${header[$c]} ]] && args+=(-H "${header[$c]}")
  code=$(curl "${args[@]}" "http://$host:$gw_port${path[$c]}")
  [[ $code == 200 ]] || { log "case $c answers $code, not 200 (logs in $OUT)"; exit 1; }
done
code=$(curl -s -o /dev/null -w '%{http_code}' "http://$host:$gw_port/invoices/1")
[[ $code == 401 ]] || { log "the auth route answers $code without credentials"; exit 1; }

# --- measuring -------------------------------------------------------------------------------
clk_tck=$(getconf CLK_TCK)
proc_ticks() { awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$1/stat"; }  # utime+stime
children_ticks() { awk '{sub(/^.*\) /, ""); print $14 + $15}' "/proc/$$/stat"; }  # reaped wrk
source bench/lib/quiet.sh
run_wrk() { # conns seconds case outfile
  local args=(-t"$WRK_THREADS" -c"$1" -d"$2"s -s bench/auth/report.lua)
  [[ -n ${header[$3]} ]] && args+=(-H "${header[$3]}")
  wrk "${args[@]}" "http://$host:$gw_port${path[$3]}" >"$4"
}

results=$OUT/results.jsonl
: >"$results"
printf 'loadavg before: %s\n' "$(cat /proc/loadavg)" | tee "$OUT/load.txt" >&2
[[ -z $SERVICE_ENV ]] || log "services run with $SERVICE_ENV"
for rep in $(seq "$REPS"); do
  for conns in $CONNS; do
    wait_quiet >/dev/null
    exec 9>/tmp/bench.lock
    flock 9
    log "rep $rep, $conns connection(s): lock held, load $(cut -d' ' -f1-3 /proc/loadavg)"
    for c in "${cases[@]}"; do
      run_wrk "$conns" "$WARMUP_SECONDS" "$c" "$OUT/warmup-$c-$conns-$rep.txt"
      a0=$(proc_ticks "$auth_pid") g0=$(proc_ticks "$gw_pid") n0=$(proc_ticks "$nginx_pid")
      w0=$(children_ticks) m0=($(machine_ticks))
      run_wrk "$conns" "$WRK_SECONDS" "$c" "$OUT/wrk-$c-$conns-$rep.txt"
      a1=$(proc_ticks "$auth_pid") g1=$(proc_ticks "$gw_pid") n1=$(proc_ticks "$nginx_pid")
      w1=$(children_ticks) m1=($(machine_ticks))
      ours=$(( (a1 - a0) + (g1 - g0) + (n1 - n0) + (w1 - w0) ))
      line=$(sed -n 's/^RESULT //p' "$OUT/wrk-$c-$conns-$rep.txt")
      [[ -n $line ]] || { log "wrk gave no result for $c"; exit 1; }
      python3 - "$line" >>"$results" <<PY
import json, sys
r = json.loads(sys.argv[1])
r.update(case="$c", conns=$conns, rep=$rep, clk_tck=$clk_tck, auth_ticks=$((a1 - a0)),
         gw_ticks=$((g1 - g0)), ours_ticks=$ours, busy_ticks=$((m1[0] - m0[0])),
         all_ticks=$((m1[1] - m0[1])))
print(json.dumps(r))
PY
      log "$c, $conns conn: $(tail -n1 "$results")"
    done
    flock -u 9
    exec 9>&-
  done
done
printf 'loadavg after:  %s\n' "$(cat /proc/loadavg)" | tee -a "$OUT/load.txt" >&2

python3 bench/auth/summarize.py "$results" | tee "$OUT/summary.md"
echo
echo "Load: $(cat "$OUT/load.txt" | tr '\n' ' ')"
echo "Raw results and logs: $OUT"
