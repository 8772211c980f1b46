#!/usr/bin/env bash
# What an Idempotency-Key costs a payment. One store of N invoices (gen_skewed.py),
# one invoices_svc (no predictor: payments do not call it), and wrk on 127.0.0.1 alternating
# POST /api/invoices/<random open id>/payments without a key and with a new key per request
# (bench/lib/payment_keyed.lua: every keyed request writes its idempotency record; a replay or a
# non-200 stops the run). REPEATS rounds; the table gives each side's median req/s and p50.
# A benchmark, not a test.
#
#   bench/idempotency.sh                   SQLite, then PostgreSQL on a throwaway server
#   TIM_BENCH_DATABASE_URL=postgres://…/db bench/idempotency.sh
# Knobs (environment) [default]: N [100000]  BACKENDS ["sqlite postgres"]  REPEATS [3]
#   WRK_SECONDS [5]  WRK_THREADS [1]  WRK_CONNS [10]  PORT [39390]
#   BENCH_WORK [/tmp/tim-idempotency-bench]  LOCK_FILE [/tmp/bench.lock]
#   TIM_BIN_DIR [build it: build/release/services]
# The whole run holds `flock LOCK_FILE`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
case ${1:-} in -h | --help) sed -n '2,17p' "$0"; exit 0 ;; esac

N=${N:-100000}
BACKENDS=${BACKENDS:-"sqlite postgres"}
REPEATS=${REPEATS:-3}
WRK_SECONDS=${WRK_SECONDS:-5}
WRK_THREADS=${WRK_THREADS:-1}
WRK_CONNS=${WRK_CONNS:-10}
PORT=${PORT:-39390}
LOCK_FILE=${LOCK_FILE:-/tmp/bench.lock}
work=${BENCH_WORK:-/tmp/tim-idempotency-bench}
mkdir -p "$work"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
if [ -z "${TIM_BIN_DIR:-}" ]; then
  source bench/lib/build.sh
  bench_build . build/release Release invoices_svc
  TIM_BIN_DIR=$root/build/release/services
fi
svc=$TIM_BIN_DIR/invoices_svc/invoices_svc

exec 9>"$LOCK_FILE"
flock 9

server_pid= pg_started=0
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ "$pg_started" = 1 ]; then TIM_PG_DIR=$work/postgres scripts/test-postgres.sh stop >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
pg_base=
if [[ " $BACKENDS " == *" postgres "* ]]; then
  if [ -n "${TIM_BENCH_DATABASE_URL:-}" ]; then pg_base=$TIM_BENCH_DATABASE_URL; else
    pg_base=$(TIM_PG_DIR=$work/postgres scripts/test-postgres.sh start)
    pg_started=1
  fi
fi

csv=$work/skewed-$N.csv
[ -s "$csv" ] || python3 bench/lib/gen_skewed.py "$N" "$csv"
results=$work/results-$(date +%Y%m%d-%H%M%S).tsv
: >"$results"
for backend in $BACKENDS; do
  if [ "$backend" = sqlite ]; then
    rm -rf "$work/data"; store_env="DATA_DIR=$work/data"
  else
    psql -q -X -v ON_ERROR_STOP=1 "$pg_base" -c "DROP DATABASE IF EXISTS tim_idem" -c "CREATE DATABASE tim_idem" >/dev/null
    store_env="DATABASE_URL=${pg_base%/*}/tim_idem"
  fi
  env "$store_env" "$svc" import "$csv" >/dev/null
  env "$store_env" SEED_DEMO_DATA=false HOST=127.0.0.1 PORT="$PORT" LOG_LEVEL=warn ACCESS_LOG=false \
    "$svc" >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
  for round in $(seq 1 "$REPEATS"); do
    for keyed in 0 1; do
      out=$(BENCH_N=$N BENCH_KEYED=$keyed BENCH_RUN="$backend$round" wrk -t"$WRK_THREADS" -c"$WRK_CONNS" \
        -d"${WRK_SECONDS}s" --timeout 10s -s bench/lib/payment_keyed.lua "http://127.0.0.1:$PORT" | grep '^BENCH')
      bad=$(sed -E 's/.*non200=([0-9]+).*/\1/' <<<"$out")
      if [ "$bad" -ne 0 ]; then echo "$backend keyed=$keyed: non-200 or replayed answers: $out" >&2; exit 1; fi
      printf '%s\t%s\t%s\t%s\n' "$backend" "$keyed" "$round" "$(sed -E 's/.*rps=([0-9.]+) p50_ms=([0-9.]+) p99_ms=([0-9.]+).*/\1 \2 \3/' <<<"$out")" >>"$results"
      echo "$backend keyed=$keyed round $round: $out (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    done
  done
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
  [ "$backend" = postgres ] && psql -q -X "$pg_base" -c "DROP DATABASE IF EXISTS tim_idem" >/dev/null 2>&1
done

echo
echo "POST /api/invoices/:id/payments at N=$N, wrk -t$WRK_THREADS -c$WRK_CONNS -d${WRK_SECONDS}s on 127.0.0.1; medians of $REPEATS alternating rounds; $(nproc) cores"
python3 - "$results" <<'PY'
import statistics, sys
from collections import defaultdict
rps, p50 = defaultdict(list), defaultdict(list)
for line in open(sys.argv[1]):
    backend, keyed, _round, figures = line.rstrip("\n").split("\t")
    r, p, _ = figures.split()
    rps[(backend, keyed)].append(float(r)); p50[(backend, keyed)].append(float(p))
print("| store | without key req/s | with a new key req/s | keyed / unkeyed | p50 without | p50 with |")
print("|---|---:|---:|---:|---:|---:|")
for backend in dict.fromkeys(k[0] for k in rps):
    a, b = statistics.median(rps[(backend, "0")]), statistics.median(rps[(backend, "1")])
    print(f"| {backend} | {a:.0f} | {b:.0f} | {b / a:.2f} | "
          f"{statistics.median(p50[(backend, '0')]):.2f} ms | {statistics.median(p50[(backend, '1')]):.2f} ms |")
PY
echo "raw: $results"
