#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for the store tests, on a free loopback port.
#   scripts/test-postgres.sh start   initdb + start; prints the URL for TIM_TEST_DATABASE_URL
#   scripts/test-postgres.sh url     prints the URL of the running server
#   scripts/test-postgres.sh stop    stops it and deletes its folder
# Usage: export TIM_TEST_DATABASE_URL=$(scripts/test-postgres.sh start)
# The folder is $TIM_PG_DIR (default /tmp/tim-test-postgres). PostgreSQL refuses to run as
# root, so as root the server runs as the `postgres` user, which owns the folder.
# fsync is off: the data is thrown away, and the tests' speed matters more.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
DIR=${TIM_PG_DIR:-/tmp/tim-test-postgres}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

running() { [ -f "$DIR/url" ] && as_owner "$PG_BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; }

case "${1:-}" in
  start)
    if running; then cat "$DIR/url"; exit 0; fi
    rm -rf "$DIR"
    mkdir -p "$DIR"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$DIR"
    as_owner "$PG_BIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$DIR/initdb.log" 2>&1 ||
      { cat "$DIR/initdb.log" >&2; exit 1; }
    port=$(free_port)
    if ! as_owner "$PG_BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$DIR -c fsync=off -c max_connections=200" \
      start >&2; then
      cat "$DIR/server.log" >&2
      exit 1
    fi
    url="postgres://postgres@127.0.0.1:$port/postgres"
    echo "$url" | as_owner tee "$DIR/url" >/dev/null
    echo "$url"
    ;;
  url)
    running || { echo "no test PostgreSQL running in $DIR (run: $0 start)" >&2; exit 1; }
    cat "$DIR/url"
    ;;
  stop)
    if [ -d "$DIR/data" ]; then as_owner "$PG_BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >&2 || true; fi
    rm -rf "$DIR"
    ;;
  *)
    echo "usage: $0 start|url|stop" >&2
    exit 2
    ;;
esac
