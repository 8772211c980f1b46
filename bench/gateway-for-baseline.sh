#!/usr/bin/env bash
# Starts our gateway as the shared load script starts a gateway: it hands over AUTH_URI and
# INVOICES_URI; our gateway reads the repository's route file and UPSTREAMS instead.
root=$(cd "$(dirname "$0")/.." && pwd)
exec env ROUTES_FILE="$root/kube/overlays/emissary/routes.yaml" \
  UPSTREAMS="invoices-svc=${INVOICES_URI#http://},auth-svc:3000=${AUTH_URI#http://}" \
  "${TIM_BIN_DIR:-$root/build/release/services}/gateway/gateway"
