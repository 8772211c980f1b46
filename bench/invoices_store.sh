#!/usr/bin/env bash
# The invoice store at three sizes: for each N, generate N invoices as CSV in our
# export format, time `invoices_svc import` into a fresh store, then start invoices_svc on it
# and load GET /api/invoices/<random id in 1..N> with wrk on loopback. Prints one table.
# A benchmark, not a test: it asserts nothing beyond "every import row landed" and
# "every answer was a 200".
#
#   bench/invoices_store.sh                 SQLite (fresh DATA_DIR per N)
#   bench/invoices_store.sh --postgres      also PostgreSQL: a throwaway server from
#                                           scripts/test-postgres.sh (NB: it runs fsync=off)
#   TIM_BENCH_DATABASE_URL=postgres://…/db bench/invoices_store.sh
#                                           also PostgreSQL on that server (a fresh database
#                                           tim_bench_<N> is created and dropped per N)
# Knobs (environment) [default]: SIZES ["1000 100000 1000000"]  WRK_SECONDS [10]
#   WARMUP_SECONDS [3]  WRK_THREADS [2]  WRK_CONNS [50]  PORT [39190]  ACCESS_LOG_TOO [1]
#   (also run once with the default access log on)  BENCH_WORK [/tmp/tim-store-bench]
#   LOCK_FILE [/tmp/bench.lock]  SKIP_BUILD [0]  BACKENDS ["sqlite postgres" with PostgreSQL]
# Each size's import and loads run under `flock LOCK_FILE`, like the Node.js baseline's script, so they
# never overlap another benchmark. Load average and the box's busy % are printed per run:
# the machine is shared, read the figures with them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

postgres=0
for arg in "$@"; do
  case $arg in
    --postgres) postgres=1 ;;
    -h | --help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "unknown argument $arg" >&2; exit 2 ;;
  esac
done
[ -n "${TIM_BENCH_DATABASE_URL:-}" ] && postgres=1

SIZES=${SIZES:-"1000 100000 1000000"}
WRK_SECONDS=${WRK_SECONDS:-10}
WARMUP_SECONDS=${WARMUP_SECONDS:-3}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNS=${WRK_CONNS:-50}
PORT=${PORT:-39190}
ACCESS_LOG_TOO=${ACCESS_LOG_TOO:-1}
LOCK_FILE=${LOCK_FILE:-/tmp/bench.lock}
work=${BENCH_WORK:-/tmp/tim-store-bench}
mkdir -p "$work"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  source bench/lib/build.sh
  bench_build . build/release Release invoices_svc
fi
svc=$root/build/release/services/invoices_svc/invoices_svc

server_pid=
pg_started=0
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ "$pg_started" = 1 ]; then TIM_PG_DIR=$work/postgres scripts/test-postgres.sh stop >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

pg_base=
if [ "$postgres" = 1 ]; then
  if [ -n "${TIM_BENCH_DATABASE_URL:-}" ]; then
    pg_base=$TIM_BENCH_DATABASE_URL
  else
    pg_base=$(TIM_PG_DIR=$work/postgres scripts/test-postgres.sh start)
    pg_started=1
  fi
fi

load() { cut -d' ' -f1 /proc/loadavg; }
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8}' /proc/stat; }
busy_pct() { # busy_pct "b0 t0" "b1 t1"
  awk -v a="$1" -v b="$2" 'BEGIN{split(a,x," ");split(b,y," ");d=y[2]-x[2]; printf "%.0f", (d > 0 ? (y[1]-x[1])*100/d : 0)}'
}

# The database URL for backend $1 and size $2, made fresh (empty).
fresh_store() {
  local backend=$1 n=$2
  if [ "$backend" = sqlite ]; then
    rm -rf "$work/data-$n"
    echo "DATA_DIR=$work/data-$n"
  else
    local db=tim_bench_$n
    psql -q -X -v ON_ERROR_STOP=1 "$pg_base" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    echo "DATABASE_URL=${pg_base%/*}/$db"
  fi
}

drop_store() {
  local backend=$1 n=$2
  if [ "$backend" = sqlite ]; then rm -rf "$work/data-$n"; else
    psql -q -X "$pg_base" -c "DROP DATABASE IF EXISTS tim_bench_$n" >/dev/null 2>&1 || true
  fi
}

