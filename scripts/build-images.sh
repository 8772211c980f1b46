#!/usr/bin/env bash
# Builds the service images (the four services and webapp) with podman, from a local Debian 12 base.
#
#   scripts/build-images.sh [service...]     default: all five, tagged localhost/tim/<service>:dev
#   scripts/build-images.sh --base-only      only prepare the base image
#   scripts/build-images.sh --smoke          build all five, then run them together and curl
#   scripts/build-images.sh postgres         PostgreSQL 15 for scripts/kube-play.sh (images/postgres),
#                                            tagged localhost/tim/postgres:15-bookworm
#
# Nothing is pulled: the base image is made here with debootstrap from the same Debian mirror
# apt uses on this machine, and imported as $BASE_IMAGE. The Dockerfiles take it as a build
# argument (default debian:12-slim, for machines with a registry).
#
# Needs (root): apt-get install podman buildah debootstrap runc
# Env:
#   TAG=...                  one tag for all images (default: the tutorial's, auth_svc:v1,
#                            invoices_svc:v2, ..., as kube/base/kustomization.yaml expects)
#   IMAGE_PREFIX=localhost/
#   BASE_IMAGE=localhost/tim/debian:12-minbase
#   MAX_IMAGE_MB=40          fail when a final image is larger
#   MAX_POSTGRES_IMAGE_MB=480  the same for the PostgreSQL image (a Debian base with postgresql-15)
#   PODMAN_BUILD_ARGS=...    extra flags for podman build
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
IMAGE_PREFIX=${IMAGE_PREFIX:-localhost/}
BASE_IMAGE=${BASE_IMAGE:-localhost/tim/debian:12-minbase}
MAX_IMAGE_MB=${MAX_IMAGE_MB:-40}
ALL_SERVICES=(auth_svc expected_date_svc invoices_svc gateway webapp)
declare -A TUTORIAL_TAG=([auth_svc]=v1 [expected_date_svc]=v1 [invoices_svc]=v2 [gateway]=v1 [webapp]=v1)
image_of() {
  if [ "$1" = postgres ]; then echo "${IMAGE_PREFIX}tim/postgres:15-bookworm"; else echo "${IMAGE_PREFIX}$1:${TAG:-${TUTORIAL_TAG[$1]}}"; fi
}

for tool in podman debootstrap; do
  command -v "$tool" >/dev/null || {
    echo "$tool missing. As root: apt-get install -y podman buildah debootstrap runc" >&2
    exit 1
  }
done

# This machine's kernel has hybrid cgroups and no CAP_SYS_RESOURCE: crun and podman's default
# rlimits fail there, runc with explicit ulimits works (see docs/deploy.md). Harmless elsewhere.
conf_dir=$(mktemp -d)
trap 'rm -rf "$conf_dir"' EXIT
cat >"$conf_dir/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[engine]
runtime = "runc"
EOF
export CONTAINERS_CONF=${CONTAINERS_CONF:-$conf_dir/containers.conf}

prepare_base() {
  if podman image exists "$BASE_IMAGE"; then
    return 0
  fi
  [ "$(id -u)" -eq 0 ] || { echo "debootstrap needs root" >&2; exit 1; }
  local rootfs mirror t0
  rootfs=$(mktemp -d /var/tmp/tim-rootfs.XXXXXX)
  # The mirror apt already uses here: the base must not need any other host.
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list)
  echo "building $BASE_IMAGE with debootstrap (about a minute)"
  t0=$SECONDS
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 ||
    { tail -20 "$rootfs.log" >&2; exit 1; }
  # Same sources as the host (security updates included), and no cached .debs in the image.
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/debian.sources"
    rm -f "$rootfs/etc/apt/sources.list"
  fi
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar --numeric-owner -C "$rootfs" -c . |
    podman import --change 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs" "$rootfs.log"
  echo "base image ready in $((SECONDS - t0)) s"
}

prepare_base
[ "${1:-}" = "--base-only" ] && exit 0
smoke=0
if [ "${1:-}" = "--smoke" ]; then
  smoke=1
  shift
fi

