#!/usr/bin/env bash
# Benchmarks our four services and, in the same run, the Node.js original behind nginx, with
# the baseline's own load script (run-baseline.sh: wrk on loopback, medians of REPS
# repetitions, each after waiting for a quiet machine). Prints both side by side, as ratios.
#   NODE_BASELINE_DIR=<the Node.js baseline checkout> bench/run.sh
#                           (REPS=3 by default; REPS=1 for a quick look)
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
env $(ports "${NODE_BASE_PORT:-19180}") LABEL=node OUT_DIR="$OUT/node" "$work/anchors/run-baseline.sh"
env $(ports "${OURS_BASE_PORT:-19190}") LABEL=ours OUT_DIR="$OUT/ours" AUTH_CMD="$bin/auth_svc/auth_svc" \
  EXPECTED_DATE_CMD="$bin/expected_date_svc/expected_date_svc" INVOICES_CMD="$bin/invoices_svc/invoices_svc" \
  GATEWAY_CMD="$root/bench/gateway-for-baseline.sh" TIM_BIN_DIR="$bin" "$work/anchors/run-baseline.sh"
echo
python3 "$root/bench/compare.py" "$OUT/node" "$OUT/ours" | tee "$OUT/comparison.md"
