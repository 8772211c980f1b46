#!/usr/bin/env bash
# Retrains the predictor on the store's own ledger, on one machine: exports every invoice as
# CSV from invoices_svc, trains on its paid ones and replaces the model file (written beside
# it and renamed: the predictor never reads half a file). expected_date_svc re-reads its
# MODEL_FILE within a second, without a restart. The Kubernetes CronJob
# (kube/components/retrain) runs the same steps.
#   scripts/retrain.sh                          the run-local.sh setup (gateway, its token)
#   INVOICES_URL=http://127.0.0.1:3001/api/invoices scripts/retrain.sh   straight to invoices_svc
# Environment: INVOICES_URL (default http://127.0.0.1:${GATEWAY_PORT:-8080}/invoices/),
# TOKEN (sent as Authorization when set; run-local's by default), MODEL_FILE (default
# build/local-data/model.json: start the predictor with it, e.g. MODEL_FILE=… scripts/run-local.sh),
# EXPECTED_DATE_SVC (the binary; default build/release/…), UNTIL (train on invoices issued
# before this date only).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${INVOICES_URL:=http://127.0.0.1:${GATEWAY_PORT:-8080}/invoices/}"
: "${TOKEN=letmeinpleasekthxbye}"
: "${MODEL_FILE:=build/local-data/model.json}"
: "${EXPECTED_DATE_SVC:=build/release/services/expected_date_svc/expected_date_svc}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
auth=()
[ -n "$TOKEN" ] && auth=(-H "authorization: $TOKEN")
curl -sSf "${auth[@]}" -H 'accept: text/csv' "$INVOICES_URL?format=csv" -o "$work/export.csv"
echo "exported $(($(wc -l <"$work/export.csv") - 1)) invoices" >&2
mkdir -p "$(dirname "$MODEL_FILE")"
"$EXPECTED_DATE_SVC" train --csv "$work/export.csv" --out "$MODEL_FILE" ${UNTIL:+--until "$UNTIL"}
echo "model written to $MODEL_FILE" >&2
