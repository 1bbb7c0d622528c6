#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL 15 cluster on loopback, started here and removed
# afterwards. The command sees DATABASE_URL. Usage: scripts/with-postgres.sh CMD [ARGS...]
set -euo pipefail
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
pgdir=$(mktemp -d /tmp/shezhi-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# initdb refuses to run as root: run the server as the postgres system user then.
if [ "$(id -u)" -eq 0 ]; then chown postgres "$pgdir"; as_pg() { runuser -u postgres -- "$@"; }
else as_pg() { "$@"; }; fi
stop_pg() {
  as_pg "$PG_BIN/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pgdir"
}
trap stop_pg EXIT
as_pg "$PG_BIN/initdb" -D "$pgdir/data" -U shezhi --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w start -o \
  "-c listen_addresses=127.0.0.1 -p $port -k $pgdir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
export DATABASE_URL="postgres://shezhi@127.0.0.1:$port/postgres"
"$@"
