#!/usr/bin/env bash
# Two revisions' chains side by side: the same four services, one revision then the other,
# alternating for ROUNDS rounds, so that a machine whose speed drifts (this one is a shared VM)
# weighs on both alike. Each round: the chain of one revision started fresh (SQLite, demo data),
# wrk on GET /invoices/42 through the gateway (2 threads, 50 connections, 3 s warm-up, 10 s
# measured), the four servers' CPU (utime+stime from /proc) per request. Prints every round and
# the medians, and the ratio new/old.
#   bench/ab.sh OLD_REV [NEW_REV]     NEW_REV default: the working tree as it is
#   ROUNDS=5 bench/ab.sh main~3
#   OLD_BIN_DIR=/work/main/build/test/services NEW_BIN_DIR=build/test/services bench/ab.sh main
# A revision is built in a detached worktree under $OUT (Release, ccache when present).
# Every round holds /tmp/bench.lock and first waits for a quiet machine (bench/lib/quiet.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

[[ $# -ge 1 ]] || { sed -n '2,12p' "$0" >&2; exit 2; }
old_rev=$1 new_rev=${2:-}
: "${ROUNDS:=3}"
: "${WRK_THREADS:=2}"
: "${WRK_CONNS:=50}"
: "${WRK_SECONDS:=10}"
: "${WARMUP_SECONDS:=3}"
: "${QUIET_BUSY_PCT:=25}"
: "${QUIET_MAX_WAIT_S:=180}"
: "${BASE_PORT:=18680}"
: "${OUT:=/tmp/tim-ab/$(date +%Y%m%d-%H%M%S)}"
host=127.0.0.1 token=letmeinpleasekthxbye
gw_port=$BASE_PORT auth_port=$((BASE_PORT + 1)) inv_port=$((BASE_PORT + 2)) ed_port=$((BASE_PORT + 3))

for tool in wrk curl python3 flock git cmake; do
  command -v $tool >/dev/null || { echo "ab.sh needs $tool" >&2; exit 1; }
done
mkdir -p "$OUT"
log() { printf '[ab %s] %s\n' "$(date +%T)" "$*" >&2; }

source bench/lib/build.sh

worktrees=()
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for w in "${worktrees[@]}"; do git worktree remove --force "$w" 2>/dev/null || true; done
}
trap cleanup EXIT

# prepare REV NAME: tree[NAME] = the checkout to run (a worktree for a revision, this tree for
# none), built. Not in a subshell, so that cleanup knows the worktrees.
declare -A tree bins
prepare() {
  local dir=$root prebuilt
  # OLD_BIN_DIR / NEW_BIN_DIR: an existing Release build's services/ folder, used as it is (the
  # route file and model come from this tree).
  if [[ $2 == old ]]; then prebuilt=${OLD_BIN_DIR:-}; else prebuilt=${NEW_BIN_DIR:-}; fi
  if [[ -n $prebuilt ]]; then
    log "$2: the build in $prebuilt"
    tree[$2]=$root bins[$2]=$prebuilt
    return
  fi
  if [[ -n $1 ]]; then
    dir=$OUT/src-$2
    git worktree add --detach --force "$dir" "$1" >/dev/null 2>&1
    worktrees+=("$dir")
  fi
  log "building $2 (${1:-working tree}) in $dir"
  bench_build "$dir" "$dir/build/release" Release gateway auth_svc invoices_svc expected_date_svc
  tree[$2]=$dir bins[$2]=$dir/build/release/services
}
prepare "$old_rev" old
prepare "$new_rev" new

ticks() { awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$1/stat"; }
source bench/lib/quiet.sh

# round NAME N -> one line "rps p99_ms cpu_us_per_req"
round() {
  local dir=${tree[$1]} data=$OUT/data-$1-$2 bin
  bin=${bins[$1]}
  mkdir -p "$data"
  pids=()
  (cd "$dir" && HOST=$host PORT=$ed_port MODEL_FILE=services/expected_date_svc/model/demo-model.json \
    exec "$bin/expected_date_svc/expected_date_svc") >"$data/expected_date.log" 2>&1 &
  pids+=($!)
  HOST=$host PORT=$auth_port TOKEN=$token "$bin/auth_svc/auth_svc" >"$data/auth.log" 2>&1 &
  pids+=($!)
  HOST=$host PORT=$inv_port EXPECTED_DATE_URI=http://$host:$ed_port DATA_DIR=$data \
    "$bin/invoices_svc/invoices_svc" >"$data/invoices.log" 2>&1 &
  pids+=($!)
  HOST=$host PORT=$gw_port ADMIN_PORT=$((gw_port + 1000)) ROUTES_FILE=$dir/kube/overlays/emissary/routes.yaml \
    UPSTREAMS="invoices-svc=$host:$inv_port,auth-svc:3000=$host:$auth_port" \
    "$bin/gateway/gateway" >"$data/gateway.log" 2>&1 &
  pids+=($!)
  local url=http://$host:$gw_port/invoices/42
  for _ in $(seq 100); do curl -fs -o /dev/null -H "authorization: $token" "$url" && break; sleep 0.1; done
  curl -fs -o /dev/null -H "authorization: $token" "$url" || { log "$1 does not answer ($data)"; exit 1; }

  wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"$WARMUP_SECONDS"s -H "authorization: $token" "$url" >/dev/null
  local before=0 after=0 p
  for p in "${pids[@]}"; do before=$((before + $(ticks "$p"))); done
  wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"$WRK_SECONDS"s --latency -H "authorization: $token" \
    "$url" >"$data/wrk.txt"
  for p in "${pids[@]}"; do after=$((after + $(ticks "$p"))); done
  for p in "${pids[@]}"; do kill "$p"; done
  wait 2>/dev/null || true
  pids=()
  python3 - "$data/wrk.txt" $((after - before)) "$(getconf CLK_TCK)" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
ticks, hz = int(sys.argv[2]), int(sys.argv[3])
requests = int(re.search(r"(\d+) requests in", text).group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", text).groups()
p99 = float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
if bad or "Socket errors" in text:
    sys.exit("errors in " + sys.argv[1])
print(f"{rps:.0f} {p99:.2f} {ticks / hz * 1e6 / requests:.1f}")
PY
}

results=$OUT/rounds.tsv
: >"$results"
for n in $(seq "$ROUNDS"); do
  for side in old new; do
    wait_quiet >/dev/null
    exec 9>/tmp/bench.lock
    flock 9
    line=$(round $side "$n")
    flock -u 9
    printf '%s\t%s\t%s\n' "$side" "$n" "$line" | tee -a "$results" >&2
  done
done

python3 - "$results" "$old_rev" "${new_rev:-working tree}" <<'PY'
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().splitlines()]
med = {}
for side in ("old", "new"):
    vals = [list(map(float, r[2].split())) for r in rows if r[0] == side]
    med[side] = [statistics.median(v[i] for v in vals) for i in range(3)]
print(f"\nChain through the gateway, medians of {len(rows) // 2} alternating rounds "
      f"(old: {sys.argv[2]}, new: {sys.argv[3]})\n")
print("| | req/s | p99 ms | server CPU µs/req |")
print("|---|---:|---:|---:|")
for side in ("old", "new"):
    r, p, c = med[side]
    print(f"| {side} | {r:,.0f} | {p:.2f} | {c:.1f} |")
o, n = med["old"], med["new"]
print(f"| new/old | {n[0] / o[0]:.2f}x | {n[1] / o[1]:.2f}x | {n[2] / o[2]:.2f}x |")
PY
