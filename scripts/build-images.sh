#!/usr/bin/env bash
# Builds the four service images with podman, from a local Debian 12 base.
#
#   scripts/build-images.sh [service...]     default: all four, tagged localhost/tim/<service>:dev
#   scripts/build-images.sh --base-only      only prepare the base image
#
# Nothing is pulled: the base image is made here with debootstrap from the same Debian mirror
# apt uses on this machine, and imported as $BASE_IMAGE. The Dockerfiles take it as a build
# argument (default debian:12-slim, for machines with a registry).
#
# Needs (root): apt-get install podman buildah debootstrap runc
# Env:
#   TAG=dev                  image tag
#   IMAGE_PREFIX=localhost/tim/
#   BASE_IMAGE=localhost/tim/debian:12-minbase
#   MAX_IMAGE_MB=40          fail when a final image is larger
#   PODMAN_BUILD_ARGS=...    extra flags for podman build
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
TAG=${TAG:-dev}
IMAGE_PREFIX=${IMAGE_PREFIX:-localhost/tim/}
BASE_IMAGE=${BASE_IMAGE:-localhost/tim/debian:12-minbase}
MAX_IMAGE_MB=${MAX_IMAGE_MB:-40}
ALL_SERVICES=(auth_svc expected_date_svc invoices_svc gateway)

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

services=("$@")
[ ${#services[@]} -gt 0 ] || services=("${ALL_SERVICES[@]}")

status=0
for svc in "${services[@]}"; do
  dockerfile="$root/services/$svc/Dockerfile"
  [ -f "$dockerfile" ] || { echo "no Dockerfile for $svc" >&2; exit 2; }
  image="${IMAGE_PREFIX}${svc}:${TAG}"
  t0=$SECONDS
  # The build stage is identical in all four Dockerfiles, so after the first image the
  # compile is a cache hit and each further image only assembles its final stage.
  # shellcheck disable=SC2086
  podman build --isolation chroot --pull=never --network host \
    --build-arg BASE_IMAGE="$BASE_IMAGE" ${PODMAN_BUILD_ARGS:-} \
    -f "$dockerfile" -t "$image" "$root"
  bytes=$(podman image inspect --format '{{.Size}}' "$image")
  mb=$(( (bytes + 1048575) / 1048576 ))
  echo "$image: ${mb} MB, built in $((SECONDS - t0)) s"
  if [ "$mb" -gt "$MAX_IMAGE_MB" ]; then
    echo "FAIL: $image is ${mb} MB, limit ${MAX_IMAGE_MB} MB" >&2
    status=1
  fi
done
exit $status
