#!/usr/bin/env bash
# Starts our gateway as the shared load script starts a gateway: it hands over AUTH_URI and
# INVOICES_URI; our gateway reads the repository's route file and UPSTREAMS instead.
# The auth-decision cache is on (AUTH_CACHE_ENTRIES, 10000 unless set; its TTL is the default
# 1000 ms), as a deployment that wants the auth hop saved runs it; AUTH_CACHE_ENTRIES=0 measures
# without it.
root=$(cd "$(dirname "$0")/.." && pwd)
exec env AUTH_CACHE_ENTRIES="${AUTH_CACHE_ENTRIES:-10000}" ROUTES_FILE="$root/kube/overlays/emissary/routes.yaml" \
  UPSTREAMS="invoices-svc=${INVOICES_URI#http://},auth-svc:3000=${AUTH_URI#http://}" \
  "${TIM_BIN_DIR:-$root/build/release/services}/gateway/gateway"
