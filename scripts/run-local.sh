#!/usr/bin/env bash
# Builds TIM (Release) and runs the five services (the four and the web app's file server) on
# loopback; Ctrl-C stops them all cleanly.
# Runs as any user: only installing the Debian packages needs root, once
# (`sudo scripts/setup-deps.sh build`; this script says so when they are missing).
#
# Exit status: 0 after Ctrl-C (or SIGTERM); 1 when a service did not become ready within
# READY_TIMEOUT_S or exited, at start or later: the script names it, shows its last log lines
# and stops the others.
#
# Environment (defaults):
#   GATEWAY_PORT=8080 GATEWAY_ADMIN_PORT=8877 AUTH_PORT=3000 INVOICES_PORT=3001
#   EXPECTED_DATE_PORT=3002 WEBAPP_PORT=3003 TOKEN=letmeinpleasekthxbye
#   MODEL_FILE=services/expected_date_svc/model/demo-model.json   the predictor's model
#   WEBHOOK_ALLOWED_HOSTS=127.0.0.1,localhost   where webhooks may deliver
#   DATA_DIR=build/local-data   invoices_svc's SQLite store
#   LOG_DIR=build/local-logs    one log file per service (JSON lines)
#   READY_TIMEOUT_S=30          per service
#   TIM_BIN_DIR=...             run these binaries (<dir>/<service>/<service>) instead of building
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${TIM_BIN_DIR:-}" ]; then
  scripts/setup-deps.sh build
  cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
  cmake --build build/release -j"$(nproc)" --target auth_svc expected_date_svc invoices_svc gateway webapp
  TIM_BIN_DIR=build/release/services
fi

: "${GATEWAY_PORT:=8080}" "${GATEWAY_ADMIN_PORT:=8877}" "${AUTH_PORT:=3000}" "${INVOICES_PORT:=3001}" "${EXPECTED_DATE_PORT:=3002}" "${WEBAPP_PORT:=3003}"
: "${TOKEN:=letmeinpleasekthxbye}" "${DATA_DIR:=build/local-data}" "${LOG_DIR:=build/local-logs}"
: "${READY_TIMEOUT_S:=30}" "${MODEL_FILE:=services/expected_date_svc/model/demo-model.json}"
bin=$TIM_BIN_DIR
mkdir -p "$LOG_DIR" "$DATA_DIR"

names=()
pids=()
stop_all() { # SIGTERM (each drains and exits 0), then SIGKILL what is left after 20 s
  trap - INT TERM EXIT
  [ ${#pids[@]} -gt 0 ] || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  local alive
  for _ in $(seq 200); do
    alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.1
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
on_signal() {
  stop_all
  echo "stopped"
  exit 0
}
# Names the service, says what went wrong, shows its log's end, stops the rest.
fail() { # service, message
  {
    echo
    echo "FAILED: $1 $2"
    echo "last lines of $LOG_DIR/$1.log:"
    tail -n 20 "$LOG_DIR/$1.log" 2>/dev/null | sed 's/^/  /'
    echo "stopping the other services"
  } >&2
  stop_all
  exit 1
}
trap on_signal INT TERM
trap stop_all EXIT

start() { # name, then VAR=value... for the environment; logs to $LOG_DIR/<name>.log
  local name=$1
  shift
  env "$@" "$bin/$name/$name" >"$LOG_DIR/$name.log" 2>&1 &
  names+=("$name")
  pids+=($!)
}
ended_status() { # pid of an ended child -> $status (not in a $(...): a subshell has no children)
  status=0
  wait "$1" 2>/dev/null || status=$?
}
wait_ready() { # index into names/pids, port of /readyz
  local name=${names[$1]} pid=${pids[$1]} port=$2
  local deadline=$((SECONDS + READY_TIMEOUT_S))
  while [ $SECONDS -lt "$deadline" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      ended_status "$pid"
      fail "$name" "exited with status $status before it was ready (port $port)"
    fi
    curl -sf --max-time 1 "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "$name" "did not become ready within $READY_TIMEOUT_S s (http://127.0.0.1:$port/readyz)"
}

start expected_date_svc HOST=127.0.0.1 PORT="$EXPECTED_DATE_PORT" \
  MODEL_FILE="$MODEL_FILE"
start auth_svc HOST=127.0.0.1 PORT="$AUTH_PORT" TOKEN="$TOKEN"
# Webhooks may call receivers on this machine only (docs/webhooks.md), unless the caller says.
start invoices_svc HOST=127.0.0.1 PORT="$INVOICES_PORT" \
  EXPECTED_DATE_URI="http://127.0.0.1:$EXPECTED_DATE_PORT" DATA_DIR="$DATA_DIR" \
  WEBHOOK_ALLOWED_HOSTS="${WEBHOOK_ALLOWED_HOSTS-127.0.0.1,localhost}"
start webapp HOST=127.0.0.1 PORT="$WEBAPP_PORT" STATIC_DIR=services/webapp/static
start gateway HOST=127.0.0.1 PORT="$GATEWAY_PORT" ADMIN_PORT="$GATEWAY_ADMIN_PORT" \
  ROUTES_FILE=kube/overlays/emissary/routes.yaml \
  UPSTREAMS="invoices-svc=127.0.0.1:$INVOICES_PORT,auth-svc:3000=127.0.0.1:$AUTH_PORT,webapp=127.0.0.1:$WEBAPP_PORT"

ports=("$EXPECTED_DATE_PORT" "$AUTH_PORT" "$INVOICES_PORT" "$WEBAPP_PORT" "$GATEWAY_ADMIN_PORT")
for i in "${!names[@]}"; do wait_ready "$i" "${ports[$i]}"; done

cat <<MSG

TIM is running:
  gateway            http://127.0.0.1:$GATEWAY_PORT (/metrics, /readyz: :$GATEWAY_ADMIN_PORT)
  auth_svc           http://127.0.0.1:$AUTH_PORT
  invoices_svc       http://127.0.0.1:$INVOICES_PORT   (data: $DATA_DIR)
  expected_date_svc  http://127.0.0.1:$EXPECTED_DATE_PORT
  webapp             http://127.0.0.1:$WEBAPP_PORT (its files; use the app through the gateway)
Logs: $LOG_DIR/<service>.log

Try:
  curl -s localhost:$GATEWAY_PORT/invoices/42 -H 'authorization: $TOKEN'
  curl -si localhost:$GATEWAY_PORT/invoices/42

The app:  http://127.0.0.1:$GATEWAY_PORT/app/   (sign in with the token: $TOKEN)

Ctrl-C stops all five.
MSG

# Until Ctrl-C: a service that ends on its own is a failure, named like one at start.
while :; do
  wait -n "${pids[@]}" 2>/dev/null || true
  for i in "${!pids[@]}"; do
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
      ended_status "${pids[$i]}"
      fail "${names[$i]}" "exited with status $status while running"
    fi
  done
done
