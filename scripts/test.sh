#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite:
#   1. Release build with warnings as errors: unit tests and functional tests (real binaries
#      on loopback, driven over HTTP);
#   2. the unit tests again under AddressSanitizer and UndefinedBehaviorSanitizer, then each
#      libFuzzer target of fuzz/ for FUZZ_SECONDS (60) with clang (scripts/fuzz.sh);
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

scripts/setup-deps.sh test
scripts/setup-deps.sh browser
jobs=$(nproc)

TIM_TEST_DATABASE_URL=$(scripts/test-postgres.sh start)
export TIM_TEST_DATABASE_URL
trap 'scripts/test-postgres.sh stop >/dev/null 2>&1 || true' EXIT

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
(cd build/test && ctest --output-on-failure -j"$jobs")

cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DTIM_SANITIZE=address,undefined \
  -DTIM_BUILD_SERVICES=OFF -DTIM_WERROR=ON >/dev/null
cmake --build build/asan -j"$jobs"
(cd build/asan && ctest --output-on-failure -j"$jobs")

# 7 targets x FUZZ_SECONDS, $jobs at a time: about 4 min of the CI budget at the default 60 s.
FUZZ_SECONDS=${FUZZ_SECONDS:-60} scripts/fuzz.sh

# docs/openapi.yaml against the OpenAPI 3.1 schema and Redocly's strict rules (a few seconds).
(cd tools/openapi && npm ci --no-audit --no-fund --loglevel=error && npm run --silent lint)

(cd tools/deploy-check && npm ci --no-audit --no-fund --loglevel=error)
scripts/check-deploy.sh
(cd tools/deploy-check && npm test)

scripts/setup-deps.sh images
scripts/build-images.sh --smoke
scripts/build-images.sh postgres
scripts/kube-play.sh tim-gateway
scripts/kube-play.sh base
(cd tools/deploy-check && npm run test:play)