services=("$@")
[ ${#services[@]} -gt 0 ] || services=("${ALL_SERVICES[@]}")

status=0
for svc in "${services[@]}"; do
  dockerfile="$root/services/$svc/Dockerfile"
  context=$root
  limit=$MAX_IMAGE_MB
  if [ "$svc" = postgres ]; then
    # Not one of ours: the stand-in for postgres:15-bookworm that kube-play.sh plays.
    dockerfile=$root/images/postgres/Dockerfile
    context=$root/images/postgres
    limit=${MAX_POSTGRES_IMAGE_MB:-480}
  fi
  [ -f "$dockerfile" ] || { echo "no Dockerfile for $svc" >&2; exit 2; }
  image=$(image_of "$svc")
  t0=$SECONDS
  # The build stage is identical in all four Dockerfiles, so after the first image the
  # compile is a cache hit and each further image only assembles its final stage.
  # shellcheck disable=SC2086
  podman build --isolation chroot --pull=never --network host \
    --build-arg BASE_IMAGE="$BASE_IMAGE" ${PODMAN_BUILD_ARGS:-} \
    -f "$dockerfile" -t "$image" "$context"
  bytes=$(podman image inspect --format '{{.Size}}' "$image")
  mb=$(( (bytes + 1048575) / 1048576 ))
  echo "$image: ${mb} MB, built in $((SECONDS - t0)) s"
  if [ "$mb" -gt "$limit" ]; then
    echo "FAIL: $image is ${mb} MB, limit ${limit} MB" >&2
    status=1
  fi
done
[ $status -eq 0 ] || exit $status
[ $smoke -eq 1 ] || exit 0

# --- smoke test: the four images together, as the tutorial runs them ---------------------------
# One pod; the tutorial's service names resolve to 127.0.0.1, so all traffic stays on the pod's
# loopback; each service on its tutorial port (the pod lets non-root bind 80). Containers run as
# in Kubernetes: read-only root, all capabilities dropped, no privilege escalation, user 65532.
# The pod keeps podman's default network although nothing uses it: with loopback only
# (--network none) the services' resolver (getaddrinfo with AI_ADDRCONFIG, Asio's default)
# finds no configured address family and refuses every name, 127.0.0.1 ones included.
# The build stage (cached) has curl: it is the client.
client=${IMAGE_PREFIX}tim-build:smoke
# shellcheck disable=SC2086
podman build --isolation chroot --pull=never --network host --target build -q \
  --build-arg BASE_IMAGE="$BASE_IMAGE" ${PODMAN_BUILD_ARGS:-} \
  -f "$root/services/auth_svc/Dockerfile" -t "$client" "$root" >/dev/null
pod=tim-smoke-$$
podman pod create --name "$pod" \
  --add-host auth-svc:127.0.0.1 --add-host invoices-svc:127.0.0.1 \
  --add-host expected-date-svc:127.0.0.1 --add-host gateway:127.0.0.1 \
  --sysctl net.ipv4.ip_unprivileged_port_start=0 >/dev/null
trap 'podman pod rm -f "$pod" >/dev/null 2>&1 || true; rm -rf "$conf_dir"' EXIT
locked=(--pod "$pod" -d --read-only --cap-drop ALL --security-opt no-new-privileges
  --user 65532:65532 --tmpfs /tmp:rw,mode=1777 -e HOST=127.0.0.1 -e LOG_LEVEL=info
  -e DRAIN_DELAY_MS=500 -e SHUTDOWN_TIMEOUT_MS=5000)
podman run "${locked[@]}" --name "$pod-expected-date-svc" -e PORT=8082 \
  -e MODEL_FILE=/usr/share/tim/demo-model.json "$(image_of expected_date_svc)" >/dev/null
podman run "${locked[@]}" --name "$pod-auth-svc" -e PORT=3000 -e TOKEN=letmeinpleasekthxbye "$(image_of auth_svc)" >/dev/null
podman run "${locked[@]}" --name "$pod-invoices-svc" -e PORT=80 --tmpfs /data:rw,mode=1777 -e DATA_DIR=/data \
  -e EXPECTED_DATE_URI=http://expected-date-svc:8082 "$(image_of invoices_svc)" >/dev/null
podman run "${locked[@]}" --name "$pod-webapp" -e PORT=8083 "$(image_of webapp)" >/dev/null
# The gateway's image carries the route file as its default ROUTES_FILE. Port 80 is taken by
# invoices-svc in this one pod: the app's Mapping (service webapp) is pointed at 8083.
podman run "${locked[@]}" --name "$pod-gateway" -e PORT=8080 -e UPSTREAMS=webapp=127.0.0.1:8083 "$(image_of gateway)" >/dev/null

curl_in_pod() { podman run --rm --pod "$pod" "$client" curl -sS --max-time 10 "$@"; }
passed=0
failed=0
expect() { # name, wanted, got
  if [ "$2" = "$3" ]; then
    passed=$((passed + 1)); echo "ok   $1"
  else
    failed=$((failed + 1)); echo "FAIL $1: wanted $2, got $3"
  fi
}
expect "expected-date-svc loaded the image's demo model" yes \
  "$(curl_in_pod -s http://127.0.0.1:8082/readyz | grep -q 'fallback rule' && echo no || echo yes)"
for port in 8082 3000 80 8083 8877; do  # 8877: the gateway's admin port
  curl_in_pod -o /dev/null --retry 30 --retry-connrefused --retry-delay 1 "http://127.0.0.1:$port/readyz" ||
    echo "service on port $port never became ready"
done
expect "no route: 404" 404 "$(curl_in_pod -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/nothing)"
expect "no authorization: 401 and the tutorial's body" '{"ok":false} 401' \
  "$(curl_in_pod -w ' %{http_code}' http://127.0.0.1:8080/invoices/42)"
expect "tutorial's magic word: 200" 200 "$(curl_in_pod -o /dev/null -w '%{http_code}' -H 'authorization: letmeinpleasekthxbye' http://127.0.0.1:8080/invoices/42)"
expect "the app without credentials: 200 with its CSP" "200 default-src 'self'" \
  "$(curl_in_pod -o /dev/null -w '%{http_code} %header{content-security-policy}' http://127.0.0.1:8080/app/ | cut -d';' -f1)"
invoice=$(curl_in_pod -H 'authorization: letmeinpleasekthxbye' http://127.0.0.1:8080/invoices/42)
echo "invoice 42: $invoice"
expect "invoice 42 has the tutorial's fields and an expectedDate (invoices-svc called expected-date-svc)" yes \
  "$(case $invoice in '{"id":42,"ref":"INV-42","amount":4200,"balance":4190,"ccy":"GBP","expectedDate":"'*) echo yes ;; *) echo no ;; esac)"
# PID 1 gets SIGTERM and exits 0 after draining, well inside the stop timeout.
t0=$SECONDS
podman stop -t 20 "$pod-gateway" >/dev/null
expect "gateway exits 0 on SIGTERM" 0 "$(podman inspect -f '{{.State.ExitCode}}' "$pod-gateway")"
expect "gateway stopped before the kill timeout" yes "$([ $((SECONDS - t0)) -lt 20 ] && echo yes || echo no)"
for c in expected-date-svc auth-svc invoices-svc webapp gateway; do
  podman logs "$pod-$c" 2>&1 | tail -3 | sed "s/^/[$c] /"
done
echo "smoke: $passed passed, $failed failed"
[ $failed -eq 0 ]
