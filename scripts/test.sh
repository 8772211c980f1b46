#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite:
#   1. Release build with warnings as errors: unit tests and functional tests (real binaries
#      on loopback, driven over HTTP);
#   2. a Debug build (asserts on) with AddressSanitizer and UndefinedBehaviorSanitizer: every
#      unit test, libs/http's included, and the functional suites of ASAN_SUITES against the
#      sanitized binaries (docs/testing.md: which, and why not all); then each libFuzzer target
#      of fuzz/ for FUZZ_SECONDS (30) with clang (scripts/fuzz.sh);
#   3. docs/openapi.yaml linted (tools/openapi); the offline checks of the Kubernetes manifests
#      and Dockerfiles (tools/deploy-check),
#      and their own tests on deliberately broken copies;
#   4. the four container images built with podman (from a local Debian base: nothing is
#      pulled), their sizes checked, and the tutorial's requests run against them;
#   5. the manifests played with podman (scripts/kube-play.sh): the tim-gateway overlay and the
#      base with PostgreSQL from its own image, then the deliberately broken copies that must fail.
# The store's tests run against SQLite and against a throwaway PostgreSQL started here.
#
#   scripts/test.sh               all of the above
#   scripts/test.sh --repeat N    for chasing a flaky test: builds, then runs the functional
#                                 suites (ctest -R '^functional_', -j as CI) N times in a row,
#                                 stopping at the first run that fails
set -euo pipefail
cd "$(dirname "$0")/.."

repeat=0
while [ $# -gt 0 ]; do
  case "$1" in
    --repeat)
      [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [--repeat N]  (N >= 1)" >&2; exit 2; }
      repeat=$2
      shift 2
      ;;
    *) echo "usage: $0 [--repeat N]" >&2; exit 2 ;;
  esac
done

# Each stage's wall time, printed as it ends and again at the end: CI has a budget (docs/testing.md).
stage_name= stage_start=$SECONDS timings=()
stage() {
  if [ -n "$stage_name" ]; then
    timings+=("$(printf '%5d s  %s' $((SECONDS - stage_start)) "$stage_name")")
    echo "== $stage_name: $((SECONDS - stage_start)) s"
  fi
  stage_name=$1 stage_start=$SECONDS
  [ -z "$1" ] || echo "== $1"
}
finish() {
  scripts/test-postgres.sh stop >/dev/null 2>&1 || true
  [ -n "$stage_name" ] && stage ""
  [ ${#timings[@]} -eq 0 ] || printf '== stage times (%d s in all)\n%s\n' "$SECONDS" "$(printf '%s\n' "${timings[@]}")"
}
trap finish EXIT

stage "packages"
scripts/setup-deps.sh test
scripts/setup-deps.sh browser
jobs=$(nproc)

TIM_TEST_DATABASE_URL=$(scripts/test-postgres.sh start)
export TIM_TEST_DATABASE_URL

stage "release build"
cmake -S . -B build/test -DCMAKE_BUILD_TYPE=Release -DTIM_WERROR=ON -DTIM_FAILPOINTS=ON >/dev/null
cmake --build build/test -j"$jobs"
if [ "$repeat" -gt 0 ]; then
  for run in $(seq 1 "$repeat"); do
    echo "== functional suites, run $run of $repeat"
    if ! (cd build/test && ctest --output-on-failure --stop-on-failure -j"$jobs" -R '^functional_'); then
      echo "== run $run of $repeat failed" >&2
      exit 1
    fi
  done
  echo "== $repeat runs of the functional suites passed"
  exit 0
fi
stage "release tests"
(cd build/test && ctest --output-on-failure -j"$jobs")

# Any sanitizer report fails: the process stops with a non-zero exit, and the functional
# harness also fails a test whose service logged a report. The harness passes these on to every
# service; they are set for this stage only (scripts/fuzz.sh has its own).
sanitizer_env=(ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1)
# The functional suites run under the sanitizers (docs/testing.md#sanitizers): the rest is
# left to the Release run above, where their timing assertions hold.
ASAN_SUITES=${ASAN_SUITES:-auth_credentials|cli|contract|date_range|expected_date|gateway|invoices_api|invoices_corrections|invoices_crash|invoices_events|invoices_idempotency|invoices_import_idempotency|invoices_store|no_bypass|services|shutdown|tutorial_flow}
stage "sanitizer build"
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DTIM_SANITIZE=address,undefined \
  -DTIM_WERROR=ON -DTIM_FAILPOINTS=ON -DTIM_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build/asan -j"$jobs"
stage "sanitizer tests"
(cd build/asan && env "${sanitizer_env[@]}" ctest --output-on-failure -j"$jobs" -E '^functional_')
(cd build/asan && env "${sanitizer_env[@]}" TIM_TIMEOUT_FACTOR=3 \
  ctest --output-on-failure -j"$jobs" -R "^functional_($ASAN_SUITES)\$")

# 7 targets x FUZZ_SECONDS, $jobs at a time: about 2 min of the CI budget at the default 30 s
# (longer runs: scripts/fuzz.sh on its own, docs/fuzzing.md).
stage "fuzz"
FUZZ_SECONDS=${FUZZ_SECONDS:-30} scripts/fuzz.sh

stage "OpenAPI and manifests"
# docs/openapi.yaml against the OpenAPI 3.1 schema and Redocly's strict rules (a few seconds).
(cd tools/openapi && npm ci --no-audit --no-fund --loglevel=error && npm run --silent lint)

(cd tools/deploy-check && npm ci --no-audit --no-fund --loglevel=error)
scripts/check-deploy.sh
(cd tools/deploy-check && npm test)

# Images and the manifests' play need root (debootstrap, podman with runc): as another user
# everything above has run, and these two stages are skipped, saying so. CI runs as root.
if [ "$(id -u)" -ne 0 ]; then
  echo "== not root: skipped the image build and the manifests played with podman (sudo scripts/test.sh runs them)" >&2
  exit 0
fi
stage "images"
scripts/setup-deps.sh images
scripts/build-images.sh --smoke
scripts/build-images.sh postgres
stage "manifests played"
scripts/kube-play.sh tim-gateway
scripts/kube-play.sh base
(cd tools/deploy-check && npm run test:play)
