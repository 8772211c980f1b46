#!/usr/bin/env bash
# Starts our auth_svc as the shared load script starts a service, with the run's key file
# (BENCH_KEYS_FILE, made by bench/run.sh with `auth_svc keys create`) next to TOKEN.
root=$(cd "$(dirname "$0")/.." && pwd)
exec env ${BENCH_KEYS_FILE:+KEYS_FILE="$BENCH_KEYS_FILE"} \
  "${TIM_BIN_DIR:-$root/build/release/services}/auth_svc/auth_svc"
