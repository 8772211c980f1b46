#!/usr/bin/env bash
# Builds TIM (Release) and runs the four services on loopback; Ctrl-C stops all four cleanly.
# Ports and the token can be changed through the environment (see README).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-deps.sh build
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build/release -j"$(nproc)" --target auth_svc expected_date_svc invoices_svc gateway

: "${GATEWAY_PORT:=8080}" "${GATEWAY_ADMIN_PORT:=8877}" "${AUTH_PORT:=3000}" "${INVOICES_PORT:=3001}" "${EXPECTED_DATE_PORT:=3002}"
: "${TOKEN:=letmeinpleasekthxbye}" "${DATA_DIR:=build/local-data}"
bin=build/release/services
pids=()
stop() {
  trap - INT TERM EXIT
  [ ${#pids[@]} -gt 0 ] && kill -TERM "${pids[@]}" 2>/dev/null || true
  wait || true
  echo "stopped"
  exit 0
}
trap stop INT TERM EXIT

HOST=127.0.0.1 PORT=$EXPECTED_DATE_PORT MODEL_FILE=services/expected_date_svc/model/demo-model.json \
  "$bin/expected_date_svc/expected_date_svc" & pids+=($!)
HOST=127.0.0.1 PORT=$AUTH_PORT TOKEN=$TOKEN "$bin/auth_svc/auth_svc" & pids+=($!)
# Webhooks may call receivers on this machine only (docs/webhooks.md), unless the caller says.
HOST=127.0.0.1 PORT=$INVOICES_PORT EXPECTED_DATE_URI=http://127.0.0.1:$EXPECTED_DATE_PORT DATA_DIR=$DATA_DIR \
  WEBHOOK_ALLOWED_HOSTS=${WEBHOOK_ALLOWED_HOSTS-127.0.0.1,localhost} \
  "$bin/invoices_svc/invoices_svc" & pids+=($!)
HOST=127.0.0.1 PORT=$GATEWAY_PORT ADMIN_PORT=$GATEWAY_ADMIN_PORT ROUTES_FILE=kube/overlays/emissary/routes.yaml \
  UPSTREAMS="invoices-svc=127.0.0.1:$INVOICES_PORT,auth-svc:3000=127.0.0.1:$AUTH_PORT" \
  "$bin/gateway/gateway" & pids+=($!)

for port in $EXPECTED_DATE_PORT $AUTH_PORT $INVOICES_PORT $GATEWAY_ADMIN_PORT; do
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.05
  done
done
cat <<MSG

TIM is running:
  gateway            http://127.0.0.1:$GATEWAY_PORT (/metrics, /readyz: :$GATEWAY_ADMIN_PORT)
  auth_svc           http://127.0.0.1:$AUTH_PORT
  invoices_svc       http://127.0.0.1:$INVOICES_PORT
  expected_date_svc  http://127.0.0.1:$EXPECTED_DATE_PORT

Try:
  curl -s localhost:$GATEWAY_PORT/invoices/42 -H 'authorization: $TOKEN'
  curl -si localhost:$GATEWAY_PORT/invoices/42

Ctrl-C stops all four.
MSG
wait -n "${pids[@]}" || true
echo "a service exited; stopping the others" >&2
