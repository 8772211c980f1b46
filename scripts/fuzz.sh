#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (build/fuzz, apart from the g++ build) and
# runs each for FUZZ_SECONDS (default 60), FUZZ_JOBS at a time (default: the number of cores),
# from its committed seeds. Prints each target's executions per second. A crash fails the run;
# its input is left in build/fuzz/artifacts/<target>/ (fix it, then keep the input in
# fuzz/regressions/<target>/, which ctest replays).
#   scripts/fuzz.sh                 build and fuzz every target
#   scripts/fuzz.sh cursor jwt      only these
#   FUZZ_SECONDS=600 scripts/fuzz.sh csv_import
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-$(nproc)}
build=build/fuzz
all=(http_request http_response route_config invoice_json csv_import jwt cursor)
targets=("${@:-${all[@]}}")
[ $# -eq 0 ] && targets=("${all[@]}")

CXX=${FUZZ_CXX:-clang++-14} cmake -S fuzz -B "$build" >/dev/null
cmake --build "$build" -j"$jobs" --target "${targets[@]/#/fuzz_}" >/dev/null

run_one() {
  local t=$1 work=$build/run/$1 log=$build/run/$1.log
  rm -rf "$work" "$build/artifacts/$t"
  mkdir -p "$work" "$build/artifacts/$t"
  # The corpus grows in $work; the committed seeds and regressions are only read.
  if "$build/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$build/artifacts/$t/" \
    "$work" "fuzz/corpus/$t" "fuzz/regressions/$t" >"$log" 2>&1; then
    local runs rate
    runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
    rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$log")
    printf '%-14s ok     %10s execs  %7s execs/s  corpus %s\n' "$t" "$runs" "$rate" \
      "$(find "$work" -type f | wc -l)"
  else
    printf '%-14s FAILED (log: %s, input in %s)\n' "$t" "$log" "$build/artifacts/$t/"
    grep -m1 -A12 'ERROR: \|runtime error' "$log" >&2 || tail -20 "$log" >&2
    return 1
  fi
}

failed=0
running=0
for t in "${targets[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || failed=1
    running=$((running - 1))
  fi
done
while [ "$running" -gt 0 ]; do
  wait -n || failed=1
  running=$((running - 1))
done
exit $failed
