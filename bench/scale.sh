#!/usr/bin/env bash
# The invoice store at scale, with the predictor running as users run it.
# For each size N: generate N invoices with a skewed customer mix (bench/lib/gen_skewed.py:
# BIG-1..3 with 3% of the invoices each, thousands of customers with about five, NEW-1 with a
# single open invoice), time `invoices_svc import` into a fresh store; then, with
# expected_date_svc (the demo model) running, serve every size's store at once (one invoices_svc
# each, ports PORT, PORT+2, …) and measure with wrk:
#   get_big    GET /api/invoices/<BIG-1's open invoice>   (the largest customer's history)
#   get_new    GET /api/invoices/<NEW-1's open invoice>   (the smallest: no history)
#   list       GET /api/invoices?customer=BIG-1&status=open&limit=50 (a filtered list page)
#   payment    POST /api/invoices/<random open id>/payments {"amount":1}
# REPEATS rounds; in each, every load runs on every size in turn (the sizes interleaved, so the
# machine's load weighs on all alike), with the 1-minute load average logged beside each figure
# and each import. The table gives each load's median req/s over the rounds, the ratio of GET at each N to GET at the smallest N, the peak
# RSS of invoices_svc (VmHWM, over the whole server run) and the import time. Every answer is
# checked: a 200, and for the GETs an expectedDate (the predictor was in the path).
# A benchmark, not a test: it asserts nothing else.
#
#   bench/scale.sh                         SQLite, then PostgreSQL on a throwaway server
#                                          (scripts/test-postgres.sh: fsync=off, see there)
#   TIM_BENCH_DATABASE_URL=postgres://…/db bench/scale.sh
#                                          PostgreSQL on that server (tim_scale_<N> databases)
# Knobs (environment) [default]: SIZES ["1000 100000 1000000"]  BACKENDS ["sqlite postgres"]
#   REPEATS [3]  IMPORT_REPEATS [3] (imports of each size, each into a fresh store; the table
#   gives their median)  WRK_SECONDS [5]  WARMUP_SECONDS [1]  WRK_THREADS [1]  WRK_CONNS [10] (the
#   issue's wrk -t1 -c10 -d5s)  PORT [39290]  BENCH_WORK [/tmp/tim-scale-bench]
#   LOCK_FILE [/tmp/bench.lock]  TIM_BIN_DIR [build it: build/release/services]
# The whole run holds `flock LOCK_FILE`, so it never overlaps another benchmark.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
case ${1:-} in -h | --help) sed -n '2,27p' "$0"; exit 0 ;; esac

SIZES=${SIZES:-"1000 100000 1000000"}
BACKENDS=${BACKENDS:-"sqlite postgres"}
REPEATS=${REPEATS:-3}
IMPORT_REPEATS=${IMPORT_REPEATS:-3}
WRK_SECONDS=${WRK_SECONDS:-5}
WARMUP_SECONDS=${WARMUP_SECONDS:-1}
WRK_THREADS=${WRK_THREADS:-1}
WRK_CONNS=${WRK_CONNS:-10}
PORT=${PORT:-39290}
PREDICTOR_PORT=$((PORT + 1))
LOCK_FILE=${LOCK_FILE:-/tmp/bench.lock}
work=${BENCH_WORK:-/tmp/tim-scale-bench}
mkdir -p "$work"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }

if [ -z "${TIM_BIN_DIR:-}" ]; then
  source bench/lib/build.sh
  bench_build . build/release Release invoices_svc expected_date_svc
  TIM_BIN_DIR=$root/build/release/services
fi
svc=$TIM_BIN_DIR/invoices_svc/invoices_svc
predictor=$TIM_BIN_DIR/expected_date_svc/expected_date_svc

exec 9>"$LOCK_FILE"
flock 9

