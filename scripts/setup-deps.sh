#!/usr/bin/env bash
# Installs the Debian 12 packages TIM needs; the one place our dependencies are listed.
#   scripts/setup-deps.sh build   configure, compile and run the services and their unit tests
#                                 (scripts/run-local.sh; the images' build stage)
#   scripts/setup-deps.sh test    build + what the whole test suite needs (PostgreSQL, pytest,
#                                 Node.js, clang-14 and its libFuzzer/sanitizer runtimes)
#   scripts/setup-deps.sh browser chromium, its driver and Selenium, for tests/browser
#   scripts/setup-deps.sh images  podman and debootstrap, to build the container images (and play
#                                 the manifests with scripts/kube-play.sh)
# Installs only what is missing (--no-upgrade). Not root: prints the apt line and stops.
set -euo pipefail

# CMake's configure needs GoogleTest, Google Benchmark and python3 even for a build that runs no
# test; curl: scripts/run-local.sh's readiness checks, and the client of the images' smoke test.
BUILD_PACKAGES=(
  g++ cmake make pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libyaml-cpp-dev prometheus-cpp-dev libcli11-dev
  libsqlite3-dev libpq-dev libssl-dev nettle-dev
  libgtest-dev libgmock-dev libbenchmark-dev python3 curl
)
# python3-yaml: tests/functional/test_openapi_routes.py reads docs/openapi.yaml and the routes;
# python3-jsonschema: tests/functional/contract.py checks each answer against the document.
# stress-ng: keeps the cores busy while the suite runs repeatedly (docs/testing.md).
TEST_PACKAGES=(
  python3-pytest python3-yaml python3-jsonschema prometheus
  postgresql-15 stress-ng
  clang-14 libclang-rt-14-dev
)
# tests/browser (ctest functional_browser_app): the web app in headless chromium, driven by
# Selenium. A list of its own, which scripts/test.sh installs after `test`: the images' build
# stage needs no browser (238 more packages, 200 MB to download).
BROWSER_PACKAGES=(chromium chromium-driver python3-selenium)

IMAGE_PACKAGES=(
  podman buildah debootstrap runc
  jq curl # scripts/kube-play.sh
)

want=("${BUILD_PACKAGES[@]}")
case "${1:-build}" in
  build) ;;
  test) want+=("${TEST_PACKAGES[@]}") ;;
  browser) want=("${BROWSER_PACKAGES[@]}") ;;
  images) want=("${IMAGE_PACKAGES[@]}") ;;
  *) echo "usage: $0 build|test|browser|images" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The manifest checks (tools/deploy-check) run on Node.js with npm: Debian's unless the machine
# already has a Node.js with npm (e.g. from NodeSource, which bundles npm).
if [ "${1:-build}" = test ] && ! command -v npm >/dev/null; then missing+=(nodejs npm); fi
[ ${#missing[@]} -eq 0 ] && exit 0

apt_line="apt-get install -y --no-upgrade ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages. Run as root:" >&2
  echo "  apt-get update && $apt_line" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-o DPkg::Lock::Timeout=600 -q)
apt-get "${apt_opts[@]}" update
# Boost 1.81's -dev packages conflict with 1.74's (pulled in by python3-sklearn and friends):
# apt would remove those silently. Refuse instead, and say what would go.
removals=$(apt-get "${apt_opts[@]}" -s install -y --no-upgrade "${missing[@]}" | awk '/^Remv/ {print $2}')
if [ -n "$removals" ] && [ "${TIM_ALLOW_REMOVALS:-0}" != 1 ]; then
  echo "Installing would remove these packages: $removals" >&2
  echo "Set TIM_ALLOW_REMOVALS=1 to accept that." >&2
  exit 1
fi
apt-get "${apt_opts[@]}" install -y --no-upgrade "${missing[@]}"