# wrk against a server started with the environment in $@; sets row="rps p50 p99 load busy%".
load_run() {
  local n=$1; shift
  env "$@" SEED_DEMO_DATA=false HOST=127.0.0.1 PORT="$PORT" LOG_LEVEL=warn "$svc" >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 200); do
    curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.1
  done
  curl -fs "http://127.0.0.1:$PORT/api/invoices/$n" >/dev/null || { echo "GET /api/invoices/$n failed" >&2; exit 1; }
  BENCH_N=$n wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${WARMUP_SECONDS}s" -s bench/lib/random_invoice.lua \
    "http://127.0.0.1:$PORT" >/dev/null
  local t0 t1 l0 out
  t0=$(busy_ticks); l0=$(load)
  out=$(BENCH_N=$n wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${WRK_SECONDS}s" -s bench/lib/random_invoice.lua \
    "http://127.0.0.1:$PORT" | grep '^BENCH')
  t1=$(busy_ticks)
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
  local bad
  bad=$(sed -E 's/.*non200=([0-9]+) errors=([0-9]+).*/\1+\2/' <<<"$out")
  if [ "$((bad))" -ne 0 ]; then echo "load run had non-200 answers or errors: $out" >&2; exit 1; fi
  row="$(sed -E 's/.*rps=([0-9.]+) p50_ms=([0-9.]+) p99_ms=([0-9.]+).*/\1 \2 \3/' <<<"$out") $l0 $(busy_pct "$t0" "$t1")"
}

# One backend, one size: import, then the loads. Appends a row to $results.
measure() {
  local backend=$1 n=$2 csv=$work/invoices-$n.csv
  local store_env t0 t1 secs report l0 b0 b1
  store_env=$(fresh_store "$backend" "$n")
  l0=$(load); b0=$(busy_ticks)
  t0=$EPOCHREALTIME
  report=$(env "$store_env" "$svc" import "$csv") || true
  t1=$EPOCHREALTIME
  b1=$(busy_ticks)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')
  grep -q "\"imported\":$n," <<<"$report" || { echo "import of $n did not import them all: ${report:0:300}" >&2; exit 1; }
  local size=-
  [ "$backend" = sqlite ] && size=$(du -sm "$work/data-$n" | cut -f1)M
  if [ "$backend" = postgres ]; then
    # Settle the fresh table before loading it, as an operator would after a bulk load:
    # otherwise autovacuum's first pass over it runs during the GET runs (timed apart).
    local v0=$EPOCHREALTIME
    psql -q -X -v ON_ERROR_STOP=1 "${pg_base%/*}/tim_bench_$n" -c "VACUUM (ANALYZE) invoices" >/dev/null
    echo "postgres	$n	VACUUM (ANALYZE) after the import: $(awk -v a="$v0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.2f", b-a}') s" >&2
  fi
  printf '%s\t%s\timport\t%s s\t(%s rows/s, store %s)\tload %s busy %s%%\n' "$backend" "$n" "$secs" \
    "$(awk -v n="$n" -v s="$secs" 'BEGIN{printf "%.0f", n/s}')" "$size" "$l0" "$(busy_pct "$b0" "$b1")" >&2
  load_run "$n" "$store_env" ACCESS_LOG=false
  printf '%s\t%s\t%s\t%s\t%s\n' "$backend" "$n" "$secs" "off" "$row" >>"$results"
  if [ "$ACCESS_LOG_TOO" = 1 ]; then
    load_run "$n" "$store_env"
    printf '%s\t%s\t%s\t%s\t%s\n' "$backend" "$n" "$secs" "on" "$row" >>"$results"
  fi
  drop_store "$backend" "$n"
}

results=$work/results-$(date +%Y%m%d-%H%M%S).tsv
: >"$results"
backends=sqlite
[ "$postgres" = 1 ] && backends=${BACKENDS:-"sqlite postgres"}
for n in $SIZES; do
  csv=$work/invoices-$n.csv
  [ -s "$csv" ] || python3 bench/lib/gen_invoices.py "$n" "$csv"
  for backend in $backends; do
    exec 9>"$LOCK_FILE"
    flock 9
    measure "$backend" "$n"
    flock -u 9
  done
done

echo
echo "GET /api/invoices/:id, wrk -t$WRK_THREADS -c$WRK_CONNS -d${WRK_SECONDS}s on 127.0.0.1, random ids in 1..N; $(nproc) cores"
awk -F'\t' 'BEGIN{printf "| %-8s | %9s | %10s | %10s | %9s | %8s | %8s | %7s | %5s |\n", "store", "N", "import s", "access log", "req/s", "p50 ms", "p99 ms", "load1", "busy"
  print "|----------|-----------|------------|------------|-----------|----------|----------|---------|-------|"}
  {split($5, r, " "); printf "| %-8s | %9s | %10s | %10s | %9.0f | %8.2f | %8.2f | %7s | %4s%% |\n", $1, $2, $3, $4, r[1], r[2], r[3], r[4], r[5]}' "$results"
echo "(load1: load average when the run began; busy: the whole box's CPU over the measured run, wrk and server included)"
echo "raw: $results"
