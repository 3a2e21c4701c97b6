#!/usr/bin/env bash
# A throwaway PostgreSQL server for the cross-engine tests: a fresh cluster in a temporary
# directory, listening on 127.0.0.1 only (a free port) and on a unix socket inside that directory,
# trust authentication, user `postgres`, database `postgres`; TLS on with a self-signed
# certificate made for the run (when openssl is there), for the tests of `sslmode`. Runs as the `postgres` system user
# when invoked as root (the server refuses to run as root).
#
#   scripts/postgres.sh start        prints PGHOST=127.0.0.1 PGPORT=... LODESTAR_PG_DIR=... (shell syntax)
#   scripts/postgres.sh stop DIR     stops the server started in DIR and deletes DIR
#   scripts/postgres.sh run CMD...   starts a server, runs CMD with PGHOST/PGPORT/PGUSER/PGDATABASE
#                                    exported, stops the server (also on failure or interrupt),
#                                    exits with CMD's status
set -euo pipefail

bin() {
  local b
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  for b in /usr/lib/postgresql/*/bin; do
    [ -x "$b/initdb" ] && { echo "$b"; return; }
  done
  b=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
  [ -x "$b/initdb" ] || { echo "postgres.sh: no initdb found; run: bash scripts/install-engines.sh" >&2; exit 2; }
  echo "$b"
}

# Runs a command as the server's user (postgres when we are root).
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local b dir port
  b=$(bin)
  dir=$(mktemp -d "${TMPDIR:-/tmp}/lodestar-pg.XXXXXX")
  chmod 755 "$dir"
  [ "$(id -u)" = 0 ] && { id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres; chown postgres "$dir"; }
  as_owner "$b/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 2; }
  # A self-signed certificate for this run only: the server then accepts TLS (sslmode=require)
  # and a client that verifies certificates refuses it (sslmode=verify-full).
  local tls=""
  if command -v openssl >/dev/null 2>&1 && openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
      -subj "/CN=lodestar-test" -keyout "$dir/server.key" -out "$dir/server.crt" >/dev/null 2>&1; then
    chmod 600 "$dir/server.key"
    [ "$(id -u)" = 0 ] && chown postgres "$dir/server.key" "$dir/server.crt"
    tls="-c ssl=on -c ssl_cert_file=$dir/server.crt -c ssl_key_file=$dir/server.key"
  fi
  # A port can be taken between choosing and binding: try a few.
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    if as_owner "$b/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start \
      -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir \
          -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c TimeZone=UTC $tls" \
      >/dev/null; then
      echo "PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=postgres LODESTAR_PG_DIR=$dir"
      return 0
    fi
  done
  cat "$dir/server.log" >&2
  rm -rf "$dir"
  exit 2
}

stop() {
  local dir="$1"
  [ -d "$dir/data" ] || { echo "postgres.sh: $dir holds no server" >&2; exit 2; }
  as_owner "$(bin)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) [ $# -eq 2 ] || { echo "usage: $0 stop DIR" >&2; exit 2; }; stop "$2" ;;
  run)
    shift
    [ $# -ge 1 ] || { echo "usage: $0 run CMD..." >&2; exit 2; }
    env_line=$(start)
    export $env_line
    trap 'stop "$LODESTAR_PG_DIR"' EXIT
    trap 'exit 130' INT TERM
    status=0
    "$@" || status=$?
    exit "$status"
    ;;
  *) echo "usage: $0 start | stop DIR | run CMD..." >&2; exit 2 ;;
esac