server_pid= predictor_pid= pg_started=0
declare -A server_of=()
cleanup() {
  for pid in $server_pid $predictor_pid; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  if [ "$pg_started" = 1 ]; then TIM_PG_DIR=$work/postgres scripts/test-postgres.sh stop >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

pg_base=
if [[ " $BACKENDS " == *" postgres "* ]]; then
  if [ -n "${TIM_BENCH_DATABASE_URL:-}" ]; then
    pg_base=$TIM_BENCH_DATABASE_URL
  else
    pg_base=$(TIM_PG_DIR=$work/postgres scripts/test-postgres.sh start)
    pg_started=1
  fi
fi

log() { echo "$*" >&2; }
wait_ready() { # url pid logfile
  for _ in $(seq 1 300); do
    curl -fs "$1" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { cat "$3" >&2; exit 1; }
    sleep 0.1
  done
  echo "not ready: $1" >&2; exit 1
}

HOST=127.0.0.1 PORT=$PREDICTOR_PORT MODEL_FILE=services/expected_date_svc/model/demo-model.json \
  LOG_LEVEL=warn "$predictor" >"$work/predictor.log" 2>&1 &
predictor_pid=$!
wait_ready "http://127.0.0.1:$PREDICTOR_PORT/readyz" "$predictor_pid" "$work/predictor.log"

fresh_store() { # backend n -> the store's environment assignment
  if [ "$1" = sqlite ]; then
    rm -rf "$work/data-$2"
    echo "DATA_DIR=$work/data-$2"
  else
    psql -q -X -v ON_ERROR_STOP=1 "$pg_base" -c "DROP DATABASE IF EXISTS tim_scale_$2" \
      -c "CREATE DATABASE tim_scale_$2" >/dev/null
    echo "DATABASE_URL=${pg_base%/*}/tim_scale_$2"
  fi
}
drop_store() {
  if [ "$1" = sqlite ]; then rm -rf "$work/data-$2"; else
    psql -q -X "$pg_base" -c "DROP DATABASE IF EXISTS tim_scale_$2" >/dev/null 2>&1 || true
  fi
}

# wrk with the given script and environment; prints "rps p50_ms p99_ms errors", exits on an
# answer that was not a 200 (socket errors, e.g. a timeout on the busy shared box, are counted).
run_wrk() { # name script url env...
  local name=$1 script=$2 url=$3 out bad; shift 3
  env "$@" wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${WARMUP_SECONDS}s" --timeout 10s -s "$script" "$url" >/dev/null
  out=$(env "$@" wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${WRK_SECONDS}s" --timeout 10s -s "$script" "$url" | grep '^BENCH')
  bad=$(sed -E 's/.*non200=([0-9]+).*/\1/' <<<"$out")
  if [ "$bad" -ne 0 ]; then echo "$name: answers that were not a 200: $out" >&2; exit 1; fi
  sed -E 's/.*rps=([0-9.]+) p50_ms=([0-9.]+) p99_ms=([0-9.]+) non200=[0-9]+ errors=([0-9]+).*/\1 \2 \3 \4/' <<<"$out"
}

results=$work/results-$(date +%Y%m%d-%H%M%S).tsv
: >"$results"
# Load average (1 minute) now: printed beside every figure, the machine is shared.
load1() { cut -d' ' -f1 /proc/loadavg; }
for n in $SIZES; do
  [ -s "$work/skewed-$n.csv" ] || python3 bench/lib/gen_skewed.py "$n" "$work/skewed-$n.csv"
done
sync  # the generator's writes leave the page cache now, not during the first import
for backend in $BACKENDS; do
  # Every size's store is loaded, then served at once (one invoices_svc per size, ports
  # PORT+2k): each round runs a load on every size in turn, so the machine's load at that
  # moment weighs on the small store and the large one alike.
  declare -A store_env=() import_s=() base=()
  k=0
  for n in $SIZES; do
    # IMPORT_REPEATS imports, each into a fresh store; the last one is served.
    for i in $(seq 1 "$IMPORT_REPEATS"); do
      store_env[$n]=$(fresh_store "$backend" "$n")
      l0=$(load1)
      t0=$EPOCHREALTIME
      report=$(env "${store_env[$n]}" "$svc" import "$work/skewed-$n.csv") || true
      import_s[$n]=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.2f", b-a}')
      grep -q "\"imported\":$n," <<<"$report" || { echo "import of $n: ${report:0:300}" >&2; exit 1; }
      printf '%s\t%s\t%s\timport\t%s\t%s\n' "$backend" "$n" "${import_s[$n]}" "$i" "$l0 $(load1)" >>"$results"
      log "$backend $n: import $i of $IMPORT_REPEATS: ${import_s[$n]} s (load $l0 -> $(load1))"
    done
    port=$((PORT + 2 * k)); k=$((k + 1))
    [ "$port" -ne "$PREDICTOR_PORT" ] || { echo "PORT+2k hits the predictor's port" >&2; exit 1; }
    env "${store_env[$n]}" SEED_DEMO_DATA=false HOST=127.0.0.1 PORT="$port" LOG_LEVEL=warn ACCESS_LOG=false \
      EXPECTED_DATE_URI="http://127.0.0.1:$PREDICTOR_PORT" "$svc" >"$work/server-$n.log" 2>&1 &
    server_pid="$server_pid $!"
    server_of[$n]=$!
    wait_ready "http://127.0.0.1:$port/readyz" "$!" "$work/server-$n.log"
    base[$n]=http://127.0.0.1:$port
    curl -fs "${base[$n]}/api/invoices/$((n - 1))" | grep -q '"customerId":"BIG-1"' || { echo "id $((n - 1)) is not BIG-1's" >&2; exit 1; }
    curl -fs "${base[$n]}/api/invoices/$n" | grep -q '"customerId":"NEW-1"' || { echo "id $n is not NEW-1's" >&2; exit 1; }
  done
  for round in $(seq 1 "$REPEATS"); do
    for load in get_big get_new list payment; do
      for n in $SIZES; do
        b=${base[$n]}
        l0=$(load1)
        case $load in
          get_big) r=$(run_wrk "$load" bench/lib/fixed_get.lua "$b" BENCH_PATH="/api/invoices/$((n - 1))" BENCH_WANT_EXPECTED=1) ;;
          get_new) r=$(run_wrk "$load" bench/lib/fixed_get.lua "$b" BENCH_PATH="/api/invoices/$n" BENCH_WANT_EXPECTED=1) ;;
          list) r=$(run_wrk "$load" bench/lib/fixed_get.lua "$b" BENCH_PATH="/api/invoices?customer=BIG-1&status=open&limit=50") ;;
          payment) r=$(run_wrk "$load" bench/lib/payment.lua "$b" BENCH_N="$n") ;;
        esac
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$backend" "$n" "${import_s[$n]}" "$load" "$round" "$r" "$l0" >>"$results"
        log "$backend $n round $round $load: $r (load $l0)"
      done
    done
  done
  for n in $SIZES; do
    hwm_kib=$(awk '/^VmHWM/{print $2}' "/proc/${server_of[$n]}/status")
    printf '%s\t%s\t%s\trss\t-\t%s\n' "$backend" "$n" "${import_s[$n]}" "$hwm_kib" >>"$results"
    kill "${server_of[$n]}"; wait "${server_of[$n]}" 2>/dev/null || true
    drop_store "$backend" "$n"
  done
  server_pid=
