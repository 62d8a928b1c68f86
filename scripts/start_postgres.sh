#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for tests (data, socket and logs all inside one directory).
#
#   scripts/start_postgres.sh start DIR   start a cluster on a free 127.0.0.1 port with data in DIR;
#                                         prints its SQLAlchemy URL on stdout
#   scripts/start_postgres.sh stop DIR    stop that cluster and delete DIR
#   scripts/start_postgres.sh bindir      print the PostgreSQL bin directory (exit 1 if none)
#
# As root the server runs as the `postgres` user (initdb refuses root), the way RECIPES.md section 5
# does it. Durability is switched off: the cluster only lives for one test run.
set -euo pipefail

DB_NAME=wb_test

pg_bindir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  if [[ -z "$dir" ]] && command -v pg_ctl >/dev/null; then
    dir="$(dirname "$(command -v pg_ctl)")"
  fi
  [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/createdb" ]] || return 1
  printf '%s\n' "$dir"
}

as_pg() {
  if [[ $EUID -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

fail_with_log() {
  printf 'start_postgres.sh: %s; log %s follows\n' "$1" "$2" >&2
  cat "$2" >&2 || true
  exit 1
}

start() {
  local dir="$1" bin port
  bin="$(pg_bindir)" || {
    echo "start_postgres.sh: PostgreSQL not installed (apt-get install -y postgresql)" >&2
    exit 1
  }
  mkdir -p "$dir"
  [[ $EUID -ne 0 ]] || chown postgres:postgres "$dir"
  as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 ||
    fail_with_log "initdb failed" "$dir/initdb.log"
  port="$(free_port)"
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 -o "-p $port -k $dir \
    -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || fail_with_log "pg_ctl start failed" "$dir/server.log"
  as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DB_NAME"
  printf 'postgresql+psycopg://postgres@127.0.0.1:%s/%s\n' "$port" "$DB_NAME"
}

stop() {
  local dir="$1" bin
  if [[ -f "$dir/data/postmaster.pid" ]] && bin="$(pg_bindir)"; then
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null ||
      echo "start_postgres.sh: pg_ctl stop failed for $dir" >&2
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start | stop)
    [[ $# -eq 2 ]] || {
      echo "usage: $0 $1 DIR" >&2
      exit 2
    }
    "$1" "$2"
    ;;
  bindir) pg_bindir ;;
  *)
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
