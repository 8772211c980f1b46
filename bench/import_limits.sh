#!/usr/bin/env bash
# Bounded imports: builds invoices_svc (Release, build/bench-import) and runs
# bench/import_limits.py under `flock LOCK_FILE` so that it never overlaps another benchmark.
# Prints one junk import's cost, GET latency alone and during 4 junk imports, and RSS.
# Knobs: GETS [2000] (GETs per phase), LOCK_FILE [/tmp/bench.lock], SKIP_BUILD [0].
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source bench/lib/build.sh
dir=build/bench-import
[[ ${SKIP_BUILD:-0} == 1 ]] || bench_build "$root" "$dir" Release invoices_svc
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
TIM_BIN_DIR="$root/$dir/services" flock "${LOCK_FILE:-/tmp/bench.lock}" \
  /usr/bin/python3 bench/import_limits.py