done

echo
echo "scale benchmark: wrk -t$WRK_THREADS -c$WRK_CONNS -d${WRK_SECONDS}s on 127.0.0.1, predictor running (demo model); median req/s of $REPEATS interleaved rounds; $(nproc) cores"
python3 - "$results" <<'PY'
import statistics, sys
from collections import defaultdict
runs, rss, imports, errors, loads_seen, import_load = defaultdict(list), {}, defaultdict(list), 0, [], defaultdict(list)
for line in open(sys.argv[1]):
    backend, n, import_s, load, _round, *rest = line.rstrip("\n").split("\t")
    key = (backend, int(n))
    if load == "rss":
        rss[key] = int(rest[0]) / 1024
    elif load == "import":
        imports[key].append(float(import_s))
        import_load[key].append(rest[0].replace(" ", "->"))
    else:
        fields = rest[0].split()
        runs[key + (load,)].append(float(fields[0]))
        errors += int(fields[3])
        if len(rest) > 1:
            loads_seen.append(float(rest[1]))
loads = ["get_big", "get_new", "list", "payment"]
print("| store | N | import s, median (each; load at start->end) | GET big req/s | GET new req/s | list req/s | payment req/s | GET big vs smallest N | GET new vs smallest N | peak RSS MiB |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for backend in dict.fromkeys(k[0] for k in imports):
    sizes = sorted(k[1] for k in imports if k[0] == backend)
    med = {(n, l): statistics.median(runs[(backend, n, l)]) for n in sizes for l in loads if runs[(backend, n, l)]}
    for n in sizes:
        cells = [f"{med.get((n, l), float('nan')):.0f}" for l in loads]
        ratios = [f"{med[(n, l)] / med[(sizes[0], l)]:.2f}" for l in ("get_big", "get_new")]
        each = "; ".join(f"{t:.1f}: {l}" for t, l in zip(imports[(backend, n)], import_load[(backend, n)]))
        print(f"| {backend} | {n:,} | {statistics.median(imports[(backend, n)]):.1f} ({each}) | " + " | ".join(cells) + " | " +
              " | ".join(ratios) + f" | {rss.get((backend, n), float('nan')):.1f} |")
print(f"socket errors (wrk timeouts at 10 s, resets) over all runs: {errors}")
if loads_seen:
    print(f"1-minute load average at the start of the wrk runs: min {min(loads_seen):.2f}, "
          f"median {statistics.median(loads_seen):.2f}, max {max(loads_seen):.2f}")
PY
echo "raw: $results"
