#!/usr/bin/env bash
# Benchmarks our four services and, in the same run, the Node.js original behind nginx, with
# the baseline's own load script (run-baseline.sh: wrk on loopback, medians of REPS
# repetitions, each after waiting for a quiet machine). Prints both side by side, as ratios.
# Two loads, each on both chains in the same run:
#   tutorial  the shared script's targets: GET /invoices/42 with one token through the gateway,
#             and each service alone;
#   mix       the "realistic" mix through the gateway (bench/lib/mix.lua): random invoice ids in
#             1..1000, ten API keys round-robin (made for the run with `auth_svc keys create`),
#             5 % writes (payments with an Idempotency-Key on invoices the run creates). The
#             Node.js original knows one token and has no writes: it gets the token on every
#             request and answers every write 404 (its non-2xx column).
#   NODE_BASELINE_DIR=<the Node.js baseline checkout> bench/run.sh
#                           (REPS=3 by default; REPS=1 for a quick look; LOADS="mix": one load)
# Every repetition holds /tmp/bench.lock itself (run-baseline.sh): do not wrap this script in
# flock on the same file, it would wait for itself.
# Needs: nginx, wrk, node/npm (for the baseline's express packages). Results: $OUT.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# The Node.js baseline checkout: run-baseline.sh and node-baseline/<service>/ (not part of TIM).
anchors=${NODE_BASELINE_DIR:-${ANCHORS:-}}
[ -n "$anchors" ] && [ -f "$anchors/run-baseline.sh" ] || {
  echo "set NODE_BASELINE_DIR to the Node.js baseline checkout (the folder with run-baseline.sh)" >&2
  exit 2
}
work=${BENCH_WORK:-/tmp/tim-bench}
OUT=${OUT:-$work/results-$(date +%Y%m%d-%H%M%S)}
export REPS=${REPS:-3}

scripts/setup-deps.sh build
for tool in nginx wrk npm; do
  command -v $tool >/dev/null || { echo "bench needs $tool (apt-get install nginx wrk nodejs npm)" >&2; exit 1; }
done
source bench/lib/build.sh
bench_build . build/release Release auth_svc expected_date_svc invoices_svc gateway

# The baseline checkout may be read-only: run the baseline from a copy with its npm packages.
mkdir -p "$work/anchors"
cp -r --no-preserve=mode "$anchors/." "$work/anchors/"
chmod +x "$work/anchors/run-baseline.sh"
for svc in auth_svc expected_date_svc invoices_svc; do
  (cd "$work/anchors/node-baseline/$svc" && [ -d node_modules ] || npm ci --no-audit --no-fund --silent)
done

bin=$root/build/release/services
# Listening ports below the kernel's ephemeral range (32768-60999 here): the shared script's
# defaults (39180-39184) sit inside it, where a client socket of the same run can already hold
# one ("bind: Address already in use"). Each implementation gets its own five.
ports() { echo "NGINX_PORT=$1 AUTH_PORT=$(($1 + 1)) EXPECTED_DATE_PORT=$(($1 + 2)) INVOICES_PORT=$(($1 + 3)) GATEWAY_PORT=$(($1 + 4))"; }
LOADS=${LOADS:-tutorial mix}
log() { printf '[run %s] %s\n' "$(date +%T)" "$*" >&2; }
log "load average before: $(uptime)"
ours=(AUTH_CMD="$root/bench/auth-for-bench.sh" EXPECTED_DATE_CMD="$bin/expected_date_svc/expected_date_svc"
  INVOICES_CMD="$root/bench/invoices-for-baseline.sh" GATEWAY_CMD="$root/bench/gateway-for-baseline.sh" TIM_BIN_DIR="$bin")

if [[ " $LOADS " == *" tutorial "* ]]; then
  env $(ports "${NODE_BASE_PORT:-19180}") LABEL=node OUT_DIR="$OUT/node" "$work/anchors/run-baseline.sh"
  env $(ports "${OURS_BASE_PORT:-19190}") LABEL=ours OUT_DIR="$OUT/ours" "${ours[@]}" "$work/anchors/run-baseline.sh"
fi

if [[ " $LOADS " == *" mix "* ]]; then
  # Ten API keys for the run, both scopes (the mix writes), from auth_svc's own command.
  keys_file="$OUT/keys.json"
  mkdir -p "$OUT"
  rm -f "$keys_file"
  bench_keys=()
  for i in $(seq 1 10); do
    bench_keys+=("$("$bin/auth_svc/auth_svc" keys create --file "$keys_file" --name "bench-$i" \
      --scopes invoices:read,invoices:write | tail -n 1)")
  done
  keys_csv=$(IFS=,; echo "${bench_keys[*]}")
  # The gateway target loaded by mix.lua (bench/lib/wrk-mix/wrk spots "mix=1"); the script's
  # other targets (their URLs also tell it a service started) are cut to 1 s, not reported.
  mix=(PATH="$root/bench/lib/wrk-mix:$PATH" BENCH_MIX_ONLY=1 BENCH_RUN="$(date +%s)")
  node_port=${NODE_MIX_BASE_PORT:-19200} ours_port=${OURS_MIX_BASE_PORT:-19210}
  env $(ports "$node_port") "${mix[@]}" LABEL=node-mix OUT_DIR="$OUT/node-mix" \
    GATEWAY_URL="http://127.0.0.1:$node_port/invoices/42?mix=1" "$work/anchors/run-baseline.sh"
  env $(ports "$ours_port") "${mix[@]}" LABEL=ours-mix OUT_DIR="$OUT/ours-mix" "${ours[@]}" \
    BENCH_KEYS="$keys_csv" BENCH_KEYS_FILE="$keys_file" \
    GATEWAY_URL="http://127.0.0.1:$((ours_port + 4))/invoices/42?mix=1" "$work/anchors/run-baseline.sh"
  grep -h '^BENCH' "$OUT"/ours-mix/rep*/wrk-gateway.txt "$OUT"/node-mix/rep*/wrk-gateway.txt >&2 || true
fi
log "load average after: $(uptime)"
echo
for pair in "node ours" "node-mix ours-mix"; do
  set -- $pair
  [[ -f "$OUT/$1/results.json" && -f "$OUT/$2/results.json" ]] || continue
  echo "## ${2}"
  if [[ $2 == *mix ]]; then  # only the gateway row is the mix; the others ran 1 s
    python3 "$root/bench/compare.py" "$OUT/$1" "$OUT/$2" | grep -v -E '^\| \((b|c|d|e)\)'
  else
    python3 "$root/bench/compare.py" "$OUT/$1" "$OUT/$2"
  fi
  echo
done | tee "$OUT/comparison.md"
