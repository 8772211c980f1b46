#!/usr/bin/env bash
# Starts our invoices_svc as the shared load script starts a service, configured as the
# Kubernetes base deploys it: the prediction cache on (PREDICTION_CACHE_ENTRIES, 10000 unless
# set, as kube/base/invoices-svc sets it). PREDICTION_CACHE_ENTRIES=0 measures every GET asking
# the predictor, as the binary's default does.
root=$(cd "$(dirname "$0")/.." && pwd)
exec env PREDICTION_CACHE_ENTRIES="${PREDICTION_CACHE_ENTRIES:-10000}" \
  "${TIM_BIN_DIR:-$root/build/release/services}/invoices_svc/invoices_svc"
